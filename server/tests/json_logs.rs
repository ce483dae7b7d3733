//! `[log] format = "json"`, the real binary: every line is a JSON object, and what a connection
//! logs carries its address, player id and character in its span, without each call site
//! adding them.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::time::Duration;

use binary::{BinaryServer, config_in};
use common::{TestClient, enter_game};
use eo_server::config::LogFormat;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_carry_the_connections_fields() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |c| c.log.format = LogFormat::Json);
    let mut server = BinaryServer::start(dir.path(), config);
    let mut client = TestClient::connected(server.addr).await;
    enter_game(&mut client, "jsonny").await;
    let local = client.framed.get_ref().local_addr().unwrap();
    let entered = server
        .wait_for_line(Duration::from_secs(10), |l| l.contains("entered the game"))
        .await;
    let record: serde_json::Value = serde_json::from_str(&entered).expect("a JSON object");
    assert_eq!(record["level"], "INFO");
    assert_eq!(record["fields"]["message"], "entered the game");
    let span = &record["span"];
    assert_eq!(span["name"], "connection");
    assert_eq!(span["addr"], local.to_string());
    assert_eq!(span["character"], "jsonny");
    assert_eq!(span["player_id"], client.player_id);
    drop(client);
    assert!(server.stop().success());
    for line in server.lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(&line).is_ok(),
            "not JSON: {line}"
        );
    }
}
