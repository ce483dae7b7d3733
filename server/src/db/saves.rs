//! Saving characters: `save_characters` writes a batch of characters (their `characters` rows
//! and their `character_inventory`, `character_bank` and `character_spells` rows) as one
//! transaction. The save path (`crate::save`) relies on that: see its documentation.

use std::sync::OnceLock;

use super::conn::{Conn, Param, SqlError, Value, params};
use super::guilds::{GuildOp, GuildOpOutcome, run_op};
use super::{Character, Db, DbError, SaveReport};

impl Db {
    /// Saves the characters in ONE transaction (see the save path, `crate::save`). Writes every
    /// column except `id`, `account_id`, `name`, `created_at`, `admin_level` (that one is
    /// only ever written by [`Db::set_admin_level`], so a save in flight cannot undo a
    /// promotion), `guild_id` and `guild_rank` (written by guild actions only, so a save
    /// cannot undo a kick made while the member played elsewhere), and replaces the inventory,
    /// bank, spell and quest rows.
    ///
    /// A character whose row breaks a constraint (an amount of 0 or above `i32::MAX`, an item
    /// id listed twice) is refused alone, rolled back to its savepoint and logged, and the rest
    /// are committed: a broken character must not stop every other save for good. A character
    /// whose id no longer exists is skipped (and logged). Any other error (an I/O error, a
    /// busy database, a lost connection) fails the whole batch, which then changes nothing.
    pub async fn save_characters(&self, characters: Vec<Character>) -> Result<SaveReport, DbError> {
        self.call(move |conn| save_batch(conn, &characters, &[]).map(|(report, _)| report))
            .await
    }

    /// Saves the characters as [`Db::save_characters`] does and then, in the same
    /// transaction, runs the guild actions that move their gold (db/guilds.rs): either the
    /// character's state without the gold and the guild's change are both committed, or
    /// neither. An action whose character was not written (refused, missing) is refused; a
    /// refused action's gold is put back in the character's inventory row.
    pub async fn save_with_guild_ops(
        &self,
        characters: Vec<Character>,
        ops: Vec<GuildOp>,
    ) -> Result<(SaveReport, Vec<GuildOpOutcome>), DbError> {
        self.call(move |conn| save_batch(conn, &characters, &ops))
            .await
    }
}

impl Db {
    /// Writes to the `characters` row of `after` the columns a save writes whose values differ
    /// from `before`'s (the same character as it was loaded), in one durable UPDATE; answers
    /// the columns written (`NotFound` if the row is gone). For an operator's change of a
    /// character nobody plays (`set`, whose command holds the account meanwhile, so no login
    /// reads or saves it): a column it does not change keeps what the database has.
    pub async fn write_changed_columns(
        &self,
        before: Character,
        after: Character,
    ) -> Result<Vec<&'static str>, DbError> {
        self.call_durable(move |conn| {
            let (old, new) = (saved_columns(&before), saved_columns(&after));
            let changed: Vec<(&'static str, &dyn Param)> = new
                .iter()
                .zip(old.iter())
                .filter(|((_, now), (_, was))| now.value() != was.value())
                .map(|((name, now), _)| (*name, *now))
                .collect();
            if changed.is_empty() {
                return Ok(Vec::new());
            }
            let sets: Vec<String> = changed
                .iter()
                .zip(1..)
                .map(|((name, _), i)| format!("{name} = ?{i}"))
                .collect();
            let sql = format!(
                "UPDATE characters SET {} WHERE id = ?{}",
                sets.join(", "),
                changed.len() + 1
            );
            let mut values: Vec<&dyn Param> = changed.iter().map(|(_, value)| *value).collect();
            values.push(&after.id);
            if conn.execute(&sql, &values)? == 0 {
                return Err(DbError::NotFound);
            }
            Ok(changed.into_iter().map(|(name, _)| name).collect())
        })
        .await
    }
}

fn save_batch(
    conn: &mut Conn,
    characters: &[Character],
    ops: &[GuildOp],
) -> Result<(SaveReport, Vec<GuildOpOutcome>), DbError> {
    let mut tx = conn.transaction()?;
    let mut report = SaveReport::default();
    for character in characters {
        tx.savepoint("one_character")?;
        match save_one(&mut tx, character) {
            Ok(true) => report.saved += 1,
            Ok(false) => {
                tracing::warn!(
                    id = character.id,
                    name = %character.name,
                    "not saving a character that is no longer in the database"
                );
                report.missing.push(character.id);
            }
            Err(error) if error.is_constraint_violation() => {
                // On PostgreSQL this is also what lets the transaction go on after an error.
                tx.rollback_to("one_character")?;
                tracing::error!(
                    id = character.id,
                    name = %character.name,
                    %error,
                    "a character's state breaks the database's rules; it was NOT saved"
                );
                report.refused.push(character.id);
            }
            Err(error) => return Err(error.into()),
        }
        tx.release("one_character")?;
    }
    let mut outcomes = Vec::with_capacity(ops.len());
    for op in ops {
        let id = op.character_id();
        let written = characters.iter().any(|c| c.id == id)
            && !report.missing.contains(&id)
            && !report.refused.contains(&id);
        if !written {
            outcomes.push(GuildOpOutcome::Refused);
            continue;
        }
        tx.savepoint("guild_op")?;
        match run_op(&mut tx, op) {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) if error.is_constraint_violation() => {
                tx.rollback_to("guild_op")?;
                tracing::warn!(%error, ?op, "a guild action broke the database's rules; refused");
                outcomes.push(GuildOpOutcome::Refused);
            }
            Err(error) => return Err(error.into()),
        }
        tx.release("guild_op")?;
    }
    tx.commit()?;
    Ok((report, outcomes))
}

/// Every column a save writes, with the character's value for it.
fn saved_columns(c: &Character) -> [(&'static str, &dyn Param); 47] {
    let e = &c.equipment;
    [
        ("title", &c.title),
        ("home", &c.home),
        ("fiance", &c.fiance),
        ("partner", &c.partner),
        ("class", &c.class),
        ("gender", &c.gender),
        ("race", &c.race),
        ("hair_style", &c.hair_style),
        ("hair_color", &c.hair_color),
        ("skin", &c.skin),
        ("map", &c.map),
        ("x", &c.x),
        ("y", &c.y),
        ("direction", &c.direction),
        ("level", &c.level),
        ("experience", &c.experience),
        ("hp", &c.hp),
        ("tp", &c.tp),
        ("str", &c.str),
        ("int", &c.intl),
        ("wis", &c.wis),
        ("agi", &c.agi),
        ("con", &c.con),
        ("cha", &c.cha),
        ("stat_points", &c.stat_points),
        ("skill_points", &c.skill_points),
        ("karma", &c.karma),
        ("sitting", &c.sitting),
        ("hidden", &c.hidden),
        ("bank_level", &c.bank_level),
        ("gold_bank", &c.gold_bank),
        ("usage", &c.usage),
        ("boots", &e.boots),
        ("accessory", &e.accessory),
        ("gloves", &e.gloves),
        ("belt", &e.belt),
        ("armor", &e.armor),
        ("necklace", &e.necklace),
        ("hat", &e.hat),
        ("shield", &e.shield),
        ("weapon", &e.weapon),
        ("ring1", &e.ring[0]),
        ("ring2", &e.ring[1]),
        ("armlet1", &e.armlet[0]),
        ("armlet2", &e.armlet[1]),
        ("bracer1", &e.bracer[0]),
        ("bracer2", &e.bracer[1]),
    ]
}

/// `UPDATE characters SET title = ?1, ... WHERE id = ?48`, made once from [`saved_columns`].
fn update_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let blank = Character::default();
        let columns = saved_columns(&blank);
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (name, _))| format!("{name} = ?{}", i + 1))
            .collect();
        format!(
            "UPDATE characters SET {} WHERE id = ?{}",
            sets.join(", "),
            columns.len() + 1
        )
    })
}

/// Writes one character inside the batch's transaction; false if its row does not exist.
fn save_one(tx: &mut Conn, c: &Character) -> Result<bool, SqlError> {
    let mut values: Vec<&dyn Param> = saved_columns(c).iter().map(|(_, v)| *v).collect();
    values.push(&c.id);
    if tx.execute(update_sql(), &values)? == 0 {
        return Ok(false);
    }
    replace_pairs(tx, &INVENTORY, c.id, &c.inventory)?;
    replace_pairs(tx, &BANK, c.id, &c.bank)?;
    replace_pairs(tx, &SPELLS, c.id, &c.spells)?;
    super::quests::replace(tx, c.id, &c.quests)?;
    Ok(true)
}

/// A table of a character's (id, amount or level) pairs, and how a save replaces its rows.
struct PairTable {
    delete: &'static str,
    /// Numbers the rows in order (`slot`, which loading orders by).
    insert: &'static str,
}

const INVENTORY: PairTable = PairTable {
    delete: "DELETE FROM character_inventory WHERE character_id = ?1",
    insert: "INSERT INTO character_inventory (character_id, slot, item_id, amount)
             VALUES (?1, ?2, ?3, ?4)",
};

const BANK: PairTable = PairTable {
    delete: "DELETE FROM character_bank WHERE character_id = ?1",
    insert: "INSERT INTO character_bank (character_id, slot, item_id, amount)
             VALUES (?1, ?2, ?3, ?4)",
};

const SPELLS: PairTable = PairTable {
    delete: "DELETE FROM character_spells WHERE character_id = ?1",
    insert: "INSERT INTO character_spells (character_id, slot, spell_id, level)
             VALUES (?1, ?2, ?3, ?4)",
};

/// Replaces the character's rows of `table` with `pairs`, in order.
fn replace_pairs<A: Param, B: Param>(
    tx: &mut Conn,
    table: &PairTable,
    character_id: i64,
    pairs: &[(A, B)],
) -> Result<(), SqlError> {
    tx.execute(table.delete, params![character_id])?;
    tx.execute_each(
        table.insert,
        pairs.iter().zip(0_i64..).map(|((key, value), slot)| {
            [
                Value::Int(character_id),
                Value::Int(slot),
                key.value(),
                value.value(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use crate::db::characters::tests::new_character;
    use crate::db::testing::*;
    use crate::db::*;

    fn full_character(base: Character) -> Character {
        Character {
            title: "the Brave".into(),
            home: "Aeven".into(),
            fiance: "Someone".into(),
            partner: "Other".into(),
            admin_level: 4,
            class: 3,
            gender: 0,
            race: 2,
            hair_style: 20,
            hair_color: 9,
            skin: 5,
            map: 65535,
            x: 255,
            y: 254,
            direction: 3,
            level: 250,
            experience: 4_000_000_000,
            hp: 64000,
            tp: 32000,
            str: 10000,
            intl: 9999,
            wis: 1234,
            agi: 555,
            con: 66,
            cha: 7,
            stat_points: 300,
            skill_points: 120,
            karma: 2000,
            sitting: 2,
            hidden: true,
            bank_level: 7,
            gold_bank: i32::MAX as u32,
            usage: 123_456,
            equipment: Equipment::from_array([
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 65535,
            ]),
            inventory: vec![(1, i32::MAX as u32), (300, 1), (2, 5), (65535, 17)],
            bank: vec![(9, 99), (4, 1)],
            spells: vec![(12, 3), (1, 0), (65535, 65535)],
            quests: vec![
                QuestProgress {
                    quest_id: 0,
                    state: "begin".into(),
                    ..QuestProgress::default()
                },
                QuestProgress {
                    quest_id: 65535,
                    state: "hunt".into(),
                    counters: vec![("npc/3".into(), 4), ("players".into(), 1)],
                    roll: 6,
                    daily_day: 20_000,
                    daily_count: 2,
                    completions: 3,
                },
            ],
            ..base
        }
    }

    async fn save_and_load_round_trip(db: Db) {
        let alice = account(&db, "alice").await;
        let id = db
            .create_character(alice, new_character("Full"), 3)
            .await
            .unwrap();
        let base = db.load_character(id).await.unwrap().unwrap();
        let full = full_character(base);
        let saved = |n| {
            Ok(SaveReport {
                saved: n,
                ..SaveReport::default()
            })
        };
        assert_eq!(db.save_characters(vec![full.clone()]).await, saved(1));
        let loaded = db.load_character(id).await.unwrap().unwrap();
        // Everything but the admin level, which only `set_admin_level` writes.
        assert_eq!(loaded.admin_level, 0);
        assert_eq!(
            loaded,
            Character {
                admin_level: 0,
                ..full.clone()
            }
        );
        db.set_admin_level("Full", 4).await.unwrap();
        let loaded = db.load_character(id).await.unwrap().unwrap();
        assert_eq!(loaded, full);

        let summary = &db.characters_of(alice).await.unwrap()[0];
        assert_eq!(
            (
                summary.boots,
                summary.armor,
                summary.hat,
                summary.shield,
                summary.weapon
            ),
            (1, 5, 7, 8, 9)
        );
        assert_eq!(summary.admin_level, 4);
        assert_eq!(summary.level, 250);

        // A second save replaces the item and spell rows rather than adding to them.
        let mut smaller = loaded.clone();
        smaller.inventory = vec![(2, 1)];
        smaller.bank.clear();
        smaller.spells = vec![(7, 7)];
        smaller.quests.truncate(1);
        smaller.hidden = false;
        assert_eq!(db.save_characters(vec![smaller.clone()]).await, saved(1));
        assert_eq!(db.load_character(id).await.unwrap().unwrap(), smaller);

        // id, account, name, creation time and admin level are not rewritten by a save.
        let mut renamed = smaller.clone();
        renamed.name = "Other".into();
        renamed.admin_level = 1;
        renamed.account_id = alice + 5;
        renamed.created_at = 1;
        db.save_characters(vec![renamed]).await.unwrap();
        assert_eq!(db.load_character(id).await.unwrap().unwrap(), smaller);
    }

    async fn a_broken_character_is_refused_alone(db: Db) {
        let alice = account(&db, "alice").await;
        let first = db
            .create_character(alice, new_character("First"), 3)
            .await
            .unwrap();
        let second = db
            .create_character(alice, new_character("Second"), 3)
            .await
            .unwrap();
        let first_before = db.load_character(first).await.unwrap().unwrap();
        let second_before = db.load_character(second).await.unwrap().unwrap();

        let mut first_changed = first_before.clone();
        first_changed.level = 9;
        first_changed.inventory = vec![(1, 100)];
        type Spoil = fn(&mut Character);
        let bad_rows: [(&str, Spoil); 4] = [
            ("zero amount", |c| c.inventory = vec![(5, 0)]),
            ("amount above i32::MAX", |c| {
                c.bank = vec![(5, i32::MAX as u32 + 1)]
            }),
            ("item listed twice", |c| c.inventory = vec![(5, 1), (5, 2)]),
            ("gold above i32::MAX", |c| c.gold_bank = u32::MAX),
        ];
        for (what, spoil) in bad_rows {
            let mut second_bad = second_before.clone();
            second_bad.level = 50;
            spoil(&mut second_bad);
            let report = db
                .save_characters(vec![first_changed.clone(), second_bad])
                .await
                .unwrap();
            assert_eq!(
                report,
                SaveReport {
                    saved: 1,
                    missing: Vec::new(),
                    refused: vec![second],
                },
                "{what}"
            );
            // The broken one is refused whole (its row and its item rows), the other written.
            assert_eq!(
                db.load_character(first).await.unwrap().unwrap(),
                first_changed,
                "{what}"
            );
            assert_eq!(
                db.load_character(second).await.unwrap().unwrap(),
                second_before,
                "{what}"
            );
        }

        // A missing character is skipped, the rest saved.
        let mut ghost = first_before.clone();
        ghost.id = second + 100;
        assert_eq!(
            db.save_characters(vec![first_changed.clone(), ghost])
                .await
                .map(|r| (r.saved, r.missing)),
            Ok((1, vec![second + 100]))
        );
        assert_eq!(
            db.load_character(first).await.unwrap().unwrap(),
            first_changed
        );
        assert_eq!(
            db.save_characters(Vec::new()).await,
            Ok(SaveReport::default())
        );
    }

    /// `set` on a character nobody plays: only what it changed is written; a column changed
    /// in the database meanwhile (a divorce clearing the partner) keeps its new value.
    async fn only_the_changed_columns_are_written(db: Db) {
        let alice = account(&db, "alice").await;
        let id = db
            .create_character(alice, new_character("Edited"), 3)
            .await
            .unwrap();
        let before = db.load_character(id).await.unwrap().unwrap();
        let mut meanwhile = before.clone();
        meanwhile.partner = "Other".into();
        db.save_characters(vec![meanwhile]).await.unwrap();
        let mut after = before.clone();
        (after.level, after.experience, after.race, after.skin) = (9, 1234, 4, 4);
        let written = db
            .write_changed_columns(before.clone(), after)
            .await
            .unwrap();
        assert_eq!(written, ["race", "skin", "level", "experience"]);
        let loaded = db.load_character(id).await.unwrap().unwrap();
        assert_eq!(
            (loaded.level, loaded.experience, loaded.race, loaded.skin),
            (9, 1234, 4, 4)
        );
        assert_eq!(loaded.partner, "Other");
        assert!(
            db.write_changed_columns(before.clone(), before.clone())
                .await
                .unwrap()
                .is_empty()
        );
        let gone = Character {
            id: id + 100,
            level: 3,
            ..before.clone()
        };
        assert!(matches!(
            db.write_changed_columns(before, gone).await,
            Err(DbError::NotFound)
        ));
    }

    on_both_backends!(
        save_and_load_round_trip,
        a_broken_character_is_refused_alone,
        only_the_changed_columns_are_written
    );

    /// A column added to `characters` is saved, or left out on purpose here: the guild's
    /// columns are written by guild actions only (db/guilds.rs).
    #[test]
    fn a_save_writes_every_column_but_seven() {
        let dir = tempfile::TempDir::new().unwrap();
        let location = Location::Sqlite(dir.path().join("t.sqlite"));
        let mut conn = crate::db::open_connection(&location).unwrap();
        let mut columns: Vec<String> = conn
            .query(
                "SELECT name FROM pragma_table_info('characters')",
                crate::db::conn::params![],
                |row| row.get(0),
            )
            .unwrap();
        columns.sort();
        let blank = Character::default();
        let mut written: Vec<&str> = super::saved_columns(&blank)
            .iter()
            .map(|(name, _)| *name)
            .chain(["id", "account_id", "name", "created_at", "admin_level"])
            .chain(["guild_id", "guild_rank"])
            .collect();
        written.sort_unstable();
        assert_eq!(columns, written);
    }
}
