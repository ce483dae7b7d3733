//! A world of standard EO files only (maps/*.emf, the pub files, the server pub files, the EO+
//! quests: no drops.toml, formulas.toml or arenas.toml) is a complete world: NPCs drop from
//! `pub/dtd001.edf`, speak from `pub/ttd001.etf`, and inns come from `pub/din001.eid`. A drop
//! file and a drops.toml that disagree stop start-up. And a client that asks for a file while
//! in the game gets it.

mod common;

use std::path::Path;

use common::world::{TestWorld, added_npc, world};
use common::{TestClient, TestServer, edited_player, expect};
use eo_protocol::Direction;
use eo_protocol::EoSerialize;
use eo_protocol::net::client::{
    AttackUseClientPacket, CitizenOpenClientPacket, FileType, ItemGetClientPacket,
    WelcomeAgreeClientPacket, WelcomeAgreeClientPacketFileTypeData,
    WelcomeAgreeClientPacketFileTypeDataEcf, WelcomeAgreeClientPacketFileTypeDataEmf,
    WelcomeAgreeClientPacketFileTypeDataEnf,
};
use eo_protocol::net::server::{InitInitServerPacketReplyCodeData, ServerPacket};
use eo_protocol::pubs::server::{DropFile, DropNpcRecord, DropRecord};

/// Two NPCs after the bundled ones: a dummy that dies at the first blow, and a talker.
fn dummy_id() -> u16 {
    added_npc(1)
}
fn talker_id() -> u16 {
    added_npc(2)
}
/// Crimson Dye: the dummy drops 3 of them, always (64,000 in 64,000).
const DYE: u16 = 13;

/// The bundled world plus an arena (the first new map) with the dummy at (3, 2) and the
/// talker at (6, 3), built by eo-worldgen, then stripped of everything but standard EO
/// files, with a drop file written by the protocol crate's writer.
fn standard_world() -> TestWorld {
    let (dummy, talker) = (dummy_id(), talker_id());
    let world = world()
        .append(
            "npcs.toml",
            &format!(
                "[[npc]]\nid = {dummy}\nname = \"Standard Dummy\"\ngraphic = 4\ntype = \"Passive\"\nhp = 1\n\
                 level = 1\nexperience = 1\n\n\
                 [[npc]]\nid = {talker}\nname = \"Standard Talker\"\ngraphic = 4\ntype = \"Friendly\"\nhp = 10\n"
            ),
        )
        .append(
            "speech.toml",
            &format!("[[npc]]\nid = {talker}\nchance = 100\nlines = [\"Only standard files here.\"]\n"),
        )
        .map(&format!(
            "name = \"Standard Arena\"\nwidth = 10\nheight = 6\nfill_tile = 1\nrelog = {{ x = 8, y = 4 }}\n\
             layout = '''\n##########\n#........#\n#........#\n#........#\n#........#\n##########\n'''\n\
             [[npc]]\nx = 3\ny = 2\nnpc = {dummy}\nspawn_type = 7\nspawn_time = 3\n\n\
             [[npc]]\nx = 6\ny = 3\nnpc = {talker}\nspawn_type = 7\nspawn_time = 0\n"
        ))
        .build();
    for hand_written in ["arenas.toml", "drops.toml", "formulas.toml"] {
        std::fs::remove_file(world.data_dir.join(hand_written)).unwrap();
    }
    let drops = DropFile {
        npcs: vec![DropNpcRecord {
            npc_id: dummy,
            drops: vec![DropRecord {
                item_id: DYE,
                min_amount: 3,
                max_amount: 3,
                rate: 64_000,
            }],
        }],
    };
    std::fs::write(
        world.data_dir.join("pub/dtd001.edf"),
        drops.to_bytes().unwrap(),
    )
    .unwrap();
    world
}

/// A `drops.toml` in which the dummy drops 3 dyes with `chance` percent.
fn drops_toml(chance: u32) -> String {
    format!(
        "[[npc]]\nid = {}\ndrops = [{{ item = {DYE}, min = 3, max = 3, chance = {chance} }}]\n",
        dummy_id()
    )
}

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    for folder in std::fs::read_dir(dir).unwrap() {
        let folder = folder.unwrap();
        let name = folder.file_name().to_string_lossy().into_owned();
        if folder.file_type().unwrap().is_dir() {
            for file in std::fs::read_dir(folder.path()).unwrap() {
                all.push(format!(
                    "{name}/{}",
                    file.unwrap().file_name().to_string_lossy()
                ));
            }
        } else {
            all.push(name);
        }
    }
    all.sort();
    all
}

async fn attack(client: &mut TestClient, direction: Direction) {
    let timestamp = client.next_walk_stamp();
    client
        .send(&AttackUseClientPacket {
            direction,
            timestamp,
        })
        .await;
}

#[tokio::test]
async fn a_world_of_standard_files_drops_speaks_and_keeps_inns_from_its_server_pub_files() {
    let world = standard_world();
    let arena = world.first_new_map;
    assert_eq!(
        files(&world.data_dir),
        [
            "maps/00001.emf",
            "maps/00002.emf",
            "maps/00003.emf",
            "maps/00004.emf",
            "maps/00005.emf",
            "maps/00006.emf",
            "maps/00007.emf",
            "pub/dat001.ecf",
            "pub/dat001.eif",
            "pub/din001.eid",
            "pub/dsl001.esf",
            "pub/dsm001.emf",
            "pub/dtd001.edf",
            "pub/dtn001.enf",
            "pub/dts001.esf",
            "pub/ttd001.etf",
            "quests/00001.eqf",
            "quests/00002.eqf",
            "quests/00003.eqf",
        ]
    );
    let data_dir = world.data_dir.clone();
    let server = TestServer::start(move |c| {
        c.world.data_dir = data_dir;
        c.npcs.speech_ms = 250;
        // Blows as fast as the test sends them (some may miss under the default formulas).
        c.flood.attack_ms = 0;
    })
    .await;

    // The drop file: the dummy dies and drops its dye.
    let (mut hero, _, entered) = edited_player(&server, "hero", |c| {
        (c.map, c.x, c.y) = (arena, 2, 2);
    })
    .await;
    let dummy = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == dummy_id())
        .expect("the dummy is in view")
        .index;
    let talker = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == talker_id())
        .expect("the talker is in view")
        .index;
    let killed = loop {
        attack(&mut hero, Direction::Right).await;
        let outcome = expect(&mut hero, |p| match p {
            ServerPacket::NpcSpec(spec) => Some(Some(spec.npc_killed_data)),
            ServerPacket::NpcReply(_) => Some(None),
            _ => None,
        })
        .await;
        if let Some(killed) = outcome {
            break killed;
        }
    };
    assert_eq!(killed.npc_index, u16::from(dummy));
    assert_eq!((killed.drop_id, killed.drop_amount), (DYE, 3));
    hero.send(&ItemGetClientPacket {
        item_index: killed.drop_index,
    })
    .await;
    let got = expect(&mut hero, |p| match p {
        ServerPacket::ItemGet(g) => Some(g.taken_item),
        _ => None,
    })
    .await;
    assert_eq!((got.id, got.amount), (DYE, 3));

    // The talk file: the talker speaks.
    let said = expect(&mut hero, |p| match p {
        ServerPacket::NpcPlayer(update) => update
            .chats
            .into_iter()
            .find(|chat| chat.npc_index == talker),
        _ => None,
    })
    .await;
    assert_eq!(said.message, "Only standard files here.");

    // The inn file: Innkeeper Tobin runs the Mossbrook inn.
    let (mut guest, _, entered) = edited_player(&server, "guest", |c| {
        (c.map, c.x, c.y) = (1, 6, 4);
    })
    .await;
    let tobin = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == 2)
        .unwrap()
        .index;
    guest
        .send(&CitizenOpenClientPacket {
            npc_index: u16::from(tobin),
        })
        .await;
    let opened = expect(&mut guest, |p| match p {
        ServerPacket::CitizenOpen(open) => Some(open),
        _ => None,
    })
    .await;
    assert_eq!(opened.behavior_id, 1);
    assert_eq!(opened.questions[1], "Who keeps this inn?");

    // The shop file: Marla the Trader sells from it.
    let marla = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == 1)
        .unwrap()
        .index;
    guest
        .send(&eo_protocol::net::client::ShopOpenClientPacket {
            npc_index: u16::from(marla),
        })
        .await;
    let shop = expect(&mut guest, |p| match p {
        ServerPacket::ShopOpen(open) => Some(open),
        _ => None,
    })
    .await;
    assert!(!shop.trade_items.is_empty(), "{shop:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_drop_file_and_drops_toml_that_disagree_stop_start_up_naming_both_and_the_npc() {
    let world = standard_world();
    std::fs::write(world.data_dir.join("drops.toml"), drops_toml(50)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = eo_server::config::Config::default();
    config.database.path = dir.path().join("test.db");
    config.control.socket = dir.path().join("control.sock");
    config.world.data_dir = world.data_dir.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = eo_server::server::run_with(
        config.clone(),
        listener,
        tokio_util::sync::CancellationToken::new(),
        Default::default(),
    )
    .await
    .expect_err("start-up stops")
    .to_string();
    assert!(
        error.contains(&format!("drops.toml: NPC {} (Standard Dummy)", dummy_id())),
        "{error}"
    );
    assert!(error.contains("pub/dtd001.edf"), "{error}");

    // The same drops in both: it starts (and stops when told to).
    std::fs::write(world.data_dir.join("drops.toml"), drops_toml(100)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    shutdown.cancel();
    eo_server::server::run_with(config, listener, shutdown, Default::default())
        .await
        .expect("the same drops in both are no conflict");
}

#[tokio::test]
async fn a_file_asked_for_in_the_game_is_sent_and_a_wrong_session_drops_the_client() {
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connected(server.addr).await;
    let id = common::create_character(&mut client, "asker").await;
    let entered = common::enter_character(&mut client, id).await;
    let session = entered.select.session_id;
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    let ask = |data| WelcomeAgreeClientPacket {
        file_type: match &data {
            WelcomeAgreeClientPacketFileTypeData::Emf(_) => FileType::Emf,
            WelcomeAgreeClientPacketFileTypeData::Enf(_) => FileType::Enf,
            _ => FileType::Ecf,
        },
        session_id: session,
        file_type_data: Some(data),
    };
    // The map the character is on (the spawn map, 1), and pub files.
    client
        .send(&ask(WelcomeAgreeClientPacketFileTypeData::Emf(
            WelcomeAgreeClientPacketFileTypeDataEmf { file_id: 1 },
        )))
        .await;
    let map = expect(&mut client, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::FileEmf(emf)) => Some(emf.map_file.content),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(
        map.to_vec(),
        std::fs::read(bundled.join("maps/00001.emf")).unwrap()
    );
    for (data, file) in [
        (
            WelcomeAgreeClientPacketFileTypeData::Enf(WelcomeAgreeClientPacketFileTypeDataEnf {
                file_id: 1,
            }),
            "pub/dtn001.enf",
        ),
        (
            WelcomeAgreeClientPacketFileTypeData::Ecf(WelcomeAgreeClientPacketFileTypeDataEcf {
                file_id: 1,
            }),
            "pub/dat001.ecf",
        ),
    ] {
        client.send(&ask(data)).await;
        let content = expect(&mut client, |p| match p {
            ServerPacket::InitInit(init) => match init.reply_code_data {
                Some(InitInitServerPacketReplyCodeData::FileEnf(f)) => Some(f.pub_file.content),
                Some(InitInitServerPacketReplyCodeData::FileEcf(f)) => Some(f.pub_file.content),
                _ => None,
            },
            _ => None,
        })
        .await;
        assert_eq!(content.to_vec(), std::fs::read(bundled.join(file)).unwrap());
    }
    // A map the character is not on, and then a wrong session: the client is dropped.
    client
        .send(&ask(WelcomeAgreeClientPacketFileTypeData::Emf(
            WelcomeAgreeClientPacketFileTypeDataEmf { file_id: 2 },
        )))
        .await;
    assert!(
        client
            .is_closed_within(std::time::Duration::from_secs(5))
            .await
    );
    let mut other = TestClient::connected(server.addr).await;
    let id = common::create_character(&mut other, "wrongses").await;
    let entered = common::enter_character(&mut other, id).await;
    other
        .send(&WelcomeAgreeClientPacket {
            file_type: FileType::Ecf,
            session_id: entered.select.session_id.wrapping_add(1),
            file_type_data: Some(WelcomeAgreeClientPacketFileTypeData::Ecf(
                WelcomeAgreeClientPacketFileTypeDataEcf { file_id: 1 },
            )),
        })
        .await;
    assert!(
        other
            .is_closed_within(std::time::Duration::from_secs(5))
            .await
    );
    server.stop().await;
}
