//! Small databases as EOSERV, etheos and reoserv make them, written for these tests from
//! what their schemas hold (table and column names, how lists and passwords are stored), in
//! SQL both SQLite and MySQL/MariaDB take. Their password hashes are made as those servers
//! make them.

use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHasher as _, SaltString};
use sha2::{Digest as _, Sha256};

/// EOSERV's `PasswordSalt` as its config file has it (`\t` is a tab to EOSERV).
pub const SALT_AS_WRITTEN: &str = r"pepper\tsalt";
/// The salt EOSERV hashes with.
const SALT: &str = "pepper\tsalt";

/// EOSERV: sha256 of salt, username, password, in lowercase hex.
pub fn eoserv_hash(username: &str, password: &str) -> String {
    let digest = Sha256::digest(format!("{SALT}{username}{password}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// etheos's password_version 2: bcrypt of salt, username, password.
pub fn etheos_hash(username: &str, password: &str) -> String {
    bcrypt::hash(format!("{SALT}{username}{password}"), 4).unwrap()
}

/// reoserv: an argon2id PHC string of the account's name and the password (at a cost far
/// below reoserv's, to keep the test quick: the check reads the cost from the string).
pub fn reoserv_hash(name: &str, password: &str) -> String {
    let params = argon2::Params::new(64, 1, 1, None).unwrap();
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"reoserv-salt-16b").unwrap();
    argon2
        .hash_password(format!("{name}{password}").as_bytes(), &salt)
        .unwrap()
        .to_string()
}

const EOSERV_TABLES: &str = "
CREATE TABLE `accounts` (
    `username` VARCHAR(16) NOT NULL PRIMARY KEY,
    `password` VARCHAR(64) NOT NULL,
    `fullname` VARCHAR(64) NOT NULL,
    `location` VARCHAR(64) NOT NULL,
    `email` VARCHAR(64) NOT NULL,
    `computer` VARCHAR(64) NOT NULL,
    `hdid` INTEGER NOT NULL,
    `regip` VARCHAR(15) NOT NULL,
    `lastip` VARCHAR(15) DEFAULT NULL,
    `created` INTEGER NOT NULL,
    `lastused` INTEGER DEFAULT NULL
    EXTRA_ACCOUNT_COLUMNS
);
CREATE TABLE `characters` (
    `name` VARCHAR(16) NOT NULL PRIMARY KEY,
    `account` VARCHAR(16) DEFAULT NULL,
    `title` VARCHAR(32) DEFAULT NULL,
    `home` VARCHAR(32) DEFAULT NULL,
    `fiance` VARCHAR(16) DEFAULT NULL,
    `partner` VARCHAR(16) DEFAULT NULL,
    `admin` INTEGER NOT NULL DEFAULT 0,
    `class` INTEGER NOT NULL DEFAULT 0,
    `gender` INTEGER NOT NULL DEFAULT 0,
    `race` INTEGER NOT NULL DEFAULT 0,
    `hairstyle` INTEGER NOT NULL DEFAULT 0,
    `haircolor` INTEGER NOT NULL DEFAULT 0,
    `map` INTEGER NOT NULL DEFAULT 192,
    `x` INTEGER NOT NULL DEFAULT 7,
    `y` INTEGER NOT NULL DEFAULT 6,
    `direction` INTEGER NOT NULL DEFAULT 2,
    `level` INTEGER NOT NULL DEFAULT 0,
    `exp` INTEGER NOT NULL DEFAULT 0,
    `hp` INTEGER NOT NULL DEFAULT 10,
    `tp` INTEGER NOT NULL DEFAULT 10,
    `str` INTEGER NOT NULL DEFAULT 0,
    `int` INTEGER NOT NULL DEFAULT 0,
    `wis` INTEGER NOT NULL DEFAULT 0,
    `agi` INTEGER NOT NULL DEFAULT 0,
    `con` INTEGER NOT NULL DEFAULT 0,
    `cha` INTEGER NOT NULL DEFAULT 0,
    `statpoints` INTEGER NOT NULL DEFAULT 0,
    `skillpoints` INTEGER NOT NULL DEFAULT 0,
    `karma` INTEGER NOT NULL DEFAULT 1000,
    `sitting` INTEGER NOT NULL DEFAULT 0,
    `hidden` INTEGER NOT NULL DEFAULT 0,
    `nointeract` INTEGER NOT NULL DEFAULT 0,
    `bankmax` INTEGER NOT NULL DEFAULT 0,
    `goldbank` INTEGER NOT NULL DEFAULT 0,
    `usage` INTEGER NOT NULL DEFAULT 0,
    `inventory` TEXT,
    `bank` TEXT,
    `paperdoll` TEXT,
    `spells` TEXT,
    `guild` CHAR(3) DEFAULT NULL,
    `guild_rank` INTEGER DEFAULT NULL,
    `guild_rank_string` VARCHAR(16) DEFAULT NULL,
    `quest` TEXT,
    `vars` TEXT
);
CREATE TABLE `guilds` (
    `tag` CHAR(3) NOT NULL PRIMARY KEY,
    `name` VARCHAR(32) NOT NULL UNIQUE,
    `description` TEXT,
    `created` INTEGER NOT NULL,
    `ranks` TEXT,
    `bank` INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE `bans` (
    `ip` INTEGER DEFAULT NULL,
    `hdid` INTEGER DEFAULT NULL,
    `username` VARCHAR(16) DEFAULT NULL,
    `setter` VARCHAR(16) DEFAULT NULL,
    `expires` INTEGER NOT NULL DEFAULT 0
);
";

/// An EOSERV account row.
fn eoserv_account(name: &str, hash: &str, extra: &str) -> String {
    format!(
        "INSERT INTO `accounts` VALUES ('{name}', '{hash}', 'Full {name}', 'Town', \
         '{name}@example.com', 'PC', 123456, '10.1.2.3', NULL, 1500000000, NULL{extra});"
    )
}

/// An EOSERV character row: the columns that matter here, the rest as EOSERV defaults them.
struct EoservCharacter<'a> {
    name: &'a str,
    account: &'a str,
    admin: u8,
    class: u8,
    level: u8,
    exp: u32,
    map_x_y: (u16, u8, u8),
    stats: [u16; 6],
    goldbank: u32,
    bankmax: u8,
    inventory: &'a str,
    bank: &'a str,
    paperdoll: &'a str,
    spells: &'a str,
    guild: &'a str,
    /// 0 is the founder.
    guild_rank: u8,
    quest: &'a str,
}

impl EoservCharacter<'_> {
    fn sql(&self) -> String {
        let (map, x, y) = self.map_x_y;
        let [str, int, wis, agi, con, cha] = self.stats;
        format!(
            "INSERT INTO `characters` (`name`, `account`, `title`, `home`, `admin`, `class`, \
             `gender`, `race`, `hairstyle`, `haircolor`, `map`, `x`, `y`, `direction`, `level`, \
             `exp`, `hp`, `tp`, `str`, `int`, `wis`, `agi`, `con`, `cha`, `statpoints`, \
             `skillpoints`, `karma`, `bankmax`, `goldbank`, `usage`, `inventory`, `bank`, \
             `paperdoll`, `spells`, `guild`, `guild_rank`, `quest`) VALUES ('{}', '{}', 'the Bold', \
             'Aeven', {}, {}, 1, 2, 5, 3, {map}, {x}, {y}, 3, {}, {}, 7, 4, {str}, {int}, {wis}, \
             {agi}, {con}, {cha}, 6, 2, 1010, {}, {}, 321, '{}', '{}', '{}', '{}', '{}', {}, '{}');",
            self.name,
            self.account,
            self.admin,
            self.class,
            self.level,
            self.exp,
            self.bankmax,
            self.goldbank,
            self.inventory,
            self.bank,
            self.paperdoll,
            self.spells,
            self.guild,
            self.guild_rank,
            self.quest,
        )
    }
}

fn plain<'a>(name: &'a str, account: &'a str) -> EoservCharacter<'a> {
    EoservCharacter {
        name,
        account,
        admin: 0,
        class: 0,
        level: 1,
        exp: 0,
        map_x_y: (1, 16, 9),
        stats: [0; 6],
        goldbank: 0,
        bankmax: 0,
        inventory: "",
        bank: "",
        paperdoll: "",
        spells: "",
        guild: "",
        guild_rank: 0,
        quest: "",
    }
}

/// An EOSERV database:
/// - alice ("secret1") with wanda (a game master with stats, items, locker, paperdoll,
///   spells, quest progress, the founder of guild ABC) and wilma (an item and a quest the
///   test world does not have; a new member of ABC);
/// - guilds ABC (two members), NOM (none) and Q1 (a tag this server does not accept); a ban;
/// - clash ("whatever"), an account name the test server has already;
/// - carol ("carolpw") with clash (a character name taken there) and cora;
/// - dave ("davepw1") with dora, whose inventory EOSERV could not have written.
pub fn eoserv() -> Vec<String> {
    let mut sql = tables(EOSERV_TABLES, "");
    for (name, password) in [
        ("alice", "secret1"),
        ("clash", "whatever"),
        ("carol", "carolpw"),
        ("dave", "davepw1"),
    ] {
        sql.push(eoserv_account(name, &eoserv_hash(name, password), ""));
    }
    let wanda = EoservCharacter {
        admin: 3,
        class: 0,
        level: 12,
        exp: 3456,
        map_x_y: (1, 12, 9),
        stats: [11, 12, 13, 14, 15, 16],
        goldbank: 777,
        bankmax: 2,
        inventory: "1,500;10,3;13,1;",
        bank: "5,1;11,4;",
        paperdoll: "9,0,0,0,6,0,7,0,2,0,0,0,0,0,0,",
        spells: "1,3;2,0;",
        guild: "ABC",
        quest: "1,Hunt,{killednpcs/4=2,r=3};3,done,{d=20000,c=1};2,Begin,0;",
        ..plain("wanda", "alice")
    };
    sql.push(wanda.sql());
    sql.push(
        EoservCharacter {
            inventory: "1,5;999,1;",
            guild: "ABC",
            guild_rank: 9,
            quest: "9,Begin,{};",
            ..plain("wilma", "alice")
        }
        .sql(),
    );
    sql.push(plain("clash", "carol").sql());
    sql.push(plain("cora", "carol").sql());
    sql.push(
        EoservCharacter {
            inventory: "1,five;",
            ..plain("dora", "dave")
        }
        .sql(),
    );
    for row in [
        "INSERT INTO `guilds` VALUES ('ABC', 'Alphabet', 'Letters', 1500000000, \
         'Leader,Recruiter,,,,,,,New Member,', 2500);",
        "INSERT INTO `guilds` VALUES ('NOM', 'Nomads', '', 1600000000, ',,,,,,,,,', 0);",
        "INSERT INTO `guilds` VALUES ('Q1', 'Bad Tag', '', 1600000000, ',,,,,,,,,', 0);",
        "INSERT INTO `bans` VALUES (NULL, NULL, 'someone', 'wanda', 0);",
    ] {
        sql.push(row.into());
    }
    sql
}

/// An etheos database (EOSERV's tables with `password_version`): erik on sha256 (version 1),
/// fern on bcrypt (version 2), each with one character.
pub fn etheos() -> Vec<String> {
    let mut sql = tables(
        EOSERV_TABLES,
        ", `password_version` INTEGER NOT NULL DEFAULT 2",
    );
    sql.push(eoserv_account(
        "erik",
        &eoserv_hash("erik", "erikpw1"),
        ", 1",
    ));
    sql.push(eoserv_account(
        "fern",
        &etheos_hash("fern", "fernpw1"),
        ", 2",
    ));
    sql.push(plain("eske", "erik").sql());
    sql.push(plain("fenna", "fern").sql());
    sql
}

const REOSERV_TABLES: &str = "
CREATE TABLE `accounts` (
    `id` INTEGER PRIMARY KEY,
    `name` VARCHAR(16) NOT NULL UNIQUE,
    `password_hash` TEXT NOT NULL,
    `email` TEXT NOT NULL,
    `real_name` TEXT NOT NULL,
    `location` TEXT NOT NULL,
    `computer` TEXT NOT NULL,
    `hdid` INTEGER UNSIGNED NOT NULL,
    `created_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE `guilds` (
    `id` INTEGER PRIMARY KEY,
    `tag` VARCHAR(3) NOT NULL,
    `name` VARCHAR(32) NOT NULL,
    `description` TEXT,
    `bank` INTEGER NOT NULL DEFAULT 0,
    `created_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE `guild_ranks` (
    `id` INTEGER PRIMARY KEY,
    `guild_id` INTEGER NOT NULL,
    `index` TINYINT NOT NULL,
    `rank` VARCHAR(64) NOT NULL
);
CREATE TABLE `bans` (
    `account_id` INTEGER,
    `ip` VARCHAR(15),
    `duration` INTEGER,
    `created_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE `characters` (
    `id` INTEGER PRIMARY KEY,
    `account_id` INTEGER NOT NULL,
    `name` VARCHAR(16) NOT NULL,
    `map` INTEGER NOT NULL DEFAULT 192,
    `x` INTEGER NOT NULL DEFAULT 7,
    `y` INTEGER NOT NULL DEFAULT 6,
    `direction` INTEGER NOT NULL DEFAULT 2,
    `sitting` INTEGER NOT NULL DEFAULT 0,
    `hidden` INTEGER NOT NULL DEFAULT 0,
    `title` VARCHAR(32),
    `home` VARCHAR(32),
    `fiance` VARCHAR(16),
    `partner` VARCHAR(16),
    `admin_level` INTEGER NOT NULL DEFAULT 0,
    `class` INTEGER NOT NULL DEFAULT 1,
    `gender` INTEGER NOT NULL DEFAULT 0,
    `race` INTEGER NOT NULL DEFAULT 0,
    `hair_style` INTEGER NOT NULL DEFAULT 0,
    `hair_color` INTEGER NOT NULL DEFAULT 0,
    `bank_level` INTEGER NOT NULL DEFAULT 0,
    `gold_bank` INTEGER NOT NULL DEFAULT 0,
    `guild_id` INTEGER,
    `guild_rank` TINYINT,
    `guild_rank_string` VARCHAR(16),
    `level` INTEGER NOT NULL DEFAULT 0,
    `experience` INTEGER NOT NULL DEFAULT 0,
    `hp` INTEGER NOT NULL DEFAULT 10,
    `tp` INTEGER NOT NULL DEFAULT 10,
    `strength` INTEGER NOT NULL DEFAULT 0,
    `intelligence` INTEGER NOT NULL DEFAULT 0,
    `wisdom` INTEGER NOT NULL DEFAULT 0,
    `agility` INTEGER NOT NULL DEFAULT 0,
    `constitution` INTEGER NOT NULL DEFAULT 0,
    `charisma` INTEGER NOT NULL DEFAULT 0,
    `stat_points` INTEGER NOT NULL DEFAULT 0,
    `skill_points` INTEGER NOT NULL DEFAULT 0,
    `karma` INTEGER NOT NULL DEFAULT 1000,
    `usage` INTEGER NOT NULL DEFAULT 0,
    `boots` INTEGER NOT NULL DEFAULT 0,
    `accessory` INTEGER NOT NULL DEFAULT 0,
    `gloves` INTEGER NOT NULL DEFAULT 0,
    `belt` INTEGER NOT NULL DEFAULT 0,
    `armor` INTEGER NOT NULL DEFAULT 0,
    `necklace` INTEGER NOT NULL DEFAULT 0,
    `hat` INTEGER NOT NULL DEFAULT 0,
    `shield` INTEGER NOT NULL DEFAULT 0,
    `weapon` INTEGER NOT NULL DEFAULT 0,
    `ring` INTEGER NOT NULL DEFAULT 0,
    `ring2` INTEGER NOT NULL DEFAULT 0,
    `armlet` INTEGER NOT NULL DEFAULT 0,
    `armlet2` INTEGER NOT NULL DEFAULT 0,
    `bracer` INTEGER NOT NULL DEFAULT 0,
    `bracer2` INTEGER NOT NULL DEFAULT 0,
    `created_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE `character_inventory` (
    `character_id` INTEGER NOT NULL,
    `item_id` INTEGER NOT NULL,
    `quantity` INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (`character_id`, `item_id`)
);
CREATE TABLE `character_bank` (
    `character_id` INTEGER NOT NULL,
    `item_id` INTEGER NOT NULL,
    `quantity` INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (`character_id`, `item_id`)
);
CREATE TABLE `character_spells` (
    `character_id` INTEGER NOT NULL,
    `spell_id` INTEGER NOT NULL,
    `level` INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (`character_id`, `spell_id`)
);
CREATE TABLE `character_quest_progress` (
    `character_id` INTEGER NOT NULL,
    `quest_id` INTEGER NOT NULL,
    `state` INTEGER NOT NULL,
    `npc_kills` TEXT NOT NULL,
    `player_kills` INTEGER NOT NULL,
    `done_at` DATETIME,
    `completions` INTEGER NOT NULL,
    PRIMARY KEY (`character_id`, `quest_id`)
);
";

/// A reoserv database: Erin ("hunter22", the name kept with its capital as reoserv may) with
/// Faye (a light guide of class 2 with stats, items, locker, paperdoll, spells, two quests in
/// progress, one daily run done) and henry ("henrypw") with Gwen (the leader of guild GLD,
/// quest 1 finished); a ban.
pub fn reoserv() -> Vec<String> {
    let mut sql = tables(REOSERV_TABLES, "");
    for (id, name, password) in [(1, "Erin", "hunter22"), (2, "henry", "henrypw")] {
        sql.push(format!(
            "INSERT INTO `accounts` (`id`, `name`, `password_hash`, `email`, `real_name`, \
             `location`, `computer`, `hdid`) VALUES ({id}, '{name}', '{}', '{name}@example.com', \
             'Real {name}', 'Coast', 'LAPTOP', 987654);",
            reoserv_hash(name, password)
        ));
    }
    sql.push(
        "INSERT INTO `guilds` (`id`, `tag`, `name`, `description`, `bank`, `created_at`) \
         VALUES (1, 'GLD', 'Guild', 'Gathered', 1234, '2024-02-29 12:30:05');"
            .into(),
    );
    sql.push(
        "INSERT INTO `characters` (`id`, `account_id`, `name`, `map`, `x`, `y`, `direction`, \
         `title`, `admin_level`, `class`, `gender`, `race`, `hair_style`, `hair_color`, \
         `bank_level`, `gold_bank`, `level`, `experience`, `hp`, `tp`, `strength`, \
         `intelligence`, `wisdom`, `agility`, `constitution`, `charisma`, `stat_points`, \
         `skill_points`, `karma`, `usage`, `boots`, `hat`, `weapon`) VALUES (10, 1, 'Faye', 1, \
         14, 9, 0, 'Scout', 2, 2, 0, 1, 4, 2, 1, 5000, 30, 98765, 9, 5, 21, 22, 23, 24, 25, 26, \
         3, 1, 900, 4321, 9, 7, 3);"
            .into(),
    );
    sql.push(
        "INSERT INTO `characters` (`id`, `account_id`, `name`, `hair_style`, `map`, `x`, `y`, \
         `guild_id`, `guild_rank`) VALUES (11, 2, 'Gwen', 1, 1, 16, 9, 1, 1);"
            .into(),
    );
    for row in [
        "INSERT INTO `character_inventory` VALUES (10, 1, 1200);",
        "INSERT INTO `character_inventory` VALUES (10, 10, 2);",
        "INSERT INTO `character_bank` VALUES (10, 8, 1);",
        "INSERT INTO `character_bank` VALUES (10, 15, 6);",
        "INSERT INTO `character_spells` VALUES (10, 1, 2);",
        "INSERT INTO `guild_ranks` VALUES (1, 1, 0, 'Chief');",
        "INSERT INTO `guild_ranks` VALUES (2, 1, 8, 'Rookie');",
        // Quest 1 at its third state (Hunt) with two kills; quest 2 not started past Begin;
        // quest 3's daily run done once that day; Gwen finished quest 1 (its fifth state
        // ends it).
        "INSERT INTO `character_quest_progress` VALUES (10, 1, 2, '{\"4\":2}', 0, NULL, 0);",
        "INSERT INTO `character_quest_progress` VALUES (10, 2, 0, '', 0, NULL, 0);",
        "INSERT INTO `character_quest_progress` VALUES (10, 3, 0, '{}', 0, '2026-12-05 10:00:00', 1);",
        "INSERT INTO `character_quest_progress` VALUES (11, 1, 4, '{}', 1, '2026-01-01 00:00:00', 0);",
        "INSERT INTO `bans` (`account_id`, `ip`, `duration`) VALUES (2, '10.0.0.9', 3600);",
    ] {
        sql.push(row.into());
    }
    sql
}

/// The CREATE TABLE statements of `ddl`, with `extra` columns for the accounts.
fn tables(ddl: &str, extra: &str) -> Vec<String> {
    ddl.replace("EXTRA_ACCOUNT_COLUMNS", extra)
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("{s};"))
        .collect()
}

/// A SQLite file in `dir` holding `sql`.
pub fn sqlite(dir: &Path, name: &str, sql: &[String]) -> PathBuf {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&sql.join("\n")).unwrap();
    path
}

/// A fresh database holding `sql` on the MySQL/MariaDB server `server` (a URL without a
/// database); returns its URL. Dropped by [`drop_mysql`].
pub fn mysql(server: &str, name: &str, sql: &[String]) -> String {
    use mysql::prelude::Queryable as _;
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(server).unwrap()).unwrap();
    conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
        .unwrap();
    conn.query_drop(format!("CREATE DATABASE `{name}`"))
        .unwrap();
    conn.query_drop(format!("USE `{name}`")).unwrap();
    for statement in sql {
        conn.query_drop(statement).unwrap();
    }
    format!("{}/{name}", server.trim_end_matches('/'))
}

pub fn drop_mysql(server: &str, name: &str) {
    use mysql::prelude::Queryable as _;
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(server).unwrap()).unwrap();
    conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
        .unwrap();
}
