//! Spells, cast on the map that owns the caster and its targets.
//!
//! A cast takes two packets, as in the official game: the chant (Spell_Request, with the
//! client's timestamp; the others in view see it), then the cast at a target (Spell_TargetSelf,
//! Spell_TargetOther at a player or an NPC, Spell_TargetGroup at the caster's party). The cast
//! does something only if every check holds, and spends the spell's TP only then:
//!
//! - it follows a chant of the same spell (each chant serves one cast attempt), from a caster
//!   that knows the spell and is not dead;
//! - the client's timestamps are `(cast_time - 1) * 47 + 35 <= cast - chant < max(cast_time,
//!   1) * 50` apart (the spell's ESF cast time; EOSERV's and reoserv's window);
//! - `[spells] cooldown_ms` passed since the caster's last cast, by the server's clock;
//! - the caster has the spell's TP, and the target suits the spell (below).
//!
//! What a spell does is its ESF record's: type Heal (target restrict Friendly) heals `hp_heal`
//! (and `tp_heal`) on the caster (target type Self), another player in view (Normal) or every
//! member of the caster's party on the map (Group). Type Attack (target type Normal) hurts an
//! NPC in view (target restrict Npc or Opponent), through `formulas.toml`'s hit rate and
//! `combat.spell_damage` with the caster's damage and accuracy plus the spell's; a kill is a
//! melee kill's (map/combat.rs: the drop, the experience shared by damage and by parties,
//! level-ups). An Opponent spell also hurts players, only where PvP is allowed (as melee).

use std::collections::HashMap;

use eo_protocol::Direction;
use eo_protocol::net::client::{ClientPacket, SpellTargetType};
use eo_protocol::net::server::{
    AvatarAdminServerPacket, CastReplyServerPacket, GroupHealTargetPlayer,
    NpcKillStealProtectionState, RecoverPlayerServerPacket, SitState, SpellRequestServerPacket,
    SpellTargetGroupServerPacket, SpellTargetOtherServerPacket, SpellTargetSelfServerPacket,
};
use eo_protocol::pubs::{EsfRecord, SkillTargetRestrict, SkillTargetType, SkillType};
use tokio::time::Instant;

use super::SEE_DISTANCE;
use super::actor::{MapActor, in_range};
use super::combat::Blow;
use super::pathfinding::distance;
use crate::rules::combat::{Attacker, Target, spell_swing};

/// A chant waiting for its cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chant {
    spell_id: u16,
    /// The client's timestamp on the chant.
    timestamp: u32,
}

/// The chants and cooldowns of the characters on the map.
#[derive(Debug, Default)]
pub(super) struct Casting {
    chants: HashMap<u16, Chant>,
    last_cast: HashMap<u16, Instant>,
}

impl Casting {
    /// The character left the map: its chant and cooldown go with it.
    pub(super) fn forget(&mut self, player_id: u16) {
        self.chants.remove(&player_id);
        self.last_cast.remove(&player_id);
    }
}

/// Whether a cast `elapsed` client timestamp units after its chant fits a spell of `cast_time`:
/// `(cast_time - 1) * 47 + 35 <= elapsed < max(cast_time, 1) * 50`.
fn timely(cast_time: u8, elapsed: u32) -> bool {
    let earliest = ((i64::from(cast_time) - 1) * 47 + 35).max(0);
    let latest = i64::from(cast_time.max(1)) * 50;
    (earliest..latest).contains(&i64::from(elapsed))
}

/// Whom a cast is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aim {
    Caster,
    Player(u16),
    Npc(u8),
    Group,
}

impl MapActor {
    /// A spell packet from the character of `player_id`.
    pub(super) fn spell(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::SpellRequest(chant) => {
                self.chant(player_id, chant.spell_id, chant.timestamp);
            }
            ClientPacket::SpellTargetSelf(cast) => {
                if let (
                    Some(me),
                    Direction::Down | Direction::Left | Direction::Up | Direction::Right,
                ) = (self.characters.get_mut(&player_id), cast.direction)
                {
                    me.info.direction = cast.direction;
                }
                self.cast(player_id, cast.spell_id, cast.timestamp, Aim::Caster);
            }
            ClientPacket::SpellTargetOther(cast) => {
                let aim = match cast.target_type {
                    SpellTargetType::Player => Aim::Player(cast.victim_id),
                    SpellTargetType::Npc => match u8::try_from(cast.victim_id) {
                        Ok(index) => Aim::Npc(index),
                        Err(_) => return,
                    },
                    SpellTargetType::Unrecognized(_) => return,
                };
                self.cast(player_id, cast.spell_id, cast.timestamp, aim);
            }
            ClientPacket::SpellTargetGroup(cast) => {
                self.cast(player_id, cast.spell_id, cast.timestamp, Aim::Group);
            }
            _ => {}
        }
    }

    /// The ESF record of spell `id`.
    fn spell_record(&self, id: u16) -> Option<&EsfRecord> {
        let index = usize::from(id).checked_sub(1)?;
        self.data.spells.data.skills.get(index)
    }

    /// Whether the character knows spell `spell_id`.
    fn knows(&self, player_id: u16, spell_id: u16) -> bool {
        self.characters
            .get(&player_id)
            .is_some_and(|c| c.game.state().spells.iter().any(|(id, _)| *id == spell_id))
    }

    /// Spell_Request: the character starts chanting a spell it knows; the others in view see
    /// it.
    fn chant(&mut self, player_id: u16, spell_id: u16, timestamp: u32) {
        if self.combat.is_dead(player_id)
            || !self.knows(player_id, spell_id)
            || self.spell_record(spell_id).is_none()
        {
            return;
        }
        self.casting.chants.insert(
            player_id,
            Chant {
                spell_id,
                timestamp,
            },
        );
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let at = me.at();
        if let Some(body) = self.encode(&SpellRequestServerPacket {
            player_id,
            spell_id,
        }) {
            self.broadcast(at, player_id, &body);
        }
    }

    /// A cast: its chant, timing, cooldown and TP checked (see the module documentation),
    /// then the spell's work at `aim`. Nothing is spent unless it did something.
    fn cast(&mut self, player_id: u16, spell_id: u16, timestamp: u32, aim: Aim) {
        let Some(chant) = self.casting.chants.remove(&player_id) else {
            return;
        };
        let Some(spell) = self.spell_record(spell_id).cloned() else {
            return;
        };
        let on_time = timestamp
            .checked_sub(chant.timestamp)
            .is_some_and(|elapsed| timely(spell.cast_time, elapsed));
        let cooled = self
            .casting
            .last_cast
            .get(&player_id)
            .is_none_or(|last| last.elapsed() >= self.config.spells.cooldown());
        let enough_tp = self
            .characters
            .get(&player_id)
            .is_some_and(|c| c.game.state().tp >= spell.tp_cost);
        if chant.spell_id != spell_id
            || !on_time
            || !cooled
            || !enough_tp
            || self.combat.is_dead(player_id)
            || !self.knows(player_id, spell_id)
        {
            return;
        }
        let done = match (spell.r#type, aim) {
            (SkillType::Heal, Aim::Caster) => self.heal_self(player_id, spell_id, &spell),
            (SkillType::Heal, Aim::Player(victim)) => {
                self.heal_other(player_id, victim, spell_id, &spell)
            }
            (SkillType::Heal, Aim::Group) => self.heal_group(player_id, spell_id, &spell),
            (SkillType::Attack, Aim::Npc(index)) => {
                self.attack_npc(player_id, index, spell_id, &spell)
            }
            (SkillType::Attack, Aim::Player(victim)) => {
                self.attack_player(player_id, victim, spell_id, &spell)
            }
            _ => false,
        };
        if done {
            self.casting.last_cast.insert(player_id, Instant::now());
            self.quest_event(player_id, super::quests::QuestEvent::UsedSpell(spell_id));
        }
    }

    /// Takes the spell's TP from the caster; its TP left.
    fn spend_tp(&mut self, player_id: u16, spell: &EsfRecord) -> u16 {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return 0;
        };
        let state = me.game.state();
        let (hp, tp) = (state.hp, state.tp.saturating_sub(spell.tp_cost));
        me.game.set_hp_tp(hp, tp);
        me.info.tp = me.game.state().tp;
        me.game.state().tp
    }

    /// Heals a character by the spell's HP and TP; its HP percentage after.
    fn heal_character(&mut self, player_id: u16, spell: &EsfRecord) -> Option<u8> {
        let me = self.characters.get_mut(&player_id)?;
        me.game
            .heal(u32::from(spell.hp_heal), u32::from(spell.tp_heal));
        let state = me.game.state();
        me.info.hp = state.hp;
        me.info.tp = state.tp;
        Some(me.game.hp_percentage())
    }

    /// A Friendly heal with target type Self, cast on the caster: Spell_TargetSelf to it (with
    /// its HP and TP) and to the others in view.
    fn heal_self(&mut self, player_id: u16, spell_id: u16, spell: &EsfRecord) -> bool {
        if spell.target_restrict != SkillTargetRestrict::Friendly
            || spell.target_type != SkillTargetType::SelfTarget
        {
            return false;
        }
        self.spend_tp(player_id, spell);
        let Some(hp_percentage) = self.heal_character(player_id, spell) else {
            return false;
        };
        let Some(me) = self.characters.get(&player_id) else {
            return false;
        };
        let (at, hp, tp) = (me.at(), me.game.state().hp, me.game.state().tp);
        let packet = |hp, tp| SpellTargetSelfServerPacket {
            player_id,
            spell_id,
            spell_heal_hp: u32::from(spell.hp_heal),
            hp_percentage,
            hp,
            tp,
        };
        let to_me = self.encode(&packet(Some(hp), Some(tp)));
        let to_others = self.encode(&packet(None, None));
        self.send_to(player_id, to_me);
        if let Some(body) = to_others {
            self.broadcast(at, player_id, &body);
        }
        true
    }

    /// Whether `victim` can be a target of `player_id`'s spell: on the map, alive, visible
    /// (or the caster itself) and within the see distance.
    fn player_in_reach(&self, player_id: u16, victim: u16) -> bool {
        let (Some(me), Some(them)) = (
            self.characters.get(&player_id),
            self.characters.get(&victim),
        ) else {
            return false;
        };
        !self.combat.is_dead(victim)
            && (victim == player_id || !them.info.invisible)
            && in_range(me.at(), them.at())
    }

    /// A Friendly heal with target type Normal, at a player in view (the caster too):
    /// Spell_TargetOther to those who see the victim (its HP to the victim), Recover_Player
    /// to the caster with its TP (and to the victim when the spell gave TP).
    fn heal_other(
        &mut self,
        player_id: u16,
        victim: u16,
        spell_id: u16,
        spell: &EsfRecord,
    ) -> bool {
        if spell.target_restrict != SkillTargetRestrict::Friendly
            || spell.target_type != SkillTargetType::Normal
            || !self.player_in_reach(player_id, victim)
        {
            return false;
        }
        self.spend_tp(player_id, spell);
        let Some(hp_percentage) = self.heal_character(victim, spell) else {
            return false;
        };
        let Some(them) = self.characters.get(&victim) else {
            return false;
        };
        let (at, hp) = (them.at(), them.game.state().hp);
        let packet = |hp| SpellTargetOtherServerPacket {
            victim_id: victim,
            caster_id: player_id,
            target_type: SpellTargetType::Player,
            spell_id,
            spell_heal_hp: u32::from(spell.hp_heal),
            hp_percentage,
            hp,
        };
        let to_victim = self.encode(&packet(Some(hp)));
        let to_others = self.encode(&packet(None));
        self.send_to(victim, to_victim);
        if let Some(body) = to_others {
            self.broadcast(at, victim, &body);
        }
        self.recover(player_id);
        if victim != player_id && spell.tp_heal > 0 {
            self.recover(victim);
        }
        true
    }

    /// Recover_Player: the character's HP and TP as they are now.
    fn recover(&self, player_id: u16) {
        let Some(c) = self.characters.get(&player_id) else {
            return;
        };
        let state = c.game.state();
        let body = self.encode(&RecoverPlayerServerPacket {
            hp: state.hp,
            tp: state.tp,
        });
        self.send_to(player_id, body);
    }

    /// A Friendly heal with target type Group: every member of the caster's party on the map
    /// (the caster too) is healed; whoever sees a healed member gets Spell_TargetGroup with
    /// the members it sees (the caster with all, and its TP). Without a party it does nothing.
    fn heal_group(&mut self, player_id: u16, spell_id: u16, spell: &EsfRecord) -> bool {
        if spell.target_restrict != SkillTargetRestrict::Friendly
            || spell.target_type != SkillTargetType::Group
        {
            return false;
        }
        let members = self.party_here(player_id);
        if members.is_empty() {
            return false;
        }
        let caster_tp = self.spend_tp(player_id, spell);
        let mut healed = Vec::new();
        for id in members {
            let Some(hp_percentage) = self.heal_character(id, spell) else {
                continue;
            };
            if let Some(c) = self.characters.get(&id) {
                healed.push((
                    c.at(),
                    GroupHealTargetPlayer {
                        player_id: id,
                        hp_percentage,
                        hp: c.game.state().hp,
                    },
                ));
            }
        }
        // Who may see a heal: the caster and those in view of a healed member (from the
        // visibility index), not every character on the map.
        let mut viewers: Vec<u16> = healed
            .iter()
            .flat_map(|(at, _)| self.in_range_of(*at).map(|(id, _)| id))
            .chain([player_id])
            .collect();
        viewers.sort_unstable();
        viewers.dedup();
        for viewer in &viewers {
            let Some(c) = self.characters.get(viewer) else {
                continue;
            };
            let players: Vec<GroupHealTargetPlayer> = healed
                .iter()
                .filter(|(at, _)| *viewer == player_id || in_range(*at, c.at()))
                .map(|(_, target)| target.clone())
                .collect();
            if players.is_empty() {
                continue;
            }
            if let Some(body) = self.encode(&SpellTargetGroupServerPacket {
                spell_id,
                caster_id: player_id,
                caster_tp,
                spell_heal_hp: spell.hp_heal,
                players,
            }) {
                c.player.send(body);
            }
        }
        if spell.tp_heal > 0 {
            for (_, target) in &healed {
                if target.player_id != player_id {
                    self.recover(target.player_id);
                }
            }
        }
        true
    }

    /// The caster's side of an attack spell: its own damage and accuracy with the spell's.
    fn spell_attacker(&self, player_id: u16, spell: &EsfRecord) -> Option<Attacker> {
        let me = self.characters.get(&player_id)?.game.attacker();
        Some(Attacker {
            min_damage: me.min_damage.saturating_add(spell.min_damage),
            max_damage: me.max_damage.saturating_add(spell.max_damage),
            accuracy: me.accuracy.saturating_add(spell.accuracy),
            level: me.level,
        })
    }

    /// An Attack spell at NPC `index` (alive, one that can be fought, in view): the damage
    /// rolled, then either Cast_Reply to those who see it (the caster's TP and the kill-steal
    /// flag to the caster) or the kill.
    fn attack_npc(&mut self, player_id: u16, index: u8, spell_id: u16, spell: &EsfRecord) -> bool {
        if spell.target_restrict == SkillTargetRestrict::Friendly
            || spell.target_type != SkillTargetType::Normal
        {
            return false;
        }
        let (Some(me), Some(npc)) = (self.characters.get(&player_id), self.npcs.alive(index))
        else {
            return false;
        };
        if !npc.attackable() || distance(npc.at, me.tile()) > SEE_DISTANCE {
            return false;
        }
        let (npc_id, npc_at, direction) = (npc.id, npc.at, me.info.direction);
        let (Some(record), Some(attacker)) = (
            self.npcs.record(npc_id),
            self.spell_attacker(player_id, spell),
        ) else {
            return false;
        };
        let target = Target {
            evade: record.evade,
            armor: record.armor,
            sitting: false,
            level: record.level,
        };
        let damage = spell_swing(&self.data.formulas, attacker, target, self.combat.rng()).damage();
        let caster_tp = self.spend_tp(player_id, spell);
        let Some(hurt) = self.npcs.hurt(index, player_id, damage) else {
            return true;
        };
        if hurt.hp == 0 {
            self.kill_npc(
                index,
                player_id,
                direction,
                hurt.taken,
                Blow::Spell { spell_id },
            );
            return true;
        }
        let reply = |caster_tp, kill_steal_protection| CastReplyServerPacket {
            spell_id,
            caster_id: player_id,
            caster_direction: direction,
            npc_index: u16::from(index),
            damage: hurt.taken,
            hp_percentage: hurt.hp_percentage(),
            caster_tp,
            kill_steal_protection,
        };
        let to_caster = self.encode(&reply(
            Some(caster_tp),
            Some(NpcKillStealProtectionState::Unprotected),
        ));
        let to_watchers = self.encode(&reply(None, None));
        // The caster, wherever it stands, and those in view of the NPC (from the visibility
        // index).
        let watchers = self
            .in_range_of((u16::from(npc_at.0), u16::from(npc_at.1)))
            .filter(|(viewer, _)| *viewer != player_id);
        for (_, c) in watchers {
            if let Some(body) = &to_watchers {
                c.player.send(body.clone());
            }
        }
        if let (Some(c), Some(body)) = (self.characters.get(&player_id), to_caster) {
            c.player.send(body);
        }
        true
    }

    /// An Opponent Attack spell at a player in view, only where PvP is allowed (as a melee
    /// blow): Avatar_Admin to those who see the victim, Recover_Player to the victim and the
    /// caster; a victim brought to 0 HP dies as by a blow.
    fn attack_player(
        &mut self,
        player_id: u16,
        victim: u16,
        spell_id: u16,
        spell: &EsfRecord,
    ) -> bool {
        if spell.target_restrict != SkillTargetRestrict::Opponent
            || spell.target_type != SkillTargetType::Normal
            || victim == player_id
            || !self.is_pk()
            || !self.player_in_reach(player_id, victim)
        {
            return false;
        }
        let (Some(attacker), Some(them)) = (
            self.spell_attacker(player_id, spell),
            self.characters.get(&victim),
        ) else {
            return false;
        };
        let target = them.game.target(them.info.sit_state != SitState::Stand);
        let direction = self
            .characters
            .get(&player_id)
            .map_or(Direction::Down, |c| c.info.direction);
        let damage = spell_swing(&self.data.formulas, attacker, target, self.combat.rng()).damage();
        self.spend_tp(player_id, spell);
        let Some(them) = self.characters.get_mut(&victim) else {
            return true;
        };
        let taken = them.game.damage(damage);
        them.info.hp = them.game.state().hp;
        let (dead, at, hp_percentage) = (them.game.is_dead(), them.at(), them.game.hp_percentage());
        if let Some(body) = self.encode(&AvatarAdminServerPacket {
            caster_id: player_id,
            victim_id: victim,
            damage: taken,
            caster_direction: direction,
            hp_percentage,
            victim_died: dead,
            spell_id,
        }) {
            for (_, c) in self.in_range_of(at) {
                c.player.send(body.clone());
            }
        }
        self.recover(player_id);
        if dead {
            self.kill_player(victim);
            self.quest_event(player_id, super::quests::QuestEvent::KilledPlayer);
        } else {
            self.recover(victim);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cast_window_follows_the_cast_time() {
        // Cast time 1: 35 to 49.
        assert!(!timely(1, 34));
        assert!(timely(1, 35) && timely(1, 49));
        assert!(!timely(1, 50));
        // Cast time 3: 129 to 149.
        assert!(!timely(3, 128) && timely(3, 129) && timely(3, 149) && !timely(3, 150));
        // Cast time 0: at once, up to 49.
        assert!(timely(0, 0) && timely(0, 49) && !timely(0, 50));
        assert!(!timely(u8::MAX, u32::MAX));
    }

    #[test]
    fn leaving_forgets_the_chant_and_the_cooldown() {
        let mut casting = Casting::default();
        casting.chants.insert(
            1,
            Chant {
                spell_id: 2,
                timestamp: 3,
            },
        );
        casting.last_cast.insert(1, Instant::now());
        casting.forget(1);
        assert!(casting.chants.is_empty() && casting.last_cast.is_empty());
    }
}
