//! `[jail]`: where `$jail` sends a character and where `$unjail` lets it out (EOSERV's
//! JailMap/JailX/JailY and UnJailMap/UnJailX/UnJailY). The defaults are the bundled world's
//! jail (map 6, built by eo-worldgen) and Mossbrook's spawn point. The points are checked
//! against the world when a command uses them (an unknown map is that command's error), so a
//! world without a jail still runs.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// `[jail]`: the jail's tile, and the tile a freed character goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JailConfig {
    pub map: u16,
    pub x: u8,
    pub y: u8,
    pub free_map: u16,
    pub free_x: u8,
    pub free_y: u8,
}

impl Default for JailConfig {
    fn default() -> Self {
        JailConfig {
            map: 6,
            x: 5,
            y: 6,
            free_map: 1,
            free_x: 16,
            free_y: 9,
        }
    }
}

impl JailConfig {
    /// The jail's tile: (map, x, y).
    pub fn jail(&self) -> (u16, u8, u8) {
        (self.map, self.x, self.y)
    }

    /// Where a freed character goes: (map, x, y).
    pub fn free(&self) -> (u16, u8, u8) {
        (self.free_map, self.free_x, self.free_y)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (key, map) in [("jail.map", self.map), ("jail.free_map", self.free_map)] {
            if map == 0 {
                return Err(ConfigError::new(key, "map ids start at 1"));
            }
        }
        if self.map == self.free_map && (self.x, self.y) == (self.free_x, self.free_y) {
            return Err(ConfigError::new(
                "jail.free_map",
                "a freed character would stay on the jail's tile",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::invalid;

    #[test]
    fn validation_rules() {
        assert_eq!(invalid(|c| c.jail.map = 0).key, "jail.map");
        assert_eq!(invalid(|c| c.jail.free_map = 0).key, "jail.free_map");
        let same = invalid(|c| {
            c.jail.free_map = c.jail.map;
            (c.jail.free_x, c.jail.free_y) = (c.jail.x, c.jail.y);
        });
        assert_eq!(same.key, "jail.free_map");
    }
}
