//! `[world] spawn_areas`: new characters start spread over the areas; an area off the map
//! stops start-up with a message naming it.

mod common;

use std::collections::HashSet;

use common::{Control, TestClient, TestServer, enter_game};
use eo_server::config::{Config, SpawnArea};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_characters_start_spread_over_the_spawn_areas() {
    let server = TestServer::start(|c| {
        // The whole town, and the hollow's relog point.
        c.world.spawn_areas = vec![
            SpawnArea {
                map: 1,
                x: 13,
                y: 10,
                radius: 13,
            },
            SpawnArea {
                map: 2,
                x: 3,
                y: 15,
                radius: 0,
            },
        ];
    })
    .await;
    let mut clients = Vec::new();
    for i in 0..24 {
        let mut client = TestClient::connected(server.addr).await;
        enter_game(&mut client, &format!("spread{}", (b'a' + i) as char)).await;
        clients.push(client);
    }
    let mut control = Control::connect(&server.socket).await;
    let players = control.ok("players", json!({})).await;
    let players = players["players"].as_array().unwrap();
    assert_eq!(players.len(), 24);
    let tiles: HashSet<(u64, u64, u64)> = players
        .iter()
        .map(|p| {
            (
                p["map"].as_u64().unwrap(),
                p["x"].as_u64().unwrap(),
                p["y"].as_u64().unwrap(),
            )
        })
        .collect();
    // 24 characters over about 400 walkable town tiles: nearly all on tiles of their own
    // (everyone stood on (16, 9) before spawn areas).
    assert!(tiles.len() >= 18, "only {} tiles: {tiles:?}", tiles.len());
    assert!(tiles.iter().all(|(map, _, _)| *map == 1 || *map == 2));
    server.stop().await;
}

#[tokio::test]
async fn a_spawn_area_off_the_maps_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.database.path = dir.path().join("test.db");
    config.control.socket = dir.path().join("control.sock");
    config.world.data_dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    config.world.spawn_areas = vec![SpawnArea {
        map: 1,
        x: 0,
        y: 0,
        radius: 2,
    }];
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = eo_server::run(config, listener, tokio_util::sync::CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "config: world.spawn_areas[0]: the centre (0, 0) of map 1 is not a walkable tile without a warp"
    );
}
