//! `duty` (EOSERV's) with real clients: a player's connection switches to its account's admin
//! character (the client is sent what a login sends, then a warp to where that character was,
//! or with `here` onto its own tile), the others in view see one go and the other come, and
//! `duty` again switches back. The level is needed on the account, not on the player's
//! character; an account without an admin character is told so.

mod common;

use common::admin::{player_at_level, say, server_line};
use common::{
    Control, TestClient, TestServer, create_character, edit_character, enter_character, expect,
};
use eo_protocol::net::client::{CharacterCreateClientPacket, CharacterRequestClientPacket};
use eo_protocol::net::server::{
    CharacterReply, CharacterReplyServerPacketReplyCodeData, ServerPacket,
    WelcomeReplyServerPacketWelcomeCodeData as Welcome,
};
use serde_json::json;

/// Creates another character on the account the client is logged in to (at the character
/// list); its id.
async fn another_character(client: &mut TestClient, name: &str) -> i32 {
    client.send(&CharacterRequestClientPacket).await;
    let ServerPacket::CharacterReply(reply) = client.recv().await else {
        panic!("expected Character_Reply")
    };
    let CharacterReply::Unrecognized(session) = reply.reply_code else {
        panic!("expected a session")
    };
    client
        .send(&CharacterCreateClientPacket {
            session_id: session as u16,
            gender: eo_protocol::Gender::Male,
            hair_style: 2,
            hair_color: 1,
            skin: 1,
            name: name.into(),
        })
        .await;
    let ServerPacket::CharacterReply(reply) = client.recv().await else {
        panic!("expected Character_Reply")
    };
    let Some(CharacterReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
        panic!("no character list")
    };
    list.characters.iter().find(|c| c.name == name).unwrap().id as i32
}

/// After a switch's Welcome_Reply packets: the warp offered and the giver's answer (the
/// command's, from another task: either may come first); the warp is followed. The answer,
/// and where the character `name` stands then (map, x, y).
async fn warp_and_answer(client: &mut TestClient, name: &str) -> (String, (u16, u16, u16)) {
    use eo_protocol::net::client::WarpAcceptClientPacket;
    let (mut warp, mut answer) = (None, None);
    while warp.is_none() || answer.is_none() {
        match expect(client, Some).await {
            ServerPacket::WarpRequest(request) => warp = Some(request),
            ServerPacket::TalkServer(line) => answer = Some(line.message),
            _ => {}
        }
    }
    let (Some(warp), Some(answer)) = (warp, answer) else {
        unreachable!()
    };
    client
        .send(&WarpAcceptClientPacket {
            map_id: warp.map_id,
            session_id: warp.session_id,
        })
        .await;
    let me = expect(client, |p| match p {
        ServerPacket::WarpAgree(agree) => {
            agree.nearby.characters.into_iter().find(|c| c.name == name)
        }
        _ => None,
    })
    .await;
    (answer, (me.map_id, me.coords.x, me.coords.y))
}

/// The two Welcome_Reply packets of a switch: the name shown, and who is in view.
async fn switched(client: &mut TestClient) -> (String, Vec<String>) {
    let name = expect(client, |p| match p {
        ServerPacket::WelcomeReply(r) => match r.welcome_code_data {
            Some(Welcome::SelectCharacter(select)) => Some(select.name),
            _ => None,
        },
        _ => None,
    })
    .await;
    let seen = expect(client, |p| match p {
        ServerPacket::WelcomeReply(r) => match r.welcome_code_data {
            Some(Welcome::EnterGame(enter)) => Some(
                enter
                    .nearby
                    .characters
                    .into_iter()
                    .map(|c| c.name)
                    .collect(),
            ),
            _ => None,
        },
        _ => None,
    })
    .await;
    (name, seen)
}

#[tokio::test]
async fn duty_switches_to_the_accounts_admin_character_and_back() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut joe = TestClient::connected(server.addr).await;
    let joe_id = create_character(&mut joe, "joeplayer").await;
    let admin_id = another_character(&mut joe, "joeadmin").await;
    control
        .ok("promote", json!({"name": "joeadmin", "level": 3}))
        .await;
    // The admin character was last on the square's east side.
    edit_character(&server, admin_id, |c| (c.map, c.x, c.y) = (1, 20, 9)).await;
    let entered = enter_character(&mut joe, joe_id).await;
    let start = entered
        .enter
        .nearby
        .characters
        .iter()
        .find(|c| c.name == "joeplayer")
        .map(|c| (1, c.coords.x, c.coords.y))
        .unwrap();
    let mut watcher = TestClient::connected(server.addr).await;
    common::enter_game(&mut watcher, "watcher").await;
    let pid = joe.player_id;

    // On duty: the admin character appears where the player stood, then goes where it was.
    say(&mut joe, "$duty").await;
    let (name, seen) = switched(&mut joe).await;
    assert_eq!(name, "joeadmin");
    assert!(seen.contains(&"joeadmin".to_owned()) && !seen.contains(&"joeplayer".to_owned()));
    let (answer, at) = warp_and_answer(&mut joe, "joeadmin").await;
    assert_eq!(answer, "You are on duty, as joeadmin.");
    assert_eq!(at, (1, 20, 9));
    // Those in view: the player's character goes, the admin character comes.
    expect(&mut watcher, |p| match p {
        ServerPacket::AvatarRemove(r) if r.player_id == pid => Some(()),
        _ => None,
    })
    .await;
    let came = expect(&mut watcher, |p| match p {
        ServerPacket::PlayersAgree(a) => {
            a.nearby.characters.into_iter().find(|c| c.player_id == pid)
        }
        _ => None,
    })
    .await;
    assert_eq!(came.name, "joeadmin");
    let players = control.ok("players", json!({})).await;
    let names: Vec<&str> = players["players"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"joeadmin") && !names.contains(&"joeplayer"),
        "{names:?}"
    );
    // As the admin it may use admin commands.
    say(&mut joe, "$quake").await;
    assert_eq!(server_line(&mut joe).await, "Map 1 quakes (strength 5).");

    // Off duty: back to the player's character, where it was.
    say(&mut joe, "$d").await;
    let (name, _) = switched(&mut joe).await;
    assert_eq!(name, "joeplayer");
    let (answer, at) = warp_and_answer(&mut joe, "joeplayer").await;
    assert_eq!(answer, "You are off duty, as joeplayer.");
    assert_eq!(at, start);
    say(&mut joe, "$quake").await;
    assert_eq!(server_line(&mut joe).await, "You may not use $quake.");

    // `here`: the admin character stays on the player's tile.
    say(&mut joe, "$duty here").await;
    let (name, _) = switched(&mut joe).await;
    assert_eq!(name, "joeadmin");
    let (answer, at) = warp_and_answer(&mut joe, "joeadmin").await;
    assert_eq!(answer, "You are on duty, as joeadmin.");
    assert_eq!(at, start);
    server.stop().await;
}

#[tokio::test]
async fn duty_needs_an_admin_character_on_the_account() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    // A player whose account has no admin: refused for the level.
    let mut plain = TestClient::connected(server.addr).await;
    common::enter_game(&mut plain, "plain").await;
    say(&mut plain, "$duty").await;
    assert_eq!(server_line(&mut plain).await, "You may not use $duty.");
    // An admin below duty's level (3) on the account: refused too.
    let mut guide = player_at_level(&server, &mut control, "guide", 2).await;
    say(&mut guide, "$duty").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $duty.");
    // An admin alone on its account: nobody to switch to.
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;
    say(&mut guardian, "$duty").await;
    assert_eq!(
        server_line(&mut guardian).await,
        "$duty failed: this account has no other character that is an admin"
    );
    // The operator has no connection to switch.
    let reply = control.call("duty", json!({})).await;
    assert_eq!(reply["error"]["code"], "bad_request");
    server.stop().await;
}
