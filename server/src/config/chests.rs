//! `[chests]`: what a chest on a map holds.

use serde::{Deserialize, Serialize};

use super::{ConfigError, MAX_MOVED_AMOUNT, at_least_one};

/// The most distinct items a chest may be set to hold: a bound against typos (chests in EO hold
/// a handful; EOSERV's ChestSlots is 5).
pub const MAX_CHEST_SLOTS: u8 = 100;

/// `[chests]` (EOSERV's names in brackets, with its defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChestsConfig {
    /// Distinct items a chest holds, spawned ones included (ChestSlots). The map's spawn slots
    /// are kept free for their spawns; players fill the rest.
    pub slots: u8,
    /// The most of one item a chest holds (MaxChest).
    pub max_item_amount: u32,
}

impl Default for ChestsConfig {
    fn default() -> Self {
        ChestsConfig {
            slots: 5,
            max_item_amount: 10_000_000,
        }
    }
}

impl ChestsConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least_one("chests.slots", u64::from(self.slots))?;
        if self.slots > MAX_CHEST_SLOTS {
            return Err(ConfigError::new(
                "chests.slots",
                format!("{} is more than {MAX_CHEST_SLOTS}", self.slots),
            ));
        }
        at_least_one("chests.max_item_amount", u64::from(self.max_item_amount))?;
        if self.max_item_amount > MAX_MOVED_AMOUNT {
            return Err(ConfigError::new(
                "chests.max_item_amount",
                format!(
                    "{} is more than {MAX_MOVED_AMOUNT} (a chest lists its items with \
                     three-byte amounts)",
                    self.max_item_amount
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::invalid;

    #[test]
    fn chest_limits_are_checked() {
        assert_eq!(invalid(|c| c.chests.slots = 0).key, "chests.slots");
        assert_eq!(invalid(|c| c.chests.slots = 101).key, "chests.slots");
        assert_eq!(
            invalid(|c| c.chests.max_item_amount = 0).key,
            "chests.max_item_amount"
        );
        assert_eq!(
            invalid(|c| c.chests.max_item_amount = 16_194_277).key,
            "chests.max_item_amount"
        );
    }
}
