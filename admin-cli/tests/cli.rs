//! The real `eo-admin` binary against a real server started in-process.

// The server's own test helpers, shared rather than copied.
#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::{TestClient, TestServer, enter_game, expect};
use eo_protocol::net::client::{RefreshRequestClientPacket, WalkAction, WalkPlayerClientPacket};
use eo_protocol::net::server::{LoginReply, ServerPacket};
use eo_protocol::{Coords, Direction};
use serde_json::Value;

/// Runs `eo-admin --socket SOCKET ARGS...` (off the runtime's threads).
async fn eo_admin(socket: &Path, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eo-admin"));
    command.arg("--socket").arg(socket).args(args);
    command.env_remove("EO_CONTROL_SOCKET");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a command that must succeed; returns its standard output.
async fn ok(socket: &Path, args: &[&str]) -> String {
    let output = eo_admin(socket, args).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}{}",
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

/// Runs a command with `--json` that must succeed; returns the result.
async fn ok_json(socket: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(socket, &all).await).unwrap()
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
    client.send(&RefreshRequestClientPacket).await;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(_) => Some(()),
        _ => None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_players_announce_promote_save_kick_and_audit() {
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();

    let status = ok_json(&socket, &["status"]).await;
    assert_eq!(status["listen"], server.addr.to_string());
    assert_eq!(status["players"], 0);
    let text = ok(&socket, &["status"]).await;
    assert!(text.contains("uptime:"), "{text}");
    assert!(text.contains(&server.addr.to_string()), "{text}");
    assert_eq!(ok(&socket, &["players"]).await, "nobody is in the game\n");

    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    let mut beta = TestClient::connected(server.addr).await;
    enter_game(&mut beta, "beta").await;
    walk_up(&mut alpha, (16, 8)).await;

    let players = ok_json(&socket, &["players"]).await;
    let list = players["players"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (&list[0]["name"], &list[0]["x"], &list[0]["y"]),
        (&Value::from("alpha"), &Value::from(16), &Value::from(8))
    );
    let table = ok(&socket, &["players"]).await;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("NAME"), "{table}");
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(&row[..7], ["alpha", "alpha", "1", "16", "8", "0", "0"]);
    assert!(row[7].starts_with("127.0.0.1:"));

    ok(&socket, &["announce", "doors", "open", "soon"]).await;
    let message = expect(&mut beta, |p| match p {
        ServerPacket::TalkAnnounce(p) => Some((p.player_name, p.message)),
        _ => None,
    })
    .await;
    assert_eq!(
        message,
        ("Server".to_string(), "doors open soon".to_string())
    );

    ok(&socket, &["message", "alpha", "psst"]).await;
    let message = expect(&mut alpha, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert_eq!(message, "psst");

    let promoted = ok(&socket, &["promote", "beta", "3"]).await;
    assert!(
        promoted.starts_with("beta is now admin level 3"),
        "{promoted}"
    );
    // clap refuses a level above 5 before anything is sent.
    let refused = eo_admin(&socket, &["promote", "beta", "6"]).await;
    assert_eq!(refused.status.code(), Some(2), "clap's usage error");

    assert_eq!(ok(&socket, &["save"]).await, "saved 2 character(s)\n");
    assert_eq!(ok_json(&socket, &["save"]).await["saved"], 2);
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let saved = db.load_character(1).await.unwrap().unwrap();
    assert_eq!((saved.x, saved.y), (16, 8));
    assert_eq!(db.load_character(2).await.unwrap().unwrap().admin_level, 3);

    assert_eq!(ok(&socket, &["kick", "beta"]).await, "kicked beta\n");
    assert!(beta.is_closed_within(Duration::from_secs(5)).await);

    // The server refuses: exit 1, the reason on standard error.
    let refused = eo_admin(&socket, &["kick", "beta"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("not_found"),
        "{}",
        stderr(&refused)
    );
    let refused = eo_admin(&socket, &["--json", "kick", "beta"]).await;
    assert_eq!(refused.status.code(), Some(1));
    let error: Value = serde_json::from_str(&stdout(&refused)).unwrap();
    assert_eq!(error["code"], "not_found");

    let audit = ok_json(&socket, &["audit", "50"]).await;
    let commands: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "announce", "message", "promote", "save", "save", "kick", "kick", "kick"
        ]
    );
    let table = ok(&socket, &["audit", "2"]).await;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("ID"), "{table}");
    assert!(
        lines[2].contains("kick") && lines[2].contains("not_found"),
        "{table}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ban_unban_and_bans() {
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;

    let banned = ok(&socket, &["ban", "alpha", "2h", "--reason", "spam"]).await;
    assert!(
        banned.starts_with("banned account alpha until "),
        "{banned}"
    );
    assert!(banned.contains("kicked alpha"), "{banned}");
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

    let banned = ok(&socket, &["ban", "--ip", "10.9.8.7"]).await;
    assert!(
        banned.starts_with("banned address 10.9.8.7 permanently"),
        "{banned}"
    );
    let table = ok(&socket, &["bans"]).await;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[1].contains("alpha") && lines[1].contains("spam"),
        "{table}"
    );
    assert!(
        lines[2].contains("10.9.8.7") && lines[2].contains("permanent"),
        "{table}"
    );
    assert_eq!(
        ok_json(&socket, &["bans"]).await["bans"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    assert_eq!(ok(&socket, &["unban", "alpha"]).await, "removed 1 ban(s)\n");
    assert_eq!(
        again.login("alpha", "secret1").await.reply_code,
        LoginReply::Ok
    );
    ok(&socket, &["unban", "--ip", "10.9.8.7"]).await;
    assert_eq!(ok(&socket, &["bans"]).await, "no bans\n");
    let refused = eo_admin(&socket, &["unban", "alpha"]).await;
    assert_eq!(refused.status.code(), Some(1));
    let refused = eo_admin(&socket, &["ban", "alpha", "soon"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("bad_request"),
        "{}",
        stderr(&refused)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_exits_2_naming_the_socket_and_the_config_names_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.sock");
    let output = eo_admin(&missing, &["status"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&missing.display().to_string()),
        "{}",
        stderr(&output)
    );

    // Without --socket, [control] socket of --config is used.
    let server = TestServer::start(|_| {}).await;
    let config = dir.path().join("eo-server.toml");
    std::fs::write(
        &config,
        format!(
            "[control]\nsocket = {:?}\n",
            server.socket.display().to_string()
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking({
        let config = config.clone();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_eo-admin"))
                .arg("--config")
                .arg(&config)
                .args(["--json", "status"])
                .env_remove("EO_CONTROL_SOCKET")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    server.stop().await;

    // The server is gone now: exit 2.
    let output = eo_admin(&server_socket_gone(&config), &["status"]).await;
    assert_eq!(output.status.code(), Some(2));
}

/// The socket path the config names (the server that had it has stopped).
fn server_socket_gone(config: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(config).unwrap();
    let table: toml::Table = text.parse().unwrap();
    table["control"]["socket"].as_str().unwrap().into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_the_server_and_saves_a_walked_character() {
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    walk_up(&mut alpha, (16, 8)).await;

    let said = ok(&socket, &["shutdown", "0", "back", "in", "five"]).await;
    assert_eq!(said, "the server is shutting down\n");
    let message = expect(&mut alpha, |p| match p {
        ServerPacket::TalkAnnounce(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert_eq!(message, "back in five");
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("the server stops")
        .unwrap();
    assert!(!socket.exists());
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let saved = db.load_character(1).await.unwrap().unwrap();
    assert_eq!((saved.x, saved.y), (16, 8));
    let output = eo_admin(&socket, &["status"]).await;
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mute_and_warp() {
    use eo_protocol::net::client::WarpAcceptClientPacket;
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;

    let text = ok(&socket, &["mute", "alpha", "--duration", "5m"]).await;
    assert_eq!(text, "alpha is muted for 300 s\n");
    let told = expect(&mut alpha, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert!(told.contains("muted for 300 seconds"), "{told}");
    let json = ok_json(&socket, &["mute", "alpha", "--duration", "0"]).await;
    assert_eq!(json["duration_secs"], 0);

    let text = ok(&socket, &["warp", "alpha", "2", "1", "15"]).await;
    assert_eq!(text, "alpha is offered a warp to map 2 at 1,15\n");
    let request = expect(&mut alpha, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(request.map_id, 2);
    alpha
        .send(&WarpAcceptClientPacket {
            map_id: 2,
            session_id: request.session_id,
        })
        .await;
    expect(&mut alpha, |p| match p {
        ServerPacket::WarpAgree(_) => Some(()),
        _ => None,
    })
    .await;
    let players = ok_json(&socket, &["players"]).await;
    assert_eq!(players["players"][0]["map"], 2);

    let output = eo_admin(&socket, &["warp", "alpha", "99", "1", "1"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not_found"), "{}", stderr(&output));
    let output = eo_admin(&socket, &["mute", "nobody"]).await;
    assert_eq!(output.status.code(), Some(1));
}
