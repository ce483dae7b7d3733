//! Shops with real clients: Marla the Trader's shop in the bundled world (open, buy, sell,
//! craft, kept over a relog), the limits a purchase or a sale is cut to, the shop's level and
//! class limits, and every packet at the wrong moment changing nothing.

mod common;

use common::world::{TestWorld, added_npc, world};
use common::{Entered, TestClient, TestServer, edited_player, expect, map_barrier, npc_index};
use eo_protocol::Direction;
use eo_protocol::net::Item;
use eo_protocol::net::client::{
    ShopBuyClientPacket, ShopCreateClientPacket, ShopOpenClientPacket, ShopSellClientPacket,
};
use eo_protocol::net::server::{
    ServerPacket, ShopBuyServerPacket, ShopCreateServerPacket, ShopOpenServerPacket,
    ShopSellServerPacket,
};

/// The largest amount an EO int carries, far past `items.max_item_amount`.
const LARGEST_INT: u32 = 4_097_152_079;
const GOLD: u16 = 1;
const BLADE: u16 = 2;
const ARROWS: u16 = 4;
const TUNIC: u16 = 5;
const CAP: u16 = 7;
const BOOTS: u16 = 9;
const TONIC: u16 = 10;
const ARMLET: u16 = 20;
/// Marla the Trader (NPC 1, shop behavior 1) stands at (7, 1) in the hall.
const MARLA: u16 = 1;
/// The NPCs the tests add, after the bundled ones.
fn stall_id() -> u16 {
    added_npc(1)
}
fn guild_stall_id() -> u16 {
    added_npc(2)
}
fn empty_stall_id() -> u16 {
    added_npc(3)
}

/// The bundled world with three more shop NPCs in the square: the Test Stall (shop 2) at
/// (5, 9), 11 steps west of the spawn point (16, 9), so one step east takes it out of reach;
/// the Guild Stall (shop 3: levels 2 to 4, Warriors only) at (18, 9); and a stall with no
/// shop record at (16, 7).
fn shop_world() -> TestWorld {
    let (stall, guild_stall, empty_stall) = (stall_id(), guild_stall_id(), empty_stall_id());
    world()
        .append(
            "npcs.toml",
            &format!(
                "[[npc]]\nid = {stall}\nname = \"Test Stall\"\ntype = \"Shop\"\nbehavior_id = 2\nhp = 10\n\n\
                 [[npc]]\nid = {guild_stall}\nname = \"Guild Stall\"\ntype = \"Shop\"\nbehavior_id = 3\nhp = 10\n\n\
                 [[npc]]\nid = {empty_stall}\nname = \"Empty Stall\"\ntype = \"Shop\"\nbehavior_id = 9\nhp = 10\n"
            ),
        )
        .append(
            "maps/00001.toml",
            &format!(
                "[[npc]]\nx = 5\ny = 9\nnpc = {stall}\nspawn_type = 7\n\n\
                 [[npc]]\nx = 18\ny = 9\nnpc = {guild_stall}\nspawn_type = 7\n\n\
                 [[npc]]\nx = 16\ny = 7\nnpc = {empty_stall}\nspawn_type = 7\n"
            ),
        )
        .append(
            "shops.toml",
            r#"
[[shop]]
behavior_id = 2
name = "Test Stall"

[[shop.trade]]
item = 10
buy = 25
sell = 10
max_amount = 50

[[shop.trade]]
item = 4
buy = 2
sell = 1
max_amount = 200

[[shop.trade]]
item = 9
sell = 40
max_amount = 1

[[shop.trade]]
item = 2
buy = 16000000
sell = 1
max_amount = 252

[[shop.craft]]
item = 2
ingredients = [{ item = 4, amount = 1 }, { item = 7, amount = 1 }]

[[shop]]
behavior_id = 3
name = "Guild Stall"
min_level = 2
max_level = 4
class_req = 2

[[shop.trade]]
item = 10
buy = 25
sell = 10
max_amount = 50
"#,
        )
        .build()
}

async fn server_on(world: &TestWorld) -> TestServer {
    let dir = world.data_dir.clone();
    TestServer::start(move |c| c.world.data_dir = dir).await
}

fn held(items: &[Item], id: u16) -> u32 {
    items.iter().find(|i| i.id == id).map_or(0, |i| i.amount)
}

/// Shop_Open at the NPC of `index`; the shop it opened.
async fn open(client: &mut TestClient, index: u8) -> ShopOpenServerPacket {
    client
        .send(&ShopOpenClientPacket {
            npc_index: u16::from(index),
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::ShopOpen(open) => Some(open),
        _ => None,
    })
    .await
}

fn buy(id: u16, amount: u32, session: u16) -> ShopBuyClientPacket {
    ShopBuyClientPacket {
        buy_item: Item { id, amount },
        session_id: u32::from(session),
    }
}

fn sell(id: u16, amount: u32, session: u16) -> ShopSellClientPacket {
    ShopSellClientPacket {
        sell_item: Item { id, amount },
        session_id: u32::from(session),
    }
}

fn create(id: u16, session: u16) -> ShopCreateClientPacket {
    ShopCreateClientPacket {
        craft_item_id: id,
        session_id: u32::from(session),
    }
}

async fn bought(client: &mut TestClient) -> ShopBuyServerPacket {
    expect(client, |p| match p {
        ServerPacket::ShopBuy(b) => Some(b),
        _ => None,
    })
    .await
}

async fn sold(client: &mut TestClient) -> ShopSellServerPacket {
    expect(client, |p| match p {
        ServerPacket::ShopSell(s) => Some(s),
        _ => None,
    })
    .await
}

async fn crafted(client: &mut TestClient) -> ShopCreateServerPacket {
    expect(client, |p| match p {
        ServerPacket::ShopCreate(c) => Some(c),
        _ => None,
    })
    .await
}

/// Asserts the map sent no shop packet for what the client sent before.
async fn nothing_happens(client: &mut TestClient, what: &str) {
    let seen = map_barrier(client).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::ShopOpen(_)
                | ServerPacket::ShopBuy(_)
                | ServerPacket::ShopSell(_)
                | ServerPacket::ShopCreate(_)
        )),
        "{what}: {seen:?}"
    );
}

/// Logs the character in again (its player gone first: a login waits for the logout's save)
/// and enters the game; what it holds then.
async fn relog(server: &TestServer, name: &str) -> Vec<Item> {
    let mut client = TestClient::connected(server.addr).await;
    let id = common::create_character(&mut client, name).await;
    let Entered { enter, .. } = common::enter_character(&mut client, id).await;
    enter.items
}

#[tokio::test]
async fn marla_sells_buys_back_and_crafts_and_it_is_kept_over_a_relog() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, _, entered) = edited_player(&server, "alice", |c| {
        c.inventory = vec![(GOLD, 1000)];
        (c.x, c.y) = (6, 2);
    })
    .await;
    let marla = npc_index(&mut alice, &entered, MARLA).await;
    let shop = open(&mut alice, marla).await;
    assert_eq!(shop.shop_name, "Marla's Wares");
    let trades: Vec<(u16, u32, u32, u8)> = shop
        .trade_items
        .iter()
        .map(|t| (t.item_id, t.buy_price, t.sell_price, t.max_buy_amount))
        .collect();
    assert_eq!(
        trades,
        [
            (TONIC, 25, 10, 50),
            (ARROWS, 2, 1, 200),
            (CAP, 80, 30, 5),
            (BLADE, 300, 100, 1),
            (BOOTS, 0, 40, 1),
            (21, 200, 50, 1),
            (22, 200, 50, 1),
        ]
    );
    let craft = &shop.craft_items[0];
    assert_eq!(craft.item_id, ARMLET);
    let recipe: Vec<(u16, u8)> = craft.ingredients.iter().map(|i| (i.id, i.amount)).collect();
    assert_eq!(recipe, [(CAP, 1), (ARROWS, 20), (0, 0), (0, 0)]);
    let session = shop.session_id;

    alice.send(&buy(TONIC, 3, session)).await;
    let b = bought(&mut alice).await;
    assert_eq!(
        (b.gold_amount, b.bought_item.id, b.bought_item.amount),
        (925, TONIC, 3)
    );
    assert_eq!(b.weight.current, 3);
    alice.send(&sell(TONIC, 2, session)).await;
    let s = sold(&mut alice).await;
    assert_eq!(
        (s.gold_amount, s.sold_item.id, s.sold_item.amount),
        (945, TONIC, 1)
    );
    assert_eq!(s.weight.current, 1);

    // The armlet: a cap and twenty arrows, taken at once.
    alice.send(&buy(CAP, 1, session)).await;
    assert_eq!(bought(&mut alice).await.gold_amount, 865);
    alice.send(&buy(ARROWS, 20, session)).await;
    assert_eq!(bought(&mut alice).await.gold_amount, 825);
    alice.send(&create(ARMLET, session)).await;
    let c = crafted(&mut alice).await;
    assert_eq!(c.craft_item_id, ARMLET);
    let left: Vec<(u16, u32)> = c.ingredients.iter().map(|i| (i.id, i.amount)).collect();
    assert_eq!(left, [(CAP, 0), (ARROWS, 0), (0, 0), (0, 0)]);
    // A tonic (1) and the armlet (2).
    assert_eq!(c.weight.current, 3);
    // No ingredients left: a second armlet is not made.
    alice.send(&create(ARMLET, session)).await;
    nothing_happens(&mut alice, "a craft without its ingredients").await;

    drop(alice);
    let items = relog(&server, "alice").await;
    assert_eq!(held(&items, GOLD), 825);
    assert_eq!(held(&items, TONIC), 1);
    assert_eq!(held(&items, ARMLET), 1);
    assert_eq!(held(&items, CAP) + held(&items, ARROWS), 0);
    server.stop().await;
}

#[tokio::test]
async fn a_purchase_is_cut_to_the_gold_the_weight_and_the_trades_cap() {
    let world = shop_world();
    let server = server_on(&world).await;
    let (mut bob, _, entered) =
        edited_player(&server, "bobby", |c| c.inventory = vec![(GOLD, 60)]).await;
    let stall = npc_index(&mut bob, &entered, stall_id()).await;
    let session = open(&mut bob, stall).await.session_id;
    // 60 gold pays for two tonics of the five asked.
    bob.send(&buy(TONIC, 5, session)).await;
    let b = bought(&mut bob).await;
    assert_eq!((b.bought_item.amount, b.gold_amount), (2, 10));
    // Ten gold pays for no blade at 16,000,000.
    bob.send(&buy(BLADE, 1, session)).await;
    nothing_happens(&mut bob, "a blade beyond the gold").await;
    drop(bob);

    // 65 arrows weigh 65 of the 70 a new character carries: five tonics fit of the fifty.
    let (mut carol, _, entered) = edited_player(&server, "carol", |c| {
        c.inventory = vec![(GOLD, 100_000), (ARROWS, 65)];
    })
    .await;
    let stall = npc_index(&mut carol, &entered, stall_id()).await;
    let session = open(&mut carol, stall).await.session_id;
    carol.send(&buy(TONIC, 50, session)).await;
    let b = bought(&mut carol).await;
    assert_eq!((b.bought_item.amount, b.gold_amount), (5, 100_000 - 125));
    assert_eq!(b.weight.current, 70);
    // Full: nothing more fits.
    carol.send(&buy(TONIC, 1, session)).await;
    nothing_happens(&mut carol, "a tonic over the weight").await;
    drop(carol);

    // Asked past the trade's cap (50 tonics at once), the purchase is cut to the cap.
    let (mut dave, _, entered) =
        edited_player(&server, "dave", |c| c.inventory = vec![(GOLD, 100_000)]).await;
    let stall = npc_index(&mut dave, &entered, stall_id()).await;
    let session = open(&mut dave, stall).await.session_id;
    dave.send(&buy(TONIC, 60, session)).await;
    let b = bought(&mut dave).await;
    assert_eq!((b.bought_item.amount, b.gold_amount), (50, 100_000 - 1250));
    drop(dave);

    let items = relog(&server, "bobby").await;
    assert_eq!((held(&items, GOLD), held(&items, TONIC)), (10, 2));
    server.stop().await;
}

#[tokio::test]
async fn a_purchase_is_cut_to_the_stack_limit_and_never_wraps() {
    let world = shop_world();
    let dir = world.data_dir.clone();
    let server = TestServer::start(move |c| {
        c.world.data_dir = dir;
        c.items.max_item_amount = 2_000_000_000;
        c.items.enforce_weight = false;
    })
    .await;
    // 2,000,000,000 gold at 16,000,000 a blade pays for 125; the cap is 252, and the
    // amount asked times the price is far past 32 bits.
    let (mut erin, _, entered) = edited_player(&server, "erin", |c| {
        c.inventory = vec![(GOLD, 2_000_000_000)]
    })
    .await;
    let stall = npc_index(&mut erin, &entered, stall_id()).await;
    let session = open(&mut erin, stall).await.session_id;
    erin.send(&buy(BLADE, 2_000_000_000, session)).await;
    let b = bought(&mut erin).await;
    assert_eq!((b.bought_item.amount, b.gold_amount), (125, 0));
    drop(erin);

    // 1,999,999,990 arrows held: ten more fit under the stack limit, of the 200 asked.
    let (mut fay, _, entered) = edited_player(&server, "fayla", |c| {
        c.inventory = vec![(GOLD, 1000), (ARROWS, 1_999_999_990)];
    })
    .await;
    let stall = npc_index(&mut fay, &entered, stall_id()).await;
    let session = open(&mut fay, stall).await.session_id;
    fay.send(&buy(ARROWS, 200, session)).await;
    let b = bought(&mut fay).await;
    assert_eq!((b.bought_item.amount, b.gold_amount), (10, 980));
    fay.send(&buy(ARROWS, 1, session)).await;
    nothing_happens(&mut fay, "an arrow past the stack limit").await;
    drop(fay);
    let items = relog(&server, "fayla").await;
    assert_eq!(
        (held(&items, ARROWS), held(&items, GOLD)),
        (2_000_000_000, 980)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_sale_is_cut_to_what_is_held_the_cap_and_the_gold_a_character_may_hold() {
    let world = shop_world();
    let dir = world.data_dir.clone();
    let server = TestServer::start(move |c| {
        c.world.data_dir = dir;
        c.items.max_item_amount = 1000;
    })
    .await;
    let (mut gus, _, entered) = edited_player(&server, "gusto", |c| {
        c.inventory = vec![(GOLD, 900), (TONIC, 3), (BOOTS, 3), (TUNIC, 1)];
    })
    .await;
    let stall = npc_index(&mut gus, &entered, stall_id()).await;
    let session = open(&mut gus, stall).await.session_id;
    // Five asked, three held.
    gus.send(&sell(TONIC, 5, session)).await;
    let s = sold(&mut gus).await;
    assert_eq!((s.sold_item.amount, s.gold_amount), (0, 930));
    // The boots' cap is one at a time.
    gus.send(&sell(BOOTS, 3, session)).await;
    let s = sold(&mut gus).await;
    assert_eq!((s.sold_item.amount, s.gold_amount), (2, 970));
    // The stall does not buy tunics; nor gold for gold.
    gus.send(&sell(TUNIC, 1, session)).await;
    gus.send(&sell(GOLD, 10, session)).await;
    nothing_happens(&mut gus, "items the stall does not buy").await;
    // 970 gold of 1000: a pair of boots (40) would pass the limit, so it is not sold at all.
    gus.send(&sell(BOOTS, 1, session)).await;
    nothing_happens(&mut gus, "a sale past the gold limit").await;
    drop(gus);
    let items = relog(&server, "gusto").await;
    assert_eq!(
        (held(&items, GOLD), held(&items, BOOTS), held(&items, TUNIC)),
        (970, 2, 1)
    );
    assert_eq!(held(&items, TONIC), 0);
    server.stop().await;
}

#[tokio::test]
async fn a_craft_needs_every_ingredient_and_room_for_what_it_makes() {
    let world = shop_world();
    let server = server_on(&world).await;
    // The blade (10) is made of an arrow (1) and a cap (3): six more to carry. 65 of 70
    // carried leaves five: no room.
    let (mut hal, _, entered) = edited_player(&server, "halden", |c| {
        c.inventory = vec![(ARROWS, 62), (CAP, 1)];
    })
    .await;
    let stall = npc_index(&mut hal, &entered, stall_id()).await;
    let session = open(&mut hal, stall).await.session_id;
    hal.send(&create(BLADE, session)).await;
    nothing_happens(&mut hal, "a craft past the weight").await;
    // Something the stall does not craft, and a craft the wrong session asks for.
    hal.send(&create(ARMLET, session)).await;
    hal.send(&create(BLADE, u16::MAX)).await;
    nothing_happens(&mut hal, "no such craft, or a wrong session").await;
    // Lighter by sixty arrows (sold), the blade fits.
    hal.send(&sell(ARROWS, 60, session)).await;
    assert_eq!(sold(&mut hal).await.sold_item.amount, 2);
    hal.send(&create(BLADE, session)).await;
    let c = crafted(&mut hal).await;
    let left: Vec<(u16, u32)> = c.ingredients.iter().map(|i| (i.id, i.amount)).collect();
    assert_eq!(left, [(ARROWS, 1), (CAP, 0), (0, 0), (0, 0)]);
    assert_eq!(c.weight.current, 11);
    // The cap is gone: with one ingredient of two, nothing is made and the arrow stays.
    hal.send(&create(BLADE, session)).await;
    nothing_happens(&mut hal, "a craft short of an ingredient").await;
    drop(hal);
    let items = relog(&server, "halden").await;
    assert_eq!(
        (held(&items, BLADE), held(&items, ARROWS), held(&items, CAP)),
        (1, 1, 0)
    );
    assert_eq!(held(&items, GOLD), 60);
    server.stop().await;
}

#[tokio::test]
async fn the_shops_level_and_class_limits_apply() {
    let world = shop_world();
    let server = server_on(&world).await;
    for (name, level, class, opens) in [
        ("young", 1, 2, false),
        ("elder", 5, 2, false),
        ("mage", 3, 3, false),
        ("warrior", 3, 2, true),
    ] {
        let (mut client, _, entered) = edited_player(&server, name, |c| {
            c.level = level;
            c.class = class;
            c.inventory = vec![(GOLD, 100)];
        })
        .await;
        let guild = npc_index(&mut client, &entered, guild_stall_id()).await;
        if opens {
            let session = open(&mut client, guild).await.session_id;
            client.send(&buy(TONIC, 1, session)).await;
            assert_eq!(bought(&mut client).await.gold_amount, 75);
        } else {
            client
                .send(&ShopOpenClientPacket {
                    npc_index: u16::from(guild),
                })
                .await;
            // Nor does a purchase with a guessed session.
            for session in [10, 11, 12] {
                client.send(&buy(TONIC, 1, session)).await;
            }
            nothing_happens(&mut client, name).await;
        }
    }
    // A shop NPC whose behavior id has no shop opens nothing.
    let (mut ivy, _, entered) = edited_player(&server, "ivyann", |_| {}).await;
    let empty = npc_index(&mut ivy, &entered, empty_stall_id()).await;
    ivy.send(&ShopOpenClientPacket {
        npc_index: u16::from(empty),
    })
    .await;
    nothing_happens(&mut ivy, "a stall without a shop").await;
    server.stop().await;
}

#[tokio::test]
async fn packets_at_the_wrong_moment_change_nothing() {
    let world = shop_world();
    let server = server_on(&world).await;
    let (mut jo, _, entered) = edited_player(&server, "jolie", |c| {
        c.inventory = vec![(GOLD, 500), (TONIC, 5)];
    })
    .await;
    let stall = npc_index(&mut jo, &entered, stall_id()).await;
    // Nothing open yet.
    jo.send(&buy(TONIC, 1, 10)).await;
    jo.send(&sell(TONIC, 1, 10)).await;
    jo.send(&create(BLADE, 10)).await;
    nothing_happens(&mut jo, "no shop open").await;
    // Marla is 17 steps away, the banker is no shop.
    let banker = npc_index(&mut jo, &entered, 3).await;
    for index in [0, banker, 250] {
        jo.send(&ShopOpenClientPacket {
            npc_index: u16::from(index),
        })
        .await;
    }
    nothing_happens(&mut jo, "out of reach, not a shop, no NPC").await;

    let session = open(&mut jo, stall).await.session_id;
    for wrong in [
        buy(TONIC, 1, session.wrapping_add(1)),
        buy(TONIC, 0, session),
        buy(TONIC, LARGEST_INT, session),
        buy(999, 1, session),
        buy(TUNIC, 1, session),
        buy(BOOTS, 1, session),
        buy(GOLD, 1, session),
    ] {
        jo.send(&wrong).await;
    }
    for wrong in [
        sell(TONIC, 1, session.wrapping_add(1)),
        sell(TONIC, 0, session),
        sell(TONIC, LARGEST_INT, session),
        sell(999, 1, session),
        sell(ARROWS, 1, session),
    ] {
        jo.send(&wrong).await;
    }
    nothing_happens(&mut jo, "wrong session, amount or item").await;

    // One step east puts the stall 12 steps away: out of reach, the shop is closed to jo.
    jo.walk(Direction::Right, 17, 9).await;
    jo.send(&buy(TONIC, 1, session)).await;
    jo.send(&sell(TONIC, 1, session)).await;
    nothing_happens(&mut jo, "out of reach").await;
    // Back in reach, the same session is good again: the gold and tonics are as they were.
    jo.walk(Direction::Left, 16, 9).await;
    jo.send(&buy(TONIC, 1, session)).await;
    assert_eq!(bought(&mut jo).await.gold_amount, 475);
    drop(jo);
    let items = relog(&server, "jolie").await;
    assert_eq!((held(&items, GOLD), held(&items, TONIC)), (475, 6));
    server.stop().await;
}

#[path = "common/binary.rs"]
mod binary;

#[test]
fn the_binary_refuses_to_start_on_a_damaged_shop_file_naming_it_and_the_record() {
    let world = shop_world();
    // Cut inside the last of the three shops (the Guild Stall).
    let file = world.data_dir.join("pub/dts001.esf");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 2]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = world.data_dir.clone();
    let config = binary::config_in(dir.path(), move |c| c.world.data_dir = data_dir);
    let path = dir.path().join("eo-server.toml");
    std::fs::write(&path, config.to_toml_string()).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eo-server"))
        .arg("--config")
        .arg(&path)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server started on a damaged shop file");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("dts001.esf"), "{said}");
    assert!(
        said.contains("record 3") && said.contains("cut short"),
        "{said}"
    );
}
