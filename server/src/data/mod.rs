//! The read-only game data, loaded at start-up and shared by every actor as an `Arc`: the
//! maps' static layers and the pub files, with the raw bytes clients download. An operator's
//! `remap` or `repub` builds a new `GameData` beside the old one and swaps it in whole
//! ([`live::LiveData`], and each map actor's copy): nobody sees half of each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use eo_protocol::data_file::{DataFile, header_rid};
use eo_protocol::map::{Emf, MapTileSpec, MapWarp};
use eo_protocol::pubs::{Ecf, Eif, Enf, Esf};

pub mod arenas;
pub mod bundled;
pub mod drop_file;
pub mod inn_file;
pub mod live;
mod record_file;
mod server_pub;
mod shops;
mod skill_masters;
mod spawn;
pub mod talk_file;
pub use arenas::{Arena, Arenas};
pub use inn_file::{Inn, Inns, Place};
pub use live::LiveData;
pub use shops::{EPF_SHOP_FILE, SHOP_FILE, Shops, serves as shop_serves};
pub use skill_masters::{
    EPF_SKILL_MASTER_FILE, SKILL_MASTER_FILE, SkillMasters, serves_level as skill_master_serves,
};
pub use spawn::{SpawnError, SpawnPoints, check_spawn_point};
pub use talk_file::Speech;

/// Gold is item 1: clients treat it as the currency.
pub const GOLD: u16 = 1;

/// The client pub files, in the world's `pub/` folder.
pub const EIF_FILE: &str = "dat001.eif";
pub const ENF_FILE: &str = "dtn001.enf";
pub const ESF_FILE: &str = "dsl001.esf";
pub const ECF_FILE: &str = "dat001.ecf";

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

/// The maps by id; each map is shared between the `GameData`s a `repub` or another map's
/// `remap` builds, as it did not change.
pub type Maps = HashMap<u16, Arc<MapData>>;

/// A pub file as served: its bytes, the rid and record count announced in Welcome_Reply.
#[derive(Debug, Clone)]
pub struct PubData<T> {
    pub file: Bytes,
    pub rid: [u16; 2],
    pub count: u16,
    pub data: T,
}

/// Everything loaded from the world's data directory.
#[derive(Debug)]
pub struct GameData {
    pub maps: Maps,
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
    /// `quests/NNNNN.eqf`: the EO+ quests (reloadable while the server runs; one book shared
    /// by every `GameData` a `remap` or `repub` builds).
    pub quests: Arc<crate::quest::QuestBook>,
}

/// What `repub` rereads: the four client pub files and the server's files that go with them
/// (`pub/`'s drop, inn, speech, shop and skill master files, and `drops.toml`, which the drop
/// file is merged with), checked against each other and the maps.
#[derive(Debug)]
pub struct Pubs {
    pub items: PubData<Eif>,
    pub npcs: PubData<Enf>,
    pub spells: PubData<Esf>,
    pub classes: PubData<Ecf>,
    pub drops: crate::rules::loot::Drops,
    pub inns: Inns,
    pub speech: Speech,
    pub shops: Shops,
    pub skill_masters: SkillMasters,
}

/// The files of the maps in `dir/maps`: `NNNNN.emf` (any number of digits), by map id.
fn map_files(dir: &Path) -> Result<Vec<(u16, PathBuf)>, DataError> {
    let maps_dir = dir.join("maps");
    let entries = std::fs::read_dir(&maps_dir).map_err(|e| DataError {
        path: maps_dir.clone(),
        problem: format!("{e} (world.data_dir must hold maps/ and pub/)"),
    })?;
    let mut files = Vec::new();
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
        files.push((id, path));
    }
    Ok(files)
}

/// Reads and decodes one map file.
fn load_map(id: u16, path: &Path) -> Result<MapData, DataError> {
    let file = read(path)?;
    let emf = Emf::read(&file).map_err(|e| DataError {
        path: path.to_owned(),
        problem: e.to_string(),
    })?;
    Ok(MapData::new(id, file, emf))
}

fn read(path: &Path) -> Result<Bytes, DataError> {
    std::fs::read(path).map(Bytes::from).map_err(|e| DataError {
        path: path.to_owned(),
        problem: e.to_string(),
    })
}

/// Reads a client pub file; `whole`: a file that is not all of what it holds is refused
/// ([`check_whole`]).
fn load_pub<T: DataFile>(
    path: &Path,
    count: impl Fn(&T) -> u16,
    whole: bool,
) -> Result<PubData<T>, DataError> {
    let file = read(path)?;
    let data = T::read(&file).map_err(|e| DataError {
        path: path.to_owned(),
        problem: e.to_string(),
    })?;
    if whole {
        check_whole(&data, &file, path)?;
    }
    Ok(PubData {
        rid: header_rid(&file).unwrap_or([0, 0]),
        count: count(&data),
        file,
        data,
    })
}

impl GameData {
    /// Map `id`, if the world has it.
    pub fn map(&self, id: u16) -> Option<&MapData> {
        self.maps.get(&id).map(Arc::as_ref)
    }

    /// Loads `maps/NNNNN.emf`, the four pub files, `formulas.toml`, and `drops.toml` and
    /// `arenas.toml` (if any) under `dir`, and the server pub files in `pub/` (drops, inns,
    /// NPC speech, shops, skill masters) if there are any. What the first three had to leave
    /// out is logged as warnings.
    pub fn load(dir: &Path) -> Result<GameData, DataError> {
        let mut maps = Maps::new();
        for (id, path) in map_files(dir)? {
            maps.insert(id, Arc::new(load_map(id, &path)?));
        }
        if maps.is_empty() {
            return Err(DataError {
                path: dir.join("maps"),
                problem: "no maps (NNNNN.emf files)".into(),
            });
        }
        let Pubs {
            items,
            npcs,
            spells,
            classes,
            drops,
            inns,
            speech,
            shops,
            skill_masters,
        } = Pubs::load(dir, &maps)?;
        Ok(GameData {
            arenas: Arenas::load(dir, &maps)?,
            shops,
            skill_masters,
            maps,
            drops,
            inns,
            speech,
            items,
            npcs,
            spells,
            classes,
            formulas: crate::rules::Formulas::load(dir)?,
            quests: Arc::new(crate::quest::QuestBook::new(
                crate::quest::Quests::load(dir).0,
            )),
        })
    }

    /// Rereads map `id`'s file under `dir` (`remap`): the map as it is on disk now, or why it
    /// cannot be used. Only maps the server started with can be reread (each has its actor).
    pub fn reread_map(&self, dir: &Path, id: u16) -> Result<MapData, DataError> {
        if !self.maps.contains_key(&id) {
            return Err(DataError {
                path: dir.join("maps"),
                problem: format!("map {id} was not loaded at start-up; a new map needs a restart"),
            });
        }
        let Some((_, path)) = map_files(dir)?.into_iter().find(|(found, _)| *found == id) else {
            return Err(DataError {
                path: dir.join("maps").join(format!("{id:05}.emf")),
                problem: "no such file".into(),
            });
        };
        let map = load_map(id, &path)?;
        check_whole(&map.emf, &map.file, &path)?;
        Ok(map)
    }

    /// This data with map `map` in place of its namesake (`remap`): everything else is the
    /// same, the other maps shared.
    pub fn with_map(&self, map: MapData) -> GameData {
        let mut data = self.copy();
        data.maps.insert(map.id, Arc::new(map));
        data
    }

    /// This data with the pub files `pubs` (`repub`): the maps, formulas, arenas and quests
    /// are the same.
    pub fn with_pubs(&self, pubs: Pubs) -> GameData {
        let Pubs {
            items,
            npcs,
            spells,
            classes,
            drops,
            inns,
            speech,
            shops,
            skill_masters,
        } = pubs;
        GameData {
            maps: self.maps.clone(),
            items,
            npcs,
            spells,
            classes,
            drops,
            inns,
            speech,
            shops,
            skill_masters,
            formulas: self.formulas.clone(),
            arenas: self.arenas.clone(),
            quests: Arc::clone(&self.quests),
        }
    }

    /// A copy of this data (the maps shared, the rest cloned): what `with_map` starts from.
    fn copy(&self) -> GameData {
        GameData {
            maps: self.maps.clone(),
            items: self.items.clone(),
            npcs: self.npcs.clone(),
            spells: self.spells.clone(),
            classes: self.classes.clone(),
            drops: self.drops.clone(),
            inns: self.inns.clone(),
            speech: self.speech.clone(),
            shops: self.shops.clone(),
            skill_masters: self.skill_masters.clone(),
            formulas: self.formulas.clone(),
            arenas: self.arenas.clone(),
            quests: Arc::clone(&self.quests),
        }
    }
}

impl Pubs {
    /// Reads the pub files under `dir` and the server's files that go with them, checking them
    /// against each other and `maps`. What had to be left out is logged as warnings.
    pub fn load(dir: &Path, maps: &Maps) -> Result<Pubs, DataError> {
        Pubs::load_checked(dir, maps, false)
    }

    /// [`Pubs::load`] for `repub`, which reads files an operator has just put in place: a
    /// client pub file that is not whole ([`check_whole`]) is refused too.
    pub fn reread(dir: &Path, maps: &Maps) -> Result<Pubs, DataError> {
        Pubs::load_checked(dir, maps, true)
    }

    fn load_checked(dir: &Path, maps: &Maps, whole: bool) -> Result<Pubs, DataError> {
        let pub_dir = dir.join("pub");
        let items = load_pub(
            &pub_dir.join(EIF_FILE),
            |f: &Eif| f.total_items_count,
            whole,
        )?;
        let npcs = load_pub(&pub_dir.join(ENF_FILE), |f: &Enf| f.total_npcs_count, whole)?;
        let mut warnings = Vec::new();
        let drop_file = drop_file::load(&pub_dir, &npcs.data, &items.data, &mut warnings)?;
        let drops = drop_file::merge(
            crate::rules::loot::Drops::load(dir, &npcs.data, &items.data)?,
            &dir.join(crate::rules::loot::DROPS_FILE),
            drop_file,
            &npcs.data,
        )?;
        let inns = Inns::load(&pub_dir, maps, &mut warnings)?;
        let speech = Speech::load(&pub_dir, &npcs.data, &mut warnings)?;
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        let spells = load_pub(
            &pub_dir.join(ESF_FILE),
            |f: &Esf| f.total_skills_count,
            whole,
        )?;
        let classes = load_pub(
            &pub_dir.join(ECF_FILE),
            |f: &Ecf| f.total_classes_count,
            whole,
        )?;
        Ok(Pubs {
            shops: Shops::load(&pub_dir, &items.data, &classes.data)?,
            skill_masters: SkillMasters::load(&pub_dir, &spells.data, &classes.data)?,
            items,
            npcs,
            spells,
            classes,
            drops,
            inns,
            speech,
        })
    }
}

/// Whether `file` is all of what `data` was decoded from it, no more and no less: written again,
/// the data takes as many bytes. The EO readers are lenient (a byte past the end reads as 0), so
/// a file cut short, as one still being copied when it is read, decodes all the same; `remap`
/// and `repub` read files an operator has just put in place, and refuse such a file.
fn check_whole<T: DataFile>(data: &T, file: &[u8], path: &Path) -> Result<(), DataError> {
    let written = data.write().map_err(|e| DataError {
        path: path.to_owned(),
        problem: e.to_string(),
    })?;
    if written.len() == file.len() {
        return Ok(());
    }
    Err(DataError {
        path: path.to_owned(),
        problem: format!(
            "the file is {} bytes, but what it holds takes {}: it is cut short or has bytes \
             past its end (was it still being copied?)",
            file.len(),
            written.len()
        ),
    })
}

/// The bundled world of `fixtures/world`, which the unit tests play on.
#[cfg(test)]
pub(crate) fn bundled_for_tests() -> GameData {
    GameData::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world"))
        .expect("the bundled world loads")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::bundled_for_tests as bundled;

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
        assert_eq!(data.items.count, 25);
        assert_eq!(data.items.rid, header_rid(&data.items.file).unwrap());
        // drops.toml: the boss always drops gold.
        let boss = data.drops.of(6);
        assert_eq!((boss[0].item, boss[0].chance), (1, 100.0));
    }

    fn world_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world")
    }

    #[test]
    fn the_bundled_files_are_whole_and_a_cut_file_is_not() {
        let data = bundled();
        let dir = world_dir();
        for id in data.maps.keys() {
            let map = data.reread_map(&dir, *id).unwrap();
            assert_eq!(map.file, data.maps[id].file);
        }
        Pubs::reread(&dir, &data.maps).unwrap();
        let town = &data.maps[&1];
        let cut = &town.file[..town.file.len() - 3];
        let emf = Emf::read(cut).expect("EO readers are lenient: a cut map still decodes");
        let error = check_whole(&emf, cut, Path::new("maps/00001.emf")).unwrap_err();
        assert!(error.to_string().contains("cut short"), "{error}");
    }

    #[test]
    fn a_new_map_or_new_pubs_leave_the_rest_shared() {
        let data = bundled();
        let town = data.reread_map(&world_dir(), 1).unwrap();
        let remapped = data.with_map(town);
        assert!(!Arc::ptr_eq(&remapped.maps[&1], &data.maps[&1]));
        assert!(Arc::ptr_eq(&remapped.maps[&2], &data.maps[&2]));
        assert!(Arc::ptr_eq(&remapped.quests, &data.quests));
        assert_eq!(remapped.items.file, data.items.file);
        let repubbed = data.with_pubs(Pubs::reread(&world_dir(), &data.maps).unwrap());
        assert!(Arc::ptr_eq(&repubbed.maps[&1], &data.maps[&1]));
        assert_eq!(repubbed.npcs.count, data.npcs.count);
        // Only the maps of the start-up can be reread (each has its actor).
        let error = data.reread_map(&world_dir(), 999).unwrap_err();
        assert!(error.problem.contains("restart"), "{error}");
    }

    #[test]
    fn a_missing_directory_names_itself() {
        let error = GameData::load(Path::new("/nonexistent/world")).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/world/maps"));
    }
}
