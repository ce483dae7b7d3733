//! reoserv's database: the tables of its migrations.
//!
//! - `accounts`: `id`, `name`, `password_hash` (an argon2 PHC string of the account's name
//!   followed by the password), `real_name`, `location`, `email`, `computer`, `hdid`.
//! - `characters`: `id`, `account_id`, the protocol's values by name (`admin_level` is the
//!   protocol's level), the paperdoll as 15 columns; `character_inventory` and
//!   `character_bank` (`character_id`, `item_id`, `quantity`) and `character_spells`
//!   (`character_id`, `spell_id`, `level`) as tables.
//! - Quest progress (`character_quest_progress`: the state by its position in the quest
//!   file) and guilds (`guilds`, `guild_ranks`, `characters.guild_id` and `guild_rank`) have
//!   tables of their own.

use std::collections::HashMap;

use super::records::{Account, Character, Guild, Membership, NotYet, Password, Quest, Read};
use super::source::{Row, Source, Table};

const ARGON2: &str = "reoserv-argon2";

/// The paperdoll columns in the protocol's order.
const PAPERDOLL: [&str; 15] = [
    "boots",
    "accessory",
    "gloves",
    "belt",
    "armor",
    "necklace",
    "hat",
    "shield",
    "weapon",
    "ring",
    "ring2",
    "armlet",
    "armlet2",
    "bracer",
    "bracer2",
];

/// Reads every account and character.
pub fn read(source: &mut Source) -> Result<Read, String> {
    for table in [
        "accounts",
        "characters",
        "character_inventory",
        "character_bank",
        "character_spells",
    ] {
        if !source.has_table(table)? {
            return Err(format!(
                "the database has no {table} table: is it reoserv's?"
            ));
        }
    }
    let accounts = source.table("SELECT * FROM accounts ORDER BY id")?;
    let characters = source.table("SELECT * FROM characters ORDER BY id")?;
    let inventory = owned(
        &source.table("SELECT * FROM character_inventory")?,
        "item_id",
        "quantity",
    )?;
    let bank = owned(
        &source.table("SELECT * FROM character_bank")?,
        "item_id",
        "quantity",
    )?;
    let spells = owned(
        &source.table("SELECT * FROM character_spells")?,
        "spell_id",
        "level",
    )?;
    let mut read = Read::default();
    let mut by_id: HashMap<i64, usize> = HashMap::new();
    for row in accounts.iter() {
        let name = row.text("name").unwrap_or_default();
        match account(row) {
            Ok((id, account)) => {
                by_id.insert(id, read.accounts.len());
                read.accounts.push(account);
            }
            Err(reason) => read.bad(format!("account {name}"), reason),
        }
    }
    let quests = quest_progress(source)?;
    let guilds = guild_tags(source, &mut read)?;
    for row in characters.iter() {
        let name = row.text("name").unwrap_or_default();
        let owner = row.int("account_id").ok().flatten();
        let Some(&index) = owner.and_then(|id| by_id.get(&id)) else {
            let reason = format!("its account (id {owner:?}) is not imported");
            read.bad(format!("character {name}"), reason);
            continue;
        };
        let id = row.int("id").ok().flatten().unwrap_or(-1);
        let made = character(row).and_then(|mut character| {
            character.inventory = list(&inventory, id, "inventory")?;
            character.bank = list(&bank, id, "bank")?;
            character.spells = list(&spells, id, "spells")?;
            character.quests = quests
                .get(&id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect::<Result<_, _>>()?;
            character.guild = membership(row, &guilds)?;
            Ok(character)
        });
        match made {
            Ok(character) => {
                if let Some(account) = read.accounts.get_mut(index) {
                    account.characters.push(character);
                }
            }
            Err(reason) => read.bad(format!("character {name}"), reason),
        }
    }
    read.not_yet = vec![NotYet {
        what: "bans".into(),
        count: source.count("bans")?,
    }];
    read.set_aside_case_twins();
    Ok(read)
}

/// Rows of a per-character table: character id to (id, number) in table order. A row that
/// does not read is kept as its error, for its character to be refused with.
type Owned = HashMap<i64, Vec<Result<(i64, i64), String>>>;

fn owned(table: &Table, id: &str, number: &str) -> Result<Owned, String> {
    let mut out: Owned = HashMap::new();
    for row in table.iter() {
        let Some(owner) = row.int("character_id")? else {
            continue;
        };
        let pair = (|| {
            let id = row.int(id)?.ok_or_else(|| format!("{id} is NULL"))?;
            Ok((id, row.int(number)?.unwrap_or(0)))
        })();
        out.entry(owner).or_default().push(pair);
    }
    Ok(out)
}

/// The character's rows of one per-character table, in range.
fn list<N: TryFrom<i64>>(
    rows: &Owned,
    character: i64,
    what: &str,
) -> Result<Vec<(u16, N)>, String> {
    let mut out = Vec::new();
    for pair in rows.get(&character).into_iter().flatten() {
        let (id, n) = pair.clone().map_err(|e| format!("{what}: {e}"))?;
        let parsed = u16::try_from(id).ok().zip(N::try_from(n).ok());
        match parsed {
            Some(pair) => out.push(pair),
            None => return Err(format!("{what}: {id} × {n} is out of range")),
        }
    }
    Ok(out)
}

/// The guilds (`guilds`, with their rank names from `guild_ranks` by `index` 0 to 8) into
/// `read`; answers each guild's tag by its id.
fn guild_tags(source: &mut Source, read: &mut Read) -> Result<HashMap<i64, String>, String> {
    let mut tags = HashMap::new();
    if !source.has_table("guilds")? {
        return Ok(tags);
    }
    let mut ranks: HashMap<i64, Vec<String>> = HashMap::new();
    if source.has_table("guild_ranks")? {
        for row in source.table("SELECT * FROM guild_ranks")?.iter() {
            let (Some(guild), Some(index)) = (row.int("guild_id")?, row.int("index")?) else {
                continue;
            };
            let names = ranks.entry(guild).or_default();
            let Some(index) = usize::try_from(index).ok().filter(|i| *i < 9) else {
                continue;
            };
            if names.len() <= index {
                names.resize(index + 1, String::new());
            }
            if let Some(slot) = names.get_mut(index) {
                *slot = row.text("rank")?;
            }
        }
    }
    for row in source.table("SELECT * FROM guilds ORDER BY id")?.iter() {
        let tag = row.text("tag").unwrap_or_default();
        let made = (|| {
            let id = row.int("id")?.ok_or("id is NULL")?;
            let guild = Guild {
                tag: row.text("tag")?,
                name: row.text("name")?,
                description: row.text("description")?,
                bank: row.num("bank")?,
                ranks: ranks.remove(&id).unwrap_or_default(),
                created_at: unix_seconds(&row.text("created_at")?),
            };
            Ok::<_, String>((id, guild))
        })();
        match made {
            Ok((id, guild)) => {
                tags.insert(id, guild.tag.clone());
                read.guilds.push(guild);
            }
            Err(reason) => read.bad(format!("guild {tag}"), reason),
        }
    }
    Ok(tags)
}

/// The character's guild (`guild_id`, one of `tags`, the guilds read) and rank (`guild_rank`,
/// 1 the leader to 9).
fn membership(row: Row<'_>, tags: &HashMap<i64, String>) -> Result<Option<Membership>, String> {
    if !row.has("guild_id") {
        return Ok(None);
    }
    let Some(guild) = row.int("guild_id")? else {
        return Ok(None);
    };
    // A guild that could not be read is listed as such; its members come guildless (a
    // membership never keeps a character out).
    let Some(tag) = tags.get(&guild) else {
        return Ok(None);
    };
    let rank = row.int("guild_rank")?.unwrap_or(9);
    Ok(Some(Membership {
        tag: tag.clone(),
        rank: u8::try_from(rank).unwrap_or(u8::MAX),
    }))
}

/// Quest progress by character id: `state` is the state's position in the quest file,
/// `npc_kills` a JSON object of NPC id to kills, `done_at` set once the quest ended (or a
/// daily run was done that day), `completions` the daily runs done. A row that does not read
/// is kept as its error, for its character to be refused with.
fn quest_progress(source: &mut Source) -> Result<HashMap<i64, Vec<Result<Quest, String>>>, String> {
    let mut out: HashMap<i64, Vec<Result<Quest, String>>> = HashMap::new();
    if !source.has_table("character_quest_progress")? {
        return Ok(out);
    }
    let table = source.table("SELECT * FROM character_quest_progress ORDER BY quest_id")?;
    for row in table.iter() {
        let Some(owner) = row.int("character_id")? else {
            continue;
        };
        let quest = (|| {
            let done_at = row.text("done_at")?;
            let done_day = unix_seconds(&done_at).map(|secs| secs.div_euclid(86_400));
            let completions: u32 = row.num("completions")?;
            let mut counters = npc_kills(&row.text("npc_kills")?)?;
            let players: u32 = row.num("player_kills")?;
            if players > 0 {
                counters.push(("players".to_owned(), players));
            }
            Ok(Quest {
                quest_id: row.num("quest_id")?,
                state: None,
                state_index: Some(row.num("state")?),
                finished: done_day.is_some(),
                counters,
                roll: 0,
                daily_day: done_day.and_then(|d| u32::try_from(d).ok()).unwrap_or(0),
                daily_count: completions,
                completions,
            })
        })()
        .map_err(|e: String| format!("quest progress: {e}"));
        out.entry(owner).or_default().push(quest);
    }
    Ok(out)
}

/// `{"ID":KILLS,...}` as reoserv writes it (empty: none).
fn npc_kills(text: &str) -> Result<Vec<(String, u32)>, String> {
    let inner = text.trim();
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    let inner = inner
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or_else(|| format!("npc_kills: {text:?} is not an object"))?;
    let mut out = Vec::new();
    for entry in inner.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let parsed = entry.split_once(':').and_then(|(id, kills)| {
            let id: u16 = id.trim().trim_matches('"').parse().ok()?;
            let kills: u32 = kills.trim().parse().ok()?;
            Some((format!("npc/{id}"), kills))
        });
        out.push(parsed.ok_or_else(|| format!("npc_kills: {entry:?} is not \"ID\":KILLS"))?);
    }
    Ok(out)
}

/// `YYYY-MM-DD HH:MM:SS` (SQLite's and MySQL's DATETIME, UTC) as Unix seconds; `None` for
/// an empty or unreadable text.
fn unix_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once([' ', 'T']).unwrap_or((text, "00:00:00"));
    let mut date = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut time = time
        .split(':')
        .map(|p| p.split('.').next().unwrap_or(p).parse::<i64>().ok());
    let (hour, minute, second) = (
        time.next().flatten().unwrap_or(0),
        time.next().flatten().unwrap_or(0),
        time.next().flatten().unwrap_or(0),
    );
    // Days from 1970-01-01 to the date (the proleptic Gregorian calendar).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

fn account(row: Row<'_>) -> Result<(i64, Account), String> {
    let id = row.int("id")?.ok_or("id is NULL")?;
    let username = row.text("name")?;
    Ok((
        id,
        Account {
            password: Password::new(ARGON2, &[], &username, row.text("password_hash")?),
            username,
            real_name: row.text("real_name")?,
            location: row.text("location")?,
            email: row.text("email")?,
            computer: row.text("computer")?,
            hdid: row.text("hdid")?,
            created_ip: String::new(),
            characters: Vec::new(),
        },
    ))
}

fn character(row: Row<'_>) -> Result<Character, String> {
    let mut equipment = [0u16; 15];
    for (slot, column) in equipment.iter_mut().zip(PAPERDOLL) {
        *slot = row.num(column)?;
    }
    Ok(Character {
        name: row.text("name")?,
        title: row.text("title")?,
        home: row.text("home")?,
        fiance: row.text("fiance")?,
        partner: row.text("partner")?,
        admin_level: row.num("admin_level")?,
        class: row.num("class")?,
        gender: row.num("gender")?,
        race: row.num("race")?,
        hair_style: row.num("hair_style")?,
        hair_color: row.num("hair_color")?,
        map: row.num("map")?,
        x: row.num("x")?,
        y: row.num("y")?,
        direction: row.num("direction")?,
        level: row.num("level")?,
        experience: row.num("experience")?,
        hp: row.num("hp")?,
        tp: row.num("tp")?,
        str: row.num("strength")?,
        intl: row.num("intelligence")?,
        wis: row.num("wisdom")?,
        agi: row.num("agility")?,
        con: row.num("constitution")?,
        cha: row.num("charisma")?,
        stat_points: row.num("stat_points")?,
        skill_points: row.num("skill_points")?,
        karma: row.num("karma")?,
        sitting: row.num("sitting")?,
        hidden: row.int("hidden")?.unwrap_or(0) != 0,
        bank_level: row.num("bank_level")?,
        gold_bank: row.num("gold_bank")?,
        usage: row.num("usage")?,
        equipment,
        inventory: Vec::new(),
        bank: Vec::new(),
        spells: Vec::new(),
        guild: None,
        quests: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        assert_eq!(unix_seconds("1970-01-01 00:00:00"), Some(0));
        assert_eq!(unix_seconds("2024-02-29 12:30:05"), Some(1_709_209_805));
        assert_eq!(unix_seconds("2000-03-01T00:00:00.123"), Some(951_868_800));
        assert_eq!(unix_seconds(""), None);
        assert_eq!(unix_seconds("2024-13-01 00:00:00"), None);
    }

    #[test]
    fn kills() {
        assert_eq!(
            npc_kills(r#"{"4":2,"7":10}"#),
            Ok(vec![("npc/4".to_owned(), 2), ("npc/7".to_owned(), 10)])
        );
        assert_eq!(npc_kills("{}"), Ok(vec![]));
        assert_eq!(npc_kills(""), Ok(vec![]));
        assert_eq!(
            npc_kills("[1]"),
            Err("npc_kills: \"[1]\" is not an object".to_owned())
        );
        assert!(npc_kills(r#"{"x":1}"#).is_err());
    }
}
