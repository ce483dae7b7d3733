//! `dress`, `dress2` and `undress` (EOSERV's cosmetic clothes) with real clients: the character
//! and those in view see the look at once, it follows the character over a warp, nothing is
//! worn or saved; refused below each command's level and on an equal admin.

mod common;

use common::admin::{follow_warp, player_at_level, say, server_line};
use common::{Control, TestClient, TestServer, enter_game, expect, saved_character};
use eo_protocol::net::server::{AvatarChangeChangeTypeData, EquipmentChange, ServerPacket};
use serde_json::json;

/// The equipment graphics of the next Avatar_Agree about `player_id`.
async fn shown(client: &mut TestClient, player_id: u16) -> EquipmentChange {
    expect(client, |p| match p {
        ServerPacket::AvatarAgree(a) if a.change.player_id == player_id => {
            match a.change.change_type_data {
                Some(AvatarChangeChangeTypeData::Equipment(e)) => Some(e.equipment),
                _ => None,
            }
        }
        _ => None,
    })
    .await
}

#[tokio::test]
async fn dress_shows_a_look_to_everyone_in_view_until_undress() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = TestClient::connected(server.addr).await;
    let plain_id = enter_game(&mut plain, "plain").await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;
    let pid = plain.player_id;

    // The Leather Cap (item 7, a hat, doll graphic 1): plain has none and wears none.
    say(&mut gm, "$dress plain 7").await;
    assert_eq!(
        server_line(&mut gm).await,
        "plain wears the look of Leather Cap (hat)."
    );
    for client in [&mut plain, &mut watcher] {
        let look = shown(client, pid).await;
        assert_eq!((look.hat, look.armor, look.shield), (1, 0, 0));
    }
    // A graphic in a slot; 0 shows nothing there.
    let result = control
        .ok(
            "dress2",
            json!({"name": "plain", "slot": "shield", "graphic": 12}),
        )
        .await;
    assert_eq!(result["dressed"], 2);
    let look = shown(&mut watcher, pid).await;
    assert_eq!((look.hat, look.shield), (1, 12));

    // It follows plain over a warp: the others see it come back dressed.
    control
        .ok("warp", json!({"name": "plain", "map": 1, "x": 15, "y": 9}))
        .await;
    follow_warp(&mut plain, "plain").await;
    let back = expect(&mut watcher, |p| match p {
        ServerPacket::PlayersAgree(a) => {
            a.nearby.characters.into_iter().find(|c| c.player_id == pid)
        }
        _ => None,
    })
    .await;
    assert_eq!((back.equipment.hat, back.equipment.shield), (1, 12));

    // Armor is for one gender: plain is female, the Padded Jerkin (item 6) a man's.
    say(&mut gm, "$dress plain 6").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$dress failed: that armor is made for the other gender than plain's"
    );
    say(&mut gm, "$dress plain 1").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$dress failed: Gold is not a hat, armor, boots, weapon or shield"
    );
    say(&mut gm, "$dress plain 999").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$dress failed: there is no item 999"
    );

    // One slot off, then every slot.
    say(&mut gm, "$undress plain hat").await;
    assert_eq!(
        server_line(&mut gm).await,
        "plain took off the look of hat."
    );
    let look = shown(&mut watcher, pid).await;
    assert_eq!((look.hat, look.shield), (0, 12));
    say(&mut gm, "$undress plain").await;
    assert_eq!(
        server_line(&mut gm).await,
        "plain took off the look of all."
    );
    let look = shown(&mut watcher, pid).await;
    assert_eq!((look.hat, look.shield), (0, 0));

    // The giver's own look without a name.
    say(&mut gm, "$dress 9").await;
    // Its look first (the map shows it), then the answer.
    let gm_id = gm.player_id;
    assert_eq!(shown(&mut gm, gm_id).await.boots, 1);
    assert_eq!(
        server_line(&mut gm).await,
        "master wears the look of Trail Boots (boots)."
    );

    // Nothing was worn or given.
    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    assert_eq!(saved.equipment, eo_server::db::Equipment::default());
    assert!(saved.inventory.is_empty(), "{:?}", saved.inventory);
    server.stop().await;
}

#[tokio::test]
async fn dress_needs_its_level_and_a_target_below_the_giver() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let _peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;
    let mut guide = player_at_level(&server, &mut control, "guide", 2).await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;

    // dress and undress need 3 (EOSERV's Guardian), dress2 4 (its GM).
    say(&mut guide, "$dress plain 7").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $dress.");
    say(&mut guide, "$undress plain").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $undress.");
    say(&mut guardian, "$d2 plain hat 3").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $dress2.");
    say(&mut guardian, "$dress plain 7").await;
    assert_eq!(
        server_line(&mut guardian).await,
        "plain wears the look of Leather Cap (hat)."
    );
    // Not on an equal admin, nor above.
    say(&mut gm, "$dress peer 7").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $dress on peer: their admin level is not below yours."
    );
    say(&mut guardian, "$undress master").await;
    assert_eq!(
        server_line(&mut guardian).await,
        "You may not use $undress on master: their admin level is not below yours."
    );
    // The operator names whom.
    let reply = control.call("dress", json!({"item": 7})).await;
    assert_eq!(reply["error"]["code"], "bad_request", "{reply}");
    server.stop().await;
}
