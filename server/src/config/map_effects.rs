//! `[map_effects]`: the timed effects maps have (EMF `timed_effect` and spike tiles).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, MAX_SECS};

/// `[map_effects]`: when and how hard a map's timed effects strike (map/effects.rs). Each
/// interval is in milliseconds and 0 turns that effect off, as EOSERV's timers do; the
/// defaults are EOSERV's (config/rates.ini).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapEffectsConfig {
    /// Timed spikes strike this often (EOSERV SpikeTime, 1.5 s).
    pub spike_ms: u64,
    /// A spike takes this share of the maximum HP, in percent (EOSERV SpikeDamage, 20%).
    pub spike_damage_percent: u8,
    /// HP and TP drain maps drain this often (EOSERV DrainTime, 15 s).
    pub drain_ms: u64,
    /// An HP drain takes this share of the maximum HP, never the last point (DrainHPDamage).
    pub drain_hp_percent: u8,
    /// A TP drain takes this share of the maximum TP (DrainTPDamage).
    pub drain_tp_percent: u8,
    /// The quake clock's step (EOSERV QuakeRate, 5 s): a quake map shakes after a random
    /// number of steps (map/effects.rs has the table per quake strength).
    pub quake_ms: u64,
}

impl Default for MapEffectsConfig {
    fn default() -> Self {
        MapEffectsConfig {
            spike_ms: 1500,
            spike_damage_percent: 20,
            drain_ms: 15_000,
            drain_hp_percent: 20,
            drain_tp_percent: 10,
            quake_ms: 5000,
        }
    }
}

/// An interval in milliseconds; `None` when it is 0 (off).
fn interval(ms: u64) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms))
}

impl MapEffectsConfig {
    pub fn spike_interval(&self) -> Option<Duration> {
        interval(self.spike_ms)
    }

    pub fn drain_interval(&self) -> Option<Duration> {
        interval(self.drain_ms)
    }

    pub fn quake_interval(&self) -> Option<Duration> {
        interval(self.quake_ms)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (key, ms) in [
            ("map_effects.spike_ms", self.spike_ms),
            ("map_effects.drain_ms", self.drain_ms),
            ("map_effects.quake_ms", self.quake_ms),
        ] {
            if ms > MAX_SECS * 1000 {
                return Err(ConfigError::new(key, format!("{ms} is more than one year")));
            }
        }
        for (key, percent) in [
            (
                "map_effects.spike_damage_percent",
                self.spike_damage_percent,
            ),
            ("map_effects.drain_hp_percent", self.drain_hp_percent),
            ("map_effects.drain_tp_percent", self.drain_tp_percent),
        ] {
            if percent > 100 {
                return Err(ConfigError::new(
                    key,
                    format!("{percent} is more than 100 (percent)"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::invalid;

    #[test]
    fn the_defaults_are_eoservs_and_zero_turns_an_effect_off() {
        let config = MapEffectsConfig::default();
        assert_eq!(config.spike_interval(), Some(Duration::from_millis(1500)));
        assert_eq!(config.drain_interval(), Some(Duration::from_secs(15)));
        assert_eq!(config.quake_interval(), Some(Duration::from_secs(5)));
        let off = MapEffectsConfig {
            drain_ms: 0,
            ..config
        };
        assert_eq!(off.drain_interval(), None);
    }

    #[test]
    fn percentages_past_100_and_intervals_past_a_year_are_refused() {
        assert_eq!(
            invalid(|c| c.map_effects.spike_damage_percent = 101).key,
            "map_effects.spike_damage_percent"
        );
        assert_eq!(
            invalid(|c| c.map_effects.drain_tp_percent = 200).key,
            "map_effects.drain_tp_percent"
        );
        assert_eq!(
            invalid(|c| c.map_effects.drain_ms = MAX_SECS * 1000 + 1).key,
            "map_effects.drain_ms"
        );
    }
}
