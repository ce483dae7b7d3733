//! The world's arenas (`arenas.toml` in the world's data folder; map/arena.rs runs them).
//!
//! ```toml
//! [[arena]]
//! map = 4                  # the arena's map: its launch tiles and its field are on it
//! rate_secs = 30           # a launch every this many seconds
//! block = 4                # while this many fighters are still in, a launch is refused
//! spawns = [               # each launch tile (from) and where its fighter lands (to)
//!   { from = { x = 2, y = 2 }, to = { x = 8, y = 3 } },
//!   { from = { x = 2, y = 4 }, to = { x = 8, y = 7 } },
//! ]
//! ```
//!
//! The same facts as EOSERV's `arenas.ini` (`N.time`, `N.block`, `N.spawns`) and reoserv's
//! `Arenas.ron`; they describe tiles of one world's maps, so they live with the world (like
//! `drops.toml`), not in the server's config.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::DataError;

/// The file the arenas are read from, in the world's data folder.
pub const ARENAS_FILE: &str = "arenas.toml";

/// A tile of the arena's map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tile {
    pub x: u8,
    pub y: u8,
}

/// A launch tile and where the fighter standing on it lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArenaSpawn {
    pub from: Tile,
    pub to: Tile,
}

/// One arena.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arena {
    pub map: u16,
    pub rate_secs: u64,
    pub block: u16,
    pub spawns: Vec<ArenaSpawn>,
}

impl Arena {
    /// Time between launches.
    pub fn rate(&self) -> Duration {
        Duration::from_secs(self.rate_secs)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArenasFile {
    #[serde(default)]
    arena: Vec<Arena>,
}

/// The world's arenas, by map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arenas {
    by_map: HashMap<u16, Arena>,
}

/// The most seconds between launches (a day): more is certainly a typo.
const MAX_RATE_SECS: u64 = 24 * 60 * 60;

impl Arenas {
    /// Reads `arenas.toml` in `dir` (no file: no arenas), checking it against the maps.
    pub fn load(dir: &Path, maps: &super::Maps) -> Result<Arenas, DataError> {
        let path = dir.join(ARENAS_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Arenas::from_text(&text, &path, maps),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Arenas::default()),
            Err(e) => Err(DataError {
                path,
                problem: e.to_string(),
            }),
        }
    }

    /// Parses and checks the arenas; errors name `path` and the arena.
    pub fn from_text(text: &str, path: &Path, maps: &super::Maps) -> Result<Arenas, DataError> {
        let fail = |problem: String| DataError {
            path: PathBuf::from(path),
            problem,
        };
        let file: ArenasFile =
            toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_owned()))?;
        let mut by_map = HashMap::new();
        for (n, arena) in file.arena.into_iter().enumerate() {
            let at = format!("[[arena]] number {} (map {})", n + 1, arena.map);
            let Some(map) = maps.get(&arena.map) else {
                return Err(fail(format!("{at}: no such map")));
            };
            if arena.rate_secs == 0 || arena.rate_secs > MAX_RATE_SECS {
                return Err(fail(format!(
                    "{at}: rate_secs {} is not 1 to {MAX_RATE_SECS}",
                    arena.rate_secs
                )));
            }
            if arena.block == 0 {
                return Err(fail(format!("{at}: block must be at least 1")));
            }
            if arena.spawns.is_empty() {
                return Err(fail(format!("{at}: no spawns")));
            }
            check_tiles(&arena, map).map_err(|problem| fail(format!("{at}, {problem}")))?;
            if by_map.insert(arena.map, arena).is_some() {
                return Err(fail(format!("{at}: the map has two arenas")));
            }
        }
        Ok(Arenas { by_map })
    }

    /// The arena on `map`, if it has one.
    pub fn on(&self, map: u16) -> Option<&Arena> {
        self.by_map.get(&map)
    }

    /// Checks the arena on `map` (if any) against that map as it is now (`remap`).
    pub fn check_map(&self, map: &super::MapData) -> Result<(), String> {
        match self.by_map.get(&map.id) {
            Some(arena) => check_tiles(arena, map).map_err(|problem| {
                format!("{ARENAS_FILE}: the arena of map {}, {problem}", map.id)
            }),
            None => Ok(()),
        }
    }
}

/// Every launch and landing tile of `arena` is a walkable tile of `map` without a warp, and no
/// launch tile is listed twice.
fn check_tiles(arena: &Arena, map: &super::MapData) -> Result<(), String> {
    let mut launch_tiles = HashSet::new();
    for (s, spawn) in arena.spawns.iter().enumerate() {
        for (which, tile) in [("from", spawn.from), ("to", spawn.to)] {
            if !map.is_walkable(tile.x, tile.y) || map.warp(tile.x, tile.y).is_some() {
                return Err(format!(
                    "spawn {}: {which} ({}, {}) is not a walkable tile of the map",
                    s + 1,
                    tile.x,
                    tile.y
                ));
            }
        }
        if !launch_tiles.insert(spawn.from) {
            return Err(format!(
                "spawn {}: the launch tile ({}, {}) is listed twice",
                s + 1,
                spawn.from.x,
                spawn.from.y
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps() -> super::super::Maps {
        let world = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
        super::super::GameData::load(&world).unwrap().maps
    }

    fn problem(text: &str) -> String {
        Arenas::from_text(text, Path::new("arenas.toml"), &maps())
            .unwrap_err()
            .problem
    }

    const GOOD: &str = "[[arena]]\nmap = 1\nrate_secs = 5\nblock = 2\nspawns = [\n  { from = { x = 16, y = 9 }, to = { x = 17, y = 9 } },\n]\n";

    #[test]
    fn an_arena_is_found_by_its_map() {
        let arenas = Arenas::from_text(GOOD, Path::new("arenas.toml"), &maps()).unwrap();
        let arena = arenas.on(1).unwrap();
        assert_eq!((arena.rate(), arena.block), (Duration::from_secs(5), 2));
        assert_eq!(arena.spawns[0].to, Tile { x: 17, y: 9 });
        assert!(arenas.on(2).is_none());
    }

    #[test]
    fn bad_arenas_are_named() {
        assert!(problem(&GOOD.replace("map = 1", "map = 999")).contains("no such map"));
        assert!(problem(&GOOD.replace("rate_secs = 5", "rate_secs = 0")).contains("rate_secs"));
        assert!(problem(&GOOD.replace("block = 2", "block = 0")).contains("block"));
        // (0, 0) is the town's wall.
        assert!(problem(&GOOD.replace("x = 17", "x = 0")).contains("to (0, 9)"));
        assert!(problem(&GOOD.replace("spawns", "spawn")).contains("unknown field"));
        let twice = GOOD.replace(
            "},\n]",
            "},\n  { from = { x = 16, y = 9 }, to = { x = 18, y = 9 } },\n]",
        );
        assert!(problem(&twice).contains("listed twice"));
        assert!(problem(&format!("{GOOD}{GOOD}")).contains("two arenas"));
    }
}
