//! `[control]`: the socket the admin CLI talks to, a file the server keeps on the local disk.
//! (`[database]` is `database.rs`.)

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{ConfigError, not_empty};

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

impl ControlConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        not_empty("control.socket", &self.socket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::invalid;

    #[test]
    fn validation_rules() {
        assert_eq!(
            invalid(|c| c.control.socket = PathBuf::new()).key,
            "control.socket"
        );
    }
}
