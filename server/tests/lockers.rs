//! Lockers with real clients, at Mossbrook's bank vault (22, 2): items go in and come out,
//! are there again after a new login, a full locker still tops up what it holds, upgrades make
//! room, two characters at one vault each use their own locker, and every way to ask wrongly
//! changes nothing; no item is made or lost.

mod common;

use std::time::Duration;

use common::{
    Control, TestClient, TestServer, create_character, edited_player, enter_character, expect,
    map_barrier, saved_character,
};
use eo_protocol::Coords;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::client::{
    BankOpenClientPacket, LockerAddClientPacket, LockerBuyClientPacket, LockerOpenClientPacket,
    LockerTakeClientPacket,
};
use eo_protocol::net::server::{
    LockerGetServerPacket, LockerReplyServerPacket, ServerPacket,
    WelcomeReplyServerPacketWelcomeCodeDataEnterGame as Entered,
};
use eo_server::db::Character;

const VAULT: (u8, u8) = (22, 2);
const GOLD: u16 = 1;
const TONIC: u16 = 10;
const CAP: u16 = 7;
const BLADE: u16 = 2;
const BANKER: u16 = 3;

fn coords(at: (u8, u8)) -> Coords {
    Coords { x: at.0, y: at.1 }
}

fn item(id: u16, amount: u32) -> ThreeItem {
    ThreeItem { id, amount }
}

fn open(at: (u8, u8)) -> LockerOpenClientPacket {
    LockerOpenClientPacket {
        locker_coords: coords(at),
    }
}

fn add(at: (u8, u8), id: u16, amount: u32) -> LockerAddClientPacket {
    LockerAddClientPacket {
        locker_coords: coords(at),
        deposit_item: item(id, amount),
    }
}

fn take(at: (u8, u8), id: u16) -> LockerTakeClientPacket {
    LockerTakeClientPacket {
        locker_coords: coords(at),
        take_item_id: id,
    }
}

/// A player on Mossbrook at `at` with `inventory` and `locker`.
async fn player(
    server: &TestServer,
    name: &str,
    at: (u8, u8),
    inventory: Vec<(u16, u32)>,
    locker: Vec<(u16, u32)>,
) -> (TestClient, i32, Entered) {
    edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (1, at.0, at.1);
        c.inventory = inventory;
        c.bank = locker;
    })
    .await
}

async fn opened(client: &mut TestClient, at: (u8, u8)) -> Vec<ThreeItem> {
    client.send(&open(at)).await;
    expect(client, |p| match p {
        ServerPacket::LockerOpen(open) => Some(open),
        _ => None,
    })
    .await
    .locker_items
}

async fn reply(client: &mut TestClient) -> LockerReplyServerPacket {
    expect(client, |p| match p {
        ServerPacket::LockerReply(reply) => Some(reply),
        _ => None,
    })
    .await
}

async fn got(client: &mut TestClient) -> LockerGetServerPacket {
    expect(client, |p| match p {
        ServerPacket::LockerGet(get) => Some(get),
        _ => None,
    })
    .await
}

/// What the map sent since, which must hold no locker answer.
async fn nothing_happened(client: &mut TestClient) {
    let seen = map_barrier(client).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::LockerOpen(_)
                | ServerPacket::LockerReply(_)
                | ServerPacket::LockerGet(_)
                | ServerPacket::LockerSpec(_)
        )),
        "{seen:?}"
    );
}

/// Saves everyone and waits until `done` holds for the saved character.
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

fn amount(items: &[(u16, u32)], id: u16) -> u32 {
    items.iter().find(|(i, _)| *i == id).map_or(0, |(_, n)| *n)
}

#[tokio::test]
async fn a_locker_takes_and_gives_items_and_keeps_them_after_a_new_login() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id, _) = player(
        &server,
        "alice",
        (21, 2),
        vec![(TONIC, 30), (CAP, 1)],
        Vec::new(),
    )
    .await;

    assert_eq!(opened(&mut alice, VAULT).await, []);
    alice.send(&add(VAULT, TONIC, 20)).await;
    let put = reply(&mut alice).await;
    // The inventory's amount left, as the client shows it.
    assert_eq!(
        (put.deposited_item.id, put.deposited_item.amount),
        (TONIC, 10)
    );
    assert_eq!(put.locker_items, [item(TONIC, 20)]);
    alice.send(&add(VAULT, CAP, 1)).await;
    let put = reply(&mut alice).await;
    assert_eq!((put.deposited_item.id, put.deposited_item.amount), (CAP, 0));
    assert_eq!(put.locker_items, [item(TONIC, 20), item(CAP, 1)]);
    alice.send(&take(VAULT, CAP)).await;
    let taken = got(&mut alice).await;
    // The amount taken, which the client adds.
    assert_eq!(taken.taken_item, item(CAP, 1));
    assert_eq!(taken.locker_items, [item(TONIC, 20)]);

    drop(alice);
    let saved = saved_when(&server, alice_id, |c| c.bank == [(TONIC, 20)]).await;
    assert_eq!(
        (
            amount(&saved.inventory, TONIC),
            amount(&saved.inventory, CAP)
        ),
        (10, 1)
    );
    let mut again = TestClient::connected(server.addr).await;
    let id = create_character(&mut again, "alice").await;
    enter_character(&mut again, id).await;
    assert_eq!(opened(&mut again, VAULT).await, [item(TONIC, 20)]);
    server.stop().await;
}

#[tokio::test]
async fn locker_packets_at_the_wrong_moment_or_past_the_limits_change_nothing() {
    let server = TestServer::start(|c| c.bank.max_item_amount = 50).await;
    let (mut bobby, bobby_id, _) = player(
        &server,
        "bobby",
        (22, 3),
        vec![(GOLD, 500), (TONIC, 60), (BLADE, 1)],
        vec![(CAP, 2)],
    )
    .await;
    // Two steps from the vault.
    let (mut carol, _, _) = player(&server, "carol", (20, 2), vec![(TONIC, 5)], Vec::new()).await;

    // Nothing is open yet.
    bobby.send(&add(VAULT, TONIC, 1)).await;
    bobby.send(&take(VAULT, CAP)).await;
    // A tile that is not a vault.
    bobby.send(&open((22, 4))).await;
    nothing_happened(&mut bobby).await;
    carol.send(&open(VAULT)).await;
    carol.send(&add(VAULT, TONIC, 1)).await;
    nothing_happened(&mut carol).await;

    assert_eq!(opened(&mut bobby, VAULT).await, [item(CAP, 2)]);
    for wrong in [
        add(VAULT, GOLD, 100),  // gold goes to the bank, not the locker
        add(VAULT, TONIC, 0),   // nothing
        add(VAULT, TONIC, 61),  // more than bobby holds
        add(VAULT, TONIC, 51),  // more than a locker holds of one item
        add(VAULT, 5, 1),       // an item bobby does not have
        add(VAULT, 60_000, 1),  // an item that does not exist
        add((22, 1), TONIC, 1), // another tile than the vault bobby opened
    ] {
        bobby.send(&wrong).await;
    }
    bobby.send(&take(VAULT, TONIC)).await; // not in the locker
    bobby.send(&take((21, 2), CAP)).await; // another tile
    nothing_happened(&mut bobby).await;

    // Up to the most of one item is fine, one more is not.
    bobby.send(&add(VAULT, TONIC, 50)).await;
    assert_eq!(
        reply(&mut bobby).await.locker_items,
        [item(CAP, 2), item(TONIC, 50)]
    );
    bobby.send(&add(VAULT, TONIC, 1)).await;
    nothing_happened(&mut bobby).await;

    // Nothing made or lost.
    drop(bobby);
    let saved = saved_when(&server, bobby_id, |c| amount(&c.bank, TONIC) == 50).await;
    assert_eq!(saved.bank, [(CAP, 2), (TONIC, 50)]);
    assert_eq!(amount(&saved.inventory, TONIC), 10);
    assert_eq!(amount(&saved.inventory, GOLD), 500);
    assert_eq!(amount(&saved.inventory, BLADE), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_stack_too_heavy_to_carry_stays_in_the_locker() {
    let server = TestServer::start(|_| {}).await;
    // A thousand tonics weigh a thousand: more than anyone may carry.
    let (mut dave, dave_id, _) =
        player(&server, "dave", (23, 2), Vec::new(), vec![(TONIC, 1000)]).await;
    assert_eq!(opened(&mut dave, VAULT).await, [item(TONIC, 1000)]);
    dave.send(&take(VAULT, TONIC)).await;
    nothing_happened(&mut dave).await;
    drop(dave);
    let saved = saved_when(&server, dave_id, |_| true).await;
    assert_eq!(saved.bank, [(TONIC, 1000)]);
    assert!(saved.inventory.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_full_locker_tops_up_what_it_holds_and_an_upgrade_makes_room() {
    let server = TestServer::start(|c| {
        c.bank.base_size = 2;
        c.bank.size_step = 1;
    })
    .await;
    let (mut erin, erin_id, entered) = player(
        &server,
        "erin",
        (21, 2),
        vec![(GOLD, 1000), (TONIC, 5), (BLADE, 1)],
        vec![(TONIC, 5), (CAP, 1)],
    )
    .await;
    assert_eq!(opened(&mut erin, VAULT).await.len(), 2);
    // Full: a new item is refused with the locker's size...
    erin.send(&add(VAULT, BLADE, 1)).await;
    let full = expect(&mut erin, |p| match p {
        ServerPacket::LockerSpec(spec) => Some(spec.locker_max_items),
        ServerPacket::LockerReply(reply) => panic!("added to a full locker: {reply:?}"),
        _ => None,
    })
    .await;
    assert_eq!(full, 2);
    // ...but what it holds is topped up (reoserv refuses this).
    erin.send(&add(VAULT, TONIC, 5)).await;
    assert_eq!(
        reply(&mut erin).await.locker_items,
        [item(TONIC, 10), item(CAP, 1)]
    );

    // An upgrade from the banker (1000 gold) makes room for one more.
    let odell = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == BANKER)
        .expect("the banker is in view")
        .index;
    erin.send(&BankOpenClientPacket {
        npc_index: u16::from(odell),
    })
    .await;
    erin.send(&LockerBuyClientPacket).await;
    let bought = expect(&mut erin, |p| match p {
        ServerPacket::LockerBuy(buy) => Some(buy),
        _ => None,
    })
    .await;
    assert_eq!((bought.gold_amount, bought.locker_upgrades), (0, 1));
    erin.send(&add(VAULT, BLADE, 1)).await;
    assert_eq!(
        reply(&mut erin).await.locker_items,
        [item(TONIC, 10), item(CAP, 1), item(BLADE, 1)]
    );
    drop(erin);
    let saved = saved_when(&server, erin_id, |c| c.bank.len() == 3).await;
    assert_eq!(saved.bank_level, 1);
    assert!(saved.inventory.is_empty(), "{:?}", saved.inventory);
    server.stop().await;
}

/// One character's round at the vault: puts `id` in and takes it out `rounds` times, checking
/// that its locker only ever shows its own items.
async fn use_own_locker(client: &mut TestClient, id: u16, rounds: u32) {
    for _ in 0..rounds {
        client.send(&add(VAULT, id, 3)).await;
        let put = reply(client).await;
        assert_eq!(put.locker_items, [item(id, 3)]);
        client.send(&take(VAULT, id)).await;
        let taken = got(client).await;
        assert_eq!(taken.taken_item, item(id, 3));
        assert_eq!(taken.locker_items, []);
    }
    client.send(&add(VAULT, id, 2)).await;
    assert_eq!(reply(client).await.locker_items, [item(id, 2)]);
}

#[tokio::test]
async fn two_characters_at_one_vault_each_use_their_own_locker() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id, _) =
        player(&server, "alice", (21, 2), vec![(TONIC, 10)], Vec::new()).await;
    let (mut bobby, bobby_id, _) =
        player(&server, "bobby", (22, 3), vec![(CAP, 10)], Vec::new()).await;
    assert_eq!(opened(&mut alice, VAULT).await, []);
    assert_eq!(opened(&mut bobby, VAULT).await, []);

    // At once, each with its own items, many times over.
    tokio::join!(
        use_own_locker(&mut alice, TONIC, 10),
        use_own_locker(&mut bobby, CAP, 10)
    );
    // Neither can take the other's item.
    alice.send(&take(VAULT, CAP)).await;
    bobby.send(&take(VAULT, TONIC)).await;
    nothing_happened(&mut alice).await;
    nothing_happened(&mut bobby).await;

    drop((alice, bobby));
    let alice = saved_when(&server, alice_id, |c| c.bank == [(TONIC, 2)]).await;
    let bobby = saved_when(&server, bobby_id, |c| c.bank == [(CAP, 2)]).await;
    assert_eq!(alice.inventory, [(TONIC, 8)]);
    assert_eq!(bobby.inventory, [(CAP, 8)]);
    server.stop().await;
}
