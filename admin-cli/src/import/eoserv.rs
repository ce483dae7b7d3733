//! EOSERV's database (and its fork etheos's): the tables its install.sql makes.
//!
//! - `accounts`: keyed by `username` (lowercase); `password` is the lowercase hex sha256 of
//!   the server's `PasswordSalt` setting, the username and the password. etheos adds
//!   `password_version`: 1 is that sha256, 2 a bcrypt hash of the same three.
//! - `characters`: keyed by `name`, `account` names the account. Inventory and locker are text,
//!   `ID,AMOUNT;` per item; the paperdoll `ID,` for each of 15 slots in the protocol's order;
//!   spells `ID,LEVEL;`. Quest progress (`quest`, `vars`) and guild membership (`guild`,
//!   `guild_rank`) are columns too, and guilds a table of their own.
//! - Admin levels run 0 player, 1 guide, 2 guardian, 3 game master, 4 high game master: the
//!   protocol's levels 0, 2, 3, 4, 5 (it has a "spy" at 1 that EOSERV does not use).

use std::collections::HashMap;

use super::records::{Account, Character, NotYet, Password, Read};
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
    let mut quests = 0;
    let mut guild_members = 0;
    for row in characters.iter() {
        let name = row.text("name").unwrap_or_default();
        if characters.has_column("quest")
            && !row.text("quest").unwrap_or_default().trim().is_empty()
        {
            quests += 1;
        }
        if characters.has_column("guild")
            && !row.text("guild").unwrap_or_default().trim().is_empty()
        {
            guild_members += 1;
        }
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
    read.not_yet = vec![
        NotYet {
            what: "characters with quest progress".into(),
            count: quests,
        },
        NotYet {
            what: "guilds".into(),
            count: source.count("guilds")?,
        },
        NotYet {
            what: "characters in a guild".into(),
            count: guild_members,
        },
    ];
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
    })
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
    fn paperdolls() {
        let doll = paperdoll("0,0,0,0,12,0,0,0,3,0,0,0,0,0,0,").unwrap();
        assert_eq!((doll[4], doll[8]), (12, 3));
        assert_eq!(paperdoll("").unwrap(), [0; 15]);
        assert_eq!(paperdoll("5,").unwrap()[0], 5);
        assert!(paperdoll(&"1,".repeat(16)).is_err());
        assert!(paperdoll("x,").is_err());
    }
}
