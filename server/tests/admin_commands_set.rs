//! `set` (and EOSERV's `$setlevel`, `$setstr`, ... spellings) with real clients: the map
//! checks the game's limits, the client is told, the character is saved with it; refused below
//! its level and on an equal admin.

mod common;

use common::admin::{player_at_level, say, server_line};
use common::{Control, TestClient, TestServer, enter_game, expect, saved_character};
use eo_protocol::net::server::ServerPacket;
use serde_json::json;

/// What the client is told of one `set`: Stat_Skill_Player, then Recover_Reply.
async fn told(
    client: &mut TestClient,
) -> (
    eo_protocol::net::server::StatSkillPlayerServerPacket,
    eo_protocol::net::server::RecoverReplyServerPacket,
) {
    let stats = expect(client, |p| match p {
        ServerPacket::StatSkillPlayer(reply) => Some(reply),
        _ => None,
    })
    .await;
    let recover = expect(client, |p| match p {
        ServerPacket::RecoverReply(reply) => Some(reply),
        _ => None,
    })
    .await;
    (stats, recover)
}

#[tokio::test]
async fn set_changes_levels_stats_and_points_within_the_limits() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let _peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;
    let mut plain = TestClient::connected(server.addr).await;
    let plain_id = enter_game(&mut plain, "plain").await;

    // A level brings the experience it needs (the bundled formula: round(level^3 * 133.1)).
    say(&mut gm, "$setlevel plain 5").await;
    assert_eq!(server_line(&mut gm).await, "plain's level is now 5.");
    let (_, recover) = told(&mut plain).await;
    assert_eq!(recover.level_up, Some(5));
    assert_eq!(recover.experience, 16_638);

    // A stat, in EOSERV's spelling and reoserv's.
    say(&mut gm, "$setstr plain 20").await;
    assert_eq!(server_line(&mut gm).await, "plain's str is now 20.");
    let (stats, _) = told(&mut plain).await;
    assert_eq!(stats.stats.base_stats.str, 20);
    say(&mut gm, "$s plain karma 1500").await;
    assert_eq!(server_line(&mut gm).await, "plain's karma is now 1500.");
    let (_, karma) = told(&mut plain).await;
    assert_eq!((karma.karma, karma.level_up), (1500, None));
    let result = control
        .ok(
            "set",
            json!({"name": "plain", "field": "statpoints", "value": 7}),
        )
        .await;
    assert_eq!(result["value"], 7);
    let (points, _) = told(&mut plain).await;
    assert_eq!(points.stat_points, 7);

    // The limits.
    say(&mut gm, "$setkarma plain 3000").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: karma is at most 2000"
    );
    say(&mut gm, "$setlevel plain 251").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: level is at most 250"
    );
    say(&mut gm, "$set plain height 3").await;
    assert!(server_line(&mut gm).await.starts_with("Usage: $set"));

    // Refused below set's level (4) and on an equal admin; $setadmin is $promote.
    say(&mut guardian, "$setlevel plain 9").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $set.");
    say(&mut gm, "$setlevel peer 9").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $set on peer: their admin level is not below yours."
    );
    say(&mut gm, "$setadmin plain 2").await;
    assert_eq!(server_line(&mut gm).await, "plain is now admin level 2.");

    // Saved with the character.
    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    assert_eq!(
        (
            saved.level,
            saved.experience,
            saved.karma,
            saved.stat_points
        ),
        (5, 16_638, 1500, 7)
    );
    assert_eq!(saved.str, 20);
    server.stop().await;
}

#[tokio::test]
async fn learn_teaches_a_spell_free_of_charge() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;
    let mut plain = TestClient::connected(server.addr).await;
    let plain_id = enter_game(&mut plain, "plain").await;

    say(&mut gm, "$learn plain 1").await;
    assert_eq!(
        server_line(&mut gm).await,
        "plain knows spell 1 at level 0."
    );
    let taken = expect(&mut plain, |p| match p {
        ServerPacket::StatSkillTake(take) => Some(take.spell_id),
        _ => None,
    })
    .await;
    assert_eq!(taken, 1);
    say(&mut gm, "$learn plain 1").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$learn failed: plain knows spell 1 already"
    );
    // A level, for a spell known or not.
    let result = control
        .ok("learn", json!({"name": "plain", "spell": 1, "level": 3}))
        .await;
    assert_eq!(result["level"], 3);
    let accepted = expect(&mut plain, |p| match p {
        ServerPacket::StatSkillAccept(accept) => Some(accept.spell),
        _ => None,
    })
    .await;
    assert_eq!((accepted.id, accepted.level), (1, 3));
    say(&mut gm, "$learn plain 2 11").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$learn failed: spell 2's highest level is 10"
    );
    say(&mut gm, "$learn plain 99").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$learn failed: there is no spell 99"
    );
    say(&mut guardian, "$learn plain 2").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $learn.");

    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    assert_eq!(saved.spells, [(1, 3)]);
    server.stop().await;
}

#[tokio::test]
async fn strip_takes_off_what_a_character_wears() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;
    // A Leather Cap (item 7, a hat) and Trail Boots (item 9) on.
    let (mut plain, plain_id, _) = common::edited_player(&server, "plain", |c| {
        c.equipment.hat = 7;
        c.equipment.boots = 9;
    })
    .await;

    say(&mut guardian, "$strip plain").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $strip.");
    say(&mut gm, "$strip plain").await;
    assert_eq!(
        server_line(&mut gm).await,
        "Took 2 item(s) off plain (0 still worn)."
    );
    let mut removed = Vec::new();
    while removed.len() < 2 {
        removed.push(
            expect(&mut plain, |p| match p {
                ServerPacket::PaperdollRemove(remove) => Some(remove.item_id),
                _ => None,
            })
            .await,
        );
    }
    removed.sort_unstable();
    assert_eq!(removed, [7, 9]);
    let again = control.ok("strip", json!({"name": "plain"})).await;
    assert_eq!(again["removed"], 0);

    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    assert_eq!((saved.equipment.hat, saved.equipment.boots), (0, 0));
    assert!(saved.inventory.contains(&(7, 1)) && saved.inventory.contains(&(9, 1)));
    server.stop().await;
}
