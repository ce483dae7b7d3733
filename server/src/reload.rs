//! The configuration a running server uses, and `reload`: rereading the file and applying what
//! can change while the server runs.
//!
//! Every part of the server reads the configuration through [`LiveConfig::get`] at the moment it
//! needs a value, so a reloaded value applies from then on. A reload changes only the keys in
//! [`LIVE_KEYS`]; every other changed key keeps its running value and is reported as needing a
//! restart (the listen address, the database, the game data folder, the control socket: things
//! bound or loaded once at start-up).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::watch;

use crate::config::{Config, ConfigError};

/// The keys a reload applies to the running server, and when each takes effect. A section name
/// alone (`admin`) covers every key of the section. Any other key needs a restart.
pub const LIVE_KEYS: &[(&str, When)] = &[
    ("server.max_connections", When::Now),
    ("server.max_players", When::Now),
    ("server.max_connections_per_ip", When::Now),
    ("server.ip_reconnect_limit_secs", When::Now),
    ("server.enforce_sequence", When::Now),
    ("server.min_version", When::NewConnections),
    ("server.hangup_delay_secs", When::NewConnections),
    ("server.ping_rate_secs", When::NewConnections),
    ("server.write_coalesce_ms", When::NewConnections),
    ("world.spawn_map", When::NewCharacters),
    ("world.spawn_x", When::NewCharacters),
    ("world.spawn_y", When::NewCharacters),
    ("world.max_characters", When::Now),
    ("world.news", When::NewLogins),
    ("log.filter", When::Now),
    ("log.offender_interval_secs", When::Now),
    ("admin", When::Now),
    ("flood", When::NewConnections),
    ("login", When::Now),
    ("boards", When::Now),
    ("jail", When::Now),
];

/// When a reloaded key takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// At once, for everyone.
    Now,
    /// For connections made after the reload (a connection reads it when it opens).
    NewConnections,
    /// For characters entering the game after the reload.
    NewLogins,
    /// For characters created after the reload.
    NewCharacters,
}

impl When {
    pub fn describe(self) -> &'static str {
        match self {
            When::Now => "now",
            When::NewConnections => "for new connections",
            When::NewLogins => "for characters entering the game from now on",
            When::NewCharacters => "for characters created from now on",
        }
    }
}

/// When `key` (`section.key`) is applied by a reload; `None` if it needs a restart.
pub fn live(key: &str) -> Option<When> {
    LIVE_KEYS
        .iter()
        .find(|(live, _)| {
            key == *live
                || key
                    .strip_prefix(live)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .map(|(_, when)| *when)
}

/// The configuration in force, shared by every task. Cheap to read: a read lock held for an
/// `Arc` clone.
#[derive(Debug)]
pub struct LiveConfig {
    current: watch::Sender<Arc<Config>>,
}

impl LiveConfig {
    pub fn new(config: Config) -> Self {
        Self {
            current: watch::Sender::new(Arc::new(config)),
        }
    }

    /// The configuration in force now.
    pub fn get(&self) -> Arc<Config> {
        Arc::clone(&self.current.borrow())
    }

    /// A receiver that is told each time the configuration changes.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Config>> {
        self.current.subscribe()
    }

    /// Puts `config` in force as it is (a reload checks it first, see [`reload`]).
    pub(crate) fn replace(&self, config: Config) {
        self.current.send_replace(Arc::new(config));
    }
}

/// Where a reload reads the configuration from: what the server was started with.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// `--config FILE`; `None` to look for `eo-server.toml` in `default_dir` (defaults if absent).
    pub path: Option<PathBuf>,
    pub default_dir: PathBuf,
    /// Apply the process's `EO_*` variables, as at start-up.
    pub env: bool,
    /// `--listen`, which overrides the file.
    pub listen: Option<SocketAddr>,
}

impl ConfigSource {
    /// Reads and validates the configuration as start-up did.
    pub fn load(&self) -> Result<Config, ConfigError> {
        let env = if self.env {
            crate::config::process_env()?
        } else {
            Vec::new()
        };
        let mut config = Config::load_from(self.path.as_deref(), &self.default_dir, env)?;
        if let Some(listen) = self.listen {
            config.server.listen = listen;
        }
        Ok(config)
    }

    /// The file a reload reads, for messages.
    pub fn describe(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => {
                let file = self.default_dir.join(crate::config::DEFAULT_FILE);
                format!("{} (or the defaults when it is absent)", file.display())
            }
        }
    }
}

/// One changed key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub key: String,
    /// The running value and the file's, as TOML text.
    pub from: String,
    pub to: String,
    /// When it applies; `None` in `restart_needed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
}

/// What a reload did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReloadReport {
    pub file: String,
    pub applied: Vec<Change>,
    pub restart_needed: Vec<Change>,
    /// Anything else worth knowing (a key applied in the config but not in force, and why).
    pub notes: Vec<String>,
}

/// The running config with the live keys that differ in `new` taken from it, and the report.
pub fn plan(running: &Config, new: &Config) -> Result<(Config, ReloadReport), ConfigError> {
    let old = running.to_table();
    let fresh = new.to_table();
    let mut merged = old.clone();
    let mut report = ReloadReport::default();
    for (section, key, from) in entries(&old) {
        let to = fresh
            .get(&section)
            .and_then(toml::Value::as_table)
            .and_then(|t| t.get(&key));
        let Some(to) = to.filter(|to| **to != from) else {
            continue;
        };
        let name = format!("{section}.{key}");
        let change = Change {
            from: shown(&name, &from),
            to: shown(&name, to),
            key: name.clone(),
            when: live(&name),
        };
        if change.when.is_some() {
            if let Some(slot) = merged.get_mut(&section).and_then(toml::Value::as_table_mut) {
                slot.insert(key, to.clone());
            }
            report.applied.push(change);
        } else {
            report.restart_needed.push(change);
        }
    }
    let merged = Config::from_table(merged)?;
    // The merged config mixes old and new values: check the rules between keys again
    // (server.max_players at most server.max_connections, ...).
    merged.validate()?;
    Ok((merged, report))
}

/// A value as a report shows it: a database URL without its password.
fn shown(key: &str, value: &toml::Value) -> String {
    match value.as_str() {
        Some(url) if key == "database.url" && !url.is_empty() => {
            toml::Value::String(crate::db::describe_url(url)).to_string()
        }
        _ => value.to_string(),
    }
}

/// Every `(section, key, value)` of a config table.
fn entries(table: &toml::Table) -> Vec<(String, String, toml::Value)> {
    table
        .iter()
        .filter_map(|(section, v)| v.as_table().map(|t| (section, t)))
        .flat_map(|(section, t)| {
            t.iter()
                .map(move |(key, value)| (section.clone(), key.clone(), value.clone()))
        })
        .collect()
}

/// Rereads the configuration from `source` and puts the live keys in force in `live`, once
/// `check` (the rules against the loaded game data, such as the spawn point) passes. Nothing
/// changes when the file is invalid.
pub fn reload(
    live: &LiveConfig,
    source: &ConfigSource,
    check: impl FnOnce(&Config) -> Result<(), ConfigError>,
) -> Result<ReloadReport, ConfigError> {
    let new = source.load()?;
    let (merged, mut report) = plan(&live.get(), &new)?;
    check(&merged)?;
    report.file = source.describe();
    if !report.applied.is_empty() {
        live.replace(merged);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_keys_cover_sections_and_exact_keys() {
        assert_eq!(live("admin.kick"), Some(When::Now));
        assert_eq!(live("server.max_players"), Some(When::Now));
        assert_eq!(live("server.listen"), None);
        assert_eq!(live("database.path"), None);
        // A prefix of another key's name is not a section.
        assert_eq!(live("server.max_players_extra"), None);
    }

    #[test]
    fn every_live_key_names_a_key_or_section_of_the_config() {
        let table = Config::default().to_table();
        for (key, _) in LIVE_KEYS {
            let found = match key.split_once('.') {
                Some((section, name)) => table
                    .get(section)
                    .and_then(toml::Value::as_table)
                    .is_some_and(|t| t.contains_key(name)),
                None => table.contains_key(*key),
            };
            assert!(found, "{key} is not a config key");
        }
    }

    #[test]
    fn plan_applies_live_keys_and_keeps_the_rest() {
        let running = Config::default();
        let mut new = Config::default();
        new.server.max_players = 50;
        new.admin.kick = 3;
        new.database.path = "other.db".into();
        let (merged, report) = plan(&running, &new).unwrap();
        assert_eq!(merged.server.max_players, 50);
        assert_eq!(merged.admin.kick, 3);
        assert_eq!(merged.database.path, running.database.path);
        let applied: Vec<&str> = report.applied.iter().map(|c| c.key.as_str()).collect();
        // Sections in name order (TOML tables are sorted).
        assert_eq!(applied, ["admin.kick", "server.max_players"]);
        let restart: Vec<&str> = report
            .restart_needed
            .iter()
            .map(|c| c.key.as_str())
            .collect();
        assert_eq!(restart, ["database.path"]);

        assert_eq!(report.applied[1].from, "200");
        assert_eq!(report.applied[1].to, "50");

        // A database URL is reported without its password.
        let mut new = running.clone();
        new.database.url = "postgres://eo:secret@db/eo".into();
        let (_, report) = plan(&running, &new).unwrap();
        assert_eq!(report.restart_needed[0].key, "database.url");
        assert_eq!(report.restart_needed[0].to, r#""postgres://eo@db:5432/eo""#);
    }

    #[test]
    fn plan_checks_rules_across_old_and_new_values() {
        // max_players may not exceed max_connections; max_connections is live too, so both
        // move together here, and the merged config is valid.
        let running = Config::default();
        let mut new = Config::default();
        new.server.max_connections = 1000;
        new.server.max_players = 900;
        let (merged, _) = plan(&running, &new).unwrap();
        assert_eq!(merged.server.max_players, 900);
    }

    #[test]
    fn reload_of_an_unchanged_file_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("eo.toml");
        std::fs::write(&path, Config::default().to_toml_string()).unwrap();
        let live = LiveConfig::new(Config::default());
        let source = ConfigSource {
            path: Some(path.clone()),
            ..ConfigSource::default()
        };
        let report = reload(&live, &source, |_| Ok(())).unwrap();
        assert!(report.applied.is_empty() && report.restart_needed.is_empty());

        std::fs::write(&path, "[server]\nmax_players = 7\n").unwrap();
        let report = reload(&live, &source, |_| Ok(())).unwrap();
        assert_eq!(report.applied.len(), 1);
        assert_eq!(live.get().server.max_players, 7);

        std::fs::write(&path, "[server]\nmax_players = \"many\"\n").unwrap();
        let error = reload(&live, &source, |_| Ok(())).unwrap_err();
        assert_eq!(error.key, "server.max_players");
        assert_eq!(
            live.get().server.max_players,
            7,
            "a bad file changes nothing"
        );

        // A file the game data refuses (here: any change) changes nothing either.
        std::fs::write(&path, "[server]\nmax_players = 8\n").unwrap();
        let refuse = |_: &Config| Err(ConfigError::new("world.spawn_map", "no such map"));
        let error = reload(&live, &source, refuse).unwrap_err();
        assert_eq!(error.key, "world.spawn_map");
        assert_eq!(live.get().server.max_players, 7);
    }
}
