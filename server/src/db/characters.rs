//! The `characters` table and its `character_inventory`, `character_bank` and
//! `character_spells` rows.

use rusqlite::{
    Connection, OptionalExtension, Row, Transaction, TransactionBehavior, named_params,
};

use super::{
    Character, CharacterSummary, Db, DbError, Equipment, NewCharacter, SaveReport,
    is_constraint_violation, is_foreign_key_violation, is_unique_violation, unix_now,
};
use crate::config::MAX_ADMIN_LEVEL;

impl Db {
    /// The account's characters for the select screen, oldest (lowest id) first.
    pub async fn characters_of(&self, account_id: i64) -> Result<Vec<CharacterSummary>, DbError> {
        self.call(move |conn| characters_of(conn, account_id)).await
    }

    /// Creates a character and returns its id once committed. In one transaction it checks that
    /// the account exists ([`DbError::NotFound`]), has fewer than `max_per_account` characters
    /// ([`DbError::TooManyCharacters`]) and that the name is free, case-insensitively
    /// ([`DbError::CharacterExists`]).
    pub async fn create_character(
        &self,
        account_id: i64,
        character: NewCharacter,
        max_per_account: usize,
    ) -> Result<i64, DbError> {
        self.call_durable(move |conn| {
            create_character(conn, account_id, &character, max_per_account, unix_now())
        })
        .await
    }

    /// Deletes the character if it belongs to the account (with its inventory, bank and spells);
    /// [`DbError::NotFound`] otherwise.
    pub async fn delete_character(
        &self,
        account_id: i64,
        character_id: i64,
    ) -> Result<(), DbError> {
        self.call_durable(move |conn| {
            let deleted = conn.execute(
                "DELETE FROM characters WHERE id = ?1 AND account_id = ?2",
                (character_id, account_id),
            )?;
            if deleted == 0 {
                return Err(DbError::NotFound);
            }
            Ok(())
        })
        .await
    }

    /// The whole character, if it exists.
    pub async fn load_character(&self, character_id: i64) -> Result<Option<Character>, DbError> {
        self.call(move |conn| load_character(conn, character_id))
            .await
    }

    /// Saves the characters in ONE transaction (see the save path, `crate::save`). Writes every
    /// column except `id`, `account_id`, `name`, `created_at` and `admin_level` (that one is
    /// only ever written by [`Db::set_admin_level`], so a save in flight cannot undo a
    /// promotion), and replaces the inventory, bank and spell rows.
    ///
    /// A character whose row breaks a constraint (an amount of 0 or above `i32::MAX`, an item
    /// id listed twice) is refused alone, rolled back to its savepoint and logged, and the rest
    /// are committed: a broken character must not stop every other save for good. A character
    /// whose id no longer exists is skipped (and logged). Any other error (an I/O error, a
    /// busy database) fails the whole batch, which then changes nothing.
    pub async fn save_characters(&self, characters: Vec<Character>) -> Result<SaveReport, DbError> {
        self.call(move |conn| save_characters(conn, &characters))
            .await
    }

    /// Sets a character's admin level (0 to [`MAX_ADMIN_LEVEL`]), by name (any case), durably;
    /// `NotFound` if there is none. This is the only write of the column: the level stored is
    /// the one in force (see [`Db::admin_level_of`]).
    pub async fn set_admin_level(&self, name: &str, level: u8) -> Result<(), DbError> {
        if level > MAX_ADMIN_LEVEL {
            return Err(DbError::Invalid(format!(
                "admin level {level} is above {MAX_ADMIN_LEVEL}"
            )));
        }
        let name = name.to_owned();
        self.call_durable(move |conn| {
            let changed = conn
                .prepare_cached("UPDATE characters SET admin_level = ?1 WHERE name = ?2")?
                .execute(rusqlite::params![level, name])?;
            if changed == 0 {
                Err(DbError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    /// The admin level of the character named `name` (any case), with its name as stored;
    /// `None` if there is no such character. The admin commands read levels here: a promotion
    /// is stored before the world hears of it, so this is never behind.
    pub async fn admin_level_of(&self, name: &str) -> Result<Option<(String, u8)>, DbError> {
        let name = name.to_owned();
        self.call(move |conn| {
            Ok(conn
                .prepare_cached("SELECT name, admin_level FROM characters WHERE name = ?1")?
                .query_row([&name], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        })
        .await
    }

    /// The highest admin level among the characters of the account `account_id` (0 if it has
    /// none).
    pub async fn account_admin_level(&self, account_id: i64) -> Result<u8, DbError> {
        self.call(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT COALESCE(MAX(admin_level), 0) FROM characters WHERE account_id = ?1",
                )?
                .query_row([account_id], |row| row.get(0))?)
        })
        .await
    }

    /// Whether a character with this name exists (case-insensitive).
    pub async fn character_name_exists(&self, name: &str) -> Result<bool, DbError> {
        let name = name.to_owned();
        self.call(move |conn| {
            Ok(conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM characters WHERE name = ?1)")?
                .query_row([&name], |row| row.get(0))?)
        })
        .await
    }
}

fn characters_of(conn: &Connection, account_id: i64) -> Result<Vec<CharacterSummary>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, level, gender, hair_style, hair_color, skin, admin_level,
                boots, armor, hat, shield, weapon
         FROM characters WHERE account_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([account_id], |row| {
        Ok(CharacterSummary {
            id: row.get("id")?,
            name: row.get("name")?,
            level: row.get("level")?,
            gender: row.get("gender")?,
            hair_style: row.get("hair_style")?,
            hair_color: row.get("hair_color")?,
            skin: row.get("skin")?,
            admin_level: row.get("admin_level")?,
            boots: row.get("boots")?,
            armor: row.get("armor")?,
            hat: row.get("hat")?,
            shield: row.get("shield")?,
            weapon: row.get("weapon")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn create_character(
    conn: &mut Connection,
    account_id: i64,
    character: &NewCharacter,
    max_per_account: usize,
    now: i64,
) -> Result<i64, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let account_exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
        [account_id],
        |row| row.get(0),
    )?;
    if !account_exists {
        return Err(DbError::NotFound);
    }
    let count: i64 = tx.query_row(
        "SELECT COUNT(*) FROM characters WHERE account_id = ?1",
        [account_id],
        |row| row.get(0),
    )?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= max_per_account {
        return Err(DbError::TooManyCharacters);
    }
    let name_taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM characters WHERE name = ?1)",
        [&character.name],
        |row| row.get(0),
    )?;
    if name_taken {
        return Err(DbError::CharacterExists);
    }
    let inserted = tx
        .prepare_cached(
            "INSERT INTO characters (account_id, name, home, class, gender, race, hair_style,
                 hair_color, skin, map, x, y, direction, level, hp, tp, str, int, wis, agi, con,
                 cha, stat_points, skill_points, created_at)
             VALUES (:account_id, :name, :home, :class, :gender, :skin, :hair_style,
                 :hair_color, :skin, :map, :x, :y, :direction, :level, :hp, :tp, :str, :int, :wis,
                 :agi, :con, :cha, :stat_points, :skill_points, :created_at)",
        )?
        .execute(named_params! {
            ":account_id": account_id,
            ":name": character.name,
            ":home": character.home,
            ":class": character.class,
            ":gender": character.gender,
            ":hair_style": character.hair_style,
            ":hair_color": character.hair_color,
            ":skin": character.skin,
            ":map": character.map,
            ":x": character.x,
            ":y": character.y,
            ":direction": character.direction,
            ":level": character.level,
            ":hp": character.hp,
            ":tp": character.tp,
            ":str": character.str,
            ":int": character.intl,
            ":wis": character.wis,
            ":agi": character.agi,
            ":con": character.con,
            ":cha": character.cha,
            ":stat_points": character.stat_points,
            ":skill_points": character.skill_points,
            ":created_at": now,
        });
    match inserted {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => return Err(DbError::CharacterExists),
        Err(error) if is_foreign_key_violation(&error) => return Err(DbError::NotFound),
        Err(error) => return Err(error.into()),
    }
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(id)
}

fn load_character(conn: &Connection, character_id: i64) -> Result<Option<Character>, DbError> {
    let character = conn
        .prepare_cached("SELECT * FROM characters WHERE id = ?1")?
        .query_row([character_id], character_from_row)
        .optional()?;
    let Some(mut character) = character else {
        return Ok(None);
    };
    character.inventory = load_pairs(
        conn,
        "SELECT item_id, amount FROM character_inventory WHERE character_id = ?1 ORDER BY rowid",
        character_id,
    )?;
    character.bank = load_pairs(
        conn,
        "SELECT item_id, amount FROM character_bank WHERE character_id = ?1 ORDER BY rowid",
        character_id,
    )?;
    character.spells = load_pairs(
        conn,
        "SELECT spell_id, level FROM character_spells WHERE character_id = ?1 ORDER BY rowid",
        character_id,
    )?;
    Ok(Some(character))
}

fn load_pairs<A, B>(conn: &Connection, sql: &str, character_id: i64) -> Result<Vec<(A, B)>, DbError>
where
    A: rusqlite::types::FromSql,
    B: rusqlite::types::FromSql,
{
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([character_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn character_from_row(row: &Row<'_>) -> rusqlite::Result<Character> {
    Ok(Character {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        name: row.get("name")?,
        title: row.get("title")?,
        home: row.get("home")?,
        fiance: row.get("fiance")?,
        partner: row.get("partner")?,
        admin_level: row.get("admin_level")?,
        class: row.get("class")?,
        gender: row.get("gender")?,
        race: row.get("race")?,
        hair_style: row.get("hair_style")?,
        hair_color: row.get("hair_color")?,
        skin: row.get("skin")?,
        map: row.get("map")?,
        x: row.get("x")?,
        y: row.get("y")?,
        direction: row.get("direction")?,
        level: row.get("level")?,
        experience: row.get("experience")?,
        hp: row.get("hp")?,
        tp: row.get("tp")?,
        str: row.get("str")?,
        intl: row.get("int")?,
        wis: row.get("wis")?,
        agi: row.get("agi")?,
        con: row.get("con")?,
        cha: row.get("cha")?,
        stat_points: row.get("stat_points")?,
        skill_points: row.get("skill_points")?,
        karma: row.get("karma")?,
        sitting: row.get("sitting")?,
        hidden: row.get("hidden")?,
        bank_level: row.get("bank_level")?,
        gold_bank: row.get("gold_bank")?,
        usage: row.get("usage")?,
        created_at: row.get("created_at")?,
        equipment: Equipment {
            boots: row.get("boots")?,
            accessory: row.get("accessory")?,
            gloves: row.get("gloves")?,
            belt: row.get("belt")?,
            armor: row.get("armor")?,
            necklace: row.get("necklace")?,
            hat: row.get("hat")?,
            shield: row.get("shield")?,
            weapon: row.get("weapon")?,
            ring: [row.get("ring1")?, row.get("ring2")?],
            armlet: [row.get("armlet1")?, row.get("armlet2")?],
            bracer: [row.get("bracer1")?, row.get("bracer2")?],
        },
        inventory: Vec::new(),
        bank: Vec::new(),
        spells: Vec::new(),
    })
}

fn save_characters(conn: &mut Connection, characters: &[Character]) -> Result<SaveReport, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut report = SaveReport::default();
    for character in characters {
        tx.execute_batch("SAVEPOINT one_character")?;
        match save_one(&tx, character) {
            Ok(true) => report.saved += 1,
            Ok(false) => {
                tracing::warn!(
                    id = character.id,
                    name = %character.name,
                    "not saving a character that is no longer in the database"
                );
                report.missing.push(character.id);
            }
            Err(error) if is_constraint_violation(&error) => {
                tx.execute_batch("ROLLBACK TO one_character")?;
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
        tx.execute_batch("RELEASE one_character")?;
    }
    tx.commit()?;
    Ok(report)
}

/// Writes one character inside the batch's transaction; false if its row does not exist.
fn save_one(tx: &Transaction<'_>, c: &Character) -> rusqlite::Result<bool> {
    let e = &c.equipment;
    let updated = tx
        .prepare_cached(
            "UPDATE characters SET
                title = :title, home = :home, fiance = :fiance, partner = :partner,
                class = :class, gender = :gender, race = :race,
                hair_style = :hair_style, hair_color = :hair_color, skin = :skin,
                map = :map, x = :x, y = :y, direction = :direction,
                level = :level, experience = :experience, hp = :hp, tp = :tp,
                str = :str, int = :int, wis = :wis, agi = :agi, con = :con, cha = :cha,
                stat_points = :stat_points, skill_points = :skill_points, karma = :karma,
                sitting = :sitting, hidden = :hidden, bank_level = :bank_level,
                gold_bank = :gold_bank, usage = :usage,
                boots = :boots, accessory = :accessory, gloves = :gloves, belt = :belt,
                armor = :armor, necklace = :necklace, hat = :hat, shield = :shield,
                weapon = :weapon, ring1 = :ring1, ring2 = :ring2, armlet1 = :armlet1,
                armlet2 = :armlet2, bracer1 = :bracer1, bracer2 = :bracer2
             WHERE id = :id",
        )?
        .execute(named_params! {
            ":id": c.id,
            ":title": c.title,
            ":home": c.home,
            ":fiance": c.fiance,
            ":partner": c.partner,
            ":class": c.class,
            ":gender": c.gender,
            ":race": c.race,
            ":hair_style": c.hair_style,
            ":hair_color": c.hair_color,
            ":skin": c.skin,
            ":map": c.map,
            ":x": c.x,
            ":y": c.y,
            ":direction": c.direction,
            ":level": c.level,
            ":experience": c.experience,
            ":hp": c.hp,
            ":tp": c.tp,
            ":str": c.str,
            ":int": c.intl,
            ":wis": c.wis,
            ":agi": c.agi,
            ":con": c.con,
            ":cha": c.cha,
            ":stat_points": c.stat_points,
            ":skill_points": c.skill_points,
            ":karma": c.karma,
            ":sitting": c.sitting,
            ":hidden": c.hidden,
            ":bank_level": c.bank_level,
            ":gold_bank": c.gold_bank,
            ":usage": c.usage,
            ":boots": e.boots,
            ":accessory": e.accessory,
            ":gloves": e.gloves,
            ":belt": e.belt,
            ":armor": e.armor,
            ":necklace": e.necklace,
            ":hat": e.hat,
            ":shield": e.shield,
            ":weapon": e.weapon,
            ":ring1": e.ring[0],
            ":ring2": e.ring[1],
            ":armlet1": e.armlet[0],
            ":armlet2": e.armlet[1],
            ":bracer1": e.bracer[0],
            ":bracer2": e.bracer[1],
        })?;
    if updated == 0 {
        return Ok(false);
    }
    replace_pairs(
        tx,
        "character_inventory",
        "item_id",
        "amount",
        c.id,
        &c.inventory,
    )?;
    replace_pairs(tx, "character_bank", "item_id", "amount", c.id, &c.bank)?;
    replace_pairs(tx, "character_spells", "spell_id", "level", c.id, &c.spells)?;
    Ok(true)
}

/// Replaces the character's rows of `table` with `pairs`, in order. The table and column names
/// are constants of this file, never input.
fn replace_pairs<A, B>(
    tx: &Transaction<'_>,
    table: &str,
    key: &str,
    value: &str,
    character_id: i64,
    pairs: &[(A, B)],
) -> rusqlite::Result<()>
where
    A: rusqlite::ToSql,
    B: rusqlite::ToSql,
{
    tx.prepare_cached(&format!("DELETE FROM {table} WHERE character_id = ?1"))?
        .execute([character_id])?;
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO {table} (character_id, {key}, {value}) VALUES (?1, ?2, ?3)"
    ))?;
    for (k, v) in pairs {
        insert.execute((character_id, k, v))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::db::test_support::*;
    use crate::db::*;

    fn new_character(name: &str) -> NewCharacter {
        NewCharacter {
            name: name.into(),
            gender: 1,
            hair_style: 4,
            hair_color: 2,
            skin: 3,
            class: 0,
            home: "Wanderer".into(),
            map: 192,
            x: 7,
            y: 6,
            direction: 0,
            level: 0,
            hp: 10,
            tp: 10,
            str: 0,
            intl: 0,
            wis: 0,
            agi: 0,
            con: 0,
            cha: 0,
            stat_points: 0,
            skill_points: 0,
        }
    }

    async fn count_rows(db: &Db, table: &'static str, character_id: i64) -> i64 {
        db.call(move |conn| {
            Ok(conn.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE character_id = ?1"),
                [character_id],
                |row| row.get(0),
            )?)
        })
        .await
        .unwrap()
    }

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
            ..base
        }
    }

    #[tokio::test]
    async fn create_up_to_the_limit_and_list_in_order() {
        let (_dir, db) = temp_db().await;
        let alice = account(&db, "alice").await;
        let bob = account(&db, "bob").await;
        let a1 = db
            .create_character(alice, new_character("Zed"), 3)
            .await
            .unwrap();
        let b1 = db
            .create_character(bob, new_character("Bobby"), 3)
            .await
            .unwrap();
        let a2 = db
            .create_character(alice, new_character("Amy"), 3)
            .await
            .unwrap();
        let a3 = db
            .create_character(alice, new_character("Mia"), 3)
            .await
            .unwrap();
        assert_eq!(
            db.create_character(alice, new_character("Fourth"), 3).await,
            Err(DbError::TooManyCharacters)
        );
        assert!(!db.character_name_exists("fourth").await.unwrap());

        let list = db.characters_of(alice).await.unwrap();
        let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
        assert_eq!(ids, [a1, a2, a3]);
        let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Zed", "Amy", "Mia"]);
        assert_eq!(
            list[0],
            CharacterSummary {
                id: a1,
                name: "Zed".into(),
                level: 0,
                gender: 1,
                hair_style: 4,
                hair_color: 2,
                skin: 3,
                admin_level: 0,
                boots: 0,
                armor: 0,
                hat: 0,
                shield: 0,
                weapon: 0,
            }
        );
        let bobs = db.characters_of(bob).await.unwrap();
        assert_eq!(bobs.len(), 1);
        assert_eq!(bobs[0].id, b1);
        assert_eq!(db.characters_of(bob + 100).await.unwrap(), []);

        let loaded = db.load_character(a1).await.unwrap().unwrap();
        assert_eq!(loaded.account_id, alice);
        assert_eq!(loaded.race, 3, "race starts as the skin");
        assert_eq!((loaded.map, loaded.x, loaded.y, loaded.hp), (192, 7, 6, 10));
        assert_eq!(loaded.home, "Wanderer");
        assert!(loaded.inventory.is_empty());
    }

    #[tokio::test]
    async fn duplicate_names_and_unknown_accounts() {
        let (_dir, db) = temp_db().await;
        let alice = account(&db, "alice").await;
        let bob = account(&db, "bob").await;
        db.create_character(alice, new_character("Hero"), 3)
            .await
            .unwrap();
        assert_eq!(
            db.create_character(bob, new_character("hERO"), 3).await,
            Err(DbError::CharacterExists)
        );
        assert!(db.character_name_exists("HERO").await.unwrap());
        assert!(!db.character_name_exists("villain").await.unwrap());
        assert_eq!(
            db.create_character(bob + 100, new_character("Nobody"), 3)
                .await,
            Err(DbError::NotFound)
        );
        assert_eq!(
            db.create_character(bob, new_character("Zero"), 0).await,
            Err(DbError::TooManyCharacters)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_limit_holds_under_concurrency() {
        let (_dir, db) = temp_db().await;
        let alice = account(&db, "alice").await;
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.create_character(alice, new_character(&format!("racer{i}")), 3)
                        .await
                })
            })
            .collect();
        let mut created = 0;
        let mut full = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => created += 1,
                Err(DbError::TooManyCharacters) => full += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((created, full), (3, 17));
        assert_eq!(db.characters_of(alice).await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn delete_only_own_and_cascade() {
        let (_dir, db) = temp_db().await;
        let alice = account(&db, "alice").await;
        let bob = account(&db, "bob").await;
        let id = db
            .create_character(alice, new_character("Doomed"), 3)
            .await
            .unwrap();
        let mut character = db.load_character(id).await.unwrap().unwrap();
        character.inventory = vec![(1, 10), (2, 20)];
        character.bank = vec![(3, 30)];
        character.spells = vec![(4, 1)];
        assert_eq!(
            db.save_characters(vec![character]).await.map(|r| r.saved),
            Ok(1)
        );
        assert_eq!(count_rows(&db, "character_inventory", id).await, 2);

        assert_eq!(db.delete_character(bob, id).await, Err(DbError::NotFound));
        assert!(db.load_character(id).await.unwrap().is_some());
        assert_eq!(
            db.delete_character(alice, id + 100).await,
            Err(DbError::NotFound)
        );

        db.delete_character(alice, id).await.unwrap();
        assert_eq!(db.load_character(id).await, Ok(None));
        assert!(db.characters_of(alice).await.unwrap().is_empty());
        assert!(!db.character_name_exists("Doomed").await.unwrap());
        for table in ["character_inventory", "character_bank", "character_spells"] {
            assert_eq!(count_rows(&db, table, id).await, 0, "{table}");
        }
        assert_eq!(db.delete_character(alice, id).await, Err(DbError::NotFound));
        // The name is free again and the slot is back.
        db.create_character(alice, new_character("Doomed"), 1)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn admin_levels_by_name_and_by_account() {
        let (_dir, db) = temp_db().await;
        let alice = account(&db, "alice").await;
        for name in ["Main", "Alt"] {
            db.create_character(alice, new_character(name), 3)
                .await
                .unwrap();
        }
        assert_eq!(db.account_admin_level(alice).await, Ok(0));
        db.set_admin_level("alt", 3).await.unwrap();
        assert_eq!(db.admin_level_of("ALT").await, Ok(Some(("Alt".into(), 3))));
        assert_eq!(
            db.admin_level_of("Main").await,
            Ok(Some(("Main".into(), 0)))
        );
        assert_eq!(db.admin_level_of("nobody").await, Ok(None));
        assert_eq!(db.account_admin_level(alice).await, Ok(3));
        assert_eq!(db.account_admin_level(alice + 100).await, Ok(0));
        assert!(matches!(
            db.set_admin_level("Main", crate::config::MAX_ADMIN_LEVEL + 1)
                .await,
            Err(DbError::Invalid(_))
        ));
        assert_eq!(
            db.set_admin_level("nobody", 1).await,
            Err(DbError::NotFound)
        );
    }

    #[tokio::test]
    async fn save_and_load_round_trip() {
        let (_dir, db) = temp_db().await;
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

    #[tokio::test]
    async fn a_broken_character_is_refused_alone() {
        let (_dir, db) = temp_db().await;
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
}
