//! Doors with real clients: a closed door blocks the walk onto it; Door_Open opens it for
//! everyone in range and it lets walkers through until it closes again; a locked door needs its
//! key (Door_Close with the key's number otherwise); a door that leads elsewhere warps only
//! when open; and a Door_Open that makes no sense changes nothing.

mod common;

use std::time::Duration;

use common::world::{TestWorld, world};
use common::{TestClient, TestServer, edited_player, expect, map_barrier};
use eo_protocol::net::client::DoorOpenClientPacket;
use eo_protocol::net::server::ServerPacket;
use eo_protocol::{Coords, Direction};

/// Mossbrook's doors (fixtures/world-src/README.md): the hall's (no lock) and the
/// storeroom's (locked, `door = 2`, opened by item 17, the Storeroom Key, key number 2).
const HALL_DOOR: (u8, u8) = (4, 6);
const STOREROOM_DOOR: (u8, u8) = (11, 5);
const STOREROOM_KEY: u16 = 17;

fn open(at: (u8, u8)) -> DoorOpenClientPacket {
    DoorOpenClientPacket {
        coords: Coords { x: at.0, y: at.1 },
    }
}

/// A player placed on Mossbrook at `at` with `inventory`.
async fn player_at(
    server: &TestServer,
    name: &str,
    at: (u8, u8),
    inventory: Vec<(u16, u32)>,
) -> TestClient {
    let (client, _, _) = edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (1, at.0, at.1);
        c.inventory = inventory;
    })
    .await;
    client
}

/// Walks one step and tells whether the server took it (Walk_Reply) or put the walker back
/// (Refresh_Reply); the packets that came with it.
async fn step(
    client: &mut TestClient,
    direction: Direction,
    to: (u8, u8),
) -> (bool, Vec<ServerPacket>) {
    client.walk(direction, to.0, to.1).await;
    let seen = map_barrier(client).await;
    let walked = seen.iter().any(|p| matches!(p, ServerPacket::WalkReply(_)));
    let refused = seen
        .iter()
        .any(|p| matches!(p, ServerPacket::RefreshReply(_)));
    assert!(
        walked != refused,
        "a walk is either taken or refused: {seen:?}"
    );
    (walked, seen)
}

fn door_opened(seen: &[ServerPacket], at: (u8, u8)) -> bool {
    seen.iter()
        .any(|p| matches!(p, ServerPacket::DoorOpen(open) if (open.coords.x, open.coords.y) == at))
}

#[tokio::test]
async fn a_closed_door_blocks_and_an_opened_one_lets_through_until_it_closes() {
    let server = TestServer::start(|c| c.doors.close_secs = 1).await;
    // Alice below the hall door, bobby in the square within sight of it.
    let mut alice = player_at(&server, "alice", (4, 7), Vec::new()).await;
    let mut bobby = player_at(&server, "bobby", (8, 9), Vec::new()).await;

    let (walked, _) = step(&mut alice, Direction::Up, HALL_DOOR).await;
    assert!(!walked, "a closed door blocks");

    alice.send(&open(HALL_DOOR)).await;
    let seen = map_barrier(&mut alice).await;
    assert!(door_opened(&seen, HALL_DOOR), "{seen:?}");
    // Everyone in range sees it open.
    let seen_by_bobby = expect(&mut bobby, |p| match p {
        ServerPacket::DoorOpen(open) => Some((open.coords.x, open.coords.y)),
        _ => None,
    })
    .await;
    assert_eq!(seen_by_bobby, HALL_DOOR);

    // Open, it lets alice through into the hall (the door leads to its own tile: a step).
    let (walked, seen) = step(&mut alice, Direction::Up, HALL_DOOR).await;
    assert!(walked, "{seen:?}");
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::WarpRequest(_)))
    );
    let (walked, _) = step(&mut alice, Direction::Up, (4, 5)).await;
    assert!(walked, "into the hall");

    // It closes again after close_secs: walking back onto it is blocked.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (walked, _) = step(&mut alice, Direction::Down, HALL_DOOR).await;
    assert!(!walked, "the door closed again");
    // Opened again, it lets her back.
    alice.send(&open(HALL_DOOR)).await;
    let (walked, _) = step(&mut alice, Direction::Down, HALL_DOOR).await;
    assert!(walked);
    server.stop().await;
}

#[tokio::test]
async fn a_locked_door_opens_only_for_its_key() {
    let server = TestServer::start(|_| {}).await;
    let mut carol = player_at(&server, "carol", (11, 6), Vec::new()).await;
    let mut keeper = player_at(&server, "keeper", (12, 6), vec![(STOREROOM_KEY, 1)]).await;

    // Without the key: Door_Close with the key's number (the door's value, 2), and it stays
    // closed for everyone.
    carol.send(&open(STOREROOM_DOOR)).await;
    let seen = map_barrier(&mut carol).await;
    let locked: Vec<u8> = seen
        .iter()
        .filter_map(|p| match p {
            ServerPacket::DoorClose(close) => Some(close.key),
            _ => None,
        })
        .collect();
    assert_eq!(locked, [2], "{seen:?}");
    assert!(!door_opened(&seen, STOREROOM_DOOR));
    let seen = map_barrier(&mut keeper).await;
    assert!(!door_opened(&seen, STOREROOM_DOOR), "{seen:?}");
    let (walked, _) = step(&mut carol, Direction::Up, STOREROOM_DOOR).await;
    assert!(!walked);

    // With the key it opens, for both.
    keeper.send(&open(STOREROOM_DOOR)).await;
    let seen = map_barrier(&mut keeper).await;
    assert!(door_opened(&seen, STOREROOM_DOOR), "{seen:?}");
    let seen = map_barrier(&mut carol).await;
    assert!(door_opened(&seen, STOREROOM_DOOR), "{seen:?}");
    // Open, it lets anyone through (carol has no key), into the storeroom.
    let (walked, _) = step(&mut carol, Direction::Up, STOREROOM_DOOR).await;
    assert!(walked);
    let (walked, _) = step(&mut carol, Direction::Up, (11, 4)).await;
    assert!(walked, "inside the storeroom");

    // Asking for a door that is open already shows it open to the one who asks.
    keeper.send(&open(STOREROOM_DOOR)).await;
    let seen = map_barrier(&mut keeper).await;
    assert!(door_opened(&seen, STOREROOM_DOOR), "{seen:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_door_open_that_makes_no_sense_changes_nothing() {
    let server = TestServer::start(|_| {}).await;
    // Far from the hall door (more than the see distance), next to a wall and a warp.
    let mut dave = player_at(&server, "dave", (23, 12), Vec::new()).await;
    for wrong in [
        HALL_DOOR,  // out of range
        (23, 11),   // a floor tile
        (25, 11),   // a warp, not a door
        (25, 12),   // a wall
        (200, 200), // off the map
    ] {
        dave.send(&open(wrong)).await;
    }
    let seen = map_barrier(&mut dave).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::DoorOpen(_) | ServerPacket::DoorClose(_))),
        "{seen:?}"
    );
    // Nothing opened: the hall door still blocks someone standing next to it.
    let mut erin = player_at(&server, "erin", (4, 7), Vec::new()).await;
    let (walked, _) = step(&mut erin, Direction::Up, HALL_DOOR).await;
    assert!(!walked);
    // And dave is still connected (the barrier answers).
    dave.send(&open(HALL_DOOR)).await;
    let seen = map_barrier(&mut dave).await;
    assert!(!door_opened(&seen, HALL_DOOR), "{seen:?}");
    server.stop().await;
}

/// The bundled world and a small map whose locked door (`H`, the Storeroom Key's) leads to
/// Mossbrook's relog point, as a house door leads inside.
fn house_world() -> TestWorld {
    world()
        .map(
            "name = \"Door House\"\nwidth = 5\nheight = 5\nrelog = { x = 2, y = 1 }\n\
             layout = '''\n#####\n#...#\n##H##\n#...#\n#####\n'''\n\
             [doors.H]\nkey = 17\nmap = 1\nx = 16\ny = 9\n",
        )
        .build()
}

#[tokio::test]
async fn a_door_that_leads_elsewhere_warps_only_when_open() {
    let world = house_world();
    let house = world.first_new_map;
    let server = TestServer::start(|c| c.world.data_dir = world.data_dir.clone()).await;
    let (mut frank, _, _) = edited_player(&server, "frank", |c| {
        (c.map, c.x, c.y) = (house, 2, 1);
        c.inventory = vec![(STOREROOM_KEY, 1)];
    })
    .await;
    let (walked, seen) = step(&mut frank, Direction::Down, (2, 2)).await;
    assert!(!walked, "closed: no warp either");
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::WarpRequest(_)))
    );

    frank.send(&open((2, 2))).await;
    frank.walk(Direction::Down, 2, 2).await;
    let warp = expect(&mut frank, |p| match p {
        ServerPacket::WarpRequest(request) => Some(request),
        _ => None,
    })
    .await;
    assert_eq!(warp.map_id, 1, "through the open door to Mossbrook");
    server.stop().await;
}
