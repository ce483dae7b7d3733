//! Server configuration: `eo-server.toml`, `EO_<SECTION>_<KEY>` environment overrides, and
//! validation.
//!
//! Every section and key is optional in the file; a missing one takes its default, declared once
//! in the section's `Default` impl. Unknown sections and keys are rejected by name, so typos do
//! not pass silently. After the file, environment variables override single keys
//! (`EO_SERVER_MAX_PLAYERS=50` sets `server.max_players`); the list of variables is derived from
//! the config structs themselves, so a new key gets its variable automatically. Finally the whole
//! config is validated.
//!
//! ```toml
//! [server]
//! listen = "0.0.0.0:8078"
//! max_connections = 300
//! max_players = 200
//! max_connections_per_ip = 3      # 0 = unlimited
//! ip_reconnect_limit_secs = 10    # 0 = off
//! hangup_delay_secs = 10          # a connection that does not finish the handshake is closed
//! ping_rate_secs = 60
//! write_coalesce_ms = 0           # hold queued broadcasts this long to write them together
//! enforce_sequence = true
//! min_version = "0.0.28"
//! trusted_proxies = []            # e.g. ["127.0.0.1", "10.0.0.0/8"]: PROXY headers / X-Forwarded-For
//! [database]
//! path = "eo-server.db"           # SQLite, the embedded default
//! url = ""                        # or PostgreSQL: "postgres://user:password@host/db"; wins over path
//! [world]
//! data_dir = ""                   # a folder with maps/ and pub/; empty: the bundled world
//! save_interval_secs = 60
//! spawn_areas = []                # e.g. [{ map = 3, x = 100, y = 100, radius = 90 }]
//! [control]
//! socket = "eo-server.sock"       # for the admin CLI
//! [log]
//! filter = "info"                 # a tracing EnvFilter directive; RUST_LOG overrides it
//! offender_interval_secs = 60     # refused and dropped connections: one line per address per interval
//! format = "text"                # or "json": an object a line
//! [admin]                         # the admin level each admin action needs (config/admin.rs)
//! kick = 1
//! mute = 1
//! info = 1
//! warp = 2
//! warptome = 2
//! warpmeto = 2
//! hide = 2
//! ban = 2
//! unban = 3
//! announce = 3
//! shutdown = 4
//! give = 3
//! promote = 4
//! admin_chat = 1                  # Talk_Admin: who may send it and who hears it
//! [npcs]                          # the maps' clock and NPC behaviour (see config/npcs.rs)
//! tick_ms = 125
//! speeds_ms = [900, 600, 1300, 1900, 3700, 7500, 15000]   # spawn types 0..6
//! chase_distance = 18
//! bored_ms = 30000
//! path_limit = 1000
//! respawn_rate = 1.0
//! spawn_radius = 2
//! seed = 0                        # 0 = random
//! speech_ms = 37500               # NPCs of the talk file may speak this often; 0 = never
//! [combat]                        # see config/combat.rs
//! ranged_distance = 5
//! exp_rate = 1.0
//! pk_maps = []                    # besides every map of type Pk
//! death_hp_percent = 50
//! respawn_home = false            # true: respawn at [world] spawn_*, not the map's relog point
//! [items]
//! drop_distance = 2               # how far from the character items are dropped and taken
//! drop_protect_player_secs = 5    # only the dropper may take a player's drop for this long
//! drop_protect_npc_secs = 30      # only the killer may take an NPC's drop for this long
//! ground_item_secs = 300          # then an item on the ground vanishes; 0 = never
//! max_ground_items = 250          # per map
//! max_item_amount = 2000000000    # of one item in an inventory (at most 2147483647)
//! max_drop_amount = 10000000      # dropped or junked at once (at most 16194276)
//! enforce_weight = true           # refuse pickups over the weight limit
//! [flood]                         # per-connection rate limits (0 = off)
//! walk_ms = 360                   # a walk sooner than this after the last is refused
//! attack_ms = 480
//! face_ms = 120
//! chat_ms = 500
//! action_burst = 4                # actions of one kind that may arrive together (jitter)
//! packets_per_sec = 30            # every packet; beyond packet_burst the client is dropped
//! packet_burst = 60
//! max_refused = 20                # refusals forgiven at one a second; beyond, dropped
//! [login]                         # wrong passwords and the hashing queue (0 = off)
//! max_attempts = 3                # wrong passwords per connection; the last closes it
//! max_account_failures = 10       # per account within failure_window_secs, then locked
//! max_address_failures = 20       # per address (unknown accounts too), then locked
//! failure_window_secs = 600
//! lockout_secs = 600              # locked: Login_Reply Busy, the password is not checked
//! max_hashing_per_address = 4     # password checks one address may have queued or running
//! [metrics]                       # Prometheus text on http://LISTEN/metrics
//! enabled = false
//! listen = "127.0.0.1:9464"
//! [jail]                          # $jail's tile, and where $unjail sends one
//! map = 6
//! x = 5
//! y = 6
//! free_map = 1
//! free_x = 16
//! free_y = 9
//! [barber]                        # a new hair style: base_cost + cost_per_level * level
//! base_cost = 0
//! cost_per_level = 200
//! [boards]                        # town boards (config/boards.rs)
//! max_posts = 20                  # a board keeps this many; a new one drops the oldest
//! max_user_posts = 6              # one character's posts on one board
//! max_recent_posts = 2            # ... made within recent_post_secs
//! recent_post_secs = 1800
//! max_subject_length = 32         # longer subjects and bodies are cut
//! max_post_length = 2048
//! date_posts = true               # "(5 min ago)" after each subject in the list
//! admin_board = 8                 # 1-8: admins only, and where reports go; 0 = none
//! admin_max_posts = 100
//! admin_level = 1                 # opens the admin board, receives reports
//! moderator_level = 1             # removes others' posts
//! [jukebox]                       # the jukebox tile and the bard (config/jukebox.rs)
//! cost = 25
//! max_track_id = 20
//! track_secs = 90                 # the box is busy this long after a pick; 0 = never
//! instruments = [49, 50]          # weapon doll graphics (EIF spec1) a bard plays
//! max_note_id = 36
//! [doors]
//! close_secs = 3                  # an opened door closes again after this long
//! [bank]                          # gold in the bank, lockers and their upgrades
//! max_gold = 2000000000           # in one character's bank (at most 2147483647)
//! base_size = 25                  # distinct items in a locker: base_size + size_step * upgrades
//! size_step = 5
//! max_item_amount = 200           # of one item in a locker
//! upgrade_base = 1000             # an upgrade costs upgrade_base + upgrade_step * upgrades bought
//! upgrade_step = 1000
//! max_upgrades = 7
//! [chests]
//! slots = 5                       # distinct items in a chest, its spawn slots included
//! max_item_amount = 10000000      # of one item in a chest
//! [inns]                          # a night: base + per_hp * missing HP + per_tp * missing TP
//! sleep_base_cost = 0
//! sleep_cost_per_hp = 1
//! sleep_cost_per_tp = 1
//! subscribe_anytime = false       # true: a citizen may join another inn without leaving its own
//! [shops]
//! default_max_amount = 4          # bought or sold at once, for a trade whose cap is 0
//! [skill_masters]
//! max_spells = 48                 # a character knowing this many learns no more
//! [parties]
//! max_size = 9                    # members, the leader included (2 to 100)
//! share_mode = "level"            # a kill's experience: "level" (by level) or "even"
//! [spells]
//! cooldown_ms = 600               # a caster's next cast sooner than this does nothing; 0 = none
//! [trade]                         # trades between players (map/trade/)
//! max_amount = 2000000000         # of one item offered (at most 2147483647)
//! protected_items = []            # item ids never offered (Lore items never are)
//! [map_effects]                   # timed map effects (map/effects.rs); an interval of 0 = off
//! spike_ms = 1500                 # timed spikes strike this often
//! spike_damage_percent = 20       # of the maximum HP, per spike
//! drain_ms = 15000                # HP and TP drain maps drain this often
//! drain_hp_percent = 20           # of the maximum HP (never the last point)
//! drain_tp_percent = 10           # of the maximum TP
//! quake_ms = 5000                 # the quake clock's step
//! [guilds]                        # guilds (docs/players.md); ranks 1 leader .. 9 new member
//! required_members = 10           # to create one, the founder included
//! create_cost = 50000             # gold, from the founder
//! recruit_cost = 1000             # gold, from the guild bank, per recruit
//! min_tag_length = 2
//! max_tag_length = 3
//! max_name_length = 24
//! max_description_length = 240
//! max_rank_name_length = 16
//! min_deposit = 1000
//! max_bank = 2000000000
//! max_members = 5000
//! edit_rank = 1                   # each *_rank: the largest rank number that may
//! kick_rank = 1
//! promote_rank = 1
//! recruit_rank = 2
//! disband_rank = 1
//! default_ranks = ["Leader", "Recruiter", "", "", "", "", "", "", "New Member"]
//! [marriage]                      # the lawyer and the priest (docs/players.md)
//! approval_cost = 500
//! divorce_cost = 10000
//! min_level = 5                   # to wed
//! male_outfit = 21                # armor worn to wed (item ids; official data: 133, 163)
//! female_outfit = 22
//! ring = 23                       # given to each partner (official: 374; 0 none)
//! start_delay_secs = 20           # from the partner's yes to the priest's first words
//! line_secs = 5
//! answer_secs = 30                # to say "I do"
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

mod admin;
mod bank;
mod barber;
mod boards;
mod chests;
mod combat;
mod database;
mod doors;
mod files;
mod flood;
mod guilds;
mod inns;
mod items;
mod jail;
mod jukebox;
mod load;
mod log;
mod login;
mod map_effects;
mod marriage;
mod metrics;
mod npcs;
mod parties;
mod server;
mod shops;
mod skill_masters;
mod spells;
#[cfg(test)]
mod tests;
mod trade;
mod world;

pub use admin::{AdminConfig, MAX_ADMIN_LEVEL};
pub use bank::{BankConfig, MAX_LOCKER_SIZE, MAX_LOCKER_UPGRADES};
pub use barber::BarberConfig;
pub use boards::{BOARD_COUNT, BoardsConfig};
pub use chests::{ChestsConfig, MAX_CHEST_SLOTS};
pub use combat::CombatConfig;
pub use database::DatabaseConfig;
pub use doors::DoorsConfig;
pub use files::ControlConfig;
pub use flood::{FloodConfig, MAX_PACE_MS};
pub use guilds::GuildsConfig;
pub use inns::InnsConfig;
pub use items::{ItemsConfig, MAX_GROUND_ITEMS, MAX_ITEM_AMOUNT, MAX_MOVED_AMOUNT};
pub use jail::JailConfig;
pub use jukebox::JukeboxConfig;
pub(crate) use load::process_env;
pub use load::{DEFAULT_FILE, ENV_PREFIX};
pub use log::{LogConfig, LogFormat};
pub use login::LoginConfig;
pub use map_effects::MapEffectsConfig;
pub use marriage::MarriageConfig;
pub use metrics::MetricsConfig;
pub use npcs::NpcConfig;
pub use parties::{MAX_PARTY_SIZE, PartiesConfig, ShareMode};
pub use server::{ClientVersion, ParseClientVersionError, ServerConfig};
pub use shops::{MAX_SHOP_AMOUNT, ShopsConfig};
pub use skill_masters::SkillMastersConfig;
pub use spells::{MAX_SPELL_COOLDOWN_MS, SpellsConfig};
pub use trade::TradeConfig;
pub use world::{MAX_NEWS_LINES, SpawnArea, WorldConfig};

/// Player ids are EO shorts (two bytes of base 253), so at most this many can exist at once.
pub const MAX_PLAYER_IDS: u32 = 64008;

/// Upper bound on every `*_secs` key (one year). Far larger values would overflow `Instant`
/// arithmetic in timers and are certainly typos.
pub const MAX_SECS: u64 = 365 * 24 * 60 * 60;

/// The whole server configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub world: WorldConfig,
    pub control: ControlConfig,
    pub log: LogConfig,
    pub admin: AdminConfig,
    pub npcs: NpcConfig,
    pub combat: CombatConfig,
    pub items: ItemsConfig,
    pub flood: FloodConfig,
    pub login: LoginConfig,
    pub metrics: MetricsConfig,
    pub barber: BarberConfig,
    pub boards: BoardsConfig,
    pub jukebox: JukeboxConfig,
    pub doors: DoorsConfig,
    pub bank: BankConfig,
    pub chests: ChestsConfig,
    pub inns: InnsConfig,
    pub shops: ShopsConfig,
    pub skill_masters: SkillMastersConfig,
    pub parties: PartiesConfig,
    pub spells: SpellsConfig,
    pub trade: TradeConfig,
    pub jail: JailConfig,
    pub map_effects: MapEffectsConfig,
    pub guilds: GuildsConfig,
    pub marriage: MarriageConfig,
}

/// A configuration problem. `key` says where: a dotted config key (`server.max_players`), an
/// environment variable (`EO_SERVER_LISTEN`), or a file path (for unreadable files and TOML
/// syntax errors). `problem` says what is wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config: {key}: {problem}")]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

impl Config {
    /// Checks the rules the types cannot express. Each error names the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.server.validate()?;
        self.world.validate()?;
        self.items.validate()?;
        self.database.validate()?;
        self.control.validate()?;
        self.admin.validate()?;
        self.npcs.validate()?;
        self.combat.validate()?;
        self.log.validate()?;
        self.flood.validate()?;
        self.login.validate()?;
        self.metrics.validate()?;
        self.barber.validate()?;
        self.boards.validate()?;
        self.jukebox.validate()?;
        self.doors.validate()?;
        self.bank.validate()?;
        self.chests.validate()?;
        self.inns.validate()?;
        self.shops.validate()?;
        self.parties.validate()?;
        self.spells.validate()?;
        self.trade.validate()?;
        self.jail.validate()?;
        self.map_effects.validate()?;
        self.guilds.validate()?;
        self.marriage.validate()?;
        Ok(())
    }
}

fn at_least_one(key: &str, value: u64) -> Result<(), ConfigError> {
    if value < 1 {
        return Err(ConfigError::new(key, format!("{value} is less than 1")));
    }
    Ok(())
}

fn at_most_a_year(key: &str, secs: u64) -> Result<(), ConfigError> {
    if secs > MAX_SECS {
        return Err(ConfigError::new(
            key,
            format!("{secs} is more than {MAX_SECS} (one year)"),
        ));
    }
    Ok(())
}

fn not_empty(key: &str, path: &Path) -> Result<(), ConfigError> {
    if path.as_os_str().is_empty() {
        return Err(ConfigError::new(key, "must not be empty"));
    }
    Ok(())
}
