//! The jukebox and the bard with real clients, on Mossbrook's jukebox (a Jukebox tile at
//! (2, 10)): a track for gold that the whole map hears, a busy box, a picker short of gold, a
//! jukebox out of reach; notes that only a bard with an instrument plays.

mod common;

use std::time::Duration;

use common::world::{TestWorld, next_id, world};
use common::{TestClient, TestServer, edited_player, expect, map_barrier, saved_character};
use eo_protocol::Coords;
use eo_protocol::net::client::{
    JukeboxMsgClientPacket, JukeboxOpenClientPacket, JukeboxUseClientPacket,
};
use eo_protocol::net::server::ServerPacket;

/// Next to the jukebox, and far from it (24 steps).
const NEAR: (u8, u8) = (3, 10);
const FAR: (u8, u8) = (20, 16);

fn gold(c: &eo_server::db::Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

fn open() -> JukeboxOpenClientPacket {
    JukeboxOpenClientPacket {
        coords: Coords { x: 2, y: 10 },
    }
}

fn pick(track_id: u16) -> JukeboxMsgClientPacket {
    JukeboxMsgClientPacket { track_id }
}

/// No jukebox packet comes before the map barrier.
async fn no_jukebox_answer(client: &mut TestClient) -> Vec<ServerPacket> {
    let seen = map_barrier(client).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::JukeboxOpen(_)
                | ServerPacket::JukeboxAgree(_)
                | ServerPacket::JukeboxReply(_)
                | ServerPacket::JukeboxUse(_)
                | ServerPacket::JukeboxMsg(_)
        )),
        "{seen:?}"
    );
    seen
}

#[tokio::test]
async fn a_track_costs_gold_the_map_hears_it_and_the_box_is_busy() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id, _) = edited_player(&server, "alice", |c| {
        (c.x, c.y) = NEAR;
        c.inventory = vec![(1, 100)];
    })
    .await;
    let (mut bobby, _, _) = edited_player(&server, "bobby", |c| {
        (c.x, c.y) = FAR;
        c.inventory = vec![(1, 100)];
    })
    .await;

    alice.send(&open()).await;
    let opened = expect(&mut alice, |p| match p {
        ServerPacket::JukeboxOpen(open) => Some(open),
        _ => None,
    })
    .await;
    assert_eq!((opened.map_id, opened.jukebox_player.as_str()), (1, ""));

    // Track 4 in the client's list (0-based 3) for 25 gold.
    alice.send(&pick(3)).await;
    let left = expect(&mut alice, |p| match p {
        ServerPacket::JukeboxAgree(agree) => Some(agree.gold_amount),
        _ => None,
    })
    .await;
    assert_eq!(left, 75);
    for client in [&mut alice, &mut bobby] {
        let track = expect(client, |p| match p {
            ServerPacket::JukeboxUse(play) => Some(play.track_id),
            _ => None,
        })
        .await;
        assert_eq!(track, 4, "the whole map hears it, 1-based");
    }

    // Busy now: the list names the picker, and another pick is refused for nothing.
    alice.send(&open()).await;
    let opened = expect(&mut alice, |p| match p {
        ServerPacket::JukeboxOpen(open) => Some(open.jukebox_player),
        _ => None,
    })
    .await;
    assert_eq!(opened, "alice");
    alice.send(&pick(5)).await;
    expect(&mut alice, |p| match p {
        ServerPacket::JukeboxReply(_) => Some(()),
        ServerPacket::JukeboxAgree(_) | ServerPacket::JukeboxUse(_) => panic!("played: {p:?}"),
        _ => None,
    })
    .await;

    // Far from the jukebox: nothing at all.
    bobby.send(&open()).await;
    bobby.send(&pick(1)).await;
    no_jukebox_answer(&mut bobby).await;

    drop(alice);
    let mut control = common::Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while gold(&saved_character(&server, alice_id).await) != 75 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the gold paid is kept"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn a_picker_short_of_gold_or_off_the_list_gets_nothing() {
    let server = TestServer::start(|c| {
        c.jukebox.cost = 30;
        c.jukebox.max_track_id = 10;
        c.jukebox.track_secs = 1;
    })
    .await;
    let (mut carol, _, _) = edited_player(&server, "carol", |c| {
        (c.x, c.y) = NEAR;
        c.inventory = vec![(1, 29)];
    })
    .await;
    carol.send(&pick(0)).await;
    expect(&mut carol, |p| match p {
        ServerPacket::JukeboxReply(_) => Some(()),
        ServerPacket::JukeboxAgree(_) | ServerPacket::JukeboxUse(_) => panic!("played: {p:?}"),
        _ => None,
    })
    .await;
    // A track past the list (the 11th of 10), and the largest number: no answer.
    carol.send(&pick(10)).await;
    carol.send(&pick(64_008)).await;
    no_jukebox_answer(&mut carol).await;
    server.stop().await;

    // With the gold, a box busy for a second is free again after it.
    let server = TestServer::start(|c| {
        c.jukebox.cost = 30;
        c.jukebox.track_secs = 1;
    })
    .await;
    let (mut dave, _, _) = edited_player(&server, "dave", |c| {
        (c.x, c.y) = NEAR;
        c.inventory = vec![(1, 60)];
    })
    .await;
    for left in [30, 0] {
        dave.send(&pick(0)).await;
        let agreed = expect(&mut dave, |p| match p {
            ServerPacket::JukeboxAgree(agree) => Some(agree.gold_amount),
            ServerPacket::JukeboxReply(_) => None,
            _ => None,
        })
        .await;
        assert_eq!(agreed, left);
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    server.stop().await;
}

/// The bundled world with a lute (an instrument: doll graphic 49), a flute whose doll graphic
/// is no instrument, and a Bard spell.
struct BardWorld {
    world: TestWorld,
    lute: u16,
    flute: u16,
    song: u16,
}

fn bard_world() -> BardWorld {
    let lute = next_id("items.toml", "item");
    let flute = lute + 1;
    let song = next_id("spells.toml", "spell");
    let world = world()
        .append(
            "items.toml",
            &format!(
                "[[item]]\nid = {lute}\nname = \"Lute\"\ntype = \"Weapon\"\ngraphic = 2\n\
                 doll_graphic = 49\nweight = 1\n\n\
                 [[item]]\nid = {flute}\nname = \"Tin Flute\"\ntype = \"Weapon\"\ngraphic = 2\n\
                 doll_graphic = 48\nweight = 1\n"
            ),
        )
        .append(
            "spells.toml",
            &format!(
                "[[spell]]\nid = {song}\nname = \"Song\"\nchant = \"la\"\nicon = 1\n\
                 graphic = 1\ntype = \"Bard\"\ntarget_type = \"SelfTarget\"\n"
            ),
        )
        .build();
    BardWorld {
        world,
        lute,
        flute,
        song,
    }
}

fn note(instrument_id: u8, note_id: u8) -> JukeboxUseClientPacket {
    JukeboxUseClientPacket {
        instrument_id,
        note_id,
    }
}

#[tokio::test]
async fn a_bard_with_an_instrument_plays_notes_the_others_hear() {
    let BardWorld {
        world,
        lute,
        flute,
        song,
    } = bard_world();
    let server = TestServer::start(|c| c.world.data_dir = world.data_dir.clone()).await;
    let (mut bard, _, entered) = edited_player(&server, "bard", |c| {
        c.equipment.weapon = lute;
        c.spells = vec![(song, 1)];
    })
    .await;
    let bard_id = entered.nearby.characters[0].player_id;
    let (mut listener, _, _) = edited_player(&server, "listener", |_| {}).await;
    // Not a bard (no Bard spell), though with the lute.
    let (mut player, _, _) = edited_player(&server, "player", |c| c.equipment.weapon = lute).await;
    // A bard, but the flute is no instrument.
    let (mut flutist, _, _) = edited_player(&server, "flutist", |c| {
        c.equipment.weapon = flute;
        c.spells = vec![(song, 1)];
    })
    .await;

    bard.send(&note(49, 12)).await;
    let heard = expect(&mut listener, |p| match p {
        ServerPacket::JukeboxMsg(heard) => Some(heard),
        _ => None,
    })
    .await;
    assert_eq!(
        (heard.player_id, heard.instrument_id, heard.note_id),
        (bard_id, 49, 12)
    );

    // A note past 36, note 0, an instrument the bard does not hold, one not on the list, and
    // the others' notes: nobody hears anything.
    bard.send(&note(49, 37)).await;
    bard.send(&note(49, 0)).await;
    bard.send(&note(50, 3)).await;
    player.send(&note(49, 3)).await;
    flutist.send(&note(48, 3)).await;
    flutist.send(&note(49, 3)).await;
    for client in [&mut bard, &mut player, &mut flutist] {
        map_barrier(client).await;
    }
    no_jukebox_answer(&mut listener).await;
    server.stop().await;
}
