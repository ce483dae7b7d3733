//! EOSERV's database (and its fork etheos's): the tables its install.sql makes.
//!
//! - `accounts`: keyed by `username` (lowercase); `password` is the lowercase hex sha256 of
//!   the server's `PasswordSalt` setting, the username and the password. etheos adds
//!   `password_version`: 1 is that sha256, 2 a bcrypt hash of the same three.
//! - `characters`: keyed by `name`, `account` names the account. Inventory and locker are text,
//!   `ID,AMOUNT;` per item; the paperdoll `ID,` for each of 15 slots in the protocol's order;
//!   spells `ID,LEVEL;`. Quest progress (`quest`: `ID,STATE,{COUNTERS};`) and guild membership
//!   (`guild` the tag, `guild_rank` 0 for the founder to 9) are columns too; `guilds` (keyed by
//!   `tag`; `ranks` the nine names, each followed by a comma) is a table of its own.
//! - Admin levels run 0 player, 1 guide, 2 guardian, 3 game master, 4 high game master: the
//!   protocol's levels 0, 2, 3, 4, 5 (it has a "spy" at 1 that EOSERV does not use).

use std::collections::HashMap;

use super::records::{Account, Character, Guild, Membership, NotYet, Password, Quest, Read};
use super::source::{Row, Source};

const SHA256: &str = "eoserv-sha256";
const BCRYPT: &str = "etheos-bcrypt";

/// Reads every account and character; `salt` is EOSERV's `PasswordSalt`.
pub fn read(source: &mut Source, salt: &[u8]) -> Result<Read, String> {
    for table in ["accounts", "characters"] {
        if !source.has_table(table)? {
            return Err(format!(
                "the database has no {table} table: is it EOSERV's?"
            ));
        }
    }
    let accounts = source.table("SELECT * FROM accounts")?;
    let characters = source.table("SELECT * FROM characters")?;
    let mut read = Read::default();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let versioned = accounts.has_column("password_version");
    for row in accounts.iter() {
        let name = row.text("username").unwrap_or_default();
        match account(row, salt, versioned) {
            Ok(account) => {
                by_name.insert(account.username.to_ascii_lowercase(), read.accounts.len());
                read.accounts.push(account);
            }
            Err(reason) => read.bad(format!("account {name}"), reason),
        }
    }
    for row in characters.iter() {
        let name = row.text("name").unwrap_or_default();
        let owner = row.text("account").unwrap_or_default();
        let Some(&index) = by_name.get(&owner.to_ascii_lowercase()) else {
            let reason = if owner.is_empty() {
                "it belongs to no account".to_owned()
            } else {
                format!("its account {owner} is not imported")
            };
            read.bad(format!("character {name}"), reason);
            continue;
        };
        match character(row) {
            Ok(character) => {
                if let Some(account) = read.accounts.get_mut(index) {
                    account.characters.push(character);
                }
            }
            Err(reason) => read.bad(format!("character {name}"), reason),
        }
    }
    if source.has_table("guilds")? {
        for row in source.table("SELECT * FROM guilds")?.iter() {
            let tag = row.text("tag").unwrap_or_default();
            match guild(row) {
                Ok(guild) => read.guilds.push(guild),
                Err(reason) => read.bad(format!("guild {tag}"), reason),
            }
        }
    }
    read.not_yet = vec![NotYet {
        what: "bans".into(),
        count: source.count("bans")?,
    }];
    read.set_aside_case_twins();
    Ok(read)
}

fn account(row: Row<'_>, salt: &[u8], versioned: bool) -> Result<Account, String> {
    let username = row.text("username")?;
    let scheme = match versioned
        .then(|| row.int("password_version"))
        .transpose()?
        .flatten()
    {
        None | Some(1) => SHA256,
        Some(2) => BCRYPT,
        Some(other) => return Err(format!("password_version {other} is not 1 nor 2")),
    };
    Ok(Account {
        password: Password::new(scheme, salt, &username, row.text("password")?),
        username,
        real_name: row.text("fullname")?,
        location: row.text("location")?,
        email: row.text("email")?,
        computer: row.text("computer")?,
        hdid: row.text("hdid")?,
        created_ip: row.text("regip")?,
        characters: Vec::new(),
    })
}

fn character(row: Row<'_>) -> Result<Character, String> {
    let admin = match row.num::<u8>("admin")? {
        0 => 0,
        level @ 1..=4 => level + 1,
        other => {
            return Err(format!(
                "admin: {other} is not an EOSERV admin level (0 to 4)"
            ));
        }
    };
    Ok(Character {
        name: row.text("name")?,
        title: row.text("title")?,
        home: row.text("home")?,
        fiance: row.text("fiance")?,
        partner: row.text("partner")?,
        admin_level: admin,
        class: row.num("class")?,
        gender: row.num("gender")?,
        race: row.num("race")?,
        hair_style: row.num("hairstyle")?,
        hair_color: row.num("haircolor")?,
        map: row.num("map")?,
        x: row.num("x")?,
        y: row.num("y")?,
        direction: row.num("direction")?,
        level: row.num("level")?,
        experience: row.num("exp")?,
        hp: row.num("hp")?,
        tp: row.num("tp")?,
        str: row.num("str")?,
        intl: row.num("int")?,
        wis: row.num("wis")?,
        agi: row.num("agi")?,
        con: row.num("con")?,
        cha: row.num("cha")?,
        stat_points: row.num("statpoints")?,
        skill_points: row.num("skillpoints")?,
        karma: row.num("karma")?,
        sitting: row.num("sitting")?,
        hidden: row.int("hidden")?.unwrap_or(0) != 0,
        bank_level: row.num("bankmax")?,
        gold_bank: row.num("goldbank")?,
        usage: row.num("usage")?,
        equipment: paperdoll(&row.text("paperdoll")?)?,
        inventory: pairs(&row.text("inventory")?, "inventory", 1)?,
        bank: pairs(&row.text("bank")?, "bank", 1)?,
        spells: pairs(&row.text("spells")?, "spells", 0)?,
        guild: membership(row)?,
        quests: if row.has("quest") {
            quests(&row.text("quest")?)?
        } else {
            Vec::new()
        },
    })
}

/// The character's guild: `guild` holds the tag, `guild_rank` 0 (the founder) to 9. EOSERV's
/// founder and its rank 1 share rank 1's name and powers; here both are leaders (rank 1).
fn membership(row: Row<'_>) -> Result<Option<Membership>, String> {
    if !row.has("guild") {
        return Ok(None);
    }
    let tag = row.text("guild")?.trim().to_owned();
    if tag.is_empty() {
        return Ok(None);
    }
    let rank = row.int("guild_rank")?.unwrap_or(9);
    let rank = u8::try_from(rank.max(1)).unwrap_or(u8::MAX);
    Ok(Some(Membership { tag, rank }))
}

/// A guild row: `ranks` is the nine rank names, each followed by a comma.
fn guild(row: Row<'_>) -> Result<Guild, String> {
    let ranks = row.text("ranks")?;
    let mut ranks: Vec<String> = ranks.split(',').map(str::to_owned).collect();
    if ranks.last().is_some_and(String::is_empty) {
        ranks.pop();
    }
    Ok(Guild {
        tag: row.text("tag")?,
        name: row.text("name")?,
        description: row.text("description")?,
        bank: row.num("bank")?,
        ranks,
        created_at: row.int("created")?,
    })
}

/// The `quest` column: `ID,STATE,{KEY=N,...};` for each quest (older saves have no braces or
/// no progress at all). EOSERV's counter keys become the server's: `killednpcs/ID` is
/// `npc/ID`, `useditem/ID` `item/ID`, `usedspell/ID` `spell/ID`, `killedplayers` `players`;
/// `r` is the last roll, `d` and `c` the daily count's day and count. Other keys are sent as
/// they are, and the server leaves them out with a note.
fn quests(text: &str) -> Result<Vec<Quest>, String> {
    let mut out = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let mut fields = part.splitn(3, ',');
        let id = fields.next().unwrap_or_default().trim();
        let quest_id: u16 = id
            .parse()
            .map_err(|_| format!("quest: {part:?} does not start with a quest id"))?;
        let state = fields.next().unwrap_or_default().trim().to_owned();
        if state.is_empty() {
            return Err(format!("quest: {part:?} has no state"));
        }
        let progress = fields.next().unwrap_or_default().trim();
        let progress = progress
            .strip_prefix('{')
            .map(|p| p.strip_suffix('}').unwrap_or(p))
            .unwrap_or("");
        let finished = state.eq_ignore_ascii_case("end");
        let mut quest = Quest {
            quest_id,
            state: Some(state),
            finished,
            completions: u32::from(finished),
            ..Quest::default()
        };
        for entry in progress.split(',').filter(|e| !e.is_empty()) {
            let parsed = entry
                .split_once('=')
                .and_then(|(key, n)| Some((key.trim(), n.trim().parse::<u32>().ok()?)));
            let Some((key, n)) = parsed else {
                return Err(format!("quest {quest_id}: {entry:?} is not KEY=NUMBER"));
            };
            match key {
                "r" => quest.roll = n,
                "d" => quest.daily_day = n,
                "c" => quest.daily_count = n,
                "killedplayers" => quest.counters.push(("players".into(), n)),
                _ => {
                    let key = match key.split_once('/') {
                        Some(("killednpcs", id)) => format!("npc/{id}"),
                        Some(("useditem", id)) => format!("item/{id}"),
                        Some(("usedspell", id)) => format!("spell/{id}"),
                        _ => key.to_owned(),
                    };
                    quest.counters.push((key, n));
                }
            }
        }
        out.push(quest);
    }
    Ok(out)
}

/// `ID,N;ID,N;...` (an item and its amount, a spell and its level): ids from 1, N at least
/// `least`.
fn pairs<N>(text: &str, column: &str, least: N) -> Result<Vec<(u16, N)>, String>
where
    N: std::str::FromStr + PartialOrd + Copy,
{
    let mut out = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = part.split_once(',').and_then(|(id, n)| {
            let id: u16 = id.trim().parse().ok().filter(|id| *id >= 1)?;
            let n: N = n.trim().parse().ok().filter(|n| *n >= least)?;
            Some((id, n))
        });
        match parsed {
            Some(pair) => out.push(pair),
            None => return Err(format!("{column}: {part:?} is not an id and a number")),
        }
    }
    Ok(out)
}

/// `ID,ID,...,` for the 15 slots (missing ones are empty).
fn paperdoll(text: &str) -> Result<[u16; 15], String> {
    let mut slots = [0u16; 15];
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let parts = match parts.split_last() {
        Some((&"", rest)) => rest,
        _ => &parts[..],
    };
    if parts.len() > slots.len() {
        return Err(format!("paperdoll: {} slots, not 15", parts.len()));
    }
    for (slot, part) in slots.iter_mut().zip(parts) {
        *slot = part
            .parse()
            .map_err(|_| format!("paperdoll: {part:?} is not an item id"))?;
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_and_spell_lists() {
        assert_eq!(
            pairs::<u32>("1,500;23,1;", "inventory", 1),
            Ok(vec![(1, 500), (23, 1)])
        );
        assert_eq!(pairs::<u32>("", "inventory", 1), Ok(vec![]));
        assert_eq!(pairs::<u16>("2,0;", "spells", 0), Ok(vec![(2, 0)]));
        assert!(pairs::<u32>("1,0;", "inventory", 1).is_err());
        assert!(pairs::<u32>("0,5;", "inventory", 1).is_err());
        assert!(pairs::<u32>("7;", "inventory", 1).is_err());
        assert!(pairs::<u32>("70000,1;", "inventory", 1).is_err());
    }

    #[test]
    fn quest_progress() {
        let list = quests("1,Hunt,{killednpcs/4=2,r=3};3,done,{d=20000,c=1};2,Begin;").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(
            (list[0].state.as_deref(), &list[0].counters, list[0].roll),
            (Some("Hunt"), &vec![("npc/4".to_owned(), 2)], 3)
        );
        assert_eq!((list[1].daily_day, list[1].daily_count), (20_000, 1));
        assert!(list[2].counters.is_empty());
        let ended = quests("5,end,{};").unwrap();
        assert!(ended[0].finished && ended[0].completions == 1);
        assert!(quests("x,Begin,{};").is_err());
        assert!(quests("1,Begin,{npc=x};").is_err());
        assert!(quests("1,;").is_err());
    }

    #[test]
    fn paperdolls() {
        let doll = paperdoll("0,0,0,0,12,0,0,0,3,0,0,0,0,0,0,").unwrap();
        assert_eq!((doll[4], doll[8]), (12, 3));
        assert_eq!(paperdoll("").unwrap(), [0; 15]);
        assert_eq!(paperdoll("5,").unwrap()[0], 5);
        assert!(paperdoll(&"1,".repeat(16)).is_err());
        assert!(paperdoll("x,").is_err());
    }
}
