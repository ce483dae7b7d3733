//! `[bank]`: the gold a bank holds, locker sizes and locker upgrades.

use serde::{Deserialize, Serialize};

use super::{ConfigError, MAX_ITEM_AMOUNT, at_least_one};

/// The most distinct items a locker can be said to hold: Locker_Spec sends it as an EO char.
pub const MAX_LOCKER_SIZE: u32 = 252;
/// The most locker upgrades a character can have: Bank_Open sends them as an EO char.
pub const MAX_LOCKER_UPGRADES: u8 = 252;

/// `[bank]` (EOSERV's names in brackets, with its defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BankConfig {
    /// The most gold one character's bank holds (MaxBankGold).
    pub max_gold: u32,
    /// Distinct items a locker holds before any upgrade (BaseBankSize).
    pub base_size: u32,
    /// Distinct items each upgrade adds (BankSizeStep).
    pub size_step: u32,
    /// The most of one item a locker holds (MaxBank).
    pub max_item_amount: u32,
    /// The gold the first upgrade costs (BankUpgradeBase).
    pub upgrade_base: u32,
    /// What each upgrade bought adds to the next one's cost (BankUpgradeStep).
    pub upgrade_step: u32,
    /// How many upgrades a character can buy (MaxBankUpgrades).
    pub max_upgrades: u8,
}

impl Default for BankConfig {
    fn default() -> Self {
        BankConfig {
            max_gold: 2_000_000_000,
            base_size: 25,
            size_step: 5,
            max_item_amount: 200,
            upgrade_base: 1000,
            upgrade_step: 1000,
            max_upgrades: 7,
        }
    }
}

impl BankConfig {
    /// How many distinct items a locker with `upgrades` holds.
    pub fn locker_size(&self, upgrades: u8) -> u32 {
        self.size_step
            .saturating_mul(u32::from(upgrades.min(self.max_upgrades)))
            .saturating_add(self.base_size)
    }

    /// What the next upgrade costs a character with `upgrades`; `None` once it has the most.
    pub fn upgrade_cost(&self, upgrades: u8) -> Option<u32> {
        if upgrades >= self.max_upgrades {
            return None;
        }
        self.upgrade_step
            .checked_mul(u32::from(upgrades))?
            .checked_add(self.upgrade_base)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least_one("bank.max_gold", u64::from(self.max_gold))?;
        if self.max_gold > MAX_ITEM_AMOUNT {
            return Err(ConfigError::new(
                "bank.max_gold",
                format!("{} is more than {MAX_ITEM_AMOUNT}", self.max_gold),
            ));
        }
        at_least_one("bank.max_item_amount", u64::from(self.max_item_amount))?;
        if self.max_item_amount > super::MAX_MOVED_AMOUNT {
            return Err(ConfigError::new(
                "bank.max_item_amount",
                format!(
                    "{} is more than {} (a locker lists its items with three-byte amounts)",
                    self.max_item_amount,
                    super::MAX_MOVED_AMOUNT
                ),
            ));
        }
        if self.max_upgrades > MAX_LOCKER_UPGRADES {
            return Err(ConfigError::new(
                "bank.max_upgrades",
                format!("{} is more than {MAX_LOCKER_UPGRADES}", self.max_upgrades),
            ));
        }
        let largest =
            u64::from(self.size_step) * u64::from(self.max_upgrades) + u64::from(self.base_size);
        if largest > u64::from(MAX_LOCKER_SIZE) {
            return Err(ConfigError::new(
                "bank.size_step",
                format!(
                    "base_size + size_step * max_upgrades is {largest}, more than \
                     {MAX_LOCKER_SIZE} (Locker_Spec sends it as an EO char)"
                ),
            ));
        }
        let dearest = u64::from(self.upgrade_step) * u64::from(self.max_upgrades)
            + u64::from(self.upgrade_base);
        if dearest > u64::from(MAX_ITEM_AMOUNT) {
            return Err(ConfigError::new(
                "bank.upgrade_step",
                "the last upgrade would cost more gold than a character can hold",
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
    fn lockers_grow_and_upgrades_cost_more_up_to_the_last() {
        let bank = BankConfig::default();
        assert_eq!(bank.locker_size(0), 25);
        assert_eq!(bank.locker_size(7), 60);
        assert_eq!(
            bank.locker_size(200),
            60,
            "past the most upgrades counts as the most"
        );
        assert_eq!(bank.upgrade_cost(0), Some(1000));
        assert_eq!(bank.upgrade_cost(6), Some(7000));
        assert_eq!(bank.upgrade_cost(7), None);
    }

    #[test]
    fn limits_past_what_the_protocol_or_database_holds_are_refused() {
        let key = |edit: fn(&mut Config)| invalid(edit).key;
        assert_eq!(key(|c| c.bank.max_gold = 0), "bank.max_gold");
        assert_eq!(key(|c| c.bank.max_gold = u32::MAX), "bank.max_gold");
        assert_eq!(key(|c| c.bank.max_item_amount = 0), "bank.max_item_amount");
        assert_eq!(
            key(|c| c.bank.max_item_amount = 20_000_000),
            "bank.max_item_amount"
        );
        assert_eq!(key(|c| c.bank.max_upgrades = 253), "bank.max_upgrades");
        assert_eq!(key(|c| c.bank.size_step = 40), "bank.size_step");
        assert_eq!(key(|c| c.bank.upgrade_step = u32::MAX), "bank.upgrade_step");
    }
}
