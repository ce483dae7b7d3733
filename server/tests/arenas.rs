//! Arenas with real clients: players on the launch tiles are sent in, one blow knocks a
//! fighter out (to the relog point, unhurt), kills are counted, the last one standing is
//! announced; a full arena refuses a launch; players never hurt each other on an arena's map.

mod common;

use common::world::TestWorld;
use common::{TestClient, TestServer, edited_player, expect};
use eo_protocol::Direction;
use eo_protocol::net::client::{
    AttackUseClientPacket, RefreshRequestClientPacket, TalkReportClientPacket,
    WarpAcceptClientPacket,
};
use eo_protocol::net::server::{CharacterMapInfo, ServerPacket, WarpType};
use eo_server::config::Config;

/// A Pk-type map 14 x 8 (an arena's map is never PK all the same): a lobby x 1..4 and the
/// ring x 6..12 of Arena tiles; relog (1, 6).
const RING: &str = r#"
name = "Test Ring"
type = "Pk"
width = 14
height = 8
fill_tile = 1
relog = { x = 1, y = 6 }
layout = '''
##############
#....#AAAAAAA#
#....#AAAAAAA#
#....#AAAAAAA#
#....#AAAAAAA#
#....#AAAAAAA#
#....#AAAAAAA#
##############
'''
"#;

/// The launch tiles of the test ring and where each leads: (1, 3) to (7, 3), (3, 3) to
/// (8, 3) (next to it), (2, 2) to (10, 3).
const FROM_A: (u8, u8) = (1, 3);
const FROM_B: (u8, u8) = (3, 3);
const FROM_C: (u8, u8) = (2, 2);

fn arenas(map: u16, block: u16) -> String {
    format!(
        "[[arena]]\nmap = {map}\nrate_secs = 1\nblock = {block}\nspawns = [\n  \
         {{ from = {{ x = 1, y = 3 }}, to = {{ x = 7, y = 3 }} }},\n  \
         {{ from = {{ x = 3, y = 3 }}, to = {{ x = 8, y = 3 }} }},\n  \
         {{ from = {{ x = 2, y = 2 }}, to = {{ x = 10, y = 3 }} }},\n]\n"
    )
}

fn world(block: u16) -> TestWorld {
    // The ring is the first map after the bundled ones.
    let first_new_map = common::world::build(&[]).first_new_map;
    common::world::world()
        .map(RING)
        .data_file("arenas.toml", &arenas(first_new_map, block))
        .build()
}

async fn start(world: &TestWorld, adjust: impl FnOnce(&mut Config)) -> TestServer {
    let map = world.first_new_map;
    world
        .serve((map, 2, 4), move |config| {
            config.npcs.tick_ms = 20;
            adjust(config);
        })
        .await
}

/// A player who logs in standing on `at` of the ring.
async fn fighter(server: &TestServer, map: u16, name: &str, at: (u8, u8)) -> TestClient {
    let (client, _, _) = edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (map, at.0, at.1);
        c.hp = 1000;
    })
    .await;
    client
}

/// Takes the warp offered: where the character is then, as the map has it.
async fn take_warp(client: &mut TestClient, map: u16) -> CharacterMapInfo {
    let request = expect(client, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!((request.warp_type, request.map_id), (WarpType::Local, map));
    client
        .send(&WarpAcceptClientPacket {
            map_id: map,
            session_id: request.session_id,
        })
        .await;
    let me = client.player_id;
    expect(client, |p| match p {
        ServerPacket::WarpAgree(a) => a.nearby.characters.into_iter().find(|c| c.player_id == me),
        _ => None,
    })
    .await
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

/// Everything the client gets until the map has handled what `from` sent before: a chat
/// line from `from` comes after whatever its earlier packets caused.
async fn until_said_by(client: &mut TestClient, from: &mut TestClient) -> Vec<ServerPacket> {
    from.send(&TalkReportClientPacket {
        message: "barrier".into(),
    })
    .await;
    let mut seen = Vec::new();
    loop {
        match expect(client, Some).await {
            ServerPacket::TalkPlayer(t) if t.message == "barrier" => return seen,
            other => seen.push(other),
        }
    }
}

async fn myself(client: &mut TestClient) -> CharacterMapInfo {
    client.send(&RefreshRequestClientPacket).await;
    let me = client.player_id;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(r) => {
            r.nearby.characters.into_iter().find(|c| c.player_id == me)
        }
        _ => None,
    })
    .await
}

/// Waits until `count` players were sent in, over one launch or more.
async fn launched(client: &mut TestClient, count: u8) {
    let mut sent = 0;
    while sent < count {
        sent += expect(client, |p| match p {
            ServerPacket::ArenaUse(u) => Some(u.players_count),
            _ => None,
        })
        .await;
    }
    assert_eq!(sent, count);
}

#[tokio::test]
async fn two_players_launched_one_blow_knocks_out_and_the_winner_is_announced() {
    let world = world(4);
    let map = world.first_new_map;
    let server = start(&world, |_| {}).await;
    let mut a = fighter(&server, map, "alder", FROM_A).await;
    let mut b = fighter(&server, map, "birch", FROM_B).await;
    let mut watcher = fighter(&server, map, "watcher", (4, 6)).await;
    let hp_before = myself(&mut b).await.hp;
    // The first launch with both in place sends both (one alone is never sent).
    let count = expect(&mut a, |p| match p {
        ServerPacket::ArenaUse(u) => Some(u.players_count),
        _ => None,
    })
    .await;
    assert_eq!(count, 2);
    let at_a = take_warp(&mut a, map).await;
    let at_b = take_warp(&mut b, map).await;
    assert_eq!((at_a.coords.x, at_a.coords.y), (7, 3));
    assert_eq!((at_b.coords.x, at_b.coords.y), (8, 3));
    // One blow: birch is out, alder wins with one kill.
    attack(&mut a, Direction::Right).await;
    let won = expect(&mut watcher, |p| match p {
        ServerPacket::ArenaAccept(w) => Some(w),
        _ => None,
    })
    .await;
    assert_eq!(won.winner_name, "alder");
    assert_eq!(won.kills_count, 1);
    assert_eq!(
        (won.killer_name.as_str(), won.victim_name.as_str()),
        ("alder", "birch")
    );
    // Both go to the relog point; the victim is knocked out, not hurt and not killed.
    let out_b = take_warp(&mut b, map).await;
    assert_eq!((out_b.coords.x, out_b.coords.y), (1, 6));
    assert_eq!(out_b.hp, hp_before);
    let out_a = take_warp(&mut a, map).await;
    assert_eq!((out_a.coords.x, out_a.coords.y), (1, 6));
    let seen_by_b = until_said_by(&mut b, &mut a).await;
    assert!(
        !seen_by_b.iter().any(|p| matches!(
            p,
            ServerPacket::AvatarReply(_) | ServerPacket::RecoverPlayer(_)
        )),
        "a knock-out is no PK blow: {seen_by_b:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn kills_are_counted_until_the_last_one_standing() {
    let world = world(4);
    let map = world.first_new_map;
    let server = start(&world, |_| {}).await;
    let mut a = fighter(&server, map, "alder", FROM_A).await;
    let mut b = fighter(&server, map, "birch", FROM_B).await;
    let mut c = fighter(&server, map, "cedar", FROM_C).await;
    // Three go in (in one launch, or two then one more: a round in progress takes more).
    // Alder, in first, hears every launch that sends anyone.
    launched(&mut a, 3).await;
    take_warp(&mut a, map).await;
    take_warp(&mut b, map).await;
    let at_c = take_warp(&mut c, map).await;
    assert_eq!((at_c.coords.x, at_c.coords.y), (10, 3));
    // Alder knocks birch out: a kill, two left.
    attack(&mut a, Direction::Right).await;
    let spec = expect(&mut c, |p| match p {
        ServerPacket::ArenaSpec(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!(
        (spec.player_id, spec.direction),
        (a.player_id, Direction::Right)
    );
    assert_eq!(spec.kills_count, 1);
    assert_eq!(
        (spec.killer_name.as_str(), spec.victim_name.as_str()),
        ("alder", "birch")
    );
    take_warp(&mut b, map).await;
    // A blow at empty ground does nothing; then alder walks up to cedar and knocks it out.
    attack(&mut a, Direction::Up).await;
    a.walk(Direction::Right, 7, 3).await;
    a.walk(Direction::Right, 8, 3).await;
    let here = myself(&mut a).await;
    assert_eq!((here.coords.x, here.coords.y), (9, 3));
    attack(&mut a, Direction::Right).await;
    let won = expect(&mut b, |p| match p {
        ServerPacket::ArenaAccept(w) => Some(w),
        _ => None,
    })
    .await;
    assert_eq!((won.winner_name.as_str(), won.kills_count), ("alder", 2));
    assert_eq!(won.victim_name, "cedar");
    let out = take_warp(&mut c, map).await;
    assert_eq!((out.coords.x, out.coords.y), (1, 6));
    server.stop().await;
}

#[tokio::test]
async fn a_full_arena_refuses_a_launch() {
    // Block 2: with two fighters in, the next player on a launch tile is told the arena is
    // full and stays where it is.
    let world = world(2);
    let map = world.first_new_map;
    let server = start(&world, |_| {}).await;
    let mut a = fighter(&server, map, "alder", FROM_A).await;
    let mut b = fighter(&server, map, "birch", FROM_B).await;
    launched(&mut a, 2).await;
    take_warp(&mut a, map).await;
    take_warp(&mut b, map).await;
    let mut c = fighter(&server, map, "cedar", FROM_C).await;
    expect(&mut c, |p| {
        matches!(p, ServerPacket::ArenaDrop(_)).then_some(())
    })
    .await;
    let still = myself(&mut c).await;
    assert_eq!(
        (still.coords.x, still.coords.y),
        (u16::from(FROM_C.0), u16::from(FROM_C.1))
    );
    server.stop().await;
}

#[tokio::test]
async fn players_never_hurt_each_other_on_an_arena_map_outside_a_round() {
    // The ring's map is of type Pk, but an arena's map has no PK: two players in the lobby
    // (no launch tile) strike at each other in vain.
    let world = world(4);
    let map = world.first_new_map;
    let server = start(&world, |_| {}).await;
    let mut striker = fighter(&server, map, "striker", (1, 5)).await;
    let mut target = fighter(&server, map, "target", (2, 5)).await;
    let before = myself(&mut target).await.hp;
    attack(&mut striker, Direction::Right).await;
    attack(&mut striker, Direction::Right).await;
    let seen = until_said_by(&mut target, &mut striker).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::AvatarReply(_)
                | ServerPacket::ArenaSpec(_)
                | ServerPacket::ArenaAccept(_)
        )),
        "{seen:?}"
    );
    assert_eq!(myself(&mut target).await.hp, before);
    server.stop().await;
}

#[tokio::test]
async fn the_bundled_ring_sends_two_in_from_its_launch_pads() {
    // The world as it ships: Mossbrook Ring (map 4), its launch pads (2, 2) and (4, 2) lead
    // to (9, 2) and (17, 2). Its rate is 30 seconds: the test waits for one launch.
    let server = TestServer::start(|_| {}).await;
    let mut a = fighter(&server, 4, "alder", (2, 2)).await;
    let mut b = fighter(&server, 4, "birch", (4, 2)).await;
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(40);
    let count = loop {
        let left = until
            .checked_duration_since(tokio::time::Instant::now())
            .expect("a launch within the ring's 30 seconds");
        if let Some(ServerPacket::ArenaUse(u)) = a.try_recv(left).await {
            break u.players_count;
        }
    };
    assert_eq!(count, 2);
    let at_a = take_warp(&mut a, 4).await;
    let at_b = take_warp(&mut b, 4).await;
    assert_eq!((at_a.coords.x, at_a.coords.y), (9, 2));
    assert_eq!((at_b.coords.x, at_b.coords.y), (17, 2));
    server.stop().await;
}

#[tokio::test]
async fn a_round_whose_last_opponent_leaves_ends_without_a_winner() {
    let world = world(4);
    let map = world.first_new_map;
    let server = start(&world, |_| {}).await;
    let mut a = fighter(&server, map, "alder", FROM_A).await;
    let mut b = fighter(&server, map, "birch", FROM_B).await;
    launched(&mut a, 2).await;
    take_warp(&mut a, map).await;
    take_warp(&mut b, map).await;
    // Birch logs out. After the grace a fighter away from the map has, alder is told and sent
    // out; nobody is announced the winner.
    drop(b);
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    let told = loop {
        let left = until
            .checked_duration_since(tokio::time::Instant::now())
            .expect("the last fighter is told within 15 s");
        match a.try_recv(left).await {
            Some(ServerPacket::TalkServer(t)) => break t.message,
            Some(ServerPacket::ArenaAccept(w)) => panic!("a winner announced: {w:?}"),
            _ => {}
        }
    };
    assert!(told.contains("last opponent left"), "{told}");
    let out = take_warp(&mut a, map).await;
    assert_eq!((out.coords.x, out.coords.y), (1, 6));
    server.stop().await;
}
