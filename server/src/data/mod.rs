//! The read-only game data, loaded once at start-up and shared by every actor as an `Arc`:
//! the maps' static layers and the pub files, with the raw bytes clients download.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use eo_protocol::data_file::{DataFile, header_rid};
use eo_protocol::map::{Emf, MapTileSpec, MapWarp};
use eo_protocol::pubs::{Ecf, Eif, Enf, Esf};

pub mod arenas;
pub mod bundled;
pub mod drop_file;
pub mod inn_file;
mod record_file;
mod server_pub;
mod shops;
mod skill_masters;
mod spawn;
pub mod talk_file;
pub use arenas::{Arena, Arenas};
pub use inn_file::{Inn, Inns, Place};
pub use shops::{EPF_SHOP_FILE, SHOP_FILE, Shops, serves as shop_serves};
pub use skill_masters::{
    EPF_SKILL_MASTER_FILE, SKILL_MASTER_FILE, SkillMasters, serves_level as skill_master_serves,
};
pub use spawn::{SpawnError, SpawnPoints, check_spawn_point};
pub use talk_file::Speech;

/// Gold is item 1: clients treat it as the currency.
pub const GOLD: u16 = 1;

/// A data file that could not be loaded: which file and why.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct DataError {
    pub path: PathBuf,
    pub problem: String,
}

/// One map: the decoded file for the rules, and its bytes for clients that download it.
#[derive(Debug)]
pub struct MapData {
    pub id: u16,
    pub emf: Emf,
    pub file: Bytes,
    pub rid: [u16; 2],
    /// Columns and rows (the file stores the largest coordinate, one less).
    pub width: u8,
    pub height: u8,
    specs: HashMap<(u8, u8), MapTileSpec>,
    warps: HashMap<(u8, u8), MapWarp>,
}

impl MapData {
    fn new(id: u16, file: Bytes, emf: Emf) -> Self {
        let mut specs = HashMap::new();
        for row in &emf.tile_spec_rows {
            for tile in &row.tiles {
                specs.insert((tile.x, row.y), tile.tile_spec);
            }
        }
        let mut warps = HashMap::new();
        for row in &emf.warp_rows {
            for tile in &row.tiles {
                warps.insert((tile.x, row.y), tile.warp.clone());
            }
        }
        let rid = header_rid(&file).unwrap_or([0, 0]);
        Self {
            id,
            width: emf.width.saturating_add(1),
            height: emf.height.saturating_add(1),
            emf,
            file,
            rid,
            specs,
            warps,
        }
    }

    /// Whether a character may stand on (x, y): inside the map, not a wall or other blocking
    /// tile spec. A door's tile is walkable here; whether the door is open now is the map's
    /// to say (`map/doors.rs`).
    pub fn is_walkable(&self, x: u8, y: u8) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        self.specs
            .get(&(x, y))
            .is_none_or(|spec| !spec.blocks_characters())
    }

    /// Whether an NPC may stand on (x, y): walkable for a character, not an NPC boundary, and
    /// not a warp or door (so NPCs never block one).
    pub fn is_npc_walkable(&self, x: u8, y: u8) -> bool {
        self.is_walkable(x, y)
            && self.specs.get(&(x, y)) != Some(&MapTileSpec::NpcBoundary)
            && !self.warps.contains_key(&(x, y))
    }

    /// The tile spec of (x, y), if it has one.
    pub fn spec(&self, x: u8, y: u8) -> Option<MapTileSpec> {
        self.specs.get(&(x, y)).copied()
    }

    /// The tiles with the spec `spec`.
    pub fn tiles_of(&self, spec: MapTileSpec) -> impl Iterator<Item = (u8, u8)> + '_ {
        self.specs
            .iter()
            .filter(move |(_, s)| **s == spec)
            .map(|(at, _)| *at)
    }

    /// The warp on (x, y), if any.
    pub fn warp(&self, x: u8, y: u8) -> Option<&MapWarp> {
        self.warps.get(&(x, y))
    }
}

/// A pub file as served: its bytes, the rid and record count announced in Welcome_Reply.
#[derive(Debug)]
pub struct PubData<T> {
    pub file: Bytes,
    pub rid: [u16; 2],
    pub count: u16,
    pub data: T,
}

/// Everything loaded from the world's data directory.
#[derive(Debug)]
pub struct GameData {
    pub maps: HashMap<u16, MapData>,
    pub items: PubData<Eif>,
    pub npcs: PubData<Enf>,
    pub spells: PubData<Esf>,
    pub classes: PubData<Ecf>,
    /// `formulas.toml` over the built-in defaults.
    pub formulas: crate::rules::Formulas,
    /// What NPCs drop: `drops.toml` and the drop file `pub/dtd001.edf` (either may be absent).
    pub drops: crate::rules::loot::Drops,
    /// The inns (`pub/din001.eid`; none without it).
    pub inns: Inns,
    /// What NPCs say now and then (`pub/ttd001.etf`; nothing without it).
    pub speech: Speech,
    /// `pub/dts001.esf` and `pub/serv_shops.epf`: the shops (none without the files).
    pub shops: Shops,
    /// `pub/dsm001.emf` and `pub/serv_trainers.epf`: the skill masters (none without them).
    pub skill_masters: SkillMasters,
    /// The world's arenas (`arenas.toml`).
    pub arenas: Arenas,
}

fn read(path: &Path) -> Result<Bytes, DataError> {
    std::fs::read(path).map(Bytes::from).map_err(|e| DataError {
        path: path.to_owned(),
        problem: e.to_string(),
    })
}

fn load_pub<T: DataFile>(path: &Path, count: impl Fn(&T) -> u16) -> Result<PubData<T>, DataError> {
    let file = read(path)?;
    let data = T::read(&file).map_err(|e| DataError {
        path: path.to_owned(),
        problem: e.to_string(),
    })?;
    Ok(PubData {
        rid: header_rid(&file).unwrap_or([0, 0]),
        count: count(&data),
        file,
        data,
    })
}

impl GameData {
    /// Loads `maps/NNNNN.emf`, the four pub files, `formulas.toml`, and `drops.toml` and
    /// `arenas.toml` (if any) under `dir`, and the server pub files in `pub/` (drops, inns, NPC speech, shops, skill
    /// masters) if there are any. What the first three had to leave out is logged as warnings.
    pub fn load(dir: &Path) -> Result<GameData, DataError> {
        let maps_dir = dir.join("maps");
        let entries = std::fs::read_dir(&maps_dir).map_err(|e| DataError {
            path: maps_dir.clone(),
            problem: format!("{e} (world.data_dir must hold maps/ and pub/)"),
        })?;
        let mut maps = HashMap::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".emf"))
                .and_then(|n| n.parse::<u16>().ok())
            else {
                continue;
            };
            let file = read(&path)?;
            let emf = Emf::read(&file).map_err(|e| DataError {
                path: path.clone(),
                problem: e.to_string(),
            })?;
            maps.insert(id, MapData::new(id, file, emf));
        }
        if maps.is_empty() {
            return Err(DataError {
                path: maps_dir,
                problem: "no maps (NNNNN.emf files)".into(),
            });
        }
        let pub_dir = dir.join("pub");
        let items = load_pub(&pub_dir.join("dat001.eif"), |f: &Eif| f.total_items_count)?;
        let npcs = load_pub(&pub_dir.join("dtn001.enf"), |f: &Enf| f.total_npcs_count)?;
        let mut warnings = Vec::new();
        let drop_file = drop_file::load(&pub_dir, &npcs.data, &items.data, &mut warnings)?;
        let drops = drop_file::merge(
            crate::rules::loot::Drops::load(dir, &npcs.data, &items.data)?,
            &dir.join(crate::rules::loot::DROPS_FILE),
            drop_file,
            &npcs.data,
        )?;
        let inns = Inns::load(&pub_dir, &maps, &mut warnings)?;
        let speech = Speech::load(&pub_dir, &npcs.data, &mut warnings)?;
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        let spells = load_pub(&pub_dir.join("dsl001.esf"), |f: &Esf| f.total_skills_count)?;
        let classes = load_pub(&pub_dir.join("dat001.ecf"), |f: &Ecf| f.total_classes_count)?;
        Ok(GameData {
            arenas: Arenas::load(dir, &maps)?,
            shops: Shops::load(&pub_dir, &items.data, &classes.data)?,
            skill_masters: SkillMasters::load(&pub_dir, &spells.data, &classes.data)?,
            maps,
            drops,
            inns,
            speech,
            items,
            npcs,
            spells,
            classes,
            formulas: crate::rules::Formulas::load(dir)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> GameData {
        GameData::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world")).unwrap()
    }

    #[test]
    fn the_bundled_world_loads_with_walls_and_warps() {
        let data = bundled();
        let town = &data.maps[&1];
        assert_eq!((town.width, town.height), (26, 20));
        // The warp to map 2 from the town's east edge.
        let warp = town.warp(25, 11).unwrap();
        assert_eq!(
            (
                warp.destination_map,
                warp.destination_coords.x,
                warp.destination_coords.y
            ),
            (2, 1, 15)
        );
        assert!(town.is_walkable(16, 9), "the relog point");
        assert!(!town.is_walkable(3, 2), "a chair");
        assert!(!town.is_walkable(26, 0), "off the map");
        assert!(
            town.is_walkable(5, 13) && !town.is_npc_walkable(5, 13),
            "the pen's fence"
        );
        assert!(!town.is_npc_walkable(25, 11), "NPCs keep off warps");
        assert!(town.is_npc_walkable(4, 16), "inside the pen");
        assert_eq!(data.items.count, 24);
        assert_eq!(data.items.rid, header_rid(&data.items.file).unwrap());
        // drops.toml: the boss always drops gold.
        let boss = data.drops.of(6);
        assert_eq!((boss[0].item, boss[0].chance), (1, 100.0));
    }

    #[test]
    fn a_missing_directory_names_itself() {
        let error = GameData::load(Path::new("/nonexistent/world")).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/world/maps"));
    }
}
