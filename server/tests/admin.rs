//! The control socket over its JSON-lines protocol: the socket file, bad requests, and every
//! command's effect on real clients. (The `eo-admin` binary is tested in admin-cli/tests.)

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::time::Duration;

use common::{Control, TestClient, TestServer, enter_game, expect};
use eo_protocol::net::Version;
use eo_protocol::net::client::{
    InitInitClientPacket, RefreshRequestClientPacket, WalkAction, WalkPlayerClientPacket,
};
use eo_protocol::net::server::{InitReply, LoginReply, ServerPacket};
use eo_protocol::{Coords, Direction};
use serde_json::json;

#[tokio::test]
async fn the_socket_is_private_and_removed_at_shutdown() {
    let server = TestServer::start(|_| {}).await;
    let meta = std::fs::symlink_metadata(&server.socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // No private directory is left behind.
    let left: Vec<_> = std::fs::read_dir(server.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".eo-control"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    server.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !server.socket.exists(),
        "the socket file is removed at shutdown"
    );
}

#[tokio::test]
async fn bad_requests_get_error_replies_and_the_connection_stays_usable() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;

    control.send_raw(b"this is not json\n").await;
    let reply = control.recv().await;
    assert_eq!(reply["ok"], false);
    assert_eq!(reply["id"], serde_json::Value::Null);
    assert_eq!(reply["error"]["code"], "bad_request");

    // A blank line is skipped; the next request is answered.
    control
        .send_raw(b"\n{\"id\": [1, 2], \"command\": \"fly\"}\n")
        .await;
    let reply = control.recv().await;
    assert_eq!(reply["id"], json!([1, 2]));
    assert_eq!(reply["error"]["code"], "unknown_command");

    let reply = control.call("kick", json!({"nome": "x"})).await;
    assert_eq!(reply["error"]["code"], "bad_request");
    let reply = control
        .call("promote", json!({"name": "x", "level": 9}))
        .await;
    assert_eq!(reply["error"]["code"], "bad_request");
    let reply = control.call("status", json!("not an object")).await;
    assert_eq!(reply["error"]["code"], "bad_request");

    // An over-long line is an error, and the line after it is read normally.
    let mut long = vec![b'x'; 100 * 1024];
    long.push(b'\n');
    control.send_raw(&long).await;
    let reply = control.recv().await;
    assert_eq!(reply["error"]["code"], "bad_request");

    let status = control.ok("status", json!({})).await;
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(status["listen"], server.addr.to_string());
    assert_eq!(
        status["maps"], 6,
        "the bundled world's five maps and its jail"
    );
    assert_eq!(status["players"], 0);
    assert!(status["database"].as_str().unwrap().ends_with("test.db"));
    server.stop().await;
}

#[tokio::test]
async fn a_stale_socket_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    // A crashed server's socket: the file stays, nobody listens.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let server = TestServer::start(|c| c.control.socket = path.clone()).await;
    let mut control = Control::connect(&path).await;
    control.ok("status", json!({})).await;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    server.stop().await;
    assert!(!path.exists());
}

#[tokio::test]
async fn a_second_server_on_a_live_socket_does_not_start() {
    let server = TestServer::start(|_| {}).await;
    let mut config = eo_server::config::Config::default();
    config.control.socket = server.socket.clone();
    config.database.path = server.dir.path().join("second.db");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let result = eo_server::server::run(
        config.clone(),
        listener,
        tokio_util::sync::CancellationToken::new(),
    )
    .await;
    let Err(error) = result else {
        panic!("the second server started")
    };
    assert!(matches!(
        error,
        eo_server::server::StartError::ControlSocketInUse { .. }
    ));
    assert!(error.to_string().contains("another server is running"));
    // It touched neither the first server's socket nor a database.
    assert!(!config.database.path.exists());
    let mut control = Control::connect(&server.socket).await;
    control.ok("status", json!({})).await;

    // A file that is not a socket is not replaced either.
    let blocker = server.dir.path().join("not-a-socket");
    std::fs::write(&blocker, b"keep me").unwrap();
    config.control.socket = blocker.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let result =
        eo_server::server::run(config, listener, tokio_util::sync::CancellationToken::new()).await;
    assert!(matches!(
        result,
        Err(eo_server::server::StartError::ControlSocket { .. })
    ));
    assert_eq!(std::fs::read(&blocker).unwrap(), b"keep me");
    server.stop().await;
}

async fn walk_up(client: &mut TestClient, to: (u8, u8)) {
    let timestamp = client.next_walk_stamp();
    client
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: Direction::Up,
                timestamp,
                coords: Coords { x: to.0, y: to.1 },
            },
        })
        .await;
    // The refresh is answered after the walk was handled.
    client.send(&RefreshRequestClientPacket).await;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(_) => Some(()),
        _ => None,
    })
    .await;
}

#[tokio::test]
async fn players_kick_announce_message_promote_save_and_audit() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    assert_eq!(control.ok("players", json!({})).await["players"], json!([]));

    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    let mut beta = TestClient::connected(server.addr).await;
    enter_game(&mut beta, "beta").await;
    walk_up(&mut alpha, (16, 8)).await;

    let players = control.ok("players", json!({})).await;
    let list = players["players"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "alpha");
    assert_eq!(list[0]["account"], "alpha");
    assert_eq!(list[0]["map"], 1);
    assert_eq!(
        (list[0]["x"].clone(), list[0]["y"].clone()),
        (json!(16), json!(8))
    );
    assert_eq!(list[0]["admin_level"], 0);
    assert!(
        list[0]["address"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    assert_eq!(list[1]["name"], "beta");
    assert_eq!(control.ok("status", json!({})).await["players"], 2);

    // Announce reaches everyone in the game, from "Server".
    control
        .ok("announce", json!({"message": "maintenance soon"}))
        .await;
    for client in [&mut alpha, &mut beta] {
        let (from, message) = expect(client, |p| match p {
            ServerPacket::TalkAnnounce(p) => Some((p.player_name, p.message)),
            _ => None,
        })
        .await;
        assert_eq!(
            (from.as_str(), message.as_str()),
            ("Server", "maintenance soon")
        );
    }

    // A server message reaches one player.
    control
        .ok("message", json!({"name": "Beta", "message": "hello there"}))
        .await;
    let message = expect(&mut beta, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert_eq!(message, "hello there");
    let reply = control
        .call("message", json!({"name": "nobody", "message": "hi"}))
        .await;
    assert_eq!(reply["error"]["code"], "not_found");

    // Promote: stored, shown at once in the listing, and kept by the next save.
    let promoted = control
        .ok("promote", json!({"name": "alpha", "level": 4}))
        .await;
    assert_eq!(promoted["online"], true);
    let reply = control
        .call("promote", json!({"name": "nobody", "level": 1}))
        .await;
    assert_eq!(reply["error"]["code"], "not_found");
    let players = control.ok("players", json!({})).await;
    assert_eq!(players["players"][0]["admin_level"], 4);

    // Save: both characters, the walk included.
    let saved = control.ok("save", json!({})).await;
    assert_eq!(saved["saved"], 2);
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let character = db.load_character(1).await.unwrap().unwrap();
    assert_eq!(
        (
            character.name.as_str(),
            character.x,
            character.y,
            character.admin_level
        ),
        ("alpha", 16, 8, 4)
    );

    // Kick: the connection closes; kicking someone offline is not_found.
    control.ok("kick", json!({"name": "beta"})).await;
    assert!(beta.is_closed_within(Duration::from_secs(5)).await);
    let reply = control.call("kick", json!({"name": "beta"})).await;
    assert_eq!(reply["error"]["code"], "not_found");

    // The audit trail has every action, failures included, with the peer's uid.
    let audit = control.ok("audit", json!({"limit": 100})).await;
    let entries = audit["entries"].as_array().unwrap();
    let commands: Vec<&str> = entries
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "announce", "message", "message", "promote", "promote", "save", "kick", "kick"
        ]
    );
    assert_eq!(entries[0]["source"], "control");
    assert!(entries[0]["who"].as_str().unwrap().starts_with("uid "));
    assert_eq!(
        entries[0]["arguments"],
        json!({"message": "maintenance soon"})
    );
    assert_eq!(entries[0]["ok"], true);
    assert_eq!(entries[2]["ok"], false);
    assert!(
        entries[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("not_found")
    );
    let last = control.ok("audit", json!({"limit": 1})).await;
    assert_eq!(last["entries"].as_array().unwrap().len(), 1);
    server.stop().await;
}

async fn init(client: &mut TestClient) -> InitReply {
    client
        .send(&InitInitClientPacket {
            challenge: 1000,
            version: Version {
                major: 0,
                minor: 0,
                patch: 28,
            },
            hdid: "1".into(),
        })
        .await;
    let ServerPacket::InitInit(reply) = client.recv().await else {
        panic!("expected Init_Init")
    };
    reply.reply_code
}

#[tokio::test]
async fn bans_by_name_and_address_keep_players_out_until_unbanned() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;

    // A ban by character name bans its account and kicks it.
    let ban = control
        .ok(
            "ban",
            json!({"name": "alpha", "duration": "1h", "reason": "testing"}),
        )
        .await;
    assert_eq!(ban["account"], "alpha");
    assert_eq!(ban["kicked"], json!(["alpha"]));
    assert!(ban["expires_at"].as_i64().unwrap() > 0);
    assert!(alpha.is_closed_within(Duration::from_secs(5)).await);
    let mut again = TestClient::connected(server.addr).await;
    let mut reply = again.login("alpha", "secret1").await;
    for _ in 0..50 {
        if reply.reply_code != LoginReply::LoggedIn {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        reply = again.login("alpha", "secret1").await;
    }
    assert_eq!(reply.reply_code, LoginReply::Banned);

    let bans = control.ok("bans", json!({})).await;
    let list = bans["bans"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["account"], "alpha");
    assert_eq!(list[0]["reason"], "testing");
    assert_eq!(list[0]["active"], true);

    control.ok("unban", json!({"name": "alpha"})).await;
    assert_eq!(
        again.login("alpha", "secret1").await.reply_code,
        LoginReply::Ok
    );
    let reply = control.call("unban", json!({"name": "alpha"})).await;
    assert_eq!(reply["error"]["code"], "not_found");
    let reply = control.call("ban", json!({"name": "ghost"})).await;
    assert_eq!(reply["error"]["code"], "not_found");
    let reply = control
        .call("ban", json!({"name": "alpha", "ip": "127.0.0.1"}))
        .await;
    assert_eq!(reply["error"]["code"], "bad_request");
    let reply = control.call("ban", json!({"ip": "nowhere"})).await;
    assert_eq!(reply["error"]["code"], "bad_request");

    // A ban by address closes every connection from it and refuses new ones at Init.
    let ban = control.ok("ban", json!({"ip": "127.0.0.1"})).await;
    assert_eq!(ban["expires_at"], serde_json::Value::Null);
    assert!(again.is_closed_within(Duration::from_secs(5)).await);
    let mut refused = TestClient::connect(server.addr).await;
    assert_eq!(init(&mut refused).await, InitReply::Banned);
    control.ok("unban", json!({"ip": "127.0.0.1"})).await;
    let mut welcome = TestClient::connect(server.addr).await;
    assert_eq!(init(&mut welcome).await, InitReply::Ok);
    assert_eq!(control.ok("bans", json!({})).await["bans"], json!([]));
    server.stop().await;
}

#[tokio::test]
async fn shutdown_announces_stops_the_server_and_saves() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    walk_up(&mut alpha, (16, 8)).await;

    let reply = control.ok("shutdown", json!({"delay_secs": 1})).await;
    assert_eq!(reply["delay_secs"], 1);
    let message = expect(&mut alpha, |p| match p {
        ServerPacket::TalkAnnounce(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert!(message.contains("shuts down"), "{message}");
    expect(&mut alpha, |p| match p {
        ServerPacket::MessageClose(_) => Some(()),
        _ => None,
    })
    .await;
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("the server stops")
        .unwrap();
    assert!(!server.socket.exists());
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let character = db.load_character(1).await.unwrap().unwrap();
    assert_eq!((character.x, character.y), (16, 8));
    let audit = db.list_audit(10).await.unwrap();
    assert_eq!(audit.last().map(|e| e.command.as_str()), Some("shutdown"));
}
