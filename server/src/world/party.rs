//! Parties: the world actor owns them (it sees every player come and go), as runtime state
//! that is never saved: a party ends when the server stops, and a member who leaves the game
//! leaves its party.
//!
//! - Party_Request (Invite: "join my party"; Join: "let me join yours") reaches its target if
//!   the player task found it in reach on its map; the requester is answered Party_Reply when
//!   the target is already in the party (AlreadyInYourParty), the one who would join is in
//!   another (AlreadyInAnotherParty), or the party is full (`[parties] max_size`).
//! - Party_Accept of that request: the one invited (or asking) joins the party of the other,
//!   which is made, with the other as its leader, if there was none. The newcomer gets
//!   Party_Create, the others Party_Add.
//! - Party_Remove: oneself (leave), or anyone when the leader (kick). The one removed gets
//!   Party_Close, the rest Party_Remove; the party disbands (Party_Close to all) when the
//!   leader goes or fewer than two remain, and a member leaving the game leaves it.
//! - Party_Take: the member list again (Party_List). Talk_Open: party chat.
//!
//! Each map holding a member is told the members (map/party.rs) whenever they change, and the
//! map a member warps onto is told on arrival: the maps share experience, heal groups and send
//! the HP bars. The world never waits on a map's answer; it only queues the views, in order.

use std::collections::{HashMap, HashSet};

use eo_protocol::net::PartyRequestType;
use eo_protocol::net::server::{
    PartyAddServerPacket, PartyCloseServerPacket, PartyCreateServerPacket, PartyListServerPacket,
    PartyMember, PartyRemoveServerPacket, PartyReplyCode, PartyReplyServerPacket,
    PartyReplyServerPacketReplyCodeData, PartyReplyServerPacketReplyCodeDataAlreadyInAnotherParty,
    PartyReplyServerPacketReplyCodeDataAlreadyInYourParty, PartyRequestServerPacket,
    TalkOpenServerPacket,
};
use eo_protocol::serialize::Packet;

use super::actor::WorldActor;
use crate::map::PartyView;

/// What players ask of the parties.
#[derive(Debug)]
pub(crate) enum PartyMessage {
    /// Party_Request of `target`, found in reach with both HP percentages `hp`.
    Request {
        player_id: u16,
        target: u16,
        kind: PartyRequestType,
        hp: (u8, u8),
    },
    /// Party_Accept of `inviter`'s request.
    Accept {
        player_id: u16,
        inviter: u16,
        kind: PartyRequestType,
    },
    /// Party_Remove.
    Remove { player_id: u16, target: u16 },
    /// Party_Take.
    List { player_id: u16 },
    /// Talk_Open.
    Chat { player_id: u16, message: String },
    /// A member's HP percentage, from its map.
    Hp { player_id: u16, percent: u8 },
}

impl PartyMessage {
    /// The message's name, for the line a panic while handling it logs.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            PartyMessage::Request { .. } => "party request",
            PartyMessage::Accept { .. } => "party accept",
            PartyMessage::Remove { .. } => "party remove",
            PartyMessage::List { .. } => "party list",
            PartyMessage::Chat { .. } => "party chat",
            PartyMessage::Hp { .. } => "party hp",
        }
    }
}

/// A party: its members, the leader first.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Party {
    members: Vec<u16>,
}

impl Party {
    fn leader(&self) -> Option<u16> {
        self.members.first().copied()
    }
}

/// A request waiting for its answer: `to` was asked (Invite or Join) by the player it is
/// kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Request {
    to: u16,
    kind: PartyRequestType,
}

/// Every party in the game.
#[derive(Debug)]
pub(super) struct Parties {
    max_size: usize,
    next_id: u32,
    parties: HashMap<u32, Party>,
    /// The party of each member.
    member_of: HashMap<u16, u32>,
    /// The last request each player made (a new one replaces it).
    requests: HashMap<u16, Request>,
    /// Each member's HP percentage as its map last told it (for the member lists).
    hp: HashMap<u16, u8>,
}

impl Parties {
    /// No parties yet; none may grow past `max_size` members.
    pub(super) fn new(max_size: usize) -> Self {
        Parties {
            max_size: max_size.max(2),
            next_id: 1,
            parties: HashMap::new(),
            member_of: HashMap::new(),
            requests: HashMap::new(),
            hp: HashMap::new(),
        }
    }
}

/// Who would join whose party if a request of `kind` from `from` to `to` were accepted:
/// `(host, joiner)`.
fn roles(kind: PartyRequestType, from: u16, to: u16) -> Option<(u16, u16)> {
    match kind {
        PartyRequestType::Invite => Some((from, to)),
        PartyRequestType::Join => Some((to, from)),
        PartyRequestType::Unrecognized(_) => None,
    }
}

impl WorldActor {
    /// Handles one party message.
    pub(super) fn party_message(&mut self, message: PartyMessage) {
        match message {
            PartyMessage::Request {
                player_id,
                target,
                kind,
                hp,
            } => self.party_request(player_id, target, kind, hp),
            PartyMessage::Accept {
                player_id,
                inviter,
                kind,
            } => self.party_accept(player_id, inviter, kind),
            PartyMessage::Remove { player_id, target } => self.party_remove(player_id, target),
            PartyMessage::List { player_id } => self.party_list(player_id),
            PartyMessage::Chat { player_id, message } => self.party_chat(player_id, message),
            PartyMessage::Hp { player_id, percent } => self.party_hp(player_id, percent),
        }
    }

    /// The character in the game on `player_id`.
    fn playing_of(&self, player_id: u16) -> Option<&super::actor::OnlineCharacter> {
        Some(
            &self
                .connections
                .get(&player_id)?
                .playing
                .as_ref()?
                .character,
        )
    }

    fn name_of(&self, player_id: u16) -> Option<String> {
        Some(self.playing_of(player_id)?.name.clone())
    }

    fn send_packet<P: Packet>(&self, to: u16, packet: &P) {
        if let (Some(connection), Some(body)) = (self.connections.get(&to), Self::encode(packet)) {
            connection.player.send(body);
        }
    }

    /// Why `joiner` may not join `host`'s party now, as the reply to send; `named` is the one
    /// the reply names when both are in the party already.
    fn refusal(&self, host: u16, joiner: u16, named: u16) -> Option<PartyReplyServerPacket> {
        let parties = &self.parties;
        let host_party = parties.member_of.get(&host);
        let joiner_party = parties.member_of.get(&joiner);
        if joiner_party.is_some() && joiner_party == host_party {
            return Some(PartyReplyServerPacket {
                reply_code: PartyReplyCode::AlreadyInYourParty,
                reply_code_data: Some(PartyReplyServerPacketReplyCodeData::AlreadyInYourParty(
                    PartyReplyServerPacketReplyCodeDataAlreadyInYourParty {
                        player_name: self.name_of(named).unwrap_or_default(),
                    },
                )),
            });
        }
        if joiner_party.is_some() {
            return Some(PartyReplyServerPacket {
                reply_code: PartyReplyCode::AlreadyInAnotherParty,
                reply_code_data: Some(PartyReplyServerPacketReplyCodeData::AlreadyInAnotherParty(
                    PartyReplyServerPacketReplyCodeDataAlreadyInAnotherParty {
                        player_name: self.name_of(joiner).unwrap_or_default(),
                    },
                )),
            });
        }
        let full = host_party
            .and_then(|p| parties.parties.get(p))
            .is_some_and(|party| party.members.len() >= parties.max_size);
        full.then_some(PartyReplyServerPacket {
            reply_code: PartyReplyCode::PartyIsFull,
            reply_code_data: None,
        })
    }

    /// Party_Request from `from` to `to`, whom its map found in reach (`hp`: both HP
    /// percentages then).
    fn party_request(&mut self, from: u16, to: u16, kind: PartyRequestType, hp: (u8, u8)) {
        let (Some((host, joiner)), Some(name)) = (roles(kind, from, to), self.name_of(from)) else {
            return;
        };
        if from == to || self.playing_of(to).is_none() {
            return;
        }
        if let Some(reply) = self.refusal(host, joiner, to) {
            self.send_packet(from, &reply);
            return;
        }
        self.parties.hp.insert(from, hp.0);
        self.parties.hp.insert(to, hp.1);
        self.parties.requests.insert(from, Request { to, kind });
        self.send_packet(
            to,
            &PartyRequestServerPacket {
                request_type: kind,
                inviter_player_id: from,
                player_name: name,
            },
        );
    }

    /// Party_Accept by `acceptor` of `inviter`'s request of `kind`.
    fn party_accept(&mut self, acceptor: u16, inviter: u16, kind: PartyRequestType) {
        let asked = Request { to: acceptor, kind };
        if self.parties.requests.get(&inviter) != Some(&asked) {
            return;
        }
        self.parties.requests.remove(&inviter);
        let Some((host, joiner)) = roles(kind, inviter, acceptor) else {
            return;
        };
        if self.playing_of(inviter).is_none() || self.playing_of(acceptor).is_none() {
            return;
        }
        if let Some(reply) = self.refusal(host, joiner, inviter) {
            self.send_packet(acceptor, &reply);
            return;
        }
        self.join(host, joiner);
    }

    /// `joiner` (in no party) joins `host`'s party, made with `host` leading if it has none.
    fn join(&mut self, host: u16, joiner: u16) {
        let existing = self.parties.member_of.get(&host).copied();
        let party = match existing {
            Some(party) => {
                let Some(members) = self.parties.parties.get_mut(&party) else {
                    return;
                };
                members.members.push(joiner);
                party
            }
            None => {
                let party = self.parties.next_id;
                self.parties.next_id = self.parties.next_id.wrapping_add(1).max(1);
                self.parties.parties.insert(
                    party,
                    Party {
                        members: vec![host, joiner],
                    },
                );
                self.parties.member_of.insert(host, party);
                party
            }
        };
        self.parties.member_of.insert(joiner, party);
        let Some(members) = self.party_members(party) else {
            return;
        };
        let created = PartyCreateServerPacket {
            members: members.clone(),
        };
        for member in &members {
            let id = member.player_id;
            if id == joiner || existing.is_none() {
                self.send_packet(id, &created);
            } else if let Some(added) = members.iter().find(|m| m.player_id == joiner) {
                self.send_packet(
                    id,
                    &PartyAddServerPacket {
                        member: added.clone(),
                    },
                );
            }
        }
        self.send_views(party, &[]);
    }

    /// The member list of `party` as Party_Create and Party_List carry it.
    fn party_members(&self, party: u32) -> Option<Vec<PartyMember>> {
        let party = self.parties.parties.get(&party)?;
        let leader = party.leader();
        Some(
            party
                .members
                .iter()
                .filter_map(|id| {
                    let playing = self.playing_of(*id)?;
                    Some(PartyMember {
                        player_id: *id,
                        leader: Some(*id) == leader,
                        level: playing.level,
                        hp_percentage: self.parties.hp.get(id).copied().unwrap_or(100),
                        name: playing.name.clone(),
                    })
                })
                .collect(),
        )
    }

    /// Tells the maps of `party`'s members (and of `also`, characters it just lost) who is in
    /// it now; an ended party is told to them as empty.
    fn send_views(&mut self, party: u32, also: &[u16]) {
        let members: Vec<(u16, crate::player::PlayerHandle)> = self
            .parties
            .parties
            .get(&party)
            .map(|p| {
                p.members
                    .iter()
                    .filter_map(|id| Some((*id, self.connections.get(id)?.player.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let maps: HashSet<u16> = members
            .iter()
            .map(|(id, _)| *id)
            .chain(also.iter().copied())
            .filter_map(|id| Some(self.playing_of(id)?.map))
            .collect();
        for map in maps {
            if let Some(handle) = self.maps.get(&map) {
                self.map_outbox.push((
                    handle.clone(),
                    PartyView {
                        party,
                        members: members.clone(),
                    },
                ));
            }
        }
    }

    /// Party_Remove from `player_id`: itself leaves, or, from the leader, `target` is kicked.
    fn party_remove(&mut self, player_id: u16, target: u16) {
        let Some(party) = self.parties.member_of.get(&player_id).copied() else {
            return;
        };
        let leads = self
            .parties
            .parties
            .get(&party)
            .is_some_and(|p| p.leader() == Some(player_id));
        let same_party = self.parties.member_of.get(&target) == Some(&party);
        if target == player_id || (leads && same_party) {
            self.leave_party(target);
        }
    }

    /// `member` leaves its party: the party disbands if it led or fewer than two remain.
    fn leave_party(&mut self, member: u16) {
        let Some(party) = self.parties.member_of.get(&member).copied() else {
            return;
        };
        let Some(members) = self.parties.parties.get(&party).map(|p| p.members.clone()) else {
            self.parties.member_of.remove(&member);
            return;
        };
        if members.first() == Some(&member) || members.len() <= 2 {
            self.parties.parties.remove(&party);
            for id in &members {
                self.parties.member_of.remove(id);
                self.parties.hp.remove(id);
                self.send_packet(*id, &PartyCloseServerPacket);
            }
            self.send_views(party, &members);
            return;
        }
        if let Some(p) = self.parties.parties.get_mut(&party) {
            p.members.retain(|id| *id != member);
        }
        self.parties.member_of.remove(&member);
        self.parties.hp.remove(&member);
        for id in members.iter().filter(|id| **id != member) {
            self.send_packet(*id, &PartyRemoveServerPacket { player_id: member });
        }
        self.send_packet(member, &PartyCloseServerPacket);
        self.send_views(party, &[member]);
    }

    /// Party_Take: the member list again.
    fn party_list(&self, player_id: u16) {
        let Some(members) = self
            .parties
            .member_of
            .get(&player_id)
            .and_then(|party| self.party_members(*party))
        else {
            return;
        };
        self.send_packet(player_id, &PartyListServerPacket { members });
    }

    /// Talk_Open: party chat, to the other members.
    fn party_chat(&self, player_id: u16, message: String) {
        let Some(party) = self
            .parties
            .member_of
            .get(&player_id)
            .and_then(|party| self.parties.parties.get(party))
        else {
            return;
        };
        let Some(body) = Self::encode(&TalkOpenServerPacket { player_id, message }) else {
            return;
        };
        for id in party.members.iter().filter(|id| **id != player_id) {
            if let Some(connection) = self.connections.get(id) {
                connection.player.send(body.clone());
            }
        }
    }

    /// A member's map told its HP percentage.
    fn party_hp(&mut self, player_id: u16, percent: u8) {
        if self.parties.member_of.contains_key(&player_id) {
            self.parties.hp.insert(player_id, percent);
        }
    }

    /// The character of `player_id` is now on `map` (after a warp): that map is told its
    /// party, if it is in one.
    pub(super) fn party_changed_map(&mut self, player_id: u16, map: u16) {
        let Some(party) = self.parties.member_of.get(&player_id).copied() else {
            return;
        };
        let Some(members) = self.parties.parties.get(&party).map(|p| p.members.clone()) else {
            return;
        };
        let members: Vec<(u16, crate::player::PlayerHandle)> = members
            .iter()
            .filter_map(|id| Some((*id, self.connections.get(id)?.player.clone())))
            .collect();
        if let Some(handle) = self.maps.get(&map) {
            self.map_outbox
                .push((handle.clone(), PartyView { party, members }));
        }
    }

    /// The character of `player_id` leaves the game: its requests go, and it leaves its party.
    pub(super) fn party_left_game(&mut self, player_id: u16) {
        self.parties.requests.remove(&player_id);
        self.parties.requests.retain(|_, r| r.to != player_id);
        self.leave_party(player_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_joins_whom() {
        assert_eq!(roles(PartyRequestType::Invite, 1, 2), Some((1, 2)));
        assert_eq!(roles(PartyRequestType::Join, 1, 2), Some((2, 1)));
        assert_eq!(roles(PartyRequestType::Unrecognized(5), 1, 2), None);
        assert_eq!(
            Party {
                members: vec![4, 2]
            }
            .leader(),
            Some(4)
        );
    }
}
