//! `[database]`: where the server keeps its accounts and characters.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{ConfigError, not_empty};
use crate::db::Location;

/// `[database]`: a SQLite file (`path`, the embedded default), or a PostgreSQL server (`url`).
/// When `url` is set it wins, and `path` is not used: a server uses one database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    pub path: PathBuf,
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (see docs/running.md); empty for SQLite.
    pub url: String,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            path: PathBuf::from("eo-server.db"),
            url: String::new(),
        }
    }
}

impl DatabaseConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !self.url.is_empty() {
            crate::db::parse_url(&self.url).map_err(|e| ConfigError::new("database.url", e))?;
        }
        not_empty("database.path", &self.path)
    }

    /// The database the server uses: `url` if set, else the SQLite file at `path`.
    pub fn location(&self) -> Location {
        if self.url.is_empty() {
            Location::Sqlite(self.path.clone())
        } else {
            Location::Postgres(self.url.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{env, invalid};

    #[test]
    fn validation_rules() {
        assert_eq!(
            invalid(|c| c.database.path = PathBuf::new()).key,
            "database.path"
        );
        let e = invalid(|c| c.database.url = "mysql://eo@host/eo".into());
        assert_eq!(e.key, "database.url");
        assert!(e.problem.contains("postgres://"), "{e}");
        let e = invalid(|c| c.database.url = "postgres://eo@host:port/eo".into());
        assert!(e.problem.contains("not a valid PostgreSQL URL"), "{e}");
    }

    #[test]
    fn the_url_wins_over_the_path() {
        let mut config = DatabaseConfig::default();
        assert_eq!(config.location(), Location::Sqlite("eo-server.db".into()));
        config.url = "postgres://eo:pw@db/eo".into();
        assert_eq!(
            config.location(),
            Location::Postgres("postgres://eo:pw@db/eo".into())
        );
        let mut from_env = crate::config::Config::default();
        from_env
            .apply_env(env(&[("EO_DATABASE_URL", "postgres://eo@db/game")]))
            .unwrap();
        assert_eq!(
            from_env.database.location(),
            Location::Postgres("postgres://eo@db/game".into())
        );
    }
}
