//! `[metrics]`: the Prometheus endpoint.

use std::net::{Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// `[metrics]`: whether the server serves its metrics (see `crate::metrics`) in Prometheus's
/// text format over HTTP, and where. Off by default; on, it listens on the loopback address
/// unless told otherwise (the numbers say who plays: keep them off the open internet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    pub enabled: bool,
    pub listen: SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            enabled: false,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 9464)),
        }
    }
}

impl MetricsConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}
