//! `qstate` and `reload-quests` in the game, with real clients on the bundled world's quests:
//! a quest goes to a named state and runs its actions (saved with the character), a state or
//! quest that does not exist is named; `reload-quests` has an `[admin]` level (5). Refused
//! below each command's level and on an equal admin.

mod common;

use common::admin::{player_at_level, say, server_line};
use common::{Control, TestClient, TestServer, enter_game, expect, saved_character};
use eo_protocol::net::server::ServerPacket;
use serde_json::json;

#[tokio::test]
async fn qstate_puts_a_quest_in_a_named_state_and_runs_its_actions() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = TestClient::connected(server.addr).await;
    let plain_id = enter_game(&mut plain, "plain").await;

    // Quest 1 (Hopper Trouble), never started: its Hunt state shows its hint.
    say(&mut gm, "$qstate plain 1 Hunt").await;
    assert_eq!(
        server_line(&mut gm).await,
        "plain's quest 1 (Hopper Trouble) is now in state hunt."
    );
    let hint = expect(&mut plain, |p| match p {
        ServerPacket::MessageOpen(m) => Some(m.message),
        _ => None,
    })
    .await;
    assert!(hint.contains("Kill 3 Meadow Hoppers"), "{hint}");
    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    let quest = saved.quests.iter().find(|q| q.quest_id == 1).unwrap();
    assert_eq!(quest.state, "hunt");

    // Its reward: 100 gold, and the quest ends.
    let result = control
        .ok(
            "qstate",
            json!({"name": "plain", "quest": 1, "state": "reward"}),
        )
        .await;
    assert_eq!(result["state"], "end");
    let gold = expect(&mut plain, |p| match p {
        ServerPacket::ItemGet(get) if get.taken_item.id == 1 => Some(get.taken_item.amount),
        _ => None,
    })
    .await;
    assert_eq!(gold, 100);

    say(&mut gm, "$qstate plain 1 nowhere").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$qstate failed: quest 1 has no state \"nowhere\" (its states: begin, refused, hunt, report, reward, end, done)"
    );
    say(&mut gm, "$qstate plain 99 begin").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$qstate failed: there is no quest 99"
    );
    say(&mut gm, "$qstate nobody 1 begin").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$qstate failed: nobody is not in the game"
    );

    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    let quest = saved.quests.iter().find(|q| q.quest_id == 1).unwrap();
    assert_eq!((quest.state.as_str(), quest.completions), ("end", 1));
    assert!(saved.inventory.contains(&(1, 100)), "{:?}", saved.inventory);
    server.stop().await;
}

#[tokio::test]
async fn qstate_and_reload_quests_need_their_levels() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut high = player_at_level(&server, &mut control, "high", 5).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let _peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;

    say(&mut guardian, "$qstate plain 1 hunt").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $qstate.");
    say(&mut gm, "$qstate peer 1 hunt").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $qstate on peer: their admin level is not below yours."
    );
    // reload-quests: the high game master's (EOSERV's `$request`; the name here is a
    // player's call for help).
    say(&mut gm, "$reloadquests").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $reload-quests."
    );
    say(&mut high, "$reloadquests").await;
    assert_eq!(
        server_line(&mut high).await,
        "Reloaded 3 quest(s); 0 file(s) did not load."
    );
    server.stop().await;
}
