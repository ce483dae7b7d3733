//! `sitem` (into an inventory) and `ditem` (on the ground, for anyone) with real clients:
//! the items go through the map that holds the character, amounts are checked before
//! anything moves, and each command is refused below its level and on an equal admin.

mod common;

use common::admin::{player_at_level, say, server_line};
use common::{Control, TestClient, TestServer, enter_game, expect, map_barrier, saved_character};
use eo_protocol::net::server::ServerPacket;
use serde_json::json;

const GOLD: u16 = 1;
/// Tinker's Blade, weight 10: a hundred are more than a new character carries.
const BLADE: u16 = 2;

#[tokio::test]
async fn sitem_puts_items_into_an_inventory_within_what_it_can_carry() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = TestClient::connected(server.addr).await;
    let plain_id = enter_game(&mut plain, "plain").await;

    // Into the giver's own inventory: the client is told as a pick-up (Item_Get).
    say(&mut gm, "$sitem 1 500").await;
    let got = expect(&mut gm, |p| match p {
        ServerPacket::ItemGet(get) => Some(get.taken_item),
        _ => None,
    })
    .await;
    assert_eq!((got.id, got.amount), (GOLD, 500));
    assert_eq!(
        server_line(&mut gm).await,
        "500 Gold into master's inventory."
    );

    // Into another's (`--to`, as in eo-admin), by its alias.
    say(&mut gm, "$si 2 1 --to plain").await;
    let got = expect(&mut plain, |p| match p {
        ServerPacket::ItemGet(get) => Some(get.taken_item),
        _ => None,
    })
    .await;
    assert_eq!((got.id, got.amount), (BLADE, 1));
    assert_eq!(
        server_line(&mut gm).await,
        "1 Tinker's Blade into plain's inventory."
    );

    // More than it can carry: nothing moves.
    say(&mut gm, "$sitem 2 100 --to plain").await;
    let refused = server_line(&mut gm).await;
    assert!(
        refused.starts_with("$sitem failed: plain can take only "),
        "{refused}"
    );
    assert!(
        !map_barrier(&mut plain)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::ItemGet(_)))
    );
    say(&mut gm, "$sitem 999").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$sitem failed: there is no item 999"
    );
    say(&mut gm, "$sitem 1 0").await;
    assert!(
        server_line(&mut gm)
            .await
            .contains("the amount must be 1 to")
    );

    // The operator names the character; the inventory is saved with it.
    let result = control
        .ok(
            "sitem",
            json!({"item": GOLD, "amount": 25, "name": "plain"}),
        )
        .await;
    assert_eq!(result["amount"], 25);
    let reply = control.call("sitem", json!({"item": GOLD})).await;
    assert_eq!(reply["error"]["code"], "bad_request", "{reply}");
    control.ok("save", json!({})).await;
    let saved = saved_character(&server, plain_id).await;
    assert!(
        saved.inventory.contains(&(GOLD, 25)),
        "{:?}",
        saved.inventory
    );
    assert!(
        saved.inventory.contains(&(BLADE, 1)),
        "{:?}",
        saved.inventory
    );
    server.stop().await;
}

#[tokio::test]
async fn ditem_drops_items_at_the_feet_for_anyone() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = player_at_level(&server, &mut control, "plain", 0).await;

    say(&mut gm, "$di 1 7").await;
    let added = expect(&mut plain, |p| match p {
        ServerPacket::ItemAdd(add) => Some(add),
        _ => None,
    })
    .await;
    assert_eq!((added.item_id, added.item_amount), (GOLD, 7));
    assert_eq!((added.coords.x, added.coords.y), (16, 9));
    assert_eq!(server_line(&mut gm).await, "7 Gold dropped at 16,9.");
    server.stop().await;
}

#[tokio::test]
async fn item_commands_are_refused_below_their_level_and_on_an_equal_admin() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guardian = player_at_level(&server, &mut control, "guardian", 3).await;

    // [admin] sitem and ditem are 4.
    say(&mut guardian, "$sitem 1 5").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $sitem.");
    say(&mut guardian, "$ditem 1 5").await;
    assert_eq!(server_line(&mut guardian).await, "You may not use $ditem.");
    say(&mut gm, "$sitem 1 5 --to peer").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $sitem on peer: their admin level is not below yours."
    );
    assert!(
        !map_barrier(&mut peer)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::ItemGet(_)))
    );
    // The operator is not limited.
    let reply = control
        .call("ditem", json!({"item": 1, "name": "master"}))
        .await;
    assert_eq!(reply["ok"], true, "{reply}");
    server.stop().await;
}

#[tokio::test]
async fn inventory_and_paperdoll_of_another_character() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let mut plain = player_at_level(&server, &mut control, "plain", 0).await;
    control
        .ok(
            "sitem",
            json!({"item": GOLD, "amount": 40, "name": "plain"}),
        )
        .await;
    map_barrier(&mut plain).await;

    say(&mut gm, "$inventory plain").await;
    assert_eq!(server_line(&mut gm).await, "plain carries: 40 Gold.");
    let inventory = control.ok("inventory", json!({"name": "plain"})).await;
    assert_eq!(
        inventory["items"],
        json!([{"item": GOLD, "name": "Gold", "amount": 40}])
    );
    // $paperdoll opens the character's paperdoll in the giver's client.
    say(&mut gm, "$p plain").await;
    // The answer and the paperdoll come by different ways: take them in either order.
    let (mut shown, mut line) = (None, None);
    while shown.is_none() || line.is_none() {
        match gm.recv().await {
            ServerPacket::PaperdollReply(reply) => shown = Some(reply.details.name),
            ServerPacket::TalkServer(talk) => line = Some(talk.message),
            _ => {}
        }
    }
    assert_eq!(shown.as_deref(), Some("plain"));
    assert_eq!(line.as_deref(), Some("plain wears: nothing."));
    let paperdoll = control.ok("paperdoll", json!({"name": "plain"})).await;
    assert_eq!(paperdoll["equipment"], json!([]));
    // [admin] inventory is 1: a player may not.
    say(&mut plain, "$inventory master").await;
    assert_eq!(server_line(&mut plain).await, "You may not use $inventory.");
    server.stop().await;
}
