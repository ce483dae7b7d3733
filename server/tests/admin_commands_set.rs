//! `set` (and EOSERV's `$setlevel`, `$setstr`, `$setrace`, `$settitle`, ... spellings) with
//! real clients: the map checks the game's limits, the client and those in view are told, the
//! character is saved with it; a character not in the game is written in the database; a guild
//! rank is the guild's; refused below its level and on an equal admin.

mod common;

use common::admin::{follow_warp, player_at_level, say, server_line};
use common::{
    Control, TestClient, TestServer, create_character, enter_game, expect, saved_character,
};
use eo_protocol::net::server::{AvatarChangeChangeTypeData, ServerPacket, WarpType};
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

/// The next Avatar_Agree about `player_id` the client gets: its change.
async fn avatar_change(
    client: &mut TestClient,
    player_id: u16,
) -> eo_protocol::net::server::AvatarChange {
    expect(client, |p| match p {
        ServerPacket::AvatarAgree(a) if a.change.player_id == player_id => Some(a.change),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn set_changes_looks_that_others_in_view_see_at_once() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = TestClient::connected(server.addr).await;
    let plain_id = enter_game(&mut plain, "plain").await;
    // At the spawn point with plain: it sees plain's looks.
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;
    let pid = plain.player_id;

    // Hair: Avatar_Agree to plain and to those in view, as a barber's cut.
    say(&mut gm, "$sethairstyle plain 5").await;
    assert_eq!(server_line(&mut gm).await, "plain's hairstyle is now 5.");
    for client in [&mut plain, &mut watcher] {
        let change = avatar_change(client, pid).await;
        let Some(AvatarChangeChangeTypeData::Hair(hair)) = change.change_type_data else {
            panic!("a hair change: {change:?}")
        };
        assert_eq!((hair.hair_style, hair.hair_color), (5, 0));
    }
    say(&mut gm, "$set plain haircolor 7").await;
    assert_eq!(server_line(&mut gm).await, "plain's haircolor is now 7.");
    let change = avatar_change(&mut watcher, pid).await;
    assert!(
        matches!(change.change_type_data, Some(AvatarChangeChangeTypeData::Hair(h)) if (h.hair_style, h.hair_color) == (5, 7))
    );

    // Skin and gender have no packet: plain is warped onto its own tile, so those in view see
    // it leave and come back with its new look, and so does its own client.
    say(&mut gm, "$setrace plain 3").await;
    assert_eq!(server_line(&mut gm).await, "plain's race is now 3.");
    let (warp, map, x, y) = follow_warp(&mut plain, "plain").await;
    assert_eq!(warp, WarpType::Local);
    let seen = expect(&mut watcher, |p| match p {
        ServerPacket::PlayersAgree(a) => {
            a.nearby.characters.into_iter().find(|c| c.player_id == pid)
        }
        _ => None,
    })
    .await;
    assert_eq!(
        (seen.skin, seen.map_id, seen.coords.x, seen.coords.y),
        (3, map, x, y)
    );
    say(&mut gm, "$setgender plain 1").await;
    assert_eq!(server_line(&mut gm).await, "plain's gender is now 1.");
    follow_warp(&mut plain, "plain").await;
    let seen = expect(&mut watcher, |p| match p {
        ServerPacket::PlayersAgree(a) => {
            a.nearby.characters.into_iter().find(|c| c.player_id == pid)
        }
        _ => None,
    })
    .await;
    assert_eq!((seen.gender, seen.skin), (eo_protocol::Gender::Male, 3));

    // The class: Recover_List to plain; the ECF has four classes.
    say(&mut gm, "$setclass plain 2").await;
    assert_eq!(server_line(&mut gm).await, "plain's class is now 2.");
    let class = expect(&mut plain, |p| match p {
        ServerPacket::RecoverList(list) => Some(list.class_id),
        _ => None,
    })
    .await;
    assert_eq!(class, 2);

    // Values the client cannot draw, or the world does not have.
    for (line, why) in [
        ("$sethairstyle plain 0", "hairstyle is 1 to 20"),
        ("$sethaircolor plain 10", "haircolor is at most 9"),
        ("$setrace plain 7", "race is at most 6"),
        ("$setgender plain 2", "gender is at most 1"),
        ("$setclass plain 5", "there is no class 5"),
        ("$setclass plain two", "class takes a number, not \"two\""),
    ] {
        say(&mut gm, line).await;
        assert_eq!(
            server_line(&mut gm).await,
            format!("$set failed: {why}"),
            "{line}"
        );
    }

    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    assert_eq!(
        (
            saved.hair_style,
            saved.hair_color,
            saved.race,
            saved.skin,
            saved.gender,
            saved.class
        ),
        (5, 7, 3, 3, 1, 2)
    );
    server.stop().await;
}

#[tokio::test]
async fn set_texts_a_home_a_partner_and_a_guild_rank() {
    let server = TestServer::start(|c| {
        c.guilds.required_members = 1;
        c.guilds.create_cost = 0;
    })
    .await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = TestClient::connected(server.addr).await;
    let plain_id = enter_game(&mut plain, "plain").await;

    say(&mut gm, "$settitle plain the  Brave").await;
    assert_eq!(
        server_line(&mut gm).await,
        "plain's title is now the Brave."
    );
    // The online list shows it (and the class set next).
    say(&mut gm, "$setclass plain 3").await;
    assert_eq!(server_line(&mut gm).await, "plain's class is now 3.");
    let listed = common::online_list(&mut plain)
        .await
        .into_iter()
        .find(|p| p.name == "plain")
        .expect("plain is online");
    assert_eq!((listed.title.as_str(), listed.class_id), ("the Brave", 3));
    say(&mut gm, &format!("$settitle plain {}", "x".repeat(33))).await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: a title is at most 32 characters"
    );
    // A home is an inn of the world, as its file spells it.
    say(&mut gm, "$sethome plain mossbrook").await;
    assert_eq!(server_line(&mut gm).await, "plain's home is now Mossbrook.");
    say(&mut gm, "$sethome plain Atlantis").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: there is no inn named \"Atlantis\" (the inns: Mossbrook)"
    );
    // A fiance or partner is a character that exists, spelled as stored.
    say(&mut gm, "$setfiance plain MASTER").await;
    assert_eq!(server_line(&mut gm).await, "plain's fiance is now master.");
    say(&mut gm, "$setpartner plain nobody").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: there is no character named nobody"
    );
    let result = control
        .ok(
            "set",
            json!({"name": "plain", "field": "partner", "value": "master"}),
        )
        .await;
    assert_eq!(
        result,
        json!({"name": "plain", "field": "partner", "value": "master", "online": true})
    );
    // Nothing clears it.
    say(&mut gm, "$setfiance plain").await;
    assert_eq!(server_line(&mut gm).await, "plain's fiance is now nothing.");

    // A guild rank is the guild's: plain founds one alone (rank 1), then is ranked 3 and told
    // as by its leader (Guild_Accept).
    say(&mut gm, "$setguildrank plain 3").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: plain is in no guild"
    );
    found_guild(&server, "founder").await;
    let mut founder = TestClient::connected(server.addr).await;
    let founder_id = create_character(&mut founder, "founder").await;
    common::enter_character(&mut founder, founder_id).await;
    let result = control
        .ok(
            "set",
            json!({"name": "founder", "field": "guildrank", "value": 3}),
        )
        .await;
    assert_eq!(
        (result["value"].clone(), result["online"].clone()),
        (json!(3), json!(true))
    );
    let rank = expect(&mut founder, |p| match p {
        ServerPacket::GuildAccept(a) => Some(a.rank),
        _ => None,
    })
    .await;
    assert_eq!(rank, 3);
    say(&mut gm, "$setguildrank founder 10").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: guildrank is 1 to 9"
    );
    // Offline too (the guild's row, not the character's).
    drop(founder);
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let offline = loop {
        let result = control
            .call(
                "set",
                json!({"name": "founder", "field": "guildrank", "value": 2}),
            )
            .await;
        if result["result"]["online"] == false {
            break result["result"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(offline["value"], 2);
    let membership = db
        .guild_membership(i64::from(founder_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((membership.rank, membership.tag.as_str()), (2, "SET"));

    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    assert_eq!(
        (
            saved.title.as_str(),
            saved.home.as_str(),
            saved.fiance.as_str(),
            saved.partner.as_str()
        ),
        ("the Brave", "Mossbrook", "", "master")
    );
    server.stop().await;
}

/// `name` founds the guild "SET" alone at Mossbrook's guild master (the config asks for one
/// member, free), then leaves the game.
async fn found_guild(server: &TestServer, name: &str) {
    use eo_protocol::net::client::{
        GuildCreateClientPacket, GuildOpenClientPacket, GuildRequestClientPacket,
    };
    let (mut client, _, entered) = common::edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (1, 18, 11);
    })
    .await;
    let index = common::npc_index(&mut client, &entered, 10).await;
    client
        .send(&GuildOpenClientPacket {
            npc_index: u16::from(index),
        })
        .await;
    let session = expect(&mut client, |p| match p {
        ServerPacket::GuildOpen(open) => Some(open.session_id),
        _ => None,
    })
    .await;
    client
        .send(&GuildRequestClientPacket {
            session_id: session,
            guild_tag: "SET".into(),
            guild_name: "Setters".into(),
        })
        .await;
    client
        .send(&GuildCreateClientPacket {
            session_id: session,
            guild_tag: "SET".into(),
            guild_name: "Setters".into(),
            description: "Alone".into(),
        })
        .await;
    expect(&mut client, |p| match p {
        ServerPacket::GuildCreate(c) => Some(c.gold_amount),
        _ => None,
    })
    .await;
}

#[tokio::test]
async fn set_on_a_character_not_in_the_game_writes_its_row() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    // "sleeper" exists but is not in the game (its account logged out).
    let mut sleeper = TestClient::connected(server.addr).await;
    let sleeper_id = create_character(&mut sleeper, "sleeper").await;
    // Its account is at the character list: it could enter the game at any moment, so its
    // row is not written behind its back.
    let refused = control
        .call(
            "set",
            json!({"name": "sleeper", "field": "level", "value": 7}),
        )
        .await;
    assert_eq!(refused["error"]["code"], "failed", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("its account is logged in"),
        "{refused}"
    );
    drop(sleeper);
    // Once its account is free (its logout done), the row is written.
    let result = loop {
        let reply = control
            .call(
                "set",
                json!({"name": "sleeper", "field": "level", "value": 7}),
            )
            .await;
        if reply["ok"] == true {
            break reply["result"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(
        result,
        json!({"name": "sleeper", "field": "level", "value": 7, "online": false})
    );
    say(&mut gm, "$settitle SLEEPER the Dreamer").await;
    assert_eq!(
        server_line(&mut gm).await,
        "sleeper's title is now the Dreamer (not in the game: stored for its next login)."
    );
    say(&mut gm, "$setrace sleeper 2").await;
    assert_eq!(
        server_line(&mut gm).await,
        "sleeper's race is now 2 (not in the game: stored for its next login)."
    );
    say(&mut gm, "$setlevel sleeper 251").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: level is at most 250"
    );
    say(&mut gm, "$setlevel nobody 3").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$set failed: there is no character named nobody"
    );
    let saved = saved_character(&server, sleeper_id).await;
    assert_eq!(
        (saved.level, saved.title.as_str(), saved.race, saved.skin),
        (7, "the Dreamer", 2, 2)
    );
    // The formula's experience for level 7: round(7^3 * 133.1).
    assert_eq!(saved.experience, 45_653);

    // It logs in with what was set.
    let mut sleeper = TestClient::connected(server.addr).await;
    create_character(&mut sleeper, "sleeper").await;
    let entered = common::enter_character(&mut sleeper, sleeper_id).await;
    assert_eq!(
        (entered.select.level, entered.select.title.as_str()),
        (7, "the Dreamer")
    );
    let me = entered
        .enter
        .nearby
        .characters
        .iter()
        .find(|c| c.name == "sleeper")
        .unwrap();
    assert_eq!(me.skin, 2);

    // The hierarchy holds offline too: an equal admin, by its stored level.
    let mut peer = TestClient::connected(server.addr).await;
    create_character(&mut peer, "peer").await;
    control
        .ok("promote", json!({"name": "peer", "level": 4}))
        .await;
    drop(peer);
    say(&mut gm, "$setlevel peer 9").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $set on peer: their admin level is not below yours."
    );
    server.stop().await;
}
