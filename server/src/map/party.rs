//! A map's view of the parties its characters are in. Parties are the world's (the world
//! actor decides who is in which, see `world/party.rs`); the world tells each map holding a
//! member the party's members with their players' handles whenever they change, and tells the
//! map a member warps onto. The map keeps that view while a member is on it, and uses it for
//! what needs the characters it owns:
//!
//! - HP bars: when a member's HP percentage changes (a blow, a heal, regeneration, death), or
//!   the party changed, every member, on any map, gets Party_Agree with it. The member's player
//!   task is told too (it keeps the world's copy current for the member lists it sends).
//! - Experience: a kill's experience owed to a member is split among the party's members on
//!   this map by `[parties] share_mode` (Party_TargetGroup, Recover_TargetGroup on a level up).
//! - Group heals (map/spells.rs): the party's members on this map.
//!
//! The map never waits on the world: a view that arrives late (a member just warped) is out of
//! date for a moment, and the next one sets it right.

use std::collections::HashMap;

use eo_protocol::net::server::{
    PartyAgreeServerPacket, PartyExpShare, PartyTargetGroupServerPacket,
    RecoverTargetGroupServerPacket,
};

use super::actor::{MapActor, in_range};
use super::character::ExperienceGain;
use crate::player::PlayerHandle;
use crate::rules::party::share_in_party;

/// A party as the world tells a map: its id and every member (with its player's handle), the
/// leader first. No members: the party ended.
#[derive(Debug, Clone)]
pub struct PartyView {
    pub party: u32,
    pub members: Vec<(u16, PlayerHandle)>,
}

/// One party with a member on this map.
struct View {
    members: Vec<(u16, PlayerHandle)>,
    /// The HP percentage last told to the members, for each member on this map.
    told: HashMap<u16, u8>,
}

/// The parties of the characters on the map.
#[derive(Default)]
pub(super) struct Parties {
    /// The party of each character on the map that is in one.
    of: HashMap<u16, u32>,
    /// The parties with a member on the map.
    views: HashMap<u32, View>,
}

impl Parties {
    /// The party of a character on the map, if it is in one.
    pub(super) fn party_of(&self, player_id: u16) -> Option<u32> {
        self.of.get(&player_id).copied()
    }

    /// The members of `party` on this map.
    pub(super) fn members_here(&self, party: u32) -> Vec<u16> {
        let mut here: Vec<u16> = self
            .of
            .iter()
            .filter(|(_, p)| **p == party)
            .map(|(id, _)| *id)
            .collect();
        here.sort_unstable();
        here
    }

    /// A character left the map: its party's view goes with the last member here.
    pub(super) fn left(&mut self, player_id: u16) {
        let Some(party) = self.of.remove(&player_id) else {
            return;
        };
        if !self.of.values().any(|p| *p == party) {
            self.views.remove(&party);
        } else if let Some(view) = self.views.get_mut(&party) {
            view.told.remove(&player_id);
        }
    }

    /// The world's new view of a party; `here` says whether a character is on this map.
    fn set(&mut self, view: PartyView, here: impl Fn(u16) -> bool) {
        let PartyView { party, members } = view;
        self.of.retain(|_, p| *p != party);
        self.views.remove(&party);
        let present: Vec<u16> = members
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| here(*id))
            .collect();
        if present.is_empty() {
            return;
        }
        for id in present {
            self.of.insert(id, party);
        }
        // Nothing told yet: every member here has its HP shown to the (new) party.
        self.views.insert(
            party,
            View {
                members,
                told: HashMap::new(),
            },
        );
    }
}

impl MapActor {
    /// The world's view of a party changed (or a member warped here).
    pub(super) fn party_view(&mut self, view: PartyView) {
        let characters = &self.characters;
        self.parties.set(view, |id| characters.contains_key(&id));
    }

    /// Tells every party member the HP percentage of each member on this map whose percentage
    /// changed since it was last told (after each message and tick of the map).
    pub(super) fn sync_party_hp(&mut self) {
        if self.parties.views.is_empty() {
            return;
        }
        let Parties { of, views } = &mut self.parties;
        for (id, party) in of.iter() {
            let (Some(view), Some(c)) = (views.get_mut(party), self.characters.get(id)) else {
                continue;
            };
            let hp_percentage = c.game.hp_percentage();
            if view.told.get(id) == Some(&hp_percentage) {
                continue;
            }
            view.told.insert(*id, hp_percentage);
            c.player.party_hp(hp_percentage);
            let Ok(body) = crate::net::packet::encode(&PartyAgreeServerPacket {
                player_id: *id,
                hp_percentage,
            }) else {
                continue;
            };
            for (_, member) in &view.members {
                member.send(body.clone());
            }
        }
    }

    /// Party_Request's check: whether `target` is on this map, visible, alive and within the
    /// see distance of `player_id`; if so, both HP percentages (for the party list).
    pub(super) fn reachable(&self, player_id: u16, target: u16) -> Option<(u8, u8)> {
        let me = self.characters.get(&player_id)?;
        let them = self.characters.get(&target)?;
        if target == player_id
            || them.info.invisible
            || self.combat.is_dead(target)
            || !in_range(me.at(), them.at())
        {
            return None;
        }
        Some((me.game.hp_percentage(), them.game.hp_percentage()))
    }

    /// Splits a kill's rewards (`(player id, experience)`, by damage): what a character in a
    /// party earned goes to the party's members on this map (alive), split by `[parties]
    /// share_mode`; the rest stays with whoever earned it. Returns `(direct, party)`, each
    /// player once in either.
    pub(super) fn party_shares(
        &self,
        rewards: Vec<(u16, u32)>,
    ) -> (Vec<(u16, u32)>, HashMap<u16, u32>) {
        let mut direct = Vec::new();
        let mut pools: HashMap<u32, u32> = HashMap::new();
        for (player_id, reward) in rewards {
            match self.parties.party_of(player_id) {
                Some(party) => {
                    let pool = pools.entry(party).or_default();
                    *pool = pool.saturating_add(reward);
                }
                None => direct.push((player_id, reward)),
            }
        }
        let mut shared: HashMap<u16, u32> = HashMap::new();
        for (party, pool) in pools {
            let members: Vec<(u16, u8)> = self
                .parties
                .members_here(party)
                .into_iter()
                .filter(|id| !self.combat.is_dead(*id))
                .filter_map(|id| Some((id, self.characters.get(&id)?.game.state().level)))
                .collect();
            for (id, share) in share_in_party(pool, self.config.parties.share_mode, &members) {
                shared.insert(id, share);
            }
        }
        (direct, shared)
    }

    /// Gives each party member its share of a kill: Party_TargetGroup with what it gained and
    /// its new level, Recover_TargetGroup with its new stats on a level up, and the level-up
    /// effect its neighbours see.
    pub(super) fn give_party_shares(&mut self, shares: &HashMap<u16, u32>) {
        let data = std::sync::Arc::clone(&self.data);
        let mut levelled = Vec::new();
        for (id, share) in shares {
            let Some(c) = self.characters.get_mut(id) else {
                continue;
            };
            let before = c.game.state().experience;
            let gain: ExperienceGain = c.game.gain_experience(*share, &data);
            c.game.sync_info(&mut c.info, &data);
            let gained = gain.experience.saturating_sub(before);
            let packet = PartyTargetGroupServerPacket {
                gains: vec![PartyExpShare {
                    player_id: *id,
                    experience: gained,
                    level_up: gain.level_up.unwrap_or(0),
                }],
            };
            if let Ok(body) = crate::net::packet::encode(&packet) {
                c.player.send(body);
            }
            if gain.level_up.is_some() {
                if let Ok(body) = crate::net::packet::encode(&RecoverTargetGroupServerPacket {
                    stat_points: gain.stat_points,
                    skill_points: gain.skill_points,
                    max_hp: gain.max_hp,
                    max_tp: gain.max_tp,
                    max_sp: gain.max_sp,
                }) {
                    c.player.send(body);
                }
                levelled.push(*id);
            }
        }
        for id in levelled {
            self.show_level_up(id);
        }
    }

    /// The members of the caster's party on this map, alive (for a group heal); empty if it
    /// is in none.
    pub(super) fn party_here(&self, player_id: u16) -> Vec<u16> {
        let Some(party) = self.parties.party_of(player_id) else {
            return Vec::new();
        };
        self.parties
            .members_here(party)
            .into_iter()
            .filter(|id| !self.combat.is_dead(*id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle() -> PlayerHandle {
        PlayerHandle::new().0
    }

    #[test]
    fn a_view_is_kept_while_a_member_is_here() {
        let mut parties = Parties::default();
        let here = |id: u16| id == 1 || id == 2;
        parties.set(
            PartyView {
                party: 7,
                members: vec![(1, handle()), (2, handle()), (3, handle())],
            },
            here,
        );
        assert_eq!(parties.members_here(7), [1, 2]);
        assert_eq!(parties.party_of(3), None, "not on this map");
        parties.left(1);
        assert_eq!(parties.members_here(7), [2]);
        parties.left(2);
        assert!(parties.views.is_empty(), "the last member here took it");
        // A view of a party with nobody here is not kept.
        parties.set(
            PartyView {
                party: 8,
                members: vec![(3, handle()), (4, handle())],
            },
            here,
        );
        assert!(parties.views.is_empty() && parties.of.is_empty());
    }

    #[test]
    fn a_new_view_replaces_the_old_and_an_empty_one_ends_the_party() {
        let mut parties = Parties::default();
        let here = |_| true;
        parties.set(
            PartyView {
                party: 7,
                members: vec![(1, handle()), (2, handle()), (3, handle())],
            },
            here,
        );
        // 3 was removed.
        parties.set(
            PartyView {
                party: 7,
                members: vec![(1, handle()), (2, handle())],
            },
            here,
        );
        assert_eq!(parties.party_of(3), None);
        assert_eq!(parties.members_here(7), [1, 2]);
        parties.set(
            PartyView {
                party: 7,
                members: Vec::new(),
            },
            here,
        );
        assert_eq!(parties.party_of(1), None);
        assert!(parties.views.is_empty());
    }
}
