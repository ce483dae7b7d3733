//! Moving a whole database to another backend: `eo-server --copy-database-to TARGET` copies
//! the configured database (SQLite, say) into a new one (PostgreSQL, say), or back.
//!
//! Both ends are opened as the server opens them (so both are migrated to this server's
//! schema), the source is read in one snapshot, and the target is written in one transaction:
//! a copy that fails leaves the target as empty as it was. Rows keep their ids, and the ids the
//! target assigns next continue after the source's (an id is never used twice, even the id of
//! an account deleted long ago). The target must hold no rows: a copy never merges.

use std::fmt;

use super::conn::{Cell, Conn, Dialect, Param, Tx, params};
use super::{DbError, Location, open_connection};

/// Every table, parents before children (for the foreign keys), each with the columns that
/// order its rows.
pub(crate) const TABLES: &[(&str, &str)] = &[
    ("accounts", "id"),
    ("guilds", "id"),
    ("characters", "id"),
    ("character_inventory", "character_id, slot, item_id"),
    ("character_bank", "character_id, slot, item_id"),
    ("character_spells", "character_id, slot, spell_id"),
    ("character_quests", "character_id, quest_id"),
    ("bans", "id"),
    ("audit", "id"),
    ("mutes", "character_id"),
    ("board_posts", "id"),
    ("jails", "character_id"),
];

/// The tables whose `id` the database assigns.
const ID_TABLES: &[&str] = &[
    "accounts",
    "guilds",
    "characters",
    "bans",
    "audit",
    "board_posts",
];

/// Rows read from the source at a time.
const PAGE: i64 = 5_000;

/// How many rows of each table were copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub rows: Vec<(&'static str, usize)>,
}

/// `accounts 2, characters 3, ...`
impl fmt::Display for CopyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .rows
            .iter()
            .map(|(table, rows)| format!("{table} {rows}"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// Copies every row of every table from `from` into `to` (see the module documentation).
/// It blocks: call it from a plain thread, not from an async runtime's.
pub fn copy_database(from: &Location, to: &Location) -> Result<CopyReport, DbError> {
    if from == to {
        return Err(DbError::Invalid(format!(
            "{from} is both the source and the target"
        )));
    }
    let mut source = open_connection(from)?;
    let mut target = open_connection(to)?;
    copy_all(&mut source, &mut target)
}

fn copy_all(source: &mut Conn, target: &mut Conn) -> Result<CopyReport, DbError> {
    let mut read = source.read_transaction()?;
    let mut write = target.transaction()?;
    let mut held = Vec::new();
    for (table, _) in TABLES {
        let rows: i64 = write.query_value(&format!("SELECT COUNT(*) FROM {table}"), params![])?;
        if rows > 0 {
            held.push(format!("{rows} {table}"));
        }
    }
    if !held.is_empty() {
        return Err(DbError::Invalid(format!(
            "the target database is not empty (it holds {}); copy into a new, empty database",
            held.join(", ")
        )));
    }
    let mut report = CopyReport::default();
    for &(table, order) in TABLES {
        report
            .rows
            .push((table, copy_table(&mut read, &mut write, table, order)?));
    }
    for table in ID_TABLES {
        let last = last_id(&mut read, table)?;
        set_last_id(&mut write, table, last)?;
    }
    write.commit()?;
    Ok(report)
}

/// Copies one table page by page; returns how many rows it had.
fn copy_table(
    read: &mut Tx<'_>,
    write: &mut Tx<'_>,
    table: &str,
    order: &str,
) -> Result<usize, DbError> {
    let select = format!("SELECT * FROM {table} ORDER BY {order} LIMIT ?1 OFFSET ?2");
    let mut copied = 0;
    loop {
        let offset = i64::try_from(copied).unwrap_or(i64::MAX);
        let rows: Vec<Vec<(String, Cell)>> = read.query(&select, params![PAGE, offset], |row| {
            let names = row.column_names();
            names
                .into_iter()
                .enumerate()
                .map(|(i, name)| Ok((name, row.cell(i)?)))
                .collect()
        })?;
        let Some(first) = rows.first() else {
            return Ok(copied);
        };
        let names: Vec<&str> = first.iter().map(|(name, _)| name.as_str()).collect();
        let numbers: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            numbers.join(", ")
        );
        for row in &rows {
            let values: Vec<&dyn Param> = row.iter().map(|(_, cell)| cell as &dyn Param).collect();
            write.execute(&insert, &values)?;
        }
        copied += rows.len();
    }
}

/// The highest id `table` has ever assigned: its highest id, or higher if rows were deleted.
fn last_id(conn: &mut Conn, table: &str) -> Result<i64, DbError> {
    let highest: i64 = conn.query_value(
        &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
        params![],
    )?;
    let sequence: Option<i64> = match conn.dialect() {
        Dialect::Sqlite => conn.query_opt(
            "SELECT seq FROM sqlite_sequence WHERE name = ?1",
            params![table],
            |row| row.get(0),
        )?,
        Dialect::Postgres => conn.query_value(
            "SELECT pg_sequence_last_value(pg_get_serial_sequence(?1, 'id')::regclass)",
            params![table],
        )?,
    };
    Ok(highest.max(sequence.unwrap_or(0)))
}

/// Makes `table` assign ids after `last`.
fn set_last_id(conn: &mut Conn, table: &str, last: i64) -> Result<(), DbError> {
    if last <= 0 {
        return Ok(());
    }
    match conn.dialect() {
        Dialect::Sqlite => {
            // Inserting rows with their ids has made the table's entry already, unless it has
            // no rows left.
            let updated = conn.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, ?2) WHERE name = ?1",
                params![table, last],
            )?;
            if updated == 0 {
                conn.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                    params![table, last],
                )?;
            }
        }
        Dialect::Postgres => {
            let _: i64 = conn.query_value(
                "SELECT setval(pg_get_serial_sequence(?1, 'id'), ?2)",
                params![table, last],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
