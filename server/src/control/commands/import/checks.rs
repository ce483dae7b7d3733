//! The checks of one record against this server: an account's name and password hash, a
//! character's values, its ids against the pub files and its place in the world.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;

use super::quests::checked_quests;
use super::{ImportAccount, ImportCharacter, UnknownIds};
use crate::auth::legacy::LegacyHash;
use crate::config::MAX_ADMIN_LEVEL;
use crate::data::GameData;
use crate::db::{Character, Equipment};
use crate::player::account_name;
use crate::rules::look;

/// The account's name as stored here and its kept password hash, or why it cannot come.
pub(super) fn checked_account(account: &ImportAccount) -> Result<(String, String), String> {
    let Some(username) = account_name(&account.username) else {
        return Err(format!(
            "{:?} is not an account name this server accepts (4 to 16 letters and digits)",
            account.username
        ));
    };
    let password = &account.password;
    let decode = |what: &str, value: &str| {
        B64.decode(value)
            .map_err(|e| format!("the password's {what} is not base64: {e}"))
    };
    let salt = decode("salt", &password.salt)?;
    let hashed_name = decode("username", &password.username)?;
    let kept = LegacyHash::new(&password.scheme, salt, hashed_name, password.hash.clone())
        .map_err(|e| format!("the password hash cannot be kept: {e}"))?;
    Ok((username, kept.to_stored()))
}

/// The character as it will be saved (its id, account and name set by the caller) and notes on
/// what was changed on the way, or why it cannot come.
pub(super) fn checked_character(
    data: &GameData,
    c: &ImportCharacter,
    unknown_ids: UnknownIds,
    spawn: (u16, u8, u8),
) -> Result<(Character, Vec<String>), String> {
    let mut notes = Vec::new();
    if c.admin_level > MAX_ADMIN_LEVEL {
        return Err(format!(
            "admin level {} is above {MAX_ADMIN_LEVEL}",
            c.admin_level
        ));
    }
    if c.gender > 1 {
        return Err(format!("gender {} is neither 0 nor 1", c.gender));
    }
    if !look::valid_hair(u16::from(c.hair_style), u16::from(c.hair_color)) {
        return Err(format!(
            "hair style {} and colour {} are not a look of this server (style 1 to {}, colour 0 to {})",
            c.hair_style,
            c.hair_color,
            look::MAX_HAIR_STYLE,
            look::MAX_HAIR_COLOR
        ));
    }
    if c.race > look::MAX_SKIN {
        return Err(format!("skin {} is above {}", c.race, look::MAX_SKIN));
    }
    if c.direction > 3 || c.sitting > 2 {
        return Err(format!(
            "direction {} or sitting state {} out of range",
            c.direction, c.sitting
        ));
    }
    if c.gold_bank > i32::MAX as u32 {
        return Err(format!(
            "{} gold in the bank is more than this server keeps",
            c.gold_bank
        ));
    }
    let mut unknown = Vec::new();
    let mut class = c.class;
    if class != 0 && usize::from(class) > data.classes.data.classes.len() {
        unknown.push(format!("class {class}"));
        class = 0;
    }
    let is_item = |id: u16| crate::rules::stats::item(&data.items.data, id).is_some();
    let mut equipment = c.equipment;
    for slot in &mut equipment {
        if *slot != 0 && !is_item(*slot) {
            unknown.push(format!("item {} (paperdoll)", *slot));
            *slot = 0;
        }
    }
    let inventory = items(
        &c.inventory,
        "inventory",
        &is_item,
        &mut unknown,
        &mut notes,
    )?;
    let bank = items(&c.bank, "locker", &is_item, &mut unknown, &mut notes)?;
    let mut spells: Vec<(u16, u16)> = Vec::with_capacity(c.spells.len());
    for &(id, level) in &c.spells {
        let known = usize::from(id)
            .checked_sub(1)
            .is_some_and(|i| i < data.spells.data.skills.len());
        if !known {
            unknown.push(format!("spell {id}"));
        } else if let Some(kept) = spells.iter_mut().find(|(kept, _)| *kept == id) {
            kept.1 = kept.1.max(level);
            notes.push(format!(
                "spell {id} was listed twice; the higher level is kept"
            ));
        } else {
            spells.push((id, level));
        }
    }
    let quests = checked_quests(&data.quests.current(), &c.quests, &mut unknown, &mut notes)?;
    if !unknown.is_empty() {
        let list = unknown.join(", ");
        match unknown_ids {
            UnknownIds::Refuse => {
                return Err(format!("not in this server's pub files: {list}"));
            }
            UnknownIds::Drop => notes.push(format!("left out (not in the pub files): {list}")),
        }
    }
    let (mut map, mut x, mut y) = (c.map, c.x, c.y);
    let placed = data
        .maps
        .get(&map)
        .is_some_and(|m| x < m.width && y < m.height);
    if !placed {
        notes.push(format!(
            "map {map} at {x},{y} is not in this world; it starts at map {} {},{}",
            spawn.0, spawn.1, spawn.2
        ));
        (map, x, y) = spawn;
    }
    let character = Character {
        title: c.title.clone(),
        home: c.home.clone(),
        fiance: c.fiance.clone(),
        partner: c.partner.clone(),
        admin_level: c.admin_level,
        class,
        gender: c.gender,
        race: c.race,
        hair_style: c.hair_style,
        hair_color: c.hair_color,
        skin: c.race,
        map,
        x,
        y,
        direction: c.direction,
        level: c.level,
        experience: c.experience,
        hp: c.hp,
        tp: c.tp,
        str: c.str,
        intl: c.intl,
        wis: c.wis,
        agi: c.agi,
        con: c.con,
        cha: c.cha,
        stat_points: c.stat_points,
        skill_points: c.skill_points,
        karma: c.karma,
        sitting: c.sitting,
        hidden: c.hidden,
        bank_level: c.bank_level,
        gold_bank: c.gold_bank,
        usage: c.usage,
        equipment: Equipment::from_array(equipment),
        inventory,
        bank,
        spells,
        quests,
        ..Character::default()
    };
    Ok((character, notes))
}

/// A list of `(item id, amount)`: unknown ids set aside in `unknown`, an id listed twice
/// summed into one.
fn items(
    list: &[(u16, u32)],
    what: &str,
    is_item: &impl Fn(u16) -> bool,
    unknown: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<Vec<(u16, u32)>, String> {
    let most = i32::MAX as u32;
    let mut out: Vec<(u16, u32)> = Vec::with_capacity(list.len());
    let mut at: HashMap<u16, usize> = HashMap::new();
    for &(id, amount) in list {
        if amount == 0 || amount > most {
            return Err(format!("{what}: item {id} has an amount of {amount}"));
        }
        if !is_item(id) {
            unknown.push(format!("item {id} ({what})"));
            continue;
        }
        match at.get(&id).and_then(|&i| out.get_mut(i)) {
            Some(kept) => {
                kept.1 = kept
                    .1
                    .checked_add(amount)
                    .filter(|sum| *sum <= most)
                    .ok_or_else(|| format!("{what}: item {id} adds up to more than {most}"))?;
                notes.push(format!(
                    "{what}: item {id} was listed twice; the amounts are added"
                ));
            }
            None => {
                at.insert(id, out.len());
                out.push((id, amount));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::ImportPassword;
    use super::*;

    fn world() -> GameData {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
        GameData::load(&dir).unwrap()
    }

    fn character() -> ImportCharacter {
        ImportCharacter {
            name: "Wanda".into(),
            hair_style: 1,
            map: 1,
            x: 5,
            y: 5,
            level: 10,
            inventory: vec![(1, 100), (2, 1)],
            ..ImportCharacter::default()
        }
    }

    #[test]
    fn a_character_that_fits_comes_as_it_is() {
        let data = world();
        let (saved, notes) =
            checked_character(&data, &character(), UnknownIds::Refuse, (1, 9, 9)).unwrap();
        assert_eq!(notes, Vec::<String>::new());
        assert_eq!((saved.map, saved.x, saved.y, saved.level), (1, 5, 5, 10));
        assert_eq!(saved.inventory, vec![(1, 100), (2, 1)]);
    }

    #[test]
    fn unknown_ids_refuse_the_character_or_are_left_out() {
        let data = world();
        let mut c = character();
        c.inventory.push((60_000, 1));
        c.equipment[8] = 60_001;
        c.spells = vec![(60_002, 1)];
        let refused = checked_character(&data, &c, UnknownIds::Refuse, (1, 9, 9)).unwrap_err();
        assert!(refused.contains("item 60000 (inventory)"), "{refused}");
        assert!(refused.contains("item 60001 (paperdoll)"), "{refused}");
        assert!(refused.contains("spell 60002"), "{refused}");
        let (saved, notes) = checked_character(&data, &c, UnknownIds::Drop, (1, 9, 9)).unwrap();
        assert_eq!(saved.inventory, vec![(1, 100), (2, 1)]);
        assert_eq!(saved.equipment.weapon, 0);
        assert!(saved.spells.is_empty());
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn twice_listed_items_are_added_and_bad_amounts_refused() {
        let data = world();
        let mut c = character();
        c.inventory = vec![(1, 5), (2, 1), (1, 7)];
        let (saved, notes) = checked_character(&data, &c, UnknownIds::Refuse, (1, 9, 9)).unwrap();
        assert_eq!(saved.inventory, vec![(1, 12), (2, 1)]);
        assert_eq!(notes.len(), 1);
        c.inventory = vec![(1, i32::MAX as u32), (1, 1)];
        assert!(checked_character(&data, &c, UnknownIds::Refuse, (1, 9, 9)).is_err());
        c.inventory = vec![(1, 0)];
        assert!(checked_character(&data, &c, UnknownIds::Refuse, (1, 9, 9)).is_err());
    }

    #[test]
    fn a_character_off_the_world_starts_at_the_spawn_point() {
        let data = world();
        let mut c = character();
        c.map = 9_999;
        let (saved, notes) = checked_character(&data, &c, UnknownIds::Refuse, (1, 9, 8)).unwrap();
        assert_eq!((saved.map, saved.x, saved.y), (1, 9, 8));
        assert!(notes[0].contains("map 9999"), "{notes:?}");
    }

    #[test]
    fn looks_and_levels_out_of_range_are_refused() {
        let data = world();
        for change in [
            |c: &mut ImportCharacter| c.admin_level = 6,
            |c: &mut ImportCharacter| c.gender = 2,
            |c: &mut ImportCharacter| c.hair_style = 0,
            |c: &mut ImportCharacter| c.race = 7,
            |c: &mut ImportCharacter| c.direction = 4,
            |c: &mut ImportCharacter| c.gold_bank = u32::MAX,
        ] {
            let mut c = character();
            change(&mut c);
            assert!(checked_character(&data, &c, UnknownIds::Drop, (1, 9, 9)).is_err());
        }
    }

    #[test]
    fn accounts_need_a_name_of_ours_and_a_kept_hash() {
        let account = |username: &str, scheme: &str, hash: &str| ImportAccount {
            username: username.into(),
            password: ImportPassword {
                scheme: scheme.into(),
                salt: "c2FsdA".into(),
                username: "YWxpY2U".into(),
                hash: hash.into(),
            },
            real_name: String::new(),
            location: String::new(),
            email: String::new(),
            computer: String::new(),
            hdid: String::new(),
            created_ip: String::new(),
            characters: Vec::new(),
        };
        let hex = "ab".repeat(32);
        let (name, stored) = checked_account(&account("Alice", "eoserv-sha256", &hex)).unwrap();
        assert_eq!(name, "alice");
        assert_eq!(stored, format!("$eoserv-sha256$s=c2FsdA,u=YWxpY2U${hex}"));
        assert!(checked_account(&account("a b", "eoserv-sha256", &hex)).is_err());
        assert!(checked_account(&account("alice", "md5", &hex)).is_err());
        assert!(checked_account(&account("alice", "eoserv-sha256", "short")).is_err());
    }
}
