//! Skill masters (ENF type Trainer; the records are in `data/skill_masters.rs`):
//! StatSkill_Open lists the spells a master teaches; StatSkill_Take learns one, StatSkill_Remove
//! forgets one, StatSkill_Junk resets the character's stats and spells. (StatSkill_Add, which
//! spends points, is in map/items.rs.)
//!
//! Every packet after StatSkill_Open must echo its session, with the NPC still there and
//! within reach, and the master's own level and class limits still met; anything else changes
//! nothing. A wrong class is told with StatSkill_Reply WrongClass and the class needed; a
//! reset while anything is worn with StatSkill_Reply RemoveItems, as the official server does.
//! Other refusals are silent: the client checks them before it asks.

use std::sync::Arc;

use eo_protocol::net::client::{
    ClientPacket, StatSkillJunkClientPacket, StatSkillOpenClientPacket,
    StatSkillRemoveClientPacket, StatSkillTakeClientPacket,
};
use eo_protocol::net::server::{
    CharacterStatsReset, SkillLearn, SkillMasterReply, SkillStatRequirements,
    StatSkillJunkServerPacket, StatSkillOpenServerPacket, StatSkillRemoveServerPacket,
    StatSkillReplyServerPacket, StatSkillReplyServerPacketReplyCodeData,
    StatSkillReplyServerPacketReplyCodeDataWrongClass, StatSkillTakeServerPacket,
};
use eo_protocol::pubs::server::SkillMasterSkillRecord;

use super::actor::MapActor;
use super::character::GameState;
use super::services::Service;
use crate::data::{GOLD, skill_master_serves};
use crate::rules::stats::{BaseStats, DerivedStats};

/// The level of a spell just learned: skill points raise it (EOSERV's; reoserv starts at 1).
const LEARNED_LEVEL: u16 = 0;

impl MapActor {
    /// StatSkill_Open, StatSkill_Take, StatSkill_Remove and StatSkill_Junk.
    pub(super) fn skill_master(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::StatSkillOpen(open) => self.skill_master_open(player_id, &open),
            ClientPacket::StatSkillTake(take) => self.learn_spell(player_id, &take),
            ClientPacket::StatSkillRemove(remove) => self.forget_spell(player_id, &remove),
            ClientPacket::StatSkillJunk(junk) => self.reset_character(player_id, &junk),
            _ => {}
        }
    }

    /// The behavior id of the skill master the character has open with `session`, if the
    /// master exists and serves the character as it is now (its level and class).
    fn open_master(&self, player_id: u16, session: Option<u32>) -> Option<u16> {
        let opened = self.open_service(player_id, Service::SkillMaster, session)?;
        let master = self.data.skill_masters.get(opened.behavior_id)?;
        let state = self.characters.get(&player_id)?.game.state();
        (skill_master_serves(master, state.level)
            && (master.class_requirement == 0 || master.class_requirement == state.class))
            .then_some(opened.behavior_id)
    }

    fn skill_master_open(&mut self, player_id: u16, open: &StatSkillOpenClientPacket) {
        let Ok(npc_index) = u8::try_from(open.npc_index) else {
            return;
        };
        let Some(opened) = self.start_service(player_id, npc_index, Service::SkillMaster) else {
            return;
        };
        let data = Arc::clone(&self.data);
        let (Some(master), Some(me)) = (
            data.skill_masters.get(opened.behavior_id),
            self.characters.get(&player_id),
        ) else {
            self.end_service(player_id);
            return;
        };
        let (level, class) = (me.game.state().level, me.game.state().class);
        if !skill_master_serves(master, level) {
            self.end_service(player_id);
            return;
        }
        if master.class_requirement != 0 && master.class_requirement != class {
            self.end_service(player_id);
            self.wrong_class(player_id, master.class_requirement);
            return;
        }
        let body = self.encode(&StatSkillOpenServerPacket {
            session_id: opened.session,
            shop_name: master.name.clone(),
            skills: master.skills.iter().map(skill_learn).collect(),
        });
        self.send_to(player_id, body);
    }

    /// StatSkill_Reply WrongClass: the spell or master is for the class `needed`.
    fn wrong_class(&self, player_id: u16, needed: u8) {
        let body = self.encode(&StatSkillReplyServerPacket {
            reply_code: SkillMasterReply::WrongClass,
            reply_code_data: Some(StatSkillReplyServerPacketReplyCodeData::WrongClass(
                StatSkillReplyServerPacketReplyCodeDataWrongClass { class_id: needed },
            )),
        });
        self.send_to(player_id, body);
    }

    /// Learns a spell the open master teaches, if the character does not know it yet (a
    /// spell known costs nothing again), meets its level, class, stat and spell requirements,
    /// has room for one more spell (`skill_masters.max_spells`) and can pay.
    fn learn_spell(&mut self, player_id: u16, take: &StatSkillTakeClientPacket) {
        let spell_id = take.spell_id;
        let data = Arc::clone(&self.data);
        let Some(skill) = self
            .open_master(player_id, Some(take.session_id))
            .and_then(|behavior_id| data.skill_masters.get(behavior_id))
            .and_then(|master| master.skills.iter().find(|s| s.skill_id == spell_id))
        else {
            return;
        };
        let max_spells = usize::from(self.config.skill_masters.max_spells);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let state = me.game.state();
        if skill.class_requirement != 0 && skill.class_requirement != state.class {
            self.wrong_class(player_id, skill.class_requirement);
            return;
        }
        if !may_learn(skill, state, me.game.derived(), max_spells) {
            return;
        }
        // The gold first: a panic before the spell is added loses the gold, never the rule.
        if skill.price > 0 && me.game.remove_item(GOLD, skill.price, &data) != skill.price {
            return;
        }
        me.game.update(&data, |state| {
            state.spells.push((spell_id, LEARNED_LEVEL));
        });
        let reply = StatSkillTakeServerPacket {
            spell_id,
            gold_amount: me.game.amount_of(GOLD),
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
    }

    /// Forgets a spell the character knows (the skill points spent on it are gone with it).
    fn forget_spell(&mut self, player_id: u16, remove: &StatSkillRemoveClientPacket) {
        let spell_id = remove.spell_id;
        if self
            .open_master(player_id, Some(remove.session_id))
            .is_none()
        {
            return;
        }
        let data = Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if !me.game.state().spells.iter().any(|(id, _)| *id == spell_id) {
            return;
        }
        me.game.update(&data, |state| {
            state.spells.retain(|(id, _)| *id != spell_id);
        });
        let body = self.encode(&StatSkillRemoveServerPacket { spell_id });
        self.send_to(player_id, body);
    }

    /// Resets the character's stats and spells: the six stats to 0, every spell forgotten,
    /// and the stat and skill points its level has earned to spend again. Refused with
    /// StatSkill_Reply RemoveItems while anything is worn.
    fn reset_character(&mut self, player_id: u16, junk: &StatSkillJunkClientPacket) {
        if self.open_master(player_id, Some(junk.session_id)).is_none() {
            return;
        }
        let data = Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if me
            .game
            .state()
            .equipment
            .to_array()
            .iter()
            .any(|id| *id != 0)
        {
            let body = self.encode(&StatSkillReplyServerPacket {
                reply_code: SkillMasterReply::RemoveItems,
                reply_code_data: None,
            });
            self.send_to(player_id, body);
            return;
        }
        let rules = &data.formulas.experience;
        let level = u16::from(me.game.state().level);
        me.game.update(&data, |state| {
            state.base = BaseStats::default();
            state.spells.clear();
            state.stat_points = level.saturating_mul(rules.stat_points_per_level);
            state.skill_points = level.saturating_mul(rules.skill_points_per_level);
        });
        me.game.sync_info(&mut me.info, &data);
        let state = me.game.state();
        let derived = me.game.derived();
        let reply = StatSkillJunkServerPacket {
            stats: CharacterStatsReset {
                stat_points: state.stat_points,
                skill_points: state.skill_points,
                hp: state.hp,
                max_hp: derived.max_hp,
                tp: state.tp,
                max_tp: derived.max_tp,
                max_sp: derived.max_sp,
                base: me.game.stats_update().base_stats,
                secondary: me.game.secondary_stats(),
            },
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
    }
}

/// A skill as StatSkill_Open lists it (the stats in the packet's order: str, wis, int, ...).
fn skill_learn(skill: &SkillMasterSkillRecord) -> SkillLearn {
    SkillLearn {
        id: skill.skill_id,
        level_requirement: skill.level_requirement,
        class_requirement: skill.class_requirement,
        cost: skill.price,
        skill_requirements: skill.skill_requirements,
        stat_requirements: SkillStatRequirements {
            str: skill.str_requirement,
            wis: skill.wis_requirement,
            intl: skill.int_requirement,
            agi: skill.agi_requirement,
            con: skill.con_requirement,
            cha: skill.cha_requirement,
        },
    }
}

/// Whether a character may learn `skill` (its class is checked apart): it does not know the
/// spell yet, has the level, the stats (with its class's and equipment's bonuses), every
/// spell required, room for one more, and the gold.
fn may_learn(
    skill: &SkillMasterSkillRecord,
    state: &GameState,
    derived: &DerivedStats,
    max_spells: usize,
) -> bool {
    let knows = |id: u16| state.spells.iter().any(|(known, _)| *known == id);
    let s = derived.stats;
    let stats = [
        (s.str, skill.str_requirement),
        (s.intl, skill.int_requirement),
        (s.wis, skill.wis_requirement),
        (s.agi, skill.agi_requirement),
        (s.con, skill.con_requirement),
        (s.cha, skill.cha_requirement),
    ];
    !knows(skill.skill_id)
        && state.level >= skill.level_requirement
        && stats.iter().all(|(have, need)| have >= need)
        && skill
            .skill_requirements
            .iter()
            .all(|id| *id == 0 || knows(*id))
        && state.spells.len() < max_spells
        && state.amount_of(GOLD) >= skill.price
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill() -> SkillMasterSkillRecord {
        SkillMasterSkillRecord {
            skill_id: 2,
            level_requirement: 3,
            price: 100,
            skill_requirements: [1, 0, 0, 0],
            int_requirement: 4,
            ..SkillMasterSkillRecord::default()
        }
    }

    fn ready() -> (GameState, DerivedStats) {
        let state = GameState {
            level: 3,
            spells: vec![(1, 0)],
            inventory: vec![(GOLD, 100)],
            ..GameState::default()
        };
        let mut derived = DerivedStats::default();
        derived.stats.intl = 4;
        (state, derived)
    }

    #[test]
    fn every_requirement_counts_and_a_known_spell_is_not_learned_again() {
        let (state, derived) = ready();
        assert!(may_learn(&skill(), &state, &derived, 48));
        let mut low = state.clone();
        low.level = 2;
        assert!(!may_learn(&skill(), &low, &derived, 48));
        let mut dull = derived;
        dull.stats.intl = 3;
        assert!(!may_learn(&skill(), &state, &dull, 48));
        let mut unprepared = state.clone();
        unprepared.spells.clear();
        assert!(!may_learn(&skill(), &unprepared, &derived, 48));
        let mut poor = state.clone();
        poor.inventory = vec![(GOLD, 99)];
        assert!(!may_learn(&skill(), &poor, &derived, 48));
        assert!(!may_learn(&skill(), &state, &derived, 1), "no room");
        let mut known = state.clone();
        known.spells.push((2, 0));
        assert!(!may_learn(&skill(), &known, &derived, 48));
    }

    #[test]
    fn the_list_sends_the_stats_in_the_packets_order() {
        let learn = skill_learn(&SkillMasterSkillRecord {
            wis_requirement: 7,
            int_requirement: 8,
            ..skill()
        });
        assert_eq!(
            (learn.stat_requirements.wis, learn.stat_requirements.intl),
            (7, 8)
        );
        assert_eq!(
            (learn.id, learn.cost, learn.skill_requirements),
            (2, 100, [1, 0, 0, 0])
        );
    }
}
