//! WebSocket clients (eoweb) on the game port: the same game as TCP clients, one EO frame per
//! binary message.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::time::Duration;

use binary::{BinaryServer, config_in};
use common::{TestClient, TestServer, WsTestClient, enter_game, expect};
use eo_protocol::net::client::{
    RefreshRequestClientPacket, TalkReportClientPacket, WalkAction, WalkPlayerClientPacket,
};
use eo_protocol::net::server::ServerPacket;
use eo_protocol::{Coords, Direction};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_client_plays_beside_a_tcp_client() {
    let server = TestServer::start(|_| {}).await;
    let mut web = WsTestClient::connected_ws(server.addr).await;
    enter_game(&mut web, "webby").await;
    let mut tcp = TestClient::connected(server.addr).await;
    enter_game(&mut tcp, "tcpy").await;

    // The TCP player walks; the browser player sees it.
    tcp.send(&WalkPlayerClientPacket {
        walk_action: WalkAction {
            direction: Direction::Up,
            timestamp: 0,
            coords: Coords { x: 16, y: 9 },
        },
    })
    .await;
    let walked = expect(&mut web, |p| match p {
        ServerPacket::WalkPlayer(w) => Some(w),
        _ => None,
    })
    .await;
    assert_eq!(walked.player_id, tcp.player_id);
    assert_eq!((walked.coords.x, walked.coords.y), (16, 8));

    // The browser player talks; the TCP player hears it.
    web.send(&TalkReportClientPacket {
        message: "hello from the browser".into(),
    })
    .await;
    let heard = expect(&mut tcp, |p| match p {
        ServerPacket::TalkPlayer(t) => Some((t.player_id, t.message)),
        _ => None,
    })
    .await;
    assert_eq!(heard, (web.player_id, "hello from the browser".to_owned()));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_websocket_input_drops_only_that_client() {
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start(|_| {}).await;
    let mut bystander = TestClient::connected(server.addr).await;
    enter_game(&mut bystander, "bystander").await;

    // A text message is not EO.
    let mut web = WsTestClient::connected_ws(server.addr).await;
    let ws = web.framed.websocket_mut();
    ws.send(Message::Text("hello".into())).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = ws.next().await {
            if message.is_close() {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server closes the connection");

    // A broken handshake: the connection is closed.
    let mut raw = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut reply = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), raw.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "closed after a bad handshake");
    assert!(
        !String::from_utf8_lossy(&reply).contains("101 Switching"),
        "not upgraded"
    );

    // The bystander is still in the game.
    bystander
        .send(&TalkReportClientPacket {
            message: "still here".into(),
        })
        .await;
    let mut other = TestClient::connected(server.addr).await;
    enter_game(&mut other, "other").await;
    server.stop().await;
}

/// Against the real binary on its default limits: WebSocket pings (which tungstenite answers
/// by itself) count toward `flood.packets_per_sec` like game packets, so a client sending
/// thousands is dropped with one log line, while a browser player beside it plays on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_pings_count_toward_flood_control() {
    use tokio_tungstenite::tungstenite::Message;
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::start(dir.path(), config_in(dir.path(), |_| {}));
    let mut player = WsTestClient::connected_ws(server.addr).await;
    enter_game(&mut player, "player").await;

    let mut pinger = WsTestClient::connected_ws(server.addr).await;
    let ws = pinger.framed.websocket_mut();
    for _ in 0..2_000 {
        if ws.send(Message::Ping("hi".into())).await.is_err() {
            break; // closed already
        }
    }
    assert!(
        pinger.is_closed_within(Duration::from_secs(5)).await,
        "the pinger is dropped"
    );
    let line = server
        .wait_for_line(Duration::from_secs(5), |l| l.contains("dropped: flooding"))
        .await;
    assert!(line.contains("flood.packets_per_sec"), "{line}");

    player.send(&RefreshRequestClientPacket).await;
    expect(&mut player, |p| match p {
        ServerPacket::RefreshReply(_) => Some(()),
        _ => None,
    })
    .await;
}

#[path = "common/logs.rs"]
mod logs;

/// A browser tab closed (or killed) drops its connection without the WebSocket closing
/// handshake: the player leaves as over TCP, and nothing is logged as an offense.
#[tokio::test]
async fn a_browser_that_goes_away_without_closing_is_no_offense() {
    let logs = logs::captured();
    let server = TestServer::start(|_| {}).await;
    let mut web = WsTestClient::connected_ws(server.addr).await;
    enter_game(&mut web, "tabby").await;
    let mut tcp = TestClient::connected(server.addr).await;
    enter_game(&mut tcp, "stayer").await;
    // The socket goes without a Close message (dropping the stream sends none).
    drop(web);
    expect(&mut tcp, |p| match p {
        ServerPacket::AvatarRemove(_) => Some(()),
        _ => None,
    })
    .await;
    let log = logs::text(&logs);
    assert!(!log.contains("closing handshake"), "{log}");
    assert!(!log.contains("dropped: bad frame"), "{log}");
    server.stop().await;
}
