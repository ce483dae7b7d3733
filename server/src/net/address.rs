//! Client addresses as limits and bans see them, and networks of addresses (the trusted
//! proxies).
//!
//! An IPv6 client usually holds a whole /64 (its home or provider hands it one), and can take
//! a new address in it at will; so every per-address limit and every ban by address treats an
//! IPv6 address as its /64 ([`address_group`]). An IPv4 address, and an IPv4 address mapped
//! into IPv6 (`::ffff:a.b.c.d`, as a dual-stack listener reports IPv4 peers), stand for
//! themselves.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The prefix length of the IPv6 network an address stands for.
pub const IPV6_GROUP_PREFIX: u8 = 64;

/// The address that limits and bans count `ip` as: itself for IPv4 (mapped or not), the first
/// address of its /64 for IPv6.
pub fn address_group(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(mask_v6(v6, IPV6_GROUP_PREFIX)),
        },
    }
}

fn mask_v6(ip: Ipv6Addr, prefix: u8) -> Ipv6Addr {
    let bits = u128::from(ip);
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    Ipv6Addr::from(bits & mask)
}

/// A network of addresses: `10.0.0.0/8`, `2001:db8::/32`, or one address (`127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNetwork {
    address: IpAddr,
    prefix: u8,
}

/// Why a text is not an [`IpNetwork`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an address or a network (like 10.0.0.1 or 10.0.0.0/8): {reason}")]
pub struct ParseNetworkError {
    pub input: String,
    pub reason: String,
}

impl IpNetwork {
    /// Whether `ip` is in the network (an IPv4 address mapped into IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask_v6(net, self.prefix) == mask_v6(ip, self.prefix)
            }
            _ => false,
        }
    }
}

impl FromStr for IpNetwork {
    type Err = ParseNetworkError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason: &str| ParseNetworkError {
            input: s.to_owned(),
            reason: reason.to_owned(),
        };
        let (address, prefix) = match s.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (s.trim(), None),
        };
        let address: IpAddr = address.parse().map_err(|_| fail("not an IP address"))?;
        let most = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => most,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= most)
                .ok_or_else(|| fail(&format!("the prefix length is 0 to {most}")))?,
        };
        Ok(IpNetwork { address, prefix })
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let most = if self.address.is_ipv4() { 32 } else { 128 };
        if self.prefix == most {
            write!(f, "{}", self.address)
        } else {
            write!(f, "{}/{}", self.address, self.prefix)
        }
    }
}

impl Serialize for IpNetwork {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IpNetwork {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether `ip` is in any of `networks`.
pub fn in_any(networks: &[IpNetwork], ip: IpAddr) -> bool {
    networks.iter().any(|n| n.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_addresses_stand_for_their_slash_64_and_ipv4_for_themselves() {
        assert_eq!(
            address_group(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            address_group(ip("2001:db8:1:2::1")),
            address_group(ip("2001:db8:1:2:ffff::"))
        );
        assert_ne!(
            address_group(ip("2001:db8:1:2::1")),
            address_group(ip("2001:db8:1:3::1"))
        );
        assert_eq!(address_group(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(address_group(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn networks_parse_contain_and_print() {
        let net: IpNetwork = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.200.1.2")));
        assert!(net.contains(ip("::ffff:10.1.1.1")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::1")));
        assert_eq!(net.to_string(), "10.0.0.0/8");
        let one: IpNetwork = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        assert_eq!(one.to_string(), "127.0.0.1");
        let v6: IpNetwork = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")));
        let all: IpNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "localhost",
            "10.0.0.0/x",
        ] {
            assert!(bad.parse::<IpNetwork>().is_err(), "{bad}");
        }
    }
}
