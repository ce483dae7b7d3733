//! A character's derived stats: its own stat points plus its class's (ECF) and equipment's
//! (EIF) bonuses, and what the formulas make of them; carried weight; equipment slots and
//! their requirements.

use eo_protocol::pubs::{Ecf, Eif, EifRecord, ItemType};

use super::expr::to_bounded;
use super::formulas::{CLASSLESS_GROUP, Formulas};
use crate::db::Equipment;

/// The six stats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaseStats {
    pub str: u16,
    pub intl: u16,
    pub wis: u16,
    pub agi: u16,
    pub con: u16,
    pub cha: u16,
}

/// What the formulas derive for a character.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DerivedStats {
    /// The stats with the class's and the equipment's bonuses.
    pub stats: BaseStats,
    pub max_hp: u16,
    pub max_tp: u16,
    pub max_sp: u16,
    pub max_weight: u8,
    pub min_damage: u16,
    pub max_damage: u16,
    pub accuracy: u16,
    pub evade: u16,
    pub armor: u16,
}

/// The item record of `id` (ids are 1-based; 0 and ids past the file are none).
pub fn item(items: &Eif, id: u16) -> Option<&EifRecord> {
    items.items.get(usize::from(id).checked_sub(1)?)
}

/// Derives a character's stats from its level, class, own stats and equipment.
pub fn derive(
    formulas: &Formulas,
    items: &Eif,
    classes: &Ecf,
    class: u8,
    level: u8,
    base: BaseStats,
    equipment: &Equipment,
) -> DerivedStats {
    let limits = formulas.limits;
    let class = usize::from(class)
        .checked_sub(1)
        .and_then(|i| classes.classes.get(i));
    // Sums in u32 (15 slots of at most u16 each cannot overflow), capped at the end.
    let mut stats = [base.str, base.intl, base.wis, base.agi, base.con, base.cha].map(u32::from);
    if let Some(class) = class {
        for (stat, bonus) in stats.iter_mut().zip([
            class.str, class.intl, class.wis, class.agi, class.con, class.cha,
        ]) {
            *stat += u32::from(bonus);
        }
    }
    let (mut hp, mut tp) = (0u32, 0u32);
    let (mut min_damage, mut max_damage, mut accuracy, mut evade, mut armor) =
        (0u32, 0u32, 0u32, 0u32, 0u32);
    for record in equipment
        .to_array()
        .into_iter()
        .filter_map(|id| item(items, id))
    {
        hp += u32::from(record.hp);
        tp += u32::from(record.tp);
        min_damage += u32::from(record.min_damage);
        max_damage += u32::from(record.max_damage);
        accuracy += u32::from(record.accuracy);
        evade += u32::from(record.evade);
        armor += u32::from(record.armor);
        for (stat, bonus) in stats.iter_mut().zip([
            record.str,
            record.intl,
            record.wis,
            record.agi,
            record.con,
            record.cha,
        ]) {
            *stat += u32::from(bonus);
        }
    }
    let max_stat = u32::from(limits.max_stat);
    let stats = stats.map(|s| s.min(max_stat) as u16); // ok: capped at a u16 just above
    let [str, intl, wis, agi, con, cha] = stats;
    let values = [
        f64::from(level),
        f64::from(str),
        f64::from(intl),
        f64::from(wis),
        f64::from(agi),
        f64::from(con),
        f64::from(cha),
        f64::from(base.str),
        f64::from(base.intl),
        f64::from(base.wis),
        f64::from(base.agi),
        f64::from(base.con),
        f64::from(base.cha),
    ];
    let max_hp_tp = u32::from(limits.max_hp_tp);
    let short = |extra: u32, value: f64, max: u32| -> u16 {
        to_bounded(value, max).saturating_add(extra).min(max) as u16 // ok: at most max, a u16
    };
    let group = class
        .map(|c| usize::from(c.stat_group))
        .and_then(|g| formulas.stat_groups.get(g))
        .unwrap_or(&formulas.stat_groups[CLASSLESS_GROUP]);
    let short_max = u32::from(u16::MAX);
    let class_damage = to_bounded(group.damage.eval(&values), short_max);
    DerivedStats {
        stats: BaseStats {
            str,
            intl,
            wis,
            agi,
            con,
            cha,
        },
        max_hp: short(hp, formulas.max_hp.eval(&values), max_hp_tp),
        max_tp: short(tp, formulas.max_tp.eval(&values), max_hp_tp),
        max_sp: short(0, formulas.max_sp.eval(&values), max_hp_tp),
        max_weight: to_bounded(
            formulas.max_weight.eval(&values),
            u32::from(limits.max_weight),
        ) as u8, // ok: max_weight is a u8
        min_damage: (min_damage + class_damage).clamp(1, short_max) as u16, // ok: clamped
        max_damage: (max_damage + class_damage).clamp(1, short_max) as u16, // ok: clamped
        accuracy: short(accuracy, group.accuracy.eval(&values), short_max),
        evade: short(evade, group.evade.eval(&values), short_max),
        armor: short(armor, group.armor.eval(&values), short_max),
    }
}

/// The weight of what a character carries and wears (saturating: an absurd inventory is
/// simply too heavy).
pub fn weight(items: &Eif, inventory: &[(u16, u32)], equipment: &Equipment) -> u32 {
    let carried = inventory.iter().fold(0u32, |sum, (id, amount)| {
        let each = item(items, *id).map_or(0, |r| u32::from(r.weight));
        sum.saturating_add(each.saturating_mul(*amount))
    });
    equipment
        .to_array()
        .into_iter()
        .filter_map(|id| item(items, id))
        .fold(carried, |sum, r| sum.saturating_add(u32::from(r.weight)))
}

/// A paperdoll slot: its index in [`Equipment::to_array`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(pub usize);

impl Slot {
    /// The slot an item of `item_type` goes in; `sub_loc` (0 or 1) picks one of a pair
    /// (rings, armlets, bracers). `None` for what cannot be worn.
    pub fn of(item_type: ItemType, sub_loc: u8) -> Option<Slot> {
        let pair = |first: usize| (sub_loc <= 1).then(|| Slot(first + usize::from(sub_loc)));
        match item_type {
            ItemType::Boots => Some(Slot(0)),
            ItemType::Accessory => Some(Slot(1)),
            ItemType::Gloves => Some(Slot(2)),
            ItemType::Belt => Some(Slot(3)),
            ItemType::Armor => Some(Slot(4)),
            ItemType::Necklace => Some(Slot(5)),
            ItemType::Hat => Some(Slot(6)),
            ItemType::Shield => Some(Slot(7)),
            ItemType::Weapon => Some(Slot(8)),
            ItemType::Ring => pair(9),
            ItemType::Armlet => pair(11),
            ItemType::Bracer => pair(13),
            _ => None,
        }
    }

    /// Whether others see what is in this slot (boots, armour, hat, shield, weapon).
    pub fn is_visible(self) -> bool {
        matches!(self.0, 0 | 4 | 6 | 7 | 8)
    }

    pub fn get(self, equipment: &Equipment) -> u16 {
        equipment.to_array().get(self.0).copied().unwrap_or(0)
    }

    pub fn set(self, equipment: &mut Equipment, id: u16) {
        let mut slots = equipment.to_array();
        if let Some(slot) = slots.get_mut(self.0) {
            *slot = id;
        }
        *equipment = Equipment::from_array(slots);
    }
}

/// Why an item cannot be equipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EquipError {
    /// Not an item that is worn, or a bad sub-location.
    NotEquipment,
    /// Armour made for the other gender.
    WrongGender,
    /// The item needs another class (the client is told with Paperdoll_Ping).
    WrongClass,
    /// The level or a stat is too low.
    Requirements,
    /// Something is worn there already (the client unequips first).
    SlotTaken,
}

/// Whether a character may put on `record`, and in which slot.
pub fn can_equip(
    record: &EifRecord,
    sub_loc: u8,
    level: u8,
    class: u8,
    gender: u8,
    stats: BaseStats,
    equipment: &Equipment,
) -> Result<Slot, EquipError> {
    let slot = Slot::of(record.r#type, sub_loc).ok_or(EquipError::NotEquipment)?;
    if record.r#type == ItemType::Armor && record.spec2 != gender {
        return Err(EquipError::WrongGender);
    }
    if record.class_requirement != 0 && record.class_requirement != u16::from(class) {
        return Err(EquipError::WrongClass);
    }
    let needs = [
        (u16::from(level), record.level_requirement),
        (stats.str, record.str_requirement),
        (stats.intl, record.int_requirement),
        (stats.wis, record.wis_requirement),
        (stats.agi, record.agi_requirement),
        (stats.con, record.con_requirement),
        (stats.cha, record.cha_requirement),
    ];
    if needs.iter().any(|(has, needed)| has < needed) {
        return Err(EquipError::Requirements);
    }
    if slot.get(equipment) != 0 {
        return Err(EquipError::SlotTaken);
    }
    Ok(slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::bundled_for_tests as bundled;

    #[test]
    fn derived_stats_add_class_and_equipment() {
        let data = bundled();
        let f = &data.formulas;
        let base = BaseStats {
            str: 6,
            agi: 3,
            con: 4,
            ..BaseStats::default()
        };
        // Classless, nothing worn: the formulas alone.
        let bare = derive(
            f,
            &data.items.data,
            &data.classes.data,
            0,
            2,
            base,
            &Equipment::default(),
        );
        assert_eq!(bare.max_hp, 10 + 5 + 10); // 10 + 2.5 * 2 + 2.5 * 4
        assert_eq!(bare.max_tp, 15);
        assert_eq!(bare.max_sp, 24);
        assert_eq!(bare.max_weight, 76);
        assert_eq!((bare.min_damage, bare.max_damage), (1, 1));
        assert_eq!(bare.stats, base);
        // Class 2 Warrior (melee, str +3, con +2) with the blade (3-6, accuracy 2) and the
        // boots (armor 1, agi +1).
        let equipment = Equipment {
            weapon: 2,
            boots: 9,
            ..Equipment::default()
        };
        let warrior = derive(
            f,
            &data.items.data,
            &data.classes.data,
            2,
            2,
            base,
            &equipment,
        );
        assert_eq!(warrior.stats.str, 9);
        assert_eq!(warrior.stats.con, 6);
        assert_eq!(warrior.stats.agi, 4);
        assert_eq!(warrior.max_hp, 10 + 5 + 15); // con 6
        assert_eq!((warrior.min_damage, warrior.max_damage), (3 + 3, 6 + 3)); // str 9 / 3
        assert_eq!(warrior.accuracy, 2 + 1); // agi 4 / 3
        assert_eq!(warrior.armor, 1 + 1); // con 6 / 4
        assert_eq!(warrior.max_weight, 79);
    }

    #[test]
    fn weight_counts_the_inventory_and_the_equipment() {
        let data = bundled();
        let items = &data.items.data;
        let worn = Equipment {
            weapon: 2,
            ..Equipment::default()
        };
        // Gold weighs 0, tonics 1 each, the blade 10.
        assert_eq!(weight(items, &[(1, 500), (10, 3)], &worn), 13);
        assert_eq!(weight(items, &[(10, u32::MAX)], &worn), u32::MAX);
        assert_eq!(weight(items, &[(999, 5)], &Equipment::default()), 0);
    }

    #[test]
    fn equipment_requirements() {
        let data = bundled();
        let record = |id| item(&data.items.data, id).unwrap();
        let none = Equipment::default();
        let stats = BaseStats::default();
        assert_eq!(can_equip(record(2), 0, 0, 0, 0, stats, &none), Ok(Slot(8)));
        assert_eq!(
            can_equip(record(3), 0, 1, 0, 0, stats, &none),
            Err(EquipError::Requirements),
            "the bow needs level 2"
        );
        assert_eq!(can_equip(record(3), 0, 2, 0, 0, stats, &none), Ok(Slot(8)));
        assert_eq!(
            can_equip(record(6), 0, 0, 0, 0, stats, &none),
            Err(EquipError::WrongGender)
        );
        assert_eq!(
            can_equip(record(8), 0, 0, 0, 0, stats, &none),
            Err(EquipError::Requirements),
            "the buckler needs str 2"
        );
        assert_eq!(
            can_equip(record(10), 0, 0, 0, 0, stats, &none),
            Err(EquipError::NotEquipment)
        );
        let armed = Equipment { weapon: 2, ..none };
        assert_eq!(
            can_equip(record(2), 0, 0, 0, 0, stats, &armed),
            Err(EquipError::SlotTaken)
        );
        let mut e = Equipment::default();
        Slot(10).set(&mut e, 7);
        assert_eq!(e.ring, [0, 7]);
        assert_eq!(Slot::of(ItemType::Ring, 1), Some(Slot(10)));
        assert_eq!(Slot::of(ItemType::Ring, 2), None);
        assert!(Slot(8).is_visible() && !Slot(10).is_visible());
    }
}
