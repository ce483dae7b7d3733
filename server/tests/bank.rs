//! The bank with real clients: Banker Odell (NPC 3) takes and gives gold and sells locker
//! upgrades, and what the bank holds is saved and there again after a new login; every way to
//! ask wrongly changes nothing, and no gold is made or lost.

mod common;

use std::time::Duration;

use common::world::{TestWorld, world};
use common::{
    Control, TestClient, TestServer, create_character, edited_player, enter_character, expect,
    map_barrier, saved_character,
};
use eo_protocol::net::client::{
    BankAddClientPacket, BankOpenClientPacket, BankTakeClientPacket, LockerBuyClientPacket,
};
use eo_protocol::net::server::{
    BankOpenServerPacket, BankReplyServerPacket, LockerBuyServerPacket, ServerPacket,
    WelcomeReplyServerPacketWelcomeCodeDataEnterGame as Entered,
};
use eo_server::db::Character;

const BANKER: u16 = 3;
const SHOPKEEPER: u16 = 1;

/// The bundled world with a second Banker Odell far out of reach, in the pen (3, 17).
fn bank_world() -> TestWorld {
    world()
        .append(
            "maps/00001.toml",
            "[[npc]]\nx = 3\ny = 17\nnpc = 3\nspawn_type = 7\nspawn_time = 0\n",
        )
        .build()
}

fn gold(c: &Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

/// The index of the NPC `id` nearest to `at` among those in view on entering.
fn npc_index(entered: &Entered, id: u16, at: (u8, u8)) -> u16 {
    let distance = |x: u8, y: u8| x.abs_diff(at.0) as u32 + y.abs_diff(at.1) as u32;
    entered
        .nearby
        .npcs
        .iter()
        .filter(|n| n.id == id)
        .min_by_key(|n| distance(n.coords.x, n.coords.y))
        .map(|n| u16::from(n.index))
        .expect("the NPC is in view")
}

/// A player at `at` (in view of Banker Odell at (17, 2)), with `gold` and `banked`.
async fn banker_customer(
    server: &TestServer,
    name: &str,
    at: (u8, u8),
    gold: u32,
    banked: u32,
    upgrades: u8,
) -> (TestClient, i32, Entered) {
    edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (1, at.0, at.1);
        c.inventory = vec![(1, gold)];
        c.gold_bank = banked;
        c.bank_level = upgrades;
    })
    .await
}

async fn open_bank(client: &mut TestClient, npc_index: u16) -> BankOpenServerPacket {
    client.send(&BankOpenClientPacket { npc_index }).await;
    expect(client, |p| match p {
        ServerPacket::BankOpen(open) => Some(open),
        _ => None,
    })
    .await
}

async fn bank_reply(client: &mut TestClient) -> BankReplyServerPacket {
    expect(client, |p| match p {
        ServerPacket::BankReply(reply) => Some(reply),
        _ => None,
    })
    .await
}

/// Sends nothing more: what the map sent since, which must hold no bank answer.
async fn nothing_happened(client: &mut TestClient) {
    let seen = map_barrier(client).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::BankOpen(_) | ServerPacket::BankReply(_) | ServerPacket::LockerBuy(_)
        )),
        "{seen:?}"
    );
}

/// The saved character once `done` holds for it (saves are queued: this waits for them).
async fn saved_when(server: &TestServer, id: i32, done: impl Fn(&Character) -> bool) -> Character {
    let mut control = Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let saved = saved_character(server, id).await;
        if done(&saved) {
            return saved;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not saved: {saved:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_bank_keeps_gold_and_sells_upgrades_and_both_are_there_after_a_new_login() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id, entered) =
        banker_customer(&server, "alice", (18, 3), 5000, 0, 0).await;
    let odell = npc_index(&entered, BANKER, (18, 3));

    let opened = open_bank(&mut alice, odell).await;
    assert_eq!((opened.gold_bank, opened.locker_upgrades), (0, 0));
    let session = opened.session_id;
    alice
        .send(&BankAddClientPacket {
            amount: 3000,
            session_id: session,
        })
        .await;
    let reply = bank_reply(&mut alice).await;
    assert_eq!((reply.gold_inventory, reply.gold_bank), (2000, 3000));
    alice
        .send(&BankTakeClientPacket {
            amount: 500,
            session_id: session,
        })
        .await;
    let reply = bank_reply(&mut alice).await;
    assert_eq!((reply.gold_inventory, reply.gold_bank), (2500, 2500));

    // The first upgrade costs 1000 (upgrade_base), the next 2000: more than alice has left.
    alice.send(&LockerBuyClientPacket).await;
    let bought: LockerBuyServerPacket = expect(&mut alice, |p| match p {
        ServerPacket::LockerBuy(buy) => Some(buy),
        _ => None,
    })
    .await;
    assert_eq!((bought.gold_amount, bought.locker_upgrades), (1500, 1));
    alice.send(&LockerBuyClientPacket).await;
    nothing_happened(&mut alice).await;

    // Saved with the character, and there after logging in again.
    drop(alice);
    let saved = saved_when(&server, alice_id, |c| c.gold_bank == 2500).await;
    assert_eq!(
        (gold(&saved), saved.gold_bank, saved.bank_level),
        (1500, 2500, 1)
    );
    let mut again = TestClient::connected(server.addr).await;
    let id = create_character(&mut again, "alice").await;
    let entered = enter_character(&mut again, id).await;
    let odell = npc_index(&entered.enter, BANKER, (18, 3));
    let opened = open_bank(&mut again, odell).await;
    assert_eq!((opened.gold_bank, opened.locker_upgrades), (2500, 1));
    server.stop().await;
}

#[tokio::test]
async fn bank_packets_at_the_wrong_moment_or_past_the_limits_change_nothing() {
    let world = bank_world();
    let server = TestServer::start(|c| {
        c.world.data_dir = world.data_dir.clone();
        c.bank.max_gold = 1000;
        c.bank.max_upgrades = 2;
        c.items.max_item_amount = 5000;
    })
    .await;
    let (mut bob, bob_id, entered) = banker_customer(&server, "bobby", (12, 6), 4000, 600, 2).await;
    // In the square, in view of the banker and of Marla the Trader.
    let odell = npc_index(&entered, BANKER, (12, 6));
    let marla = npc_index(&entered, SHOPKEEPER, (12, 6));
    // NPCs are indexed from 0 in spawn order: the far banker comes after Mossbrook's seven.
    let far_odell = 7;
    assert!(
        !entered.nearby.npcs.iter().any(|n| n.index == 7),
        "the far banker is out of view"
    );

    // Nothing is open yet.
    bob.send(&BankAddClientPacket {
        amount: 100,
        session_id: 100,
    })
    .await;
    bob.send(&BankTakeClientPacket {
        amount: 100,
        session_id: 100,
    })
    .await;
    bob.send(&LockerBuyClientPacket).await;
    // A banker out of reach, a shopkeeper, an NPC index nobody has.
    for npc_index in [far_odell, marla, 250] {
        bob.send(&BankOpenClientPacket { npc_index }).await;
    }
    nothing_happened(&mut bob).await;

    let session = open_bank(&mut bob, odell).await.session_id;
    let add = |amount, session_id| BankAddClientPacket { amount, session_id };
    let take = |amount, session_id| BankTakeClientPacket { amount, session_id };
    // A wrong session, nothing, more than bob holds, past the bank's maximum (600 + 401).
    for wrong in [
        add(100, session + 1),
        add(0, session),
        add(4001, session),
        add(401, session),
    ] {
        bob.send(&wrong).await;
    }
    // A wrong session, nothing, more than is banked.
    for wrong in [take(100, session + 1), take(0, session), take(601, session)] {
        bob.send(&wrong).await;
    }
    // Bob already has the most upgrades (2).
    bob.send(&LockerBuyClientPacket).await;
    nothing_happened(&mut bob).await;

    // Up to the bank's maximum is fine, not one more.
    bob.send(&add(400, session)).await;
    let reply = bank_reply(&mut bob).await;
    assert_eq!((reply.gold_inventory, reply.gold_bank), (3600, 1000));
    bob.send(&add(1, session)).await;
    nothing_happened(&mut bob).await;
    bob.send(&take(1000, session)).await;
    let reply = bank_reply(&mut bob).await;
    assert_eq!((reply.gold_inventory, reply.gold_bank), (4600, 0));

    // No gold was made or lost: 4000 + 600 in all, as at the start.
    drop(bob);
    let saved = saved_when(&server, bob_id, |c| gold(c) == 4600).await;
    assert_eq!(gold(&saved) + saved.gold_bank, 4600);
    assert_eq!(saved.bank_level, 2);
    server.stop().await;
}

#[tokio::test]
async fn a_withdrawal_past_what_the_character_may_hold_is_refused_whole() {
    let server = TestServer::start(|c| c.items.max_item_amount = 5000).await;
    let (mut carol, carol_id, entered) =
        banker_customer(&server, "carol", (18, 3), 4500, 800, 0).await;
    let odell = npc_index(&entered, BANKER, (18, 3));
    let session = open_bank(&mut carol, odell).await.session_id;
    // 4500 + 501 is past the 5000 carol may hold: nothing, not part of it.
    carol
        .send(&BankTakeClientPacket {
            amount: 501,
            session_id: session,
        })
        .await;
    nothing_happened(&mut carol).await;
    carol
        .send(&BankTakeClientPacket {
            amount: 500,
            session_id: session,
        })
        .await;
    let reply = bank_reply(&mut carol).await;
    assert_eq!((reply.gold_inventory, reply.gold_bank), (5000, 300));
    drop(carol);
    let saved = saved_when(&server, carol_id, |c| c.gold_bank == 300).await;
    assert_eq!(gold(&saved), 5000);
    server.stop().await;
}
