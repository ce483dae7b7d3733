//! `jail`/`sjail`/`unjail` and `freeze`/`unfreeze` with real clients and the real control
//! socket: the jail holds over a relog and for a character jailed while offline, every warp of
//! a jailed character leads back to the jail, a release (online or offline) lets it out, and
//! each command is refused below its level and on a character of equal level.

mod common;

use common::admin::{announced, follow_warp, player_at_level, say, server_line};
use common::{
    Control, TestClient, TestServer, create_character, enter_character, expect, map_barrier,
};
use eo_protocol::Direction;
use eo_protocol::net::server::{ServerPacket, WarpType};
use serde_json::json;

/// The bundled world's jail ([jail] defaults): map 6 at (5, 6); a freed character goes to
/// Mossbrook's spawn point.
const JAIL: (u16, u16, u16) = (6, 5, 6);
const FREE: (u16, u16, u16) = (1, 16, 9);

/// Logs `name` in again on a new connection; the map it enters on and where it stands.
async fn relog(server: &TestServer, name: &str) -> (TestClient, u16, u16, u16) {
    let mut client = TestClient::connected(server.addr).await;
    let id = create_character(&mut client, name).await;
    let entered = enter_character(&mut client, id).await;
    let me = entered
        .enter
        .nearby
        .characters
        .iter()
        .find(|c| c.name == name)
        .expect("it sees itself")
        .clone();
    (client, entered.select.map_id, me.coords.x, me.coords.y)
}

#[tokio::test]
async fn a_jail_holds_over_relogs_and_warps_until_the_release() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut prisoner = player_at_level(&server, &mut control, "prisoner", 0).await;
    let mut bystander = player_at_level(&server, &mut control, "bystander", 0).await;

    // $jail: everyone is told, the prisoner is taken to the jail.
    say(&mut gm, "$jail prisoner").await;
    assert_eq!(server_line(&mut gm).await, "prisoner is in jail.");
    assert_eq!(
        announced(&mut bystander).await,
        (
            "Server".into(),
            "prisoner was sent to jail by master.".into()
        )
    );
    assert_eq!(
        server_line(&mut prisoner).await,
        "You have been sent to jail."
    );
    let (_, map, x, y) = follow_warp(&mut prisoner, "prisoner").await;
    assert_eq!((map, x, y), JAIL);

    // Every warp of a jailed character leads to the jail: even an operator's.
    control
        .ok(
            "warp",
            json!({"name": "prisoner", "map": 1, "x": 16, "y": 9}),
        )
        .await;
    assert_eq!(
        follow_warp(&mut prisoner, "prisoner").await,
        (WarpType::Local, JAIL.0, JAIL.1, JAIL.2)
    );

    // A relog keeps it jailed: it enters on the jail map, and warps still lead there.
    drop(prisoner);
    let (mut prisoner, map, _, _) = relog(&server, "prisoner").await;
    assert_eq!(map, JAIL.0);
    control
        .ok(
            "warp",
            json!({"name": "prisoner", "map": 2, "x": 1, "y": 15}),
        )
        .await;
    assert_eq!(follow_warp(&mut prisoner, "prisoner").await.1, JAIL.0);

    // $free (unjail's alias): told, and taken to the free point; warps lead anywhere again.
    say(&mut gm, "$free prisoner").await;
    assert_eq!(server_line(&mut gm).await, "prisoner is free.");
    assert_eq!(server_line(&mut prisoner).await, "You are free to go.");
    let (_, map, x, y) = follow_warp(&mut prisoner, "prisoner").await;
    assert_eq!((map, x, y), FREE);
    control
        .ok(
            "warp",
            json!({"name": "prisoner", "map": 2, "x": 1, "y": 15}),
        )
        .await;
    assert_eq!(
        follow_warp(&mut prisoner, "prisoner").await,
        (WarpType::MapSwitch, 2, 1, 15)
    );
    let reply = control.call("unjail", json!({"name": "prisoner"})).await;
    assert_eq!(reply["error"]["code"], "not_found", "{reply}");
    assert_eq!(reply["error"]["message"], "prisoner is not jailed");

    // Both are in the audit trail, with the $ form's source.
    let audit = control.ok("audit", json!({"limit": 10})).await;
    let game: Vec<(String, String)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "game")
        .map(|e| {
            (
                e["command"].as_str().unwrap().to_owned(),
                e["who"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        game,
        [
            ("jail".into(), "master".into()),
            ("unjail".into(), "master".into())
        ]
    );
    server.stop().await;
}

#[tokio::test]
async fn a_character_jailed_or_freed_offline_enters_in_jail_or_out_of_it() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let outlaw = player_at_level(&server, &mut control, "outlaw", 0).await;
    drop(outlaw);
    // Until the logout's save is in, the character is still in the game: wait for it to go.
    let mut online = true;
    while online {
        let players = control.ok("players", json!({})).await;
        online = players["players"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "outlaw");
    }

    let jailed = control.ok("jail", json!({"name": "outlaw"})).await;
    assert_eq!(
        (jailed["online"].clone(), jailed["changed"].clone()),
        (json!(false), json!(true))
    );
    let (client, map, x, y) = relog(&server, "outlaw").await;
    assert_eq!((map, x, y), JAIL);
    drop(client);
    let mut online = true;
    while online {
        let players = control.ok("players", json!({})).await;
        online = players["players"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "outlaw");
    }

    // Freed while offline: it leaves the jail as it enters, once.
    let freed = control.ok("unjail", json!({"name": "outlaw"})).await;
    assert_eq!(freed["online"], false);
    let (mut client, map, x, y) = relog(&server, "outlaw").await;
    assert_eq!((map, x, y), FREE);
    control
        .ok("warp", json!({"name": "outlaw", "map": 2, "x": 1, "y": 15}))
        .await;
    assert_eq!(follow_warp(&mut client, "outlaw").await.1, 2);
    server.stop().await;
}

#[tokio::test]
async fn jail_is_refused_below_its_level_and_on_an_equal_admin_and_sjail_is_silent() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guide = player_at_level(&server, &mut control, "guide", 1).await;
    let mut quiet = player_at_level(&server, &mut control, "quiet", 0).await;
    let _loud = player_at_level(&server, &mut control, "loud", 0).await;

    // [admin] jail is 2: a level-1 guide may not.
    say(&mut guide, "$jail quiet").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $jail.");
    say(&mut guide, "$j quiet").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $jail.");
    // Nor may a game master jail another game master.
    say(&mut gm, "$jail peer").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $jail on peer: their admin level is not below yours."
    );
    let reply = control.call("unjail", json!({"name": "peer"})).await;
    assert_eq!(reply["error"]["message"], "peer is not jailed");
    let reply = control.call("unjail", json!({"name": "quiet"})).await;
    assert_eq!(reply["error"]["message"], "quiet is not jailed");
    // ... nor free one.
    control.ok("sjail", json!({"name": "peer"})).await;
    assert_eq!(follow_warp(&mut peer, "peer").await.1, JAIL.0);
    say(&mut gm, "$unjail peer").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $unjail on peer: their admin level is not below yours."
    );

    // $sjail tells the prisoner alone; the next loud jail is the first announcement others hear.
    say(&mut gm, "$sj quiet").await;
    assert_eq!(server_line(&mut gm).await, "quiet is in jail.");
    assert_eq!(server_line(&mut quiet).await, "You have been sent to jail.");
    assert_eq!(follow_warp(&mut quiet, "quiet").await.1, JAIL.0);
    say(&mut gm, "$jail loud").await;
    assert_eq!(server_line(&mut gm).await, "loud is in jail.");
    assert_eq!(
        announced(&mut guide).await.1,
        "loud was sent to jail by master."
    );
    server.stop().await;
}

#[tokio::test]
async fn a_frozen_character_cannot_walk_until_unfrozen() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let _peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guide = player_at_level(&server, &mut control, "guide", 1).await;
    let mut skater = player_at_level(&server, &mut control, "skater", 0).await;

    say(&mut gm, "$freeze skater").await;
    assert_eq!(server_line(&mut gm).await, "skater is frozen.");
    expect(&mut skater, |p| {
        matches!(p, ServerPacket::WalkClose(_)).then_some(())
    })
    .await;
    assert_eq!(
        server_line(&mut skater).await,
        "You have been frozen: you cannot walk."
    );
    // A walk is put back (Refresh_Reply) and the character stays.
    skater.walk(Direction::Right, 17, 9).await;
    expect(&mut skater, |p| {
        matches!(p, ServerPacket::RefreshReply(_)).then_some(())
    })
    .await;
    map_barrier(&mut skater).await;
    let info = control.ok("info", json!({"name": "skater"})).await;
    assert_eq!(
        (info["x"].clone(), info["y"].clone()),
        (json!(16), json!(9))
    );

    // Refused below freeze's level (2) and on an equal admin.
    say(&mut guide, "$unfreeze skater").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $unfreeze.");
    say(&mut gm, "$l peer").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $freeze on peer: their admin level is not below yours."
    );

    say(&mut gm, "$unfreeze skater").await;
    assert_eq!(server_line(&mut gm).await, "skater can walk again.");
    expect(&mut skater, |p| {
        matches!(p, ServerPacket::WalkOpen(_)).then_some(())
    })
    .await;
    skater.walk(Direction::Right, 17, 9).await;
    map_barrier(&mut skater).await;
    let info = control.ok("info", json!({"name": "skater"})).await;
    assert_eq!(
        (info["x"].clone(), info["y"].clone()),
        (json!(17), json!(9))
    );
    server.stop().await;
}
