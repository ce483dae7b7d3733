//! In-game `$` commands, `mute` and `warp`, with real clients: the same commands as the
//! control socket, run for a character.

mod common;

use std::time::Duration;

use common::admin::{follow_warp, say, server_line};
use common::{Control, TestClient, TestServer, enter_game, expect};
use eo_protocol::net::server::{ServerPacket, WarpType};
use serde_json::json;

/// The next thing said aloud nearby.
async fn heard(client: &mut TestClient) -> String {
    expect(client, |p| match p {
        ServerPacket::TalkPlayer(p) => Some(p.message),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn game_masters_run_commands_and_players_are_refused() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = TestClient::connected(server.addr).await;
    enter_game(&mut gm, "master").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    let mut bystander = TestClient::connected(server.addr).await;
    enter_game(&mut bystander, "bystander").await;
    control
        .ok("promote", json!({"name": "master", "level": 4}))
        .await;

    // A player's `$kick` is refused, to the player alone; nobody hears the line.
    say(&mut plain, "$kick master").await;
    assert_eq!(server_line(&mut plain).await, "You may not use $kick.");
    say(&mut plain, "just chatting").await;
    assert_eq!(heard(&mut gm).await, "just chatting");
    assert_eq!(heard(&mut bystander).await, "just chatting");

    // Unknown commands and bad usage are answered too.
    say(&mut gm, "$fly").await;
    assert_eq!(server_line(&mut gm).await, "Unknown command $fly.");
    say(&mut gm, "$warp plain x 1 1").await;
    assert!(server_line(&mut gm).await.starts_with("Usage: $warp"));

    // $info.
    say(&mut gm, "$info Plain").await;
    let info = server_line(&mut gm).await;
    assert!(info.starts_with("plain: map 1 at "), "{info}");
    assert!(info.ends_with("level 0, admin level 0"), "{info}");
    say(&mut gm, "$info nobody").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$info failed: nobody is not in the game"
    );

    // $mute: the player is told once, and its chat is dropped until the mute is lifted.
    say(&mut gm, "$mute plain 5m").await;
    assert_eq!(server_line(&mut gm).await, "Muted plain for 300 seconds.");
    assert!(
        server_line(&mut plain)
            .await
            .contains("muted for 300 seconds")
    );
    say(&mut plain, "you cannot hear this").await;
    plain
        .send(&eo_protocol::net::client::TalkMsgClientPacket {
            message: "nor this".into(),
        })
        .await;
    say(&mut gm, "$mute plain 0").await;
    // The command's own answer, read now so it cannot be mistaken for a later one.
    assert_eq!(server_line(&mut gm).await, "Muted plain for 0 seconds.");
    assert_eq!(server_line(&mut plain).await, "You are no longer muted.");
    say(&mut plain, "free again").await;
    assert_eq!(heard(&mut bystander).await, "free again");
    assert_eq!(heard(&mut gm).await, "free again");

    // $warp: the player's client is offered the warp and follows it.
    say(&mut gm, "$warp plain 2 1 15").await;
    assert_eq!(
        server_line(&mut gm).await,
        "Warping plain to map 2 at 1,15."
    );
    assert_eq!(
        follow_warp(&mut plain, "plain").await,
        (WarpType::MapSwitch, 2, 1, 15)
    );
    // $warptome brings it back next to the admin, on the admin's tile.
    say(&mut gm, "$warptome plain").await;
    assert!(
        server_line(&mut gm)
            .await
            .starts_with("Warping plain to map 1 at ")
    );
    let (kind, map, _, _) = follow_warp(&mut plain, "plain").await;
    assert_eq!((kind, map), (WarpType::MapSwitch, 1));
    say(&mut gm, "$warp plain 1 200 1").await;
    assert!(server_line(&mut gm).await.contains("outside map 1"));

    // $announce reaches everyone, from "Server".
    say(&mut gm, "$announce hello everyone").await;
    let announced = expect(&mut bystander, |p| match p {
        ServerPacket::TalkAnnounce(p) => Some((p.player_name, p.message)),
        _ => None,
    })
    .await;
    assert_eq!(
        announced,
        ("Server".to_owned(), "hello everyone".to_owned())
    );

    // $kick closes the connection.
    say(&mut gm, "$kick bystander").await;
    assert!(bystander.is_closed_within(Duration::from_secs(5)).await);

    // The audit trail names the source "game" and the character.
    let audit = control.ok("audit", json!({"limit": 100})).await;
    let entries = audit["entries"].as_array().unwrap();
    let game: Vec<(String, String, bool)> = entries
        .iter()
        .filter(|e| e["source"] == "game")
        .map(|e| {
            (
                e["who"].as_str().unwrap_or_default().to_owned(),
                e["command"].as_str().unwrap_or_default().to_owned(),
                e["ok"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    for command in ["mute", "warp", "warptome", "announce", "kick"] {
        assert!(
            game.iter()
                .any(|(who, c, ok)| who == "master" && c == command && *ok),
            "{command}: {game:?}"
        );
    }
    // Refused commands never reached the commands, so they are not in the trail.
    assert!(!game.iter().any(|(who, _, _)| who == "plain"), "{game:?}");
}

#[tokio::test]
async fn control_mute_and_warp_act_on_real_clients() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut alpha = TestClient::connected(server.addr).await;
    enter_game(&mut alpha, "alpha").await;
    let mut beta = TestClient::connected(server.addr).await;
    enter_game(&mut beta, "beta").await;

    // Warp checks the map, the tile and the character.
    let reply = control
        .call("warp", json!({"name": "alpha", "map": 99, "x": 1, "y": 1}))
        .await;
    assert_eq!(reply["error"]["code"], "not_found");
    let reply = control
        .call("warp", json!({"name": "alpha", "map": 1, "x": 1, "y": 250}))
        .await;
    assert_eq!(reply["error"]["code"], "bad_request");
    let reply = control
        .call("warp", json!({"name": "nobody", "map": 1, "x": 1, "y": 1}))
        .await;
    assert_eq!(reply["error"]["code"], "not_found");
    let reply = control.call("warptome", json!({"name": "alpha"})).await;
    assert_eq!(reply["error"]["code"], "bad_request");

    let warped = control
        .ok("warp", json!({"name": "Alpha", "map": 2, "x": 1, "y": 15}))
        .await;
    assert_eq!(warped, json!({"name": "alpha", "map": 2, "x": 1, "y": 15}));
    assert_eq!(
        follow_warp(&mut alpha, "alpha").await,
        (WarpType::MapSwitch, 2, 1, 15)
    );
    let players = control.ok("players", json!({})).await;
    assert_eq!(players["players"][0]["map"], 2);
    let info = control.ok("info", json!({"name": "alpha"})).await;
    assert_eq!(
        (info["map"].clone(), info["x"].clone()),
        (json!(2), json!(1))
    );

    // A warp within the map is a local one.
    control
        .ok("warp", json!({"name": "alpha", "map": 2, "x": 2, "y": 15}))
        .await;
    assert_eq!(
        follow_warp(&mut alpha, "alpha").await,
        (WarpType::Local, 2, 2, 15)
    );

    // Mute: a permanent mute is refused; a timed one is told once and ends by itself.
    let reply = control
        .call("mute", json!({"name": "beta", "duration": "permanent"}))
        .await;
    assert_eq!(reply["error"]["code"], "bad_request");
    let muted = control
        .ok("mute", json!({"name": "beta", "duration": 1}))
        .await;
    assert_eq!(muted["duration_secs"], 1);
    assert!(server_line(&mut beta).await.contains("muted for 1 seconds"));
    control
        .ok("warp", json!({"name": "alpha", "map": 1, "x": 16, "y": 8}))
        .await;
    follow_warp(&mut alpha, "alpha").await;
    say(&mut beta, "dropped").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    say(&mut beta, "heard").await;
    assert_eq!(heard(&mut alpha).await, "heard");

    let audit = control.ok("audit", json!({"limit": 100})).await;
    let commands: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["command"].as_str())
        .collect();
    assert!(commands.contains(&"mute") && commands.contains(&"warp"));
}

#[tokio::test]
async fn hide_and_show() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut master = TestClient::connected(server.addr).await;
    let master_id = enter_game(&mut master, "master").await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;
    control
        .ok("promote", json!({"name": "master", "level": 2}))
        .await;

    say(&mut master, "$hide").await;
    assert_eq!(server_line(&mut master).await, "You are hidden.");
    let gone = expect(&mut watcher, |p| match p {
        ServerPacket::AvatarRemove(r) => Some(r.player_id),
        _ => None,
    })
    .await;
    assert_eq!(i32::from(gone), master_id);
    // What a hidden character says is not passed on.
    say(&mut master, "boo").await;
    say(&mut master, "$show").await;
    assert_eq!(server_line(&mut master).await, "You are visible.");
    let back = expect(&mut watcher, |p| match p {
        ServerPacket::PlayersAgree(a) => Some(a.nearby.characters),
        _ => None,
    })
    .await;
    assert!(back.iter().any(|c| c.name == "master" && !c.invisible));
    say(&mut master, "hello").await;
    assert_eq!(heard(&mut watcher).await, "hello");

    // A player may not hide.
    say(&mut watcher, "$hide").await;
    assert_eq!(server_line(&mut watcher).await, "You may not use $hide.");
}

#[tokio::test]
async fn hiding_lasts_over_a_new_login() {
    use eo_protocol::net::client::RefreshRequestClientPacket;
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut master = TestClient::connected(server.addr).await;
    enter_game(&mut master, "master").await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;
    control
        .ok("promote", json!({"name": "master", "level": 2}))
        .await;
    say(&mut master, "$hide").await;
    assert_eq!(server_line(&mut master).await, "You are hidden.");

    drop(master);
    let mut master = TestClient::connected(server.addr).await;
    enter_game(&mut master, "master").await;
    // The map has the new login by now; the watcher's view does not show it.
    watcher.send(&RefreshRequestClientPacket).await;
    let nearby = expect(&mut watcher, |p| match p {
        ServerPacket::RefreshReply(r) => Some(r.nearby.characters),
        _ => None,
    })
    .await;
    let names: Vec<&str> = nearby.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["watcher"], "the hidden master is not shown");
    say(&mut master, "$show").await;
    assert_eq!(server_line(&mut master).await, "You are visible.");
    let back = expect(&mut watcher, |p| match p {
        ServerPacket::PlayersAgree(a) => Some(a.nearby.characters),
        _ => None,
    })
    .await;
    assert!(back.iter().any(|c| c.name == "master" && !c.invisible));
}
