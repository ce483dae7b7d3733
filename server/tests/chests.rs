//! Chests with real clients: Mossbrook's storeroom chest (12, 2) starts stocked from its spawn
//! list; players at it take and put items and see each other do it; a taken spawn comes back
//! after its time; a locked chest needs its key; two players at one chest never make or lose
//! an item; and every way to ask wrongly changes nothing.

mod common;

use std::time::Duration;

use common::world::{TestWorld, world};
use common::{
    Control, TestClient, TestServer, edited_player, expect, map_barrier, saved_character,
};
use eo_protocol::Coords;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::client::{
    ChestAddClientPacket, ChestOpenClientPacket, ChestTakeClientPacket,
};
use eo_protocol::net::server::{ChestGetServerPacket, ChestReplyServerPacket, ServerPacket};
use eo_server::db::Character;

const CHEST: (u8, u8) = (12, 2);
const GOLD: u16 = 1;
const BLADE: u16 = 2;
const TUNIC: u16 = 5;
const CAP: u16 = 7;
const BOOTS: u16 = 9;
const TONIC: u16 = 10;
const STOREROOM_KEY: u16 = 17;

fn coords(at: (u8, u8)) -> Coords {
    Coords { x: at.0, y: at.1 }
}

fn item(id: u16, amount: u32) -> ThreeItem {
    ThreeItem { id, amount }
}

fn open(at: (u8, u8)) -> ChestOpenClientPacket {
    ChestOpenClientPacket { coords: coords(at) }
}

fn add(at: (u8, u8), id: u16, amount: u32) -> ChestAddClientPacket {
    ChestAddClientPacket {
        coords: coords(at),
        add_item: item(id, amount),
    }
}

fn take(at: (u8, u8), id: u16) -> ChestTakeClientPacket {
    ChestTakeClientPacket {
        coords: coords(at),
        take_item_id: id,
    }
}

/// A player on `map` at `at` with `inventory`.
async fn player(
    server: &TestServer,
    name: &str,
    map: u16,
    at: (u8, u8),
    inventory: Vec<(u16, u32)>,
) -> (TestClient, i32) {
    let (client, id, _) = edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (map, at.0, at.1);
        c.inventory = inventory;
    })
    .await;
    (client, id)
}

async fn opened(client: &mut TestClient, at: (u8, u8)) -> Vec<ThreeItem> {
    client.send(&open(at)).await;
    expect(client, |p| match p {
        ServerPacket::ChestOpen(open) => Some(open),
        _ => None,
    })
    .await
    .items
}

async fn reply(client: &mut TestClient) -> ChestReplyServerPacket {
    expect(client, |p| match p {
        ServerPacket::ChestReply(reply) => Some(reply),
        _ => None,
    })
    .await
}

async fn got(client: &mut TestClient) -> ChestGetServerPacket {
    expect(client, |p| match p {
        ServerPacket::ChestGet(get) => Some(get),
        _ => None,
    })
    .await
}

async fn agreed(client: &mut TestClient) -> Vec<ThreeItem> {
    expect(client, |p| match p {
        ServerPacket::ChestAgree(agree) => Some(agree.items),
        _ => None,
    })
    .await
}

fn is_chest_packet(p: &ServerPacket) -> bool {
    matches!(
        p,
        ServerPacket::ChestOpen(_)
            | ServerPacket::ChestReply(_)
            | ServerPacket::ChestGet(_)
            | ServerPacket::ChestAgree(_)
            | ServerPacket::ChestSpec(_)
            | ServerPacket::ChestClose(_)
    )
}

/// What the map sent since, which must hold no chest packet.
async fn nothing_happened(client: &mut TestClient) {
    let seen = map_barrier(client).await;
    assert!(!seen.iter().any(is_chest_packet), "{seen:?}");
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

fn amount_in(items: &[(u16, u32)], id: u16) -> u32 {
    items.iter().find(|(i, _)| *i == id).map_or(0, |(_, n)| *n)
}

fn listed(items: &[ThreeItem], id: u16) -> u32 {
    items.iter().find(|i| i.id == id).map_or(0, |i| i.amount)
}

#[tokio::test]
async fn players_at_a_chest_take_and_put_items_and_see_each_other_do_it() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id) = player(&server, "alice", 1, (12, 3), vec![(CAP, 2)]).await;
    let (mut bobby, _) = player(&server, "bobby", 1, (11, 2), Vec::new()).await;
    // Next to the chest too, but it never opens it: it is not told of changes.
    let (mut carol, _) = player(&server, "carol", 1, (13, 2), Vec::new()).await;

    // Stocked from its spawn list: 50 gold (slot 1) and 2 tonics (slot 2).
    let stock = [item(GOLD, 50), item(TONIC, 2)];
    assert_eq!(opened(&mut alice, CHEST).await, stock);
    assert_eq!(opened(&mut bobby, CHEST).await, stock);

    alice.send(&take(CHEST, GOLD)).await;
    let taken = got(&mut alice).await;
    assert_eq!(taken.taken_item, item(GOLD, 50));
    assert_eq!(taken.items, [item(TONIC, 2)]);
    assert_eq!(agreed(&mut bobby).await, [item(TONIC, 2)]);
    // Gone for bobby.
    bobby.send(&take(CHEST, GOLD)).await;
    nothing_happened(&mut bobby).await;

    alice.send(&add(CHEST, CAP, 2)).await;
    let put = reply(&mut alice).await;
    assert_eq!((put.added_item_id, put.remaining_amount), (CAP, 0));
    assert_eq!(put.items, [item(TONIC, 2), item(CAP, 2)]);
    assert_eq!(agreed(&mut bobby).await, [item(TONIC, 2), item(CAP, 2)]);
    bobby.send(&take(CHEST, CAP)).await;
    assert_eq!(got(&mut bobby).await.taken_item, item(CAP, 2));
    assert_eq!(agreed(&mut alice).await, [item(TONIC, 2)]);
    nothing_happened(&mut carol).await;

    drop(alice);
    let saved = saved_when(&server, alice_id, |c| amount_in(&c.inventory, GOLD) == 50).await;
    assert_eq!(amount_in(&saved.inventory, CAP), 0);
    server.stop().await;
}

#[tokio::test]
async fn chest_packets_at_the_wrong_moment_or_past_the_limits_change_nothing() {
    let server = TestServer::start(|c| c.chests.max_item_amount = 100).await;
    let inventory = vec![
        (TONIC, 200),
        (STOREROOM_KEY, 1),
        (BLADE, 1),
        (CAP, 1),
        (TUNIC, 1),
        (BOOTS, 1),
    ];
    let (mut dave, dave_id) = player(&server, "dave", 1, (12, 1), inventory.clone()).await;
    // Two steps from the chest.
    let (mut erin, _) = player(&server, "erin", 1, (12, 4), vec![(TONIC, 1)]).await;

    // Nothing is open yet; a tile that is not a chest.
    dave.send(&take(CHEST, TONIC)).await;
    dave.send(&add(CHEST, TONIC, 1)).await;
    dave.send(&open((11, 1))).await;
    nothing_happened(&mut dave).await;
    erin.send(&open(CHEST)).await;
    erin.send(&add(CHEST, TONIC, 1)).await;
    nothing_happened(&mut erin).await;

    assert_eq!(
        opened(&mut dave, CHEST).await,
        [item(GOLD, 50), item(TONIC, 2)]
    );
    for wrong in [
        add(CHEST, STOREROOM_KEY, 1), // a Lore item
        add(CHEST, TONIC, 0),         // nothing
        add(CHEST, TONIC, 201),       // more than dave holds
        add(CHEST, TONIC, 99),        // 2 + 99: more than a chest holds of one item
        add(CHEST, 60_000, 1),        // an item that does not exist
        add(CHEST, 3, 1),             // an item dave does not have
        add((12, 3), TONIC, 1),       // another tile than the chest dave opened
    ] {
        dave.send(&wrong).await;
    }
    dave.send(&take(CHEST, BLADE)).await; // not in the chest
    dave.send(&take((13, 2), GOLD)).await; // another tile
    nothing_happened(&mut dave).await;

    // Up to the most of one item is fine.
    dave.send(&add(CHEST, TONIC, 98)).await;
    assert_eq!(
        reply(&mut dave).await.items,
        [item(GOLD, 50), item(TONIC, 100)]
    );
    // Five slots, two kept for the spawns: three items of players', then Chest_Spec.
    for id in [BLADE, CAP, TUNIC] {
        dave.send(&add(CHEST, id, 1)).await;
        let _ = reply(&mut dave).await;
    }
    dave.send(&add(CHEST, BOOTS, 1)).await;
    let seen = map_barrier(&mut dave).await;
    assert!(
        seen.iter().any(|p| matches!(p, ServerPacket::ChestSpec(_))),
        "{seen:?}"
    );
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::ChestReply(_))),
        "{seen:?}"
    );
    let now = opened(&mut dave, CHEST).await;
    assert_eq!(listed(&now, BOOTS), 0);

    // What dave holds and what the chest holds add up to what he came with, plus the stock.
    drop(dave);
    let saved = saved_when(&server, dave_id, |c| amount_in(&c.inventory, TONIC) == 102).await;
    for (id, start) in inventory {
        let stock = if id == TONIC { 2 } else { 0 };
        assert_eq!(
            amount_in(&saved.inventory, id) + listed(&now, id),
            start + stock,
            "item {id}"
        );
    }
    server.stop().await;
}

/// The bundled world, and a small room with a chest (2, 2) whose spawns are: 3 tonics in slot
/// 1 at once again after a take, 10 gold in slot 2 every 5 minutes, 30 tunics (360 weight, too
/// heavy for anyone) in slot 3; and a second room whose chest is locked by the Storeroom Key.
fn chest_world() -> TestWorld {
    let room = "width = 5\nheight = 5\nrelog = { x = 1, y = 2 }\n\
                layout = '''\n#####\n#...#\n#.C.#\n#...#\n#####\n'''\n";
    world()
        .map(&format!(
            "name = \"Chest Room\"\n{room}\
             [[chest]]\nx = 2\ny = 2\nitem = 10\namount = 3\nspawn_time = 0\nslot = 1\n\
             [[chest]]\nx = 2\ny = 2\nitem = 1\namount = 10\nspawn_time = 5\nslot = 2\n\
             [[chest]]\nx = 2\ny = 2\nitem = 5\namount = 30\nspawn_time = 5\nslot = 3\n"
        ))
        .map(&format!(
            "name = \"Locked Room\"\n{room}\
             [[chest]]\nx = 2\ny = 2\nitem = 10\namount = 1\nspawn_time = 5\nkey = 17\n"
        ))
        .build()
}

#[tokio::test]
async fn a_taken_spawn_comes_back_after_its_time_and_a_heavy_stack_stays() {
    let world = chest_world();
    let room = world.first_new_map;
    let server = TestServer::start(|c| c.world.data_dir = world.data_dir.clone()).await;
    let (mut frank, _) = player(&server, "frank", room, (1, 2), Vec::new()).await;
    let stock = [item(TONIC, 3), item(GOLD, 10), item(TUNIC, 30)];
    assert_eq!(opened(&mut frank, (2, 2)).await, stock);

    // 360 weight: too heavy to carry, so it stays.
    frank.send(&take((2, 2), TUNIC)).await;
    nothing_happened(&mut frank).await;

    frank.send(&take((2, 2), GOLD)).await;
    assert_eq!(got(&mut frank).await.taken_item, item(GOLD, 10));
    frank.send(&take((2, 2), TONIC)).await;
    assert_eq!(got(&mut frank).await.items, [item(TUNIC, 30)], "both taken");
    // The tonics' slot waits 0 minutes: they are back at the next look (about a second),
    // and those at the chest see it. The gold's slot waits 5 minutes: it is not.
    let back = agreed(&mut frank).await;
    assert_eq!(back, [item(TUNIC, 30), item(TONIC, 3)]);
    server.stop().await;
}

#[tokio::test]
async fn a_locked_chest_opens_only_with_its_key() {
    let world = chest_world();
    let room = world.first_new_map + 1;
    let server = TestServer::start(|c| c.world.data_dir = world.data_dir.clone()).await;
    let (mut gina, _) = player(&server, "gina", room, (1, 2), Vec::new()).await;
    let (mut hank, _) = player(&server, "hank", room, (3, 2), vec![(STOREROOM_KEY, 1)]).await;

    // Without the key: Chest_Close with its number (the Storeroom Key's, 2), and no use.
    gina.send(&open((2, 2))).await;
    let seen = map_barrier(&mut gina).await;
    let closed: Vec<Option<u16>> = seen
        .iter()
        .filter_map(|p| match p {
            ServerPacket::ChestClose(close) => Some(close.key),
            _ => None,
        })
        .collect();
    assert_eq!(closed, [Some(2)], "{seen:?}");
    assert!(!seen.iter().any(|p| matches!(p, ServerPacket::ChestOpen(_))));
    gina.send(&take((2, 2), TONIC)).await;
    let seen = map_barrier(&mut gina).await;
    assert!(
        !seen.iter().any(|p| matches!(p, ServerPacket::ChestGet(_))),
        "{seen:?}"
    );

    assert_eq!(opened(&mut hank, (2, 2)).await, [item(TONIC, 1)]);
    hank.send(&take((2, 2), TONIC)).await;
    assert_eq!(got(&mut hank).await.taken_item, item(TONIC, 1));
    server.stop().await;
}

/// Sends `rounds` times "put one in, take the stack out" at once, then waits for the map to
/// have handled them all.
async fn put_and_take(client: &mut TestClient, id: u16, rounds: u32) {
    for _ in 0..rounds {
        client.send(&add(CHEST, id, 1)).await;
        client.send(&take(CHEST, id)).await;
    }
    let _ = map_barrier(client).await;
}

#[tokio::test]
async fn two_players_at_one_chest_never_make_or_lose_an_item() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id) = player(&server, "alice", 1, (12, 3), vec![(TONIC, 10)]).await;
    let (mut bobby, bobby_id) = player(&server, "bobby", 1, (11, 2), vec![(TONIC, 10)]).await;
    assert_eq!(
        opened(&mut alice, CHEST).await,
        [item(GOLD, 50), item(TONIC, 2)]
    );
    assert_eq!(
        opened(&mut bobby, CHEST).await,
        [item(GOLD, 50), item(TONIC, 2)]
    );

    // Both reach for the gold at once: one gets it.
    let grab = take(CHEST, GOLD);
    tokio::join!(alice.send(&grab), bobby.send(&grab));
    let (seen_a, seen_b) = tokio::join!(map_barrier(&mut alice), map_barrier(&mut bobby));
    let gets = seen_a
        .iter()
        .chain(&seen_b)
        .filter(|p| matches!(p, ServerPacket::ChestGet(get) if get.taken_item == item(GOLD, 50)))
        .count();
    assert_eq!(gets, 1, "{seen_a:?} {seen_b:?}");

    // Both put tonics in and take the stack out, over and over, at once.
    tokio::join!(
        put_and_take(&mut alice, TONIC, 10),
        put_and_take(&mut bobby, TONIC, 10)
    );
    let left = opened(&mut alice, CHEST).await;
    // Saved while both are still here: the save comes after everything they sent, and the
    // command answers once it is on disk.
    let mut control = Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
    let alice = saved_character(&server, alice_id).await;
    let bobby = saved_character(&server, bobby_id).await;
    let held = |id| amount_in(&alice.inventory, id) + amount_in(&bobby.inventory, id);
    assert_eq!(held(TONIC) + listed(&left, TONIC), 10 + 10 + 2, "tonics");
    assert_eq!(held(GOLD) + listed(&left, GOLD), 50, "gold");
    server.stop().await;
}
