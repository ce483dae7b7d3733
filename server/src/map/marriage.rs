//! Marriage: the lawyer (ENF type Lawyer) approves a fiancé and divorces, for a fee; the
//! priest (ENF type Priest) weds two approved characters in a timed ceremony. EOSERV has no
//! wedding; this follows etheos and reoserv (docs/players.md, "Marriage and the book").
//!
//! A character's fiancé and partner are part of its game state (map/character.rs), saved with
//! it. A wedding needs both partners on this map, so both change here, in one event, and are
//! queued for saving together. A divorce changes the other partner too, who may be anywhere or
//! offline: this map clears its own side and asks the player task to clear the other's
//! (player/handlers/marriage.rs), in the database and, if it plays, on its map
//! ([`MapActor::divorced`]).

use std::time::Duration;

use eo_protocol::net::client::{ClientPacket, MarriageRequestClientPacket, MarriageRequestType};
use eo_protocol::net::server::{
    EffectPlayerServerPacket, MarriageOpenServerPacket, MarriageReply, MarriageReplyServerPacket,
    MarriageReplyServerPacketReplyCodeData, MarriageReplyServerPacketReplyCodeDataSuccess,
    NpcPlayerServerPacket, NpcUpdateChat, PlayerEffect, PriestOpenServerPacket, PriestReply,
    PriestReplyServerPacket, PriestRequestServerPacket,
};
use tokio::time::Instant;

use super::SEE_DISTANCE;
use super::actor::MapActor;
use super::pathfinding::distance;
use super::services::Service;
use crate::data::GOLD;

/// The effect shown on the partners when they are wed (etheos's and reoserv's).
const WEDDING_EFFECT: u32 = 1;

/// A wedding request waiting for the partner's Priest_Accept.
#[derive(Debug, Clone, Copy)]
struct Proposal {
    requester: u16,
    session: u16,
    npc_index: u8,
}

/// Where a ceremony stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the priest's first words.
    Waiting,
    /// The priest is about to ask partner 0 or 1.
    Ask(usize),
    /// The priest waits for partner 0 or 1 to say "I do" (Priest_Use), until the deadline.
    Answer(usize),
    /// Both said it: the priest pronounces them wed.
    Pronounce,
}

/// A ceremony under way at one priest.
#[derive(Debug, Clone)]
struct Wedding {
    npc_index: u8,
    session: u16,
    partners: [u16; 2],
    names: [String; 2],
    stage: Stage,
    next: Instant,
}

/// The map's proposals and ceremonies.
#[derive(Debug, Default)]
pub(super) struct Weddings {
    /// By the partner asked.
    proposals: std::collections::HashMap<u16, Proposal>,
    ceremonies: Vec<Wedding>,
}

impl MapActor {
    /// Marriage_* (the lawyer) and Priest_* (the priest).
    pub(super) fn marriage(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::MarriageOpen(open) => {
                let Ok(npc_index) = u8::try_from(open.npc_index) else {
                    return;
                };
                if let Some(opened) = self.start_service(player_id, npc_index, Service::Lawyer) {
                    let body = self.encode(&MarriageOpenServerPacket {
                        session_id: u32::from(opened.session),
                    });
                    self.send_to(player_id, body);
                }
            }
            ClientPacket::MarriageRequest(request) => self.lawyer(player_id, &request),
            ClientPacket::PriestOpen(open) => self.priest_open(player_id, open.npc_index),
            ClientPacket::PriestRequest(request) => {
                self.propose(player_id, request.session_id, &request.name);
            }
            ClientPacket::PriestAccept(accept) => {
                self.accept_proposal(player_id, accept.session_id)
            }
            ClientPacket::PriestUse(said) => self.say_i_do(player_id, said.session_id),
            _ => {}
        }
    }

    fn marriage_reply(&self, player_id: u16, code: MarriageReply, gold: Option<u32>) {
        let body = self.encode(&MarriageReplyServerPacket {
            reply_code: code,
            reply_code_data: gold.map(|gold_amount| {
                MarriageReplyServerPacketReplyCodeData::Success(
                    MarriageReplyServerPacketReplyCodeDataSuccess { gold_amount },
                )
            }),
        });
        self.send_to(player_id, body);
    }

    fn priest_reply(&self, player_id: u16, code: PriestReply) {
        let body = self.encode(&PriestReplyServerPacket { reply_code: code });
        self.send_to(player_id, body);
    }

    /// Marriage_Request at the lawyer: approval of a fiancé, or a divorce.
    fn lawyer(&mut self, player_id: u16, request: &MarriageRequestClientPacket) {
        if self
            .open_service(player_id, Service::Lawyer, Some(request.session_id))
            .is_none()
        {
            return;
        }
        let config = self.config.marriage.clone();
        let data = std::sync::Arc::clone(&self.data);
        let name = request.name.trim().to_owned();
        let decided = {
            let Some(me) = self.characters.get(&player_id) else {
                return;
            };
            let state = me.game.state();
            match request.request_type {
                MarriageRequestType::MarriageApproval => {
                    if name.is_empty() || name.eq_ignore_ascii_case(&me.record.name) {
                        return;
                    }
                    if state.partner.is_empty() {
                        Ok((MarriageRequestType::MarriageApproval, config.approval_cost))
                    } else {
                        Err(MarriageReply::AlreadyMarried)
                    }
                }
                MarriageRequestType::Divorce if state.partner.is_empty() => {
                    Err(MarriageReply::NotMarried)
                }
                MarriageRequestType::Divorce if !state.partner.eq_ignore_ascii_case(&name) => {
                    Err(MarriageReply::WrongName)
                }
                MarriageRequestType::Divorce => {
                    Ok((MarriageRequestType::Divorce, config.divorce_cost))
                }
                MarriageRequestType::Unrecognized(_) => return,
            }
        };
        let (code, cost) = match decided {
            Ok(decided) => decided,
            Err(refusal) => return self.marriage_reply(player_id, refusal, None),
        };
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if me.game.amount_of(GOLD) < cost || me.game.remove_item(GOLD, cost, &data) != cost {
            return self.marriage_reply(player_id, MarriageReply::NotEnoughGold, None);
        }
        let gold = me.game.amount_of(GOLD);
        let former = match code {
            MarriageRequestType::Divorce => {
                let former = me.game.state().partner.clone();
                me.game.update(&data, |s| s.partner.clear());
                Some(former)
            }
            _ => {
                me.game.update(&data, |s| s.fiance = name);
                None
            }
        };
        self.marriage_reply(player_id, MarriageReply::Success, Some(gold));
        if let Some(former) = former {
            // This side is queued first; then the player task ends the other side.
            self.save_changed();
            if let Some(me) = self.characters.get(&player_id) {
                me.player.divorce(former);
            }
        }
    }

    /// Another character divorced this one (from anywhere): its partner is cleared if it is
    /// still that character, and it is told.
    pub(super) fn divorced(&mut self, player_id: u16, by: &str) {
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if !me.game.state().partner.eq_ignore_ascii_case(by) {
            return;
        }
        me.game.update(&data, |s| s.partner.clear());
        self.marriage_reply(player_id, MarriageReply::DivorceNotification, None);
    }

    /// Whether the character may wed now: approved, unmarried, of the level, dressed. The
    /// refusal's code otherwise.
    fn ready_to_wed(&self, player_id: u16) -> Result<(), PriestReply> {
        let config = &self.config.marriage;
        let me = self
            .characters
            .get(&player_id)
            .ok_or(PriestReply::NoPermission)?;
        let state = me.game.state();
        if state.fiance.is_empty() || !state.partner.is_empty() {
            return Err(PriestReply::NoPermission);
        }
        if state.level < config.min_level {
            return Err(PriestReply::LowLevel);
        }
        if state.equipment.armor != config.outfit(state.gender) {
            return Err(PriestReply::NotDressed);
        }
        Ok(())
    }

    /// Priest_Open.
    fn priest_open(&mut self, player_id: u16, npc_index: u32) {
        let Ok(npc_index) = u8::try_from(npc_index) else {
            return;
        };
        if let Err(code) = self.ready_to_wed(player_id) {
            // Only at a priest in reach.
            if self
                .start_service(player_id, npc_index, Service::Priest)
                .is_some()
            {
                self.end_service(player_id);
                self.priest_reply(player_id, code);
            }
            return;
        }
        if let Some(opened) = self.start_service(player_id, npc_index, Service::Priest) {
            let body = self.encode(&PriestOpenServerPacket {
                session_id: u32::from(opened.session),
            });
            self.send_to(player_id, body);
        }
    }

    /// The character on this map named `name`, if any.
    fn named(&self, name: &str) -> Option<u16> {
        self.characters
            .iter()
            .find(|(_, c)| c.record.name.eq_ignore_ascii_case(name))
            .map(|(id, _)| *id)
    }

    /// Whether the two are each other's fiancés.
    fn engaged(&self, a: u16, b: u16) -> bool {
        let (Some(a), Some(b)) = (self.characters.get(&a), self.characters.get(&b)) else {
            return false;
        };
        a.game.state().fiance.eq_ignore_ascii_case(&b.record.name)
            && b.game.state().fiance.eq_ignore_ascii_case(&a.record.name)
    }

    /// Whether a character is within reach of the priest `npc_index`.
    fn near_priest(&self, player_id: u16, npc_index: u8) -> bool {
        let (Some(me), Some(npc)) = (self.characters.get(&player_id), self.npcs.alive(npc_index))
        else {
            return false;
        };
        distance(npc.at, me.tile()) <= SEE_DISTANCE
    }

    /// Priest_Request: asks `name` to wed.
    fn propose(&mut self, player_id: u16, session: u32, name: &str) {
        let Some(opened) = self.open_service(player_id, Service::Priest, Some(session)) else {
            return;
        };
        if let Err(code) = self.ready_to_wed(player_id) {
            return self.priest_reply(player_id, code);
        }
        let Some(partner) = self
            .named(name)
            .filter(|p| *p != player_id && self.near_priest(*p, opened.npc_index))
        else {
            return self.priest_reply(player_id, PriestReply::PartnerNotPresent);
        };
        if self
            .weddings
            .ceremonies
            .iter()
            .any(|w| w.npc_index == opened.npc_index)
        {
            return self.priest_reply(player_id, PriestReply::Busy);
        }
        if self.partner_of(partner).is_some() {
            return self.priest_reply(player_id, PriestReply::PartnerAlreadyMarried);
        }
        if !self.engaged(player_id, partner) {
            return self.priest_reply(player_id, PriestReply::NoPermission);
        }
        match self.ready_to_wed(partner) {
            Ok(()) => {}
            Err(PriestReply::NotDressed) => {
                return self.priest_reply(player_id, PriestReply::PartnerNotDressed);
            }
            Err(code) => return self.priest_reply(player_id, code),
        }
        let Some(my_name) = self
            .characters
            .get(&player_id)
            .map(|c| c.record.name.clone())
        else {
            return;
        };
        self.weddings.proposals.insert(
            partner,
            Proposal {
                requester: player_id,
                session: opened.session,
                npc_index: opened.npc_index,
            },
        );
        let body = self.encode(&PriestRequestServerPacket {
            session_id: opened.session,
            partner_name: my_name,
        });
        self.send_to(partner, body);
    }

    fn partner_of(&self, player_id: u16) -> Option<String> {
        let partner = &self.characters.get(&player_id)?.game.state().partner;
        (!partner.is_empty()).then(|| partner.clone())
    }

    /// Priest_Accept: the partner agrees; the ceremony starts after `start_delay_secs`.
    fn accept_proposal(&mut self, player_id: u16, session: u16) {
        let Some(proposal) = self.weddings.proposals.remove(&player_id) else {
            return;
        };
        let (a, b) = (proposal.requester, player_id);
        let fits = proposal.session == session
            && self.ready_to_wed(a).is_ok()
            && self.ready_to_wed(b).is_ok()
            && self.engaged(a, b)
            && self.near_priest(a, proposal.npc_index)
            && self.near_priest(b, proposal.npc_index)
            && !self
                .weddings
                .ceremonies
                .iter()
                .any(|w| w.npc_index == proposal.npc_index || w.partners.contains(&a));
        if !fits {
            return;
        }
        let names = [a, b].map(|id| {
            self.characters
                .get(&id)
                .map(|c| c.record.name.clone())
                .unwrap_or_default()
        });
        let delay = Duration::from_secs(self.config.marriage.start_delay_secs);
        self.weddings.ceremonies.push(Wedding {
            npc_index: proposal.npc_index,
            session: proposal.session,
            partners: [a, b],
            names,
            stage: Stage::Waiting,
            next: Instant::now() + delay,
        });
    }

    /// Priest_Use: "I do", from the partner the priest asked.
    fn say_i_do(&mut self, player_id: u16, session: u32) {
        let line = Duration::from_secs(self.config.marriage.line_secs);
        for wedding in &mut self.weddings.ceremonies {
            if u32::from(wedding.session) != session {
                continue;
            }
            if let Stage::Answer(i) = wedding.stage
                && wedding.partners.get(i) == Some(&player_id)
            {
                wedding.stage = if i == 0 {
                    Stage::Ask(1)
                } else {
                    Stage::Pronounce
                };
                wedding.next = Instant::now() + line;
            }
        }
    }

    /// The priest says `message` to those in view of it.
    fn priest_says(&self, npc_index: u8, message: String) {
        let Some(npc) = self.npcs.alive(npc_index) else {
            return;
        };
        let body = self.encode(&NpcPlayerServerPacket {
            positions: Vec::new(),
            attacks: Vec::new(),
            chats: vec![NpcUpdateChat { npc_index, message }],
            hp: None,
            tp: None,
        });
        if let Some(body) = body {
            self.send_near((u16::from(npc.at.0), u16::from(npc.at.1)), None, &body);
        }
    }

    /// Each tick: ceremonies whose next step is due take it; one whose partners left, or
    /// walked out of the priest's reach, or did not answer in time, is off.
    pub(super) fn wedding_tick(&mut self) {
        let now = Instant::now();
        let ceremonies = std::mem::take(&mut self.weddings.ceremonies);
        for mut wedding in ceremonies {
            let present = wedding
                .partners
                .iter()
                .all(|p| self.near_priest(*p, wedding.npc_index));
            if !present {
                self.priest_says(wedding.npc_index, "The wedding is off.".into());
                continue;
            }
            if now < wedding.next {
                self.weddings.ceremonies.push(wedding);
                continue;
            }
            let config = self.config.marriage.clone();
            let [first, second] = wedding.names.clone();
            match wedding.stage {
                Stage::Waiting => {
                    self.priest_says(
                        wedding.npc_index,
                        format!("We are gathered here to join {first} and {second}."),
                    );
                    wedding.stage = Stage::Ask(0);
                    wedding.next = now + Duration::from_secs(config.line_secs);
                }
                Stage::Ask(i) => {
                    let (asked, other) = if i == 0 {
                        (&first, &second)
                    } else {
                        (&second, &first)
                    };
                    self.priest_says(
                        wedding.npc_index,
                        format!("{asked}, do you take {other} to be your partner?"),
                    );
                    if let Some(partner) = wedding.partners.get(i) {
                        self.priest_reply(*partner, PriestReply::DoYou);
                    }
                    wedding.stage = Stage::Answer(i);
                    wedding.next = now + Duration::from_secs(config.answer_secs);
                }
                Stage::Answer(_) => {
                    self.priest_says(wedding.npc_index, "The wedding is off.".into());
                    continue;
                }
                Stage::Pronounce => {
                    self.priest_says(
                        wedding.npc_index,
                        format!("I pronounce {first} and {second} partners for life!"),
                    );
                    self.wed(&wedding);
                    continue;
                }
            }
            self.weddings.ceremonies.push(wedding);
        }
    }

    /// Both said "I do": each is the other's partner, neither has a fiancé any more, each gets
    /// the ring at its feet (for it alone for a while), and both are saved together.
    fn wed(&mut self, wedding: &Wedding) {
        let data = std::sync::Arc::clone(&self.data);
        let ring = self.config.marriage.ring;
        let pairs = [
            (wedding.partners[0], wedding.names[1].clone()),
            (wedding.partners[1], wedding.names[0].clone()),
        ];
        for (partner, other) in pairs {
            if let Some(me) = self.characters.get_mut(&partner) {
                me.game.update(&data, |s| {
                    s.partner = other;
                    s.fiance.clear();
                });
            }
        }
        self.save_changed();
        let effects: Vec<PlayerEffect> = wedding
            .partners
            .iter()
            .map(|p| PlayerEffect {
                player_id: *p,
                effect_id: WEDDING_EFFECT,
            })
            .collect();
        if let (Some(body), Some(me)) = (
            self.encode(&EffectPlayerServerPacket { effects }),
            self.characters.get(&wedding.partners[0]),
        ) {
            self.send_near(me.at(), None, &body);
        }
        if ring != 0 {
            for partner in wedding.partners {
                self.give(partner, ring, 1);
            }
        }
    }
}
