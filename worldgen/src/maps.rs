//! Maps: `maps/NNNNN.toml` sources with an ASCII layout, built into EMF files.
//!
//! A map is built in two steps. [`load_all`] reads every source and resolves its layout
//! characters; [`build_all`] then checks what refers to other files (warp destinations,
//! NPC and item ids) and writes the EMF structures.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use eo_protocol::map::{
    Emf, MapGraphicLayer, MapGraphicRow, MapGraphicRowTile, MapItem, MapMusicControl, MapNpc,
    MapSign, MapTileSpec, MapTileSpecRow, MapTileSpecRowTile, MapTimedEffect, MapType, MapWarp,
    MapWarpRow, MapWarpRowTile,
};
use eo_protocol::pubs::ItemType;
use eo_protocol::{Coords, EoSerialize};

use crate::error::{Error, SourceFile};
use crate::names;
use crate::pubs::{Pubs, check_text};
use crate::source::{DoorSrc, MapSrc, TileSrc, WarpSrc};

/// The largest size of a map side: the header stores the largest coordinate in a char.
const MAX_SIDE: usize = 253;
/// The largest NPC spawn type: 0 to 6 are movement speeds, 7 is standing still.
const MAX_SPAWN_TYPE: u8 = 7;

/// What a layout character does besides its tile spec.
#[derive(Clone)]
pub(crate) enum Role {
    /// Nothing more.
    Plain,
    /// A sign post: needs exactly one `[[sign]]` at its position.
    Sign,
    /// A warp to another place.
    Warp(WarpSrc, Range<usize>),
    /// A door: a warp tile leading to itself, with `door` = 1 or its key's number (spec1).
    Door(DoorSrc, Range<usize>),
}

/// What a layout character means.
#[derive(Clone)]
pub(crate) struct TileDef {
    pub spec: Option<MapTileSpec>,
    pub role: Role,
    pub graphics: [Option<u16>; 9],
}

/// The built-in layout characters: (character, spec, is a sign post, is a keyless door).
const BUILTIN: &[(char, Option<MapTileSpec>, bool, bool)] = &[
    ('.', None, false, false),
    ('#', Some(MapTileSpec::Wall), false, false),
    ('~', Some(MapTileSpec::Water), false, false),
    ('v', Some(MapTileSpec::ChairDown), false, false),
    ('<', Some(MapTileSpec::ChairLeft), false, false),
    ('>', Some(MapTileSpec::ChairRight), false, false),
    ('^', Some(MapTileSpec::ChairUp), false, false),
    ('h', Some(MapTileSpec::ChairAll), false, false),
    ('C', Some(MapTileSpec::Chest), false, false),
    ('B', Some(MapTileSpec::Board1), false, false),
    ('J', Some(MapTileSpec::Jukebox), false, false),
    ('V', Some(MapTileSpec::BankVault), false, false),
    ('n', Some(MapTileSpec::NpcBoundary), false, false),
    ('s', Some(MapTileSpec::Spikes), false, false),
    ('j', Some(MapTileSpec::Jump), false, false),
    ('A', Some(MapTileSpec::Arena), false, false),
    ('S', Some(MapTileSpec::Wall), true, false),
    ('D', None, false, true),
];

fn builtin(c: char) -> Option<TileDef> {
    BUILTIN
        .iter()
        .find(|b| b.0 == c)
        .map(|&(_, spec, sign, door)| TileDef {
            spec,
            role: if sign {
                Role::Sign
            } else if door {
                Role::Door(DoorSrc::default(), 0..0)
            } else {
                Role::Plain
            },
            graphics: [None; 9],
        })
}

/// A map source read and its layout resolved, before cross-file checks.
pub(crate) struct MapDraft {
    pub id: u16,
    pub file: SourceFile,
    pub src: MapSrc,
    pub width: usize,
    pub height: usize,
    pub grid: Vec<Vec<char>>,
    /// The source line of each layout row.
    pub row_lines: Vec<usize>,
    pub legend: BTreeMap<char, TileDef>,
}

impl MapDraft {
    fn def(&self, x: usize, y: usize) -> &TileDef {
        &self.legend[&self.grid[y][x]]
    }

    fn in_bounds(&self, x: u8, y: u8) -> bool {
        usize::from(x) < self.width && usize::from(y) < self.height
    }

    /// Why a player could not be put on (x, y), or `None` if they can.
    fn landing_problem(&self, x: u8, y: u8) -> Option<String> {
        if !self.in_bounds(x, y) {
            return Some(format!(
                "({x}, {y}) is outside map {} (x 0 to {}, y 0 to {})",
                self.id,
                self.width - 1,
                self.height - 1
            ));
        }
        let (ux, uy) = (usize::from(x), usize::from(y));
        let c = self.grid[uy][ux];
        let def = self.def(ux, uy);
        match (&def.role, def.spec) {
            (Role::Plain, None | Some(MapTileSpec::NpcBoundary)) => None,
            (Role::Plain, Some(spec)) => Some(format!(
                "({x}, {y}) on map {} is {c:?}, a {spec:?} tile",
                self.id
            )),
            _ => Some(format!(
                "({x}, {y}) on map {} is {c:?}, a warp, door or sign tile",
                self.id
            )),
        }
    }

    /// Whether an NPC may stand on (x, y).
    fn npc_walkable(&self, x: usize, y: usize) -> bool {
        let def = self.def(x, y);
        matches!(def.role, Role::Plain) && def.spec.is_none()
    }
}

/// Reads every `maps/NNNNN.toml` of `dir`; their numbers must run 1, 2, 3, ...
pub(crate) fn load_all(dir: &Path) -> Result<BTreeMap<u16, MapDraft>, Error> {
    let listing = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut found = BTreeMap::new();
    for entry in listing {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let id = (stem.len() == 5 && stem.bytes().all(|b| b.is_ascii_digit()))
            .then(|| stem.parse::<u16>().ok())
            .flatten()
            .filter(|id| (1..=64_008).contains(id));
        let Some(id) = id else {
            return Err(Error::Source {
                file: path,
                line: None,
                message: "a map source must be named NNNNN.toml: its map number in 5 digits, 00001 or more".into(),
            });
        };
        found.insert(id, path);
    }
    if found.is_empty() {
        return Err(Error::Source {
            file: dir.to_path_buf(),
            line: None,
            message: "no map sources (maps/00001.toml, ...)".into(),
        });
    }
    let mut drafts = BTreeMap::new();
    for (expected, (id, path)) in (1u16..).zip(found) {
        if id != expected {
            return Err(Error::Source {
                file: path,
                line: None,
                message: format!(
                    "map numbers must run 1, 2, 3, ... without gaps: expected {expected:05}.toml"
                ),
            });
        }
        drafts.insert(id, load_one(id, SourceFile::read(path)?)?);
    }
    Ok(drafts)
}

/// A table key naming a layout character: exactly one printable, non-space ASCII character.
fn legend_char(
    file: &SourceFile,
    span: &Range<usize>,
    table: &str,
    key: &str,
) -> Result<char, Error> {
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_graphic() => Ok(c),
        _ => Err(file.error_at(
            span.clone(),
            format!("[{table}] key {key:?} must be one printable ASCII character"),
        )),
    }
}

fn load_one(id: u16, file: SourceFile) -> Result<MapDraft, Error> {
    let src: MapSrc = file.parse()?;

    // The legend: built-in characters, then the map's own.
    let mut legend: BTreeMap<char, TileDef> = BTreeMap::new();
    let mut defined: BTreeMap<char, Range<usize>> = BTreeMap::new();
    let mut tile_defs: BTreeMap<char, (&TileSrc, Range<usize>)> = BTreeMap::new();
    for (key, tile) in &src.tiles {
        let c = legend_char(&file, &tile.span(), "tiles", key)?;
        tile_defs.insert(c, (tile.get_ref(), tile.span()));
    }
    let mut roles: BTreeMap<char, Role> = BTreeMap::new();
    for (key, warp) in &src.warps {
        let c = legend_char(&file, &warp.span(), "warps", key)?;
        roles.insert(c, Role::Warp(*warp.get_ref(), warp.span()));
        defined.insert(c, warp.span());
    }
    for (key, door) in &src.doors {
        let c = legend_char(&file, &door.span(), "doors", key)?;
        if roles.contains_key(&c) {
            return Err(file.error_at(
                door.span(),
                format!("{c:?} is defined under both [warps] and [doors]"),
            ));
        }
        roles.insert(c, Role::Door(*door.get_ref(), door.span()));
        defined.insert(c, door.span());
    }
    for (&c, role) in &roles {
        let span = defined[&c].clone();
        if builtin(c).is_some() {
            return Err(file.error_at(
                span,
                format!("{c:?} is a built-in layout character; pick another for this warp or door"),
            ));
        }
        legend.insert(
            c,
            TileDef {
                spec: None,
                role: role.clone(),
                graphics: [None; 9],
            },
        );
    }
    for (&c, (tile, span)) in &tile_defs {
        let spec = tile
            .spec
            .as_ref()
            .map(|s| names::parse::<MapTileSpec>(&file, s))
            .transpose()?;
        let def = match (legend.get_mut(&c), builtin(c)) {
            (Some(def), _) => {
                if spec.is_some() {
                    return Err(file.error_at(
                        span.clone(),
                        format!("{c:?} is a warp or door: its tile cannot have a spec"),
                    ));
                }
                def
            }
            (None, Some(def)) => {
                if spec.is_some() {
                    return Err(file.error_at(
                        span.clone(),
                        format!("{c:?} is a built-in layout character: its spec is fixed, only its graphics can be set"),
                    ));
                }
                legend.entry(c).or_insert(def)
            }
            (None, None) => {
                defined.insert(c, span.clone());
                legend.entry(c).or_insert(TileDef {
                    spec,
                    role: Role::Plain,
                    graphics: [None; 9],
                })
            }
        };
        def.graphics = tile.layers();
        defined.entry(c).or_insert(span.clone());
    }

    // The layout: a ''' literal string, one character a tile.
    let layout_span = src.layout.span();
    let raw = &file.text[layout_span.clone()];
    let Some(after_quotes) = raw.strip_prefix("'''") else {
        return Err(file.error_at(
            layout_span,
            "layout must be a multi-line literal string: layout = ''' then one line a row, then '''",
        ));
    };
    let mut first_line = file.line_of(layout_span.start);
    if after_quotes.starts_with('\n') || after_quotes.starts_with("\r\n") {
        first_line += 1;
    }
    let mut rows: Vec<&str> = src
        .layout
        .get_ref()
        .split('\n')
        .map(|r| r.strip_suffix('\r').unwrap_or(r))
        .collect();
    if rows.last() == Some(&"") {
        rows.pop();
    }
    if rows.is_empty() {
        return Err(file.error_at(layout_span, "layout has no rows"));
    }
    let width = *src.width.get_ref();
    let height = *src.height.get_ref();
    for (value, span, what) in [
        (width, src.width.span(), "width"),
        (height, src.height.span(), "height"),
    ] {
        if !(1..=MAX_SIDE).contains(&value) {
            return Err(file.error_at(span, format!("{what} {value} is not 1 to {MAX_SIDE} tiles")));
        }
    }
    let mut grid = Vec::with_capacity(rows.len());
    let mut row_lines = Vec::with_capacity(rows.len());
    let mut used = BTreeSet::new();
    for (y, row) in rows.iter().enumerate() {
        let line = first_line + y;
        let mut cells = Vec::with_capacity(width);
        for (x, c) in row.chars().enumerate() {
            if let std::collections::btree_map::Entry::Vacant(slot) = legend.entry(c) {
                let Some(def) = builtin(c) else {
                    return Err(file.error_line(
                        Some(line),
                        format!(
                            "unknown tile character {c:?} at ({x}, {y}); define it under [tiles], [warps] or [doors], or use a built-in one"
                        ),
                    ));
                };
                slot.insert(def);
            }
            used.insert(c);
            cells.push(c);
        }
        if cells.len() != width {
            return Err(file.error_line(
                Some(line),
                format!(
                    "layout row {y} has {} tiles but the map is {width} wide (rows must all be as long as `width`)",
                    cells.len()
                ),
            ));
        }
        grid.push(cells);
        row_lines.push(line);
    }
    if grid.len() != height {
        return Err(file.error_at(
            src.height.span(),
            format!("height is {height} but the layout has {} rows", grid.len()),
        ));
    }
    for (c, span) in &defined {
        if !used.contains(c) {
            return Err(file.error_at(
                span.clone(),
                format!("{c:?} is defined but not used in the layout"),
            ));
        }
    }

    Ok(MapDraft {
        id,
        file,
        src,
        width,
        height,
        grid,
        row_lines,
        legend,
    })
}

fn coords(x: u8, y: u8) -> Coords {
    Coords { x, y }
}

fn to_u8(value: usize) -> u8 {
    // Map sides are at most 253 tiles, so every coordinate fits.
    u8::try_from(value).unwrap_or(u8::MAX)
}

/// Checks every map against the others and the pubs, and builds the EMF files.
pub(crate) fn build_all(
    drafts: &BTreeMap<u16, MapDraft>,
    pubs: &Pubs,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = Vec::with_capacity(drafts.len());
    for draft in drafts.values() {
        let emf = build_one(draft, drafts, pubs)?;
        let mut bytes = emf
            .to_bytes()
            .map_err(|e| draft.file.error_line(None, format!("cannot encode: {e}")))?
            .to_vec();
        eo_protocol::data_file::stamp_rid(&mut bytes);
        files.push((format!("maps/{:05}.emf", draft.id), bytes));
    }
    Ok(files)
}

fn build_one(
    draft: &MapDraft,
    drafts: &BTreeMap<u16, MapDraft>,
    pubs: &Pubs,
) -> Result<Emf, Error> {
    let file = &draft.file;
    let src = &draft.src;
    check_text(
        file,
        &src.name.span(),
        "map name",
        src.name.get_ref(),
        1,
        24,
    )?;
    let kind = names::parse_or(file, src.kind.as_ref(), MapType::Normal)?;
    let timed_effect = names::parse_or(file, src.timed_effect.as_ref(), MapTimedEffect::None)?;
    let music_control = names::parse_or(
        file,
        src.music_control.as_ref(),
        MapMusicControl::InterruptIfDifferentPlayOnce,
    )?;
    let relog = *src.relog.get_ref();
    if let Some(problem) = draft.landing_problem(relog.x, relog.y) {
        return Err(file.error_at(
            src.relog.span(),
            format!("relog point: {problem}; it must be a walkable tile"),
        ));
    }

    // NPC spawns.
    let mut npcs = Vec::with_capacity(src.npc.len());
    let boss_here = src
        .npc
        .iter()
        .any(|s| pubs.npcs.get(s.get_ref().npc).is_some_and(|n| n.boss));
    for spawn in &src.npc {
        let span = spawn.span();
        let s = *spawn.get_ref();
        let Some(npc) = pubs.npcs.get(s.npc) else {
            return Err(file.error_at(
                span,
                format!(
                    "NPC spawn at ({}, {}): NPC {} does not exist (npcs.toml has 1 to {})",
                    s.x,
                    s.y,
                    s.npc,
                    pubs.npcs.len()
                ),
            ));
        };
        if !draft.in_bounds(s.x, s.y) {
            return Err(file.error_at(
                span,
                format!("NPC spawn at ({}, {}) is outside the map", s.x, s.y),
            ));
        }
        if !draft.npc_walkable(usize::from(s.x), usize::from(s.y)) {
            return Err(file.error_at(
                span,
                format!(
                    "NPC spawn at ({}, {}) is on {:?}, where an NPC cannot stand",
                    s.x,
                    s.y,
                    draft.grid[usize::from(s.y)][usize::from(s.x)]
                ),
            ));
        }
        if s.spawn_type > MAX_SPAWN_TYPE {
            return Err(file.error_at(
                span,
                format!(
                    "NPC spawn at ({}, {}): spawn_type {} is not 0 to {MAX_SPAWN_TYPE}",
                    s.x, s.y, s.spawn_type
                ),
            ));
        }
        if s.amount == 0 {
            return Err(file.error_at(span, "NPC spawn amount must be 1 or more"));
        }
        if npc.child && !boss_here {
            return Err(file.error_at(
                span,
                format!(
                    "NPC {} ({}) is a child but this map spawns no boss",
                    s.npc, npc.name
                ),
            ));
        }
        let record = MapNpc {
            coords: coords(s.x, s.y),
            id: s.npc,
            spawn_type: s.spawn_type,
            spawn_time: s.spawn_time,
            amount: s.amount,
        };
        record
            .to_bytes()
            .map_err(|e| file.error_at(span.clone(), format!("NPC spawn: {e}")))?;
        npcs.push(record);
    }

    // Chest item spawns.
    let mut items = Vec::with_capacity(src.chest.len());
    for chest in &src.chest {
        let span = chest.span();
        let c = *chest.get_ref();
        if !draft.in_bounds(c.x, c.y)
            || draft.def(usize::from(c.x), usize::from(c.y)).spec != Some(MapTileSpec::Chest)
        {
            return Err(file.error_at(
                span,
                format!(
                    "chest item at ({}, {}): there is no chest (C) there",
                    c.x, c.y
                ),
            ));
        }
        if pubs.items.source.get(c.item).is_none() {
            return Err(file.error_at(
                span,
                format!(
                    "chest item at ({}, {}): item {} does not exist (items.toml has 1 to {})",
                    c.x,
                    c.y,
                    c.item,
                    pubs.items.source.len()
                ),
            ));
        }
        if c.amount == 0 || c.slot == 0 {
            return Err(file.error_at(span, "chest item: amount and slot must be 1 or more"));
        }
        // A locked chest names its Key item; the file holds that item's key number (spec1),
        // as EO servers compare it.
        let key = match c.key {
            0 => 0,
            item_id => {
                let key = pubs
                    .items
                    .source
                    .get(item_id)
                    .filter(|item| item.r#type == ItemType::Key)
                    .map(|item| item.spec1);
                let Some(key) = key.and_then(|k| u16::try_from(k).ok()) else {
                    return Err(file.error_at(
                        span,
                        format!("chest item: key {item_id} is not an item of type Key"),
                    ));
                };
                key
            }
        };
        let record = MapItem {
            coords: coords(c.x, c.y),
            key,
            // EO files number a chest's slots from 0 (EOSERV and reoserv add 1).
            chest_slot: c.slot - 1,
            item_id: c.item,
            spawn_time: c.spawn_time,
            amount: c.amount,
        };
        record
            .to_bytes()
            .map_err(|e| file.error_at(span.clone(), format!("chest item: {e}")))?;
        items.push(record);
    }

    // Signs: one on every sign post, none elsewhere.
    let mut signs = Vec::with_capacity(src.sign.len());
    let mut signed = BTreeSet::new();
    for sign in &src.sign {
        let span = sign.span();
        let s = sign.get_ref();
        if !draft.in_bounds(s.x, s.y)
            || !matches!(
                draft.def(usize::from(s.x), usize::from(s.y)).role,
                Role::Sign
            )
        {
            return Err(file.error_at(
                span,
                format!(
                    "sign at ({}, {}): there is no sign post (S) there",
                    s.x, s.y
                ),
            ));
        }
        if !signed.insert((s.x, s.y)) {
            return Err(file.error_at(
                span,
                format!("sign at ({}, {}): this post already has a sign", s.x, s.y),
            ));
        }
        check_text(file, &span, "sign title", &s.title, 1, 252)?;
        check_text(file, &span, "sign message", &s.message, 0, 60_000)?;
        signs.push(MapSign {
            coords: coords(s.x, s.y),
            string_data: format!("{}{}", s.title, s.message),
            title_length: to_u8(s.title.len()),
        });
    }

    // Tile specs, warps and doors, row by row.
    let mut tile_spec_rows = Vec::new();
    let mut warp_rows = Vec::new();
    for (y, row) in draft.grid.iter().enumerate() {
        let mut spec_tiles = Vec::new();
        let mut warp_tiles = Vec::new();
        for (x, c) in row.iter().enumerate() {
            let def = &draft.legend[c];
            let (bx, by) = (to_u8(x), to_u8(y));
            if let Some(spec) = def.spec {
                spec_tiles.push(MapTileSpecRowTile {
                    x: bx,
                    tile_spec: spec,
                });
            }
            let warp = match &def.role {
                Role::Plain => None,
                Role::Sign => {
                    if !signed.contains(&(bx, by)) {
                        return Err(file.error_line(
                            Some(draft.row_lines[y]),
                            format!("sign post at ({x}, {y}) has no [[sign]]"),
                        ));
                    }
                    None
                }
                Role::Warp(w, span) => {
                    let Some(target) = drafts.get(&w.map) else {
                        let known: Vec<String> = drafts.keys().map(u16::to_string).collect();
                        return Err(file.error_at(
                            span.clone(),
                            format!(
                                "warp {c:?} leads to map {}, which does not exist (maps: {})",
                                w.map,
                                known.join(", ")
                            ),
                        ));
                    };
                    if let Some(problem) = target.landing_problem(w.x, w.y) {
                        return Err(file.error_at(
                            span.clone(),
                            format!(
                                "warp {c:?}: destination {problem}; it must be a walkable tile"
                            ),
                        ));
                    }
                    Some(MapWarp {
                        destination_map: w.map,
                        destination_coords: coords(w.x, w.y),
                        level_required: w.level,
                        door: 0,
                    })
                }
                Role::Door(d, span) => {
                    let door = match d.key {
                        None => 1,
                        Some(item_id) => {
                            let key = pubs
                                .items
                                .source
                                .get(item_id)
                                .filter(|item| item.r#type == ItemType::Key)
                                .map(|item| item.spec1);
                            let Some(key) = key else {
                                return Err(file.error_at(
                                    span.clone(),
                                    format!("door {c:?}: key {item_id} is not an item of type Key"),
                                ));
                            };
                            // EO's convention, which existing worlds, EOSERV, reoserv and
                            // EndlessClient follow: a door with `door = N` (N > 1) opens with a
                            // Key item whose spec1 is N; `door = 1` has no lock.
                            if key < 2 {
                                return Err(file.error_at(
                                    span.clone(),
                                    format!(
                                        "door {c:?}: key {item_id} has key number {key}; a door's key needs 2 or more (door = 1 means no lock)"
                                    ),
                                ));
                            }
                            u16::try_from(key)
                                .ok()
                                .filter(|d| *d <= 64_008)
                                .ok_or_else(|| {
                                    file.error_at(span.clone(), "door key number is too large")
                                })?
                        }
                    };
                    let (destination_map, to) = match (d.map, d.x, d.y) {
                        (None, None, None) => (draft.id, (bx, by)),
                        (map, Some(x), Some(y)) => {
                            let map = map.unwrap_or(draft.id);
                            let problem = match drafts.get(&map) {
                                None => Some(format!("map {map} does not exist")),
                                Some(target) => target.landing_problem(x, y),
                            };
                            if let Some(problem) = problem {
                                return Err(file.error_at(
                                    span.clone(),
                                    format!(
                                        "door {c:?}: destination {problem}; it must be a walkable tile"
                                    ),
                                ));
                            }
                            (map, (x, y))
                        }
                        _ => {
                            return Err(file.error_at(
                                span.clone(),
                                format!("door {c:?}: a destination needs both x and y"),
                            ));
                        }
                    };
                    Some(MapWarp {
                        destination_map,
                        destination_coords: coords(to.0, to.1),
                        level_required: d.level,
                        door,
                    })
                }
            };
            if let Some(warp) = warp {
                warp_tiles.push(MapWarpRowTile { x: bx, warp });
            }
        }
        if !spec_tiles.is_empty() {
            tile_spec_rows.push(MapTileSpecRow {
                y: to_u8(y),
                tiles: spec_tiles,
            });
        }
        if !warp_tiles.is_empty() {
            warp_rows.push(MapWarpRow {
                y: to_u8(y),
                tiles: warp_tiles,
            });
        }
    }

    // Graphic layers: a tile for every character that sets a graphic on that layer.
    let graphic_layers = (0..9)
        .map(|layer| MapGraphicLayer {
            graphic_rows: draft
                .grid
                .iter()
                .enumerate()
                .filter_map(|(y, row)| {
                    let tiles: Vec<MapGraphicRowTile> = row
                        .iter()
                        .enumerate()
                        .filter_map(|(x, c)| {
                            draft.legend[c].graphics[layer].map(|graphic| MapGraphicRowTile {
                                x: to_u8(x),
                                graphic,
                            })
                        })
                        .collect();
                    (!tiles.is_empty()).then(|| MapGraphicRow { y: to_u8(y), tiles })
                })
                .collect(),
        })
        .collect();

    Ok(Emf {
        rid: [0, 0],
        name: src.name.get_ref().clone(),
        r#type: kind,
        timed_effect,
        music_id: src.music,
        music_control,
        ambient_sound_id: src.ambient_sound,
        width: to_u8(draft.width - 1),
        height: to_u8(draft.height - 1),
        fill_tile: src.fill_tile,
        map_available: src.map_available,
        can_scroll: src.can_scroll,
        relog_x: relog.x,
        relog_y: relog.y,
        npcs,
        legacy_door_keys: Vec::new(),
        items,
        tile_spec_rows,
        warp_rows,
        graphic_layers,
        signs,
    })
}

/// Checks that every teleport scroll leads to a walkable tile of an existing map.
pub(crate) fn check_scrolls(drafts: &BTreeMap<u16, MapDraft>, pubs: &Pubs) -> Result<(), Error> {
    let file = &pubs.items.source.file;
    for (id, scroll) in &pubs.items.scrolls {
        let s = scroll.get_ref();
        let problem = match drafts.get(&s.map) {
            None => Some(format!("map {} does not exist", s.map)),
            Some(map) => map.landing_problem(s.x, s.y),
        };
        if let Some(problem) = problem {
            return Err(file.error_at(
                scroll.span(),
                format!("item {id}: scroll destination: {problem}"),
            ));
        }
    }
    Ok(())
}
