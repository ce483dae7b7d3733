//! `[barber]`: what a new hair style costs at a barber NPC.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// `[barber]`: a new hair style and colour cost `base_cost + cost_per_level * level` gold, a
/// level-0 character paying as level 1 (EOSERV's BarberBase and BarberStep, with its defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BarberConfig {
    pub base_cost: u32,
    pub cost_per_level: u32,
}

impl Default for BarberConfig {
    fn default() -> Self {
        BarberConfig {
            base_cost: 0,
            cost_per_level: 200,
        }
    }
}

impl BarberConfig {
    /// What a character of `level` pays; `None` past the largest amount of gold.
    pub fn cost(&self, level: u8) -> Option<u32> {
        self.cost_per_level
            .checked_mul(u32::from(level.max(1)))?
            .checked_add(self.base_cost)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let most = self.cost(u8::MAX);
        if most.is_none_or(|cost| cost > super::MAX_ITEM_AMOUNT) {
            return Err(ConfigError::new(
                "barber.cost_per_level",
                "base_cost + cost_per_level * 255 is more gold than a character can hold",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn the_cost_grows_with_the_level_from_level_one() {
        let barber = BarberConfig::default();
        assert_eq!(barber.cost(0), Some(200));
        assert_eq!(barber.cost(1), Some(200));
        assert_eq!(barber.cost(10), Some(2000));
        let config = BarberConfig {
            base_cost: 50,
            cost_per_level: 0,
        };
        assert_eq!(config.cost(30), Some(50));
    }

    #[test]
    fn a_cost_past_what_a_character_can_hold_is_refused() {
        assert_eq!(
            invalid(|c: &mut Config| c.barber.cost_per_level = u32::MAX).key,
            "barber.cost_per_level"
        );
    }
}
