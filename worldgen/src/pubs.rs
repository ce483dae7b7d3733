//! The pub files: items (EIF), NPCs (ENF), spells (ESF) and classes (ECF).
//!
//! Each source lists its records in id order with explicit ids (1, 2, 3, ...). The built
//! file holds those records and then the conventional last record named "eof"; the header's
//! record count is the total number of records, "eof" included.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use eo_protocol::EoSerialize;
use eo_protocol::pubs::{
    Ecf, EcfRecord, Eif, EifRecord, Element, Enf, EnfRecord, Esf, EsfRecord, ItemSize, ItemSpecial,
    ItemSubtype, ItemType, NpcType, SkillNature, SkillTargetRestrict, SkillTargetType, SkillType,
};
use toml::Spanned;

use crate::error::{Error, SourceFile};
use crate::names;
use crate::source::{ClassesFile, ItemsFile, NpcsFile, ScrollSrc, SpellsFile};

/// The name of the record that ends every pub file.
pub const EOF_RECORD: &str = "eof";
/// The version byte written into every pub file header.
pub const PUB_VERSION: u8 = 1;
/// The largest class stat group (0 melee, 1 rogue, 2 caster, 3 archer, 4 peasant).
const MAX_STAT_GROUP: u8 = 4;

/// A record and where its source entry starts.
pub(crate) struct Entry<T> {
    pub record: T,
    pub span: Range<usize>,
}

/// One pub source, loaded and checked.
pub(crate) struct PubSource<T> {
    pub file: SourceFile,
    pub entries: Vec<Entry<T>>,
}

impl<T> PubSource<T> {
    /// The record with this id (1-based), if any.
    pub fn get(&self, id: u16) -> Option<&T> {
        usize::from(id)
            .checked_sub(1)
            .and_then(|i| self.entries.get(i))
            .map(|e| &e.record)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The items, with the scroll destinations still to check against the maps.
pub(crate) struct Items {
    pub source: PubSource<EifRecord>,
    /// (item id, destination) of every Teleport item.
    pub scrolls: Vec<(u16, Spanned<ScrollSrc>)>,
}

/// Every pub source.
pub(crate) struct Pubs {
    pub classes: PubSource<EcfRecord>,
    pub items: Items,
    pub npcs: PubSource<EnfRecord>,
    pub spells: PubSource<EsfRecord>,
}

/// Loads and checks the four pub sources of `src`.
pub(crate) fn load(src: &Path) -> Result<Pubs, Error> {
    let classes = load_classes(SourceFile::read(src.join("classes.toml"))?)?;
    let items = load_items(SourceFile::read(src.join("items.toml"))?, &classes)?;
    let npcs = load_npcs(SourceFile::read(src.join("npcs.toml"))?)?;
    let spells = load_spells(SourceFile::read(src.join("spells.toml"))?)?;
    Ok(Pubs {
        classes,
        items,
        npcs,
        spells,
    })
}

/// Checks the parts every record kind shares: ids in order from 1, and a usable, unique name.
fn check_common(
    file: &SourceFile,
    index: usize,
    id: u16,
    name: &str,
    span: &Range<usize>,
    kind: &str,
    names: &mut BTreeSet<String>,
) -> Result<(), Error> {
    let expected = index + 1;
    if usize::from(id) != expected {
        return Err(file.error_at(
            span.clone(),
            format!(
                "{kind} id {id} is out of order: expected {expected} (ids run 1, 2, 3, ... in file order)"
            ),
        ));
    }
    check_text(file, span, &format!("{kind} {id} name"), name, 1, 252)?;
    if name.eq_ignore_ascii_case(EOF_RECORD) {
        return Err(file.error_at(
            span.clone(),
            format!(
                "{kind} {id}: the name {EOF_RECORD:?} is reserved for the record the tool appends"
            ),
        ));
    }
    if !names.insert(name.to_ascii_lowercase()) {
        return Err(file.error_at(
            span.clone(),
            format!("{kind} {id}: the name {name:?} is used twice"),
        ));
    }
    Ok(())
}

/// Text must be printable ASCII (it is written as Windows-1252) of a bounded length.
pub(crate) fn check_text(
    file: &SourceFile,
    span: &Range<usize>,
    what: &str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), Error> {
    if let Some(c) = text.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(file.error_at(
            span.clone(),
            format!("{what} {text:?}: {c:?} is not printable ASCII"),
        ));
    }
    if text.len() < min || text.len() > max {
        return Err(file.error_at(
            span.clone(),
            format!(
                "{what} {text:?} is {} characters long; allowed: {min} to {max}",
                text.len()
            ),
        ));
    }
    Ok(())
}

fn check_damage(
    file: &SourceFile,
    span: &Range<usize>,
    what: &str,
    min: u16,
    max: u16,
) -> Result<(), Error> {
    if min > max {
        return Err(file.error_at(
            span.clone(),
            format!("{what}: min_damage {min} is above max_damage {max}"),
        ));
    }
    Ok(())
}

/// Encodes a record on its own to catch values too large for their EO type at its line.
fn check_encodes<T: EoSerialize>(
    file: &SourceFile,
    span: &Range<usize>,
    what: &str,
    record: &T,
) -> Result<(), Error> {
    record
        .to_bytes()
        .map(|_| ())
        .map_err(|e| file.error_at(span.clone(), format!("{what}: {e}")))
}

fn load_classes(file: SourceFile) -> Result<PubSource<EcfRecord>, Error> {
    let parsed: ClassesFile = file.parse()?;
    let count = parsed.class.len();
    let mut names = BTreeSet::new();
    let mut entries = Vec::with_capacity(count);
    for (index, entry) in parsed.class.into_iter().enumerate() {
        let span = entry.span();
        let c = entry.into_inner();
        check_common(&file, index, c.id, &c.name, &span, "class", &mut names)?;
        let parent = c.parent.unwrap_or(u8::try_from(c.id).unwrap_or(u8::MAX));
        if parent == 0 || usize::from(parent) > count {
            return Err(file.error_at(
                span,
                format!(
                    "class {}: parent {parent} is not a class id (1 to {count})",
                    c.id
                ),
            ));
        }
        if c.stat_group > MAX_STAT_GROUP {
            return Err(file.error_at(
                span,
                format!(
                    "class {}: stat_group {} is not 0 to {MAX_STAT_GROUP} (melee, rogue, caster, archer, peasant)",
                    c.id, c.stat_group
                ),
            ));
        }
        let record = EcfRecord {
            name: c.name,
            parent_type: parent,
            stat_group: c.stat_group,
            str: c.str,
            intl: c.intl,
            wis: c.wis,
            agi: c.agi,
            con: c.con,
            cha: c.cha,
        };
        check_encodes(&file, &span, &format!("class {}", c.id), &record)?;
        entries.push(Entry { record, span });
    }
    Ok(PubSource { file, entries })
}

fn is_equipment(kind: ItemType) -> bool {
    (10..=21).contains(&kind.to_u32())
}

fn load_items(file: SourceFile, classes: &PubSource<EcfRecord>) -> Result<Items, Error> {
    let parsed: ItemsFile = file.parse()?;
    let mut names = BTreeSet::new();
    let mut entries = Vec::with_capacity(parsed.item.len());
    let mut scrolls = Vec::new();
    for (index, entry) in parsed.item.into_iter().enumerate() {
        let span = entry.span();
        let it = entry.into_inner();
        let id = it.id;
        check_common(&file, index, id, &it.name, &span, "item", &mut names)?;
        let what = format!("item {id} ({})", it.name);
        let kind: ItemType = names::parse(&file, &it.kind)?;
        let subtype = names::parse_or(&file, it.subtype.as_ref(), ItemSubtype::None)?;
        let special = names::parse_or(&file, it.special.as_ref(), ItemSpecial::Normal)?;
        let element = names::parse_or(&file, it.element.as_ref(), Element::None)?;
        let size = names::parse_or(&file, it.size.as_ref(), ItemSize::Size1x1)?;
        if id == 1 && kind != ItemType::Currency {
            return Err(file.error_at(
                span,
                "item 1 must be of type Currency: clients treat item 1 as gold",
            ));
        }
        check_damage(&file, &span, &what, it.min_damage, it.max_damage)?;
        match subtype {
            ItemSubtype::Ranged if kind != ItemType::Weapon => {
                return Err(
                    file.error_at(span, format!("{what}: subtype Ranged needs type Weapon"))
                );
            }
            ItemSubtype::Arrows if kind != ItemType::Shield => {
                return Err(file.error_at(
                    span,
                    format!("{what}: subtype Arrows needs type Shield (arrows are worn in the shield slot)"),
                ));
            }
            _ => {}
        }
        if it.class_req != 0 && classes.get(it.class_req).is_none() {
            return Err(file.error_at(
                span,
                format!(
                    "{what}: class_req {} is not a class id (0 for any, or 1 to {})",
                    it.class_req,
                    classes.len()
                ),
            ));
        }

        // spec1..spec3 hold one of several fields, depending on the type.
        let only = |field: &str, present: bool, allowed: bool, types: &str| {
            if present && !allowed {
                Err(file.error_at(
                    span.clone(),
                    format!("{what}: `{field}` only applies to {types} items, not {kind:?}"),
                ))
            } else {
                Ok(())
            }
        };
        let needs = |field: &str, present: bool| {
            if present {
                Ok(())
            } else {
                Err(file.error_at(
                    span.clone(),
                    format!("{what}: a {kind:?} item needs `{field}`"),
                ))
            }
        };
        only(
            "doll_graphic",
            it.doll_graphic.is_some(),
            is_equipment(kind),
            "equipment",
        )?;
        only(
            "gender",
            it.gender.is_some(),
            kind == ItemType::Armor,
            "Armor",
        )?;
        only(
            "scroll",
            it.scroll.is_some(),
            kind == ItemType::Teleport,
            "Teleport",
        )?;
        only(
            "exp_reward",
            it.exp_reward.is_some(),
            kind == ItemType::ExpReward,
            "ExpReward",
        )?;
        only(
            "hair_color",
            it.hair_color.is_some(),
            kind == ItemType::HairDye,
            "HairDye",
        )?;
        only(
            "effect",
            it.effect.is_some(),
            kind == ItemType::EffectPotion,
            "EffectPotion",
        )?;
        only("key", it.key.is_some(), kind == ItemType::Key, "Key")?;
        only(
            "alcohol_potency",
            it.alcohol_potency.is_some(),
            kind == ItemType::Alcohol,
            "Alcohol",
        )?;
        let (mut spec1, mut spec2, mut spec3) = (0u32, 0u8, 0u8);
        match kind {
            ItemType::Teleport => {
                needs("scroll", it.scroll.is_some())?;
                if let Some(scroll) = &it.scroll {
                    let s = *scroll.get_ref();
                    (spec1, spec2, spec3) = (u32::from(s.map), s.x, s.y);
                    scrolls.push((id, scroll.clone()));
                }
            }
            ItemType::ExpReward => {
                needs("exp_reward", it.exp_reward.is_some())?;
                spec1 = it.exp_reward.unwrap_or(0);
            }
            ItemType::HairDye => {
                needs("hair_color", it.hair_color.is_some())?;
                spec1 = it.hair_color.unwrap_or(0);
            }
            ItemType::EffectPotion => {
                needs("effect", it.effect.is_some())?;
                spec1 = it.effect.unwrap_or(0);
            }
            ItemType::Key => {
                needs("key", it.key.is_some())?;
                spec1 = it.key.unwrap_or(0);
                if spec1 == 0 {
                    return Err(file.error_at(span, format!("{what}: key must be 1 or more")));
                }
            }
            ItemType::Alcohol => {
                needs("alcohol_potency", it.alcohol_potency.is_some())?;
                spec1 = it.alcohol_potency.unwrap_or(0);
            }
            ItemType::Armor => {
                needs("gender", it.gender.is_some())?;
                spec1 = it.doll_graphic.unwrap_or(0);
                spec2 = it.gender.unwrap_or(0);
                if spec2 > 1 {
                    return Err(file.error_at(
                        span,
                        format!("{what}: gender must be 0 (female) or 1 (male)"),
                    ));
                }
            }
            _ if is_equipment(kind) => spec1 = it.doll_graphic.unwrap_or(0),
            _ => {}
        }

        let record = EifRecord {
            name: it.name,
            graphic_id: it.graphic,
            r#type: kind,
            subtype,
            special,
            hp: it.hp,
            tp: it.tp,
            min_damage: it.min_damage,
            max_damage: it.max_damage,
            accuracy: it.accuracy,
            evade: it.evade,
            armor: it.armor,
            return_damage: it.return_damage,
            str: it.str,
            intl: it.intl,
            wis: it.wis,
            agi: it.agi,
            con: it.con,
            cha: it.cha,
            light_resistance: it.light_resistance,
            dark_resistance: it.dark_resistance,
            earth_resistance: it.earth_resistance,
            air_resistance: it.air_resistance,
            water_resistance: it.water_resistance,
            fire_resistance: it.fire_resistance,
            spec1,
            spec2,
            spec3,
            level_requirement: it.level_req,
            class_requirement: it.class_req,
            str_requirement: it.str_req,
            int_requirement: it.int_req,
            wis_requirement: it.wis_req,
            agi_requirement: it.agi_req,
            con_requirement: it.con_req,
            cha_requirement: it.cha_req,
            element,
            element_damage: it.element_damage,
            weight: it.weight,
            size,
        };
        check_encodes(&file, &span, &what, &record)?;
        entries.push(Entry { record, span });
    }
    if entries.is_empty() {
        return Err(file.error_line(None, "no [[item]] entries (item 1 must be the currency)"));
    }
    Ok(Items {
        source: PubSource { file, entries },
        scrolls,
    })
}

fn load_npcs(file: SourceFile) -> Result<PubSource<EnfRecord>, Error> {
    let parsed: NpcsFile = file.parse()?;
    let mut names = BTreeSet::new();
    let mut entries = Vec::with_capacity(parsed.npc.len());
    for (index, entry) in parsed.npc.into_iter().enumerate() {
        let span = entry.span();
        let n = entry.into_inner();
        check_common(&file, index, n.id, &n.name, &span, "NPC", &mut names)?;
        let what = format!("NPC {} ({})", n.id, n.name);
        let kind: NpcType = names::parse(&file, &n.kind)?;
        let element = names::parse_or(&file, n.element.as_ref(), Element::None)?;
        let weakness = names::parse_or(&file, n.element_weakness.as_ref(), Element::None)?;
        check_damage(&file, &span, &what, n.min_damage, n.max_damage)?;
        if n.boss && n.child {
            return Err(file.error_at(
                span,
                format!("{what}: an NPC cannot be both boss and child"),
            ));
        }
        let record = EnfRecord {
            name: n.name,
            graphic_id: n.graphic,
            race: n.race,
            boss: n.boss,
            child: n.child,
            r#type: kind,
            behavior_id: n.behavior_id,
            hp: n.hp,
            tp: n.tp,
            min_damage: n.min_damage,
            max_damage: n.max_damage,
            accuracy: n.accuracy,
            evade: n.evade,
            armor: n.armor,
            return_damage: n.return_damage,
            element,
            element_damage: n.element_damage,
            element_weakness: weakness,
            element_weakness_damage: n.element_weakness_damage,
            level: n.level,
            experience: n.experience,
        };
        check_encodes(&file, &span, &what, &record)?;
        entries.push(Entry { record, span });
    }
    let has_boss = entries.iter().any(|e| e.record.boss);
    if let Some(child) = entries.iter().find(|e| e.record.child && !has_boss) {
        return Err(file.error_at(
            child.span.clone(),
            format!(
                "NPC {:?} is a child but no NPC is a boss",
                child.record.name
            ),
        ));
    }
    Ok(PubSource { file, entries })
}

fn load_spells(file: SourceFile) -> Result<PubSource<EsfRecord>, Error> {
    let parsed: SpellsFile = file.parse()?;
    let mut names = BTreeSet::new();
    let mut entries = Vec::with_capacity(parsed.spell.len());
    for (index, entry) in parsed.spell.into_iter().enumerate() {
        let span = entry.span();
        let s = entry.into_inner();
        check_common(&file, index, s.id, &s.name, &span, "spell", &mut names)?;
        let what = format!("spell {} ({})", s.id, s.name);
        check_text(&file, &span, &format!("{what} chant"), &s.chant, 0, 252)?;
        let kind: SkillType = names::parse(&file, &s.kind)?;
        let nature = names::parse_or(&file, s.nature.as_ref(), SkillNature::Spell)?;
        let element = names::parse_or(&file, s.element.as_ref(), Element::None)?;
        let restrict =
            names::parse_or(&file, s.target_restrict.as_ref(), SkillTargetRestrict::Npc)?;
        let target_type = names::parse_or(&file, s.target_type.as_ref(), SkillTargetType::Normal)?;
        check_damage(&file, &span, &what, s.min_damage, s.max_damage)?;
        let record = EsfRecord {
            name: s.name,
            chant: s.chant,
            icon_id: s.icon,
            graphic_id: s.graphic,
            tp_cost: s.tp_cost,
            sp_cost: s.sp_cost,
            cast_time: s.cast_time,
            nature,
            r#type: kind,
            element,
            element_power: s.element_power,
            target_restrict: restrict,
            target_type,
            target_time: s.target_time,
            max_skill_level: s.max_skill_level,
            min_damage: s.min_damage,
            max_damage: s.max_damage,
            accuracy: s.accuracy,
            evade: s.evade,
            armor: s.armor,
            return_damage: s.return_damage,
            hp_heal: s.hp_heal,
            tp_heal: s.tp_heal,
            sp_heal: s.sp_heal,
            str: s.str,
            intl: s.intl,
            wis: s.wis,
            agi: s.agi,
            con: s.con,
            cha: s.cha,
        };
        check_encodes(&file, &span, &what, &record)?;
        entries.push(Entry { record, span });
    }
    Ok(PubSource { file, entries })
}

/// The header record count: every record, "eof" included.
fn total_count(source_file: &SourceFile, records: usize) -> Result<u16, Error> {
    u16::try_from(records + 1)
        .ok()
        .filter(|n| *n <= 64_008)
        .ok_or_else(|| source_file.error_line(None, "too many records for one pub file"))
}

fn records<T: Clone>(source: &PubSource<T>, eof: T) -> Vec<T> {
    let mut all: Vec<T> = source.entries.iter().map(|e| e.record.clone()).collect();
    all.push(eof);
    all
}

fn encode<T: EoSerialize>(file: &SourceFile, value: &T) -> Result<Vec<u8>, Error> {
    let mut bytes = value
        .to_bytes()
        .map_err(|e| file.error_line(None, format!("cannot encode: {e}")))?
        .to_vec();
    eo_protocol::data_file::stamp_rid(&mut bytes);
    Ok(bytes)
}

/// The four pub files, by output path.
pub(crate) fn encode_all(pubs: &Pubs) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let items = &pubs.items.source;
    let eif = Eif {
        rid: [0, 0],
        total_items_count: total_count(&items.file, items.len())?,
        version: PUB_VERSION,
        items: records(
            items,
            EifRecord {
                name: EOF_RECORD.into(),
                ..Default::default()
            },
        ),
    };
    let enf = Enf {
        rid: [0, 0],
        total_npcs_count: total_count(&pubs.npcs.file, pubs.npcs.len())?,
        version: PUB_VERSION,
        npcs: records(
            &pubs.npcs,
            EnfRecord {
                name: EOF_RECORD.into(),
                ..Default::default()
            },
        ),
    };
    let esf = Esf {
        rid: [0, 0],
        total_skills_count: total_count(&pubs.spells.file, pubs.spells.len())?,
        version: PUB_VERSION,
        skills: records(
            &pubs.spells,
            EsfRecord {
                name: EOF_RECORD.into(),
                ..Default::default()
            },
        ),
    };
    let ecf = Ecf {
        rid: [0, 0],
        total_classes_count: total_count(&pubs.classes.file, pubs.classes.len())?,
        version: PUB_VERSION,
        classes: records(
            &pubs.classes,
            EcfRecord {
                name: EOF_RECORD.into(),
                ..Default::default()
            },
        ),
    };
    Ok(vec![
        ("pub/dat001.eif".into(), encode(&items.file, &eif)?),
        ("pub/dtn001.enf".into(), encode(&pubs.npcs.file, &enf)?),
        ("pub/dsl001.esf".into(), encode(&pubs.spells.file, &esf)?),
        ("pub/dat001.ecf".into(), encode(&pubs.classes.file, &ecf)?),
    ])
}
