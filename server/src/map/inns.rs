//! Inns (ENF type Inn): citizenship and sleep, from the inn file (`crate::data::inn_file`),
//! each inn run by the Inn NPCs whose `behavior_id` is its own.
//!
//! - Citizen_Open opens the inn: its behavior id, the character's current home inn (0 for
//!   none, so the client offers to sign up), a session id and the three questions.
//! - Citizen_Reply answers them; Citizen_Reply back says how many were wrong, and with none
//!   wrong the character's home becomes the inn (its name). A citizen of another inn is
//!   refused unless `[inns] subscribe_anytime`.
//! - Citizen_Remove gives up the citizenship of the inn, if the character has it.
//! - Citizen_Request asks a citizen's price for a night (`[inns]`), if HP or TP are not full;
//!   Citizen_Accept pays it: full HP and TP, and a warp to the inn's sleep point if it has one.
//!
//! The home is part of the character's game state (`GameState::home`), so the map's saves
//! keep it; a character respawns at its home inn's spawn point ([`MapActor::home_spawn`]).

use std::sync::Arc;

use eo_protocol::net::client::{
    CitizenAcceptClientPacket, CitizenOpenClientPacket, CitizenRemoveClientPacket,
    CitizenReplyClientPacket, CitizenRequestClientPacket, ClientPacket,
};
use eo_protocol::net::server::{
    CitizenAcceptServerPacket, CitizenOpenServerPacket, CitizenRemoveServerPacket,
    CitizenReplyServerPacket, CitizenRequestServerPacket, InnUnsubscribeReply,
};
use eo_protocol::number::CHAR_MAX;

use super::actor::MapActor;
use super::services::Service;
use crate::data::GOLD;
use crate::data::{Inn, Place};

/// A night at an inn: its price and where the sleeper wakes.
struct Night {
    cost: u32,
    wake_at: Option<Place>,
}

impl MapActor {
    /// The Citizen packets.
    pub(super) fn inn(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::CitizenOpen(open) => self.inn_open(player_id, &open),
            ClientPacket::CitizenReply(reply) => self.inn_join(player_id, &reply),
            ClientPacket::CitizenRemove(remove) => self.inn_leave(player_id, &remove),
            ClientPacket::CitizenRequest(request) => self.inn_price(player_id, &request),
            ClientPacket::CitizenAccept(accept) => self.inn_sleep(player_id, &accept),
            _ => {}
        }
    }

    /// Where the character respawns by its home: the spawn point of its home inn (the default
    /// inn's for a character without one), if the world has such an inn and it has one.
    pub(super) fn home_spawn(&self, player_id: u16) -> Option<(u16, u8, u8)> {
        let state = self.characters.get(&player_id)?.game.state();
        let place = self
            .data
            .inns
            .home_of(&state.home)?
            .spawn_for(state.level)?;
        Some((place.map, place.x, place.y))
    }

    /// Whether the character has the inn of `behavior_id` open, with this session (`None`:
    /// the packet carries none).
    fn inn_is_open(&self, player_id: u16, session: Option<u16>, behavior_id: u16) -> bool {
        self.open_service(player_id, Service::Inn, session.map(u32::from))
            .is_some_and(|opened| opened.behavior_id == behavior_id)
    }

    /// The inn the character is a citizen of, by its home (not the default inn).
    fn home_inn(&self, player_id: u16) -> Option<&Inn> {
        let home = &self.characters.get(&player_id)?.game.state().home;
        self.data.inns.named(home)
    }

    fn inn_open(&mut self, player_id: u16, open: &CitizenOpenClientPacket) {
        let Ok(npc_index) = u8::try_from(open.npc_index) else {
            return;
        };
        let Some(opened) = self.start_service(player_id, npc_index, Service::Inn) else {
            return;
        };
        let data = Arc::clone(&self.data);
        let Some(inn) = data.inns.by_behavior(opened.behavior_id) else {
            // An innkeeper the inn file does not know runs no inn.
            if let Some(me) = self.characters.get_mut(&player_id) {
                me.interaction = None;
            }
            return;
        };
        // The client refuses to sign up while this is not 0. As EOSERV does, with
        // `subscribe_anytime` it is 0 unless the character is a citizen of this very inn.
        let current = self
            .home_inn(player_id)
            .map_or(0, |home| home.behavior_id)
            .min(u16::try_from(CHAR_MAX - 1).unwrap_or(u16::MAX));
        let current_home_id = if self.config.inns.subscribe_anytime && current != inn.behavior_id {
            0
        } else {
            u8::try_from(current).unwrap_or(0)
        };
        let body = self.encode(&CitizenOpenServerPacket {
            behavior_id: u32::from(inn.behavior_id),
            current_home_id,
            session_id: opened.session,
            questions: inn.questions.iter().map(|q| q.question.clone()).collect(),
        });
        self.send_to(player_id, body);
    }

    fn inn_join(&mut self, player_id: u16, reply: &CitizenReplyClientPacket) {
        let data = Arc::clone(&self.data);
        if !self.inn_is_open(player_id, Some(reply.session_id), reply.behavior_id) {
            return;
        }
        let Some(inn) = data.inns.by_behavior(reply.behavior_id) else {
            return;
        };
        let elsewhere = self
            .home_inn(player_id)
            .is_some_and(|home| home.behavior_id != inn.behavior_id);
        if elsewhere && !self.config.inns.subscribe_anytime {
            return;
        }
        let questions_wrong = inn.wrong_answers(&reply.answers);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if questions_wrong == 0 {
            me.game.update(&data, |state| state.home = inn.name.clone());
        }
        let body = self.encode(&CitizenReplyServerPacket { questions_wrong });
        self.send_to(player_id, body);
    }

    fn inn_leave(&mut self, player_id: u16, remove: &CitizenRemoveClientPacket) {
        let data = Arc::clone(&self.data);
        if !self.inn_is_open(player_id, None, remove.behavior_id) {
            return;
        }
        let Some(inn) = data.inns.by_behavior(remove.behavior_id) else {
            return;
        };
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let citizen = me.game.state().home == inn.name;
        if citizen {
            me.game.update(&data, |state| state.home.clear());
        }
        let body = self.encode(&CitizenRemoveServerPacket {
            reply_code: if citizen {
                InnUnsubscribeReply::Unsubscribed
            } else {
                InnUnsubscribeReply::NotCitizen
            },
        });
        self.send_to(player_id, body);
    }

    /// What a night costs the character at the open inn: only its citizens sleep there, and
    /// only when HP or TP are not full. Worked out again when it pays, from HP and TP then.
    fn night(&self, player_id: u16, session: u16, behavior_id: u16) -> Option<Night> {
        if !self.inn_is_open(player_id, Some(session), behavior_id) {
            return None;
        }
        let inn = self.data.inns.by_behavior(behavior_id)?;
        let me = self.characters.get(&player_id)?;
        let state = me.game.state();
        if state.home != inn.name {
            return None;
        }
        let derived = me.game.derived();
        let missing_hp = derived.max_hp.saturating_sub(state.hp);
        let missing_tp = derived.max_tp.saturating_sub(state.tp);
        if missing_hp == 0 && missing_tp == 0 {
            return None;
        }
        Some(Night {
            cost: self.config.inns.sleep_cost(missing_hp, missing_tp)?,
            wake_at: inn.sleep,
        })
    }

    fn inn_price(&mut self, player_id: u16, request: &CitizenRequestClientPacket) {
        let Some(night) = self.night(player_id, request.session_id, request.behavior_id) else {
            return;
        };
        let body = self.encode(&CitizenRequestServerPacket { cost: night.cost });
        self.send_to(player_id, body);
    }

    fn inn_sleep(&mut self, player_id: u16, accept: &CitizenAcceptClientPacket) {
        let Some(night) = self.night(player_id, accept.session_id, accept.behavior_id) else {
            return;
        };
        let data = Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if me.game.amount_of(GOLD) < night.cost
            || me.game.remove_item(GOLD, night.cost, &data) != night.cost
        {
            return;
        }
        me.game.heal(u32::MAX, u32::MAX);
        me.game.sync_info(&mut me.info, &data);
        // The sleeper leaves the innkeeper (and the map, if it wakes on another).
        me.interaction = None;
        let gold_amount = me.game.amount_of(GOLD);
        let player = me.player.clone();
        // The client takes the warp that follows Citizen_Accept for the sleep's.
        if let Some(body) = self.encode(&CitizenAcceptServerPacket { gold_amount }) {
            player.send(body);
        }
        if let Some(place) = night.wake_at {
            player.warp(place.map, place.x, place.y);
        }
    }
}
