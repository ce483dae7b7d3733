//! The crash tests' view of the server's database while no server runs: how much of each item
//! exists, and a known starting state written straight into it. Include it with
//! `#[path = "common/ledger.rs"] mod ledger;`.

#![allow(dead_code)] // each test file uses a part

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, params};

/// The equipment columns of `characters`: each holds one item id (0 for none).
pub const EQUIPMENT: [&str; 15] = [
    "boots",
    "accessory",
    "gloves",
    "belt",
    "armor",
    "necklace",
    "hat",
    "shield",
    "weapon",
    "ring1",
    "ring2",
    "armlet1",
    "armlet2",
    "bracer1",
    "bracer2",
];
/// Gold's item id (`characters.gold_bank` holds gold too).
pub const GOLD: i64 = 1;

pub fn open(path: &Path) -> Connection {
    Connection::open(path).expect("the database opens")
}

/// How much of each item exists, by item id: every table that holds items (a column `item_id`
/// with an `amount`: inventories, banks, and lockers, chests or ground items when they are
/// saved), the equipment, and the gold in banks. A table with an `item_id` but no `amount`
/// fails the test: this function must learn its shape, or an item could hide there.
pub fn totals(conn: &Connection) -> BTreeMap<i64, i64> {
    let mut totals = BTreeMap::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if !columns.iter().any(|c| c == "item_id") {
            continue;
        }
        assert!(
            columns.iter().any(|c| c == "amount"),
            "table {table} holds items without an `amount` column ({columns:?}): teach \
             ledger::totals its shape"
        );
        let mut query = conn
            .prepare(&format!(
                "SELECT item_id, SUM(amount) FROM \"{table}\" GROUP BY item_id"
            ))
            .unwrap();
        let rows = query
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))
            .unwrap();
        for row in rows {
            let (item, amount) = row.unwrap();
            *totals.entry(item).or_default() += amount;
        }
    }
    for column in EQUIPMENT {
        let mut query = conn
            .prepare(&format!(
                "SELECT {column}, COUNT(*) FROM characters WHERE {column} != 0 GROUP BY {column}"
            ))
            .unwrap();
        let rows = query
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))
            .unwrap();
        for row in rows {
            let (item, count) = row.unwrap();
            *totals.entry(item).or_default() += count;
        }
    }
    let banked: i64 = conn
        .query_row(
            "SELECT COALESCE(SUM(gold_bank), 0) FROM characters",
            [],
            |row| row.get(0),
        )
        .unwrap();
    if banked > 0 {
        *totals.entry(GOLD).or_default() += banked;
    }
    totals
}

/// Each item held by one character, where it is held ("inventory 1 x 500", "boots 9"), for
/// a failure message.
pub fn holdings(conn: &Connection, character_id: i64) -> Vec<String> {
    let mut held: Vec<String> = conn
        .prepare(
            "SELECT item_id, amount FROM character_inventory WHERE character_id = ?1 \
             ORDER BY item_id",
        )
        .unwrap()
        .query_map([character_id], |row| {
            Ok(format!(
                "item {} x {}",
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for column in EQUIPMENT {
        let item: i64 = conn
            .query_row(
                &format!("SELECT {column} FROM characters WHERE id = ?1"),
                [character_id],
                |row| row.get(0),
            )
            .unwrap();
        if item != 0 {
            held.push(format!("{column} {item}"));
        }
    }
    held
}

/// Gives a character exactly `inventory` (item id, amount) and `equipment` (column, item id),
/// nothing else, and puts it on `map` at (x, y).
pub fn set_character(
    conn: &mut Connection,
    character_id: i64,
    inventory: &[(i64, i64)],
    equipment: &[(&str, i64)],
    (map, x, y): (i64, u8, u8),
) {
    let tx = conn.transaction().unwrap();
    tx.execute(
        "DELETE FROM character_inventory WHERE character_id = ?1",
        [character_id],
    )
    .unwrap();
    for (item, amount) in inventory {
        tx.execute(
            "INSERT INTO character_inventory (character_id, item_id, amount) VALUES (?1, ?2, ?3)",
            params![character_id, item, amount],
        )
        .unwrap();
    }
    for column in EQUIPMENT {
        let item = equipment
            .iter()
            .find(|(c, _)| *c == column)
            .map_or(0, |(_, item)| *item);
        tx.execute(
            &format!("UPDATE characters SET {column} = ?1 WHERE id = ?2"),
            params![item, character_id],
        )
        .unwrap();
    }
    tx.execute(
        "UPDATE characters SET map = ?1, x = ?2, y = ?3 WHERE id = ?4",
        params![map, x, y, character_id],
    )
    .unwrap();
    tx.commit().unwrap();
}

/// Where a character is saved: (map, x, y).
pub fn position(conn: &Connection, character_id: i64) -> (i64, u8, u8) {
    conn.query_row(
        "SELECT map, x, y FROM characters WHERE id = ?1",
        [character_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .unwrap()
}

pub fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}
