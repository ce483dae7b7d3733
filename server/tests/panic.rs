//! A panic in one player's handler (reachable only with the `fault-injection` feature, as in
//! `cargo test --workspace --all-features`) closes that connection, is logged with its address,
//! and releases what it held; everyone else is served on.

#![cfg(feature = "fault-injection")]

mod common;
#[path = "common/logs.rs"]
mod logs;

use std::time::Duration;

use common::{Control, TestClient, TestServer, enter_game, expect};
use eo_protocol::Direction;
use eo_protocol::net::client::TalkReportClientPacket;
use eo_protocol::net::server::ServerPacket;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_one_players_handler_closes_only_that_connection_and_releases_it() {
    let logs = logs::captured();
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut victim = TestClient::connected(server.addr).await;
    enter_game(&mut victim, "victim").await;
    let victim_addr = victim.framed.get_ref().local_addr().unwrap();
    let victim_id = victim.player_id;
    let mut other = TestClient::connected(server.addr).await;
    enter_game(&mut other, "other").await;
    // The victim walks first, so its saved position tells whether it was saved.
    victim.walk(Direction::Down, 16, 10).await;
    expect(&mut victim, |p| {
        matches!(p, ServerPacket::WalkReply(_)).then_some(())
    })
    .await;
    let status = control.ok("status", json!({})).await;
    assert_eq!(
        (status["connections"].as_u64(), status["players"].as_u64()),
        (Some(2), Some(2))
    );

    victim
        .send(&TalkReportClientPacket {
            message: eo_server::player::FAULT_PANIC_LINE.into(),
        })
        .await;
    assert!(
        victim.is_closed_within(Duration::from_secs(5)).await,
        "the panicking connection is closed"
    );
    // Its character left the map: the other player saw it go.
    let gone = expect(&mut other, |p| match p {
        ServerPacket::AvatarRemove(remove) => Some(remove.player_id),
        _ => None,
    })
    .await;
    assert_eq!(gone, victim_id);
    // The other player is served on.
    other.walk(Direction::Right, 17, 9).await;
    expect(&mut other, |p| {
        matches!(p, ServerPacket::WalkReply(_)).then_some(())
    })
    .await;

    // Its player id and its place in the online list are freed (released by messages to the
    // world, so give them a moment).
    let mut released = false;
    for _ in 0..100 {
        let status = control.ok("status", json!({})).await;
        if (
            status["connections"].as_u64(),
            status["logged_in"].as_u64(),
            status["players"].as_u64(),
        ) == (Some(1), Some(1), Some(1))
        {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(released, "{}", control.ok("status", json!({})).await);
    let log = logs::text(&logs);
    let line = log
        .lines()
        .find(|l| l.contains("panicked"))
        .unwrap_or_else(|| panic!("no panic line in the log:\n{log}"));
    assert!(line.contains(&victim_addr.to_string()), "{line}");
    assert!(line.contains("fault injection"), "{line}");

    // The account logs in again (it was released), and the character was saved where it
    // stood: it enters the game at (16,10).
    // (enter_game asserts that the login is accepted.)
    let mut again = TestClient::connected(server.addr).await;
    enter_game(&mut again, "victim").await;
    let players = control.ok("players", json!({})).await;
    let victim = players["players"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "victim")
        .cloned()
        .unwrap();
    assert_eq!(
        (victim["x"].as_u64(), victim["y"].as_u64()),
        (Some(16), Some(10)),
        "{victim}"
    );
    server.stop().await;
}

/// The panic isolation above needs unwinding: a release build that aborted on panic would
/// take the whole server down with one handler.
#[test]
fn the_release_profile_unwinds_on_panic() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&manifest).unwrap();
    let release = &manifest["profile"]["release"];
    assert_eq!(
        release.get("panic").and_then(|p| p.as_str()),
        Some("unwind")
    );
}
