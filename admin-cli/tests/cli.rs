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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_a_character_the_command_has_its_admin_level() {
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut guard = TestClient::connected(server.addr).await;
    enter_game(&mut guard, "guard").await;
    let mut master = TestClient::connected(server.addr).await;
    enter_game(&mut master, "master").await;
    ok(&socket, &["promote", "guard", "2"]).await;
    ok(&socket, &["promote", "master", "3"]).await;

    // Not below the character acted as: refused, exit 1, the reason on standard error.
    let refused = eo_admin(&socket, &["--as", "guard", "kick", "master"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        stderr(&refused),
        "eo-admin: forbidden: guard may not use kick on master: their admin level is not \
         below guard's.\n"
    );
    let refused = eo_admin(&socket, &["--json", "--as", "guard", "save"]).await;
    assert_eq!(refused.status.code(), Some(1));
    let error: Value = serde_json::from_str(&stdout(&refused)).unwrap();
    assert_eq!(error["code"], "forbidden");
    let refused = eo_admin(&socket, &["kick", "guard", "--as", "nobody"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("not_found"),
        "{}",
        stderr(&refused)
    );

    // Below it: done, and the audit trail says as whom.
    assert_eq!(
        ok(&socket, &["--as", "master", "kick", "guard"]).await,
        "kicked guard\n"
    );
    assert!(guard.is_closed_within(Duration::from_secs(5)).await);
    let audit = ok_json(&socket, &["audit", "1"]).await;
    let who = audit["entries"][0]["who"].as_str().unwrap();
    assert!(
        who.starts_with("uid ") && who.ends_with(" as master"),
        "{who}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_applies_live_keys_names_the_rest_and_refuses_a_bad_file() {
    use common::enter_game_reply;
    use eo_protocol::net::client::TalkReportClientPacket;
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let file = server.config_file();
    let original = std::fs::read_to_string(&file).unwrap();

    // Nothing changed in the file yet.
    let text = ok(&socket, &["reload"]).await;
    assert!(text.contains("nothing changed"), "{text}");

    let mut first = TestClient::connected(server.addr).await;
    let (_, entered) = enter_game_reply(&mut first, "first").await;
    assert_eq!(entered.news[0], "Welcome to eo-server!");
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    ok(&socket, &["promote", "alpha", "1"]).await;
    let mut beta = TestClient::connected(server.addr).await;
    enter_game(&mut beta, "beta").await;

    // Live keys, and one that needs a restart.
    let mut config: toml::Table = original.parse().unwrap();
    config["admin"]["kick"] = 3.into();
    config["server"]["max_connections_per_ip"] = 4.into();
    config["world"]["news"] = toml::Value::Array(vec!["Reloaded greeting".into()]);
    config["database"]["path"] = "elsewhere.db".into();
    std::fs::write(&file, toml::to_string(&config).unwrap()).unwrap();
    let report = ok_json(&socket, &["reload"]).await;
    assert_eq!(
        keys_of(&report, "applied"),
        ["admin.kick", "server.max_connections_per_ip", "world.news"]
    );
    assert_eq!(keys_of(&report, "restart_needed"), ["database.path"]);
    assert_eq!(report["applied"][1]["from"], "0");
    assert_eq!(report["applied"][1]["to"], "4");
    assert_eq!(report["applied"][1]["when"], "now");
    // The running values: the database is still the one in use.
    let status = ok_json(&socket, &["status"]).await;
    assert!(status["database"].as_str().unwrap().ends_with("test.db"));
    let text = ok(&socket, &["reload"]).await;
    assert!(
        text.contains("in force after a restart:\n  database.path"),
        "{text}"
    );

    // admin.kick: a level-1 character may no longer kick.
    alpha
        .send(&TalkReportClientPacket {
            message: "$kick beta".into(),
        })
        .await;
    let answer = expect(&mut alpha, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert_eq!(answer, "You may not use $kick.");

    // world.news: the next character to enter the game gets the new greeting.
    let mut gamma = TestClient::connected(server.addr).await;
    let (_, entered) = enter_game_reply(&mut gamma, "gamma").await;
    assert_eq!(entered.news[0], "Reloaded greeting");
    assert_eq!(entered.news.len(), 9);

    // server.max_connections_per_ip: four connections from 127.0.0.1 are open, so a fifth is
    // closed at once.
    let mut fifth = TestClient::connect(server.addr).await;
    assert!(fifth.is_closed_within(Duration::from_secs(2)).await);

    // A bad value: refused with the key named, nothing changed.
    config["server"]["max_players"] = "many".into();
    std::fs::write(&file, toml::to_string(&config).unwrap()).unwrap();
    let output = eo_admin(&socket, &["reload"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("server.max_players"),
        "{}",
        stderr(&output)
    );
    std::fs::write(&file, &original).unwrap();
    let report = ok_json(&socket, &["reload"]).await;
    assert_eq!(
        keys_of(&report, "applied").len(),
        3,
        "back to the original: {report}"
    );

    let audit = ok_json(&socket, &["audit", "--limit", "3"]).await;
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["command"] == "reload"));
    assert!(entries.iter().any(|e| !e["error"].is_null()));
    drop((first, beta, gamma));
}

fn keys_of(report: &Value, list: &str) -> Vec<String> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether this process runs as root (the owner of `/proc/self` is the effective uid).
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_of_another_user_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    if !running_as_root() {
        // Only root can start a process as another user here.
        eprintln!(
            "skipped: a_peer_of_another_user_is_refused needs root to run eo-admin as nobody"
        );
        return;
    }
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    // Open the file system's way to the socket, so only the server's own check stands between
    // another user and the commands.
    std::fs::set_permissions(server.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eo-admin"));
    command
        .arg("--socket")
        .arg(&socket)
        .arg("status")
        .env_remove("EO_CONTROL_SOCKET")
        .uid(65534)
        .gid(65534);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    // Closed at once, unanswered (a reset, a broken pipe or an empty reply, by timing):
    // exit 2, naming the socket.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains(&format!("the server at {}", socket.display())),
        "{said}"
    );
    assert!(
        !said.contains("players"),
        "no result reached nobody: {said}"
    );
    // Root is served.
    let status = ok_json(&socket, &["status"]).await;
    assert_eq!(status["players"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mute_outlives_the_session_and_an_offline_character_can_be_muted() {
    use eo_protocol::net::client::TalkReportClientPacket;
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    let mut beta = TestClient::connected(server.addr).await;
    enter_game(&mut beta, "beta").await;

    let json = ok_json(&socket, &["mute", "alpha", "--duration", "5m"]).await;
    assert_eq!(
        (&json["duration_secs"], &json["online"]),
        (&300.into(), &true.into())
    );

    // Logging out and in again does not lift it.
    drop(alpha);
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    let say = |text: &str| TalkReportClientPacket {
        message: text.into(),
    };
    alpha.send(&say("still muted")).await;
    ok(&socket, &["mute", "alpha", "--duration", "0"]).await;
    let told = expect(&mut alpha, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert_eq!(told, "You are no longer muted.");
    alpha.send(&say("heard")).await;
    let heard = expect(&mut beta, |p| match p {
        ServerPacket::TalkPlayer(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert_eq!(heard, "heard", "the line said while muted was dropped");

    // A character that is not in the game can be muted too (once the server has seen it go).
    drop(alpha);
    loop {
        let players = ok_json(&socket, &["players"]).await;
        let online = players["players"].as_array().unwrap();
        if !online.iter().any(|p| p["name"] == "alpha") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let json = ok_json(&socket, &["mute", "alpha", "--duration", "1h"]).await;
    assert_eq!(
        (&json["duration_secs"], &json["online"]),
        (&3600.into(), &false.into())
    );
    let output = eo_admin(&socket, &["mute", "nobody"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not_found"), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn give_puts_items_at_the_characters_feet_for_it_alone() {
    use eo_protocol::net::ThreeItem;
    use eo_protocol::net::client::{ItemGetClientPacket, TalkReportClientPacket};
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    let mut beta = TestClient::connected(server.addr).await;
    enter_game(&mut beta, "beta").await;

    let text = ok(&socket, &["give", "alpha", "2"]).await;
    assert_eq!(
        text,
        "1 x Tinker's Blade (2) lies at alpha's feet on map 1 at 16,9\n"
    );
    let added = expect(&mut beta, |p| match p {
        ServerPacket::ItemAdd(p) => Some(p),
        _ => None,
    })
    .await;
    assert_eq!((added.item_id, added.item_amount), (2, 1));
    // Only alpha may take it for now.
    beta.send(&ItemGetClientPacket {
        item_index: added.item_index,
    })
    .await;
    expect(&mut beta, |p| {
        matches!(p, ServerPacket::ItemSpec(_)).then_some(())
    })
    .await;
    alpha
        .send(&ItemGetClientPacket {
            item_index: added.item_index,
        })
        .await;
    let got = expect(&mut alpha, |p| match p {
        ServerPacket::ItemGet(p) => Some(p.taken_item),
        _ => None,
    })
    .await;
    assert_eq!(got, ThreeItem { id: 2, amount: 1 });

    for (args, code) in [
        (vec!["give", "alpha", "999"], "not_found"),
        (vec!["give", "alpha", "1", "0"], "bad_request"),
        (vec!["give", "nobody", "1"], "not_found"),
    ] {
        let output = eo_admin(&socket, &args).await;
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&output).contains(code),
            "{args:?}: {}",
            stderr(&output)
        );
    }

    // In the game: a Game Master's $give.
    ok(&socket, &["promote", "alpha", "3"]).await;
    alpha
        .send(&TalkReportClientPacket {
            message: "$give beta 1 50".into(),
        })
        .await;
    let answer = expect(&mut alpha, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await;
    assert_eq!(answer, "50 Gold at beta's feet (16,9).");
    let json = ok_json(&socket, &["audit", "--limit", "1"]).await;
    assert_eq!(json["entries"][0]["command"], "give");
    assert_eq!(json["entries"][0]["source"], "game");
}

/// Copies the folder `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_quests_loads_the_quest_files_and_names_a_broken_one() {
    let world = tempfile::tempdir().unwrap();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    copy_tree(&bundled, world.path());
    let data_dir = world.path().to_owned();
    let server = TestServer::start(move |config| config.world.data_dir = data_dir).await;
    let socket = server.socket.clone();

    let text = ok(&socket, &["reload-quests"]).await;
    assert_eq!(text, "3 quests loaded\n");

    std::fs::write(
        world.path().join("quests/00009.eqf"),
        "Main { questname \"Broken\" }\nstate Begin {\n  rule Flew() goto Begin\n}\n",
    )
    .unwrap();
    let text = ok(&socket, &["reload-quests"]).await;
    assert!(text.starts_with("3 quests loaded\nnot loaded: "), "{text}");
    assert!(
        text.contains("00009.eqf: line 3: expected a rule EO+ knows; 'flew' is none"),
        "{text}"
    );
    let report = ok_json(&socket, &["reload-quests"]).await;
    assert_eq!(report["quests"], 3);
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(1));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remap_and_repub_reread_the_world_files() {
    // The bundled world's folder, reread as it is (server/tests/live_reload.rs changes files).
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    assert_eq!(
        ok(&socket, &["remap", "1"]).await,
        "map 1: the file has not changed\n"
    );
    let repub = ok(&socket, &["repub", "--announce"]).await;
    assert!(
        repub.starts_with("pub files reloaded: ") && repub.contains("changed: nothing"),
        "{repub}"
    );
    assert_eq!(ok_json(&socket, &["repub", "announce"]).await["told"], 0);
    let refused = eo_admin(&socket, &["remap"]).await;
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        stderr(&refused).contains("bad_request"),
        "{}",
        stderr(&refused)
    );
    server.stop().await;
}
