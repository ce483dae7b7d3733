//! `remap` and `repub` with real clients, the real control socket and real files: a test world
//! is built, served, then its map or pub files are overwritten with those of a second build,
//! and the command puts them in force while the players are in the game.

mod common;

use std::path::Path;

use common::admin::{follow_warp, player_at_level, say, server_line};
use common::world::{TestWorld, added_npc, next_id, world};
use common::{Control, TestClient, TestServer, create_character, enter_character, expect};
use eo_protocol::data_file::header_rid;
use eo_protocol::net::client::{
    FileType, ItemUseClientPacket, RefreshRequestClientPacket, WarpTakeClientPacket,
    WelcomeAgreeClientPacket, WelcomeAgreeClientPacketFileTypeData,
    WelcomeAgreeClientPacketFileTypeDataEif, WelcomeAgreeClientPacketFileTypeDataEmf,
    WelcomeAgreeClientPacketFileTypeDataEnf, WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    InitInitServerPacketReplyCodeData, NearbyInfo, ServerPacket,
    WarpRequestServerPacketWarpTypeData, WarpType, WelcomeReplyServerPacketWelcomeCodeData,
    WelcomeReplyServerPacketWelcomeCodeDataSelectCharacter,
};
use serde_json::json;

/// NPC 4 of the bundled world, Meadow Hopper (Passive).
const HOPPER: u16 = 4;
/// NPC 1 of the bundled world, Marla the Trader (Shop).
const MARLA: u16 = 1;

/// A walled quarry 10 x 8, relog (5, 2), with one NPC `npc` standing at (7, 5); with
/// `rockfall`, (2, 3) is a wall.
fn quarry(npc: u16, rockfall: bool) -> String {
    let row3 = if rockfall { "#.#......#" } else { "#........#" };
    format!(
        r#"
name = "Test Quarry"
type = "Normal"
width = 10
height = 8
fill_tile = 1
relog = {{ x = 5, y = 2 }}
layout = '''
##########
#........#
#........#
{row3}
#........#
#........#
#........#
##########
'''

[[npc]]
x = 7
y = 5
npc = {npc}
spawn_type = 7
spawn_time = 0
"#
    )
}

/// The file of map `map` in a built world.
fn map_file(world: &TestWorld, map: u16) -> std::path::PathBuf {
    world.data_dir.join("maps").join(format!("{map:05}.emf"))
}

/// Copies every file of `from`'s `pub/` over `to`'s.
fn copy_pubs(from: &TestWorld, to: &TestWorld) {
    for entry in std::fs::read_dir(from.data_dir.join("pub")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            to.data_dir.join("pub").join(entry.file_name()),
        )
        .unwrap();
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// The next map file pushed to the client (Init_Init with reply MapMutation).
async fn mutation(client: &mut TestClient) -> Vec<u8> {
    expect(client, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::MapMutation(m)) => {
                Some(m.map_file.content.to_vec())
            }
            _ => None,
        },
        _ => None,
    })
    .await
}

/// What the client sees after a Refresh_Request.
async fn refresh(client: &mut TestClient) -> NearbyInfo {
    client.send(&RefreshRequestClientPacket).await;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(reply) => Some(reply.nearby),
        _ => None,
    })
    .await
}

/// Refreshes until `seen` holds for what the client sees (NPCs spawn on the map's tick).
async fn refresh_until(client: &mut TestClient, seen: impl Fn(&NearbyInfo) -> bool) -> NearbyInfo {
    for _ in 0..100 {
        let nearby = refresh(client).await;
        if seen(&nearby) {
            return nearby;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the client never saw what it waited for");
}

/// Asks for a pub file (the EIF, or the ENF) with Welcome_Agree and returns the bytes served.
async fn download(client: &mut TestClient, session_id: u16, file: FileType) -> Vec<u8> {
    let file_type_data = match file {
        FileType::Eif => {
            WelcomeAgreeClientPacketFileTypeData::Eif(WelcomeAgreeClientPacketFileTypeDataEif {
                file_id: 1,
            })
        }
        _ => WelcomeAgreeClientPacketFileTypeData::Enf(WelcomeAgreeClientPacketFileTypeDataEnf {
            file_id: 1,
        }),
    };
    client
        .send(&WelcomeAgreeClientPacket {
            file_type: file,
            session_id,
            file_type_data: Some(file_type_data),
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::FileEif(f)) => Some(f.pub_file.content),
            Some(InitInitServerPacketReplyCodeData::FileEnf(f)) => Some(f.pub_file.content),
            _ => None,
        },
        _ => None,
    })
    .await
    .to_vec()
}

/// The map's file as a client in the game downloads it (Welcome_Agree), asking for `map`.
async fn download_map(client: &mut TestClient, session_id: u16, map: u16) -> Vec<u8> {
    client
        .send(&WelcomeAgreeClientPacket {
            file_type: FileType::Emf,
            session_id,
            file_type_data: Some(WelcomeAgreeClientPacketFileTypeData::Emf(
                WelcomeAgreeClientPacketFileTypeDataEmf { file_id: map },
            )),
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::FileEmf(f)) => Some(f.map_file.content),
            _ => None,
        },
        _ => None,
    })
    .await
    .to_vec()
}

/// Logs `name` in (creating it if needed) and chooses the character: what Welcome_Reply
/// announces (the files' rids and sizes), before entering the game.
async fn select(
    server: &TestServer,
    name: &str,
) -> (
    TestClient,
    WelcomeReplyServerPacketWelcomeCodeDataSelectCharacter,
) {
    let mut client = TestClient::connected(server.addr).await;
    let id = create_character(&mut client, name).await;
    client
        .send(&WelcomeRequestClientPacket {
            character_id: id as u32,
        })
        .await;
    let ServerPacket::WelcomeReply(reply) = client.recv().await else {
        panic!("expected Welcome_Reply")
    };
    let Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(select)) =
        reply.welcome_code_data
    else {
        panic!("expected SelectCharacter")
    };
    (client, select)
}

/// The gm's answer and the map file pushed to it, in either order (the map's push and the
/// command's answer travel different paths).
async fn answer_and_mutation(gm: &mut TestClient) -> (String, Vec<u8>) {
    let (mut line, mut file) = (None, None);
    while line.is_none() || file.is_none() {
        match gm.recv().await {
            ServerPacket::TalkServer(talk) => line = Some(talk.message),
            ServerPacket::InitInit(init) => {
                if let Some(InitInitServerPacketReplyCodeData::MapMutation(m)) =
                    init.reply_code_data
                {
                    file = Some(m.map_file.content.to_vec());
                }
            }
            _ => {}
        }
    }
    (line.unwrap(), file.unwrap())
}

#[tokio::test]
async fn remap_sends_the_new_map_to_the_players_on_it() {
    let before = world().map(&quarry(HOPPER, false)).build();
    let after = world().map(&quarry(MARLA, true)).build();
    let map = before.first_new_map;
    assert_eq!(after.first_new_map, map);
    let (old_file, new_file) = (read(&map_file(&before, map)), read(&map_file(&after, map)));
    assert_ne!(old_file, new_file);
    let server = before.serve((map, 5, 2), |c| c.npcs.tick_ms = 20).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "mason", 4).await;
    let mut digger = TestClient::connected(server.addr).await;
    let id = create_character(&mut digger, "digger").await;
    let session = enter_character(&mut digger, id).await.select.session_id;
    let mut rover = player_at_level(&server, &mut control, "rover", 0).await;
    control
        .ok("warp", json!({"name": "rover", "map": 1, "x": 16, "y": 9}))
        .await;
    assert_eq!(follow_warp(&mut rover, "rover").await.1, 1);
    // The digger stands where the rockfall will be, on a pile; another pile by the gm.
    control
        .ok(
            "warp",
            json!({"name": "digger", "map": map, "x": 2, "y": 3}),
        )
        .await;
    assert_eq!(
        follow_warp(&mut digger, "digger").await,
        (WarpType::Local, map, 2, 3)
    );
    control
        .ok("ditem", json!({"item": 2, "name": "digger"}))
        .await;
    control
        .ok("ditem", json!({"item": 3, "name": "mason"}))
        .await;
    refresh_until(&mut digger, |seen| {
        seen.npcs.iter().any(|n| n.id == HOPPER) && seen.items.len() == 2
    })
    .await;

    std::fs::copy(map_file(&after, map), map_file(&before, map)).unwrap();
    say(&mut gm, "$remap").await;
    // The digger's client gets the new file, then a warp off the rock, within the map.
    assert_eq!(mutation(&mut digger).await, new_file);
    assert_eq!(
        follow_warp(&mut digger, "digger").await,
        (WarpType::Local, map, 2, 2)
    );
    let (answer, pushed) = answer_and_mutation(&mut gm).await;
    assert_eq!(pushed, new_file);
    assert_eq!(
        answer,
        format!("Map {map} reloaded: 2 player(s) sent the new file, 1 moved.")
    );
    // The new spawn list's NPC replaces the old one; the pile under the rock is gone.
    let seen = refresh_until(&mut digger, |seen| seen.npcs.iter().any(|n| n.id == MARLA)).await;
    assert!(seen.npcs.iter().all(|n| n.id != HOPPER), "{:?}", seen.npcs);
    let piles: Vec<(u16, u8, u8)> = seen
        .items
        .iter()
        .map(|i| (i.id, i.coords.x, i.coords.y))
        .collect();
    assert_eq!(piles, [(3, 5, 2)]);
    // A client asking for the map in the game gets the new file.
    assert_eq!(download_map(&mut digger, session, map).await, new_file);
    // Elsewhere, a warp to the map announces the new file, and the download serves it.
    control
        .ok("warp", json!({"name": "rover", "map": map, "x": 6, "y": 6}))
        .await;
    let request = expect(&mut rover, |p| match p {
        ServerPacket::WarpRequest(request) => Some(request),
        _ => None,
    })
    .await;
    let Some(WarpRequestServerPacketWarpTypeData::MapSwitch(switch)) = request.warp_type_data
    else {
        panic!("expected a map switch")
    };
    assert_eq!(
        (switch.map_rid, switch.map_file_size as usize),
        (header_rid(&new_file).unwrap(), new_file.len())
    );
    rover
        .send(&WarpTakeClientPacket {
            map_id: request.map_id,
            session_id: request.session_id,
        })
        .await;
    let taken = expect(&mut rover, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::WarpMap(m)) => Some(m.map_file.content),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(taken.to_vec(), new_file);

    // The same file again changes nothing and pushes nothing.
    let result = control.ok("remap", json!({"map": map})).await;
    assert_eq!(result, json!({"map": map, "changed": false}));
    // The operator puts the old file back by the socket: everyone on it gets it again, the
    // NPCs are replaced again, and nobody stands on a wall.
    std::fs::write(map_file(&before, map), &old_file).unwrap();
    let result = control.ok("remap", json!({"map": map})).await;
    assert_eq!(
        (
            &result["changed"],
            &result["players"],
            &result["moved"],
            &result["npcs_replaced"],
            &result["items_removed"],
            &result["size"],
        ),
        (
            &json!(true),
            &json!(2),
            &json!([]),
            &json!(true),
            &json!(0),
            &json!(old_file.len())
        )
    );
    assert_eq!(mutation(&mut digger).await, old_file);
    assert_eq!(mutation(&mut gm).await, old_file);
    let audit = control.ok("audit", json!({"limit": 3})).await;
    let commands: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["command"].as_str())
        .collect();
    assert!(commands.contains(&"remap"), "{audit}");
    server.stop().await;
}

#[tokio::test]
async fn a_map_that_does_not_load_or_check_is_refused_and_nothing_changes() {
    let before = world().map(&quarry(HOPPER, false)).build();
    let after = world().map(&quarry(MARLA, true)).build();
    let map = before.first_new_map;
    let (old_file, new_file) = (read(&map_file(&before, map)), read(&map_file(&after, map)));
    // New characters start on (2, 3), where the new map has a wall.
    let server = before.serve((map, 2, 3), |c| c.npcs.tick_ms = 20).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "mason", 4).await;
    let mut digger = TestClient::connected(server.addr).await;
    let id = create_character(&mut digger, "digger").await;
    let session = enter_character(&mut digger, id).await.select.session_id;

    // A file cut short (still being copied) and one that is not a map are refused.
    std::fs::write(map_file(&before, map), &new_file[..new_file.len() - 9]).unwrap();
    let reply = control.call("remap", json!({"map": map})).await;
    assert_eq!(reply["error"]["code"], "failed", "{reply}");
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{map:05}.emf"))
            && message.contains("cut short")
            && message.ends_with("nothing was changed"),
        "{message}"
    );
    std::fs::write(map_file(&before, map), b"EIF not a map at all").unwrap();
    let reply = control.call("remap", json!({"map": map})).await;
    assert_eq!(reply["error"]["code"], "failed", "{reply}");
    say(&mut gm, "$remap").await;
    let line = server_line(&mut gm).await;
    assert!(line.starts_with("$remap failed: "), "{line}");
    // A whole file that puts the spawn point on a wall is refused too.
    std::fs::write(map_file(&before, map), &new_file).unwrap();
    let reply = control.call("remap", json!({"map": map})).await;
    assert_eq!(reply["error"]["code"], "failed", "{reply}");
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(message.contains("world.spawn_x"), "{message}");
    // Nothing reached the players, the old file is served, and the old NPC stays.
    let before_barrier = common::map_barrier(&mut digger).await;
    assert!(
        before_barrier
            .iter()
            .all(|p| !matches!(p, ServerPacket::InitInit(_))),
        "{before_barrier:?}"
    );
    assert_eq!(download_map(&mut digger, session, map).await, old_file);
    refresh_until(&mut digger, |seen| seen.npcs.iter().any(|n| n.id == HOPPER)).await;
    let (mut later, select) = select(&server, "later").await;
    assert_eq!(
        (select.map_rid, select.map_file_size as usize),
        (header_rid(&old_file).unwrap(), old_file.len())
    );
    assert_eq!(
        download_map(&mut later, select.session_id, map).await,
        old_file
    );
    // Maps the server did not start with, or does not have, are named.
    let reply = control.call("remap", json!({"map": 999})).await;
    assert_eq!(reply["error"]["code"], "not_found", "{reply}");
    let reply = control.call("remap", json!({})).await;
    assert_eq!(reply["error"]["code"], "bad_request", "{reply}");
    server.stop().await;
}

#[tokio::test]
async fn remap_and_repub_need_their_admin_level_and_a_data_folder() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    say(&mut guardian, "$remap").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $remap.");
    say(&mut guardian, "$repub announce").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $repub.");
    // The bundled world's files, reread as they are: nothing changed.
    say(&mut gm, "$remap").await;
    assert_eq!(server_line(&mut gm).await, "Map 1's file has not changed.");
    say(&mut gm, "$repub").await;
    assert_eq!(
        server_line(&mut gm).await,
        "Pub files reloaded (nothing changed); 0 player(s) told."
    );
    say(&mut gm, "$remap 1 2").await;
    assert!(server_line(&mut gm).await.starts_with("Usage: $remap"));
    server.stop().await;

    // The world built into the binary has no files to reread.
    let server = TestServer::start(|c| c.world.data_dir = std::path::PathBuf::new()).await;
    let mut control = Control::connect(&server.socket).await;
    for (command, args) in [("remap", json!({"map": 1})), ("repub", json!({}))] {
        let reply = control.call(command, args).await;
        assert_eq!(reply["error"]["code"], "failed", "{reply}");
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .contains("bundled world"),
            "{reply}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn repub_puts_new_pub_files_in_force() {
    // Two of each: the first takes the place of the bundled files' closing "eof" record, so
    // the second is past the end of the bundled files.
    let stone = next_id("items.toml", "item") + 1;
    let mole = added_npc(2);
    let item = |id: u16, name: &str| {
        format!("[[item]]\nid = {id}\nname = \"{name}\"\ntype = \"General\"\nweight = 1\n")
    };
    let npc = |id: u16, name: &str| {
        format!("[[npc]]\nid = {id}\nname = \"{name}\"\ntype = \"Passive\"\nhp = 10\n")
    };
    let before = world()
        .append(
            "items.toml",
            &(item(stone - 1, "Quarry Dust") + &item(stone, "Quarry Stone")),
        )
        .append(
            "npcs.toml",
            &(npc(mole - 1, "Quarry Rat") + &npc(mole, "Quarry Mole")),
        )
        .map(&quarry(mole, false))
        .build();
    // The bundled pub files: the stone and the mole are not in them.
    let after = world().build();
    let pub_file = |w: &TestWorld, name: &str| read(&w.data_dir.join("pub").join(name));
    let (old_eif, new_eif) = (
        pub_file(&before, "dat001.eif"),
        pub_file(&after, "dat001.eif"),
    );
    let (old_enf, new_enf) = (
        pub_file(&before, "dtn001.enf"),
        pub_file(&after, "dtn001.enf"),
    );
    let map = before.first_new_map;
    let server = before.serve((map, 2, 2), |c| c.npcs.tick_ms = 20).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "mason", 4).await;
    let mut digger = player_at_level(&server, &mut control, "digger", 0).await;
    control
        .ok(
            "sitem",
            json!({"item": stone, "amount": 3, "name": "digger"}),
        )
        .await;
    refresh_until(&mut digger, |seen| seen.npcs.iter().any(|n| n.id == mole)).await;

    // Quietly (EOSERV's default): nobody is told, but the files are in force.
    copy_pubs(&after, &before);
    let result = control.ok("repub", json!({})).await;
    assert_eq!(result["changed"], json!(["items", "npcs"]), "{result}");
    assert_eq!(
        (&result["told"], &result["npcs_gone"]),
        (&json!(0), &json!(1))
    );
    // The mole's record is gone: it left the digger's sight (and the map).
    let gone = expect(&mut digger, |p| match p {
        ServerPacket::RefreshReply(reply) => Some(reply.nearby),
        _ => None,
    })
    .await;
    assert!(gone.npcs.iter().all(|n| n.id != mole), "{:?}", gone.npcs);
    // The stone it carries is no item now: using it does nothing, and nothing breaks.
    digger.send(&ItemUseClientPacket { item_id: stone }).await;
    let seen = common::map_barrier(&mut digger).await;
    assert!(
        seen.iter()
            .all(|p| !matches!(p, ServerPacket::TalkServer(_) | ServerPacket::ItemReply(_))),
        "{seen:?}"
    );
    assert!(refresh(&mut digger).await.npcs.iter().all(|n| n.id != mole));
    // It logs in again with the stone: its inventory still lists it, and the game goes on.
    drop(digger);
    let mut digger = TestClient::connected(server.addr).await;
    let id = create_character(&mut digger, "digger").await;
    let entered = enter_character(&mut digger, id).await;
    assert!(
        entered
            .enter
            .items
            .iter()
            .any(|i| i.id == stone && i.amount == 3),
        "{:?}",
        entered.enter.items
    );
    common::map_barrier(&mut digger).await;
    // A client entering the game now is told of the new files, and downloads them.
    let (mut later, select) = select(&server, "later").await;
    assert_eq!(
        (select.eif_rid, select.enf_rid),
        (header_rid(&new_eif).unwrap(), header_rid(&new_enf).unwrap())
    );
    assert_eq!(
        download(&mut later, select.session_id, FileType::Eif).await,
        new_eif
    );
    assert_eq!(
        download(&mut later, select.session_id, FileType::Enf).await,
        new_enf
    );

    // With `announce`, the players are told to log in again when a client file changed.
    std::fs::write(before.data_dir.join("pub/dat001.eif"), &old_eif).unwrap();
    std::fs::write(before.data_dir.join("pub/dtn001.enf"), &old_enf).unwrap();
    say(&mut gm, "$repub announce").await;
    let told = server_line(&mut digger).await;
    assert!(told.contains("Log out and in again"), "{told}");
    let mut lines = [server_line(&mut gm).await, server_line(&mut gm).await];
    lines.sort();
    assert_eq!(
        lines[0],
        "Pub files reloaded (items, npcs changed); 2 player(s) told."
    );
    assert_eq!(lines[1], told);

    // A file cut short (still being copied) is refused, and the files in force stay.
    std::fs::write(
        before.data_dir.join("pub/dtn001.enf"),
        &old_enf[..old_enf.len() - 5],
    )
    .unwrap();
    let reply = control.call("repub", json!({"announce": true})).await;
    assert_eq!(reply["error"]["code"], "failed", "{reply}");
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("dtn001.enf") && message.ends_with("nothing was changed"),
        "{message}"
    );
    let (_, select) = self::select(&server, "latest").await;
    assert_eq!(
        (select.eif_rid, select.enf_rid),
        (header_rid(&old_eif).unwrap(), header_rid(&old_enf).unwrap())
    );
    let quiet = common::map_barrier(&mut digger).await;
    assert!(
        quiet
            .iter()
            .all(|p| !matches!(p, ServerPacket::TalkServer(_))),
        "{quiet:?}"
    );
    server.stop().await;
}
