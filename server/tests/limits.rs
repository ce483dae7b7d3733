//! The connection limits hold over real TCP.

mod common;

use std::time::Duration;

use common::{TestClient, TestServer};

#[tokio::test]
async fn connections_beyond_the_per_address_limit_are_closed_and_freed_slots_reopen() {
    let server = TestServer::start(|c| c.server.max_connections_per_ip = 2).await;
    let mut a = TestClient::connected(server.addr).await;
    let _b = TestClient::connected(server.addr).await;
    let mut third = TestClient::connect(server.addr).await;
    assert!(
        third.is_closed_within(Duration::from_secs(2)).await,
        "a third from one address"
    );
    assert!(
        !a.is_closed_within(Duration::from_millis(100)).await,
        "the first two stay"
    );
    drop(a);
    // The slot is freed once the server sees the first connection end.
    let mut admitted = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut again = TestClient::connect(server.addr).await;
        if !again.is_closed_within(Duration::from_millis(100)).await {
            admitted = true;
            break;
        }
    }
    assert!(admitted, "a freed slot admits a new connection");
    server.stop().await;
}

#[tokio::test]
async fn the_total_limit_and_the_reconnect_interval_hold() {
    let server = TestServer::start(|c| {
        c.server.max_connections = 2;
        c.server.max_players = 2;
    })
    .await;
    let _a = TestClient::connected(server.addr).await;
    let _b = TestClient::connected(server.addr).await;
    let mut over = TestClient::connect(server.addr).await;
    assert!(
        over.is_closed_within(Duration::from_secs(2)).await,
        "beyond max_connections"
    );
    server.stop().await;

    let server = TestServer::start(|c| c.server.ip_reconnect_limit_secs = 30).await;
    let first = TestClient::connected(server.addr).await;
    drop(first);
    let mut soon = TestClient::connect(server.addr).await;
    assert!(
        soon.is_closed_within(Duration::from_secs(2)).await,
        "reconnecting too soon"
    );
    server.stop().await;
}
