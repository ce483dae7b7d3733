//! Reading the configuration: TOML files and text, `EO_<SECTION>_<KEY>` environment overrides,
//! and the TOML table form the reload merges in.

use std::path::Path;

use super::{Config, ConfigError};

/// The file `Config::load(None)` reads from the current directory, if it exists.
pub const DEFAULT_FILE: &str = "eo-server.toml";

/// Prefix of the environment variables that override config keys.
pub const ENV_PREFIX: &str = "EO_";

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
    use crate::config::tests::{FULL, env, env_err, parse_err};

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
    fn every_key_has_an_env_var() {
        let names = Config::env_var_names();
        assert_eq!(
            names,
            [
                "EO_ADMIN_ADMIN_CHAT",
                "EO_ADMIN_ANNOUNCE",
                "EO_ADMIN_BAN",
                "EO_ADMIN_DITEM",
                "EO_ADMIN_DNPC",
                "EO_ADMIN_EVACUATE",
                "EO_ADMIN_FREEZE",
                "EO_ADMIN_GIVE",
                "EO_ADMIN_HIDE",
                "EO_ADMIN_INFO",
                "EO_ADMIN_INVENTORY",
                "EO_ADMIN_JAIL",
                "EO_ADMIN_KICK",
                "EO_ADMIN_LEARN",
                "EO_ADMIN_MUTE",
                "EO_ADMIN_PAPERDOLL",
                "EO_ADMIN_PROMOTE",
                "EO_ADMIN_QUAKE",
                "EO_ADMIN_REMAP",
                "EO_ADMIN_REPUB",
                "EO_ADMIN_REQUEST",
                "EO_ADMIN_SBAN",
                "EO_ADMIN_SET",
                "EO_ADMIN_SHUTDOWN",
                "EO_ADMIN_SITEM",
                "EO_ADMIN_SJAIL",
                "EO_ADMIN_SKICK",
                "EO_ADMIN_SMUTE",
                "EO_ADMIN_SNPC",
                "EO_ADMIN_STRIP",
                "EO_ADMIN_UNBAN",
                "EO_ADMIN_UNFREEZE",
                "EO_ADMIN_UNJAIL",
                "EO_ADMIN_UPTIME",
                "EO_ADMIN_WARP",
                "EO_ADMIN_WARPMETO",
                "EO_ADMIN_WARPTOME",
                "EO_BANK_BASE_SIZE",
                "EO_BANK_MAX_GOLD",
                "EO_BANK_MAX_ITEM_AMOUNT",
                "EO_BANK_MAX_UPGRADES",
                "EO_BANK_SIZE_STEP",
                "EO_BANK_UPGRADE_BASE",
                "EO_BANK_UPGRADE_STEP",
                "EO_BARBER_BASE_COST",
                "EO_BARBER_COST_PER_LEVEL",
                "EO_BOARDS_ADMIN_BOARD",
                "EO_BOARDS_ADMIN_LEVEL",
                "EO_BOARDS_ADMIN_MAX_POSTS",
                "EO_BOARDS_DATE_POSTS",
                "EO_BOARDS_MAX_POST_LENGTH",
                "EO_BOARDS_MAX_POSTS",
                "EO_BOARDS_MAX_RECENT_POSTS",
                "EO_BOARDS_MAX_SUBJECT_LENGTH",
                "EO_BOARDS_MAX_USER_POSTS",
                "EO_BOARDS_MODERATOR_LEVEL",
                "EO_BOARDS_RECENT_POST_SECS",
                "EO_CHESTS_MAX_ITEM_AMOUNT",
                "EO_CHESTS_SLOTS",
                "EO_COMBAT_DEATH_HP_PERCENT",
                "EO_COMBAT_EXP_RATE",
                "EO_COMBAT_PK_MAPS",
                "EO_COMBAT_RANGED_DISTANCE",
                "EO_COMBAT_RESPAWN_HOME",
                "EO_CONTROL_SOCKET",
                "EO_DATABASE_PATH",
                "EO_DATABASE_URL",
                "EO_DOORS_CLOSE_SECS",
                "EO_FLOOD_ACTION_BURST",
                "EO_FLOOD_ATTACK_MS",
                "EO_FLOOD_CHAT_MS",
                "EO_FLOOD_FACE_MS",
                "EO_FLOOD_MAX_REFUSED",
                "EO_FLOOD_PACKET_BURST",
                "EO_FLOOD_PACKETS_PER_SEC",
                "EO_FLOOD_WALK_MS",
                "EO_GUILDS_CREATE_COST",
                "EO_GUILDS_DEFAULT_RANKS",
                "EO_GUILDS_DISBAND_RANK",
                "EO_GUILDS_EDIT_RANK",
                "EO_GUILDS_KICK_RANK",
                "EO_GUILDS_MAX_BANK",
                "EO_GUILDS_MAX_DESCRIPTION_LENGTH",
                "EO_GUILDS_MAX_MEMBERS",
                "EO_GUILDS_MAX_NAME_LENGTH",
                "EO_GUILDS_MAX_RANK_NAME_LENGTH",
                "EO_GUILDS_MAX_TAG_LENGTH",
                "EO_GUILDS_MIN_DEPOSIT",
                "EO_GUILDS_MIN_TAG_LENGTH",
                "EO_GUILDS_PROMOTE_RANK",
                "EO_GUILDS_RECRUIT_COST",
                "EO_GUILDS_RECRUIT_RANK",
                "EO_GUILDS_REQUIRED_MEMBERS",
                "EO_INNS_SLEEP_BASE_COST",
                "EO_INNS_SLEEP_COST_PER_HP",
                "EO_INNS_SLEEP_COST_PER_TP",
                "EO_INNS_SUBSCRIBE_ANYTIME",
                "EO_ITEMS_DROP_DISTANCE",
                "EO_ITEMS_DROP_PROTECT_NPC_SECS",
                "EO_ITEMS_DROP_PROTECT_PLAYER_SECS",
                "EO_ITEMS_ENFORCE_WEIGHT",
                "EO_ITEMS_GROUND_ITEM_SECS",
                "EO_ITEMS_MAX_DROP_AMOUNT",
                "EO_ITEMS_MAX_GROUND_ITEMS",
                "EO_ITEMS_MAX_ITEM_AMOUNT",
                "EO_JAIL_FREE_MAP",
                "EO_JAIL_FREE_X",
                "EO_JAIL_FREE_Y",
                "EO_JAIL_MAP",
                "EO_JAIL_X",
                "EO_JAIL_Y",
                "EO_JUKEBOX_COST",
                "EO_JUKEBOX_INSTRUMENTS",
                "EO_JUKEBOX_MAX_NOTE_ID",
                "EO_JUKEBOX_MAX_TRACK_ID",
                "EO_JUKEBOX_TRACK_SECS",
                "EO_LOG_FILTER",
                "EO_LOG_FORMAT",
                "EO_LOG_OFFENDER_INTERVAL_SECS",
                "EO_LOGIN_FAILURE_WINDOW_SECS",
                "EO_LOGIN_LOCKOUT_SECS",
                "EO_LOGIN_MAX_ACCOUNT_FAILURES",
                "EO_LOGIN_MAX_ADDRESS_FAILURES",
                "EO_LOGIN_MAX_ATTEMPTS",
                "EO_LOGIN_MAX_HASHING_PER_ADDRESS",
                "EO_MAP_EFFECTS_DRAIN_HP_PERCENT",
                "EO_MAP_EFFECTS_DRAIN_MS",
                "EO_MAP_EFFECTS_DRAIN_TP_PERCENT",
                "EO_MAP_EFFECTS_QUAKE_MS",
                "EO_MAP_EFFECTS_SPIKE_DAMAGE_PERCENT",
                "EO_MAP_EFFECTS_SPIKE_MS",
                "EO_MARRIAGE_ANSWER_SECS",
                "EO_MARRIAGE_APPROVAL_COST",
                "EO_MARRIAGE_DIVORCE_COST",
                "EO_MARRIAGE_FEMALE_OUTFIT",
                "EO_MARRIAGE_LINE_SECS",
                "EO_MARRIAGE_MALE_OUTFIT",
                "EO_MARRIAGE_MIN_LEVEL",
                "EO_MARRIAGE_RING",
                "EO_MARRIAGE_START_DELAY_SECS",
                "EO_METRICS_ENABLED",
                "EO_METRICS_LISTEN",
                "EO_NPCS_BORED_MS",
                "EO_NPCS_CHASE_DISTANCE",
                "EO_NPCS_PATH_LIMIT",
                "EO_NPCS_RESPAWN_RATE",
                "EO_NPCS_SEED",
                "EO_NPCS_SPAWN_RADIUS",
                "EO_NPCS_SPEECH_MS",
                "EO_NPCS_SPEEDS_MS",
                "EO_NPCS_TICK_MS",
                "EO_PARTIES_MAX_SIZE",
                "EO_PARTIES_SHARE_MODE",
                "EO_SERVER_ENFORCE_SEQUENCE",
                "EO_SERVER_HANGUP_DELAY_SECS",
                "EO_SERVER_IP_RECONNECT_LIMIT_SECS",
                "EO_SERVER_LISTEN",
                "EO_SERVER_MAX_CONNECTIONS",
                "EO_SERVER_MAX_CONNECTIONS_PER_IP",
                "EO_SERVER_MAX_PLAYERS",
                "EO_SERVER_MIN_VERSION",
                "EO_SERVER_PING_RATE_SECS",
                "EO_SERVER_TRUSTED_PROXIES",
                "EO_SERVER_WRITE_COALESCE_MS",
                "EO_SHOPS_DEFAULT_MAX_AMOUNT",
                "EO_SKILL_MASTERS_MAX_SPELLS",
                "EO_SPELLS_COOLDOWN_MS",
                "EO_TRADE_MAX_AMOUNT",
                "EO_TRADE_PROTECTED_ITEMS",
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
