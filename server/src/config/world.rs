//! `[world]`: game data, periodic saving, where new characters start, and the news.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, at_least_one, at_most_a_year};

/// The most lines of `world.news` a client shows (the protocol sends exactly this many).
pub const MAX_NEWS_LINES: usize = 9;

/// `[world]`: game data and periodic saving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorldConfig {
    /// Directory holding `maps/` and `pub/` (and the data files); empty: the bundled world,
    /// built into the binary.
    pub data_dir: PathBuf,
    /// Seconds between a map's saves of the characters on it that changed (each map saves on its
    /// own clock, and at every departure; see `crate::save`).
    pub save_interval_secs: u64,
    /// Where new characters start: a map id and a tile (EOSERV's SpawnMap, SpawnX, SpawnY).
    pub spawn_map: u16,
    pub spawn_x: u8,
    pub spawn_y: u8,
    /// Where new characters start instead, if any are given: each a square of walkable tiles
    /// around a centre; an area is picked in proportion to its size, so a crowd spreads
    /// evenly over them. The spawn point above stays the rescue and jail point.
    pub spawn_areas: Vec<SpawnArea>,
    /// Characters an account may have (the official client shows 3).
    pub max_characters: u8,
    /// The news a client shows on entering the game, at most 9 lines; the first is the
    /// greeting.
    pub news: Vec<String>,
}

/// One `[world] spawn_areas` entry: the tiles within `radius` steps (in x and in y) of
/// (`x`, `y`) on `map`. The centre must be walkable (checked at start-up, when the maps are
/// loaded); other tiles of the square that are walls, warps or off the map are skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpawnArea {
    pub map: u16,
    pub x: u8,
    pub y: u8,
    #[serde(default)]
    pub radius: u8,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig {
            data_dir: PathBuf::new(),
            save_interval_secs: 60,
            // The relog point of the bundled town, Mossbrook.
            spawn_map: 1,
            spawn_x: 16,
            spawn_y: 9,
            spawn_areas: Vec::new(),
            max_characters: 3,
            news: vec!["Welcome to eo-server!".to_owned()],
        }
    }
}

impl WorldConfig {
    /// Whether the world served is the bundled one (no `data_dir` given).
    pub fn uses_bundled(&self) -> bool {
        self.data_dir.as_os_str().is_empty()
    }

    /// Time between saves of all online characters.
    pub fn save_interval(&self) -> Duration {
        Duration::from_secs(self.save_interval_secs)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least_one("world.save_interval_secs", self.save_interval_secs)?;
        at_least_one("world.spawn_map", u64::from(self.spawn_map))?;
        at_least_one("world.max_characters", u64::from(self.max_characters))?;
        for (i, area) in self.spawn_areas.iter().enumerate() {
            at_least_one(&format!("world.spawn_areas[{i}].map"), u64::from(area.map))?;
        }
        at_most_a_year("world.save_interval_secs", self.save_interval_secs)?;
        if self.news.len() > MAX_NEWS_LINES {
            return Err(ConfigError::new(
                "world.news",
                format!(
                    "{} lines; the client shows at most {MAX_NEWS_LINES}",
                    self.news.len()
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::config::tests::{FULL, env, env_err, invalid, parse_err};

    #[test]
    fn spawn_areas_come_from_the_file_or_the_environment() {
        let c = Config::from_toml_str(FULL).unwrap();
        assert_eq!(
            c.world.spawn_areas,
            [
                SpawnArea {
                    map: 1,
                    x: 16,
                    y: 9,
                    radius: 4
                },
                SpawnArea {
                    map: 2,
                    x: 3,
                    y: 15,
                    radius: 0
                }
            ]
        );
        let c =
            Config::from_toml_str("[[world.spawn_areas]]\nmap = 3\nx = 100\ny = 90\nradius = 50\n")
                .unwrap();
        assert_eq!(c.world.spawn_areas.len(), 1);
        assert_eq!(c.world.spawn_areas[0].radius, 50);

        let mut c = Config::default();
        c.apply_env(env(&[(
            "EO_WORLD_SPAWN_AREAS",
            "[{ map = 3, x = 10, y = 12, radius = 5 }]",
        )]))
        .unwrap();
        assert_eq!(c.world.spawn_areas[0].y, 12);

        let e = parse_err("[world]\nspawn_areas = [{ map = 1, x = 1, y = 1, r = 2 }]\n");
        assert_eq!(e.key, "world.spawn_areas");
        assert!(e.problem.contains("unknown field"), "{e}");
        let e = parse_err("[world]\nspawn_areas = [{ map = 1, x = 300, y = 1 }]\n");
        assert_eq!(e.key, "world.spawn_areas");
        let e = env_err(&[("EO_WORLD_SPAWN_AREAS", "[{ map = 1 }]")]);
        assert_eq!(e.key, "EO_WORLD_SPAWN_AREAS");
        let e = invalid(|c| {
            c.world.spawn_areas = vec![SpawnArea {
                map: 0,
                x: 1,
                y: 1,
                radius: 0,
            }]
        });
        assert_eq!(e.key, "world.spawn_areas[0].map");
    }

    #[test]
    fn validation_rules() {
        assert_eq!(
            invalid(|c| c.world.save_interval_secs = 0).key,
            "world.save_interval_secs"
        );
        // An empty data_dir is the bundled world, not an error.
        let mut c = crate::config::Config::default();
        c.world.data_dir = PathBuf::new();
        assert!(c.validate().is_ok() && c.world.uses_bundled());
    }
}
