//! reoserv's database: the tables of its migrations.
//!
//! - `accounts`: `id`, `name`, `password_hash` (an argon2 PHC string of the account's name
//!   followed by the password), `real_name`, `location`, `email`, `computer`, `hdid`.
//! - `characters`: `id`, `account_id`, the protocol's values by name (`admin_level` is the
//!   protocol's level), the paperdoll as 15 columns; `character_inventory` and
//!   `character_bank` (`character_id`, `item_id`, `quantity`) and `character_spells`
//!   (`character_id`, `spell_id`, `level`) as tables.
//! - Quest progress (`character_quest_progress`) and guilds (`guilds`, `guild_ranks`,
//!   `characters.guild_id`) have tables of their own.

use std::collections::HashMap;

use super::records::{Account, Character, NotYet, Password, Read};
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
    let mut guild_members = 0;
    for row in characters.iter() {
        let name = row.text("name").unwrap_or_default();
        if row.int("guild_id").ok().flatten().is_some() {
            guild_members += 1;
        }
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
    let quest_rows = source.count("character_quest_progress")?;
    read.not_yet = vec![
        NotYet {
            what: "quest progress records".into(),
            count: quest_rows,
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
    })
}
