//! Test-only: compiled under `#[cfg(test)]` (see `db/copy.rs`): the copy between backends.

use super::*;
use crate::db::characters::tests::new_character;
use crate::db::conn::SqlError;
use crate::db::testing::{PgSchema, account};
use crate::db::{Db, NewAudit, NewBan, NewBoardPost, PostLimits, QuestProgress, unix_now};
use tempfile::TempDir;

/// Runs blocking work (the copy, a bare connection) off the runtime's threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

/// Rows in every table, and an account deleted after its creation (so the highest id ever
/// assigned is not the highest id left); returns that deleted account's id.
async fn fill(db: &Db) -> i64 {
    let alice = account(db, "Alice").await;
    let bob = account(db, "bob").await;
    let gone = account(db, "gone").await;
    db.call(move |conn| {
        conn.execute("DELETE FROM accounts WHERE id = ?1", params![gone])?;
        Ok(())
    })
    .await
    .unwrap();
    let hero = db
        .create_character(alice, new_character("Hero"), 3)
        .await
        .unwrap();
    let mage = db
        .create_character(bob, new_character("mage"), 3)
        .await
        .unwrap();
    let mut saved = db.load_character(hero).await.unwrap().unwrap();
    saved.inventory = vec![(9, 1), (2, 50), (5, 3)];
    saved.bank = vec![(7, 7)];
    saved.spells = vec![(3, 1), (1, 2)];
    saved.quests = vec![QuestProgress {
        quest_id: 4,
        state: "hunt".into(),
        counters: vec![("npc/2".into(), 3)],
        ..QuestProgress::default()
    }];
    saved.title = "the Copied".into();
    saved.experience = 4_000_000_000;
    saved.hidden = true;
    db.save_characters(vec![saved.clone()]).await.unwrap();
    db.set_admin_level("Hero", 4).await.unwrap();
    // A guild led by Hero (its row and Hero's guild columns are copied too).
    let found = crate::db::GuildOp::Create(Box::new(crate::db::NewGuild {
        character_id: hero,
        cost: 0,
        tag: "CPY".into(),
        name: "Copiers".into(),
        description: "copied".into(),
        ranks: Default::default(),
        members: Vec::new(),
        now: 5,
    }));
    db.save_with_guild_ops(vec![saved], vec![found])
        .await
        .unwrap();
    db.add_ban(NewBan {
        account_id: Some(bob),
        ip: Some("2001:db8::1".into()),
        reason: "reason".into(),
        banned_by: "console".into(),
        expires_at: Some(unix_now() + 60),
    })
    .await
    .unwrap();
    db.add_ban(NewBan {
        ip: Some("10.0.0.1".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    db.add_audit(NewAudit {
        source: "control".into(),
        who: "uid 0".into(),
        command: "ban".into(),
        arguments: "{}".into(),
        error: Some("no such account".into()),
    })
    .await
    .unwrap();
    db.jail("mage".into(), "uid 0".into()).await.unwrap();
    db.set_mute("mage".into(), Some(unix_now() + 600))
        .await
        .unwrap();
    let limits = PostLimits {
        keep: 10,
        max_user_posts: 5,
        max_recent_posts: 5,
        recent_since: 0,
    };
    let post = NewBoardPost {
        board: 1,
        character_id: mage,
        subject: "hello".into(),
        body: "there".into(),
        now: 5,
    };
    db.add_board_post(post, limits).await.unwrap();
    gone
}

type Dump = Vec<(&'static str, Vec<Vec<(String, Cell)>>)>;

/// Every row of every table, each as its columns by name.
fn dump(location: &Location) -> Dump {
    let mut conn = open_connection(location).unwrap();
    TABLES
        .iter()
        .map(|&(table, order)| {
            let sql = format!("SELECT * FROM {table} ORDER BY {order}");
            let rows = conn
                .query(&sql, params![], |row| {
                    let mut cells = row
                        .column_names()
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| Ok((name, row.cell(i)?)))
                        .collect::<Result<Vec<_>, SqlError>>()?;
                    cells.sort_by(|a, b| a.0.cmp(&b.0));
                    Ok(cells)
                })
                .unwrap();
            (table, rows)
        })
        .collect()
}

async fn copies_every_table(from: Location, to: Location) {
    let source = Db::open_at(&from).await.unwrap();
    let gone = fill(&source).await;
    let hero = source.admin_level_of("hero").await.unwrap();
    drop(source);

    let report = blocking({
        let (from, to) = (from.clone(), to.clone());
        move || copy_database(&from, &to)
    })
    .await
    .unwrap();
    assert_eq!(
        report.to_string(),
        "accounts 2, guilds 1, characters 2, character_inventory 3, character_bank 1, character_spells 2, character_quests 1, bans 2, audit 1, mutes 1, board_posts 1, jails 1"
    );
    let (source_rows, target_rows) = blocking({
        let (from, to) = (from.clone(), to.clone());
        move || (dump(&from), dump(&to))
    })
    .await;
    assert_eq!(source_rows, target_rows);

    let target = Db::open_at(&to).await.unwrap();
    assert_eq!(target.admin_level_of("HERO").await.unwrap(), hero);
    let alice = target.account_by_name("alice").await.unwrap().unwrap();
    let characters = target.characters_of(alice.id).await.unwrap();
    let copied = target
        .load_character(characters[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        copied.inventory,
        [(9, 1), (2, 50), (5, 3)],
        "in their order"
    );
    assert_eq!(copied.spells, [(3, 1), (1, 2)]);
    assert_eq!(
        target
            .create_account(crate::db::NewAccount {
                username: "ALICE".into(),
                ..Default::default()
            })
            .await,
        Err(DbError::AccountExists),
        "names stay unique whatever their case"
    );
    let next = account(&target, "newcomer").await;
    assert!(next > gone, "{next} reuses an id up to {gone}");
    drop(target);

    // A second copy would merge: refused, and the target is left as it was.
    let again = blocking({
        let (from, to) = (from.clone(), to.clone());
        move || copy_database(&from, &to)
    })
    .await;
    let Err(DbError::Invalid(why)) = again else {
        panic!("copied onto a database with rows: {again:?}");
    };
    assert!(
        why.contains("not empty") && why.contains("3 accounts"),
        "{why}"
    );
}

#[tokio::test]
async fn sqlite_to_sqlite() {
    let dir = TempDir::new().unwrap();
    copies_every_table(
        Location::Sqlite(dir.path().join("from.sqlite")),
        Location::Sqlite(dir.path().join("to.sqlite")),
    )
    .await;
}

#[tokio::test]
async fn sqlite_to_postgres() {
    let Some(schema) = blocking(PgSchema::create).await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    copies_every_table(
        Location::Sqlite(dir.path().join("from.sqlite")),
        Location::Postgres(schema.url.clone()),
    )
    .await;
    blocking(move || drop(schema)).await;
}

#[tokio::test]
async fn postgres_to_sqlite() {
    let Some(schema) = blocking(PgSchema::create).await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    copies_every_table(
        Location::Postgres(schema.url.clone()),
        Location::Sqlite(dir.path().join("to.sqlite")),
    )
    .await;
    blocking(move || drop(schema)).await;
}

/// A table added by a migration must be added to [`TABLES`] too, or it would not be copied.
#[test]
fn every_table_is_copied() {
    let dir = TempDir::new().unwrap();
    let mut conn = open_connection(&Location::Sqlite(dir.path().join("t.sqlite"))).unwrap();
    let mut tables: Vec<String> = conn
        .query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            params![],
            |row| row.get(0),
        )
        .unwrap();
    tables.sort();
    let mut copied: Vec<&str> = TABLES.iter().map(|(table, _)| *table).collect();
    copied.sort_unstable();
    assert_eq!(tables, copied);
}

#[test]
fn a_database_is_not_copied_onto_itself() {
    let same = Location::Sqlite("same.sqlite".into());
    assert!(matches!(
        copy_database(&same, &same),
        Err(DbError::Invalid(_))
    ));
}
