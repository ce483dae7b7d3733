//! A database that does not answer for seconds (another program holding its write lock, a slow
//! disk) delays saves, never the game: players keep receiving what happens around them, nobody
//! is dropped as a slow reader, and the saves land once the database answers again.

mod common;

use std::time::Duration;

use common::{TestClient, TestServer, enter_game, expect, saved_character};
use eo_protocol::Direction;
use eo_protocol::net::client::TalkReportClientPacket;
use eo_protocol::net::server::ServerPacket;

/// How long the test holds the database's write lock: longer than its busy timeout (5 s), so
/// saves under way fail and are retried.
const LOCKED: Duration = Duration::from_secs(7);
/// More lines than a player's outbox holds (256), so a player task stuck on a save would be
/// dropped as a slow reader.
const LINES: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_delays_saves_and_nobody_is_dropped() {
    let server = TestServer::start(|c| {
        c.world.save_interval_secs = 1;
        c.flood.chat_ms = 0;
        c.flood.packets_per_sec = 0;
    })
    .await;
    let mut talker = TestClient::connected(server.addr).await;
    let talker_id = enter_game(&mut talker, "talker").await;
    let mut listener = TestClient::connected(server.addr).await;
    enter_game(&mut listener, "listener").await;

    // Another program takes the write lock and keeps it.
    let path = server.dir.path().join("test.db");
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let lock = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(LOCKED);
        conn.execute_batch("ROLLBACK").unwrap();
    });
    locked_rx.recv().unwrap();
    let locked_at = std::time::Instant::now();

    // While it is locked (saves come due every second), the talker says many lines: the
    // listener hears every one, in order, and stays connected.
    let talking = async {
        for n in 0..LINES {
            talker
                .send(&TalkReportClientPacket {
                    message: format!("line {n}"),
                })
                .await;
            if n % 100 == 99 {
                tokio::time::sleep(LOCKED / 20).await;
            }
        }
    };
    let listening = async {
        for n in 0..LINES {
            let line = expect(&mut listener, |p| match p {
                ServerPacket::TalkPlayer(t) => Some(t.message),
                _ => None,
            })
            .await;
            assert_eq!(line, format!("line {n}"));
        }
    };
    tokio::join!(talking, listening);
    assert!(
        locked_at.elapsed() < LOCKED,
        "the lines were all heard while the database was still locked"
    );
    // The talker moves while the database is still locked.
    talker.walk(Direction::Down, 16, 10).await;
    expect(&mut talker, |p| {
        matches!(p, ServerPacket::WalkReply(_)).then_some(())
    })
    .await;
    lock.join().unwrap();

    // Once the database answers again, the saves land: the new position is on disk within a
    // few save intervals.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let saved = saved_character(&server, talker_id).await;
        if (saved.x, saved.y) == (16, 10) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the position was not saved after the lock: {:?}",
            (saved.x, saved.y)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Both players are still here.
    assert!(!listener.is_closed_within(Duration::from_millis(100)).await);
    assert!(!talker.is_closed_within(Duration::from_millis(100)).await);
    server.stop().await;
}
