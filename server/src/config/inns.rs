//! `[inns]`: what sleeping at an inn costs, and who may become a citizen.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// `[inns]`: sleeping to full HP and TP costs `sleep_base_cost + sleep_cost_per_hp * missing
/// HP + sleep_cost_per_tp * missing TP` gold (etheos's InnSleepCostBase, InnSleepCostPerHP and
/// InnSleepCostPerTP; the defaults are reoserv's price, the HP and TP missing). A character
/// who is a citizen of another inn may answer an inn's questions only with
/// `subscribe_anytime` (EOSERV's CitizenSubscribeAnytime); otherwise it must give up its
/// citizenship first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InnsConfig {
    pub sleep_base_cost: u32,
    pub sleep_cost_per_hp: u32,
    pub sleep_cost_per_tp: u32,
    pub subscribe_anytime: bool,
}

impl Default for InnsConfig {
    fn default() -> Self {
        InnsConfig {
            sleep_base_cost: 0,
            sleep_cost_per_hp: 1,
            sleep_cost_per_tp: 1,
            subscribe_anytime: false,
        }
    }
}

impl InnsConfig {
    /// What a night costs a character missing `hp` and `tp`; `None` past the largest amount
    /// of gold.
    pub fn sleep_cost(&self, hp: u16, tp: u16) -> Option<u32> {
        self.sleep_cost_per_hp
            .checked_mul(u32::from(hp))?
            .checked_add(self.sleep_cost_per_tp.checked_mul(u32::from(tp))?)?
            .checked_add(self.sleep_base_cost)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let most = self.sleep_cost(u16::MAX, u16::MAX);
        if most.is_none_or(|cost| cost > super::MAX_ITEM_AMOUNT) {
            return Err(ConfigError::new(
                "inns.sleep_cost_per_hp",
                "the price of a night with 65535 HP and TP missing is more gold than a \
                 character can hold",
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
    fn a_night_costs_what_is_missing() {
        let inns = InnsConfig::default();
        assert_eq!(inns.sleep_cost(7, 3), Some(10));
        let priced = InnsConfig {
            sleep_base_cost: 5,
            sleep_cost_per_hp: 2,
            sleep_cost_per_tp: 0,
            subscribe_anytime: false,
        };
        assert_eq!(priced.sleep_cost(7, 3), Some(19));
    }

    #[test]
    fn a_price_past_what_a_character_can_hold_is_refused() {
        assert_eq!(
            invalid(|c: &mut Config| c.inns.sleep_cost_per_tp = 1_000_000).key,
            "inns.sleep_cost_per_hp"
        );
    }
}
