//! Items and character growth with real clients: the stats a character enters with, ground
//! items (drop, pick up, junk, protection, expiry, races), equipment, item use, stat points.

mod common;

use common::*;
use eo_protocol::net::Weight;
use eo_protocol::net::server::ServerPacket;

/// A character of the bundled world's class 2 (Warrior: str +3, con +2), level 2, with the
/// blade (item 2) and the boots (item 9) on, gold and three tonics.
fn warrior(c: &mut eo_server::db::Character) {
    c.level = 2;
    c.class = 2;
    c.str = 6;
    c.agi = 3;
    c.con = 4;
    c.hp = 5;
    c.equipment.weapon = 2;
    c.equipment.boots = 9;
    c.inventory = vec![(1, 500), (10, 3)];
}

#[tokio::test]
async fn entering_sends_the_derived_stats_weight_inventory_and_equipment() {
    let server = TestServer::start(|_| {}).await;
    let mut alice = TestClient::connected(server.addr).await;
    let id = create_character(&mut alice, "alice").await;
    edit_character(&server, id, warrior).await;
    let entered = enter_character(&mut alice, id).await;

    let stats = &entered.select.stats;
    // formulas.toml: max_hp = 10 + 2.5 * level + 2.5 * con (con 4 + 2 from the class).
    assert_eq!((stats.hp, stats.max_hp), (5, 30));
    assert_eq!(stats.max_tp, 15);
    assert_eq!(stats.max_sp, 24);
    assert_eq!(stats.base.str, 9, "str 6 + 3 from the class");
    assert_eq!(stats.base.agi, 4, "agi 3 + 1 from the boots");
    // Damage: the blade's 3-6 plus str 9 / 3; accuracy: blade 2 + agi 4 / 3.
    assert_eq!(
        (stats.secondary.min_damage, stats.secondary.max_damage),
        (6, 9)
    );
    assert_eq!(stats.secondary.accuracy, 3);
    assert_eq!(stats.secondary.armor, 2);
    assert_eq!(
        entered.select.equipment.weapon, 2,
        "item ids on one's own paperdoll"
    );
    // Blade 10 + boots 4 + three tonics; max weight 70 + str 9.
    assert_eq!(
        entered.enter.weight,
        Weight {
            current: 17,
            max: 79
        }
    );
    let items: Vec<(u16, u32)> = entered
        .enter
        .items
        .iter()
        .map(|i| (i.id, i.amount))
        .collect();
    assert_eq!(items, [(1, 500), (10, 3)]);

    // A neighbour sees the real HP and the equipment's doll graphics.
    let mut bob = TestClient::connected(server.addr).await;
    let bob_id = create_character(&mut bob, "bobby").await;
    let seen = enter_character(&mut bob, bob_id).await;
    let her = seen
        .enter
        .nearby
        .characters
        .iter()
        .find(|c| c.name == "alice")
        .expect("alice in view");
    assert_eq!((her.hp, her.max_hp, her.level), (5, 30, 2));
    assert_eq!((her.equipment.weapon, her.equipment.boots), (1, 1));

    // Logging out saves what the map held.
    drop(alice);
    expect(&mut bob, |p| match p {
        ServerPacket::AvatarRemove(_) => Some(()),
        _ => None,
    })
    .await;
    let saved = saved_character(&server, id).await;
    assert_eq!((saved.hp, saved.level, saved.str), (5, 2, 6));
    assert_eq!(saved.inventory, [(1, 500), (10, 3)]);
    assert_eq!((saved.equipment.weapon, saved.equipment.boots), (2, 9));
    server.stop().await;
}
