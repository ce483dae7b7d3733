//! Who sees whom on a large map: a walker leaving and re-entering another player's sight
//! across the map actor's index cells, on Windmere Fields (200 x 200).

mod common;

use common::{TestClient, TestServer, enter_game};
use eo_protocol::Direction;
use eo_protocol::net::server::ServerPacket;
use eo_server::config::SpawnArea;

async fn walk(client: &mut TestClient, direction: Direction, to: (u8, u8)) {
    client.walk(direction, to.0, to.1).await;
    // The walker's Walk_Reply says the step was taken.
    loop {
        match client.recv().await {
            ServerPacket::WalkReply(_) => return,
            ServerPacket::RefreshReply(_) => panic!("the walk to {to:?} was refused"),
            _ => {}
        }
    }
}

/// What `watcher` got about `walker` (by player id) until nothing more comes for 300 ms.
async fn seen(watcher: &mut TestClient, walker: u16) -> Vec<String> {
    let mut seen = Vec::new();
    while let Ok(packet) =
        tokio::time::timeout(std::time::Duration::from_millis(300), watcher.recv()).await
    {
        match packet {
            ServerPacket::WalkPlayer(walk) if walk.player_id == walker => {
                seen.push(format!("walk {}", walk.coords.x));
            }
            ServerPacket::PlayersAgree(agree)
                if agree
                    .nearby
                    .characters
                    .iter()
                    .any(|c| c.player_id == walker) =>
            {
                seen.push("appear".into());
            }
            ServerPacket::AvatarRemove(gone) if gone.player_id == walker => {
                seen.push("remove".into());
            }
            _ => {}
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walker_leaves_sight_and_comes_back_across_cells() {
    let server = TestServer::start(|c| {
        // The walker steps as fast as the server answers: no walk pace for this test.
        c.flood.walk_ms = 0;
        c.world.spawn_areas = vec![SpawnArea {
            map: 3,
            x: 100,
            y: 100,
            radius: 0,
        }];
    })
    .await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;
    let mut walker = TestClient::connected(server.addr).await;
    enter_game(&mut walker, "walker").await;
    let id = walker.player_id;
    assert_eq!(seen(&mut watcher, id).await, ["appear"]);

    // East 13 steps: seen up to the step that leaves sight (to 12 steps away), not after.
    for x in 101..=113 {
        walk(&mut walker, Direction::Right, (x, 100)).await;
    }
    let expected: Vec<String> = (101..=112).map(|x| format!("walk {x}")).collect();
    assert_eq!(seen(&mut watcher, id).await, expected);

    // Back west: out of sight at 12, it appears again at 11 steps, then walks in view.
    for x in (109..=112).rev() {
        walk(&mut walker, Direction::Left, (x, 100)).await;
    }
    assert_eq!(
        seen(&mut watcher, id).await,
        ["appear", "walk 110", "walk 109"]
    );

    // Logging out in sight: it is removed.
    drop(walker);
    assert_eq!(seen(&mut watcher, id).await, ["remove"]);
    server.stop().await;
}
