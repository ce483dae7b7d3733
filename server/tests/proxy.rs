//! Real client addresses behind a proxy: from a trusted proxy, a PROXY protocol header (v1 and
//! v2) or a WebSocket upgrade's X-Forwarded-For names the client, and the per-address limits,
//! address bans and `players` use that address (an IPv6 one as its /64); from any other
//! address a PROXY header is not believed.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use common::{Control, TestClient, TestServer, connect_from, enter_game};
use eo_protocol::net::server::{InitInitServerPacketReplyCodeData, ServerPacket};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// A connection from the proxy (127.0.0.1) that starts with `header`.
async fn through_proxy(server: &SocketAddr, header: &[u8]) -> TestClient {
    let mut stream = TcpStream::connect(server).await.unwrap();
    stream.write_all(header).await.unwrap();
    TestClient::on(stream)
}

fn v1(source: &str) -> Vec<u8> {
    let source: SocketAddr = source.parse().unwrap();
    let family = if source.is_ipv4() { "TCP4" } else { "TCP6" };
    let destination = if source.is_ipv4() { "127.0.0.1" } else { "::1" };
    format!(
        "PROXY {family} {} {destination} {} 8078\r\n",
        source.ip(),
        source.port()
    )
    .into_bytes()
}

fn v2(source: &str) -> Vec<u8> {
    use ppp::v2::{Builder, Command, Protocol, Version};
    let source: SocketAddr = source.parse().unwrap();
    let destination: SocketAddr = if source.is_ipv4() {
        "127.0.0.1:8078".parse().unwrap()
    } else {
        "[::1]:8078".parse().unwrap()
    };
    Builder::with_addresses(
        Version::Two | Command::Proxy,
        Protocol::Stream,
        (source, destination),
    )
    .build()
    .unwrap()
}

/// The addresses `players` lists, by character name.
async fn addresses(control: &mut Control) -> Vec<(String, String)> {
    let players = control.ok("players", json!({})).await;
    let mut list: Vec<(String, String)> = players["players"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["address"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    list.sort();
    list
}

fn ip_of(address: &str) -> IpAddr {
    address.parse::<SocketAddr>().unwrap().ip()
}

/// What Init_Init answers: `Ok` for an accepted client, `Banned`, or the connection closed.
async fn init_reply(client: &mut TestClient) -> Option<&'static str> {
    use eo_protocol::net::client::InitInitClientPacket;
    client
        .try_send(&InitInitClientPacket {
            challenge: 1,
            version: eo_protocol::net::Version {
                major: 0,
                minor: 0,
                patch: 28,
            },
            hdid: "1".into(),
        })
        .await;
    match client.try_recv(Duration::from_secs(5)).await {
        Some(ServerPacket::InitInit(init)) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::Ok(_)) => Some("ok"),
            Some(InitInitServerPacketReplyCodeData::Banned(_)) => Some("banned"),
            _ => Some("other"),
        },
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_names_its_clients_by_proxy_header_v1_and_v2() {
    let server = TestServer::start(|c| {
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let mut control = Control::connect(&server.socket).await;
    let mut alice = through_proxy(&server.addr, &v1("203.0.113.7:5555")).await;
    alice.handshake().await;
    enter_game(&mut alice, "alice").await;
    let mut bobby = through_proxy(&server.addr, &v2("198.51.100.9:4000")).await;
    bobby.handshake().await;
    enter_game(&mut bobby, "bobby").await;
    let mut carol = through_proxy(&server.addr, &v1("[2001:db8:1:2::7]:6000")).await;
    carol.handshake().await;
    enter_game(&mut carol, "carol").await;
    assert_eq!(
        addresses(&mut control).await,
        [
            ("alice".into(), "203.0.113.7:5555".into()),
            ("bobby".into(), "198.51.100.9:4000".into()),
            ("carol".into(), "[2001:db8:1:2::7]:6000".into()),
        ]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_bans_apply_to_the_named_client_not_the_proxy() {
    let server = TestServer::start(|c| {
        c.server.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        c.server.max_connections_per_ip = 2;
    })
    .await;
    let mut control = Control::connect(&server.socket).await;

    // Two connections from one client are its limit; a third is refused; another client
    // through the same proxy is not.
    let mut first = through_proxy(&server.addr, &v1("203.0.113.7:1")).await;
    first.handshake().await;
    let mut second = through_proxy(&server.addr, &v2("203.0.113.7:2")).await;
    second.handshake().await;
    let mut third = through_proxy(&server.addr, &v1("203.0.113.7:3")).await;
    assert_eq!(init_reply(&mut third).await, None, "the third is closed");
    let mut other = through_proxy(&server.addr, &v1("198.51.100.1:1")).await;
    other.handshake().await;

    // An address ban holds the named client; an IPv6 one its whole /64.
    control
        .ok("ban", json!({"ip": "203.0.113.7", "duration": "1h"}))
        .await;
    control
        .ok("ban", json!({"ip": "2001:db8:1:2::7", "duration": "1h"}))
        .await;
    drop((first, second));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut banned = through_proxy(&server.addr, &v1("203.0.113.7:9")).await;
    assert_eq!(init_reply(&mut banned).await, Some("banned"));
    let mut same_64 = through_proxy(&server.addr, &v2("[2001:db8:1:2:ffff::1]:9")).await;
    assert_eq!(init_reply(&mut same_64).await, Some("banned"));
    let mut next_64 = through_proxy(&server.addr, &v2("[2001:db8:1:3::1]:9")).await;
    assert_eq!(init_reply(&mut next_64).await, Some("ok"));
    // The proxy itself (a health check: PROXY UNKNOWN) is not banned.
    let mut check = through_proxy(&server.addr, b"PROXY UNKNOWN\r\n").await;
    assert_eq!(init_reply(&mut check).await, Some("ok"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_address_cannot_name_another_client() {
    let server = TestServer::start(|c| {
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let mut control = Control::connect(&server.socket).await;
    // From 127.0.0.2 (not trusted) a PROXY header naming someone else is not believed: to the
    // EO codec it is a bad frame, and the connection is dropped, not let in as 203.0.113.7.
    let mut stream = connect_from(server.addr, "127.0.0.2".parse().unwrap()).await;
    stream.write_all(&v1("203.0.113.7:5555")).await.unwrap();
    let mut spoofer = TestClient::on(stream);
    assert_eq!(init_reply(&mut spoofer).await, None);
    // A trusted proxy's malformed header closes its connection.
    let mut broken = through_proxy(&server.addr, b"PROXY TCP4 nonsense\r\n").await;
    assert_eq!(init_reply(&mut broken).await, None);
    // Without a header, a trusted address is itself.
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    let listed = addresses(&mut control).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(ip_of(&listed[0].1), "127.0.0.1".parse::<IpAddr>().unwrap());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_upgrade_from_a_trusted_proxy_names_its_client_by_x_forwarded_for() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = TestServer::start(|c| {
        c.server.trusted_proxies =
            vec!["127.0.0.1".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let mut control = Control::connect(&server.socket).await;
    // "client, another proxy of ours": the client is the last address that is not a proxy.
    let connect = |from: &'static str, forwarded: &'static str| {
        let addr = server.addr;
        async move {
            let stream = connect_from(addr, from.parse().unwrap()).await;
            let mut request = format!("ws://{addr}/").into_client_request().unwrap();
            request
                .headers_mut()
                .insert("X-Forwarded-For", forwarded.parse().unwrap());
            let (ws, _) = tokio_tungstenite::client_async(request, stream)
                .await
                .unwrap();
            let mut client = TestClient::over(eo_server::net::websocket::WsFrames::new(
                ws,
                eo_protocol::codec::Role::Client,
            ));
            client.handshake().await;
            client
        }
    };
    let mut browser = connect("127.0.0.1", "192.0.2.44, 10.1.1.1").await;
    enter_game(&mut browser, "browser").await;
    // From an untrusted address the header means nothing.
    let mut liar = connect("127.0.0.3", "192.0.2.99").await;
    enter_game(&mut liar, "liar").await;
    let listed = addresses(&mut control).await;
    assert_eq!(ip_of(&listed[0].1), "192.0.2.44".parse::<IpAddr>().unwrap());
    assert_eq!(ip_of(&listed[1].1), "127.0.0.3".parse::<IpAddr>().unwrap());
    server.stop().await;
}
