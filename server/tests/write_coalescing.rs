//! `[server] write_coalesce_ms`: packets other actors queue for a connection are held up to
//! the window and written out together, in order, with nothing lost; the connection's own
//! answers are not held.

mod common;

use std::time::Duration;

use common::{TestClient, TestServer, enter_game, expect};
use eo_protocol::net::client::{MessagePingClientPacket, TalkReportClientPacket};
use eo_protocol::net::server::ServerPacket;
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_millis(400);

async fn started() -> (TestServer, TestClient, TestClient) {
    let server = TestServer::start(|c| {
        c.server.write_coalesce_ms = WINDOW.as_millis() as u64;
        c.flood.chat_ms = 0;
    })
    .await;
    let mut speaker = TestClient::connected(server.addr).await;
    enter_game(&mut speaker, "speaker").await;
    let mut listener = TestClient::connected(server.addr).await;
    enter_game(&mut listener, "listener").await;
    (server, speaker, listener)
}

#[tokio::test]
async fn broadcasts_are_held_for_the_window_and_arrive_in_order() {
    let (server, mut speaker, mut listener) = started().await;
    // Whatever the listener was sent while entering goes out first.
    tokio::time::sleep(WINDOW * 2).await;
    while listener.try_recv(Duration::from_millis(50)).await.is_some() {}

    let said = Instant::now();
    for line in ["one", "two", "three", "four"] {
        speaker
            .send(&TalkReportClientPacket {
                message: line.into(),
            })
            .await;
    }
    let mut heard = Vec::new();
    let mut first_at = None;
    while heard.len() < 4 {
        let message = expect(&mut listener, |p| match p {
            ServerPacket::TalkPlayer(talk) => Some(talk.message),
            _ => None,
        })
        .await;
        first_at.get_or_insert_with(|| said.elapsed());
        heard.push(message);
    }
    assert_eq!(heard, ["one", "two", "three", "four"]);
    // Held: the first line cannot arrive before the window has passed (minus the timer's
    // granularity); without the window it comes in about a millisecond.
    let first_at = first_at.unwrap_or_default();
    assert!(
        first_at >= WINDOW - Duration::from_millis(50),
        "the first line came after {first_at:?}, before the {WINDOW:?} window"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_connections_own_answers_are_not_held() {
    let (server, _speaker, mut listener) = started().await;
    tokio::time::sleep(WINDOW * 2).await;
    while listener.try_recv(Duration::from_millis(50)).await.is_some() {}

    // Message_Pong is the player task's own answer: written at once. Asked five times, the
    // answers together take far less than a window each.
    let asked = Instant::now();
    for _ in 0..5 {
        listener.send(&MessagePingClientPacket).await;
        expect(&mut listener, |p| match p {
            ServerPacket::MessagePong(_) => Some(()),
            _ => None,
        })
        .await;
    }
    let took = asked.elapsed();
    assert!(
        took < WINDOW * 2,
        "five answers took {took:?}: at least one was held for the window"
    );
    server.stop().await;
}
