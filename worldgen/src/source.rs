//! The TOML layouts of the source files (see `fixtures/world-src/README.md`).
//!
//! Every table denies unknown keys, so a misspelt field is an error at its line rather than
//! a silently ignored value.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `items.toml`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemsFile {
    #[serde(default)]
    pub item: Vec<Spanned<ItemSrc>>,
}

/// A teleport scroll's destination.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScrollSrc {
    pub map: u16,
    pub x: u8,
    pub y: u8,
}

/// One `[[item]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemSrc {
    pub id: u16,
    pub name: String,
    #[serde(default)]
    pub graphic: u16,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub subtype: Option<Spanned<String>>,
    pub special: Option<Spanned<String>>,
    #[serde(default)]
    pub hp: u16,
    #[serde(default)]
    pub tp: u16,
    #[serde(default)]
    pub min_damage: u16,
    #[serde(default)]
    pub max_damage: u16,
    #[serde(default)]
    pub accuracy: u16,
    #[serde(default)]
    pub evade: u16,
    #[serde(default)]
    pub armor: u16,
    #[serde(default)]
    pub return_damage: u8,
    #[serde(default)]
    pub str: u8,
    #[serde(default, rename = "int")]
    pub intl: u8,
    #[serde(default)]
    pub wis: u8,
    #[serde(default)]
    pub agi: u8,
    #[serde(default)]
    pub con: u8,
    #[serde(default)]
    pub cha: u8,
    #[serde(default)]
    pub light_resistance: u8,
    #[serde(default)]
    pub dark_resistance: u8,
    #[serde(default)]
    pub earth_resistance: u8,
    #[serde(default)]
    pub air_resistance: u8,
    #[serde(default)]
    pub water_resistance: u8,
    #[serde(default)]
    pub fire_resistance: u8,
    // The type-dependent fields that share spec1..spec3 in the file.
    pub doll_graphic: Option<u32>,
    pub gender: Option<u8>,
    pub scroll: Option<Spanned<ScrollSrc>>,
    pub exp_reward: Option<u32>,
    pub hair_color: Option<u32>,
    pub effect: Option<u32>,
    pub key: Option<u32>,
    pub alcohol_potency: Option<u32>,
    #[serde(default)]
    pub level_req: u16,
    #[serde(default)]
    pub class_req: u16,
    #[serde(default)]
    pub str_req: u16,
    #[serde(default)]
    pub int_req: u16,
    #[serde(default)]
    pub wis_req: u16,
    #[serde(default)]
    pub agi_req: u16,
    #[serde(default)]
    pub con_req: u16,
    #[serde(default)]
    pub cha_req: u16,
    pub element: Option<Spanned<String>>,
    #[serde(default)]
    pub element_damage: u8,
    #[serde(default)]
    pub weight: u8,
    pub size: Option<Spanned<String>>,
}

/// `npcs.toml`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NpcsFile {
    #[serde(default)]
    pub npc: Vec<Spanned<NpcSrc>>,
}

/// One `[[npc]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NpcSrc {
    pub id: u16,
    pub name: String,
    #[serde(default)]
    pub graphic: u16,
    #[serde(default)]
    pub race: u8,
    #[serde(default)]
    pub boss: bool,
    #[serde(default)]
    pub child: bool,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    #[serde(default)]
    pub behavior_id: u16,
    #[serde(default)]
    pub hp: u32,
    #[serde(default)]
    pub tp: u16,
    #[serde(default)]
    pub min_damage: u16,
    #[serde(default)]
    pub max_damage: u16,
    #[serde(default)]
    pub accuracy: u16,
    #[serde(default)]
    pub evade: u16,
    #[serde(default)]
    pub armor: u16,
    #[serde(default)]
    pub return_damage: u8,
    pub element: Option<Spanned<String>>,
    #[serde(default)]
    pub element_damage: u16,
    pub element_weakness: Option<Spanned<String>>,
    #[serde(default)]
    pub element_weakness_damage: u16,
    #[serde(default)]
    pub level: u8,
    #[serde(default)]
    pub experience: u32,
}

/// `spells.toml`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpellsFile {
    #[serde(default)]
    pub spell: Vec<Spanned<SpellSrc>>,
}

/// One `[[spell]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpellSrc {
    pub id: u16,
    pub name: String,
    #[serde(default)]
    pub chant: String,
    #[serde(default)]
    pub icon: u16,
    #[serde(default)]
    pub graphic: u16,
    #[serde(default)]
    pub tp_cost: u16,
    #[serde(default)]
    pub sp_cost: u16,
    #[serde(default)]
    pub cast_time: u8,
    pub nature: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub element: Option<Spanned<String>>,
    #[serde(default)]
    pub element_power: u16,
    pub target_restrict: Option<Spanned<String>>,
    pub target_type: Option<Spanned<String>>,
    #[serde(default)]
    pub target_time: u8,
    #[serde(default)]
    pub max_skill_level: u16,
    #[serde(default)]
    pub min_damage: u16,
    #[serde(default)]
    pub max_damage: u16,
    #[serde(default)]
    pub accuracy: u16,
    #[serde(default)]
    pub evade: u16,
    #[serde(default)]
    pub armor: u16,
    #[serde(default)]
    pub return_damage: u8,
    #[serde(default)]
    pub hp_heal: u16,
    #[serde(default)]
    pub tp_heal: u16,
    #[serde(default)]
    pub sp_heal: u8,
    #[serde(default)]
    pub str: u16,
    #[serde(default, rename = "int")]
    pub intl: u16,
    #[serde(default)]
    pub wis: u16,
    #[serde(default)]
    pub agi: u16,
    #[serde(default)]
    pub con: u16,
    #[serde(default)]
    pub cha: u16,
}

/// `classes.toml`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClassesFile {
    #[serde(default)]
    pub class: Vec<Spanned<ClassSrc>>,
}

/// One `[[class]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClassSrc {
    pub id: u16,
    pub name: String,
    pub parent: Option<u8>,
    pub stat_group: u8,
    #[serde(default)]
    pub str: u16,
    #[serde(default, rename = "int")]
    pub intl: u16,
    #[serde(default)]
    pub wis: u16,
    #[serde(default)]
    pub agi: u16,
    #[serde(default)]
    pub con: u16,
    #[serde(default)]
    pub cha: u16,
}

/// A tile position.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(crate) struct PointSrc {
    pub x: u8,
    pub y: u8,
}

/// `maps/NNNNN.toml`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MapSrc {
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
    pub width: Spanned<usize>,
    pub height: Spanned<usize>,
    pub timed_effect: Option<Spanned<String>>,
    #[serde(default)]
    pub music: u8,
    pub music_control: Option<Spanned<String>>,
    #[serde(default)]
    pub ambient_sound: u16,
    #[serde(default)]
    pub fill_tile: u16,
    #[serde(default = "yes")]
    pub map_available: bool,
    #[serde(default = "yes")]
    pub can_scroll: bool,
    pub relog: Spanned<PointSrc>,
    pub layout: Spanned<String>,
    #[serde(default)]
    pub tiles: BTreeMap<String, Spanned<TileSrc>>,
    #[serde(default)]
    pub warps: BTreeMap<String, Spanned<WarpSrc>>,
    #[serde(default)]
    pub doors: BTreeMap<String, Spanned<DoorSrc>>,
    #[serde(default)]
    pub npc: Vec<Spanned<SpawnSrc>>,
    #[serde(default)]
    pub chest: Vec<Spanned<ChestSrc>>,
    #[serde(default)]
    pub sign: Vec<Spanned<SignSrc>>,
}

fn yes() -> bool {
    true
}

/// `[tiles."c"]`: a character's tile spec (for new characters) and graphics.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct TileSrc {
    pub spec: Option<Spanned<String>>,
    pub ground: Option<u16>,
    pub object: Option<u16>,
    pub overlay: Option<u16>,
    pub down_wall: Option<u16>,
    pub right_wall: Option<u16>,
    pub roof: Option<u16>,
    pub top: Option<u16>,
    pub shadow: Option<u16>,
    pub overlay2: Option<u16>,
}

impl TileSrc {
    /// The graphics in the file's layer order.
    pub fn layers(&self) -> [Option<u16>; 9] {
        [
            self.ground,
            self.object,
            self.overlay,
            self.down_wall,
            self.right_wall,
            self.roof,
            self.top,
            self.shadow,
            self.overlay2,
        ]
    }
}

/// `[warps."c"]`: where a warp character leads.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarpSrc {
    pub map: u16,
    pub x: u8,
    pub y: u8,
    #[serde(default)]
    pub level: u8,
}

/// `[doors."c"]`: a door character, locked by a key item or not.
#[derive(Deserialize, Clone, Copy, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct DoorSrc {
    /// The id of the Key item that opens it; absent for a door without a lock.
    pub key: Option<u16>,
    #[serde(default)]
    pub level: u8,
    /// Where walking through the open door leads (map, default this one; x and y), like a
    /// warp's; absent: the door tile itself (a door within the map).
    pub map: Option<u16>,
    pub x: Option<u8>,
    pub y: Option<u8>,
}

/// One `[[npc]]` spawn of a map.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpawnSrc {
    pub x: u8,
    pub y: u8,
    pub npc: u16,
    #[serde(default)]
    pub spawn_type: u8,
    #[serde(default)]
    pub spawn_time: u16,
    #[serde(default = "one_u8")]
    pub amount: u8,
}

fn one_u8() -> u8 {
    1
}

fn one_u32() -> u32 {
    1
}

/// One `[[chest]]` item spawn of a map.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChestSrc {
    pub x: u8,
    pub y: u8,
    pub item: u16,
    #[serde(default = "one_u32")]
    pub amount: u32,
    #[serde(default)]
    pub spawn_time: u16,
    #[serde(default = "one_u8")]
    pub slot: u8,
    /// The id of the Key item that opens the chest; 0 for none.
    #[serde(default)]
    pub key: u16,
}

/// One `[[sign]]` of a map.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignSrc {
    pub x: u8,
    pub y: u8,
    pub title: String,
    pub message: String,
}
