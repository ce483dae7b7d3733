//! The game state of a character on a map: HP/TP, experience and level, stats and points,
//! inventory and equipment, and what the formulas derive from them. The map actor owns it
//! (one [`CharacterGame`] per character on the map) and every rule that changes it runs there,
//! so two players racing for one pile, or a hit and a kill, are decided by one owner.
//!
//! # How to use it (for map-side code such as combat)
//!
//! Each character on the map has a `CharacterGame` (`self.characters[&id].game` in the map
//! actor). Its methods keep the derived stats current; none of them sends a packet, so the
//! caller puts what changed into the packets it broadcasts (once per event):
//!
//! - [`CharacterGame::attacker`] and [`CharacterGame::target`]: the combat stats to pass to
//!   [`crate::rules::combat::swing`].
//! - [`CharacterGame::damage`] takes HP (never below 0) and returns what it took;
//!   [`CharacterGame::is_dead`]; [`CharacterGame::heal`] gives HP and TP back (never past the
//!   maxima) and returns what it gave; [`CharacterGame::hp_percentage`] for HP bars.
//! - [`CharacterGame::gain_experience`] adds experience, handles level ups (stat and skill
//!   points, new maxima) and returns an [`ExperienceGain`] with everything the client needs
//!   (Recover_Reply, Npc_Spec/Npc_Accept, Item_Reply). A level up should also be shown to the
//!   neighbours: `MapActor::show_level_up` in `map/items.rs`.
//! - [`CharacterGame::derived`] has max HP/TP/SP, max weight, damage, accuracy, evade, armour.
//!
//! The player task gets the state back with [`GameState`] when the character leaves the map
//! (logout, warp) or is saved (`MapHandle::snapshot`).

use eo_protocol::net::Weight;
use eo_protocol::net::server::{
    CharacterBaseStats, CharacterMapInfo, CharacterSecondaryStats, CharacterStatsEquipmentChange,
    CharacterStatsUpdate, EquipmentChange, EquipmentMapInfo,
};

use crate::data::GameData;
use crate::db::{Character, Equipment};
use crate::rules::experience::{self, Progress};
use crate::rules::formulas::PROTOCOL_MAX_WEIGHT;
use crate::rules::stats::{self, BaseStats, DerivedStats};
use crate::rules::{Attacker, Target};

/// The part of a character the map owns while it is on it; it moves with the character from
/// map to map and back to the player task for saving.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GameState {
    pub class: u8,
    pub gender: u8,
    pub hair_style: u8,
    pub hair_color: u8,
    pub level: u8,
    pub experience: u32,
    pub hp: u16,
    pub tp: u16,
    pub base: BaseStats,
    pub stat_points: u16,
    pub skill_points: u16,
    pub karma: u16,
    /// `(item id, amount)`, each id once, amounts 1 or more.
    pub inventory: Vec<(u16, u32)>,
    pub equipment: Equipment,
    /// Gold in the bank.
    pub gold_bank: u32,
    /// Locker upgrades bought.
    pub bank_level: u8,
    /// The locker: `(item id, amount)`, as the inventory.
    pub locker: Vec<(u16, u32)>,
    /// `(spell id, level)`: skill points raise the levels.
    pub spells: Vec<(u16, u16)>,
    /// Hidden by `$hide`: it stays hidden over warps and logins (EOSERV stores it too).
    pub hidden: bool,
    /// The name of the inn the character is a citizen of ("" for none): where it respawns
    /// (map/inns.rs).
    pub home: String,
    /// Where it is in each EO+ quest it started (map/quests/).
    pub quests: Vec<crate::db::QuestProgress>,
    /// The title others see in its paperdoll (quests may set it).
    pub title: String,
    pub race: u8,
    /// The name of the character this one is approved to marry ("" for none), and of its
    /// partner (map/marriage.rs).
    pub fiance: String,
    pub partner: String,
    /// Cosmetic clothes (`$dress`): shown to others, never saved (`Character::dressed`).
    pub dressed: crate::rules::look::Dressed,
}

impl GameState {
    /// The game state of a saved character.
    pub fn of(c: &Character) -> GameState {
        GameState {
            class: c.class,
            gender: c.gender,
            hair_style: c.hair_style,
            hair_color: c.hair_color,
            level: c.level,
            experience: c.experience,
            hp: c.hp,
            tp: c.tp,
            base: BaseStats {
                str: c.str,
                intl: c.intl,
                wis: c.wis,
                agi: c.agi,
                con: c.con,
                cha: c.cha,
            },
            stat_points: c.stat_points,
            skill_points: c.skill_points,
            karma: c.karma,
            inventory: c.inventory.clone(),
            equipment: c.equipment,
            gold_bank: c.gold_bank,
            bank_level: c.bank_level,
            locker: c.bank.clone(),
            spells: c.spells.clone(),
            hidden: c.hidden,
            home: c.home.clone(),
            quests: c.quests.clone(),
            title: c.title.clone(),
            race: c.race,
            fiance: c.fiance.clone(),
            partner: c.partner.clone(),
            dressed: c.dressed,
        }
    }

    /// Writes this state into the character to save.
    pub fn apply_to(&self, c: &mut Character) {
        c.class = self.class;
        c.gender = self.gender;
        c.hair_style = self.hair_style;
        c.hair_color = self.hair_color;
        c.level = self.level;
        c.experience = self.experience;
        c.hp = self.hp;
        c.tp = self.tp;
        c.str = self.base.str;
        c.intl = self.base.intl;
        c.wis = self.base.wis;
        c.agi = self.base.agi;
        c.con = self.base.con;
        c.cha = self.base.cha;
        c.stat_points = self.stat_points;
        c.skill_points = self.skill_points;
        c.karma = self.karma;
        c.inventory = self.inventory.clone();
        c.equipment = self.equipment;
        c.gold_bank = self.gold_bank;
        c.bank_level = self.bank_level;
        c.bank = self.locker.clone();
        c.spells = self.spells.clone();
        c.hidden = self.hidden;
        c.home = self.home.clone();
        c.quests = self.quests.clone();
        c.title = self.title.clone();
        c.race = self.race;
        // One fact, two columns (EOSERV's `race`, reoserv's `skin`): what others see is it.
        c.skin = self.race;
        c.fiance = self.fiance.clone();
        c.partner = self.partner.clone();
        c.dressed = self.dressed;
    }

    /// What the formulas derive from this state.
    pub fn derive(&self, data: &GameData) -> DerivedStats {
        stats::derive(
            &data.formulas,
            &data.items.data,
            &data.classes.data,
            self.class,
            self.level,
            self.base,
            &self.equipment,
        )
    }

    /// What the character carries and wears.
    pub fn weight(&self, data: &GameData) -> u32 {
        stats::weight(&data.items.data, &self.inventory, &self.equipment)
    }

    /// How many of `id` the character has.
    pub fn amount_of(&self, id: u16) -> u32 {
        self.inventory
            .iter()
            .find(|(item, _)| *item == id)
            .map_or(0, |(_, amount)| *amount)
    }
}

/// The graphic others see for the item worn in a slot (its doll graphic), 0 for none.
fn doll_graphic(data: &GameData, id: u16) -> u16 {
    stats::item(&data.items.data, id).map_or(0, |r| u16::try_from(r.spec1).unwrap_or(0))
}

/// The visible equipment as graphics, as Avatar_Agree and the nearby lists carry it.
pub fn equipment_change(data: &GameData, e: &Equipment) -> EquipmentChange {
    EquipmentChange {
        boots: doll_graphic(data, e.boots),
        armor: doll_graphic(data, e.armor),
        hat: doll_graphic(data, e.hat),
        weapon: doll_graphic(data, e.weapon),
        shield: doll_graphic(data, e.shield),
    }
}

/// What a level up (or an experience gain without one) changed, for the client's packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExperienceGain {
    /// The total experience now.
    pub experience: u32,
    /// The new level if the character levelled up.
    pub level_up: Option<u8>,
    pub stat_points: u16,
    pub skill_points: u16,
    pub max_hp: u16,
    pub max_tp: u16,
    pub max_sp: u16,
}

/// One character's game state on a map, with its derived stats kept current.
#[derive(Clone, Debug)]
pub struct CharacterGame {
    state: GameState,
    derived: DerivedStats,
    weight: u32,
}

impl CharacterGame {
    /// Takes over a character's state; HP and TP are cut to the maxima.
    pub fn new(state: GameState, data: &GameData) -> Self {
        let mut game = CharacterGame {
            derived: DerivedStats::default(),
            weight: 0,
            state,
        };
        game.recompute(data);
        game
    }

    /// The state as it is now.
    pub fn state(&self) -> &GameState {
        &self.state
    }

    /// Gives the state back (the character leaves the map).
    pub fn into_state(self) -> GameState {
        self.state
    }

    pub fn derived(&self) -> &DerivedStats {
        &self.derived
    }

    /// What the character carries and wears now.
    pub fn weight(&self) -> u32 {
        self.weight
    }

    /// Current and maximum weight as the protocol sends them.
    pub fn weight_packet(&self) -> Weight {
        Weight {
            current: u8::try_from(self.weight)
                .unwrap_or(PROTOCOL_MAX_WEIGHT)
                .min(PROTOCOL_MAX_WEIGHT),
            max: self.derived.max_weight,
        }
    }

    /// Whether it carries more than it may (then it cannot walk).
    pub fn overweight(&self) -> bool {
        self.weight > u32::from(self.derived.max_weight)
    }

    /// Recomputes the derived stats and weight after the state changed.
    pub fn recompute(&mut self, data: &GameData) {
        self.derived = self.state.derive(data);
        self.weight = self.state.weight(data);
        self.state.hp = self.state.hp.min(self.derived.max_hp);
        self.state.tp = self.state.tp.min(self.derived.max_tp);
    }

    /// The attacker's side of an attack by this character.
    pub fn attacker(&self) -> Attacker {
        Attacker {
            min_damage: self.derived.min_damage,
            max_damage: self.derived.max_damage,
            accuracy: self.derived.accuracy,
            level: self.state.level,
        }
    }

    /// This character as the target of an attack.
    pub fn target(&self, sitting: bool) -> Target {
        Target {
            evade: self.derived.evade,
            armor: self.derived.armor,
            sitting,
            level: self.state.level,
        }
    }

    /// Takes up to `amount` HP; returns how much it took.
    pub fn damage(&mut self, amount: u32) -> u32 {
        let taken = amount.min(u32::from(self.state.hp));
        self.state.hp = self.state.hp.saturating_sub(taken as u16); // ok: taken <= hp
        taken
    }

    pub fn is_dead(&self) -> bool {
        self.state.hp == 0
    }

    /// Gives back up to `hp` and `tp`, never past the maxima; returns what it gave.
    pub fn heal(&mut self, hp: u32, tp: u32) -> (u16, u16) {
        let room_hp = self.derived.max_hp.saturating_sub(self.state.hp);
        let room_tp = self.derived.max_tp.saturating_sub(self.state.tp);
        let gained_hp = u16::try_from(hp).unwrap_or(u16::MAX).min(room_hp);
        let gained_tp = u16::try_from(tp).unwrap_or(u16::MAX).min(room_tp);
        self.state.hp += gained_hp;
        self.state.tp += gained_tp;
        (gained_hp, gained_tp)
    }

    /// Sets HP and TP (e.g. after death), within the maxima.
    pub fn set_hp_tp(&mut self, hp: u16, tp: u16) {
        self.state.hp = hp.min(self.derived.max_hp);
        self.state.tp = tp.min(self.derived.max_tp);
    }

    /// HP as a percentage of the maximum (for HP bars).
    pub fn hp_percentage(&self) -> u8 {
        let max = u32::from(self.derived.max_hp.max(1));
        (u32::from(self.state.hp) * 100 / max).min(100) as u8 // ok: at most 100
    }

    /// Adds experience; on a level up adds the level's stat and skill points and recomputes
    /// the maxima.
    pub fn gain_experience(&mut self, amount: u32, data: &GameData) -> ExperienceGain {
        let before = Progress {
            experience: self.state.experience,
            level: self.state.level,
            stat_points: self.state.stat_points,
            skill_points: self.state.skill_points,
        };
        let (after, levels) = experience::gain(&data.formulas.experience, before, amount);
        self.state.experience = after.experience;
        self.state.level = after.level;
        self.state.stat_points = after.stat_points;
        self.state.skill_points = after.skill_points;
        if levels > 0 {
            self.recompute(data);
        }
        ExperienceGain {
            experience: after.experience,
            level_up: (levels > 0).then_some(after.level),
            stat_points: after.stat_points,
            skill_points: after.skill_points,
            max_hp: self.derived.max_hp,
            max_tp: self.derived.max_tp,
            max_sp: self.derived.max_sp,
        }
    }

    /// How many of `id` the character has.
    pub fn amount_of(&self, id: u16) -> u32 {
        self.state.amount_of(id)
    }

    /// How many of `amount` of item `id` it can take: within the weight limit (unless
    /// `ignore_weight`) and so that its stack stays at most `max_amount`.
    pub fn can_take(
        &self,
        id: u16,
        amount: u32,
        max_amount: u32,
        ignore_weight: bool,
        data: &GameData,
    ) -> u32 {
        let Some(record) = stats::item(&data.items.data, id) else {
            return 0;
        };
        let room = max_amount.saturating_sub(self.amount_of(id));
        let mut can = amount.min(room);
        if !ignore_weight && record.weight > 0 {
            let free = u32::from(self.derived.max_weight).saturating_sub(self.weight);
            can = can.min(free / u32::from(record.weight));
        }
        can
    }

    /// Adds `amount` of item `id` (checked: the stack never passes `u32::MAX`); returns how
    /// many were added. The caller checks [`CharacterGame::can_take`] first.
    pub fn add_item(&mut self, id: u16, amount: u32, data: &GameData) -> u32 {
        if amount == 0 || id == 0 {
            return 0;
        }
        let added = match self
            .state
            .inventory
            .iter_mut()
            .find(|(item, _)| *item == id)
        {
            Some((_, have)) => {
                let added = amount.min(u32::MAX - *have);
                *have += added;
                added
            }
            None => {
                self.state.inventory.push((id, amount));
                amount
            }
        };
        self.weight = self.state.weight(data);
        added
    }

    /// Removes up to `amount` of item `id`; returns how many were removed.
    pub fn remove_item(&mut self, id: u16, amount: u32, data: &GameData) -> u32 {
        let Some(index) = self
            .state
            .inventory
            .iter()
            .position(|(item, _)| *item == id)
        else {
            return 0;
        };
        let have = self.state.inventory[index].1; // ok: index found just above
        let removed = amount.min(have);
        if removed == have {
            self.state.inventory.remove(index);
        } else if let Some(slot) = self.state.inventory.get_mut(index) {
            slot.1 = have - removed;
        }
        self.weight = self.state.weight(data);
        removed
    }

    /// The character's quest progress, to change (nothing derived depends on it).
    pub fn quests_mut(&mut self) -> &mut Vec<crate::db::QuestProgress> {
        &mut self.state.quests
    }

    /// The equipment others see, as graphics: what it wears, under its cosmetic clothes.
    pub fn visible_equipment(&self, data: &GameData) -> EquipmentChange {
        self.state
            .dressed
            .over(equipment_change(data, &self.state.equipment))
    }

    /// Changes the state with `change`, then recomputes (for equipment, stats, hair).
    pub fn update(&mut self, data: &GameData, change: impl FnOnce(&mut GameState)) {
        change(&mut self.state);
        self.recompute(data);
    }

    /// The stats packet part sent on equipping and unequipping.
    pub fn stats_equipment_change(&self) -> CharacterStatsEquipmentChange {
        CharacterStatsEquipmentChange {
            max_hp: self.derived.max_hp,
            max_tp: self.derived.max_tp,
            base_stats: self.base_stats_packet(),
            secondary_stats: self.secondary_stats(),
        }
    }

    /// The stats packet part sent when stats change (StatSkill_Player).
    pub fn stats_update(&self) -> CharacterStatsUpdate {
        CharacterStatsUpdate {
            base_stats: self.base_stats_packet(),
            max_hp: self.derived.max_hp,
            max_tp: self.derived.max_tp,
            max_sp: self.derived.max_sp,
            max_weight: u16::from(self.derived.max_weight),
            secondary_stats: self.secondary_stats(),
        }
    }

    fn base_stats_packet(&self) -> CharacterBaseStats {
        let s = self.derived.stats;
        CharacterBaseStats {
            str: s.str,
            intl: s.intl,
            wis: s.wis,
            agi: s.agi,
            con: s.con,
            cha: s.cha,
        }
    }

    /// Damage, accuracy, evade and armour as the protocol sends them.
    pub fn secondary_stats(&self) -> CharacterSecondaryStats {
        let d = &self.derived;
        CharacterSecondaryStats {
            min_damage: d.min_damage,
            max_damage: d.max_damage,
            accuracy: d.accuracy,
            evade: d.evade,
            armor: d.armor,
        }
    }

    /// Copies what others see of this state (level, HP, TP, hair, visible equipment) into
    /// the character's map info.
    pub fn sync_info(&self, info: &mut CharacterMapInfo, data: &GameData) {
        info.level = self.state.level;
        info.class_id = self.state.class;
        info.hair_style = self.state.hair_style;
        info.hair_color = self.state.hair_color;
        info.gender = eo_protocol::Gender::from_u32(u32::from(self.state.gender));
        info.skin = self.state.race;
        info.hp = self.state.hp;
        info.max_hp = self.derived.max_hp;
        info.tp = self.state.tp;
        info.max_tp = self.derived.max_tp;
        let e = self.visible_equipment(data);
        info.equipment = EquipmentMapInfo {
            boots: e.boots,
            armor: e.armor,
            hat: e.hat,
            shield: e.shield,
            weapon: e.weapon,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::bundled_for_tests as bundled;

    #[test]
    fn damage_heal_and_experience_keep_the_state_consistent() {
        let data = bundled();
        let mut game = CharacterGame::new(
            GameState {
                hp: 500,
                tp: 3,
                ..GameState::default()
            },
            &data,
        );
        // Level 0, con 0: max HP 10; HP is cut to it.
        assert_eq!((game.state().hp, game.derived().max_hp), (10, 10));
        assert_eq!(game.damage(4), 4);
        assert_eq!(game.hp_percentage(), 60);
        assert_eq!(game.damage(u32::MAX), 6);
        assert!(game.is_dead());
        assert_eq!(game.heal(3, 100), (3, 7));
        assert_eq!(game.heal(100, 100), (7, 0));
        // 133 experience is level 1: points and a larger maximum.
        let gain = game.gain_experience(140, &data);
        assert_eq!(gain.level_up, Some(1));
        assert_eq!(
            (gain.experience, gain.stat_points, gain.skill_points),
            (140, 3, 4)
        );
        assert_eq!(gain.max_hp, 12);
        assert_eq!(game.derived().max_hp, 12);
        let gain = game.gain_experience(1, &data);
        assert_eq!(gain.level_up, None);
        let attacker = game.attacker();
        assert_eq!((attacker.min_damage, attacker.max_damage), (1, 1));
        assert!(game.target(true).sitting);
    }

    #[test]
    fn items_are_added_and_removed_with_checked_amounts() {
        let data = bundled();
        let mut game = CharacterGame::new(GameState::default(), &data);
        assert_eq!(game.add_item(10, 5, &data), 5);
        assert_eq!(game.weight(), 5);
        assert_eq!(game.add_item(1, u32::MAX, &data), u32::MAX);
        assert_eq!(game.add_item(1, 1, &data), 0, "a stack never overflows");
        assert_eq!(game.remove_item(10, 2, &data), 2);
        assert_eq!(game.remove_item(10, 99, &data), 3);
        assert_eq!(game.amount_of(10), 0);
        assert_eq!(game.remove_item(10, 1, &data), 0);
        assert_eq!(game.state().inventory, [(1, u32::MAX)]);
        // 70 weight free: 70 tonics at most, fewer if the stack limit is lower.
        assert_eq!(game.can_take(10, 100, 1000, false, &data), 70);
        assert_eq!(game.can_take(10, 100, 1000, true, &data), 100);
        assert_eq!(game.can_take(10, 100, 20, false, &data), 20);
        assert_eq!(game.can_take(999, 1, 1000, false, &data), 0);
        let saved = game.state().clone();
        let mut character = Character::default();
        saved.apply_to(&mut character);
        assert_eq!(GameState::of(&character), saved);
    }
}
