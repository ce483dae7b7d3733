//! `[npcs]`: the map's clock and how NPCs move, chase, give up and respawn.
//!
//! Every map actor runs its own timer of `tick_ms`; the times below are converted to whole
//! ticks of it (at least one), so a test that shortens `tick_ms` and the times runs the same
//! game faster.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The longest tick: a map that acts less than once a minute is certainly a typo.
pub const MAX_TICK_MS: u64 = 60_000;
/// The longest of the other times (one day).
pub const MAX_NPC_MS: u64 = 24 * 60 * 60 * 1000;
/// The widest spawn scatter (a map is at most 253 tiles wide).
pub const MAX_SPAWN_RADIUS: u8 = 10;

/// `[npcs]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NpcConfig {
    /// Milliseconds between two ticks of each map: NPCs act, respawn and what happened in the
    /// tick is sent, one packet of each kind per viewer.
    pub tick_ms: u64,
    /// Milliseconds between two actions (a step or an attack) of an NPC of spawn type 0 to 6
    /// (EOSERV's NPCMovementRate); spawn type 7 stands still. Each wait varies by up to a
    /// quarter either way.
    pub speeds_ms: [u64; 7],
    /// Steps (|dx| + |dy|) within which an aggressive NPC notices a player, and within which an
    /// NPC keeps chasing one (EOSERV's NPCChaseDistance).
    pub chase_distance: u8,
    /// An NPC that has chased a player this long without landing or taking a blow gives up on
    /// that player for as long again (EOSERV's NPCBoredTimer).
    pub bored_ms: u64,
    /// At most this many tiles are explored to find a chasing NPC's path around walls.
    pub path_limit: u32,
    /// A multiplier of the maps' spawn times (EOSERV's SpawnRate): 0.5 respawns twice as fast.
    pub respawn_rate: f64,
    /// A moving NPC (re)spawns up to this many tiles from its spawn point in x and in y.
    pub spawn_radius: u8,
    /// Seeds the NPCs' randomness (wandering, spawn places, timing); 0 takes a random seed.
    pub seed: u64,
    /// Milliseconds between two chances for NPCs of the talk file to speak (reoserv's talk
    /// rate, 300 of its 125 ms ticks); each NPC takes its chance only when players are near
    /// it. 0: NPCs never speak.
    pub speech_ms: u64,
}

impl Default for NpcConfig {
    fn default() -> Self {
        NpcConfig {
            tick_ms: 125,
            speeds_ms: [900, 600, 1300, 1900, 3700, 7500, 15000],
            chase_distance: 18,
            bored_ms: 30_000,
            path_limit: 1000,
            respawn_rate: 1.0,
            spawn_radius: 2,
            seed: 0,
            speech_ms: 37_500,
        }
    }
}

impl NpcConfig {
    /// The map's tick.
    pub fn tick(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.tick_ms)
    }

    /// `ms` in whole ticks, at least one.
    pub fn ticks(&self, ms: u64) -> u64 {
        ms.div_ceil(self.tick_ms.max(1)).max(1)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=MAX_TICK_MS).contains(&self.tick_ms) {
            return Err(ConfigError::new(
                "npcs.tick_ms",
                format!("{} is not between 1 and {MAX_TICK_MS}", self.tick_ms),
            ));
        }
        for (i, ms) in self.speeds_ms.iter().enumerate() {
            if *ms > MAX_NPC_MS {
                return Err(ConfigError::new(
                    "npcs.speeds_ms",
                    format!("spawn type {i}: {ms} is more than {MAX_NPC_MS} (one day)"),
                ));
            }
        }
        if self.bored_ms > MAX_NPC_MS {
            return Err(ConfigError::new(
                "npcs.bored_ms",
                format!("{} is more than {MAX_NPC_MS} (one day)", self.bored_ms),
            ));
        }
        if self.speech_ms > MAX_NPC_MS {
            return Err(ConfigError::new(
                "npcs.speech_ms",
                format!("{} is more than {MAX_NPC_MS} (one day)", self.speech_ms),
            ));
        }
        if self.path_limit < 1 {
            return Err(ConfigError::new("npcs.path_limit", "0 is less than 1"));
        }
        if !self.respawn_rate.is_finite() || !(0.0..=100.0).contains(&self.respawn_rate) {
            return Err(ConfigError::new(
                "npcs.respawn_rate",
                format!("{} is not between 0 and 100", self.respawn_rate),
            ));
        }
        if self.spawn_radius > MAX_SPAWN_RADIUS {
            return Err(ConfigError::new(
                "npcs.spawn_radius",
                format!("{} is more than {MAX_SPAWN_RADIUS}", self.spawn_radius),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_become_whole_ticks_of_at_least_one() {
        let c = NpcConfig::default();
        assert_eq!(c.ticks(900), 8);
        assert_eq!(c.ticks(125), 1);
        assert_eq!(c.ticks(0), 1);
        assert_eq!(c.ticks(30_000), 240);
        c.validate().unwrap();
    }

    #[test]
    fn bad_values_name_their_key() {
        let bad = |edit: fn(&mut NpcConfig)| {
            let mut c = NpcConfig::default();
            edit(&mut c);
            c.validate().unwrap_err().key
        };
        assert_eq!(bad(|c| c.tick_ms = 0), "npcs.tick_ms");
        assert_eq!(bad(|c| c.speeds_ms[3] = MAX_NPC_MS + 1), "npcs.speeds_ms");
        assert_eq!(bad(|c| c.bored_ms = u64::MAX), "npcs.bored_ms");
        assert_eq!(bad(|c| c.speech_ms = MAX_NPC_MS + 1), "npcs.speech_ms");
        assert_eq!(bad(|c| c.path_limit = 0), "npcs.path_limit");
        assert_eq!(bad(|c| c.respawn_rate = f64::NAN), "npcs.respawn_rate");
        assert_eq!(bad(|c| c.respawn_rate = -1.0), "npcs.respawn_rate");
        assert_eq!(bad(|c| c.spawn_radius = 11), "npcs.spawn_radius");
    }
}
