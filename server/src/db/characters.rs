//! The `characters` table: creating, listing, loading and deleting characters, and their
//! admin levels. Saving them is `saves.rs`.

use super::conn::{Conn, FromCell, Row, SqlError, params};
use super::{Character, CharacterSummary, Db, DbError, Equipment, NewCharacter, unix_now};
use crate::config::MAX_ADMIN_LEVEL;

impl Db {
    /// The account's characters for the select screen, oldest (lowest id) first.
    pub async fn characters_of(&self, account_id: i64) -> Result<Vec<CharacterSummary>, DbError> {
        self.call(move |conn| {
            Ok(conn.query(
                "SELECT id, name, level, gender, hair_style, hair_color, skin, admin_level,
                        boots, armor, hat, shield, weapon
                 FROM characters WHERE account_id = ?1 ORDER BY id",
                params![account_id],
                |row| {
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
                },
            )?)
        })
        .await
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
                params![character_id, account_id],
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
            let changed = conn.execute(
                "UPDATE characters SET admin_level = ?1 WHERE name = ?2",
                params![level, name],
            )?;
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
            Ok(conn.query_opt(
                "SELECT name, admin_level FROM characters WHERE name = ?1",
                params![name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?)
        })
        .await
    }

    /// The highest admin level among the characters of the account `account_id` (0 if it has
    /// none).
    pub async fn account_admin_level(&self, account_id: i64) -> Result<u8, DbError> {
        self.call(move |conn| {
            Ok(conn.query_value(
                "SELECT COALESCE(MAX(admin_level), 0) FROM characters WHERE account_id = ?1",
                params![account_id],
            )?)
        })
        .await
    }

    /// Clears the partner of the character `name` if it is `partner` (the other side of a
    /// divorce, map/marriage.rs); whether it did.
    pub async fn clear_partner(&self, name: &str, partner: &str) -> Result<bool, DbError> {
        let (name, partner) = (name.to_owned(), partner.to_owned());
        self.call(move |conn| {
            Ok(conn.execute(
                "UPDATE characters SET partner = '' WHERE name = ?1 AND partner = ?2",
                params![name, partner],
            )? == 1)
        })
        .await
    }

    /// The id and account id of the character named `name` (any case), with its name as
    /// stored; `None` if there is none.
    pub async fn character_named(&self, name: &str) -> Result<Option<(i64, i64, String)>, DbError> {
        let name = name.to_owned();
        self.call(move |conn| {
            Ok(conn.query_opt(
                "SELECT id, account_id, name FROM characters WHERE name = ?1",
                params![name],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?)
        })
        .await
    }

    /// Whether a character with this name exists (case-insensitive).
    pub async fn character_name_exists(&self, name: &str) -> Result<bool, DbError> {
        let name = name.to_owned();
        self.call(move |conn| Ok(name_taken(conn, &name)?)).await
    }
}

fn name_taken(conn: &mut Conn, name: &str) -> Result<bool, SqlError> {
    conn.query_value(
        "SELECT EXISTS (SELECT 1 FROM characters WHERE name = ?1)",
        params![name],
    )
}

fn create_character(
    conn: &mut Conn,
    account_id: i64,
    character: &NewCharacter,
    max_per_account: usize,
    now: i64,
) -> Result<i64, DbError> {
    let mut tx = conn.transaction()?;
    let account_exists: bool = tx.query_value(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
        params![account_id],
    )?;
    if !account_exists {
        return Err(DbError::NotFound);
    }
    let count: i64 = tx.query_value(
        "SELECT COUNT(*) FROM characters WHERE account_id = ?1",
        params![account_id],
    )?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= max_per_account {
        return Err(DbError::TooManyCharacters);
    }
    if name_taken(&mut tx, &character.name)? {
        return Err(DbError::CharacterExists);
    }
    let c = character;
    let inserted = tx.query_value(
        "INSERT INTO characters (account_id, name, home, class, gender, race, hair_style,
             hair_color, skin, map, x, y, direction, level, hp, tp, str, int, wis, agi, con,
             cha, stat_points, skill_points, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
             ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
         RETURNING id",
        params![
            account_id,
            c.name,
            c.home,
            c.class,
            c.gender,
            c.skin,
            c.hair_style,
            c.hair_color,
            c.map,
            c.x,
            c.y,
            c.direction,
            c.level,
            c.hp,
            c.tp,
            c.str,
            c.intl,
            c.wis,
            c.agi,
            c.con,
            c.cha,
            c.stat_points,
            c.skill_points,
            now,
        ],
    );
    let id = match inserted {
        Ok(id) => id,
        Err(error) if error.is_unique_violation() => return Err(DbError::CharacterExists),
        Err(error) if error.is_foreign_key_violation() => return Err(DbError::NotFound),
        Err(error) => return Err(error.into()),
    };
    tx.commit()?;
    Ok(id)
}

fn load_character(conn: &mut Conn, character_id: i64) -> Result<Option<Character>, DbError> {
    let character = conn.query_opt(
        "SELECT * FROM characters WHERE id = ?1",
        params![character_id],
        character_from_row,
    )?;
    let Some(mut character) = character else {
        return Ok(None);
    };
    character.inventory = load_pairs(
        conn,
        "SELECT item_id, amount FROM character_inventory WHERE character_id = ?1
         ORDER BY slot, item_id",
        character_id,
    )?;
    character.bank = load_pairs(
        conn,
        "SELECT item_id, amount FROM character_bank WHERE character_id = ?1
         ORDER BY slot, item_id",
        character_id,
    )?;
    character.spells = load_pairs(
        conn,
        "SELECT spell_id, level FROM character_spells WHERE character_id = ?1
         ORDER BY slot, spell_id",
        character_id,
    )?;
    character.quests = super::quests::load(conn, character_id)?;
    character.guild = super::guilds::membership_of(conn, character_id)?;
    Ok(Some(character))
}

fn load_pairs<A: FromCell, B: FromCell>(
    conn: &mut Conn,
    sql: &str,
    character_id: i64,
) -> Result<Vec<(A, B)>, DbError> {
    Ok(conn.query(sql, params![character_id], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?)
}

fn character_from_row(row: &Row<'_>) -> Result<Character, SqlError> {
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
        quests: Vec::new(),
        guild: None,
        dressed: Default::default(),
    })
}

#[cfg(test)]
pub(super) mod tests {
    use crate::db::conn::params;
    use crate::db::testing::*;
    use crate::db::*;

    pub(crate) fn new_character(name: &str) -> NewCharacter {
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

    pub(crate) async fn count_rows(db: &Db, table: &'static str, character_id: i64) -> i64 {
        db.call(move |conn| {
            Ok(conn.query_value(
                &format!("SELECT COUNT(*) FROM {table} WHERE character_id = ?1"),
                params![character_id],
            )?)
        })
        .await
        .unwrap()
    }

    async fn create_up_to_the_limit_and_list_in_order(db: Db) {
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

    async fn duplicate_names_and_unknown_accounts(db: Db) {
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

    async fn the_limit_holds_under_concurrency(db: Db) {
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

    async fn delete_only_own_and_cascade(db: Db) {
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
        character.quests = vec![QuestProgress {
            quest_id: 1,
            state: "begin".into(),
            ..QuestProgress::default()
        }];
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
        for table in [
            "character_inventory",
            "character_bank",
            "character_spells",
            "character_quests",
        ] {
            assert_eq!(count_rows(&db, table, id).await, 0, "{table}");
        }
        assert_eq!(db.delete_character(alice, id).await, Err(DbError::NotFound));
        // The name is free again and the slot is back.
        db.create_character(alice, new_character("Doomed"), 1)
            .await
            .unwrap();
    }

    async fn admin_levels_by_name_and_by_account(db: Db) {
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

    on_both_backends!(
        create_up_to_the_limit_and_list_in_order,
        duplicate_names_and_unknown_accounts,
        the_limit_holds_under_concurrency,
        delete_only_own_and_cascade,
        admin_levels_by_name_and_by_account
    );
}
