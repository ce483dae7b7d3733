//! Plain data types the database layer reads and writes.
//!
//! They mirror the tables, not the packets: the integer types follow the EO protocol's sizes
//! (`u8` for a protocol "char", `u16` for a "short", `u32` for an "int") while SQLite stores
//! every one of them as a 64-bit integer. Enumerations such as gender, direction, admin level and
//! sit state are kept as their raw protocol numbers so that a value this build does not know is
//! still loaded and saved unchanged. Times are Unix seconds (see [`super::unix_now`]).

/// A row of `accounts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    /// The PHC string made by [`crate::auth::PasswordHasher::hash`].
    pub password_hash: String,
    pub real_name: String,
    pub location: String,
    pub email: String,
    pub computer: String,
    pub hdid: String,
    pub created_at: i64,
    /// `None` until the first successful login.
    pub last_login_at: Option<i64>,
    pub created_ip: String,
    /// `None` until the first successful login.
    pub last_ip: Option<String>,
}

/// What `create_account` needs; the id and `created_at` are chosen by the database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewAccount {
    pub username: String,
    pub password_hash: String,
    pub real_name: String,
    pub location: String,
    pub email: String,
    pub computer: String,
    pub hdid: String,
    pub created_ip: String,
}

/// The 15 paperdoll slots, in the protocol's order (`EquipmentPaperdoll`). Each is an item id,
/// 0 for an empty slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Equipment {
    pub boots: u16,
    pub accessory: u16,
    pub gloves: u16,
    pub belt: u16,
    pub armor: u16,
    pub necklace: u16,
    pub hat: u16,
    pub shield: u16,
    pub weapon: u16,
    pub ring: [u16; 2],
    pub armlet: [u16; 2],
    pub bracer: [u16; 2],
}

impl Equipment {
    /// The slots in paperdoll order: boots, accessory, gloves, belt, armor, necklace, hat,
    /// shield, weapon, ring 1, ring 2, armlet 1, armlet 2, bracer 1, bracer 2.
    pub fn to_array(&self) -> [u16; 15] {
        [
            self.boots,
            self.accessory,
            self.gloves,
            self.belt,
            self.armor,
            self.necklace,
            self.hat,
            self.shield,
            self.weapon,
            self.ring[0],
            self.ring[1],
            self.armlet[0],
            self.armlet[1],
            self.bracer[0],
            self.bracer[1],
        ]
    }

    /// The inverse of [`Equipment::to_array`].
    pub fn from_array(slots: [u16; 15]) -> Self {
        let [
            boots,
            accessory,
            gloves,
            belt,
            armor,
            necklace,
            hat,
            shield,
            weapon,
            ring1,
            ring2,
            armlet1,
            armlet2,
            bracer1,
            bracer2,
        ] = slots;
        Self {
            boots,
            accessory,
            gloves,
            belt,
            armor,
            necklace,
            hat,
            shield,
            weapon,
            ring: [ring1, ring2],
            armlet: [armlet1, armlet2],
            bracer: [bracer1, bracer2],
        }
    }
}

/// One entry of the character-select list (Character_Reply / Login_Reply OK).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharacterSummary {
    pub id: i64,
    pub name: String,
    pub level: u8,
    /// Raw `Gender` value: 0 female, 1 male.
    pub gender: u8,
    pub hair_style: u8,
    pub hair_color: u8,
    pub skin: u8,
    /// Raw `AdminLevel` value: 0 player ... 4 high game master.
    pub admin_level: u8,
    /// The paperdoll shown on the select screen (`EquipmentCharacterSelect`).
    pub boots: u16,
    pub armor: u16,
    pub hat: u16,
    pub shield: u16,
    pub weapon: u16,
}

/// A whole character: its `characters` row plus its inventory, bank and spells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Character {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub title: String,
    pub home: String,
    pub fiance: String,
    pub partner: String,
    /// Raw `AdminLevel` value.
    pub admin_level: u8,
    pub class: u8,
    /// Raw `Gender` value.
    pub gender: u8,
    pub race: u8,
    pub hair_style: u8,
    pub hair_color: u8,
    pub skin: u8,
    pub map: u16,
    pub x: u8,
    pub y: u8,
    /// Raw `Direction` value: 0 down, 1 left, 2 up, 3 right.
    pub direction: u8,
    pub level: u8,
    pub experience: u32,
    pub hp: u16,
    pub tp: u16,
    pub str: u16,
    /// Intelligence (column `int`; the protocol calls it `intl`).
    pub intl: u16,
    pub wis: u16,
    pub agi: u16,
    pub con: u16,
    pub cha: u16,
    pub stat_points: u16,
    pub skill_points: u16,
    pub karma: u16,
    /// Raw `SitState` value: 0 standing, 1 on a chair, 2 on the floor.
    pub sitting: u8,
    pub hidden: bool,
    pub bank_level: u8,
    /// Gold in the bank, at most `i32::MAX` (a CHECK constraint).
    pub gold_bank: u32,
    /// Minutes played.
    pub usage: u32,
    pub created_at: i64,
    pub equipment: Equipment,
    /// `(item_id, amount)`, amount 1..=i32::MAX, each item id at most once; loaded in the order
    /// it was saved.
    pub inventory: Vec<(u16, u32)>,
    /// The locker: `(item_id, amount)`, same rules as `inventory`.
    pub bank: Vec<(u16, u32)>,
    /// `(spell_id, level)`, each spell id at most once; loaded in the order it was saved.
    pub spells: Vec<(u16, u16)>,
    /// Where the character is in each quest it started (table `character_quests`), by quest id.
    pub quests: Vec<QuestProgress>,
    /// Its guild and rank as loaded (db/guilds.rs). Only guild actions write them: a save
    /// ignores this field.
    pub guild: Option<super::GuildMembership>,
    /// Not a column: the cosmetic clothes an operator put on it (`$dress`), for the session
    /// only. They travel with the character from map to map; loading gives none, a save
    /// ignores them.
    pub dressed: crate::rules::look::Dressed,
}

/// A character's progress in one EO+ quest (map/quests/ runs it). The state is kept by NAME, so
/// a quest file edited since (states reordered, added) still finds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestProgress {
    pub quest_id: u16,
    /// The state's name, lower-cased (`end` when finished, `done` between daily runs).
    pub state: String,
    /// What the state counts (kills, uses): `(key, count)`, keys as `npc/3`, `item/5`,
    /// `spell/2`, `players`; cleared when the state changes.
    pub counters: Vec<(String, u32)>,
    /// The last `Roll`.
    pub roll: u32,
    /// The day (days since 1970, UTC) `daily_count` counts, 0 for none.
    pub daily_day: u32,
    /// How many times the daily quest was done that day.
    pub daily_count: u32,
    /// How many times the quest was finished (`End`).
    pub completions: u32,
}

/// What became of a batch of characters given to `save_characters`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaveReport {
    /// How many were written.
    pub saved: usize,
    /// The ids of those whose row no longer exists (deleted meanwhile).
    pub missing: Vec<i64>,
    /// The ids of those whose state broke a constraint: not written (and logged).
    pub refused: Vec<i64>,
}

/// What `create_character` needs. Everything not here starts at 0 or empty; `race` is set to
/// `skin`. `Default` gives a level-0 character with zero stats at map 0 (0,0).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCharacter {
    pub name: String,
    pub gender: u8,
    pub hair_style: u8,
    pub hair_color: u8,
    pub skin: u8,
    pub class: u8,
    pub home: String,
    pub map: u16,
    pub x: u8,
    pub y: u8,
    pub direction: u8,
    pub level: u8,
    pub hp: u16,
    pub tp: u16,
    pub str: u16,
    pub intl: u16,
    pub wis: u16,
    pub agi: u16,
    pub con: u16,
    pub cha: u16,
    pub stat_points: u16,
    pub skill_points: u16,
}

/// A row of `bans`. At least one of `account_id` and `ip` is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ban {
    pub id: i64,
    pub account_id: Option<i64>,
    pub ip: Option<String>,
    pub reason: String,
    /// Who set it (a character name, "console", ...).
    pub banned_by: String,
    pub created_at: i64,
    /// `None` for a permanent ban.
    pub expires_at: Option<i64>,
}

impl Ban {
    /// Whether the ban still applies at `now` (Unix seconds): permanent, or expiring later.
    pub fn is_active(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// What `add_ban` needs; the id and `created_at` are chosen by the database. At least one of
/// `account_id` and `ip` must be set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewBan {
    pub account_id: Option<i64>,
    pub ip: Option<String>,
    pub reason: String,
    pub banned_by: String,
    /// Unix seconds; `None` for a permanent ban.
    pub expires_at: Option<i64>,
}

/// What `add_audit` records: one administration action.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewAudit {
    /// Where the command came from: "control" (the socket), later "game" (`$` commands).
    pub source: String,
    /// Who gave it: the peer's uid for the socket ("uid 1000"), a character name in game.
    pub who: String,
    pub command: String,
    /// The command's arguments as JSON.
    pub arguments: String,
    /// `None` if it succeeded, else what went wrong.
    pub error: Option<String>,
}

/// A row of `audit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub source: String,
    pub who: String,
    pub command: String,
    pub arguments: String,
    /// `None` if it succeeded, else what went wrong.
    pub error: Option<String>,
}
