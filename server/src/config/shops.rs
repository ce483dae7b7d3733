//! `[shops]`: how much of one item a shop NPC trades at once.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The most a trade of a shop file may allow (its `max_amount` is an EO char).
pub const MAX_SHOP_AMOUNT: u8 = 252;

/// `[shops]`: each trade of a shop file caps how many of its item are bought or sold at once;
/// a trade whose cap is 0 takes `default_max_amount` (EOSERV's MaxShopBuy, which it uses for
/// every trade).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShopsConfig {
    pub default_max_amount: u8,
}

impl Default for ShopsConfig {
    fn default() -> Self {
        ShopsConfig {
            default_max_amount: 4,
        }
    }
}

impl ShopsConfig {
    /// The cap of a trade whose file gives `max_amount`.
    pub fn max_amount(&self, max_amount: u8) -> u8 {
        if max_amount == 0 {
            self.default_max_amount
        } else {
            max_amount
        }
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.default_max_amount == 0 || self.default_max_amount > MAX_SHOP_AMOUNT {
            return Err(ConfigError::new(
                "shops.default_max_amount",
                format!("must be 1 to {MAX_SHOP_AMOUNT} (the client reads it as an EO char)"),
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
    fn a_trade_without_a_cap_takes_the_default() {
        let shops = ShopsConfig::default();
        assert_eq!(shops.max_amount(0), 4);
        assert_eq!(shops.max_amount(100), 100);
    }

    #[test]
    fn a_default_the_client_cannot_read_is_refused() {
        for bad in [0, 253] {
            assert_eq!(
                invalid(|c: &mut Config| c.shops.default_max_amount = bad).key,
                "shops.default_max_amount"
            );
        }
    }
}
