//! What each EO+ rule that tests the character's state finds (the event rules are matched as
//! their events happen: mod.rs).

use super::{progress_of, today};
use crate::map::actor::{MapActor, OnMap};
use crate::quest::{Rule, Stat};

/// A stat of the character, as quest rules and `StatRpn` name them.
pub(super) fn stat_value(me: &OnMap, map: u16, stat: Stat) -> i64 {
    let state = me.game.state();
    let derived = me.game.derived();
    let (x, y) = me.tile();
    match stat {
        Stat::Level => i64::from(state.level),
        Stat::Experience => i64::from(state.experience),
        Stat::Str => i64::from(state.base.str),
        Stat::Int => i64::from(state.base.intl),
        Stat::Wis => i64::from(state.base.wis),
        Stat::Agi => i64::from(state.base.agi),
        Stat::Con => i64::from(state.base.con),
        Stat::Cha => i64::from(state.base.cha),
        Stat::StatPoints => i64::from(state.stat_points),
        Stat::SkillPoints => i64::from(state.skill_points),
        Stat::Karma => i64::from(state.karma),
        Stat::Class => i64::from(state.class),
        Stat::Gender => i64::from(state.gender),
        Stat::Race => i64::from(state.race),
        Stat::HairStyle => i64::from(state.hair_style),
        Stat::HairColor => i64::from(state.hair_color),
        Stat::Hp => i64::from(state.hp),
        Stat::MaxHp => i64::from(derived.max_hp),
        Stat::Tp => i64::from(state.tp),
        Stat::MaxTp => i64::from(derived.max_tp),
        Stat::Admin => i64::from(me.record.admin_level),
        Stat::Weight => i64::from(me.game.weight()),
        Stat::MaxWeight => i64::from(derived.max_weight),
        Stat::Map => i64::from(map),
        Stat::X => i64::from(x),
        Stat::Y => i64::from(y),
        Stat::GoldBank => i64::from(state.gold_bank),
        Stat::Usage => i64::from(me.record.usage),
    }
}

impl MapActor {
    /// Whether `rule` of quest `quest_id` holds for the character now. Event rules never hold
    /// here: they fire with their event.
    pub(super) fn rule_holds(&self, player_id: u16, quest_id: u16, rule: &Rule) -> bool {
        let Some(me) = self.characters.get(&player_id) else {
            return false;
        };
        let state = me.game.state();
        let stat = |s: Stat| stat_value(me, self.id, s);
        let progress = progress_of(&state.quests, quest_id);
        let (x, y) = me.tile();
        let here = |map: u16, tx: u8, ty: u8| self.id == map && (x, y) == (tx, ty);
        match rule {
            Rule::Always => true,
            Rule::GotItems { item, amount } => state.amount_of(*item) >= *amount,
            Rule::LostItems { item, amount } => state.amount_of(*item) < *amount,
            Rule::IsWearing(item) => *item != 0 && state.equipment.to_array().contains(item),
            Rule::GotSpell { spell, level } => {
                state.spells.iter().any(|(s, l)| s == spell && l >= level)
            }
            Rule::LostSpell(spell) => !state.spells.iter().any(|(s, _)| s == spell),
            Rule::EnterMap(map) => self.id == *map,
            Rule::LeaveMap(map) => self.id != *map,
            Rule::EnterCoord { map, x, y } => here(*map, *x, *y),
            Rule::LeaveCoord { map, x, y } => !here(*map, *x, *y),
            Rule::IsGender(g) => state.gender == *g,
            Rule::IsClass(c) => state.class == *c,
            Rule::IsRace(r) => state.race == *r,
            Rule::CitizenOf(home) => state.home.eq_ignore_ascii_case(home),
            Rule::StatIs { stat: s, value } => stat(*s) == *value,
            Rule::StatNot { stat: s, value } => stat(*s) != *value,
            Rule::StatGreater { stat: s, value } => stat(*s) > *value,
            Rule::StatLess { stat: s, value } => stat(*s) < *value,
            Rule::StatBetween { stat: s, low, high } => (*low..=*high).contains(&stat(*s)),
            Rule::StatRpn(expression) => {
                crate::quest::rpn::eval(expression, &stat).is_ok_and(|v| v != 0.0)
            }
            Rule::Rolled { low, high } => {
                progress.is_some_and(|p| (*low..=*high).contains(&p.roll))
            }
            Rule::DoneDaily(times) => {
                progress.is_some_and(|p| p.daily_day == today() && p.daily_count >= *times)
            }
            Rule::TalkedToNpc(_)
            | Rule::InputNpc(_)
            | Rule::KilledNpcs { .. }
            | Rule::KilledPlayers(_)
            | Rule::UsedItem { .. }
            | Rule::EquippedItem(_)
            | Rule::UnequippedItem(_)
            | Rule::UsedSpell { .. } => false,
        }
    }
}
