//! `[server]`: the listener, connection limits and protocol checks, and the client version the
//! last of them compares.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ConfigError, MAX_PLAYER_IDS, at_least_one, at_most_a_year};

/// The longest `server.write_coalesce_ms` allowed.
const MAX_WRITE_COALESCE_MS: u64 = 1_000;

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
    /// Proxies in front of the server (addresses or networks, `"10.0.0.0/8"`): a connection
    /// from one of them starts with a PROXY protocol header (v1 or v2), or is a WebSocket
    /// upgrade with `X-Forwarded-For`, naming the client's own address, which limits, bans and
    /// logs then use (net/proxy.rs). Empty: no proxy is trusted.
    pub trusted_proxies: Vec<crate::net::address::IpNetwork>,
    /// Milliseconds a connection holds the packets other actors queued for it before writing
    /// them out together (at most 1,000; 0: written as soon as the connection's task takes
    /// them). A player in a crowd gets many broadcasts a second; holding them a few
    /// milliseconds turns a write per packet into one write for several, at the cost of that
    /// much latency. Answers to the client's own requests are never held.
    pub write_coalesce_ms: u64,
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
            trusted_proxies: Vec::new(),
            write_coalesce_ms: 0,
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

    /// How long queued packets are held before being written together; `None`: not held.
    pub fn write_coalesce(&self) -> Option<Duration> {
        (self.write_coalesce_ms > 0).then(|| Duration::from_millis(self.write_coalesce_ms))
    }

    /// Minimum time between two connections from one IP address; `None` when the limit is off.
    pub fn ip_reconnect_limit(&self) -> Option<Duration> {
        (self.ip_reconnect_limit_secs > 0)
            .then(|| Duration::from_secs(self.ip_reconnect_limit_secs))
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least_one("server.max_connections", u64::from(self.max_connections))?;
        at_most_player_ids("server.max_connections", self.max_connections)?;
        at_least_one("server.max_players", u64::from(self.max_players))?;
        at_most_player_ids("server.max_players", self.max_players)?;
        if self.max_players > self.max_connections {
            return Err(ConfigError::new(
                "server.max_players",
                format!(
                    "{} is more than server.max_connections ({})",
                    self.max_players, self.max_connections
                ),
            ));
        }
        at_least_one("server.hangup_delay_secs", self.hangup_delay_secs)?;
        at_least_one("server.ping_rate_secs", self.ping_rate_secs)?;
        if self.write_coalesce_ms > MAX_WRITE_COALESCE_MS {
            return Err(ConfigError::new(
                "server.write_coalesce_ms",
                format!(
                    "{} is more than {MAX_WRITE_COALESCE_MS} (a second of held packets is lag)",
                    self.write_coalesce_ms
                ),
            ));
        }
        for (key, secs) in [
            (
                "server.ip_reconnect_limit_secs",
                self.ip_reconnect_limit_secs,
            ),
            ("server.hangup_delay_secs", self.hangup_delay_secs),
            ("server.ping_rate_secs", self.ping_rate_secs),
        ] {
            at_most_a_year(key, secs)?;
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{invalid, parse_err};
    use crate::config::{Config, MAX_SECS};

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
        let e = invalid(|c| c.server.ping_rate_secs = MAX_SECS + 1);
        assert_eq!(e.key, "server.ping_rate_secs");
        assert!(e.problem.contains("one year"), "{e}");
        assert_eq!(
            invalid(|c| c.server.ip_reconnect_limit_secs = u64::MAX).key,
            "server.ip_reconnect_limit_secs"
        );

        // Zero is allowed where it means "off" / "unlimited".
        let mut c = Config::default();
        c.server.max_connections_per_ip = 0;
        c.server.ip_reconnect_limit_secs = 0;
        c.validate().unwrap();
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
}
