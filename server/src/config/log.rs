//! `[log]`: the log filter and how often repeat offenders are logged.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, at_least_one, at_most_a_year};

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
    /// `text` (a line a record, for people) or `json` (an object a line, for log collectors);
    /// either way a connection's lines carry its address, player id and character.
    pub format: LogFormat,
}

/// How log records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            filter: "info".to_owned(),
            offender_interval_secs: 60,
            format: LogFormat::Text,
        }
    }
}

impl LogConfig {
    /// How long one address's refused and dropped connections share one log line.
    pub fn offender_interval(&self) -> Duration {
        Duration::from_secs(self.offender_interval_secs)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least_one("log.offender_interval_secs", self.offender_interval_secs)?;
        at_most_a_year("log.offender_interval_secs", self.offender_interval_secs)?;
        let filter = &self.filter;
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
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn validation_rules() {
        assert_eq!(invalid(|c| c.log.filter = String::new()).key, "log.filter");
        assert_eq!(
            invalid(|c| c.log.offender_interval_secs = 0).key,
            "log.offender_interval_secs"
        );
        let e = invalid(|c| c.log.filter = "info,eo_server=loud".into());
        assert_eq!(e.key, "log.filter");
        assert!(e.problem.contains("not a valid filter"), "{e}");

        // A directive with a per-module level is a valid filter.
        let mut c = Config::default();
        c.log.filter = "warn,eo_server::net=trace".into();
        c.validate().unwrap();
    }
}
