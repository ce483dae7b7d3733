//! NPCs over real TCP: spawning into view, wandering, chasing around walls, what a client is
//! told and how often.

mod common;

use common::world::TestWorld;
use common::{TestClient, TestServer, enter_game_reply, expect};
use eo_protocol::net::client::{
    NpcRangeRequestClientPacket, RangeRequestClientPacket, WalkAction, WalkPlayerClientPacket,
};
use eo_protocol::net::server::{NpcMapInfo, ServerPacket};
use eo_protocol::{Coords, Direction};
use eo_server::config::Config;
use std::collections::{HashMap, HashSet};

/// A tick of 20 ms and NPCs of every speed acting on every tick; no spawn scatter and a fixed
/// seed, so tests see the same game each run.
fn fast(config: &mut Config) {
    config.npcs.tick_ms = 20;
    config.npcs.speeds_ms = [20; 7];
    config.npcs.spawn_radius = 0;
    config.npcs.seed = 7;
}

/// Starts a server on `world` with new characters placed on `map` at (x, y).
async fn start_on(world: &TestWorld, map: u16, x: u8, y: u8) -> TestServer {
    world
        .serve((map, x, y), move |config| {
            fast(config);
        })
        .await
}

/// The layout's tiles by character, for checking where NPCs step.
fn floor(layout: &str) -> HashSet<(u8, u8)> {
    let rows = layout.trim_matches('\n').lines();
    let mut tiles = HashSet::new();
    for (y, row) in rows.enumerate() {
        for (x, c) in row.chars().enumerate() {
            if c != '#' {
                tiles.insert((x as u8, y as u8));
            }
        }
    }
    tiles
}

fn layout_of(map: &str) -> &str {
    let start = map.find("'''").unwrap() + 3;
    let end = start + map[start..].find("'''").unwrap();
    &map[start..end]
}

/// An aggressive Briar Boar (NPC 5) in a cup open to the north; a player south of the cup's
/// bottom. Walking straight at the player runs into the cup; the way round is 15 steps.
const CUP: &str = r#"
name = "Test Cup"
width = 13
height = 9
fill_tile = 1
relog = { x = 6, y = 7 }
layout = '''
#############
#...........#
#..#.....#..#
#..#.....#..#
#..#.....#..#
#..#######..#
#...........#
#...........#
#############
'''

[[npc]]
x = 6
y = 3
npc = 5
spawn_type = 0
spawn_time = 1
"#;

/// Eight Meadow Hoppers (passive, NPC 4) in an open field.
const FIELD: &str = r#"
name = "Test Field"
width = 16
height = 16
fill_tile = 1
relog = { x = 8, y = 8 }
layout = '''
################
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
#..............#
################
'''

[[npc]]
x = 3
y = 3
npc = 4
spawn_type = 0
spawn_time = 1

[[npc]]
x = 12
y = 3
npc = 4
spawn_type = 0
spawn_time = 1

[[npc]]
x = 3
y = 12
npc = 4
spawn_type = 0
spawn_time = 1

[[npc]]
x = 12
y = 12
npc = 4
spawn_type = 0
spawn_time = 1

[[npc]]
x = 5
y = 5
npc = 4
spawn_type = 0
spawn_time = 1

[[npc]]
x = 10
y = 5
npc = 4
spawn_type = 0
spawn_time = 1

[[npc]]
x = 5
y = 10
npc = 4
spawn_type = 0
spawn_time = 1

[[npc]]
x = 10
y = 10
npc = 4
spawn_type = 0
spawn_time = 1
"#;

/// What a client knows of the NPCs it was shown: index -> (id, tile).
#[derive(Default)]
struct Known(HashMap<u8, (u16, (u8, u8))>);

impl Known {
    fn learn(&mut self, npcs: &[NpcMapInfo]) {
        for npc in npcs {
            self.0
                .insert(npc.index, (npc.id, (npc.coords.x, npc.coords.y)));
        }
    }

    fn at(&self, index: u8) -> Option<(u8, u8)> {
        self.0.get(&index).map(|(_, at)| *at)
    }
}

fn next_to(a: (u8, u8), b: (u8, u8)) -> bool {
    a.0.abs_diff(b.0) + a.1.abs_diff(b.1) == 1
}

#[tokio::test]
async fn the_town_npcs_in_view_are_listed_on_entering_and_on_refresh() {
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connected(server.addr).await;
    let (_, entered) = enter_game_reply(&mut client, "viewer").await;
    // From the relog point (16, 9): Banker Odell at (17, 2) is 8 steps away; Marla the
    // Trader at (7, 1) is 17, out of sight.
    let mut known = Known::default();
    known.learn(&entered.nearby.npcs);
    if known.0.is_empty() {
        // The map's first tick may not have run yet: the spawn comes as a Range_Reply.
        let appeared = expect(&mut client, |p| match p {
            ServerPacket::RangeReply(r) => Some(r.nearby.npcs),
            _ => None,
        })
        .await;
        known.learn(&appeared);
    }
    let banker = known.0.values().find(|(id, _)| *id == 3);
    assert_eq!(banker, Some(&(3, (17, 2))));
    assert!(
        !known.0.values().any(|(id, _)| *id == 1),
        "the trader is out of sight"
    );

    client
        .send(&eo_protocol::net::client::RefreshRequestClientPacket)
        .await;
    let refreshed = expect(&mut client, |p| match p {
        ServerPacket::RefreshReply(r) => Some(r.nearby.npcs),
        _ => None,
    })
    .await;
    assert!(
        refreshed
            .iter()
            .any(|n| n.id == 3 && (n.coords.x, n.coords.y) == (17, 2))
    );
    server.stop().await;
}

#[tokio::test]
async fn a_client_asking_about_npcs_is_told_of_those_it_can_see() {
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connected(server.addr).await;
    let (_, entered) = enter_game_reply(&mut client, "asker").await;
    let banker = match entered.nearby.npcs.iter().find(|n| n.id == 3) {
        Some(banker) => banker.index,
        None => 2, // the third spawn of the town's list
    };
    // The trader (index 0) is out of sight and 200 is no NPC: only the banker is told.
    client
        .send(&NpcRangeRequestClientPacket {
            npc_indexes: vec![0, banker, 200],
        })
        .await;
    let agreed = expect(&mut client, |p| match p {
        ServerPacket::NpcAgree(a) => Some(a.npcs),
        _ => None,
    })
    .await;
    assert_eq!(agreed.len(), 1);
    assert_eq!((agreed[0].index, agreed[0].id), (banker, 3));

    client
        .send(&RangeRequestClientPacket {
            player_ids: vec![client.player_id],
            npc_indexes: vec![banker],
        })
        .await;
    let nearby = expect(&mut client, |p| match p {
        ServerPacket::RangeReply(r) => Some(r.nearby),
        _ => None,
    })
    .await;
    assert_eq!(nearby.characters.len(), 1);
    assert_eq!(nearby.npcs.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn an_aggressive_npc_paths_around_a_wall_to_reach_the_player() {
    let world = common::world::build(&[CUP]);
    let map = world.first_new_map;
    let server = start_on(&world, map, 6, 7).await;
    let mut client = TestClient::connected(server.addr).await;
    let (_, entered) = enter_game_reply(&mut client, "bait").await;
    let player = (6, 7);
    let floor = floor(layout_of(CUP));
    let mut known = Known::default();
    known.learn(&entered.nearby.npcs);
    let mut steps = Vec::new();
    loop {
        let packet = expect(&mut client, Some).await;
        match packet {
            ServerPacket::RangeReply(r) => known.learn(&r.nearby.npcs),
            ServerPacket::NpcPlayer(update) => {
                for step in update.positions {
                    let to = (step.coords.x, step.coords.y);
                    let from = known
                        .at(step.npc_index)
                        .expect("a step of an NPC shown before");
                    assert!(next_to(from, to), "{from:?} to {to:?} is not one step");
                    assert!(floor.contains(&to), "{to:?} is a wall");
                    known.0.insert(step.npc_index, (5, to));
                    steps.push(to);
                }
            }
            _ => continue,
        }
        if let Some(at) = known.at(0)
            && next_to(at, player)
        {
            break;
        }
        assert!(steps.len() < 40, "the boar wanders: {steps:?}");
    }
    assert_eq!(steps.len(), 15, "a shortest way round: {steps:?}");
    server.stop().await;
}

#[tokio::test]
async fn passive_npcs_wander_and_each_viewer_gets_one_update_per_tick() {
    let world = common::world::build(&[FIELD]);
    let map = world.first_new_map;
    let server = start_on(&world, map, 8, 8).await;
    let mut client = TestClient::connected(server.addr).await;
    let (_, entered) = enter_game_reply(&mut client, "watcher").await;
    let floor = floor(layout_of(FIELD));
    let mut known = Known::default();
    known.learn(&entered.nearby.npcs);
    let mut updates = 0;
    let mut steps = 0;
    let mut widest = 0;
    let mut walked = HashSet::new();
    while updates < 40 {
        match expect(&mut client, Some).await {
            ServerPacket::RangeReply(r) => known.learn(&r.nearby.npcs),
            ServerPacket::NpcPlayer(update) => {
                updates += 1;
                widest = widest.max(update.positions.len());
                let mut in_this_update = HashSet::new();
                for step in update.positions {
                    assert!(
                        in_this_update.insert(step.npc_index),
                        "an NPC moved twice in one update"
                    );
                    let to = (step.coords.x, step.coords.y);
                    let from = known
                        .at(step.npc_index)
                        .expect("a step of an NPC shown before");
                    assert!(next_to(from, to), "{from:?} to {to:?}");
                    assert!(floor.contains(&to) && to != (8, 8), "{to:?}");
                    known.0.insert(step.npc_index, (4, to));
                    walked.insert(step.npc_index);
                    steps += 1;
                }
            }
            _ => {}
        }
    }
    assert_eq!(known.0.len(), 8, "all eight hoppers were shown");
    assert!(walked.len() >= 6, "most hoppers wander: {walked:?}");
    // Eight NPCs acting on every tick: one packet carries the steps of many.
    assert!(widest >= 4, "at most {widest} steps in one update");
    assert!(steps >= updates * 3, "{steps} steps in {updates} updates");
    server.stop().await;
}

/// A booth: a standing trader (NPC 1, spawn type 7) two tiles east of the player.
const BOOTH: &str = r#"
name = "Test Booth"
width = 5
height = 3
fill_tile = 1
relog = { x = 1, y = 1 }
layout = '''
#####
#...#
#####
'''

[[npc]]
x = 3
y = 1
npc = 1
spawn_type = 7
spawn_time = 1
"#;

#[tokio::test]
async fn a_player_cannot_walk_into_an_npc() {
    let world = common::world::build(&[BOOTH]);
    let map = world.first_new_map;
    let server = start_on(&world, map, 1, 1).await;
    let mut client = TestClient::connected(server.addr).await;
    let _ = enter_game_reply(&mut client, "bumper").await;
    let walk_right = |x, timestamp| WalkPlayerClientPacket {
        walk_action: WalkAction {
            direction: Direction::Right,
            timestamp,
            coords: Coords { x, y: 1 },
        },
    };
    // (2, 1) is free; (3, 1) holds the trader, so the server puts the client back with a
    // Refresh_Reply.
    client.send(&walk_right(1, 1)).await;
    client.send(&walk_right(2, 2)).await;
    let refreshed = expect(&mut client, |p| match p {
        ServerPacket::RefreshReply(r) => Some(r.nearby),
        _ => None,
    })
    .await;
    let me = &refreshed.characters[0];
    assert_eq!((me.coords.x, me.coords.y), (2, 1));
    assert!(
        refreshed
            .npcs
            .iter()
            .any(|n| n.id == 1 && (n.coords.x, n.coords.y) == (3, 1))
    );
    server.stop().await;
}
