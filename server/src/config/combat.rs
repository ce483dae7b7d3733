//! `[combat]`: what the formulas file does not say about fighting: how far ranged weapons
//! reach, the experience rate, where players may fight each other, and death.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The farthest a ranged weapon may reach (the width of a client's view).
pub const MAX_RANGED_DISTANCE: u8 = 20;
/// The largest experience multiplier.
pub const MAX_EXP_RATE: f64 = 1000.0;

/// `[combat]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CombatConfig {
    /// Tiles a ranged weapon (with arrows worn) reaches in the direction of the attack; a
    /// melee weapon reaches the next tile. Walls stop arrows.
    pub ranged_distance: u8,
    /// A multiplier of the experience NPCs give (EOSERV's ExpRate).
    pub exp_rate: f64,
    /// Maps where players may attack each other, besides every map of type Pk.
    pub pk_maps: Vec<u16>,
    /// The share of the maximum HP (percent) a character comes back with after dying
    /// (EOSERV's DeathRecover).
    pub death_hp_percent: u8,
    /// Respawn at the world's spawn point (`[world] spawn_map`, `spawn_x`, `spawn_y`) rather
    /// than at the relog point of the map the character died on.
    pub respawn_home: bool,
}

impl Default for CombatConfig {
    fn default() -> Self {
        CombatConfig {
            ranged_distance: 5,
            exp_rate: 1.0,
            pk_maps: Vec::new(),
            death_hp_percent: 50,
            respawn_home: false,
        }
    }
}

impl CombatConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=MAX_RANGED_DISTANCE).contains(&self.ranged_distance) {
            return Err(ConfigError::new(
                "combat.ranged_distance",
                format!(
                    "{} is not between 1 and {MAX_RANGED_DISTANCE}",
                    self.ranged_distance
                ),
            ));
        }
        if !self.exp_rate.is_finite() || !(0.0..=MAX_EXP_RATE).contains(&self.exp_rate) {
            return Err(ConfigError::new(
                "combat.exp_rate",
                format!("{} is not between 0 and {MAX_EXP_RATE}", self.exp_rate),
            ));
        }
        if let Some(zero) = self.pk_maps.iter().find(|id| **id == 0) {
            return Err(ConfigError::new(
                "combat.pk_maps",
                format!("{zero} is not a map id (maps are numbered from 1)"),
            ));
        }
        if !(1..=100).contains(&self.death_hp_percent) {
            return Err(ConfigError::new(
                "combat.death_hp_percent",
                format!("{} is not between 1 and 100", self.death_hp_percent),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_their_key() {
        CombatConfig::default().validate().unwrap();
        let bad = |edit: fn(&mut CombatConfig)| {
            let mut c = CombatConfig::default();
            edit(&mut c);
            c.validate().unwrap_err().key
        };
        assert_eq!(bad(|c| c.ranged_distance = 0), "combat.ranged_distance");
        assert_eq!(bad(|c| c.ranged_distance = 21), "combat.ranged_distance");
        assert_eq!(bad(|c| c.exp_rate = f64::INFINITY), "combat.exp_rate");
        assert_eq!(bad(|c| c.pk_maps = vec![2, 0]), "combat.pk_maps");
        assert_eq!(bad(|c| c.death_hp_percent = 0), "combat.death_hp_percent");
        assert_eq!(bad(|c| c.death_hp_percent = 101), "combat.death_hp_percent");
    }
}
