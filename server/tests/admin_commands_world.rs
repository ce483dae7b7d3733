//! `quake`, `uptime`, `request` and the silent moderation commands (`skick`, `smute`, `sban`)
//! against their loud forms, with real clients and the real control socket.

mod common;

use common::admin::{announced, player_at_level, say, server_line};
use common::{Control, TestServer, expect};
use eo_protocol::net::server::{EffectUseServerPacketEffectData, ServerPacket};
use serde_json::json;

/// The strength of the next quake the client is shown.
async fn quake(client: &mut common::TestClient) -> u8 {
    expect(client, |p| match p {
        ServerPacket::EffectUse(effect) => match effect.effect_data {
            Some(EffectUseServerPacketEffectData::Quake(quake)) => Some(quake.quake_strength),
            _ => None,
        },
        _ => None,
    })
    .await
}

#[tokio::test]
async fn quake_shakes_one_map() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut here = player_at_level(&server, &mut control, "here", 0).await;
    let mut guide = player_at_level(&server, &mut control, "guide", 1).await;

    say(&mut gm, "$q 3").await;
    assert_eq!(quake(&mut here).await, 3);
    // The giver sees the quake and its reply, in either order (the map's broadcast and the
    // command's answer travel different paths).
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let next = expect(&mut gm, |p| match p {
            ServerPacket::EffectUse(effect) => match effect.effect_data {
                Some(EffectUseServerPacketEffectData::Quake(quake)) => {
                    Some(format!("quake {}", quake.quake_strength))
                }
                _ => None,
            },
            ServerPacket::TalkServer(line) => Some(line.message),
            _ => None,
        })
        .await;
        seen.push(next);
    }
    seen.sort();
    assert_eq!(seen, ["Map 1 quakes (strength 3).", "quake 3"]);
    // [admin] quake is 2.
    say(&mut guide, "$quake").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $quake.");
    say(&mut gm, "$quake 9").await;
    assert!(server_line(&mut gm).await.starts_with("Usage: $quake"));

    // The operator names the map: a map nobody is on quakes for nobody.
    let result = control.ok("quake", json!({"map": 2})).await;
    assert_eq!(
        (result["strength"].clone(), result["players"].clone()),
        (json!(5), json!(0))
    );
    let result = control.ok("quake", json!({"map": 1, "strength": 1})).await;
    assert_eq!(result["players"], 3);
    assert_eq!(
        quake(&mut here).await,
        1,
        "the map-2 quake did not reach map 1"
    );
    let reply = control.call("quake", json!({})).await;
    assert_eq!(reply["error"]["code"], "bad_request");
    server.stop().await;
}

#[tokio::test]
async fn uptime_and_requests_for_help() {
    let server = TestServer::start(|c| c.admin.admin_chat = 2).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut spy = player_at_level(&server, &mut control, "spyglass", 1).await;
    let mut plain = player_at_level(&server, &mut control, "plain", 0).await;

    // Every player's, by default.
    say(&mut plain, "$uptime").await;
    let line = server_line(&mut plain).await;
    assert!(line.starts_with("The server has been up for "), "{line}");
    assert!(
        line.ends_with("seconds.") || line.ends_with("second."),
        "{line}"
    );
    let up = control.ok("uptime", json!({})).await;
    assert!(up["uptime_secs"].is_u64() && up["started_at"].as_u64().unwrap() > 1_600_000_000);

    // A request reaches the admins who hear admin chat (level 2 here), not the others.
    say(&mut plain, "$request I am stuck in a wall").await;
    assert_eq!(
        server_line(&mut plain).await,
        "Your request was sent to the admins in the game."
    );
    let heard = expect(&mut gm, |p| match p {
        ServerPacket::TalkAdmin(t) => Some((t.player_name, t.message)),
        _ => None,
    })
    .await;
    assert_eq!(
        heard,
        ("plain".into(), "needs help: I am stuck in a wall".into())
    );
    // The spy (level 1) heard nothing: the next admin line it gets is one sent to level 1.
    control
        .ok("promote", json!({"name": "spyglass", "level": 2}))
        .await;
    say(&mut plain, "$request again").await;
    let heard = expect(&mut spy, |p| match p {
        ServerPacket::TalkAdmin(t) => Some(t.message),
        _ => None,
    })
    .await;
    assert_eq!(heard, "needs help: again");
    server.stop().await;
}

#[tokio::test]
async fn kick_mute_and_ban_announce_and_their_silent_forms_do_not() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guide = player_at_level(&server, &mut control, "guide", 1).await;
    let mut watcher = player_at_level(&server, &mut control, "watcher", 0).await;
    let mut targets = Vec::new();
    for name in ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"] {
        targets.push(player_at_level(&server, &mut control, name, 0).await);
    }

    say(&mut gm, "$skick alpha").await;
    assert_eq!(server_line(&mut gm).await, "Kicked alpha.");
    say(&mut gm, "$kick bravo").await;
    assert_eq!(server_line(&mut gm).await, "Kicked bravo.");
    assert_eq!(
        announced(&mut watcher).await,
        ("Server".into(), "bravo was kicked by master.".into())
    );
    say(&mut gm, "$sm charlie").await;
    assert_eq!(server_line(&mut gm).await, "Muted charlie for 300 seconds.");
    say(&mut gm, "$m delta 1m").await;
    assert_eq!(server_line(&mut gm).await, "Muted delta for 60 seconds.");
    assert_eq!(
        announced(&mut watcher).await.1,
        "delta was muted by master."
    );
    say(&mut gm, "$sban echo 1h").await;
    assert_eq!(server_line(&mut gm).await, "Banned account echo.");
    say(&mut gm, "$ban foxtrot 1h").await;
    assert_eq!(server_line(&mut gm).await, "Banned account foxtrot.");
    assert_eq!(
        announced(&mut watcher).await.1,
        "foxtrot was banned by master."
    );

    // The silent forms need their own levels ([admin] skick 1, sban 2) and the hierarchy.
    say(&mut guide, "$sban watcher").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $sban.");
    for command in ["skick", "smute", "sban"] {
        say(&mut gm, &format!("${command} peer")).await;
        assert_eq!(
            server_line(&mut gm).await,
            format!("You may not use ${command} on peer: their admin level is not below yours.")
        );
    }
    // peer is still in the game, unmuted: it is heard.
    say(&mut peer, "still here").await;
    let heard = expect(&mut watcher, |p| match p {
        ServerPacket::TalkPlayer(t) => Some(t.message),
        _ => None,
    })
    .await;
    assert_eq!(heard, "still here");
    let bans = control.ok("bans", json!({})).await;
    let banned: Vec<&str> = bans["bans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["account"].as_str().unwrap())
        .collect();
    assert_eq!(banned.len(), 2);
    assert!(
        banned.contains(&"echo") && banned.contains(&"foxtrot"),
        "{banned:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn player_commands_uptime_and_autopickup() {
    use eo_protocol::Direction;
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = player_at_level(&server, &mut control, "plain", 0).await;

    say(&mut plain, "#uptime").await;
    let line = server_line(&mut plain).await;
    assert!(line.starts_with("The server has been up for "), "{line}");
    // Any other # line is said aloud.
    say(&mut plain, "#1 fan of this town").await;
    let heard = expect(&mut gm, |p| match p {
        ServerPacket::TalkPlayer(t) => Some(t.message),
        _ => None,
    })
    .await;
    assert_eq!(heard, "#1 fan of this town");

    // #autopickup on: stepping onto a pile picks it up.
    say(&mut plain, "#autopickup").await;
    assert_eq!(
        server_line(&mut plain).await,
        "Auto pick-up is on: you pick up what you step on."
    );
    // (Off the admin's tile first: characters do not walk onto each other.)
    plain.walk(Direction::Right, 17, 9).await;
    common::map_barrier(&mut plain).await;
    let dropped = control
        .ok("ditem", json!({"item": 1, "amount": 7, "name": "plain"}))
        .await;
    assert_eq!(
        (dropped["x"].clone(), dropped["y"].clone()),
        (json!(17), json!(9))
    );
    plain.walk(Direction::Right, 18, 9).await;
    plain.walk(Direction::Left, 17, 9).await;
    let got = expect(&mut plain, |p| match p {
        ServerPacket::ItemGet(get) => Some(get.taken_item),
        _ => None,
    })
    .await;
    assert_eq!((got.id, got.amount), (1, 7));

    // #ap off: it walks over the next pile.
    say(&mut plain, "#AP").await;
    assert_eq!(server_line(&mut plain).await, "Auto pick-up is off.");
    control
        .ok("ditem", json!({"item": 1, "amount": 3, "name": "plain"}))
        .await;
    plain.walk(Direction::Right, 18, 9).await;
    plain.walk(Direction::Left, 17, 9).await;
    assert!(
        !common::map_barrier(&mut plain)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::ItemGet(_)))
    );
    server.stop().await;
}

#[tokio::test]
async fn evacuate_counts_down_then_warps_out_those_below_the_giver() {
    use common::admin::follow_warp;
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guide = player_at_level(&server, &mut control, "guide", 1).await;
    let mut plain = player_at_level(&server, &mut control, "plain", 0).await;
    // Everyone to Gravemaw Hollow (map 2).
    for (client, name, x) in [
        (&mut gm, "master", 1),
        (&mut peer, "peer", 2),
        (&mut guide, "guide", 3),
        (&mut plain, "plain", 4),
    ] {
        control
            .ok("warp", json!({"name": name, "map": 2, "x": x, "y": 16}))
            .await;
        assert_eq!(follow_warp(client, name).await.1, 2);
    }

    // [admin] evacuate is 4.
    say(&mut guide, "$evacuate").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $evacuate.");

    say(&mut gm, "$e 1").await;
    // The giver's reply and the map's first warning travel different paths (the command's
    // answer, the map's broadcast), so either may come first.
    let mut giver_lines = vec![server_line(&mut gm).await, server_line(&mut gm).await];
    giver_lines.sort();
    assert_eq!(
        giver_lines,
        [
            "Map 2 is evacuated in 1 seconds.",
            "This map will be evacuated in 1 seconds."
        ]
    );
    assert_eq!(
        server_line(&mut plain).await,
        "This map will be evacuated in 1 seconds."
    );
    assert_eq!(
        server_line(&mut plain).await,
        "This map is being evacuated."
    );
    assert_eq!(
        follow_warp(&mut plain, "plain").await,
        (eo_protocol::net::server::WarpType::MapSwitch, 1, 16, 9)
    );
    assert_eq!(follow_warp(&mut guide, "guide").await.1, 1);
    // The giver and its equal stay.
    assert_eq!(
        server_line(&mut peer).await,
        "This map will be evacuated in 1 seconds."
    );
    assert_eq!(server_line(&mut peer).await, "This map is being evacuated.");
    assert!(
        !common::map_barrier(&mut peer)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::WarpRequest(_)))
    );
    let players = control.ok("players", json!({})).await;
    let on_two: Vec<&str> = players["players"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["map"] == 2)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(on_two.len(), 2, "{on_two:?}");

    // The operator names the map; the spawn map cannot be evacuated.
    let reply = control.call("evacuate", json!({"map": 1})).await;
    assert_eq!(reply["error"]["code"], "bad_request", "{reply}");
    let result = control.ok("evacuate", json!({"map": 3, "secs": 0})).await;
    assert_eq!(result["players"], 0);
    server.stop().await;
}
