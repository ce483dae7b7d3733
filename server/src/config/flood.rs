//! `[flood]`: per-connection rate limits.

use serde::{Deserialize, Serialize};

use super::{ConfigError, at_least_one};

/// The longest pace a `[flood] *_ms` key may set (a minute): longer is surely a typo.
pub const MAX_PACE_MS: u64 = 60_000;

/// `[flood]`: per-connection rate limits. An action (walk, attack, face, chat) that comes
/// sooner than its pace allows is refused (dropped; a walker is put back); refusals are
/// forgiven at one a second, and a client with more than `max_refused` unforgiven is
/// disconnected. Every packet also counts against `packets_per_sec`: a client beyond it, past
/// a burst of `packet_burst`, is disconnected. A pace or rate of 0 turns that check off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FloodConfig {
    /// Walks: the least time between two, by the client's own timestamps and on arrival
    /// (EOSERV refuses walks stamped under 36 hundredths of a second apart).
    pub walk_ms: u64,
    /// Attacks, likewise (EOSERV: 48 hundredths).
    pub attack_ms: u64,
    /// Turning to face a direction (EOSERV's PacketRateFace).
    pub face_ms: u64,
    /// Chat of every kind (public, global, private, admin, announcements).
    pub chat_ms: u64,
    /// Actions of one kind that may arrive at once, for network jitter, before the pace applies.
    pub action_burst: u32,
    /// Packets per second a connection may send, sustained.
    pub packets_per_sec: u32,
    /// Packets that may arrive at once above that rate.
    pub packet_burst: u32,
    /// Refused actions tolerated (each forgiven after a second); one more disconnects.
    pub max_refused: u32,
}

impl Default for FloodConfig {
    fn default() -> Self {
        FloodConfig {
            walk_ms: 360,
            attack_ms: 480,
            face_ms: 120,
            chat_ms: 500,
            action_burst: 4,
            packets_per_sec: 30,
            packet_burst: 60,
            max_refused: 20,
        }
    }
}

impl FloodConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (key, ms) in [
            ("flood.walk_ms", self.walk_ms),
            ("flood.attack_ms", self.attack_ms),
            ("flood.face_ms", self.face_ms),
            ("flood.chat_ms", self.chat_ms),
        ] {
            if ms > MAX_PACE_MS {
                return Err(ConfigError::new(
                    key,
                    format!("{ms} is more than {MAX_PACE_MS} (a minute)"),
                ));
            }
        }
        at_least_one("flood.action_burst", u64::from(self.action_burst))?;
        at_least_one("flood.packet_burst", u64::from(self.packet_burst))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn validation_rules() {
        assert_eq!(
            invalid(|c| c.flood.walk_ms = MAX_PACE_MS + 1).key,
            "flood.walk_ms"
        );
        assert_eq!(
            invalid(|c| c.flood.action_burst = 0).key,
            "flood.action_burst"
        );
        assert_eq!(
            invalid(|c| c.flood.packet_burst = 0).key,
            "flood.packet_burst"
        );

        // Zero is allowed where it means "off".
        let mut c = Config::default();
        c.flood.walk_ms = 0;
        c.flood.packets_per_sec = 0;
        c.flood.max_refused = 0;
        c.validate().unwrap();
    }
}
