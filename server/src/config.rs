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
//! enforce_sequence = true
//! min_version = "0.0.28"
//! [database]
//! path = "eo-server.db"
//! [world]
//! data_dir = "fixtures/world"     # maps/ and pub/
//! save_interval_secs = 60
//! spawn_areas = []                # e.g. [{ map = 3, x = 100, y = 100, radius = 90 }]
//! [control]
//! socket = "eo-server.sock"       # for the admin CLI
//! [log]
//! filter = "info"                 # a tracing EnvFilter directive; RUST_LOG overrides it
//! offender_interval_secs = 60     # refused and dropped connections: one line per address per interval
//! [admin]                         # the admin level each in-game `$` command needs
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
//! [npcs]                          # the maps' clock and NPC behaviour (see config/npcs.rs)
//! tick_ms = 125
//! speeds_ms = [900, 600, 1300, 1900, 3700, 7500, 15000]   # spawn types 0..6
//! chase_distance = 18
//! bored_ms = 30000
//! path_limit = 1000
//! respawn_rate = 1.0
//! spawn_radius = 2
//! seed = 0                        # 0 = random
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
//! ```

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod combat;
mod npcs;
pub use combat::CombatConfig;
pub use npcs::NpcConfig;

/// The most lines of `world.news` a client shows (the protocol sends exactly this many).
pub const MAX_NEWS_LINES: usize = 9;

/// The file `Config::load(None)` reads from the current directory, if it exists.
pub const DEFAULT_FILE: &str = "eo-server.toml";

/// Prefix of the environment variables that override config keys.
pub const ENV_PREFIX: &str = "EO_";

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
}

/// `[server]`: the listener, connection limits and protocol checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port the game listens on.
    pub listen: SocketAddr,
    /// Open connections at most, logged in or not.
    pub max_connections: u32,
    /// Players in the game at most; never more than `max_connections`.
    pub max_players: u32,
    /// Open connections from one IP address at most; 0 = unlimited.
    pub max_connections_per_ip: u32,
    /// Minimum seconds between two connections from one IP address; 0 = off.
    pub ip_reconnect_limit_secs: u64,
    /// Seconds a connection may take to finish the handshake before it is closed.
    pub hangup_delay_secs: u64,
    /// Seconds between pings; a client that has not answered the previous ping is closed.
    pub ping_rate_secs: u64,
    /// Close clients whose packet sequence numbers are wrong.
    pub enforce_sequence: bool,
    /// Oldest client version allowed to connect.
    pub min_version: ClientVersion,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 8078)),
            max_connections: 300,
            max_players: 200,
            max_connections_per_ip: 3,
            ip_reconnect_limit_secs: 10,
            hangup_delay_secs: 10,
            ping_rate_secs: 60,
            enforce_sequence: true,
            min_version: ClientVersion::new(0, 0, 28),
        }
    }
}

impl ServerConfig {
    /// How long a connection may take to finish the handshake.
    pub fn hangup_delay(&self) -> Duration {
        Duration::from_secs(self.hangup_delay_secs)
    }

    /// Time between pings.
    pub fn ping_rate(&self) -> Duration {
        Duration::from_secs(self.ping_rate_secs)
    }

    /// Minimum time between two connections from one IP address; `None` when the limit is off.
    pub fn ip_reconnect_limit(&self) -> Option<Duration> {
        (self.ip_reconnect_limit_secs > 0)
            .then(|| Duration::from_secs(self.ip_reconnect_limit_secs))
    }
}

/// `[database]`: the SQLite file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    pub path: PathBuf,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            path: PathBuf::from("eo-server.db"),
        }
    }
}

/// `[world]`: game data and periodic saving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorldConfig {
    /// Directory holding `maps/` and `pub/`.
    pub data_dir: PathBuf,
    /// Seconds between saves of all online characters.
    pub save_interval_secs: u64,
    /// Where new characters start: a map id and a tile (EOSERV's SpawnMap, SpawnX, SpawnY).
    pub spawn_map: u16,
    pub spawn_x: u8,
    pub spawn_y: u8,
    /// Where new characters start instead, if any are given: each a square of walkable tiles
    /// around a centre; an area is picked in proportion to its size, so a crowd spreads
    /// evenly over them. The spawn point above stays the rescue and jail point.
    pub spawn_areas: Vec<SpawnArea>,
    /// Characters an account may have (the official client shows 3).
    pub max_characters: u8,
    /// The news a client shows on entering the game, at most 9 lines; the first is the
    /// greeting.
    pub news: Vec<String>,
}

/// One `[world] spawn_areas` entry: the tiles within `radius` steps (in x and in y) of
/// (`x`, `y`) on `map`. The centre must be walkable (checked at start-up, when the maps are
/// loaded); other tiles of the square that are walls, warps or off the map are skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpawnArea {
    pub map: u16,
    pub x: u8,
    pub y: u8,
    #[serde(default)]
    pub radius: u8,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig {
            data_dir: PathBuf::from("fixtures/world"),
            save_interval_secs: 60,
            // The relog point of the bundled town, Mossbrook.
            spawn_map: 1,
            spawn_x: 16,
            spawn_y: 9,
            spawn_areas: Vec::new(),
            max_characters: 3,
            news: vec!["Welcome to eo-server!".to_owned()],
        }
    }
}

impl WorldConfig {
    /// Time between saves of all online characters.
    pub fn save_interval(&self) -> Duration {
        Duration::from_secs(self.save_interval_secs)
    }
}

/// `[control]`: the local socket the admin CLI talks to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ControlConfig {
    pub socket: PathBuf,
}

impl Default for ControlConfig {
    fn default() -> Self {
        ControlConfig {
            socket: PathBuf::from("eo-server.sock"),
        }
    }
}

/// The largest amount of one item a character may hold: the database's limit (`i32::MAX`).
pub const MAX_ITEM_AMOUNT: u32 = i32::MAX as u32;
/// The largest amount one packet can move at once (a three-byte EO number).
pub const MAX_MOVED_AMOUNT: u32 = 16_194_276;
/// The most items one map can hold on its ground (they are numbered with EO shorts).
pub const MAX_GROUND_ITEMS: u32 = 64_000;

/// `[items]`: items on the ground and in inventories (EOSERV's names in brackets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItemsConfig {
    /// How far (|dx| + |dy|) from the character an item may be dropped or picked up
    /// (DropDistance).
    pub drop_distance: u8,
    /// Seconds only the dropper may pick up what a player dropped (ProtectPlayerDrop).
    pub drop_protect_player_secs: u64,
    /// Seconds only the killer may pick up what an NPC dropped (ProtectNPCDrop).
    pub drop_protect_npc_secs: u64,
    /// Seconds an item lies on the ground before it vanishes; 0 = until the server stops.
    pub ground_item_secs: u64,
    /// Items one map's ground holds at most; a player's drop beyond it is refused.
    pub max_ground_items: u32,
    /// The most of one item a character may hold (MaxItem).
    pub max_item_amount: u32,
    /// The most of one item dropped or junked at once (MaxDrop).
    pub max_drop_amount: u32,
    /// Refuse picking up more than the character may carry (EnforceWeight).
    pub enforce_weight: bool,
}

impl Default for ItemsConfig {
    fn default() -> Self {
        ItemsConfig {
            drop_distance: 2,
            drop_protect_player_secs: 5,
            drop_protect_npc_secs: 30,
            ground_item_secs: 300,
            max_ground_items: 250,
            max_item_amount: 2_000_000_000,
            max_drop_amount: 10_000_000,
            enforce_weight: true,
        }
    }
}

impl ItemsConfig {
    pub fn drop_protect_player(&self) -> Duration {
        Duration::from_secs(self.drop_protect_player_secs)
    }

    pub fn drop_protect_npc(&self) -> Duration {
        Duration::from_secs(self.drop_protect_npc_secs)
    }

    /// How long an item lies on the ground; `None` for ever.
    pub fn ground_item_time(&self) -> Option<Duration> {
        (self.ground_item_secs > 0).then(|| Duration::from_secs(self.ground_item_secs))
    }
}

/// `[admin]`: the admin level (0 player, 1 Light Guide, 2 Guardian, 3 Game Master, 4 High
/// Game Master, 5) each in-game `$` command needs. `$show` needs what `$hide` does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    pub kick: u8,
    pub mute: u8,
    pub info: u8,
    pub warp: u8,
    pub warptome: u8,
    pub warpmeto: u8,
    pub hide: u8,
    pub ban: u8,
    pub unban: u8,
    pub announce: u8,
    pub shutdown: u8,
    pub give: u8,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            kick: 1,
            mute: 1,
            info: 1,
            warp: 2,
            warptome: 2,
            warpmeto: 2,
            hide: 2,
            ban: 2,
            unban: 3,
            announce: 3,
            shutdown: 4,
            give: 3,
        }
    }
}

impl AdminConfig {
    /// Every command's level, by the command's name.
    pub fn levels(&self) -> [(&'static str, u8); 12] {
        [
            ("kick", self.kick),
            ("mute", self.mute),
            ("info", self.info),
            ("warp", self.warp),
            ("warptome", self.warptome),
            ("warpmeto", self.warpmeto),
            ("hide", self.hide),
            ("ban", self.ban),
            ("unban", self.unban),
            ("announce", self.announce),
            ("shutdown", self.shutdown),
            ("give", self.give),
        ]
    }

    /// The level the in-game command `command` needs; `None` if it is not an in-game command.
    pub fn level(&self, command: &str) -> Option<u8> {
        let command = if command == "show" { "hide" } else { command };
        self.levels()
            .into_iter()
            .find(|(name, _)| *name == command)
            .map(|(_, level)| level)
    }
}

/// The highest admin level.
pub const MAX_ADMIN_LEVEL: u8 = 5;

/// `[log]`: logging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A `tracing_subscriber::EnvFilter` directive such as `info` or `info,eo_server=debug`;
    /// `RUST_LOG`, when set, takes precedence (applied where logging is set up).
    pub filter: String,
    /// Refused and dropped connections are logged at most once per address per this many
    /// seconds; the rest are counted, and the count is logged when the interval ends.
    pub offender_interval_secs: u64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            filter: "info".to_owned(),
            offender_interval_secs: 60,
        }
    }
}

impl LogConfig {
    /// How long one address's refused and dropped connections share one log line.
    pub fn offender_interval(&self) -> Duration {
        Duration::from_secs(self.offender_interval_secs)
    }
}

/// `[flood]`: per-connection rate limits. An action (walk, attack, face, chat) that comes
/// sooner than its pace allows is refused (dropped; a walker is put back); refusals are
/// forgiven at one a second, and a client with more than `max_refused` unforgiven is
/// disconnected. Every packet also counts against `packets_per_sec`: a client beyond it, past
/// a burst of `packet_burst`, is disconnected. A pace or rate of 0 turns that check off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FloodConfig {
    /// Walks: the least time between two, by the client's own timestamps and on arrival
    /// (EOSERV refuses walks stamped under 36 hundredths of a second apart).
    pub walk_ms: u64,
    /// Attacks, likewise (EOSERV: 48 hundredths).
    pub attack_ms: u64,
    /// Turning to face a direction (EOSERV's PacketRateFace).
    pub face_ms: u64,
    /// Chat of every kind (public, global, private, admin, announcements).
    pub chat_ms: u64,
    /// Actions of one kind that may arrive at once, for network jitter, before the pace applies.
    pub action_burst: u32,
    /// Packets per second a connection may send, sustained.
    pub packets_per_sec: u32,
    /// Packets that may arrive at once above that rate.
    pub packet_burst: u32,
    /// Refused actions tolerated (each forgiven after a second); one more disconnects.
    pub max_refused: u32,
}

impl Default for FloodConfig {
    fn default() -> Self {
        FloodConfig {
            walk_ms: 360,
            attack_ms: 480,
            face_ms: 120,
            chat_ms: 500,
            action_burst: 4,
            packets_per_sec: 30,
            packet_burst: 60,
            max_refused: 20,
        }
    }
}

/// The longest pace a `[flood] *_ms` key may set (a minute): longer is surely a typo.
pub const MAX_PACE_MS: u64 = 60_000;

/// A client version `major.minor.patch`, each part one byte as the protocol sends it.
/// Ordered part by part, so `ClientVersion::new(0, 0, 28) < ClientVersion::new(0, 1, 0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientVersion {
    pub major: u8,
    pub minor: u8,
    pub patch: u8,
}

impl ClientVersion {
    pub const fn new(major: u8, minor: u8, patch: u8) -> Self {
        ClientVersion {
            major,
            minor,
            patch,
        }
    }
}

impl fmt::Display for ClientVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why a string is not a [`ClientVersion`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a client version: {reason}")]
pub struct ParseClientVersionError {
    pub input: String,
    pub reason: String,
}

impl FromStr for ClientVersion {
    type Err = ParseClientVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| ParseClientVersionError {
            input: s.to_owned(),
            reason,
        };
        let parts: Vec<&str> = s.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(fail(format!(
                "expected three numbers separated by dots, like \"0.0.28\", found {}",
                parts.len()
            )));
        };
        let part = |p: &str| -> Result<u8, ParseClientVersionError> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail(format!("{p:?} is not a number")));
            }
            p.parse::<u8>()
                .map_err(|_| fail(format!("{p} is more than 255")))
        };
        Ok(ClientVersion::new(part(major)?, part(minor)?, part(patch)?))
    }
}

impl Serialize for ClientVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClientVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
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
    fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

impl Config {
    /// Loads the configuration: from `path` if given (an error if it cannot be read), else from
    /// `eo-server.toml` in the current directory if that exists, else the defaults. Then applies
    /// `EO_*` environment overrides and validates.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        // An empty directory joins to the bare relative name, which the OS resolves against the
        // current directory, and error messages show `eo-server.toml` rather than `./...`.
        Config::load_from(path, Path::new(""), process_env()?)
    }

    /// [`Config::load`] with the directory searched for `eo-server.toml` (when `path` is `None`)
    /// and the environment given explicitly.
    pub fn load_from(
        path: Option<&Path>,
        default_dir: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut config = match path {
            Some(path) => Config::from_file(path)?,
            None => {
                let path = default_dir.join(DEFAULT_FILE);
                match std::fs::read_to_string(&path) {
                    Ok(text) => Config::parse(&text, Some(&path))?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
                    Err(e) => return Err(read_error(&path, &e)),
                }
            }
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and parses one file (no environment overrides, no validation).
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| read_error(path, &e))?;
        Config::parse(&text, Some(path))
    }

    /// Parses TOML text (no environment overrides, no validation).
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, None)
    }

    fn parse(text: &str, file: Option<&Path>) -> Result<Config, ConfigError> {
        let source = file.map_or_else(|| "TOML".to_owned(), |p| p.display().to_string());
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| ConfigError::new(&source, e.to_string().trim_end()))?;
        let in_file = |e: ConfigError| match file {
            Some(p) => ConfigError::new(e.key, format!("{} (in {})", e.problem, p.display())),
            None => e,
        };
        check_table(&table).map_err(in_file)?;
        table_to_config(table).map_err(|e| ConfigError::new(source, e))
    }

    /// Overrides keys from `EO_<SECTION>_<KEY>` variables (e.g. `EO_SERVER_MAX_PLAYERS=50`).
    /// Other variables are ignored; an `EO_` variable that names no key, or whose value does not
    /// fit the key, is an error naming the variable. On error `self` is unchanged.
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        let mut ours: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(name, _)| name.starts_with(ENV_PREFIX))
            .collect();
        if ours.is_empty() {
            return Ok(());
        }
        ours.sort();
        let mut table = self.to_table();
        for (var, raw) in ours {
            let Some((section, key)) = env_key(&table, &var) else {
                return Err(ConfigError::new(
                    &var,
                    format!(
                        "names no config key; known variables: {}",
                        Config::env_var_names().join(", ")
                    ),
                ));
            };
            let slot = table
                .get_mut(&section)
                .and_then(toml::Value::as_table_mut)
                .and_then(|t| t.get_mut(&key))
                .expect("env_key returned an existing key"); // ok: env_key only returns keys of this table
            let bad = |why: String| {
                ConfigError::new(
                    &var,
                    format!("{raw:?} is not valid for {section}.{key}: {why}"),
                )
            };
            let value = env_value(slot, &raw).map_err(bad)?;
            check_value(&section, &key, &value).map_err(bad)?;
            *slot = value;
        }
        *self = table_to_config(table).map_err(|e| ConfigError::new("environment", e))?;
        Ok(())
    }

    /// The environment variable for every key, sorted (`EO_CONTROL_SOCKET`, ...).
    pub fn env_var_names() -> Vec<String> {
        keys(&Config::default().to_table())
            .into_iter()
            .map(|(section, key)| env_var_name(&section, &key))
            .collect()
    }

    /// Checks the rules the types cannot express. Each error names the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let s = &self.server;
        at_least_one("server.max_connections", u64::from(s.max_connections))?;
        at_most_player_ids("server.max_connections", s.max_connections)?;
        at_least_one("server.max_players", u64::from(s.max_players))?;
        at_most_player_ids("server.max_players", s.max_players)?;
        if s.max_players > s.max_connections {
            return Err(ConfigError::new(
                "server.max_players",
                format!(
                    "{} is more than server.max_connections ({})",
                    s.max_players, s.max_connections
                ),
            ));
        }
        at_least_one("server.hangup_delay_secs", s.hangup_delay_secs)?;
        at_least_one("server.ping_rate_secs", s.ping_rate_secs)?;
        at_least_one("world.save_interval_secs", self.world.save_interval_secs)?;
        at_least_one("world.spawn_map", u64::from(self.world.spawn_map))?;
        at_least_one("world.max_characters", u64::from(self.world.max_characters))?;
        for (i, area) in self.world.spawn_areas.iter().enumerate() {
            at_least_one(&format!("world.spawn_areas[{i}].map"), u64::from(area.map))?;
        }
        for (key, secs) in [
            ("server.ip_reconnect_limit_secs", s.ip_reconnect_limit_secs),
            ("server.hangup_delay_secs", s.hangup_delay_secs),
            ("server.ping_rate_secs", s.ping_rate_secs),
            ("world.save_interval_secs", self.world.save_interval_secs),
            (
                "items.drop_protect_player_secs",
                self.items.drop_protect_player_secs,
            ),
            (
                "items.drop_protect_npc_secs",
                self.items.drop_protect_npc_secs,
            ),
            ("items.ground_item_secs", self.items.ground_item_secs),
        ] {
            if secs > MAX_SECS {
                return Err(ConfigError::new(
                    key,
                    format!("{secs} is more than {MAX_SECS} (one year)"),
                ));
            }
        }
        for (key, path) in [
            ("database.path", &self.database.path),
            ("world.data_dir", &self.world.data_dir),
            ("control.socket", &self.control.socket),
        ] {
            if path.as_os_str().is_empty() {
                return Err(ConfigError::new(key, "must not be empty"));
            }
        }
        let items = &self.items;
        for (key, value, max) in [
            (
                "items.max_item_amount",
                items.max_item_amount,
                MAX_ITEM_AMOUNT,
            ),
            (
                "items.max_drop_amount",
                items.max_drop_amount,
                MAX_MOVED_AMOUNT,
            ),
            (
                "items.max_ground_items",
                items.max_ground_items,
                MAX_GROUND_ITEMS,
            ),
        ] {
            at_least_one(key, u64::from(value))?;
            if value > max {
                return Err(ConfigError::new(key, format!("{value} is more than {max}")));
            }
        }
        for (key, level) in self.admin.levels() {
            if level > MAX_ADMIN_LEVEL {
                return Err(ConfigError::new(
                    format!("admin.{key}"),
                    format!("{level} is above the highest admin level ({MAX_ADMIN_LEVEL})"),
                ));
            }
        }
        self.npcs.validate()?;
        self.combat.validate()?;
        if self.world.news.len() > MAX_NEWS_LINES {
            return Err(ConfigError::new(
                "world.news",
                format!(
                    "{} lines; the client shows at most {MAX_NEWS_LINES}",
                    self.world.news.len()
                ),
            ));
        }
        at_least_one(
            "log.offender_interval_secs",
            self.log.offender_interval_secs,
        )?;
        if self.log.offender_interval_secs > MAX_SECS {
            return Err(ConfigError::new(
                "log.offender_interval_secs",
                format!(
                    "{} is more than {MAX_SECS} (one year)",
                    self.log.offender_interval_secs
                ),
            ));
        }
        let f = &self.flood;
        for (key, ms) in [
            ("flood.walk_ms", f.walk_ms),
            ("flood.attack_ms", f.attack_ms),
            ("flood.face_ms", f.face_ms),
            ("flood.chat_ms", f.chat_ms),
        ] {
            if ms > MAX_PACE_MS {
                return Err(ConfigError::new(
                    key,
                    format!("{ms} is more than {MAX_PACE_MS} (a minute)"),
                ));
            }
        }
        at_least_one("flood.action_burst", u64::from(f.action_burst))?;
        at_least_one("flood.packet_burst", u64::from(f.packet_burst))?;
        let filter = &self.log.filter;
        if filter.trim().is_empty() {
            return Err(ConfigError::new(
                "log.filter",
                "must not be empty (use e.g. \"info\", or \"off\" for no logs)",
            ));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(filter) {
            return Err(ConfigError::new(
                "log.filter",
                format!("{filter:?} is not a valid filter directive: {e}"),
            ));
        }
        Ok(())
    }

    /// The effective configuration as TOML, every key present.
    ///
    /// # Panics
    ///
    /// If a path field was set in code to a non-UTF-8 path, or a `*_secs` field above
    /// `i64::MAX`: TOML cannot represent either. Configs from [`Config::load`] never hold one.
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).expect("the config types always serialize to TOML") // ok: plain structs of strings, numbers and paths; see # Panics
    }

    /// A configuration from a table of section tables (no validation).
    pub(crate) fn from_table(table: toml::Table) -> Result<Config, ConfigError> {
        table_to_config(table).map_err(|e| ConfigError::new("config", e))
    }

    /// The configuration as a TOML table of section tables, every key present.
    pub(crate) fn to_table(&self) -> toml::Table {
        // Cannot fail: every field is a string, bool, or integer no larger than i64::MAX (the
        // only ways to set one are TOML and env values, both parsed as TOML integers).
        toml::Table::try_from(self).expect("the config types always serialize to a TOML table") // ok: as above
    }
}

/// The process's `EO_*` variables. Unlike `std::env::vars()` this does not panic on a value that
/// is not UTF-8; such a value in an `EO_*` variable is an error naming it.
pub(crate) fn process_env() -> Result<Vec<(String, String)>, ConfigError> {
    let mut vars = Vec::new();
    for (name, value) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if !name.starts_with(ENV_PREFIX) {
            continue;
        }
        match value.into_string() {
            Ok(value) => vars.push((name, value)),
            Err(_) => return Err(ConfigError::new(name, "the value is not valid UTF-8")),
        }
    }
    Ok(vars)
}

fn read_error(path: &Path, e: &std::io::Error) -> ConfigError {
    ConfigError::new(
        path.display().to_string(),
        format!("cannot read the file: {e}"),
    )
}

fn at_least_one(key: &str, value: u64) -> Result<(), ConfigError> {
    if value < 1 {
        return Err(ConfigError::new(key, format!("{value} is less than 1")));
    }
    Ok(())
}

fn at_most_player_ids(key: &str, value: u32) -> Result<(), ConfigError> {
    if value > MAX_PLAYER_IDS {
        return Err(ConfigError::new(
            key,
            format!("{value} is more than {MAX_PLAYER_IDS} (player ids are EO shorts)"),
        ));
    }
    Ok(())
}

fn table_to_config(table: toml::Table) -> Result<Config, String> {
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())
}

/// Every `(section, key)` of a config table, in order.
fn keys(table: &toml::Table) -> Vec<(String, String)> {
    table
        .iter()
        .filter_map(|(section, v)| v.as_table().map(|t| (section, t)))
        .flat_map(|(section, t)| t.keys().map(move |key| (section.clone(), key.clone())))
        .collect()
}

fn env_var_name(section: &str, key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}_{}",
        section.to_uppercase(),
        key.to_uppercase()
    )
}

/// The `(section, key)` an environment variable names, if any.
fn env_key(table: &toml::Table, var: &str) -> Option<(String, String)> {
    keys(table)
        .into_iter()
        .find(|(section, key)| env_var_name(section, key) == var)
}

/// Parses an environment value as the same TOML type as the key's current value.
fn env_value(current: &toml::Value, raw: &str) -> Result<toml::Value, String> {
    let trimmed = raw.trim();
    Ok(match current {
        toml::Value::String(_) => toml::Value::String(raw.to_owned()),
        toml::Value::Integer(_) => toml::Value::Integer(
            trimmed
                .parse()
                .map_err(|_| "expected a whole number".to_owned())?,
        ),
        toml::Value::Boolean(_) => match trimmed.to_ascii_lowercase().as_str() {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            _ => return Err("expected true or false".to_owned()),
        },
        toml::Value::Float(_) => toml::Value::Float(
            trimmed
                .parse()
                .map_err(|_| "expected a number".to_owned())?,
        ),
        // Arrays, tables, dates: take the value as TOML.
        _ => {
            let mut t: toml::Table = toml::from_str(&format!("v = {trimmed}"))
                .map_err(|e| format!("not a TOML value: {}", e.message()))?;
            t.remove("v").ok_or_else(|| "not a TOML value".to_owned())?
        }
    })
}

/// Checks that `value` deserializes as `section.key`: put it into the default config and try.
fn check_value(section: &str, key: &str, value: &toml::Value) -> Result<(), String> {
    let mut trial = Config::default().to_table();
    if let Some(t) = trial.get_mut(section).and_then(toml::Value::as_table_mut) {
        t.insert(key.to_owned(), value.clone());
    }
    table_to_config(trial).map(drop)
}

/// Rejects unknown sections and keys and mistyped values in a parsed file, naming the key.
fn check_table(table: &toml::Table) -> Result<(), ConfigError> {
    let defaults = Config::default().to_table();
    let sections = || {
        defaults
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (section, value) in table {
        let Some(known) = defaults.get(section).and_then(toml::Value::as_table) else {
            let hint = match keys(&defaults).into_iter().find(|(_, k)| k == section) {
                Some((s, _)) => format!("; did you mean `{section}` under [{s}]?"),
                None => String::new(),
            };
            return Err(ConfigError::new(
                section,
                format!(
                    "unknown section or key (sections are: {}){hint}",
                    sections()
                ),
            ));
        };
        let Some(entries) = value.as_table() else {
            return Err(ConfigError::new(
                section,
                format!("expected a [{section}] table, found a {}", value.type_str()),
            ));
        };
        for (key, value) in entries {
            let name = format!("{section}.{key}");
            if !known.contains_key(key) {
                let list = known.keys().map(String::as_str).collect::<Vec<_>>();
                return Err(ConfigError::new(
                    name,
                    format!("unknown key (keys in [{section}] are: {})", list.join(", ")),
                ));
            }
            check_value(section, key, value).map_err(|e| ConfigError::new(name, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
[server]
listen = "127.0.0.1:9000"
max_connections = 1000
max_players = 500
max_connections_per_ip = 0
ip_reconnect_limit_secs = 0
hangup_delay_secs = 5
ping_rate_secs = 30
enforce_sequence = false
min_version = "0.0.29"

[database]
path = "/var/lib/eo/eo.db"

[world]
data_dir = "/srv/eo/world"
save_interval_secs = 300
spawn_map = 2
spawn_x = 3
spawn_y = 15
spawn_areas = [{ map = 1, x = 16, y = 9, radius = 4 }, { map = 2, x = 3, y = 15 }]
max_characters = 2
news = ["Hello", "second line"]

[control]
socket = "/run/eo/eo.sock"

[log]
filter = "info,eo_server=debug"
offender_interval_secs = 5

[admin]
kick = 2
mute = 3
info = 0
warp = 3
warptome = 3
warpmeto = 1
hide = 1
ban = 3
unban = 4
announce = 2
shutdown = 5
give = 5
[npcs]
tick_ms = 50
speeds_ms = [100, 200, 300, 400, 500, 600, 700]
chase_distance = 5
bored_ms = 1000
path_limit = 50
respawn_rate = 0.5
spawn_radius = 0
seed = 7
[combat]
ranged_distance = 3
exp_rate = 2.0
pk_maps = [1, 3]
death_hp_percent = 100
respawn_home = true

[items]
drop_distance = 3
drop_protect_player_secs = 6
drop_protect_npc_secs = 40
ground_item_secs = 0
max_ground_items = 100
max_item_amount = 1000
max_drop_amount = 500
enforce_weight = false

[flood]
walk_ms = 400
attack_ms = 0
face_ms = 100
chat_ms = 250
action_burst = 2
packets_per_sec = 100
packet_burst = 200
max_refused = 5
"#;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse_err(text: &str) -> ConfigError {
        Config::from_toml_str(text).expect_err("should be rejected")
    }

    fn invalid(edit: impl FnOnce(&mut Config)) -> ConfigError {
        let mut c = Config::default();
        edit(&mut c);
        c.validate().expect_err("should be invalid")
    }

    fn env_err(pairs: &[(&str, &str)]) -> ConfigError {
        let mut c = Config::default();
        let err = c.apply_env(env(pairs)).expect_err("should be rejected");
        assert_eq!(
            c,
            Config::default(),
            "a failed apply_env must not change the config"
        );
        err
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let c = Config::default();
        assert_eq!(
            c.server.listen,
            "0.0.0.0:8078".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(c.server.max_connections, 300);
        assert_eq!(c.server.max_players, 200);
        assert_eq!(c.server.max_connections_per_ip, 3);
        assert_eq!(c.server.ip_reconnect_limit_secs, 10);
        assert_eq!(c.server.hangup_delay_secs, 10);
        assert_eq!(c.server.ping_rate_secs, 60);
        assert!(c.server.enforce_sequence);
        assert_eq!(c.server.min_version, ClientVersion::new(0, 0, 28));
        assert_eq!(c.database.path, PathBuf::from("eo-server.db"));
        assert_eq!(c.world.data_dir, PathBuf::from("fixtures/world"));
        assert_eq!(c.world.save_interval_secs, 60);
        assert_eq!(c.control.socket, PathBuf::from("eo-server.sock"));
        assert_eq!(c.log.filter, "info");
        assert_eq!(c.log.offender_interval(), Duration::from_secs(60));
        assert_eq!(c.admin, AdminConfig::default());
        assert_eq!((c.flood.walk_ms, c.flood.attack_ms), (360, 480));
        assert_eq!((c.flood.face_ms, c.flood.chat_ms), (120, 500));
        assert_eq!((c.flood.packets_per_sec, c.flood.packet_burst), (30, 60));
        assert_eq!((c.flood.action_burst, c.flood.max_refused), (4, 20));
        assert_eq!(c.admin.level("kick"), Some(1));
        assert_eq!(c.admin.level("shutdown"), Some(4));
        c.validate().unwrap();

        assert_eq!(c.server.hangup_delay(), Duration::from_secs(10));
        assert_eq!(c.server.ping_rate(), Duration::from_secs(60));
        assert_eq!(c.server.ip_reconnect_limit(), Some(Duration::from_secs(10)));
        assert_eq!(c.world.save_interval(), Duration::from_secs(60));
    }

    #[test]
    fn empty_file_and_module_doc_example_give_defaults() {
        assert_eq!(Config::from_toml_str("").unwrap(), Config::default());
        let doc: String = include_str!("config.rs")
            .lines()
            .skip_while(|l| *l != "//! ```toml")
            .skip(1)
            .take_while(|l| *l != "//! ```")
            .map(|l| format!("{}\n", l.trim_start_matches("//!").trim_start()))
            .collect();
        assert!(doc.contains("[log]"), "example not found: {doc}");
        assert_eq!(Config::from_toml_str(&doc).unwrap(), Config::default());
    }

    #[test]
    fn spawn_areas_come_from_the_file_or_the_environment() {
        let c = Config::from_toml_str(FULL).unwrap();
        assert_eq!(
            c.world.spawn_areas,
            [
                SpawnArea {
                    map: 1,
                    x: 16,
                    y: 9,
                    radius: 4
                },
                SpawnArea {
                    map: 2,
                    x: 3,
                    y: 15,
                    radius: 0
                }
            ]
        );
        let c =
            Config::from_toml_str("[[world.spawn_areas]]\nmap = 3\nx = 100\ny = 90\nradius = 50\n")
                .unwrap();
        assert_eq!(c.world.spawn_areas.len(), 1);
        assert_eq!(c.world.spawn_areas[0].radius, 50);

        let mut c = Config::default();
        c.apply_env(env(&[(
            "EO_WORLD_SPAWN_AREAS",
            "[{ map = 3, x = 10, y = 12, radius = 5 }]",
        )]))
        .unwrap();
        assert_eq!(c.world.spawn_areas[0].y, 12);

        let e = parse_err("[world]\nspawn_areas = [{ map = 1, x = 1, y = 1, r = 2 }]\n");
        assert_eq!(e.key, "world.spawn_areas");
        assert!(e.problem.contains("unknown field"), "{e}");
        let e = parse_err("[world]\nspawn_areas = [{ map = 1, x = 300, y = 1 }]\n");
        assert_eq!(e.key, "world.spawn_areas");
        let e = env_err(&[("EO_WORLD_SPAWN_AREAS", "[{ map = 1 }]")]);
        assert_eq!(e.key, "EO_WORLD_SPAWN_AREAS");
        let e = invalid(|c| {
            c.world.spawn_areas = vec![SpawnArea {
                map: 0,
                x: 1,
                y: 1,
                radius: 0,
            }]
        });
        assert_eq!(e.key, "world.spawn_areas[0].map");
    }

    #[test]
    fn full_file_parses_and_round_trips() {
        let c = Config::from_toml_str(FULL).unwrap();
        c.validate().unwrap();
        assert_eq!(
            c.server.listen,
            "127.0.0.1:9000".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(c.server.max_connections, 1000);
        assert_eq!(c.server.max_players, 500);
        assert_eq!(c.server.max_connections_per_ip, 0);
        assert_eq!(c.server.ip_reconnect_limit(), None);
        assert_eq!(c.server.hangup_delay(), Duration::from_secs(5));
        assert_eq!(c.server.ping_rate(), Duration::from_secs(30));
        assert!(!c.server.enforce_sequence);
        assert_eq!(c.server.min_version, ClientVersion::new(0, 0, 29));
        assert_eq!(c.database.path, PathBuf::from("/var/lib/eo/eo.db"));
        assert_eq!(c.world.data_dir, PathBuf::from("/srv/eo/world"));
        assert_eq!(c.world.save_interval(), Duration::from_secs(300));
        assert_eq!(c.control.socket, PathBuf::from("/run/eo/eo.sock"));
        assert_eq!(c.log.filter, "info,eo_server=debug");
        assert_eq!(c.admin.kick, 2);
        assert_eq!(c.admin.level("show"), Some(1));
        assert_eq!(c.admin.level("shutdown"), Some(5));
        assert_eq!(c.admin.level("save"), None);

        let printed = c.to_toml_string();
        assert_eq!(Config::from_toml_str(&printed).unwrap(), c);
        let defaults = Config::default().to_toml_string();
        assert!(defaults.contains("[server]") && defaults.contains("min_version = \"0.0.28\""));
        assert_eq!(Config::from_toml_str(&defaults).unwrap(), Config::default());
    }

    #[test]
    fn partial_file_fills_defaults() {
        let c = Config::from_toml_str("[server]\nmax_players = 50\n[log]\nfilter = \"debug\"\n")
            .unwrap();
        let mut expected = Config::default();
        expected.server.max_players = 50;
        expected.log.filter = "debug".into();
        assert_eq!(c, expected);

        let c = Config::from_toml_str("[world]\n").unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let e = parse_err("[server]\nmax_playerz = 5\n");
        assert_eq!(e.key, "server.max_playerz");
        assert!(e.problem.contains("unknown key"), "{e}");
        assert!(
            e.problem.contains("max_players"),
            "lists the known keys: {e}"
        );
        assert!(
            e.to_string()
                .starts_with("config: server.max_playerz: unknown key")
        );
    }

    #[test]
    fn unknown_section_is_rejected_by_name() {
        let e = parse_err("[sever]\nlisten = \"0.0.0.0:1\"\n");
        assert_eq!(e.key, "sever");
        assert!(e.problem.contains("unknown section"), "{e}");

        // A key written outside its section gets a hint.
        let e = parse_err("max_players = 5\n");
        assert_eq!(e.key, "max_players");
        assert!(e.problem.contains("[server]"), "{e}");

        let e = parse_err("server = 5\n");
        assert_eq!(e.key, "server");
        assert!(e.problem.contains("expected a [server] table"), "{e}");
    }

    #[test]
    fn bad_types_are_rejected_naming_the_key() {
        let cases = [
            ("[server]\nmax_players = \"many\"\n", "server.max_players"),
            ("[server]\nmax_players = -1\n", "server.max_players"),
            (
                "[server]\nmax_connections = 5000000000\n",
                "server.max_connections",
            ),
            (
                "[server]\nenforce_sequence = \"yes\"\n",
                "server.enforce_sequence",
            ),
            ("[server]\nlisten = \"localhost\"\n", "server.listen"),
            ("[server]\nlisten = 8078\n", "server.listen"),
            ("[server]\nping_rate_secs = 1.5\n", "server.ping_rate_secs"),
            ("[database]\npath = 3\n", "database.path"),
            (
                "[world]\nsave_interval_secs = true\n",
                "world.save_interval_secs",
            ),
            ("[log]\nfilter = [\"info\"]\n", "log.filter"),
        ];
        for (text, key) in cases {
            let e = parse_err(text);
            assert_eq!(e.key, key, "{text}: {e}");
            assert!(!e.problem.is_empty());
        }
        let e = parse_err("[server]\nmax_players = \"many\"\n");
        assert!(e.problem.contains("invalid type"), "{e}");
    }

    #[test]
    fn syntax_error_names_the_file_and_position() {
        let e = parse_err("[server\nmax_players = 5\n");
        assert_eq!(e.key, "TOML");
        assert!(e.problem.contains("line 1"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[server]\nmax_players = = 5\n").unwrap();
        let e = Config::from_file(&path).unwrap_err();
        assert_eq!(e.key, path.display().to_string());
        assert!(e.problem.contains("line 2"), "{e}");

        // Key errors in a file say which file.
        std::fs::write(&path, "[server]\nbogus = 1\n").unwrap();
        let e = Config::from_file(&path).unwrap_err();
        assert_eq!(e.key, "server.bogus");
        assert!(e.problem.contains("bad.toml"), "{e}");
    }

    #[test]
    fn validation_rules() {
        let e = invalid(|c| c.server.max_connections = 0);
        assert_eq!(e.key, "server.max_connections");
        assert_eq!(
            e.to_string(),
            "config: server.max_connections: 0 is less than 1"
        );

        let e = invalid(|c| c.server.max_players = 0);
        assert_eq!(e.key, "server.max_players");

        let e = invalid(|c| c.server.max_players = 500);
        assert_eq!(
            e.to_string(),
            "config: server.max_players: 500 is more than server.max_connections (300)"
        );

        let e = invalid(|c| {
            c.server.max_connections = 70_000;
            c.server.max_players = 10;
        });
        assert_eq!(e.key, "server.max_connections");
        assert!(e.problem.contains("64008"), "{e}");

        let e = invalid(|c| {
            c.server.max_connections = MAX_PLAYER_IDS;
            c.server.max_players = MAX_PLAYER_IDS + 1;
        });
        assert_eq!(e.key, "server.max_players");
        assert!(e.problem.contains("64008"), "{e}");

        let mut at_limit = Config::default();
        at_limit.server.max_connections = MAX_PLAYER_IDS;
        at_limit.server.max_players = MAX_PLAYER_IDS;
        at_limit.validate().unwrap();

        assert_eq!(
            invalid(|c| c.server.ping_rate_secs = 0).key,
            "server.ping_rate_secs"
        );
        assert_eq!(
            invalid(|c| c.server.hangup_delay_secs = 0).key,
            "server.hangup_delay_secs"
        );
        assert_eq!(
            invalid(|c| c.world.save_interval_secs = 0).key,
            "world.save_interval_secs"
        );
        let e = invalid(|c| c.server.ping_rate_secs = MAX_SECS + 1);
        assert_eq!(e.key, "server.ping_rate_secs");
        assert!(e.problem.contains("one year"), "{e}");
        assert_eq!(
            invalid(|c| c.server.ip_reconnect_limit_secs = u64::MAX).key,
            "server.ip_reconnect_limit_secs"
        );

        assert_eq!(
            invalid(|c| c.database.path = PathBuf::new()).key,
            "database.path"
        );
        assert_eq!(
            invalid(|c| c.world.data_dir = PathBuf::new()).key,
            "world.data_dir"
        );
        assert_eq!(
            invalid(|c| c.control.socket = PathBuf::new()).key,
            "control.socket"
        );
        assert_eq!(invalid(|c| c.log.filter = String::new()).key, "log.filter");
        assert_eq!(invalid(|c| c.admin.ban = 6).key, "admin.ban");
        assert_eq!(
            invalid(|c| c.log.offender_interval_secs = 0).key,
            "log.offender_interval_secs"
        );
        assert_eq!(
            invalid(|c| c.flood.walk_ms = MAX_PACE_MS + 1).key,
            "flood.walk_ms"
        );
        assert_eq!(
            invalid(|c| c.flood.action_burst = 0).key,
            "flood.action_burst"
        );
        assert_eq!(
            invalid(|c| c.flood.packet_burst = 0).key,
            "flood.packet_burst"
        );
        let e = invalid(|c| c.log.filter = "info,eo_server=loud".into());
        assert_eq!(e.key, "log.filter");
        assert!(e.problem.contains("not a valid filter"), "{e}");

        // Zero is allowed where it means "off" / "unlimited".
        let mut c = Config::default();
        c.server.max_connections_per_ip = 0;
        c.server.ip_reconnect_limit_secs = 0;
        c.log.filter = "warn,eo_server::net=trace".into();
        c.flood.walk_ms = 0;
        c.flood.packets_per_sec = 0;
        c.flood.max_refused = 0;
        c.validate().unwrap();
    }

    #[test]
    fn env_overrides_every_section() {
        let mut c = Config::default();
        c.apply_env(env(&[
            ("EO_SERVER_LISTEN", "127.0.0.1:9000"),
            ("EO_SERVER_MAX_PLAYERS", "50"),
            ("EO_SERVER_ENFORCE_SEQUENCE", "false"),
            ("EO_SERVER_MIN_VERSION", "0.1.0"),
            ("EO_DATABASE_PATH", "/tmp/x.db"),
            ("EO_WORLD_DATA_DIR", "/srv/world"),
            ("EO_WORLD_SAVE_INTERVAL_SECS", "120"),
            ("EO_CONTROL_SOCKET", "/run/eo.sock"),
            ("EO_LOG_FILTER", "debug"),
            ("PATH", "/usr/bin"),
            ("RUST_LOG", "trace"),
        ]))
        .unwrap();
        let mut expected = Config::default();
        expected.server.listen = "127.0.0.1:9000".parse().unwrap();
        expected.server.max_players = 50;
        expected.server.enforce_sequence = false;
        expected.server.min_version = ClientVersion::new(0, 1, 0);
        expected.database.path = "/tmp/x.db".into();
        expected.world.data_dir = "/srv/world".into();
        expected.world.save_interval_secs = 120;
        expected.control.socket = "/run/eo.sock".into();
        expected.log.filter = "debug".into();
        assert_eq!(c, expected);
    }

    #[test]
    fn item_limits_are_checked() {
        let e = invalid(|c| c.items.max_item_amount = MAX_ITEM_AMOUNT + 1);
        assert_eq!(e.key, "items.max_item_amount");
        let e = invalid(|c| c.items.max_drop_amount = 0);
        assert_eq!(e.key, "items.max_drop_amount");
        let e = invalid(|c| c.items.max_drop_amount = MAX_MOVED_AMOUNT + 1);
        assert_eq!(e.key, "items.max_drop_amount");
        let e = invalid(|c| c.items.max_ground_items = MAX_GROUND_ITEMS + 1);
        assert_eq!(e.key, "items.max_ground_items");
        let e = invalid(|c| c.items.ground_item_secs = MAX_SECS + 1);
        assert_eq!(e.key, "items.ground_item_secs");
        assert_eq!(
            ItemsConfig::default().ground_item_time(),
            Some(Duration::from_secs(300))
        );
    }

    #[test]
    fn every_key_has_an_env_var() {
        let names = Config::env_var_names();
        assert_eq!(
            names,
            [
                "EO_ADMIN_ANNOUNCE",
                "EO_ADMIN_BAN",
                "EO_ADMIN_GIVE",
                "EO_ADMIN_HIDE",
                "EO_ADMIN_INFO",
                "EO_ADMIN_KICK",
                "EO_ADMIN_MUTE",
                "EO_ADMIN_SHUTDOWN",
                "EO_ADMIN_UNBAN",
                "EO_ADMIN_WARP",
                "EO_ADMIN_WARPMETO",
                "EO_ADMIN_WARPTOME",
                "EO_COMBAT_DEATH_HP_PERCENT",
                "EO_COMBAT_EXP_RATE",
                "EO_COMBAT_PK_MAPS",
                "EO_COMBAT_RANGED_DISTANCE",
                "EO_COMBAT_RESPAWN_HOME",
                "EO_CONTROL_SOCKET",
                "EO_DATABASE_PATH",
                "EO_FLOOD_ACTION_BURST",
                "EO_FLOOD_ATTACK_MS",
                "EO_FLOOD_CHAT_MS",
                "EO_FLOOD_FACE_MS",
                "EO_FLOOD_MAX_REFUSED",
                "EO_FLOOD_PACKET_BURST",
                "EO_FLOOD_PACKETS_PER_SEC",
                "EO_FLOOD_WALK_MS",
                "EO_ITEMS_DROP_DISTANCE",
                "EO_ITEMS_DROP_PROTECT_NPC_SECS",
                "EO_ITEMS_DROP_PROTECT_PLAYER_SECS",
                "EO_ITEMS_ENFORCE_WEIGHT",
                "EO_ITEMS_GROUND_ITEM_SECS",
                "EO_ITEMS_MAX_DROP_AMOUNT",
                "EO_ITEMS_MAX_GROUND_ITEMS",
                "EO_ITEMS_MAX_ITEM_AMOUNT",
                "EO_LOG_FILTER",
                "EO_LOG_OFFENDER_INTERVAL_SECS",
                "EO_NPCS_BORED_MS",
                "EO_NPCS_CHASE_DISTANCE",
                "EO_NPCS_PATH_LIMIT",
                "EO_NPCS_RESPAWN_RATE",
                "EO_NPCS_SEED",
                "EO_NPCS_SPAWN_RADIUS",
                "EO_NPCS_SPEEDS_MS",
                "EO_NPCS_TICK_MS",
                "EO_SERVER_ENFORCE_SEQUENCE",
                "EO_SERVER_HANGUP_DELAY_SECS",
                "EO_SERVER_IP_RECONNECT_LIMIT_SECS",
                "EO_SERVER_LISTEN",
                "EO_SERVER_MAX_CONNECTIONS",
                "EO_SERVER_MAX_CONNECTIONS_PER_IP",
                "EO_SERVER_MAX_PLAYERS",
                "EO_SERVER_MIN_VERSION",
                "EO_SERVER_PING_RATE_SECS",
                "EO_WORLD_DATA_DIR",
                "EO_WORLD_MAX_CHARACTERS",
                "EO_WORLD_NEWS",
                "EO_WORLD_SAVE_INTERVAL_SECS",
                "EO_WORLD_SPAWN_AREAS",
                "EO_WORLD_SPAWN_MAP",
                "EO_WORLD_SPAWN_X",
                "EO_WORLD_SPAWN_Y",
            ]
        );
        // Setting each variable to a new value changes exactly that key.
        let full = Config::from_toml_str(FULL).unwrap();
        let full_table = full.to_table();
        for (section, key) in keys(&full_table) {
            let value = match &full_table[&section][&key] {
                toml::Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            let mut c = Config::default();
            c.apply_env(env(&[(&env_var_name(&section, &key), &value)]))
                .unwrap_or_else(|e| panic!("{section}.{key}: {e}"));
            assert_eq!(c.to_table()[&section][&key], full_table[&section][&key]);
            assert_ne!(c, Config::default(), "{section}.{key} did not change");
        }
    }

    #[test]
    fn env_typo_and_bad_values_name_the_variable() {
        let e = env_err(&[("EO_SERVER_MAX_PLAYER", "5")]);
        assert_eq!(e.key, "EO_SERVER_MAX_PLAYER");
        assert!(e.problem.contains("names no config key"), "{e}");
        assert!(e.problem.contains("EO_SERVER_MAX_PLAYERS"), "{e}");

        let e = env_err(&[("EO_SERVER_MAX_PLAYERS", "lots")]);
        assert_eq!(e.key, "EO_SERVER_MAX_PLAYERS");
        assert_eq!(
            e.to_string(),
            "config: EO_SERVER_MAX_PLAYERS: \"lots\" is not valid for server.max_players: \
             expected a whole number"
        );

        let e = env_err(&[("EO_SERVER_MAX_PLAYERS", "-3")]);
        assert_eq!(e.key, "EO_SERVER_MAX_PLAYERS");
        assert!(e.problem.contains("-3"), "{e}");

        let e = env_err(&[("EO_SERVER_LISTEN", "nowhere")]);
        assert_eq!(e.key, "EO_SERVER_LISTEN");
        assert!(e.problem.contains("server.listen"), "{e}");

        let e = env_err(&[("EO_SERVER_ENFORCE_SEQUENCE", "maybe")]);
        assert_eq!(e.key, "EO_SERVER_ENFORCE_SEQUENCE");
        assert!(e.problem.contains("true or false"), "{e}");

        let e = env_err(&[("EO_SERVER_MIN_VERSION", "0.28")]);
        assert_eq!(e.key, "EO_SERVER_MIN_VERSION");
        assert!(e.problem.contains("three numbers"), "{e}");

        // A good variable before a bad one is not half-applied.
        let e = env_err(&[
            ("EO_LOG_FILTER", "debug"),
            ("EO_WORLD_SAVE_INTERVAL_SECS", "x"),
        ]);
        assert_eq!(e.key, "EO_WORLD_SAVE_INTERVAL_SECS");

        // Bool values are case-insensitive; integers may carry surrounding whitespace.
        let mut c = Config::default();
        c.apply_env(env(&[
            ("EO_SERVER_ENFORCE_SEQUENCE", "FALSE"),
            ("EO_SERVER_PING_RATE_SECS", " 30 "),
        ]))
        .unwrap();
        assert!(!c.server.enforce_sequence);
        assert_eq!(c.server.ping_rate_secs, 30);
    }

    #[test]
    fn client_version_parses_orders_and_prints() {
        let v: ClientVersion = "0.0.28".parse().unwrap();
        assert_eq!(v, ClientVersion::new(0, 0, 28));
        assert_eq!(v.to_string(), "0.0.28");
        assert_eq!(
            "255.1.0".parse::<ClientVersion>().unwrap().to_string(),
            "255.1.0"
        );
        assert!(ClientVersion::new(0, 0, 28) < ClientVersion::new(0, 0, 29));
        assert!(ClientVersion::new(0, 0, 255) < ClientVersion::new(0, 1, 0));
        assert!(ClientVersion::new(0, 9, 9) < ClientVersion::new(1, 0, 0));

        let e = "0.28".parse::<ClientVersion>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"0.28\" is not a client version: expected three numbers separated by dots, \
             like \"0.0.28\", found 2"
        );
        let e = "a.b.c".parse::<ClientVersion>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"a.b.c\" is not a client version: \"a\" is not a number"
        );
        let e = "0.0.300".parse::<ClientVersion>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"0.0.300\" is not a client version: 300 is more than 255"
        );
        for bad in ["", "0.0.28.1", "0..28", "0.0.+1", "0.0.-1", " 0.0.28"] {
            assert!(bad.parse::<ClientVersion>().is_err(), "{bad:?}");
        }

        let e = parse_err("[server]\nmin_version = \"0.0.300\"\n");
        assert_eq!(e.key, "server.min_version");
        assert!(e.problem.contains("300 is more than 255"), "{e}");
        let e = parse_err("[server]\nmin_version = \"a.b.c\"\n");
        assert_eq!(e.key, "server.min_version");
        let e = parse_err("[server]\nmin_version = \"0.28\"\n");
        assert_eq!(e.key, "server.min_version");
    }

    #[test]
    fn load_with_explicit_missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let e = Config::load_from(Some(&missing), dir.path(), env(&[])).unwrap_err();
        assert_eq!(e.key, missing.display().to_string());
        assert!(e.problem.contains("cannot read"), "{e}");
    }

    #[test]
    fn load_without_a_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load_from(None, dir.path(), env(&[])).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn load_reads_the_default_file_then_env_then_validates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(DEFAULT_FILE),
            "[server]\nmax_players = 100\nping_rate_secs = 30\n",
        )
        .unwrap();
        let c = Config::load_from(None, dir.path(), env(&[("EO_SERVER_PING_RATE_SECS", "15")]))
            .unwrap();
        assert_eq!(c.server.max_players, 100);
        assert_eq!(c.server.ping_rate_secs, 15);

        // An explicit path wins over the default file.
        let other = dir.path().join("other.toml");
        std::fs::write(&other, "[log]\nfilter = \"warn\"\n").unwrap();
        let c = Config::load_from(Some(&other), dir.path(), env(&[])).unwrap();
        assert_eq!(c.server.max_players, 200);
        assert_eq!(c.log.filter, "warn");

        // Validation runs after the environment.
        let e = Config::load_from(
            None,
            dir.path(),
            env(&[("EO_SERVER_MAX_CONNECTIONS", "10")]),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "config: server.max_players: 100 is more than server.max_connections (10)"
        );

        // A typo'd variable fails the load.
        let e = Config::load_from(None, dir.path(), env(&[("EO_LOG_FILTR", "x")])).unwrap_err();
        assert_eq!(e.key, "EO_LOG_FILTR");
    }
}
