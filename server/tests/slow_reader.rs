//! A client that stops reading while others chat and walk around it is dropped once its send
//! buffers and outbox are full, long before the write timeout, and the others keep getting
//! their broadcasts in time: the map never waits for it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use common::{TestClient, TestServer, body, enter_game};
use eo_protocol::codec::EoCodec;
use eo_protocol::net::client::TalkReportClientPacket;
use eo_protocol::net::server::ServerPacket;
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::sequence::ClientSequencer;
use eo_protocol::serialize::Packet;
use eo_protocol::{Coords, Direction};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::codec::Framed;

/// The sending half of a client whose receiving half runs in a task of its own.
struct Sender {
    sink: SplitSink<Framed<TcpStream, EoCodec>, BytesMut>,
    sequencer: ClientSequencer,
    walk_clock: u32,
}

impl Sender {
    async fn send<P: Packet>(&mut self, packet: &P) -> bool {
        let body = body(&mut self.sequencer, packet);
        self.sink.send(body).await.is_ok()
    }
}

/// Splits a client: every packet it receives (decoded, with the time it came) goes to the
/// returned channel, read by a task of its own, so it never stops reading.
fn split(client: TestClient) -> (Sender, mpsc::UnboundedReceiver<(Instant, ServerPacket)>) {
    let (sink, mut stream) = StreamExt::split::<BytesMut>(client.framed);
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = stream.next().await {
            let at = Instant::now();
            let (Some(action), Some(family)) = (frame.first(), frame.get(1)) else {
                continue;
            };
            let action = PacketAction::from_u32(u32::from(*action));
            let family = PacketFamily::from_u32(u32::from(*family));
            if let Ok(packet) = ServerPacket::decode(family, action, &frame[2..])
                && tx.send((at, packet)).is_err()
            {
                break;
            }
        }
    });
    let sender = Sender {
        sink,
        sequencer: client.sequencer,
        walk_clock: client.walk_clock,
    };
    (sender, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_the_others_are_served_in_time() {
    // Chat unpaced so two chatters can fill the slow reader's buffers in a second or two.
    let server = TestServer::start(|c| {
        c.flood.chat_ms = 0;
        c.flood.packets_per_sec = 0;
        c.flood.walk_ms = 100;
    })
    .await;
    // The slow reader: a small receive buffer, and once in the game it never reads again.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = TestClient::on(socket.connect(server.addr).await.unwrap());
    slow.handshake().await;
    enter_game(&mut slow, "slowpoke").await;
    let slow_id = slow.player_id;

    let mut clients = Vec::new();
    for name in ["watcher", "walker", "chatterone", "chattertwo"] {
        let mut client = TestClient::connected(server.addr).await;
        enter_game(&mut client, name).await;
        clients.push(client);
    }
    let walker_id = clients[1].player_id;
    let mut clients = clients.into_iter().map(split);
    let (_watcher, mut watched) = clients.next().unwrap();
    let (mut walker, _walker_inbox) = clients.next().unwrap();

    // Two chatters, about a thousand 128-character lines a second each, until stopped.
    let chatted = Arc::new(AtomicU64::new(0));
    let mut chatters = Vec::new();
    for (mut chatter, _inbox) in clients {
        let chatted = Arc::clone(&chatted);
        chatters.push(tokio::spawn(async move {
            let _inbox = _inbox; // keep reading (and discarding) what it hears
            let line = TalkReportClientPacket {
                message: "x".repeat(128),
            };
            for _ in 0..20_000 {
                for _ in 0..10 {
                    if !chatter.send(&line).await {
                        return;
                    }
                    chatted.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }

    // The walker walks between (16,10) and (16,11) and the watcher times each Walk_Player,
    // until the slow reader is gone and a few walks more.
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut dropped_after: Option<(Duration, u64)> = None;
    let mut walks_after_drop = 0;
    let mut y: u8 = 9;
    while walks_after_drop < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the slow reader was not dropped: {dropped_after:?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
        // 9 -> 10 -> 11 -> 10 -> 11 ...
        let to = if y == 11 { 10 } else { y + 1 };
        let direction = if to > y {
            Direction::Down
        } else {
            Direction::Up
        };
        walker.walk_clock += common::WALK_STAMP_STEP;
        let sent = Instant::now();
        walker
            .send(&eo_protocol::net::client::WalkPlayerClientPacket {
                walk_action: eo_protocol::net::client::WalkAction {
                    direction,
                    timestamp: walker.walk_clock,
                    coords: Coords { x: 16, y: to },
                },
            })
            .await;
        y = to;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let (at, packet) = tokio::time::timeout_at(deadline, watched.recv())
                .await
                .expect("the watcher hears the walk in time")
                .expect("the watcher is connected");
            match packet {
                ServerPacket::WalkPlayer(w) if w.player_id == walker_id => {
                    assert_eq!(w.coords.y, to);
                    latencies.push(at.duration_since(sent));
                    break;
                }
                ServerPacket::AvatarRemove(r) if r.player_id == slow_id => {
                    dropped_after = Some((started.elapsed(), chatted.load(Ordering::Relaxed)));
                }
                _ => {}
            }
        }
        if dropped_after.is_some() {
            walks_after_drop += 1;
        }
    }
    for chatter in chatters {
        chatter.abort();
    }
    let (after, lines) = dropped_after.unwrap();
    let max = latencies.iter().max().unwrap();
    eprintln!(
        "the slow reader was dropped {after:?} after the chat began, {lines} lines in; \
         {} walks timed, the slowest reached the watcher in {max:?}",
        latencies.len()
    );
    // The outbox bound, not the 10 s write timeout, dropped it, and within a few thousand
    // lines: its kernel buffer is bounded too (left alone it grows to megabytes).
    assert!(after < Duration::from_secs(8), "{after:?}");
    assert!(
        lines < 8_000,
        "{lines} lines before the slow reader was dropped"
    );
    assert!(*max < Duration::from_millis(250), "{latencies:?}");
    assert!(slow.is_closed_within(Duration::from_secs(5)).await);
    server.stop().await;
}
