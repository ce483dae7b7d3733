//! Connection limits, owned by the listener task: total connections, connections per address,
//! and the minimum interval between connections from one address. An IPv6 address counts as
//! its /64 (net/address.rs).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::address::address_group;
use crate::config::ServerConfig;

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `max_connections` are open.
    ServerFull,
    /// `max_connections_per_ip` are open from this address.
    TooManyFromAddress,
    /// The address connected less than `ip_reconnect_limit_secs` ago.
    TooSoon,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::ServerFull => "the server is full (server.max_connections)",
            Refusal::TooManyFromAddress => {
                "too many connections from this address (server.max_connections_per_ip)"
            }
            Refusal::TooSoon => "reconnecting too soon (server.ip_reconnect_limit_secs)",
        })
    }
}

/// The counts the limits are checked against.
#[derive(Debug)]
pub struct ConnectionLimits {
    max_connections: usize,
    max_per_address: usize,
    reconnect_interval: Option<Duration>,
    open: usize,
    per_address: HashMap<IpAddr, usize>,
    last_connect: HashMap<IpAddr, Instant>,
}

impl ConnectionLimits {
    pub fn new(config: &ServerConfig) -> Self {
        Self {
            max_connections: config.max_connections as usize,
            max_per_address: config.max_connections_per_ip as usize,
            reconnect_interval: config.ip_reconnect_limit(),
            open: 0,
            per_address: HashMap::new(),
            last_connect: HashMap::new(),
        }
    }

    /// Takes new limits (a reloaded configuration), keeping the counts.
    pub fn configure(&mut self, config: &ServerConfig) {
        self.max_connections = config.max_connections as usize;
        self.max_per_address = config.max_connections_per_ip as usize;
        self.reconnect_interval = config.ip_reconnect_limit();
        if self.reconnect_interval.is_none() {
            self.last_connect.clear();
        }
    }

    /// Admits a connection from `ip` at `now` (counting it), or says why not.
    pub fn admit(&mut self, ip: IpAddr, now: Instant) -> Result<(), Refusal> {
        let ip = address_group(ip);
        if self.open >= self.max_connections {
            return Err(Refusal::ServerFull);
        }
        let from_address = self.per_address.get(&ip).copied().unwrap_or(0);
        if self.max_per_address != 0 && from_address >= self.max_per_address {
            return Err(Refusal::TooManyFromAddress);
        }
        if let (Some(interval), Some(last)) = (self.reconnect_interval, self.last_connect.get(&ip))
            && now.saturating_duration_since(*last) < interval
        {
            return Err(Refusal::TooSoon);
        }
        self.open += 1;
        *self.per_address.entry(ip).or_insert(0) += 1;
        if self.reconnect_interval.is_some() {
            self.last_connect.insert(ip, now);
        }
        Ok(())
    }

    /// A connection admitted from `ip` has closed.
    pub fn closed(&mut self, ip: IpAddr) {
        let ip = address_group(ip);
        self.open = self.open.saturating_sub(1);
        if let Some(count) = self.per_address.get_mut(&ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.per_address.remove(&ip);
            }
        }
    }

    /// Forgets reconnect times older than the interval, so the map does not grow forever.
    pub fn prune(&mut self, now: Instant) {
        if let Some(interval) = self.reconnect_interval {
            self.last_connect
                .retain(|_, last| now.saturating_duration_since(*last) < interval);
        }
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(total: u32, per_ip: u32, reconnect: u64) -> ServerConfig {
        ServerConfig {
            max_connections: total,
            max_connections_per_ip: per_ip,
            ip_reconnect_limit_secs: reconnect,
            ..ServerConfig::default()
        }
    }

    #[test]
    fn total_and_per_address_limits_hold_and_free_on_close() {
        let mut limits = ConnectionLimits::new(&config(3, 2, 0));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let now = Instant::now();
        assert_eq!(limits.admit(a, now), Ok(()));
        assert_eq!(limits.admit(a, now), Ok(()));
        assert_eq!(limits.admit(a, now), Err(Refusal::TooManyFromAddress));
        assert_eq!(limits.admit(b, now), Ok(()));
        assert_eq!(limits.admit(b, now), Err(Refusal::ServerFull));
        limits.closed(a);
        assert_eq!(limits.admit(b, now), Ok(()));
        assert_eq!(limits.open(), 3);
    }

    #[test]
    fn an_ipv6_client_counts_as_its_slash_64() {
        let mut limits = ConnectionLimits::new(&config(10, 2, 0));
        let now = Instant::now();
        let in_one: [IpAddr; 3] = [
            "2001:db8:1:2::1".parse().unwrap(),
            "2001:db8:1:2::2".parse().unwrap(),
            "2001:db8:1:2:ffff::".parse().unwrap(),
        ];
        assert_eq!(limits.admit(in_one[0], now), Ok(()));
        assert_eq!(limits.admit(in_one[1], now), Ok(()));
        assert_eq!(
            limits.admit(in_one[2], now),
            Err(Refusal::TooManyFromAddress)
        );
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limits.admit(elsewhere, now), Ok(()));
        limits.closed(in_one[1]);
        assert_eq!(limits.admit(in_one[2], now), Ok(()));
    }

    #[test]
    fn zero_per_address_means_unlimited() {
        let mut limits = ConnectionLimits::new(&config(100, 0, 0));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..100 {
            assert_eq!(limits.admit(a, Instant::now()), Ok(()));
        }
    }

    #[test]
    fn reconnect_interval_is_enforced_then_forgotten() {
        let mut limits = ConnectionLimits::new(&config(10, 0, 10));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        assert_eq!(limits.admit(a, t0), Ok(()));
        limits.closed(a);
        assert_eq!(
            limits.admit(a, t0 + Duration::from_secs(5)),
            Err(Refusal::TooSoon)
        );
        limits.prune(t0 + Duration::from_secs(11));
        assert!(limits.last_connect.is_empty());
        assert_eq!(limits.admit(a, t0 + Duration::from_secs(11)), Ok(()));
    }
}
