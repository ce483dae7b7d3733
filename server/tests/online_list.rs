//! The online list (Players_Request) is built once per change, not once per request: a client
//! asking for it again and again costs the world a copy, and the list is still current after
//! every login, logout and promotion.

mod common;

use common::{Control, TestClient, TestServer, enter_game};
use eo_protocol::net::server::CharacterIcon;
use serde_json::json;

/// The online list as the client gets it: (name, icon).
async fn online_list(client: &mut TestClient) -> Vec<(String, CharacterIcon)> {
    common::online_list(client)
        .await
        .into_iter()
        .map(|p| (p.name, p.icon))
        .collect()
}

async fn builds(control: &mut Control) -> u64 {
    control.ok("status", json!({})).await["online_list_builds"]
        .as_u64()
        .expect("status reports online_list_builds")
}

#[tokio::test]
async fn the_online_list_is_built_once_per_change() {
    let server = TestServer::start(|c| c.flood.packets_per_sec = 0).await;
    let mut control = Control::connect(&server.socket).await;
    let mut alice = TestClient::connected(server.addr).await;
    enter_game(&mut alice, "alice").await;
    let mut bobby = TestClient::connected(server.addr).await;
    enter_game(&mut bobby, "bobby").await;
    let before = builds(&mut control).await;

    let player = CharacterIcon::Player;
    for _ in 0..50 {
        let list = online_list(&mut alice).await;
        assert_eq!(list, [("alice".into(), player), ("bobby".into(), player)]);
    }
    assert_eq!(
        builds(&mut control).await,
        before + 1,
        "50 requests, one build"
    );

    // A login changes it.
    let mut carol = TestClient::connected(server.addr).await;
    enter_game(&mut carol, "carol").await;
    let list = online_list(&mut bobby).await;
    assert_eq!(list.len(), 3);
    // A promotion changes an icon.
    control
        .ok("promote", json!({"name": "carol", "level": 4}))
        .await;
    let list = online_list(&mut bobby).await;
    assert_eq!(list[2], ("carol".into(), CharacterIcon::Hgm));
    // A logout changes it.
    drop(carol);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while online_list(&mut alice).await.len() != 2 {
        assert!(tokio::time::Instant::now() < deadline, "carol still listed");
    }
    let after = builds(&mut control).await;
    assert!(
        (before + 4..=before + 6).contains(&after),
        "one build per change (and per request between a logout and its end): {before} -> {after}"
    );
    server.stop().await;
}
