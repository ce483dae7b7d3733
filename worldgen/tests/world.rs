//! The bundled world: built from `fixtures/world-src`, committed in `fixtures/world`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eo_protocol::Coords;
use eo_protocol::data_file::{DataFile, compute_rid, header_rid};
use eo_protocol::map::{Emf, MapTileSpec, MapTimedEffect, MapType, MapWarp};
use eo_protocol::pubs::server::{InnFile, TalkFile};
use eo_protocol::pubs::{
    Ecf, Eif, Enf, Esf, ItemType, NpcType, SkillTargetRestrict, SkillTargetType, SkillType,
};
use eo_worldgen::{Difference, EOF_RECORD, World, build};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is in the workspace")
        .to_path_buf()
}

fn src_dir() -> PathBuf {
    workspace().join("fixtures/world-src")
}

fn out_dir() -> PathBuf {
    workspace().join("fixtures/world")
}

fn world() -> World {
    build(&src_dir()).unwrap_or_else(|e| panic!("the bundled sources build: {e}"))
}

fn file<'a>(world: &'a World, name: &str) -> &'a [u8] {
    world
        .files
        .get(name)
        .unwrap_or_else(|| panic!("{name} is built"))
}

fn map(world: &World, id: u16) -> Emf {
    Emf::read(file(world, &format!("maps/{id:05}.emf"))).expect("the map decodes")
}

fn maps(world: &World) -> BTreeMap<u16, Emf> {
    (1u16..)
        .map_while(|id| {
            world
                .files
                .get(&format!("maps/{id:05}.emf"))
                .map(|bytes| (id, Emf::read(bytes).expect("the map decodes")))
        })
        .collect()
}

fn eif(world: &World) -> Eif {
    Eif::read(file(world, "pub/dat001.eif")).expect("the EIF decodes")
}

fn enf(world: &World) -> Enf {
    Enf::read(file(world, "pub/dtn001.enf")).expect("the ENF decodes")
}

fn spec_at(emf: &Emf, x: u8, y: u8) -> Option<MapTileSpec> {
    emf.tile_spec_rows
        .iter()
        .filter(|row| row.y == y)
        .flat_map(|row| &row.tiles)
        .find(|tile| tile.x == x)
        .map(|tile| tile.tile_spec)
}

fn warp_at(emf: &Emf, x: u8, y: u8) -> Option<&MapWarp> {
    emf.warp_rows
        .iter()
        .filter(|row| row.y == y)
        .flat_map(|row| &row.tiles)
        .find(|tile| tile.x == x)
        .map(|tile| &tile.warp)
}

fn warps(emf: &Emf) -> Vec<(u8, u8, &MapWarp)> {
    emf.warp_rows
        .iter()
        .flat_map(|row| row.tiles.iter().map(move |t| (t.x, row.y, &t.warp)))
        .collect()
}

/// A tile a player can be put on: in bounds, no blocking spec, not a warp or door.
fn is_landing(emf: &Emf, at: &Coords) -> bool {
    at.x <= emf.width
        && at.y <= emf.height
        && matches!(
            spec_at(emf, at.x, at.y),
            None | Some(MapTileSpec::NpcBoundary)
        )
        && warp_at(emf, at.x, at.y).is_none()
}

/// The server pub files the bundled world has (inns, NPC speech, shops, skill masters).
const SERVER_PUB_FILES: [&str; 4] = [
    "pub/din001.eid",
    "pub/ttd001.etf",
    "pub/dts001.esf",
    "pub/dsm001.emf",
];

/// A server pub file (shops, skill masters) decoded and encoded again; `None` for other files.
fn server_file(name: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    use eo_protocol::EoSerialize;
    use eo_protocol::pubs::server::{ShopFile, SkillMasterFile};
    let again = match name {
        "pub/dts001.esf" => ShopFile::from_bytes(bytes).unwrap().to_bytes(),
        "pub/dsm001.emf" => SkillMasterFile::from_bytes(bytes).unwrap().to_bytes(),
        _ => return None,
    };
    Some(again.expect("re-encodes").to_vec())
}

#[test]
fn built_files_decode_and_reencode_byte_identically() {
    let world = world();
    let names: Vec<&str> = world.files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "maps/00001.emf",
            "maps/00002.emf",
            "maps/00003.emf",
            "maps/00004.emf",
            "maps/00005.emf",
            "maps/00006.emf",
            "pub/dat001.ecf",
            "pub/dat001.eif",
            "pub/din001.eid",
            "pub/dsl001.esf",
            "pub/dsm001.emf",
            "pub/dtn001.enf",
            "pub/dts001.esf",
            "pub/ttd001.etf",
            "quests/00001.eqf",
            "quests/00002.eqf",
            "quests/00003.eqf",
        ]
    );
    fn round_trip<T: DataFile>(name: &str, bytes: &[u8]) {
        let decoded = T::read(bytes).unwrap_or_else(|e| panic!("{name} decodes: {e}"));
        let again = decoded.to_bytes().expect("re-encodes");
        assert_eq!(&again[..], bytes, "{name} re-encodes to the same bytes");
    }
    for (name, bytes) in &world.files {
        if let Some(decoded) = server_file(name, bytes) {
            assert_eq!(decoded, &bytes[..], "{name} re-encodes to the same bytes");
            continue;
        }
        match name.rsplit('.').next() {
            Some("emf") => round_trip::<Emf>(name, bytes),
            Some("eif") => round_trip::<Eif>(name, bytes),
            Some("enf") => round_trip::<Enf>(name, bytes),
            Some("esf") => round_trip::<Esf>(name, bytes),
            Some("ecf") => round_trip::<Ecf>(name, bytes),
            Some("eid") => round_trip::<InnFile>(name, bytes),
            Some("etf") => round_trip::<TalkFile>(name, bytes),
            // EO+ quests are text, copied as written.
            Some("eqf") => assert_eq!(
                std::fs::read(
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../fixtures/world-src")
                        .join(name)
                )
                .unwrap(),
                *bytes,
                "{name} is its source"
            ),
            _ => panic!("unexpected output {name}"),
        }
    }
}

#[test]
fn committed_world_matches_a_fresh_build() {
    let differences = world()
        .compare(&out_dir())
        .expect("fixtures/world is readable");
    let listed: Vec<String> = differences.iter().map(ToString::to_string).collect();
    assert!(
        differences.is_empty(),
        "fixtures/world is out of date; run `just world`:\n{}",
        listed.join("\n")
    );
}

#[test]
fn the_build_is_deterministic() {
    assert_eq!(world(), world());
}

#[test]
fn every_file_has_its_content_rid_in_its_header() {
    let world = world();
    // The server pub files and the quest files have no rid: clients never download them.
    let server_pub = |name: &str| SERVER_PUB_FILES.contains(&name) || name.starts_with("quests/");
    for (name, bytes) in world.files.iter().filter(|(name, _)| !server_pub(name)) {
        let rid = header_rid(bytes).expect("has a header");
        assert_eq!(
            rid,
            compute_rid(bytes),
            "{name}: header rid is the content rid"
        );
        let decoded_rid = match name.rsplit('.').next() {
            Some("emf") => Emf::read(bytes).unwrap().rid,
            Some("eif") => Eif::read(bytes).unwrap().rid,
            Some("enf") => Enf::read(bytes).unwrap().rid,
            Some("esf") => Esf::read(bytes).unwrap().rid,
            Some("ecf") => Ecf::read(bytes).unwrap().rid,
            _ => unreachable!(),
        };
        assert_eq!(decoded_rid, rid, "{name}: decoded rid");
    }
}

#[test]
fn pub_headers_count_every_record_and_the_last_is_eof() {
    let world = world();
    let eif = eif(&world);
    assert_eq!(usize::from(eif.total_items_count), eif.items.len());
    assert_eq!(eif.items.last().unwrap().name, EOF_RECORD);
    assert_eq!(eif.items[0].name, "Gold");
    assert_eq!(eif.items[0].r#type, ItemType::Currency);

    let enf = enf(&world);
    assert_eq!(usize::from(enf.total_npcs_count), enf.npcs.len());
    assert_eq!(enf.npcs.last().unwrap().name, EOF_RECORD);

    let esf = Esf::read(file(&world, "pub/dsl001.esf")).unwrap();
    assert_eq!(usize::from(esf.total_skills_count), esf.skills.len());
    assert_eq!(esf.skills.last().unwrap().name, EOF_RECORD);

    let ecf = Ecf::read(file(&world, "pub/dat001.ecf")).unwrap();
    assert_eq!(usize::from(ecf.total_classes_count), ecf.classes.len());
    assert_eq!(ecf.classes.last().unwrap().name, EOF_RECORD);
    assert!(ecf.classes.len() > 3, "at least three classes besides eof");
}

#[test]
fn town_and_field_are_linked_by_warps_onto_walkable_tiles() {
    let world = world();
    let maps = maps(&world);
    assert_eq!(maps.len(), 6);
    for (id, emf) in &maps {
        for (x, y, warp) in warps(emf) {
            let target = maps
                .get(&warp.destination_map)
                .unwrap_or_else(|| panic!("map {id} ({x}, {y}) warps to a missing map"));
            assert!(
                is_landing(target, &warp.destination_coords) || warp.door != 0,
                "map {id} ({x}, {y}) warps onto {:?} of map {}, which is not walkable",
                warp.destination_coords,
                warp.destination_map
            );
        }
        assert!(
            is_landing(
                emf,
                &Coords {
                    x: emf.relog_x,
                    y: emf.relog_y
                }
            ),
            "map {id}: relog point is walkable"
        );
    }
    let to_field = warps(&maps[&1])
        .into_iter()
        .filter(|(_, _, w)| w.destination_map == 2 && w.door == 0)
        .count();
    let to_town = warps(&maps[&2])
        .into_iter()
        .filter(|(_, _, w)| w.destination_map == 1 && w.door == 0)
        .count();
    assert!(to_field >= 1, "the town warps to map 2");
    assert!(to_town >= 1, "map 2 warps back to the town");
    let meadow_to_town = warps(&maps[&3])
        .into_iter()
        .filter(|(_, _, w)| w.destination_map == 1 && w.door == 0)
        .count();
    assert!(meadow_to_town >= 1, "map 3 warps to the town");
}

#[test]
fn spawns_and_chest_items_refer_to_existing_records() {
    let world = world();
    let items = eif(&world).items.len() - 1; // without eof
    let npcs = enf(&world).npcs.len() - 1;
    for (id, emf) in maps(&world) {
        for spawn in &emf.npcs {
            assert!(
                (1..=npcs).contains(&usize::from(spawn.id)),
                "map {id}: spawn of NPC {} which does not exist",
                spawn.id
            );
            assert!(spawn.coords.x <= emf.width && spawn.coords.y <= emf.height);
            assert_eq!(spec_at(&emf, spawn.coords.x, spawn.coords.y), None);
        }
        for item in &emf.items {
            assert!(
                (1..=items).contains(&usize::from(item.item_id)),
                "map {id}: chest item {} which does not exist",
                item.item_id
            );
            assert_eq!(
                spec_at(&emf, item.coords.x, item.coords.y),
                Some(MapTileSpec::Chest),
                "map {id}: chest items lie on chests"
            );
        }
    }
}

/// Other tests (and the server's) rely on these exact positions and ids; the README of
/// `fixtures/world-src` lists the same.
#[test]
fn the_documented_contents_are_in_place() {
    let world = world();
    let eif = eif(&world);
    let enf = enf(&world);
    let item = |id: usize| &eif.items[id - 1];
    let npc = |id: usize| &enf.npcs[id - 1];

    let town = map(&world, 1);
    assert_eq!(town.name, "Mossbrook");
    assert_eq!(town.r#type, MapType::Normal);
    assert_eq!((town.width, town.height), (25, 19));
    assert_eq!((town.relog_x, town.relog_y), (16, 9));
    assert_eq!(town.fill_tile, 1);
    // The east gate to map 2.
    let gate = warp_at(&town, 25, 11).expect("warp at (25, 11)");
    assert_eq!(
        (
            gate.destination_map,
            gate.destination_coords.x,
            gate.destination_coords.y,
            gate.door
        ),
        (2, 1, 15, 0)
    );
    // Doors: hall and bank without a key, the storeroom locked by the Storeroom Key.
    for (x, y, door) in [(4, 6, 1), (19, 5, 1), (11, 5, 2)] {
        let warp = warp_at(&town, x, y).expect("a door");
        assert_eq!(
            (
                warp.destination_map,
                warp.destination_coords.x,
                warp.destination_coords.y
            ),
            (1, x, y),
            "a door leads to itself"
        );
        assert_eq!(warp.door, door, "door at ({x}, {y})");
    }
    assert_eq!(item(17).r#type, ItemType::Key);
    assert_eq!(item(17).spec1, 2, "the key opens door value 2");
    assert_eq!(warps(&town).len(), 5);
    // Chairs facing four ways, the chest, board, jukebox, vault, sign post, water.
    for (x, y, spec) in [
        (3, 2, MapTileSpec::ChairDown),
        (4, 2, MapTileSpec::ChairDown),
        (2, 3, MapTileSpec::ChairRight),
        (5, 3, MapTileSpec::ChairLeft),
        (3, 4, MapTileSpec::ChairUp),
        (4, 4, MapTileSpec::ChairUp),
        (12, 2, MapTileSpec::Chest),
        (12, 8, MapTileSpec::Board1),
        (2, 10, MapTileSpec::Jukebox),
        (22, 2, MapTileSpec::BankVault),
        (23, 10, MapTileSpec::Wall),
        (12, 10, MapTileSpec::Water),
        (0, 0, MapTileSpec::Wall),
        (9, 13, MapTileSpec::NpcBoundary),
    ] {
        assert_eq!(spec_at(&town, x, y), Some(spec), "town ({x}, {y})");
    }
    let spawns: Vec<(u8, u8, u16, u8, u16, u8)> = town
        .npcs
        .iter()
        .map(|n| {
            (
                n.coords.x,
                n.coords.y,
                n.id,
                n.spawn_type,
                n.spawn_time,
                n.amount,
            )
        })
        .collect();
    assert_eq!(
        spawns,
        [
            (7, 1, 1, 7, 0, 1),
            (7, 4, 2, 7, 0, 1),
            (17, 2, 3, 7, 0, 1),
            (4, 16, 4, 2, 30, 3),
            (6, 17, 5, 3, 60, 1),
            (1, 1, 8, 7, 3, 1),
            (21, 7, 9, 7, 0, 1),
            (20, 12, 10, 7, 0, 1),
            (17, 15, 11, 7, 0, 1),
            (23, 15, 12, 7, 0, 1),
            (11, 13, 13, 7, 0, 1),
            (14, 9, 14, 7, 0, 1),
            (22, 9, 15, 7, 0, 1),
        ]
    );
    assert_eq!(npc(1).r#type, NpcType::Shop);
    assert_eq!(npc(2).r#type, NpcType::Inn);
    assert_eq!(npc(3).r#type, NpcType::Bank);
    assert_eq!(npc(4).r#type, NpcType::Passive);
    assert_eq!(npc(5).r#type, NpcType::Aggressive);
    assert_eq!((npc(8).r#type, npc(8).behavior_id), (NpcType::Trainer, 1));
    assert_eq!(npc(9).r#type, NpcType::Barber);
    assert_eq!(npc(10).r#type, NpcType::Guild);
    assert_eq!(npc(11).r#type, NpcType::Lawyer);
    assert_eq!(npc(12).r#type, NpcType::Priest);
    // The quest givers: the behavior id is the quest they start (quests/0000N.eqf).
    assert_eq!((npc(13).r#type, npc(13).behavior_id), (NpcType::Quest, 1));
    assert_eq!((npc(14).r#type, npc(14).behavior_id), (NpcType::Quest, 2));
    assert_eq!((npc(15).r#type, npc(15).behavior_id), (NpcType::Quest, 3));
    let chest: Vec<(u8, u8, u16, u32, u8, u16)> = town
        .items
        .iter()
        .map(|i| {
            (
                i.coords.x,
                i.coords.y,
                i.item_id,
                i.amount,
                i.chest_slot,
                i.spawn_time,
            )
        })
        .collect();
    // Slots 1 and 2 of the sources, numbered from 0 in the file as EO numbers them.
    assert_eq!(chest, [(12, 2, 1, 50, 0, 5), (12, 2, 10, 2, 1, 10)]);
    assert_eq!(town.signs.len(), 1);
    assert_eq!((town.signs[0].coords.x, town.signs[0].coords.y), (23, 10));
    assert_eq!(
        &town.signs[0].string_data[..usize::from(town.signs[0].title_length)],
        "Mossbrook"
    );

    let field = map(&world, 2);
    assert_eq!(field.name, "Gravemaw Hollow");
    assert_eq!(field.r#type, MapType::Pk);
    assert_eq!((field.width, field.height), (29, 29));
    assert_eq!((field.relog_x, field.relog_y), (3, 15));
    let back = warp_at(&field, 0, 15).expect("warp at (0, 15)");
    assert_eq!(
        (
            back.destination_map,
            back.destination_coords.x,
            back.destination_coords.y,
            back.door
        ),
        (1, 24, 11, 0)
    );
    assert_eq!(warps(&field).len(), 1);
    let spawns: Vec<(u8, u8, u16, u8)> = field
        .npcs
        .iter()
        .map(|n| (n.coords.x, n.coords.y, n.id, n.amount))
        .collect();
    assert_eq!(
        spawns,
        [(22, 6, 6, 1), (21, 7, 7, 3), (12, 21, 5, 3), (6, 12, 4, 4)]
    );
    assert!(npc(6).boss && !npc(6).child);
    assert!(npc(7).child && !npc(7).boss);
    assert_eq!(spec_at(&field, 22, 10), Some(MapTileSpec::NpcBoundary));
    assert_eq!(spec_at(&field, 14, 24), Some(MapTileSpec::Spikes));
    // The rock wall the boars south of it must path round.
    for x in 6..=17 {
        assert_eq!(spec_at(&field, x, 18), Some(MapTileSpec::Wall), "({x}, 18)");
    }
    assert_eq!(spec_at(&field, 5, 18), None);
    assert_eq!(spec_at(&field, 18, 18), None);
    assert_eq!((field.signs[0].coords.x, field.signs[0].coords.y), (2, 13));

    let meadow = map(&world, 3);
    assert_eq!(meadow.name, "Windmere Fields");
    assert_eq!(meadow.r#type, MapType::Normal);
    assert_eq!((meadow.width, meadow.height), (199, 199));
    assert_eq!((meadow.relog_x, meadow.relog_y), (100, 100));
    let west = warp_at(&meadow, 0, 100).expect("warp at (0, 100)");
    assert_eq!(
        (
            west.destination_map,
            west.destination_coords.x,
            west.destination_coords.y,
            west.door
        ),
        (1, 24, 11, 0)
    );
    assert_eq!(warps(&meadow).len(), 1);
    assert!(meadow.npcs.is_empty());

    // The west gate of the town leads to the arena's lobby, whose east exit leads back.
    let west_gate = warp_at(&town, 0, 9).expect("warp at (0, 9)");
    assert_eq!(
        (
            west_gate.destination_map,
            west_gate.destination_coords.x,
            west_gate.destination_coords.y
        ),
        (4, 1, 5)
    );
    let ring = map(&world, 4);
    assert_eq!(ring.name, "Mossbrook Ring");
    assert_eq!(
        (ring.r#type, ring.timed_effect),
        (MapType::Normal, MapTimedEffect::None)
    );
    assert_eq!((ring.width, ring.height), (19, 11));
    assert_eq!((ring.relog_x, ring.relog_y), (3, 7));
    let back = warp_at(&ring, 0, 5).expect("warp at (0, 5)");
    assert_eq!(
        (
            back.destination_map,
            back.destination_coords.x,
            back.destination_coords.y
        ),
        (1, 1, 9)
    );
    let on = warp_at(&ring, 0, 8).expect("warp at (0, 8)");
    assert_eq!(
        (
            on.destination_map,
            on.destination_coords.x,
            on.destination_coords.y
        ),
        (5, 1, 4)
    );
    for (x, y) in [(2, 2), (4, 2), (2, 4), (4, 4)] {
        assert_eq!(spec_at(&ring, x, y), None, "launch pad ({x}, {y})");
    }
    for x in 8..=18 {
        for y in 1..=10 {
            assert_eq!(spec_at(&ring, x, y), Some(MapTileSpec::Arena), "({x}, {y})");
        }
    }
    let mire = map(&world, 5);
    assert_eq!(mire.name, "Thornmire");
    assert_eq!(
        (mire.r#type, mire.timed_effect),
        (MapType::Normal, MapTimedEffect::HpDrain)
    );
    assert_eq!((mire.width, mire.height), (15, 9));
    assert_eq!((mire.relog_x, mire.relog_y), (2, 8));
    for x in 3..=5 {
        assert_eq!(spec_at(&mire, x, 2), Some(MapTileSpec::Spikes));
        assert_eq!(spec_at(&mire, x, 6), Some(MapTileSpec::HiddenSpikes));
    }
    for x in 7..=9 {
        assert_eq!(spec_at(&mire, x, 4), Some(MapTileSpec::TimedSpikes));
    }
    let out = warp_at(&mire, 0, 4).expect("warp at (0, 4)");
    assert_eq!(
        (
            out.destination_map,
            out.destination_coords.x,
            out.destination_coords.y
        ),
        (4, 1, 8)
    );
    assert!(ring.npcs.is_empty() && mire.npcs.is_empty());
    // Open ground around the middle, for a crowd.
    for x in 95..=105 {
        for y in 95..=105 {
            assert_eq!(spec_at(&meadow, x, y), None, "({x}, {y})");
        }
    }

    // The teleport scroll leads to the town's relog point.
    assert_eq!(item(11).r#type, ItemType::Teleport);
    assert_eq!((item(11).spec1, item(11).spec2, item(11).spec3), (1, 16, 9));
    let esf = Esf::read(file(&world, "pub/dsl001.esf")).unwrap();
    assert_eq!(esf.skills[0].r#type, SkillType::Heal);
    assert_eq!(esf.skills[1].r#type, SkillType::Attack);
    // An attack spell that may hit players, and a group heal, for parties.
    assert_eq!(esf.skills[2].r#type, SkillType::Attack);
    assert_eq!(esf.skills[2].target_restrict, SkillTargetRestrict::Opponent);
    assert_eq!(esf.skills[3].r#type, SkillType::Heal);
    assert_eq!(esf.skills[3].target_type, SkillTargetType::Group);

    // Innkeeper Tobin's inn: spawn on the square, sleep in the hall.
    let inns = InnFile::read(file(&world, "pub/din001.eid")).unwrap();
    assert_eq!(inns.inns.len(), 1);
    let inn = &inns.inns[0];
    assert_eq!((inn.behavior_id, inn.name.as_str()), (1, "Mossbrook"));
    assert_eq!(npc(2).behavior_id, inn.behavior_id);
    assert_eq!((inn.spawn_map, inn.spawn_x, inn.spawn_y), (1, 16, 9));
    assert_eq!((inn.sleep_map, inn.sleep_x, inn.sleep_y), (1, 2, 1));
    assert!(!inn.alternate_spawn_enabled);
    let answers: Vec<&str> = inn.questions.iter().map(|q| q.answer.as_str()).collect();
    assert_eq!(answers, ["Mossbrook", "Tobin", "Moss"]);
    // Marla, Tobin and the hoppers speak.
    let talk = TalkFile::read(file(&world, "pub/ttd001.etf")).unwrap();
    let speakers: Vec<(u16, u8, usize)> = talk
        .npcs
        .iter()
        .map(|r| (r.npc_id, r.rate, r.messages.len()))
        .collect();
    assert_eq!(speakers, [(1, 25, 2), (2, 25, 3), (4, 10, 2)]);
}

#[test]
fn graphics_give_the_client_something_to_draw() {
    let world = world();
    for (id, emf) in maps(&world) {
        assert_eq!(emf.graphic_layers.len(), 9);
        assert_ne!(emf.fill_tile, 0, "map {id} has a ground fill");
        let objects = &emf.graphic_layers[1];
        // Every wall-spec tile (walls, trees, tables, sign posts) has an object graphic.
        for row in &emf.tile_spec_rows {
            for tile in row
                .tiles
                .iter()
                .filter(|t| t.tile_spec == MapTileSpec::Wall)
            {
                let drawn = objects
                    .graphic_rows
                    .iter()
                    .filter(|r| r.y == row.y)
                    .flat_map(|r| &r.tiles)
                    .any(|g| g.x == tile.x && g.graphic != 0);
                assert!(
                    drawn,
                    "map {id}: wall at ({}, {}) has an object graphic",
                    tile.x, row.y
                );
            }
        }
    }
}

// ----- malformed sources -----

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Builds a copy of the sources with `find` replaced by `replace` in `name`, expecting an
/// error in that file at the line where `line_of` appears in the edited text.
fn broken(name: &str, find: &str, replace: &str, line_of: &str) -> (eo_worldgen::Error, usize) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src_dir(), dir.path());
    let path = dir.path().join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(find), "{name} contains {find:?}");
    let edited = text.replacen(find, replace, 1);
    std::fs::write(&path, &edited).unwrap();
    let offset = edited
        .find(line_of)
        .expect("the marker is in the edited text");
    let expected_line = 1 + edited[..offset].matches('\n').count();
    let err = build(dir.path()).expect_err("the broken sources are rejected");
    assert!(
        err.file().ends_with(name),
        "the error names {name}: {err} ({})",
        err.file().display()
    );
    assert_eq!(err.line(), Some(expected_line), "the error's line: {err}");
    assert!(
        err.to_string()
            .contains(&format!("{name}:{expected_line}: ")),
        "{err}"
    );
    (err, expected_line)
}

#[test]
fn an_unknown_tile_character_is_an_error_at_its_row() {
    let (err, _) = broken("maps/00001.toml", "#,>tt<,,#", "#,>tQ<,,#", "#,>tQ<,,#");
    assert!(
        err.to_string()
            .contains("unknown tile character 'Q' at (4, 3)"),
        "{err}"
    );
}

#[test]
fn a_ragged_row_is_an_error_at_its_row() {
    let (err, _) = broken(
        "maps/00001.toml",
        "#...........B............#",
        "#...........B...........#",
        "#...........B...........#",
    );
    assert!(
        err.to_string().contains("layout row 8 has 25 tiles"),
        "{err}"
    );
}

#[test]
fn a_warp_to_a_missing_map_is_an_error_at_the_warp() {
    let (err, _) = broken(
        "maps/00001.toml",
        "map = 2\nx = 1\ny = 15",
        "map = 9\nx = 1\ny = 15",
        "[warps.E]",
    );
    assert!(
        err.to_string()
            .contains("leads to map 9, which does not exist"),
        "{err}"
    );
}

#[test]
fn a_warp_onto_a_wall_is_an_error_at_the_warp() {
    let (err, _) = broken(
        "maps/00002.toml",
        "x = 24\ny = 11",
        "x = 25\ny = 10",
        "[warps.W]",
    );
    assert!(err.to_string().contains("a Wall tile"), "{err}");
}

#[test]
fn a_spawn_of_a_missing_npc_is_an_error_at_the_spawn() {
    let (err, _) = broken(
        "maps/00002.toml",
        "npc = 4 # Meadow Hopper (Passive)",
        "npc = 40",
        "[[npc]]\nx = 6\ny = 12",
    );
    assert!(err.to_string().contains("NPC 40 does not exist"), "{err}");
}

#[test]
fn a_chest_item_that_does_not_exist_is_an_error() {
    let (err, _) = broken(
        "maps/00001.toml",
        "item = 1 # Gold",
        "item = 99",
        "[[chest]]\nx = 12\ny = 2\nitem = 99",
    );
    assert!(err.to_string().contains("item 99 does not exist"), "{err}");
}

#[test]
fn a_chest_item_off_a_chest_is_an_error() {
    let (err, _) = broken(
        "maps/00001.toml",
        "x = 12\ny = 2\nitem = 1",
        "x = 11\ny = 2\nitem = 1",
        "[[chest]]\nx = 11",
    );
    assert!(err.to_string().contains("no chest"), "{err}");
}

#[test]
fn an_unknown_item_type_is_an_error_at_its_line() {
    let (err, _) = broken(
        "items.toml",
        "type = \"Weapon\"",
        "type = \"Sword\"",
        "type = \"Sword\"",
    );
    assert!(
        err.to_string().contains("unknown item type \"Sword\""),
        "{err}"
    );
}

#[test]
fn an_unknown_field_is_an_error_at_its_line() {
    let (err, _) = broken(
        "npcs.toml",
        "name = \"Banker Odell\"\ngraphic = 3",
        "name = \"Banker Odell\"\ngrafic = 3",
        "grafic = 3",
    );
    assert!(err.to_string().contains("unknown field `grafic`"), "{err}");
}

#[test]
fn a_field_that_does_not_fit_the_item_type_is_an_error() {
    let (err, _) = broken(
        "items.toml",
        "hp = 30\nweight = 1",
        "hp = 30\nweight = 1\nkey = 4",
        "[[item]]\nid = 10",
    );
    assert!(
        err.to_string()
            .contains("`key` only applies to Key items, not Heal"),
        "{err}"
    );
}

#[test]
fn a_door_locked_by_a_non_key_item_is_an_error() {
    let (err, _) = broken("maps/00001.toml", "key = 17", "key = 10", "[doors.K]");
    assert!(err.to_string().contains("not an item of type Key"), "{err}");
}

#[test]
fn a_door_whose_key_number_is_below_two_is_an_error_at_the_door() {
    // `door = 1` means no lock, so a key numbered 1 cannot lock a door.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src_dir(), dir.path());
    let items = dir.path().join("items.toml");
    let text = std::fs::read_to_string(&items).unwrap();
    let edited = text.replacen("graphic = 17\nkey = 2", "graphic = 17\nkey = 1", 1);
    assert_ne!(text, edited);
    std::fs::write(&items, edited).unwrap();
    let err = build(dir.path()).expect_err("the broken sources are rejected");
    assert!(err.file().ends_with("maps/00001.toml"), "{err}");
    assert!(err.to_string().contains("needs 2 or more"), "{err}");
}

#[test]
fn a_door_may_lead_elsewhere_and_its_destination_is_checked() {
    let (err, _) = broken(
        "maps/00001.toml",
        "[doors.K]\nkey = 17",
        "[doors.K]\nkey = 17\nmap = 2\nx = 0",
        "[doors.K]",
    );
    assert!(err.to_string().contains("needs both x and y"), "{err}");
    let (err, _) = broken(
        "maps/00001.toml",
        "[doors.K]\nkey = 17",
        "[doors.K]\nkey = 17\nmap = 2\nx = 0\ny = 0",
        "[doors.K]",
    );
    assert!(
        err.to_string().contains("it must be a walkable tile"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src_dir(), dir.path());
    let town = dir.path().join("maps/00001.toml");
    let text = std::fs::read_to_string(&town).unwrap();
    std::fs::write(
        &town,
        text.replacen(
            "[doors.K]\nkey = 17",
            "[doors.K]\nkey = 17\nmap = 2\nx = 3\ny = 15",
            1,
        ),
    )
    .unwrap();
    let world = build(dir.path()).unwrap();
    let emf = Emf::read(&world.files["maps/00001.emf"]).unwrap();
    let warp = warp_at(&emf, 11, 5).expect("the storeroom door");
    assert_eq!(
        (
            warp.destination_map,
            warp.destination_coords.x,
            warp.destination_coords.y,
            warp.door
        ),
        (2, 3, 15, 2)
    );
}

#[test]
fn a_chest_locked_by_a_non_key_item_is_an_error() {
    let (err, _) = broken(
        "maps/00001.toml",
        "spawn_time = 5\nslot = 1",
        "spawn_time = 5\nslot = 1\nkey = 10",
        "[[chest]]\nx = 12",
    );
    assert!(
        err.to_string()
            .contains("key 10 is not an item of type Key"),
        "{err}"
    );
}

#[test]
fn a_child_spawn_without_a_boss_is_an_error() {
    let (err, _) = broken(
        "maps/00002.toml",
        "npc = 6 # Gravemaw (boss)",
        "npc = 5",
        "[[npc]]\nx = 21\ny = 7",
    );
    assert!(err.to_string().contains("spawns no boss"), "{err}");
}

#[test]
fn an_inn_no_innkeeper_runs_is_an_error_at_the_inn() {
    let (err, _) = broken(
        "inns.toml",
        "behavior_id = 1 # Innkeeper Tobin",
        "behavior_id = 7",
        "[[inn]]",
    );
    assert!(
        err.to_string()
            .contains("no NPC of type Inn has behavior_id 7"),
        "{err}"
    );
}

#[test]
fn an_inn_with_two_questions_or_a_sleep_point_in_a_wall_is_an_error() {
    let (err, _) = broken(
        "inns.toml",
        "  { question = \"Who keeps this inn?\", answer = \"Tobin\" },\n",
        "",
        "[[inn]]",
    );
    assert!(err.to_string().contains("2 questions"), "{err}");
    let (err, _) = broken(
        "inns.toml",
        "sleep = { map = 1, x = 2, y = 1 }",
        "sleep = { map = 1, x = 0, y = 1 }",
        "sleep = {",
    );
    assert!(err.to_string().contains("sleep: (0, 1) on map 1"), "{err}");
}

#[test]
fn speech_of_a_missing_npc_or_past_every_chance_is_an_error() {
    let (err, _) = broken(
        "speech.toml",
        "id = 4 # Meadow Hopper",
        "id = 40",
        "[[npc]]\nid = 40",
    );
    assert!(err.to_string().contains("NPC 40 does not exist"), "{err}");
    let (err, _) = broken(
        "speech.toml",
        "chance = 10",
        "chance = 101",
        "[[npc]]\nid = 4",
    );
    assert!(err.to_string().contains("chance 101"), "{err}");
}

// ----- writing and checking -----

#[test]
fn write_then_compare_finds_changes_missing_and_stale_files() {
    let world = world();
    let out = tempfile::tempdir().unwrap();
    world.write(out.path()).unwrap();
    assert_eq!(world.compare(out.path()).unwrap(), []);

    let map1 = out.path().join("maps/00001.emf");
    let mut bytes = std::fs::read(&map1).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&map1, bytes).unwrap();
    std::fs::remove_file(out.path().join("pub/dat001.ecf")).unwrap();
    std::fs::write(out.path().join("maps/00009.emf"), b"EMF").unwrap();
    std::fs::write(out.path().join("README.md"), b"not the tool's").unwrap();
    assert_eq!(
        world.compare(out.path()).unwrap(),
        [
            Difference::Differs(map1),
            Difference::Missing(out.path().join("pub/dat001.ecf")),
            Difference::Unexpected(out.path().join("maps/00009.emf")),
        ]
    );

    world.write(out.path()).unwrap();
    assert_eq!(world.compare(out.path()).unwrap(), []);
    assert!(
        out.path().join("README.md").exists(),
        "files outside maps/ and pub/ are kept"
    );
}

// ----- shops and skill masters -----

#[test]
fn the_shop_and_skill_master_files_hold_the_documented_records() {
    use eo_protocol::EoSerialize;
    use eo_protocol::pubs::server::{ShopFile, SkillMasterFile};
    let world = world();
    let shops = ShopFile::from_bytes(file(&world, "pub/dts001.esf")).unwrap();
    assert_eq!(shops.shops.len(), 1);
    let marla = &shops.shops[0];
    assert_eq!(
        (marla.behavior_id, marla.name.as_str()),
        (1, "Marla's Wares")
    );
    let trades: Vec<(u16, u32, u32, u8)> = marla
        .trades
        .iter()
        .map(|t| (t.item_id, t.buy_price, t.sell_price, t.max_amount))
        .collect();
    assert_eq!(
        trades,
        [
            (10, 25, 10, 50),
            (4, 2, 1, 200),
            (7, 80, 30, 5),
            (2, 300, 100, 1),
            (9, 0, 40, 1),
            (21, 200, 50, 1),
            (22, 200, 50, 1),
        ]
    );
    let craft = &marla.crafts[0];
    let ingredients: Vec<(u16, u8)> = craft
        .ingredients
        .iter()
        .map(|i| (i.item_id, i.amount))
        .collect();
    assert_eq!(craft.item_id, 20);
    assert_eq!(ingredients, [(7, 1), (4, 20), (0, 0), (0, 0)]);

    let masters = SkillMasterFile::from_bytes(file(&world, "pub/dsm001.emf")).unwrap();
    let wren = &masters.skill_masters[0];
    assert_eq!(
        (wren.behavior_id, wren.name.as_str()),
        (1, "Wren's Lessons")
    );
    let skills: Vec<(u16, u32, u8, [u16; 4], u16)> = wren
        .skills
        .iter()
        .map(|s| {
            (
                s.skill_id,
                s.price,
                s.level_requirement,
                s.skill_requirements,
                s.int_requirement,
            )
        })
        .collect();
    assert_eq!(
        skills,
        [
            (1, 150, 1, [0; 4], 0),
            (2, 400, 2, [1, 0, 0, 0], 2),
            (3, 600, 4, [2, 0, 0, 0], 4),
            (4, 500, 3, [1, 0, 0, 0], 0),
        ]
    );
}

#[test]
fn a_shop_trading_an_unknown_item_is_an_error_at_the_trade() {
    let (err, _) = broken(
        "shops.toml",
        "item = 7 # Leather Cap\nbuy = 80",
        "item = 70\nbuy = 80",
        "[[shop.trade]]\nitem = 70",
    );
    assert!(
        err.to_string()
            .contains("trade item 70 is not an item id (1 to 24)"),
        "{err}"
    );
}

#[test]
fn a_shop_buying_back_above_its_price_is_an_error() {
    let (err, _) = broken(
        "shops.toml",
        "sell = 30",
        "sell = 90",
        "[[shop.trade]]\nitem = 7",
    );
    assert!(
        err.to_string()
            .contains("sell 90 is above buy 80: buying and selling back would make gold"),
        "{err}"
    );
}

#[test]
fn a_shop_of_no_shop_npc_is_an_error_at_the_shop() {
    let (err, _) = broken(
        "shops.toml",
        "behavior_id = 1 # Marla the Trader",
        "behavior_id = 4",
        "[[shop]]\nbehavior_id = 4",
    );
    assert!(
        err.to_string()
            .contains("no NPC of type Shop in npcs.toml has behavior_id 4"),
        "{err}"
    );
}

#[test]
fn a_craft_ingredient_that_does_not_exist_is_an_error() {
    let (err, _) = broken(
        "shops.toml",
        "{ item = 4, amount = 20 }",
        "{ item = 400, amount = 20 }",
        "[[shop.craft]]",
    );
    assert!(
        err.to_string()
            .contains("ingredient item 400 is not an item id"),
        "{err}"
    );
}

#[test]
fn a_skill_of_an_unknown_spell_or_prerequisite_is_an_error_at_the_skill() {
    let (err, _) = broken(
        "trainers.toml",
        "spell = 1 # Mending Light",
        "spell = 9",
        "[[skill_master.skill]]\nspell = 9",
    );
    assert!(
        err.to_string()
            .contains("spell 9 is not a spell id (1 to 4)"),
        "{err}"
    );
    let (err, _) = broken(
        "trainers.toml",
        "requires = [1]",
        "requires = [2]",
        "[[skill_master.skill]]\nspell = 2",
    );
    assert!(
        err.to_string()
            .contains("it requires itself: it could never be learned"),
        "{err}"
    );
}

#[test]
fn a_skill_master_class_that_does_not_exist_is_an_error() {
    let (err, _) = broken(
        "trainers.toml",
        "int_req = 2",
        "int_req = 2\nclass_req = 7",
        "[[skill_master.skill]]\nspell = 2",
    );
    assert!(
        err.to_string()
            .contains("class_req 7 is not a class id (0 for any, or 1 to 4)"),
        "{err}"
    );
}

#[test]
fn a_quest_file_is_named_by_its_id() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src_dir(), dir.path());
    std::fs::write(dir.path().join("quests/rats.eqf"), "Main {}").unwrap();
    let err = build(dir.path()).expect_err("a quest file without its id is refused");
    assert!(err.file().ends_with("quests/rats.eqf"), "{err}");
    assert!(err.to_string().contains("00012.eqf"), "{err}");
}
