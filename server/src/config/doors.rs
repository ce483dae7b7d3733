//! `[doors]`: how long a door stays open.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, at_least_one, at_most_a_year};

/// `[doors]`: a door opened with Door_Open closes again after `close_secs` (EOSERV's
/// DoorTimer, reoserv's `door_close_rate`, both 3 seconds). Closing sends no packet: clients
/// close their doors on their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DoorsConfig {
    pub close_secs: u64,
}

impl Default for DoorsConfig {
    fn default() -> Self {
        DoorsConfig { close_secs: 3 }
    }
}

impl DoorsConfig {
    /// How long a door stays open.
    pub fn open_time(&self) -> Duration {
        Duration::from_secs(self.close_secs)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least_one("doors.close_secs", self.close_secs)?;
        at_most_a_year("doors.close_secs", self.close_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::invalid;

    #[test]
    fn a_door_stays_open_for_at_least_a_second() {
        assert_eq!(DoorsConfig::default().open_time(), Duration::from_secs(3));
        assert_eq!(invalid(|c| c.doors.close_secs = 0).key, "doors.close_secs");
        assert_eq!(
            invalid(|c| c.doors.close_secs = crate::config::MAX_SECS + 1).key,
            "doors.close_secs"
        );
    }
}
