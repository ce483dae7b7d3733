//! Trades between players, with real clients: a whole trade, agreements withdrawn by changes, a
//! swap that would overflow one side (refused: nothing moves), trades ended by a warp, a walk
//! out of range, a logout and a disconnect (nothing moves), and every refusal. `kill -9` of the
//! real binary while two players trade is in trade_crash.rs.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{
    Control, TestClient, TestServer, edited_player, expect, map_barrier, saved_character,
};
use eo_protocol::net::Item;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::client::{
    BarberOpenClientPacket, ByteCoords, ItemDropClientPacket, ItemJunkClientPacket,
    PaperdollAddClientPacket, TradeAcceptClientPacket, TradeAddClientPacket,
    TradeAgreeClientPacket, TradeCloseClientPacket, TradeRemoveClientPacket,
    TradeRequestClientPacket, WarpAcceptClientPacket,
};
use eo_protocol::net::server::{ServerPacket, TradeItemData};
use eo_protocol::{Direction, Emote};
use serde_json::json;

const GOLD: u16 = 1;
const BOOTS: u16 = 9;
const TONIC: u16 = 10;
/// The Storeroom Key: a Lore item.
const LORE_KEY: u16 = 17;
const ARMLET: u16 = 20;

/// A player in the game for a test.
struct Player {
    client: TestClient,
    /// Its character's id (for the saved character).
    character: i32,
    /// Its id on the map.
    id: u16,
}

/// A player whose character is saved on Mossbrook at (x, y) holding `inventory` (and nothing
/// worn), in the game.
async fn player(
    server: &TestServer,
    name: &str,
    (x, y): (u8, u8),
    inventory: &[(u16, u32)],
) -> Player {
    let inventory = inventory.to_vec();
    let (client, character, entered) = edited_player(server, name, |c| {
        c.map = 1;
        c.x = x;
        c.y = y;
        c.inventory = inventory;
    })
    .await;
    let me = entered
        .nearby
        .characters
        .iter()
        .find(|c| c.name == name)
        .expect("the character sees itself");
    assert_eq!((me.coords.x, me.coords.y), (u16::from(x), u16::from(y)));
    Player {
        client,
        character,
        id: me.player_id,
    }
}

fn add(id: u16, amount: u32) -> TradeAddClientPacket {
    TradeAddClientPacket {
        add_item: Item { id, amount },
    }
}

fn agree(agree: bool) -> TradeAgreeClientPacket {
    TradeAgreeClientPacket { agree }
}

/// Both offers as the trade packets carry them.
fn offers(first: (u16, &[(u16, u32)]), second: (u16, &[(u16, u32)])) -> Vec<TradeItemData> {
    [first, second]
        .into_iter()
        .map(|(player_id, items)| TradeItemData {
            player_id,
            items: items
                .iter()
                .map(|&(id, amount)| Item { id, amount })
                .collect(),
        })
        .collect()
}

/// `a` asks `b` to trade, `b` accepts: both get Trade_Open.
async fn open_trade(a: &mut Player, b: &mut Player) {
    a.client
        .send(&TradeRequestClientPacket { player_id: b.id })
        .await;
    let asker = expect(&mut b.client, |p| match p {
        ServerPacket::TradeRequest(r) => Some(r.partner_player_id),
        _ => None,
    })
    .await;
    assert_eq!(asker, a.id);
    b.client
        .send(&TradeAcceptClientPacket { player_id: a.id })
        .await;
    let (a_id, b_id) = (a.id, b.id);
    for (me, partner) in [(&mut *a, b_id), (&mut *b, a_id)] {
        let open = expect(&mut me.client, |p| match p {
            ServerPacket::TradeOpen(open) => Some(open),
            _ => None,
        })
        .await;
        assert_eq!(
            (open.partner_player_id, open.your_player_id),
            (partner, me.id)
        );
    }
}

/// The next Trade_Reply (`admin` false) or Trade_Admin (true) `p` gets.
async fn trade_update(p: &mut Player, admin: bool) -> Vec<TradeItemData> {
    expect(&mut p.client, |packet| match packet {
        ServerPacket::TradeReply(r) if !admin => Some(r.trade_data),
        ServerPacket::TradeAdmin(r) if admin => Some(r.trade_data),
        ServerPacket::TradeReply(_) | ServerPacket::TradeAdmin(_) => {
            panic!("Trade_Admin and Trade_Reply mixed up: {packet:?}")
        }
        _ => None,
    })
    .await
}

/// `me` offers an item; both see the offers (`partner_agreed`: the partner sees Trade_Admin).
async fn offer(
    me: &mut Player,
    partner: &mut Player,
    item: (u16, u32),
    partner_agreed: bool,
) -> Vec<TradeItemData> {
    me.client.send(&add(item.0, item.1)).await;
    let seen = trade_update(me, false).await;
    assert_eq!(trade_update(partner, partner_agreed).await, seen);
    seen
}

/// `me` agrees (or withdraws) while its partner has not agreed: Trade_Spec to it, Trade_Agree
/// to the partner.
async fn show_agreement(me: &mut Player, partner: &mut Player, agreed: bool) {
    me.client.send(&agree(agreed)).await;
    let spec = expect(&mut me.client, |p| match p {
        ServerPacket::TradeSpec(s) => Some(s.agree),
        _ => None,
    })
    .await;
    assert_eq!(spec, agreed);
    let theirs = expect(&mut partner.client, |p| match p {
        ServerPacket::TradeAgree(a) => Some((a.partner_player_id, a.agree)),
        _ => None,
    })
    .await;
    assert_eq!(theirs, (me.id, agreed));
}

/// Nothing trade-related reaches `p` before the map answers one more request.
async fn no_trade_packet(p: &mut Player, why: &str) {
    let seen = map_barrier(&mut p.client).await;
    let trade: Vec<_> = seen
        .iter()
        .filter(|packet| {
            matches!(
                packet,
                ServerPacket::TradeRequest(_)
                    | ServerPacket::TradeOpen(_)
                    | ServerPacket::TradeReply(_)
                    | ServerPacket::TradeAdmin(_)
                    | ServerPacket::TradeUse(_)
                    | ServerPacket::TradeSpec(_)
                    | ServerPacket::TradeAgree(_)
                    | ServerPacket::TradeClose(_)
            )
        })
        .collect();
    assert!(trade.is_empty(), "{why}: {trade:?}");
}

/// The partner whose Trade_Close `p` gets.
async fn closed(p: &mut Player) -> u16 {
    expect(&mut p.client, |packet| match packet {
        ServerPacket::TradeClose(c) => Some(c.partner_player_id),
        _ => None,
    })
    .await
}

/// An inventory as a map from item id to amount (the order is not the point).
fn holding(inventory: &[(u16, u32)]) -> BTreeMap<u16, u32> {
    inventory.iter().copied().collect()
}

/// Waits until the saved inventory of `character` is `expected` (saves are queued, then
/// written by the save queue).
async fn saved_inventory_becomes(server: &TestServer, character: i32, expected: &[(u16, u32)]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let saved = holding(&saved_character(server, character).await.inventory);
        if saved == holding(expected) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "character {character} saved with {saved:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_whole_trade_swaps_both_offers_and_saves_both_sides_at_once() {
    let server = server_with(|_| {}).await;
    let alice_has = [(GOLD, 1000), (TONIC, 5)];
    let bobby_has = [(TONIC, 20), (ARMLET, 1)];
    let mut alice = player(&server, "alice", (18, 9), &alice_has).await;
    let mut bobby = player(&server, "bobby", (19, 9), &bobby_has).await;
    let mut watcher = player(&server, "watcher", (20, 9), &[]).await;

    alice
        .client
        .send(&TradeRequestClientPacket {
            player_id: bobby.id,
        })
        .await;
    let request = expect(&mut bobby.client, |p| match p {
        ServerPacket::TradeRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(
        (
            request.partner_player_id,
            request.partner_player_name.as_str()
        ),
        (alice.id, "alice")
    );
    bobby
        .client
        .send(&TradeAcceptClientPacket {
            player_id: alice.id,
        })
        .await;
    let (alice_id, bobby_id) = (alice.id, bobby.id);
    for (me, name, partner, partner_name) in [
        (&mut alice, "alice", bobby_id, "bobby"),
        (&mut bobby, "bobby", alice_id, "alice"),
    ] {
        let open = expect(&mut me.client, |p| match p {
            ServerPacket::TradeOpen(open) => Some(open),
            _ => None,
        })
        .await;
        assert_eq!(
            (
                open.partner_player_id,
                open.partner_player_name.as_str(),
                open.your_player_id,
                open.your_player_name.as_str()
            ),
            (partner, partner_name, me.id, name)
        );
    }

    // Offers: gold, then less gold (the amount is replaced), a tonic offered and taken back.
    let seen = offer(&mut alice, &mut bobby, (GOLD, 300), false).await;
    assert_eq!(seen, offers((alice.id, &[(GOLD, 300)]), (bobby.id, &[])));
    offer(&mut alice, &mut bobby, (GOLD, 250), false).await;
    let seen = offer(&mut alice, &mut bobby, (TONIC, 2), false).await;
    assert_eq!(
        seen,
        offers((alice.id, &[(GOLD, 250), (TONIC, 2)]), (bobby.id, &[]))
    );
    alice
        .client
        .send(&TradeRemoveClientPacket { item_id: TONIC })
        .await;
    let seen = trade_update(&mut alice, false).await;
    assert_eq!(seen, offers((alice.id, &[(GOLD, 250)]), (bobby.id, &[])));
    assert_eq!(trade_update(&mut bobby, false).await, seen);
    let seen = offer(&mut bobby, &mut alice, (ARMLET, 1), false).await;
    assert_eq!(
        seen,
        offers((bobby.id, &[(ARMLET, 1)]), (alice.id, &[(GOLD, 250)]))
    );
    let seen = offer(&mut bobby, &mut alice, (TONIC, 7), false).await;
    assert_eq!(
        seen,
        offers(
            (bobby.id, &[(ARMLET, 1), (TONIC, 7)]),
            (alice.id, &[(GOLD, 250)])
        )
    );

    // Alice agrees; Bobby's agreement completes the trade.
    show_agreement(&mut alice, &mut bobby, true).await;
    bobby.client.send(&agree(true)).await;
    let expected = offers(
        (alice.id, &[(GOLD, 250)]),
        (bobby.id, &[(ARMLET, 1), (TONIC, 7)]),
    );
    for p in [&mut alice, &mut bobby] {
        let used = expect(&mut p.client, |packet| match packet {
            ServerPacket::TradeUse(u) => Some(u.trade_data),
            _ => None,
        })
        .await;
        assert_eq!(used, expected);
    }
    // Both show the Trade emote, to themselves and those around.
    let mut traders = vec![alice.id, bobby.id];
    traders.sort_unstable();
    for p in [&mut alice, &mut bobby, &mut watcher] {
        let mut emoted = Vec::new();
        while emoted.len() < 2 {
            let (who, emote) = expect(&mut p.client, |packet| match packet {
                ServerPacket::EmotePlayer(e) => Some((e.player_id, e.emote)),
                _ => None,
            })
            .await;
            assert_eq!(emote, Emote::Trade);
            emoted.push(who);
        }
        emoted.sort_unstable();
        assert_eq!(emoted, traders);
    }

    // Both sides are saved at once, without waiting for the periodic save (a minute).
    let alice_now = [(GOLD, 750), (TONIC, 12), (ARMLET, 1)];
    let bobby_now = [(TONIC, 13), (GOLD, 250)];
    saved_inventory_becomes(&server, alice.character, &alice_now).await;
    saved_inventory_becomes(&server, bobby.character, &bobby_now).await;

    // The trade is over: a drop works again, and a new agreement finds no trade.
    bobby.client.send(&agree(true)).await;
    no_trade_packet(&mut bobby, "agreeing after the trade").await;
    alice
        .client
        .send(&ItemDropClientPacket {
            item: ThreeItem {
                id: GOLD,
                amount: 50,
            },
            coords: ByteCoords { x: 255, y: 255 },
        })
        .await;
    let left = expect(&mut alice.client, |p| match p {
        ServerPacket::ItemDrop(d) => Some(d.remaining_amount),
        _ => None,
    })
    .await;
    assert_eq!(left, 700);
    server.stop().await;
}

/// The test server: the packet rate is not what these tests are about.
async fn server_with(adjust: impl FnOnce(&mut eo_server::config::Config)) -> TestServer {
    TestServer::start(|c| {
        c.flood.packets_per_sec = 0;
        adjust(c);
    })
    .await
}

#[tokio::test]
async fn any_change_to_either_side_withdraws_both_agreements() {
    let server = server_with(|_| {}).await;
    let mut alice = player(&server, "alice", (18, 9), &[(GOLD, 1000), (TONIC, 5)]).await;
    let mut bobby = player(&server, "bobby", (19, 9), &[(TONIC, 20), (ARMLET, 1)]).await;
    open_trade(&mut alice, &mut bobby).await;
    offer(&mut alice, &mut bobby, (GOLD, 100), false).await;
    offer(&mut bobby, &mut alice, (TONIC, 3), false).await;

    // Alice agrees; Bobby changes his offer: Alice, who had agreed, is told with Trade_Admin.
    show_agreement(&mut alice, &mut bobby, true).await;
    offer(&mut bobby, &mut alice, (TONIC, 4), true).await;
    // Her agreement is gone: Bobby's does not complete the trade.
    show_agreement(&mut bobby, &mut alice, true).await;
    // Alice adds to hers, then takes it back: each time Bobby's agreement goes.
    offer(&mut alice, &mut bobby, (TONIC, 1), true).await;
    show_agreement(&mut bobby, &mut alice, true).await;
    alice
        .client
        .send(&TradeRemoveClientPacket { item_id: TONIC })
        .await;
    let seen = trade_update(&mut alice, false).await;
    assert_eq!(trade_update(&mut bobby, true).await, seen);
    assert_eq!(
        seen,
        offers((alice.id, &[(GOLD, 100)]), (bobby.id, &[(TONIC, 4)]))
    );

    // Agreeing and withdrawing; withdrawing or agreeing twice says nothing.
    show_agreement(&mut alice, &mut bobby, true).await;
    show_agreement(&mut alice, &mut bobby, false).await;
    alice.client.send(&agree(false)).await;
    no_trade_packet(&mut alice, "withdrawing twice").await;
    show_agreement(&mut alice, &mut bobby, true).await;
    alice.client.send(&agree(true)).await;
    no_trade_packet(&mut alice, "agreeing twice").await;
    no_trade_packet(&mut bobby, "the partner agreeing twice").await;

    // Both agree at last: the offers as they stand now change hands.
    bobby.client.send(&agree(true)).await;
    let expected = offers((alice.id, &[(GOLD, 100)]), (bobby.id, &[(TONIC, 4)]));
    for p in [&mut alice, &mut bobby] {
        let used = expect(&mut p.client, |packet| match packet {
            ServerPacket::TradeUse(u) => Some(u.trade_data),
            _ => None,
        })
        .await;
        assert_eq!(used, expected);
    }
    saved_inventory_becomes(&server, alice.character, &[(GOLD, 900), (TONIC, 9)]).await;
    saved_inventory_becomes(
        &server,
        bobby.character,
        &[(TONIC, 16), (ARMLET, 1), (GOLD, 100)],
    )
    .await;
    server.stop().await;
}

/// What a refused swap tells `p`: its own agreement and its partner's withdrawn, and why.
async fn swap_refused(p: &mut Player, partner: u16) -> String {
    let (mut own, mut theirs, mut told) = (None, None, None);
    while own.is_none() || theirs.is_none() || told.is_none() {
        match p.client.recv().await {
            ServerPacket::TradeSpec(s) => own = Some(s.agree),
            ServerPacket::TradeAgree(a) => theirs = Some((a.partner_player_id, a.agree)),
            ServerPacket::TalkServer(t) => told = Some(t.message),
            ServerPacket::TradeUse(u) => panic!("the swap was made: {u:?}"),
            _ => {}
        }
    }
    assert_eq!((own, theirs), (Some(false), Some((partner, false))));
    told.unwrap_or_default()
}

/// Logs a player out and back in (the next login waits for the logout's save), and reads its
/// saved inventory.
async fn saved_after_logout(server: &TestServer, p: Player, name: &str) -> BTreeMap<u16, u32> {
    let character = p.character;
    drop(p);
    let mut again = TestClient::connected(server.addr).await;
    assert_eq!(common::create_character(&mut again, name).await, character);
    holding(&saved_character(server, character).await.inventory)
}

#[tokio::test]
async fn a_swap_that_one_side_could_not_carry_or_hold_moves_nothing() {
    let server = server_with(|c| c.items.max_item_amount = 1000).await;
    let alice_has = [(GOLD, 500), (TONIC, 30)];
    // 65 tonics weigh 65 of the 70 a new character may carry; 995 gold, of 1000 it may hold.
    let bobby_has = [(TONIC, 65), (GOLD, 995)];
    let mut alice = player(&server, "alice", (18, 9), &alice_has).await;
    let mut bobby = player(&server, "bobby", (19, 9), &bobby_has).await;
    open_trade(&mut alice, &mut bobby).await;

    // Ten tonics for five gold: Bobby would carry 75.
    offer(&mut alice, &mut bobby, (TONIC, 10), false).await;
    offer(&mut bobby, &mut alice, (GOLD, 5), false).await;
    show_agreement(&mut alice, &mut bobby, true).await;
    bobby.client.send(&agree(true)).await;
    let told = swap_refused(&mut bobby, alice.id).await;
    assert_eq!(
        told,
        "The trade was not made: bobby cannot carry that much."
    );
    assert_eq!(swap_refused(&mut alice, bobby.id).await, told);

    // Still open, nobody agreed: ten gold for a tonic. Bobby would hold 1005 gold.
    alice
        .client
        .send(&TradeRemoveClientPacket { item_id: TONIC })
        .await;
    trade_update(&mut alice, false).await;
    trade_update(&mut bobby, false).await;
    offer(&mut alice, &mut bobby, (GOLD, 10), false).await;
    bobby
        .client
        .send(&TradeRemoveClientPacket { item_id: GOLD })
        .await;
    trade_update(&mut bobby, false).await;
    trade_update(&mut alice, false).await;
    let seen = offer(&mut bobby, &mut alice, (TONIC, 1), false).await;
    assert_eq!(
        seen,
        offers((bobby.id, &[(TONIC, 1)]), (alice.id, &[(GOLD, 10)]))
    );
    show_agreement(&mut bobby, &mut alice, true).await;
    alice.client.send(&agree(true)).await;
    let told = swap_refused(&mut alice, bobby.id).await;
    assert_eq!(
        told,
        "The trade was not made: bobby cannot hold that many of an item."
    );
    assert_eq!(swap_refused(&mut bobby, alice.id).await, told);

    // Nothing moved: closed, and both logged out, each has what it had.
    alice.client.send(&TradeCloseClientPacket).await;
    assert_eq!(closed(&mut bobby).await, alice.id);
    assert_eq!(
        saved_after_logout(&server, alice, "alice").await,
        holding(&alice_has)
    );
    assert_eq!(
        saved_after_logout(&server, bobby, "bobby").await,
        holding(&bobby_has)
    );
    server.stop().await;
}

/// Alice and Bobby with an open trade, both offering, Alice agreed.
async fn agreed_trade(
    server: &TestServer,
    alice_at: (u8, u8),
    bobby_at: (u8, u8),
) -> (Player, Player) {
    let mut alice = player(server, "alice", alice_at, &[(GOLD, 1000), (TONIC, 5)]).await;
    let mut bobby = player(server, "bobby", bobby_at, &[(TONIC, 20), (ARMLET, 1)]).await;
    open_trade(&mut alice, &mut bobby).await;
    offer(&mut alice, &mut bobby, (GOLD, 100), false).await;
    offer(&mut bobby, &mut alice, (ARMLET, 1), false).await;
    show_agreement(&mut alice, &mut bobby, true).await;
    (alice, bobby)
}

/// After its trade ended, `p` agreeing finds no trade: nothing is sent and nothing moves.
async fn no_trade_left(p: &mut Player) {
    p.client.send(&agree(true)).await;
    no_trade_packet(p, "agreeing after the trade ended").await;
}

#[tokio::test]
async fn a_warp_ends_the_trade_and_moves_nothing() {
    let server = server_with(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let (mut alice, mut bobby) = agreed_trade(&server, (18, 9), (19, 9)).await;
    control
        .ok("warp", json!({"name": "bobby", "map": 2, "x": 1, "y": 15}))
        .await;
    let request = expect(&mut bobby.client, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    bobby
        .client
        .send(&WarpAcceptClientPacket {
            map_id: request.map_id,
            session_id: request.session_id,
        })
        .await;
    // Both are told, each naming the other.
    assert_eq!(closed(&mut bobby).await, alice.id);
    assert_eq!(closed(&mut alice).await, bobby.id);
    no_trade_left(&mut bobby).await;
    no_trade_left(&mut alice).await;
    assert_eq!(
        saved_after_logout(&server, alice, "alice").await,
        holding(&[(GOLD, 1000), (TONIC, 5)])
    );
    assert_eq!(
        saved_after_logout(&server, bobby, "bobby").await,
        holding(&[(TONIC, 20), (ARMLET, 1)])
    );
    server.stop().await;
}

#[tokio::test]
async fn walking_out_of_range_ends_the_trade_and_moves_nothing() {
    let server = server_with(|c| c.flood.walk_ms = 0).await;
    // Ten steps apart on the square; the see distance is eleven.
    let (mut alice, mut bobby) = agreed_trade(&server, (13, 12), (23, 12)).await;
    // Eleven steps: still in range, the trade goes on.
    bobby.client.walk(Direction::Right, 24, 12).await;
    no_trade_packet(&mut bobby, "a step within range").await;
    no_trade_packet(&mut alice, "a step within range").await;
    // Twelve: out of range.
    bobby.client.walk(Direction::Down, 24, 13).await;
    assert_eq!(closed(&mut bobby).await, alice.id);
    assert_eq!(closed(&mut alice).await, bobby.id);
    no_trade_left(&mut alice).await;
    assert_eq!(
        saved_after_logout(&server, alice, "alice").await,
        holding(&[(GOLD, 1000), (TONIC, 5)])
    );
    assert_eq!(
        saved_after_logout(&server, bobby, "bobby").await,
        holding(&[(TONIC, 20), (ARMLET, 1)])
    );
    server.stop().await;
}

#[tokio::test]
async fn a_logout_or_a_dropped_connection_ends_the_trade_and_moves_nothing() {
    let server = server_with(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let (mut alice, bobby) = agreed_trade(&server, (18, 9), (19, 9)).await;
    let bobby_id = bobby.id;
    // Bobby logs out (his client closes the connection).
    assert_eq!(
        saved_after_logout(&server, bobby, "bobby").await,
        holding(&[(TONIC, 20), (ARMLET, 1)])
    );
    assert_eq!(closed(&mut alice).await, bobby_id);
    no_trade_left(&mut alice).await;

    // Carol's connection is dropped by the server in the middle of another trade.
    let mut carol = player(&server, "carol", (20, 9), &[(TONIC, 3)]).await;
    open_trade(&mut alice, &mut carol).await;
    offer(&mut alice, &mut carol, (GOLD, 10), false).await;
    offer(&mut carol, &mut alice, (TONIC, 3), false).await;
    show_agreement(&mut carol, &mut alice, true).await;
    control.ok("kick", json!({"name": "carol"})).await;
    assert_eq!(closed(&mut alice).await, carol.id);
    no_trade_left(&mut alice).await;
    assert_eq!(
        saved_after_logout(&server, carol, "carol").await,
        holding(&[(TONIC, 3)])
    );
    assert_eq!(
        saved_after_logout(&server, alice, "alice").await,
        holding(&[(GOLD, 1000), (TONIC, 5)])
    );
    server.stop().await;
}

/// The map index of the NPC standing at (x, y) that `p` sees.
async fn npc_at(p: &mut Player, (x, y): (u8, u8)) -> u8 {
    for _ in 0..50 {
        p.client
            .send(&eo_protocol::net::client::RefreshRequestClientPacket)
            .await;
        let npcs = expect(&mut p.client, |packet| match packet {
            ServerPacket::RefreshReply(r) => Some(r.nearby.npcs),
            _ => None,
        })
        .await;
        if let Some(npc) = npcs.iter().find(|n| (n.coords.x, n.coords.y) == (x, y)) {
            return npc.index;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no NPC at ({x}, {y})");
}

#[tokio::test]
async fn what_is_refused_changes_nothing() {
    let server = server_with(|c| {
        c.trade.max_amount = 500;
        c.trade.protected_items = vec![ARMLET];
    })
    .await;
    // Twelve items that may be offered, a Lore key and a protected armlet.
    let mut alice_has: Vec<(u16, u32)> = (2..=12).map(|id| (id, 1)).collect();
    alice_has.extend([(GOLD, 1000), (LORE_KEY, 1), (ARMLET, 1)]);
    let mut alice = player(&server, "alice", (18, 9), &alice_has).await;
    let mut bobby = player(&server, "bobby", (19, 9), &[(TONIC, 5)]).await;
    let mut carol = player(&server, "carol", (20, 9), &[(GOLD, 10)]).await;
    // Far across the town: 19 steps from Alice.
    let mut dave = player(&server, "dave", (1, 7), &[(GOLD, 10)]).await;

    // No trade open: offers, agreements, closing, accepting an unasked request.
    alice.client.send(&add(GOLD, 10)).await;
    alice
        .client
        .send(&TradeRemoveClientPacket { item_id: GOLD })
        .await;
    alice.client.send(&agree(true)).await;
    alice.client.send(&TradeCloseClientPacket).await;
    bobby
        .client
        .send(&TradeAcceptClientPacket {
            player_id: alice.id,
        })
        .await;
    // Asking oneself, nobody, and a player out of range.
    alice
        .client
        .send(&TradeRequestClientPacket {
            player_id: alice.id,
        })
        .await;
    alice
        .client
        .send(&TradeRequestClientPacket { player_id: 60_000 })
        .await;
    alice
        .client
        .send(&TradeRequestClientPacket { player_id: dave.id })
        .await;
    no_trade_packet(&mut alice, "no trade open").await;
    no_trade_packet(&mut bobby, "no trade open").await;
    no_trade_packet(&mut dave, "out of range").await;

    // Alice asks Bobby; Carol, who was not asked, cannot accept.
    alice
        .client
        .send(&TradeRequestClientPacket {
            player_id: bobby.id,
        })
        .await;
    expect(&mut bobby.client, |p| {
        matches!(p, ServerPacket::TradeRequest(_)).then_some(())
    })
    .await;
    carol
        .client
        .send(&TradeAcceptClientPacket {
            player_id: alice.id,
        })
        .await;
    no_trade_packet(&mut carol, "accepting a request made to another").await;
    no_trade_packet(&mut alice, "accepting a request made to another").await;
    bobby
        .client
        .send(&TradeAcceptClientPacket {
            player_id: alice.id,
        })
        .await;
    for p in [&mut alice, &mut bobby] {
        expect(&mut p.client, |p| {
            matches!(p, ServerPacket::TradeOpen(_)).then_some(())
        })
        .await;
    }

    // Already trading: nobody asks them, and they ask nobody.
    carol
        .client
        .send(&TradeRequestClientPacket {
            player_id: alice.id,
        })
        .await;
    alice
        .client
        .send(&TradeRequestClientPacket {
            player_id: carol.id,
        })
        .await;
    no_trade_packet(&mut alice, "asked while trading").await;
    no_trade_packet(&mut carol, "asked by a trader").await;
    // An agreement to give nothing.
    alice.client.send(&agree(true)).await;
    // Offers refused: a Lore item, a protected item, none, more than max_amount, more than
    // held, an unknown item, an item not held.
    for (id, amount) in [
        (LORE_KEY, 1),
        (ARMLET, 1),
        (GOLD, 0),
        (GOLD, 501),
        (2, 2),
        (999, 1),
        (14, 1),
    ] {
        alice.client.send(&add(id, amount)).await;
    }
    // Taking back what was not offered.
    alice
        .client
        .send(&TradeRemoveClientPacket { item_id: GOLD })
        .await;
    no_trade_packet(&mut alice, "offers refused").await;
    no_trade_packet(&mut bobby, "offers refused").await;

    // Ten different items; an eleventh is refused, a new amount of one offered is not.
    for id in 1..=10u16 {
        let amount = if id == GOLD { 500 } else { 1 };
        offer(&mut alice, &mut bobby, (id, amount), false).await;
    }
    alice.client.send(&add(11, 1)).await;
    no_trade_packet(&mut alice, "an eleventh item").await;
    let seen = offer(&mut alice, &mut bobby, (GOLD, 400), false).await;
    assert_eq!(seen[0].items.len(), 10);
    assert_eq!(
        seen[0].items[0],
        Item {
            id: GOLD,
            amount: 400
        }
    );

    // While trading: no drop, junk, equip or use of what one has, and no NPC service.
    let barber = npc_at(&mut alice, (21, 7)).await;
    alice
        .client
        .send(&ItemDropClientPacket {
            item: ThreeItem {
                id: GOLD,
                amount: 10,
            },
            coords: ByteCoords { x: 255, y: 255 },
        })
        .await;
    alice
        .client
        .send(&ItemJunkClientPacket {
            item: Item {
                id: GOLD,
                amount: 10,
            },
        })
        .await;
    alice
        .client
        .send(&PaperdollAddClientPacket {
            item_id: BOOTS,
            sub_loc: 0,
        })
        .await;
    alice
        .client
        .send(&eo_protocol::net::client::ItemUseClientPacket { item_id: 12 })
        .await;
    alice
        .client
        .send(&BarberOpenClientPacket {
            npc_index: u16::from(barber),
        })
        .await;
    let seen = map_barrier(&mut alice.client).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::ItemDrop(_)
                | ServerPacket::ItemJunk(_)
                | ServerPacket::PaperdollAgree(_)
                | ServerPacket::ItemReply(_)
                | ServerPacket::BarberOpen(_)
        )),
        "{seen:?}"
    );

    // Once the trade is closed, all of it works again.
    alice.client.send(&TradeCloseClientPacket).await;
    assert_eq!(closed(&mut bobby).await, alice.id);
    alice
        .client
        .send(&ItemJunkClientPacket {
            item: Item {
                id: GOLD,
                amount: 10,
            },
        })
        .await;
    alice
        .client
        .send(&BarberOpenClientPacket {
            npc_index: u16::from(barber),
        })
        .await;
    let seen = map_barrier(&mut alice.client).await;
    assert!(
        seen.iter()
            .any(|p| matches!(p, ServerPacket::ItemJunk(j) if j.remaining_amount == 990)),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|p| matches!(p, ServerPacket::BarberOpen(_))),
        "{seen:?}"
    );
    drop(dave);
    server.stop().await;
}
