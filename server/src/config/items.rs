//! `[items]`: items on the ground and in inventories, and the limits the protocol and the
//! database put on their amounts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, at_least_one, at_most_a_year};

/// The largest amount of one item a character may hold: the database's limit (`i32::MAX`).
pub const MAX_ITEM_AMOUNT: u32 = i32::MAX as u32;
/// The largest amount one packet can move at once (a three-byte EO number).
pub const MAX_MOVED_AMOUNT: u32 = 16_194_276;
/// The most items one map can hold on its ground (they are numbered with EO shorts).
pub const MAX_GROUND_ITEMS: u32 = 64_000;

/// `[items]`: items on the ground and in inventories (EOSERV's names in brackets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItemsConfig {
    /// How far (|dx| + |dy|) from the character an item may be dropped or picked up
    /// (DropDistance).
    pub drop_distance: u8,
    /// Seconds only the dropper may pick up what a player dropped (ProtectPlayerDrop).
    pub drop_protect_player_secs: u64,
    /// Seconds only the killer may pick up what an NPC dropped (ProtectNPCDrop).
    pub drop_protect_npc_secs: u64,
    /// Seconds an item lies on the ground before it vanishes; 0 = until the server stops.
    pub ground_item_secs: u64,
    /// Items one map's ground holds at most; a player's drop beyond it is refused.
    pub max_ground_items: u32,
    /// The most of one item a character may hold (MaxItem).
    pub max_item_amount: u32,
    /// The most of one item dropped or junked at once (MaxDrop).
    pub max_drop_amount: u32,
    /// Refuse picking up more than the character may carry (EnforceWeight).
    pub enforce_weight: bool,
}

impl Default for ItemsConfig {
    fn default() -> Self {
        ItemsConfig {
            drop_distance: 2,
            drop_protect_player_secs: 5,
            drop_protect_npc_secs: 30,
            ground_item_secs: 300,
            max_ground_items: 250,
            max_item_amount: 2_000_000_000,
            max_drop_amount: 10_000_000,
            enforce_weight: true,
        }
    }
}

impl ItemsConfig {
    pub fn drop_protect_player(&self) -> Duration {
        Duration::from_secs(self.drop_protect_player_secs)
    }

    pub fn drop_protect_npc(&self) -> Duration {
        Duration::from_secs(self.drop_protect_npc_secs)
    }

    /// How long an item lies on the ground; `None` for ever.
    pub fn ground_item_time(&self) -> Option<Duration> {
        (self.ground_item_secs > 0).then(|| Duration::from_secs(self.ground_item_secs))
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (key, secs) in [
            (
                "items.drop_protect_player_secs",
                self.drop_protect_player_secs,
            ),
            ("items.drop_protect_npc_secs", self.drop_protect_npc_secs),
            ("items.ground_item_secs", self.ground_item_secs),
        ] {
            at_most_a_year(key, secs)?;
        }
        for (key, value, max) in [
            (
                "items.max_item_amount",
                self.max_item_amount,
                MAX_ITEM_AMOUNT,
            ),
            (
                "items.max_drop_amount",
                self.max_drop_amount,
                MAX_MOVED_AMOUNT,
            ),
            (
                "items.max_ground_items",
                self.max_ground_items,
                MAX_GROUND_ITEMS,
            ),
        ] {
            at_least_one(key, u64::from(value))?;
            if value > max {
                return Err(ConfigError::new(key, format!("{value} is more than {max}")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MAX_SECS;
    use crate::config::tests::invalid;

    #[test]
    fn item_limits_are_checked() {
        let e = invalid(|c| c.items.max_item_amount = MAX_ITEM_AMOUNT + 1);
        assert_eq!(e.key, "items.max_item_amount");
        let e = invalid(|c| c.items.max_drop_amount = 0);
        assert_eq!(e.key, "items.max_drop_amount");
        let e = invalid(|c| c.items.max_drop_amount = MAX_MOVED_AMOUNT + 1);
        assert_eq!(e.key, "items.max_drop_amount");
        let e = invalid(|c| c.items.max_ground_items = MAX_GROUND_ITEMS + 1);
        assert_eq!(e.key, "items.max_ground_items");
        let e = invalid(|c| c.items.ground_item_secs = MAX_SECS + 1);
        assert_eq!(e.key, "items.ground_item_secs");
        assert_eq!(
            ItemsConfig::default().ground_item_time(),
            Some(Duration::from_secs(300))
        );
    }
}
