//! Schema migrations, run by the database thread before `Db::open` returns.
//!
//! The schema version is SQLite's `PRAGMA user_version`: the number of entries of [`MIGRATIONS`]
//! already applied. Each pending migration runs in its own transaction together with the bump of
//! `user_version`, so a failing migration leaves the database at the previous version.
//! Append new migrations at the end; never edit one that has shipped.

use rusqlite::{Connection, TransactionBehavior};

use super::DbError;

/// The migrations in order; entry `i` takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: accounts, characters, their items and spells, bans.
    r#"
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    real_name     TEXT    NOT NULL DEFAULT '',
    location      TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    computer      TEXT    NOT NULL DEFAULT '',
    hdid          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    last_login_at INTEGER,
    created_ip    TEXT    NOT NULL DEFAULT '',
    last_ip       TEXT
);

CREATE TABLE characters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    title        TEXT    NOT NULL DEFAULT '',
    home         TEXT    NOT NULL DEFAULT '',
    fiance       TEXT    NOT NULL DEFAULT '',
    partner      TEXT    NOT NULL DEFAULT '',
    admin_level  INTEGER NOT NULL DEFAULT 0 CHECK (admin_level BETWEEN 0 AND 255),
    class        INTEGER NOT NULL DEFAULT 0 CHECK (class BETWEEN 0 AND 255),
    gender       INTEGER NOT NULL DEFAULT 0 CHECK (gender BETWEEN 0 AND 255),
    race         INTEGER NOT NULL DEFAULT 0 CHECK (race BETWEEN 0 AND 255),
    hair_style   INTEGER NOT NULL DEFAULT 0 CHECK (hair_style BETWEEN 0 AND 255),
    hair_color   INTEGER NOT NULL DEFAULT 0 CHECK (hair_color BETWEEN 0 AND 255),
    skin         INTEGER NOT NULL DEFAULT 0 CHECK (skin BETWEEN 0 AND 255),
    map          INTEGER NOT NULL DEFAULT 0 CHECK (map BETWEEN 0 AND 65535),
    x            INTEGER NOT NULL DEFAULT 0 CHECK (x BETWEEN 0 AND 255),
    y            INTEGER NOT NULL DEFAULT 0 CHECK (y BETWEEN 0 AND 255),
    direction    INTEGER NOT NULL DEFAULT 0 CHECK (direction BETWEEN 0 AND 255),
    level        INTEGER NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 255),
    experience   INTEGER NOT NULL DEFAULT 0 CHECK (experience BETWEEN 0 AND 4294967295),
    hp           INTEGER NOT NULL DEFAULT 0 CHECK (hp BETWEEN 0 AND 65535),
    tp           INTEGER NOT NULL DEFAULT 0 CHECK (tp BETWEEN 0 AND 65535),
    str          INTEGER NOT NULL DEFAULT 0 CHECK (str BETWEEN 0 AND 65535),
    int          INTEGER NOT NULL DEFAULT 0 CHECK (int BETWEEN 0 AND 65535),
    wis          INTEGER NOT NULL DEFAULT 0 CHECK (wis BETWEEN 0 AND 65535),
    agi          INTEGER NOT NULL DEFAULT 0 CHECK (agi BETWEEN 0 AND 65535),
    con          INTEGER NOT NULL DEFAULT 0 CHECK (con BETWEEN 0 AND 65535),
    cha          INTEGER NOT NULL DEFAULT 0 CHECK (cha BETWEEN 0 AND 65535),
    stat_points  INTEGER NOT NULL DEFAULT 0 CHECK (stat_points BETWEEN 0 AND 65535),
    skill_points INTEGER NOT NULL DEFAULT 0 CHECK (skill_points BETWEEN 0 AND 65535),
    karma        INTEGER NOT NULL DEFAULT 0 CHECK (karma BETWEEN 0 AND 65535),
    sitting      INTEGER NOT NULL DEFAULT 0 CHECK (sitting BETWEEN 0 AND 255),
    hidden       INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    bank_level   INTEGER NOT NULL DEFAULT 0 CHECK (bank_level BETWEEN 0 AND 255),
    gold_bank    INTEGER NOT NULL DEFAULT 0 CHECK (gold_bank BETWEEN 0 AND 2147483647),
    usage        INTEGER NOT NULL DEFAULT 0 CHECK (usage BETWEEN 0 AND 4294967295),
    created_at   INTEGER NOT NULL,
    boots        INTEGER NOT NULL DEFAULT 0 CHECK (boots BETWEEN 0 AND 65535),
    accessory    INTEGER NOT NULL DEFAULT 0 CHECK (accessory BETWEEN 0 AND 65535),
    gloves       INTEGER NOT NULL DEFAULT 0 CHECK (gloves BETWEEN 0 AND 65535),
    belt         INTEGER NOT NULL DEFAULT 0 CHECK (belt BETWEEN 0 AND 65535),
    armor        INTEGER NOT NULL DEFAULT 0 CHECK (armor BETWEEN 0 AND 65535),
    necklace     INTEGER NOT NULL DEFAULT 0 CHECK (necklace BETWEEN 0 AND 65535),
    hat          INTEGER NOT NULL DEFAULT 0 CHECK (hat BETWEEN 0 AND 65535),
    shield       INTEGER NOT NULL DEFAULT 0 CHECK (shield BETWEEN 0 AND 65535),
    weapon       INTEGER NOT NULL DEFAULT 0 CHECK (weapon BETWEEN 0 AND 65535),
    ring1        INTEGER NOT NULL DEFAULT 0 CHECK (ring1 BETWEEN 0 AND 65535),
    ring2        INTEGER NOT NULL DEFAULT 0 CHECK (ring2 BETWEEN 0 AND 65535),
    armlet1      INTEGER NOT NULL DEFAULT 0 CHECK (armlet1 BETWEEN 0 AND 65535),
    armlet2      INTEGER NOT NULL DEFAULT 0 CHECK (armlet2 BETWEEN 0 AND 65535),
    bracer1      INTEGER NOT NULL DEFAULT 0 CHECK (bracer1 BETWEEN 0 AND 65535),
    bracer2      INTEGER NOT NULL DEFAULT 0 CHECK (bracer2 BETWEEN 0 AND 65535)
);
CREATE INDEX characters_account_id ON characters(account_id);

CREATE TABLE character_inventory (
    character_id INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL CHECK (item_id BETWEEN 1 AND 65535),
    amount       INTEGER NOT NULL CHECK (amount > 0 AND amount <= 2147483647),
    PRIMARY KEY (character_id, item_id)
);

CREATE TABLE character_bank (
    character_id INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL CHECK (item_id BETWEEN 1 AND 65535),
    amount       INTEGER NOT NULL CHECK (amount > 0 AND amount <= 2147483647),
    PRIMARY KEY (character_id, item_id)
);

CREATE TABLE character_spells (
    character_id INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    spell_id     INTEGER NOT NULL CHECK (spell_id BETWEEN 1 AND 65535),
    level        INTEGER NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 65535),
    PRIMARY KEY (character_id, spell_id)
);

CREATE TABLE bans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    ip         TEXT,
    reason     TEXT    NOT NULL DEFAULT '',
    banned_by  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    CHECK (account_id IS NOT NULL OR ip IS NOT NULL)
);
CREATE INDEX bans_account_id ON bans(account_id);
CREATE INDEX bans_ip ON bans(ip);
"#,
    // 2: the audit trail of administration.
    r#"
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    source    TEXT    NOT NULL,
    who       TEXT    NOT NULL,
    command   TEXT    NOT NULL,
    arguments TEXT    NOT NULL DEFAULT '{}',
    ok        INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error     TEXT
);
CREATE INDEX audit_at ON audit(at);
"#,
    // 3: mutes, which outlive a session (a muted player cannot log out to escape one).
    r#"
CREATE TABLE mutes (
    character_id INTEGER PRIMARY KEY REFERENCES characters(id) ON DELETE CASCADE,
    until        INTEGER NOT NULL
);
"#,
    // 4: the town boards' posts (db/boards.rs). A post goes with its author's character.
    r#"
CREATE TABLE board_posts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    board        INTEGER NOT NULL CHECK (board BETWEEN 1 AND 8),
    post_id      INTEGER NOT NULL CHECK (post_id BETWEEN 1 AND 64008),
    character_id INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (board, post_id)
);
CREATE INDEX board_posts_author ON board_posts(board, character_id, created_at);
"#,
];

/// The schema version stored in the database.
pub(crate) fn schema_version(conn: &Connection) -> Result<usize, DbError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    usize::try_from(version)
        .map_err(|_| DbError::Migration(format!("negative schema version {version}")))
}

/// Applies the entries of `migrations` not yet applied; returns how many ran.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<usize, DbError> {
    let current = schema_version(conn)?;
    if current > migrations.len() {
        return Err(DbError::Migration(format!(
            "the database has schema version {current}, newer than this server's {}",
            migrations.len()
        )));
    }
    for (index, sql) in migrations.iter().enumerate().skip(current) {
        let version = index + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|e| DbError::Migration(format!("migration {version} failed: {e}")))?;
        tx.pragma_update(None, "user_version", version as i64)?;
        tx.commit()?;
        tracing::info!(version, "applied database migration");
    }
    Ok(migrations.len() - current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use tempfile::TempDir;

    fn open_raw(dir: &TempDir) -> Connection {
        Connection::open(dir.path().join("raw.sqlite")).unwrap()
    }

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        stmt.query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migrates_an_empty_database() {
        let dir = TempDir::new().unwrap();
        let mut conn = open_raw(&dir);
        assert_eq!(schema_version(&conn).unwrap(), 0);
        assert_eq!(migrate(&mut conn, MIGRATIONS).unwrap(), MIGRATIONS.len());
        assert_eq!(schema_version(&conn).unwrap(), MIGRATIONS.len());
        assert_eq!(
            tables(&conn),
            [
                "accounts",
                "audit",
                "bans",
                "board_posts",
                "character_bank",
                "character_inventory",
                "character_spells",
                "characters",
                "mutes"
            ]
        );
        // A second run has nothing to do (migration 1 has no IF NOT EXISTS, so a re-run would fail).
        assert_eq!(migrate(&mut conn, MIGRATIONS).unwrap(), 0);
    }

    #[test]
    fn applies_only_new_migrations() {
        let dir = TempDir::new().unwrap();
        let mut conn = open_raw(&dir);
        let first = "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);";
        let second = "INSERT INTO t VALUES (2);";
        assert_eq!(migrate(&mut conn, &[first]).unwrap(), 1);
        assert_eq!(migrate(&mut conn, &[first, second]).unwrap(), 1);
        assert_eq!(migrate(&mut conn, &[first, second]).unwrap(), 0);
        let rows: Vec<i64> = conn
            .prepare("SELECT v FROM t ORDER BY v")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [1, 2]);
        assert_eq!(schema_version(&conn).unwrap(), 2);
    }

    #[test]
    fn a_failing_migration_is_rolled_back() {
        let dir = TempDir::new().unwrap();
        let mut conn = open_raw(&dir);
        let first = "CREATE TABLE t (v INTEGER);";
        let broken = "INSERT INTO t VALUES (5); THIS IS NOT SQL;";
        assert_eq!(migrate(&mut conn, &[first]).unwrap(), 1);
        assert!(matches!(
            migrate(&mut conn, &[first, broken]),
            Err(DbError::Migration(_))
        ));
        assert_eq!(schema_version(&conn).unwrap(), 1);
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = TempDir::new().unwrap();
        let mut conn = open_raw(&dir);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate(&mut conn, MIGRATIONS),
            Err(DbError::Migration(_))
        ));
    }

    #[tokio::test]
    async fn reopening_keeps_data_and_does_not_rerun() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("game.sqlite");
        let (db, thread) = Db::spawn(&path, 8).await.unwrap();
        let id = db
            .create_account(crate::db::NewAccount {
                username: "keeper".into(),
                password_hash: "h".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        drop(db);
        thread.join().unwrap();

        let db = Db::open(&path).await.unwrap();
        let account = db.account_by_name("keeper").await.unwrap().unwrap();
        assert_eq!(account.id, id);
        drop(db);

        let conn = Connection::open(&path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), MIGRATIONS.len());
        let journal: String = conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
    }
}
