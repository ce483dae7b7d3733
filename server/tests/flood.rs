//! Flood control over real TCP: early walks are refused and the walker put back, a client that
//! keeps flooding is dropped with one log line, and one client's flood does not slow the
//! broadcasts the others get.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use binary::{BinaryServer, config_in};
use common::{TestClient, TestServer, body, connect_from, enter_game, expect};
use eo_protocol::net::client::{
    FacePlayerClientPacket, RefreshRequestClientPacket, TalkReportClientPacket, WalkAction,
    WalkPlayerClientPacket,
};
use eo_protocol::net::server::ServerPacket;
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::{Coords, Direction};
use futures_util::{SinkExt, StreamExt};

fn walk(direction: Direction, timestamp: u32, x: u8, y: u8) -> WalkPlayerClientPacket {
    WalkPlayerClientPacket {
        walk_action: WalkAction {
            direction,
            timestamp,
            coords: Coords { x, y },
        },
    }
}

/// The next Walk_Player of `player_id` that `client` receives: its coordinates.
async fn walk_of(client: &mut TestClient, player_id: u16) -> (u8, u8) {
    expect(client, |p| match p {
        ServerPacket::WalkPlayer(w) if w.player_id == player_id => Some((w.coords.x, w.coords.y)),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_walk_sooner_than_the_clients_own_pace_is_refused_and_the_walker_put_back() {
    let server = TestServer::start(|_| {}).await;
    let mut walker = TestClient::connected(server.addr).await;
    enter_game(&mut walker, "walker").await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;
    let walker_id = walker.player_id;

    walker.send(&walk(Direction::Down, 1000, 16, 10)).await;
    assert_eq!(walk_of(&mut watcher, walker_id).await, (16, 10));
    // Stamped a tenth of a second later: faster than any client walks. It is refused, and the
    // walker, which moved already, is put back.
    walker.send(&walk(Direction::Down, 1010, 16, 11)).await;
    let seen = expect(&mut walker, |p| match p {
        ServerPacket::RefreshReply(r) => Some(r.nearby.characters),
        _ => None,
    })
    .await;
    let me = seen.iter().find(|c| c.player_id == walker_id).unwrap();
    assert_eq!((me.coords.x, me.coords.y), (16, 10));
    // At its pace (0.4 s after the accepted walk) the same step is taken, and the watcher
    // never saw the refused one.
    walker.send(&walk(Direction::Down, 1040, 16, 11)).await;
    assert_eq!(walk_of(&mut watcher, walker_id).await, (16, 11));
    server.stop().await;
}

/// Floods from two addresses of their own against the real binary on its default limits:
/// early walks (refused until `flood.max_refused`) and refresh requests (beyond
/// `flood.packets_per_sec`). Each flooder is dropped, with one log line that says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_keeps_flooding_is_dropped_with_one_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::start(dir.path(), config_in(dir.path(), |_| {}));
    let mut flooders = Vec::new();
    for (name, from) in [("walkflood", "127.0.0.2"), ("askflood", "127.0.0.3")] {
        let stream = connect_from(server.addr, from.parse().unwrap()).await;
        let local = stream.local_addr().unwrap();
        let mut client = TestClient::on(stream);
        client.handshake().await;
        enter_game(&mut client, name).await;
        flooders.push((name, local, client));
    }
    let mut bystander = TestClient::connected(server.addr).await;
    enter_game(&mut bystander, "bystander").await;

    for (name, _, client) in &mut flooders {
        let mut bytes = Vec::new();
        for _ in 0..3000 {
            let packet = if *name == "walkflood" {
                body(&mut client.sequencer, &walk(Direction::Down, 7, 16, 10))
            } else {
                body(&mut client.sequencer, &RefreshRequestClientPacket)
            };
            bytes.push(packet);
        }
        // Write it all at once (the server may close before it has read it all).
        for packet in bytes {
            if client.framed.feed(packet).await.is_err() {
                break;
            }
        }
        let _ = SinkExt::<bytes::BytesMut>::flush(&mut client.framed).await;
    }
    for (name, _, client) in &mut flooders {
        assert!(
            client.is_closed_within(Duration::from_secs(5)).await,
            "{name} is dropped"
        );
    }
    // The bystander is still served.
    bystander.walk(Direction::Right, 17, 9).await;
    expect(&mut bystander, |p| match p {
        ServerPacket::WalkReply(_) => Some(()),
        _ => None,
    })
    .await;

    let walk_line = server
        .wait_for_line(Duration::from_secs(5), |l| {
            l.contains(&flooders[0].1.to_string()) && l.contains("dropped")
        })
        .await;
    assert!(
        walk_line.contains("flooding") && walk_line.contains("flood.max_refused"),
        "{walk_line}"
    );
    let ask_line = server
        .wait_for_line(Duration::from_secs(5), |l| {
            l.contains(&flooders[1].1.to_string()) && l.contains("dropped")
        })
        .await;
    assert!(
        ask_line.contains("flooding") && ask_line.contains("flood.packets_per_sec"),
        "{ask_line}"
    );
    // One line each, nothing per refused packet.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let lines = server.lines();
    for (name, local, _) in &flooders {
        let about: Vec<_> = lines
            .iter()
            .filter(|l| {
                l.contains(&local.ip().to_string())
                    && !l.contains("logged in")
                    && !l.contains("entered")
            })
            .collect();
        assert_eq!(about.len(), 1, "{name}: {about:#?}");
    }
}

/// One client floods (early walks, faces, chat and refresh requests, thousands of them) while
/// an honest walker walks and a watcher times the walker's Walk_Player. The limits are
/// relaxed here so the flood goes on for the whole measurement (on the defaults the flooder
/// is dropped after 60 packets, see above): what is shown is that the flood is handled
/// without slowing anyone else. A correctness check with a generous bound, not a benchmark.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_clients_flood_does_not_slow_the_others_broadcasts() {
    let server = TestServer::start(|c| {
        c.flood.walk_ms = 100;
        c.flood.packets_per_sec = 0;
        c.flood.max_refused = u32::MAX;
    })
    .await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;
    let mut walker = TestClient::connected(server.addr).await;
    enter_game(&mut walker, "walker").await;
    let mut flooder = TestClient::connected(server.addr).await;
    enter_game(&mut flooder, "flooder").await;
    let walker_id = walker.player_id;

    // The walker steps down once, then between (16,11) and (16,10), off the spawn tile.
    walker.walk(Direction::Down, 16, 10).await;
    walk_of(&mut watcher, walker_id).await;
    let mut at_bottom = false;
    let mut step = async |walker: &mut TestClient, watcher: &mut TestClient| {
        let (direction, y) = if at_bottom {
            (Direction::Up, 10)
        } else {
            (Direction::Down, 11)
        };
        at_bottom = !at_bottom;
        tokio::time::sleep(Duration::from_millis(120)).await;
        let sent = Instant::now();
        walker.walk(direction, 16, y).await;
        assert_eq!(walk_of(watcher, walker_id).await, (16, y));
        let latency = sent.elapsed();
        expect(walker, |p| match p {
            ServerPacket::WalkReply(_) => Some(()),
            _ => None,
        })
        .await;
        latency
    };
    let mut quiet = Vec::new();
    for _ in 0..8 {
        quiet.push(step(&mut walker, &mut watcher).await);
    }

    // The flood: a task that writes as fast as it can until told to stop, and one that reads
    // what the server answers (a flooder that did not read would be a slow reader instead).
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    let (mut sink, mut stream) = StreamExt::split::<bytes::BytesMut>(flooder.framed);
    let mut sequencer = flooder.sequencer;
    let writer = tokio::spawn({
        let (stop, sent) = (Arc::clone(&stop), Arc::clone(&sent));
        async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && n < 2_000_000 {
                let packet = match n % 4 {
                    0 => body(&mut sequencer, &walk(Direction::Right, 5, 17, 9)),
                    1 => body(
                        &mut sequencer,
                        &FacePlayerClientPacket {
                            direction: Direction::Left,
                        },
                    ),
                    2 => body(
                        &mut sequencer,
                        &TalkReportClientPacket {
                            message: "flood".into(),
                        },
                    ),
                    _ => body(&mut sequencer, &RefreshRequestClientPacket),
                };
                if sink.feed(packet).await.is_err() {
                    break;
                }
                n += 1;
                if n.is_multiple_of(64) {
                    if sink.flush().await.is_err() {
                        break;
                    }
                    sent.store(n, Ordering::Relaxed);
                }
            }
            let _ = sink.flush().await;
            sent.store(n, Ordering::Relaxed);
        }
    });
    let reader = tokio::spawn({
        let answered = Arc::clone(&answered);
        async move {
            while let Some(Ok(frame)) = stream.next().await {
                let refresh_reply = [
                    PacketAction::Reply.to_u32() as u8,
                    PacketFamily::Refresh.to_u32() as u8,
                ];
                if frame.get(..2) == Some(&refresh_reply[..]) {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    });
    // Let the flood get going before measuring.
    let started = Instant::now();
    while answered.load(Ordering::Relaxed) < 200 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the flood is answered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let sent_before = sent.load(Ordering::Relaxed);
    let answered_before = answered.load(Ordering::Relaxed);
    let mut flooding = Vec::new();
    for _ in 0..12 {
        flooding.push(step(&mut walker, &mut watcher).await);
    }
    let sent_during = sent.load(Ordering::Relaxed) - sent_before;
    let answered_during = answered.load(Ordering::Relaxed) - answered_before;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    reader.abort();

    let max = |v: &[Duration]| v.iter().copied().max().unwrap();
    eprintln!(
        "walk broadcast latency: quiet max {:?}; during a flood of {sent_during} packets written \
         ({answered_during} of its refresh requests answered) max {:?}",
        max(&quiet),
        max(&flooding)
    );
    assert!(
        sent_during >= 2000,
        "the flood went on: {sent_during} packets"
    );
    assert!(
        answered_during >= 500,
        "the server handled it: {answered_during}"
    );
    assert!(
        max(&flooding) < Duration::from_millis(250),
        "every walk reached the watcher within 250 ms during the flood: {flooding:?}"
    );
    server.stop().await;
}
