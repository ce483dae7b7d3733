//! What a bot knows of a map: which tiles it may step on. Read from the EMF file the server
//! sends, with the rule the server and the official client share (walls, chairs, chests,
//! boards, the bank vault, the jukebox and the map's edge block). Bots also keep off warp
//! and door tiles, so the crowd stays on the map it was put on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use eo_protocol::Direction;
use eo_protocol::data_file::DataFile;
use eo_protocol::map::Emf;

/// The walkable tiles of one map.
#[derive(Debug)]
pub struct Grid {
    width: u8,
    height: u8,
    /// Row-major: `open[y * width + x]`.
    open: Vec<bool>,
}

impl Grid {
    /// Reads an EMF file; `None` if it does not decode.
    pub fn from_emf(bytes: &[u8]) -> Option<Grid> {
        let emf = Emf::read(bytes).ok()?;
        let width = emf.width.checked_add(1)?;
        let height = emf.height.checked_add(1)?;
        let mut open = vec![true; usize::from(width) * usize::from(height)];
        let index = |x: u8, y: u8| {
            (x < width && y < height).then(|| usize::from(y) * usize::from(width) + usize::from(x))
        };
        for row in &emf.tile_spec_rows {
            for tile in &row.tiles {
                if tile.tile_spec.blocks_characters()
                    && let Some(i) = index(tile.x, row.y)
                {
                    open[i] = false;
                }
            }
        }
        for row in &emf.warp_rows {
            for tile in &row.tiles {
                if let Some(i) = index(tile.x, row.y) {
                    open[i] = false;
                }
            }
        }
        Some(Grid {
            width,
            height,
            open,
        })
    }

    /// Whether a bot may step onto (x, y).
    pub fn open(&self, x: u8, y: u8) -> bool {
        x < self.width
            && y < self.height
            && self
                .open
                .get(usize::from(y) * usize::from(self.width) + usize::from(x))
                .copied()
                .unwrap_or(false)
    }

    /// The tile one step from (x, y) in `direction`, if a bot may step there.
    pub fn step(&self, x: u8, y: u8, direction: Direction) -> Option<(u8, u8)> {
        let to = match direction {
            Direction::Down => (x, y.checked_add(1)?),
            Direction::Left => (x.checked_sub(1)?, y),
            Direction::Up => (x, y.checked_sub(1)?),
            Direction::Right => (x.checked_add(1)?, y),
            Direction::Unrecognized(_) => return None,
        };
        self.open(to.0, to.1).then_some(to)
    }
}

/// A map's id and rid: which file it is.
type MapKey = (u16, Vec<u16>);

/// Maps already downloaded by some bot, so each is fetched once per run.
#[derive(Debug, Default)]
pub struct MapCache {
    maps: Mutex<HashMap<MapKey, Arc<Grid>>>,
}

impl MapCache {
    pub fn get(&self, id: u16, rid: &[u16]) -> Option<Arc<Grid>> {
        let maps = self.maps.lock().ok()?;
        maps.get(&(id, rid.to_vec())).cloned()
    }

    pub fn insert(&self, id: u16, rid: &[u16], grid: Arc<Grid>) {
        if let Ok(mut maps) = self.maps.lock() {
            maps.insert((id, rid.to_vec()), grid);
        }
    }
}
