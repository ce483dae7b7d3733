//! `[trade]`: what players may offer each other in a trade.

use serde::{Deserialize, Serialize};

use super::{ConfigError, MAX_ITEM_AMOUNT, at_least_one};

/// `[trade]`: an offer of one item is 1 to `max_amount` (EOSERV's MaxTrade and reoserv's
/// `limits.max_trade`, both 2e9), and the items of `protected_items` are never offered (reoserv's
/// `items.protected_items`, which also keeps them from being dropped or junked; here it is for
/// trades only). Lore items are never offered, whatever this says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TradeConfig {
    pub max_amount: u32,
    /// Item ids (EIF record ids).
    pub protected_items: Vec<u16>,
}

impl Default for TradeConfig {
    fn default() -> Self {
        TradeConfig {
            max_amount: 2_000_000_000,
            protected_items: Vec::new(),
        }
    }
}

impl TradeConfig {
    /// Whether item `id` may not be offered.
    pub fn protects(&self, id: u16) -> bool {
        self.protected_items.contains(&id)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least_one("trade.max_amount", u64::from(self.max_amount))?;
        if self.max_amount > MAX_ITEM_AMOUNT {
            return Err(ConfigError::new(
                "trade.max_amount",
                format!(
                    "{} is more than a character can hold ({MAX_ITEM_AMOUNT})",
                    self.max_amount
                ),
            ));
        }
        if self.protected_items.contains(&0) {
            return Err(ConfigError::new(
                "trade.protected_items",
                "0 is no item (item ids start at 1)",
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
    fn the_defaults_are_eoservs_and_reoservs() {
        let trade = Config::default().trade;
        assert_eq!(trade.max_amount, 2_000_000_000);
        assert!(!trade.protects(1));
        let c = Config::from_toml_str("[trade]\nprotected_items = [17, 3]\n").unwrap();
        assert!(c.trade.protects(3) && c.trade.protects(17) && !c.trade.protects(1));
    }

    #[test]
    fn amounts_past_the_limits_and_item_zero_are_refused() {
        for bad in [0, MAX_ITEM_AMOUNT + 1] {
            assert_eq!(
                invalid(|c: &mut Config| c.trade.max_amount = bad).key,
                "trade.max_amount"
            );
        }
        assert_eq!(
            invalid(|c: &mut Config| c.trade.protected_items = vec![5, 0]).key,
            "trade.protected_items"
        );
    }
}
