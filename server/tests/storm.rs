//! A connect storm against the real binary: hundreds of connections at once from many
//! addresses. The total, per-address and reconnect limits hold, connections that never finish
//! the handshake are hung up on, and the log has one line per offending address (with the
//! count of what it did not log one by one), not one per connection.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use binary::{BinaryServer, config_in, field};
use common::{TestClient, connect_from};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Whether the server closes `stream` within `within` (what it sends before is discarded).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// `count` connections from each of `addresses`, all at once; returns those the server kept
/// open (the rest it closed within `refusal_wait`), by address. The wait must be shorter than
/// the server's hang-up delay, which closes admitted connections too; the longer it is, the
/// busier the machine may be (hundreds of connections at once, other tests beside) before a
/// refusal comes too late to count as one.
async fn storm(
    server: &BinaryServer,
    addresses: &[IpAddr],
    count: usize,
    refusal_wait: Duration,
) -> (HashMap<IpAddr, Vec<TcpStream>>, usize) {
    let mut tasks = Vec::new();
    for ip in addresses {
        for _ in 0..count {
            let (addr, ip) = (server.addr, *ip);
            tasks.push(tokio::spawn(async move {
                let mut stream = connect_from(addr, ip).await;
                // A refused connection is closed at once; an admitted one waits for Init_Init
                // (hung up on only after hangup_delay_secs).
                let refused = closed_within(&mut stream, refusal_wait).await;
                (ip, stream, refused)
            }));
        }
    }
    let mut open: HashMap<IpAddr, Vec<TcpStream>> = HashMap::new();
    let mut refused = 0;
    for task in tasks {
        let (ip, stream, was_refused) = task.await.unwrap();
        if was_refused {
            refused += 1;
        } else {
            open.entry(ip).or_default().push(stream);
        }
    }
    (open, refused)
}

/// The events (refused or dropped connections) the log accounts for, by address: a line each,
/// plus the counts the summary lines give. Also the most lines one address got.
fn logged_events(lines: &[String]) -> (HashMap<IpAddr, u64>, usize) {
    let mut events: HashMap<IpAddr, u64> = HashMap::new();
    let mut lines_per_address: HashMap<IpAddr, usize> = HashMap::new();
    for line in lines {
        if line.contains("connection refused") || line.contains("dropped:") {
            let addr: std::net::SocketAddr = field(line, "addr").unwrap().parse().unwrap();
            *events.entry(addr.ip()).or_default() += 1;
            *lines_per_address.entry(addr.ip()).or_default() += 1;
            // An "(n more ... since its last line)" tail counts too.
            if let Some((before, _)) = line.split_once(" more refused or dropped from this address")
            {
                let more = before.rsplit('(').next().unwrap();
                *events.entry(addr.ip()).or_default() += more.parse::<u64>().unwrap();
            }
        } else if line.contains("not logged one by one") {
            let ip: IpAddr = field(line, "ip").unwrap().parse().unwrap();
            let unlogged: u64 = field(line, "unlogged").unwrap().parse().unwrap();
            *events.entry(ip).or_default() += unlogged;
        }
    }
    (events, lines_per_address.into_values().max().unwrap_or(0))
}

fn addresses(first: u8, count: u8) -> Vec<IpAddr> {
    (first..first + count)
        .map(|last| IpAddr::from([127, 0, 0, last]))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_total_and_per_address_limits_and_the_hangup_hold_under_a_storm_and_the_log_does_not_flood()
 {
    let dir = tempfile::tempdir().unwrap();
    let mut server = BinaryServer::start(
        dir.path(),
        config_in(dir.path(), |c| {
            c.server.max_connections = 40;
            c.server.max_players = 40;
            c.server.max_connections_per_ip = 5;
            c.server.hangup_delay_secs = 5;
        }),
    );
    // 300 connections at once, 15 from each of 20 addresses.
    let from = addresses(10, 20);
    // hangup_delay_secs is 5: two seconds for a refusal still leave three to finish the
    // handshake of the one served below.
    let (mut open, refused) = storm(&server, &from, 15, Duration::from_secs(2)).await;
    let admitted: usize = open.values().map(Vec::len).sum();
    assert_eq!(admitted, 40, "max_connections: {open:?}");
    assert_eq!(refused, 260);
    assert!(
        open.values().all(|s| s.len() <= 5),
        "max_connections_per_ip"
    );

    // An admitted connection is served: it finishes the handshake.
    let served = open.values_mut().next().unwrap().pop().unwrap();
    let mut served = TestClient::on(served);
    served.handshake().await;
    // The other 39 never send Init_Init: each is hung up on after hangup_delay_secs.
    let mut hung_up = 0;
    for streams in open.values_mut() {
        for stream in streams {
            assert!(
                closed_within(stream, Duration::from_secs(6)).await,
                "hung up on"
            );
            hung_up += 1;
        }
    }
    assert_eq!(hung_up, 39);
    // Their slots are free again: a newcomer is admitted.
    let mut newcomer =
        TestClient::on(connect_from(server.addr, IpAddr::from([127, 0, 0, 99])).await);
    newcomer.handshake().await;

    assert!(server.stop().success());
    let lines = server.lines();
    let (events, most_lines) = logged_events(&lines);
    assert_eq!(most_lines, 1, "one line per address per interval");
    let stormers: Vec<_> = events.keys().filter(|ip| from.contains(ip)).collect();
    assert_eq!(stormers.len(), 20, "every offending address is named");
    let accounted: u64 = events.values().sum();
    assert_eq!(
        accounted,
        (refused + hung_up) as u64,
        "every refusal and hang-up is counted in the log: {lines:#?}"
    );
    assert!(
        lines.len() < 60,
        "{} lines for {} events: {lines:#?}",
        lines.len(),
        refused + hung_up
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reconnect_interval_holds_under_a_storm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = BinaryServer::start(
        dir.path(),
        config_in(dir.path(), |c| c.server.ip_reconnect_limit_secs = 30),
    );
    // 200 connections at once, 20 from each of 10 addresses: one each gets in.
    let from = addresses(40, 10);
    // The default hang-up delay (10 s) leaves more room.
    let (open, refused) = storm(&server, &from, 20, Duration::from_secs(4)).await;
    assert_eq!(refused, 190);
    assert_eq!(open.len(), 10);
    assert!(open.values().all(|s| s.len() == 1), "{open:?}");
    drop(open);
    assert!(server.stop().success());
    let (events, most_lines) = logged_events(&server.lines());
    assert_eq!(most_lines, 1);
    assert_eq!(events.values().sum::<u64>(), 190);
}

/// A client that resets its connection (what a killed game window does; here after the
/// handshake) has left; it is not
/// an offender, so the log has no "dropped" line for it. A client sending garbage from
/// another address afterwards is, which shows the log was written up to then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_resetting_its_connection_is_not_logged_as_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::start(dir.path(), config_in(dir.path(), |_| {}));
    let stream = connect_from(server.addr, "127.0.0.4".parse().unwrap()).await;
    let leaver = stream.local_addr().unwrap();
    // Closing with a zero linger sends a reset instead of a FIN.
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    let mut client = TestClient::on(stream);
    client.handshake().await;
    drop(client);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut garbage = connect_from(server.addr, "127.0.0.5".parse().unwrap()).await;
    let offender = garbage.local_addr().unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut garbage, &[0x00; 64])
        .await
        .unwrap();
    server
        .wait_for_line(Duration::from_secs(5), |l| {
            l.contains(&offender.to_string()) && l.contains("dropped")
        })
        .await;
    let about_leaver: Vec<String> = server
        .lines()
        .into_iter()
        .filter(|l| l.contains(&leaver.to_string()) && l.contains("dropped"))
        .collect();
    assert!(about_leaver.is_empty(), "{about_leaver:?}");
}
