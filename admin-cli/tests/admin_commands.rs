//! The eo-admin form of the admin commands (the same `eo_control::Command` the `$` form
//! parses): the real binary against a real server, with real clients seeing the effects.

// The server's own test helpers, shared rather than copied.
#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Output;

use common::admin::{follow_warp, say, server_line};
use common::{TestClient, TestServer, enter_game, expect};
use eo_protocol::net::server::{EffectUseServerPacketEffectData, ServerPacket};

/// Runs `eo-admin --socket SOCKET ARGS...` (off the runtime's threads).
async fn eo_admin(socket: &Path, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eo-admin"));
    command.arg("--socket").arg(socket).args(args);
    command.env_remove("EO_CONTROL_SOCKET");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// Runs a command that must succeed; returns its standard output.
async fn ok(socket: &Path, args: &[&str]) -> String {
    let output = eo_admin(socket, args).await;
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// Runs a command the server refuses (exit 1); returns its standard error.
async fn refused(socket: &Path, args: &[&str]) -> String {
    let output = eo_admin(socket, args).await;
    assert_eq!(output.status.code(), Some(1), "{args:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn in_game(server: &TestServer, name: &str) -> TestClient {
    let mut client = TestClient::connected(server.addr).await;
    enter_game(&mut client, name).await;
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jail_freeze_and_their_refusals_from_eo_admin() {
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let _master = in_game(&server, "master").await;
    let _peer = in_game(&server, "peer").await;
    let mut guide = in_game(&server, "guide").await;
    let mut prisoner = in_game(&server, "prisoner").await;
    ok(&socket, &["promote", "master", "4"]).await;
    ok(&socket, &["promote", "peer", "4"]).await;
    ok(&socket, &["promote", "guide", "1"]).await;

    // Refused below jail's level, and on an equal admin, as in the game.
    let below = refused(&socket, &["--as", "guide", "jail", "prisoner"]).await;
    assert!(
        below.contains("forbidden: guide may not use jail: it needs admin level 2, guide has 1"),
        "{below}"
    );
    let equal = refused(&socket, &["--as", "master", "j", "peer"]).await;
    assert!(
        equal.contains(
            "forbidden: master may not use jail on peer: their admin level is not below master's."
        ),
        "{equal}"
    );

    // The same command as `$jail`: the prisoner is taken to the jail.
    let out = ok(&socket, &["--as", "master", "jail", "prisoner"]).await;
    assert_eq!(out, "prisoner is jailed on map 6 at 5,6\n");
    assert_eq!(follow_warp(&mut prisoner, "prisoner").await.1, 6);
    let out = ok(&socket, &["free", "prisoner"]).await;
    assert_eq!(out, "prisoner is free: to map 1 at 16,9\n");
    assert_eq!(follow_warp(&mut prisoner, "prisoner").await.1, 1);
    let not = refused(&socket, &["unjail", "prisoner"]).await;
    assert!(not.contains("not_found: prisoner is not jailed"), "{not}");

    let out = ok(&socket, &["freeze", "prisoner"]).await;
    assert_eq!(out, "prisoner is frozen\n");
    expect(&mut prisoner, |p| {
        matches!(p, ServerPacket::WalkClose(_)).then_some(())
    })
    .await;
    ok(&socket, &["unfreeze", "prisoner"]).await;
    expect(&mut prisoner, |p| {
        matches!(p, ServerPacket::WalkOpen(_)).then_some(())
    })
    .await;

    // The guide's own `$` form of a command its level allows (kick is 1) on a player.
    say(&mut guide, "$skick prisoner").await;
    assert_eq!(server_line(&mut guide).await, "Kicked prisoner.");
    assert!(
        prisoner
            .is_closed_within(std::time::Duration::from_secs(5))
            .await
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_quake_uptime_and_moderation_from_eo_admin() {
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut player = in_game(&server, "player").await;

    let out = ok(&socket, &["sitem", "1", "5", "--to", "player"]).await;
    assert_eq!(out, "5 x Gold (1) put into player's inventory\n");
    let got = expect(&mut player, |p| match p {
        ServerPacket::ItemGet(get) => Some(get.taken_item),
        _ => None,
    })
    .await;
    assert_eq!((got.id, got.amount), (1, 5));
    let out = ok(&socket, &["di", "1", "2", "--to", "player"]).await;
    assert_eq!(out, "2 x Gold (1) dropped on map 1 at 16,9\n");
    let needs = refused(&socket, &["sitem", "1"]).await;
    assert!(needs.contains("bad_request"), "{needs}");

    let out = ok(&socket, &["quake", "--map", "1", "3"]).await;
    assert_eq!(out, "map 1 quakes (strength 3, 1 player(s))\n");
    let strength = expect(&mut player, |p| match p {
        ServerPacket::EffectUse(effect) => match effect.effect_data {
            Some(EffectUseServerPacketEffectData::Quake(q)) => Some(q.quake_strength),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(strength, 3);

    let out = ok(&socket, &["uptime"]).await;
    assert!(out.starts_with("up ") && out.contains(" UTC)"), "{out}");

    // mute takes its duration bare (as `$mute`) or with --duration, not both.
    let out = ok(&socket, &["smute", "player", "2m"]).await;
    assert_eq!(out, "player is muted for 120 s\n");
    let out = ok(&socket, &["mute", "player", "--duration", "0"]).await;
    assert_eq!(out, "player is muted for 0 s\n");
    let usage = eo_admin(&socket, &["mute", "player", "1m", "--duration", "2m"]).await;
    assert_eq!(usage.status.code(), Some(2));

    let out = ok(&socket, &["sban", "player", "1h"]).await;
    assert!(out.starts_with("banned account player until "), "{out}");
    assert!(
        player
            .is_closed_within(std::time::Duration::from_secs(5))
            .await
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_of_a_character_not_in_the_game_and_the_looks_from_eo_admin() {
    let server = TestServer::start(|_| {}).await;
    let socket = server.socket.clone();
    let mut plain = in_game(&server, "plain").await;
    // "sleeper" is created, then logs out.
    let mut sleeper = TestClient::connected(server.addr).await;
    common::create_character(&mut sleeper, "sleeper").await;
    drop(sleeper);

    // A title of several words, for a character not in the game (once its logout is done).
    let mut out = String::new();
    for _ in 0..100 {
        let output = eo_admin(&socket, &["set", "sleeper", "title", "the", "Sleepy"]).await;
        if output.status.code() == Some(0) {
            out = String::from_utf8_lossy(&output.stdout).into_owned();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        out,
        "sleeper's title is now the Sleepy (not in the game: written to the database)\n"
    );
    let bad = refused(&socket, &["set", "sleeper", "race", "9"]).await;
    assert!(bad.contains("race is at most 6"), "{bad}");

    // A look for plain, seen by plain at once; then a quest's state.
    let out = ok(&socket, &["dress", "plain", "7"]).await;
    assert_eq!(out, "plain now shows 1 cosmetic slot(s)\n");
    let pid = plain.player_id;
    let hat = expect(&mut plain, |p| match p {
        ServerPacket::AvatarAgree(a) if a.change.player_id == pid => Some(a.change),
        _ => None,
    })
    .await;
    assert!(format!("{hat:?}").contains("hat: 1"), "{hat:?}");
    let out = ok(&socket, &["qstate", "plain", "1", "hunt"]).await;
    assert_eq!(out, "plain's quest 1 (Hopper Trouble) is in state hunt\n");
    let out = ok(&socket, &["undress", "plain"]).await;
    assert_eq!(out, "plain now shows 0 cosmetic slot(s)\n");
    server.stop().await;
}
