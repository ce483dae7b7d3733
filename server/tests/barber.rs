//! The barber with real clients: a new hair style and colour for gold, seen by the others and
//! kept; and every way to ask wrongly changes nothing. The bundled world's own barber works too.

mod common;

use common::world::{TestWorld, added_npc, world};
use common::{TestServer, edited_player, expect, map_barrier, npc_index, saved_character};
use eo_protocol::net::client::{BarberBuyClientPacket, BarberOpenClientPacket};
use eo_protocol::net::server::{
    AvatarChangeChangeTypeData, AvatarChangeChangeTypeDataHair, AvatarChangeType, ServerPacket,
};

/// The barber the tests add (the first NPC after the bundled ones).
fn barber_id() -> u16 {
    added_npc(1)
}

/// The bundled world with two test barbers on Mossbrook: one next to the spawn point (18, 9)
/// and one far out of reach (3, 17).
fn barber_world() -> TestWorld {
    let barber = barber_id();
    world()
        .append(
            "npcs.toml",
            &format!(
                "[[npc]]\nid = {barber}\nname = \"Test Barber\"\ntype = \"Barber\"\nhp = 10\n"
            ),
        )
        .append(
            "maps/00001.toml",
            &format!(
                "[[npc]]\nx = 18\ny = 9\nnpc = {barber}\nspawn_type = 7\nspawn_time = 0\n\n\
                 [[npc]]\nx = 3\ny = 17\nnpc = {barber}\nspawn_type = 7\nspawn_time = 0\n"
            ),
        )
        .build()
}

fn gold(c: &eo_server::db::Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

fn buy(style: u8, color: u8, session_id: u32) -> BarberBuyClientPacket {
    BarberBuyClientPacket {
        hair_style: style,
        hair_color: color,
        session_id,
    }
}

#[tokio::test]
async fn a_barber_sells_a_new_look_that_others_see_and_that_is_kept() {
    let world = barber_world();
    let server = TestServer::start(|c| c.world.data_dir = world.data_dir.clone()).await;
    let (mut alice, alice_id, entered) = edited_player(&server, "alice", |c| {
        c.inventory = vec![(1, 1000)];
        c.level = 2;
    })
    .await;
    let (mut bobby, _, _) = edited_player(&server, "bobby", |_| {}).await;
    let near = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == barber_id())
        .expect("the barber is in view")
        .index;

    // Asking to buy before opening changes nothing.
    alice.send(&buy(5, 3, 12345)).await;
    let seen = map_barrier(&mut alice).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::BarberAgree(_))),
        "{seen:?}"
    );
    // The barber far away (out of reach) does not open.
    alice
        .send(&BarberOpenClientPacket {
            npc_index: u16::from(near) + 1,
        })
        .await;
    let seen = map_barrier(&mut alice).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::BarberOpen(_))),
        "{seen:?}"
    );

    alice
        .send(&BarberOpenClientPacket {
            npc_index: u16::from(near),
        })
        .await;
    let session = expect(&mut alice, |p| match p {
        ServerPacket::BarberOpen(open) => Some(open.session_id),
        _ => None,
    })
    .await;
    // A wrong session, a style or a colour the client does not offer, and the look it already
    // has: nothing is sold.
    for wrong in [
        buy(5, 3, session + 1),
        buy(0, 3, session),
        buy(21, 3, session),
        buy(5, 10, session),
        buy(1, 0, session),
    ] {
        alice.send(&wrong).await;
    }
    let seen = map_barrier(&mut alice).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::BarberAgree(_))),
        "{seen:?}"
    );

    alice.send(&buy(5, 3, session)).await;
    let agreed = expect(&mut alice, |p| match p {
        ServerPacket::BarberAgree(agree) => Some(agree),
        _ => None,
    })
    .await;
    // Level 2 pays 2 * 200.
    assert_eq!(agreed.gold_amount, 600);
    let hair = Some(AvatarChangeChangeTypeData::Hair(
        AvatarChangeChangeTypeDataHair {
            hair_style: 5,
            hair_color: 3,
        },
    ));
    assert_eq!(agreed.change.change_type, AvatarChangeType::Hair);
    assert_eq!(agreed.change.change_type_data, hair);
    let seen = expect(&mut bobby, |p| match p {
        ServerPacket::AvatarAgree(agree) => Some(agree.change),
        _ => None,
    })
    .await;
    assert_eq!(
        (seen.player_id, seen.change_type_data),
        (alice_id_on_map(&entered), hair)
    );

    // Kept: the saved character has the look and the gold left.
    drop(alice);
    let mut control = common::Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let saved = saved_character(&server, alice_id).await;
        if (saved.hair_style, saved.hair_color, gold(&saved)) == (5, 3, 600) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not saved: {saved:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.stop().await;
}

/// The player id the entering character got (it sees itself first in the nearby list).
fn alice_id_on_map(
    entered: &eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
) -> u16 {
    entered.nearby.characters[0].player_id
}

#[tokio::test]
async fn a_barber_sells_nothing_to_a_character_short_of_gold() {
    let world = barber_world();
    let server = TestServer::start(|c| {
        c.world.data_dir = world.data_dir.clone();
        c.barber.base_cost = 50;
    })
    .await;
    let (mut carol, carol_id, entered) =
        edited_player(&server, "carol", |c| c.inventory = vec![(1, 249)]).await;
    let near = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == barber_id())
        .unwrap()
        .index;
    carol
        .send(&BarberOpenClientPacket {
            npc_index: u16::from(near),
        })
        .await;
    let session = expect(&mut carol, |p| match p {
        ServerPacket::BarberOpen(open) => Some(open.session_id),
        _ => None,
    })
    .await;
    // Level 0 pays as level 1: 50 + 200 = 250, one more than carol has.
    carol.send(&buy(7, 7, session)).await;
    let seen = map_barrier(&mut carol).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::BarberAgree(_))),
        "{seen:?}"
    );
    drop(carol);
    let mut control = common::Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
    let saved = saved_character(&server, carol_id).await;
    assert_eq!(gold(&saved), 249);
    assert_ne!((saved.hair_style, saved.hair_color), (7, 7));
    server.stop().await;
}

/// Snip the Barber (NPC 9), the bundled world's barber, on Mossbrook's square at (21, 7).
const SNIP: u16 = 9;

#[tokio::test]
async fn the_bundled_barber_on_the_mossbrook_square_cuts_hair() {
    // The bundled world as it ships: no test world.
    let server = TestServer::start(|_| {}).await;
    let (mut dora, dora_id, entered) = edited_player(&server, "dora", |c| {
        c.inventory = vec![(1, 500)];
        (c.map, c.x, c.y) = (1, 21, 8);
    })
    .await;
    let snip = npc_index(&mut dora, &entered, SNIP).await;
    dora.send(&BarberOpenClientPacket {
        npc_index: u16::from(snip),
    })
    .await;
    let session = expect(&mut dora, |p| match p {
        ServerPacket::BarberOpen(open) => Some(open.session_id),
        _ => None,
    })
    .await;
    dora.send(&buy(4, 2, session)).await;
    let agreed = expect(&mut dora, |p| match p {
        ServerPacket::BarberAgree(agree) => Some(agree),
        _ => None,
    })
    .await;
    // Level 0 pays as level 1: 0 + 200 by default.
    assert_eq!(agreed.gold_amount, 300);
    assert_eq!(
        agreed.change.change_type_data,
        Some(AvatarChangeChangeTypeData::Hair(
            AvatarChangeChangeTypeDataHair {
                hair_style: 4,
                hair_color: 2,
            },
        ))
    );
    drop(dora);
    let mut control = common::Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let saved = saved_character(&server, dora_id).await;
        if (saved.hair_style, saved.hair_color, gold(&saved)) == (4, 2, 300) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not saved: {saved:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.stop().await;
}
