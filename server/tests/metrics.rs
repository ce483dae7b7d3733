//! The Prometheus endpoint of the real binary, scraped while clients play: the counts match
//! what happened (logins by outcome, connections by state, players and NPCs by map, packets by
//! family, dropped connections by reason), and `eo-admin status` over the control socket shows
//! the same counts.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use binary::{BinaryServer, config_in};
use common::{Control, TestClient, enter_game};
use eo_protocol::net::client::TalkReportClientPacket;
use eo_protocol::net::server::LoginReply;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET path` on the metrics endpoint: the status line and the body.
async fn get(endpoint: SocketAddr, path: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(endpoint).await.unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// The samples of a scrape, by series.
async fn scrape(endpoint: SocketAddr) -> HashMap<String, f64> {
    let (status, body) = get(endpoint, "/metrics").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    body.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

fn value(samples: &HashMap<String, f64>, series: &str) -> f64 {
    samples.get(series).copied().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_count_what_happened_and_status_shows_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |c| {
        c.metrics.enabled = true;
        c.metrics.listen = "127.0.0.1:0".parse().unwrap();
    });
    let socket = config.control.socket.clone();
    let mut server = BinaryServer::start(dir.path(), config);
    let line = server
        .wait_for_line(Duration::from_secs(10), |l| l.contains("serving metrics"))
        .await;
    let endpoint: SocketAddr = binary::field(&line, "addr").unwrap().parse().unwrap();

    // One wrong password, then a login and a character in the game that talks.
    let mut player = TestClient::connected(server.addr).await;
    enter_game(&mut player, "metric").await;
    drop(player);
    let mut wrong = TestClient::connected(server.addr).await;
    assert_eq!(
        wrong.login("metric", "not-it").await.reply_code,
        LoginReply::WrongUserPassword
    );
    let mut player = TestClient::connected(server.addr).await;
    enter_game(&mut player, "metric").await;
    for n in 0..3 {
        player
            .send(&TalkReportClientPacket {
                message: format!("line {n}"),
            })
            .await;
    }
    // A connection dropped for a packet without its sequence number.
    let mut bad = TestClient::connected(server.addr).await;
    bad.send_body(&[1, 250, 0, 0]).await;
    assert!(bad.is_closed_within(Duration::from_secs(5)).await);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let samples = loop {
        let samples = scrape(endpoint).await;
        let settled = value(&samples, "eo_packets_received_total{family=\"Talk\"}") >= 3.0
            && value(&samples, "eo_dropped_total{reason=\"bad_sequence\"}") >= 1.0;
        if settled || tokio::time::Instant::now() > deadline {
            break samples;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(value(&samples, "eo_logins_total{result=\"ok\"}"), 2.0);
    assert_eq!(
        value(&samples, "eo_logins_total{result=\"wrong_password\"}"),
        1.0
    );
    assert_eq!(value(&samples, "eo_connections{state=\"in game\"}"), 1.0);
    assert_eq!(
        value(&samples, "eo_connections{state=\"accepted\"}"),
        1.0,
        "the one that typed a wrong password"
    );
    assert_eq!(value(&samples, "eo_players_in_game{map=\"1\"}"), 1.0);
    assert!(
        value(&samples, "eo_npcs_alive{map=\"1\"}") >= 1.0,
        "Mossbrook's NPCs"
    );
    assert!(value(&samples, "eo_packets_received_total{family=\"Talk\"}") >= 3.0);
    assert!(value(&samples, "eo_packets_sent_total{family=\"Welcome\"}") >= 4.0);
    assert!(value(&samples, "eo_bytes_sent_total") > 0.0);
    assert_eq!(
        value(&samples, "eo_dropped_total{reason=\"bad_sequence\"}"),
        1.0
    );
    assert!(value(&samples, "eo_map_tick_seconds_count{map=\"1\"}") > 0.0);
    assert!(value(&samples, "eo_database_call_seconds_count") > 0.0);
    assert!(
        value(&samples, "eo_save_seconds_count") >= 1.0,
        "the first logout's save"
    );
    assert_eq!(value(&samples, "eo_hashing_queue"), 0.0);

    // eo-admin status (the control socket) shows the same counts.
    let mut control = Control::connect(&socket).await;
    let status = control.ok("status", json!({})).await;
    let shown = &status["metrics"];
    for series in [
        "eo_logins_total{result=\"ok\"}",
        "eo_logins_total{result=\"wrong_password\"}",
        "eo_connections{state=\"in game\"}",
        "eo_players_in_game{map=\"1\"}",
        "eo_dropped_total{reason=\"bad_sequence\"}",
    ] {
        assert_eq!(
            shown[series].as_f64(),
            Some(value(&samples, series)),
            "{series}"
        );
    }
    let (status_line, _) = get(endpoint, "/elsewhere").await;
    assert_eq!(status_line, "HTTP/1.1 404 Not Found");
    drop((player, wrong));
    assert!(server.stop().success());
}
