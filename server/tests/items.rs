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

use eo_protocol::net::client::{
    ByteCoords, ItemDropClientPacket, ItemGetClientPacket, ItemJunkClientPacket,
    ItemUseClientPacket, PaperdollAddClientPacket, PaperdollRemoveClientPacket,
    PaperdollRequestClientPacket, RefreshRequestClientPacket, StatId, StatSkillAddClientPacket,
    StatSkillAddClientPacketActionTypeData, StatSkillAddClientPacketActionTypeDataStat, TrainType,
    WalkAction, WalkPlayerClientPacket,
};
use eo_protocol::net::server::{AvatarChangeChangeTypeData, ItemReplyServerPacketItemTypeData};
use eo_protocol::net::{Item, ThreeItem};

/// Waits for the next packet of one kind, skipping others.
macro_rules! wait {
    ($client:expr, $kind:ident) => {
        expect($client, |p| match p {
            ServerPacket::$kind(x) => Some(x),
            _ => None,
        })
        .await
    };
}

/// A player in the game at the spawn point, its character edited first. Returns the client
/// and the character's id.
async fn player(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> (TestClient, i32) {
    let (client, id, _) = edited_player(server, name, edit).await;
    (client, id)
}

/// Everything the client receives until the reply to a Refresh_Request (which comes last):
/// what the server sent before it, and what it shows.
async fn until_refresh(
    client: &mut TestClient,
) -> (Vec<ServerPacket>, eo_protocol::net::server::NearbyInfo) {
    client.send(&RefreshRequestClientPacket).await;
    let mut before = Vec::new();
    loop {
        match client.recv().await {
            ServerPacket::RefreshReply(reply) => return (before, reply.nearby),
            other => before.push(other),
        }
    }
}

fn drop_here(id: u16, amount: u32) -> ItemDropClientPacket {
    ItemDropClientPacket {
        item: ThreeItem { id, amount },
        coords: ByteCoords { x: 255, y: 255 },
    }
}

/// Saves everyone through the control socket (the live state from the maps).
async fn save_all(server: &TestServer) {
    let mut control = Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
}

fn gold(c: &eo_server::db::Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

#[tokio::test]
async fn a_drop_is_protected_for_the_dropper_and_seen_by_neighbours() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id) = player(&server, "alice", |c| c.inventory = vec![(1, 500)]).await;
    let (mut bob, _) = player(&server, "bobby", |_| {}).await;

    alice.send(&drop_here(1, 120)).await;
    let dropped = wait!(&mut alice, ItemDrop);
    assert_eq!(
        (dropped.dropped_item.amount, dropped.remaining_amount),
        (120, 380)
    );
    assert_eq!((dropped.coords.x, dropped.coords.y), (16, 9));
    let added = wait!(&mut bob, ItemAdd);
    assert_eq!(
        (added.item_id, added.item_amount, added.item_index),
        (1, 120, dropped.item_index)
    );
    // Bob may not take it yet: the dropper's protection.
    bob.send(&ItemGetClientPacket {
        item_index: dropped.item_index,
    })
    .await;
    wait!(&mut bob, ItemSpec);
    // The nearby list shows it, and the pile is still whole.
    let (_, nearby) = until_refresh(&mut bob).await;
    assert_eq!(nearby.items.len(), 1);
    assert_eq!(nearby.items[0].amount, 120);
    // Alice takes it back; bob sees it go.
    alice
        .send(&ItemGetClientPacket {
            item_index: dropped.item_index,
        })
        .await;
    let got = wait!(&mut alice, ItemGet);
    assert_eq!(got.taken_item, ThreeItem { id: 1, amount: 120 });
    let removed = wait!(&mut bob, ItemRemove);
    assert_eq!(removed.item_index, dropped.item_index);
    save_all(&server).await;
    assert_eq!(gold(&saved_character(&server, alice_id).await), 500);
    server.stop().await;
}

#[tokio::test]
async fn two_players_racing_for_one_pile_exactly_one_gets_it() {
    let server = TestServer::start(|c| c.items.drop_protect_player_secs = 0).await;
    let (mut alice, alice_id) = player(&server, "alice", |c| c.inventory = vec![(1, 500)]).await;
    let (mut bob, bob_id) = player(&server, "bobby", |_| {}).await;
    let (mut carol, carol_id) = player(&server, "carol", |_| {}).await;
    for round in 0..5 {
        alice.send(&drop_here(1, 100)).await;
        let dropped = wait!(&mut alice, ItemDrop);
        let uid = dropped.item_index;
        wait!(&mut bob, ItemAdd);
        wait!(&mut carol, ItemAdd);
        // Both ask at once.
        let get = ItemGetClientPacket { item_index: uid };
        tokio::join!(bob.send(&get), carol.send(&get));
        let bob_saw = map_barrier(&mut bob).await;
        let carol_saw = map_barrier(&mut carol).await;
        let took = |seen: &[ServerPacket]| {
            seen.iter()
                .filter(|p| matches!(p, ServerPacket::ItemGet(g) if g.taken_item.amount == 100))
                .count()
        };
        assert_eq!(
            took(&bob_saw) + took(&carol_saw),
            1,
            "round {round}: exactly one takes the pile"
        );
    }
    save_all(&server).await;
    let total = gold(&saved_character(&server, alice_id).await)
        + gold(&saved_character(&server, bob_id).await)
        + gold(&saved_character(&server, carol_id).await);
    assert_eq!(total, 500, "no gold made or lost");
    assert_eq!(gold(&saved_character(&server, alice_id).await), 0);
    server.stop().await;
}

#[tokio::test]
async fn amounts_from_clients_are_checked() {
    let server = TestServer::start(|c| c.items.max_drop_amount = 1000).await;
    let (mut alice, alice_id) = player(&server, "alice", |c| {
        c.inventory = vec![(1, 5000), (10, 3)];
    })
    .await;
    // Nothing happens for 0, for more than max_drop_amount, for an item not held, for an
    // unknown item, too far away (x + 1 encoded: 16 + 3 steps), or onto a wall (the town's
    // edge at (0, 9)).
    for bad in [
        drop_here(1, 0),
        drop_here(1, 1001),
        drop_here(7, 1),
        drop_here(999, 1),
        ItemDropClientPacket {
            item: ThreeItem { id: 1, amount: 1 },
            coords: ByteCoords { x: 20, y: 10 },
        },
        ItemDropClientPacket {
            item: ThreeItem { id: 1, amount: 1 },
            coords: ByteCoords { x: 1, y: 10 },
        },
    ] {
        alice.send(&bad).await;
    }
    alice
        .send(&ItemJunkClientPacket {
            item: Item { id: 1, amount: 0 },
        })
        .await;
    alice
        .send(&ItemJunkClientPacket {
            item: Item {
                id: 1,
                amount: 1001,
            },
        })
        .await;
    let seen = map_barrier(&mut alice).await;
    let (_, nearby) = until_refresh(&mut alice).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::ItemDrop(_) | ServerPacket::ItemJunk(_))),
        "{seen:?}"
    );
    assert!(nearby.items.is_empty());
    // Next to her (17, 10 encoded as 18, 11) is fine; junking more than she has junks all.
    alice
        .send(&ItemDropClientPacket {
            item: ThreeItem {
                id: 1,
                amount: 1000,
            },
            coords: ByteCoords { x: 18, y: 11 },
        })
        .await;
    let dropped = wait!(&mut alice, ItemDrop);
    assert_eq!((dropped.coords.x, dropped.coords.y), (17, 10));
    assert_eq!(dropped.remaining_amount, 4000);
    alice
        .send(&ItemJunkClientPacket {
            item: Item { id: 10, amount: 50 },
        })
        .await;
    let junked = wait!(&mut alice, ItemJunk);
    assert_eq!((junked.junked_item.amount, junked.remaining_amount), (3, 0));
    save_all(&server).await;
    assert_eq!(
        saved_character(&server, alice_id).await.inventory,
        [(1, 4000)]
    );
    server.stop().await;
}

#[tokio::test]
async fn weight_limits_pickups_and_walking() {
    let server = TestServer::start(|c| c.items.drop_protect_player_secs = 0).await;
    // Max weight 70 + str 0: 60 tonics (1 each) leave room for 10.
    let (mut alice, _) = player(&server, "alice", |c| c.inventory = vec![(10, 60)]).await;
    let (mut bob, bob_id) = player(&server, "bobby", |c| c.inventory = vec![(10, 30)]).await;
    bob.send(&drop_here(10, 30)).await;
    let dropped = wait!(&mut bob, ItemDrop);
    assert_eq!(
        dropped.weight,
        Weight {
            current: 0,
            max: 70
        }
    );
    alice
        .send(&ItemGetClientPacket {
            item_index: dropped.item_index,
        })
        .await;
    let got = wait!(&mut alice, ItemGet);
    assert_eq!(got.taken_item.amount, 10, "only what she can carry");
    assert_eq!(
        got.weight,
        Weight {
            current: 70,
            max: 70
        }
    );
    // The rest stays on the ground, for everyone to see.
    let rest = wait!(&mut alice, ItemAdd);
    assert_eq!(rest.item_amount, 20);
    // Now she cannot take more, and with one more she could not walk.
    alice
        .send(&ItemGetClientPacket {
            item_index: dropped.item_index,
        })
        .await;
    let seen = map_barrier(&mut alice).await;
    assert!(!seen.iter().any(|p| matches!(p, ServerPacket::ItemGet(_))));
    bob.send(&ItemGetClientPacket {
        item_index: dropped.item_index,
    })
    .await;
    assert_eq!(wait!(&mut bob, ItemGet).taken_item.amount, 20);
    save_all(&server).await;
    assert_eq!(saved_character(&server, bob_id).await.inventory, [(10, 20)]);
    server.stop().await;

    let server = TestServer::start(|_| {}).await;
    let (mut heavy, _) = player(&server, "heavy", |c| c.inventory = vec![(10, 71)]).await;
    heavy
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: eo_protocol::Direction::Left,
                timestamp: 0,
                coords: eo_protocol::Coords { x: 15, y: 9 },
            },
        })
        .await;
    // The walk is refused: the client is put back where it stood.
    let refresh = wait!(&mut heavy, RefreshReply);
    let me = refresh
        .nearby
        .characters
        .iter()
        .find(|c| c.name == "heavy")
        .unwrap();
    assert_eq!((me.coords.x, me.coords.y), (16, 9));
    server.stop().await;
}

#[tokio::test]
async fn equipping_checks_requirements_and_others_see_the_look_change() {
    let server = TestServer::start(|_| {}).await;
    // A classless level-0 woman: the blade fits; the bow needs level 2, the jerkin is for
    // men, the staff is for Mages.
    let (mut alice, alice_id) = player(&server, "alice", |c| {
        c.inventory = vec![(2, 1), (3, 1), (5, 1), (6, 1), (19, 1), (20, 2)];
    })
    .await;
    let (mut bob, _) = player(&server, "bobby", |_| {}).await;
    let equip = |item_id, sub_loc| PaperdollAddClientPacket { item_id, sub_loc };
    for (item, sub_loc) in [(3, 0), (6, 0), (19, 0), (20, 2)] {
        alice.send(&equip(item, sub_loc)).await;
    }
    let seen = map_barrier(&mut alice).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::PaperdollAgree(_))),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|p| matches!(p, ServerPacket::PaperdollPing(ping) if ping.class_id == 0)),
        "the wrong class is told with Paperdoll_Ping: {seen:?}"
    );
    alice.send(&equip(2, 0)).await;
    let agreed = wait!(&mut alice, PaperdollAgree);
    assert_eq!((agreed.item_id, agreed.remaining_amount), (2, 0));
    let stats = agreed.stats.secondary_stats;
    assert_eq!(
        (stats.min_damage, stats.max_damage, stats.accuracy),
        (3, 6, 2)
    );
    let look = wait!(&mut bob, AvatarAgree);
    let Some(AvatarChangeChangeTypeData::Equipment(change)) = look.change.change_type_data else {
        panic!("an equipment change: {look:?}")
    };
    assert_eq!(change.equipment.weapon, 1, "the blade's doll graphic");
    // Both armlet slots; the second armlet's con shows in the stats.
    alice.send(&equip(20, 0)).await;
    alice.send(&equip(20, 1)).await;
    let first = wait!(&mut alice, PaperdollAgree);
    let second = wait!(&mut alice, PaperdollAgree);
    assert_eq!((first.sub_loc, first.remaining_amount), (0, 1));
    assert_eq!((second.sub_loc, second.stats.base_stats.con), (1, 2));
    alice.send(&equip(5, 0)).await;
    wait!(&mut alice, PaperdollAgree);
    // Bob's view of her paperdoll: the real equipment, as item ids.
    bob.send(&PaperdollRequestClientPacket {
        player_id: alice.player_id,
    })
    .await;
    let doll = wait!(&mut bob, PaperdollReply);
    assert_eq!(
        (
            doll.equipment.weapon,
            doll.equipment.armor,
            doll.equipment.armlet
        ),
        (2, 5, [20, 20])
    );
    // Taking the blade off: back in the inventory, bob sees the empty hand.
    alice
        .send(&PaperdollRemoveClientPacket {
            item_id: 2,
            sub_loc: 0,
        })
        .await;
    let removed = wait!(&mut alice, PaperdollRemove);
    assert_eq!(removed.stats.secondary_stats.min_damage, 1);
    let look = loop {
        let look = wait!(&mut bob, AvatarAgree);
        if let Some(AvatarChangeChangeTypeData::Equipment(change)) = look.change.change_type_data
            && change.equipment.weapon == 0
        {
            break change;
        }
    };
    assert_eq!(look.equipment.armor, 1, "the tunic's doll graphic");
    save_all(&server).await;
    let saved = saved_character(&server, alice_id).await;
    assert_eq!(
        (
            saved.equipment.weapon,
            saved.equipment.armor,
            saved.equipment.armlet
        ),
        (0, 5, [20, 20])
    );
    assert_eq!(saved.inventory, [(3, 1), (6, 1), (19, 1), (2, 1)]);

    // A Mage (class 3, int +3) may take up the staff.
    let (mut mage, _) = player(&server, "merlin", |c| {
        c.class = 3;
        c.inventory = vec![(19, 1)];
    })
    .await;
    mage.send(&equip(19, 0)).await;
    let agreed = wait!(&mut mage, PaperdollAgree);
    assert_eq!(agreed.item_id, 19);
    assert_eq!(agreed.stats.base_stats.intl, 3);
    server.stop().await;
}

#[tokio::test]
async fn using_items_heals_levels_up_dyes_and_teleports() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id) = player(&server, "alice", |c| {
        c.hp = 1;
        c.experience = 50;
        c.equipment.ring = [18, 0];
        c.inventory = vec![
            (10, 2),
            (11, 1),
            (12, 1),
            (13, 1),
            (14, 1),
            (15, 1),
            (16, 2),
        ];
    })
    .await;
    let (mut bob, _) = player(&server, "bobby", |_| {}).await;
    let use_item = |item_id| ItemUseClientPacket { item_id };

    // The tonic heals up to the maximum (10 at level 0); bob sees it.
    alice.send(&use_item(10)).await;
    let reply = wait!(&mut alice, ItemReply);
    let Some(ItemReplyServerPacketItemTypeData::Heal(heal)) = reply.item_type_data else {
        panic!("{reply:?}")
    };
    assert_eq!((heal.hp_gain, heal.hp, reply.used_item.amount), (9, 10, 1));
    let healed = wait!(&mut bob, RecoverAgree);
    assert_eq!((healed.heal_hp, healed.hp_percentage), (9, 100));
    // At full health it does nothing and is not used up.
    alice.send(&use_item(10)).await;
    let seen = map_barrier(&mut alice).await;
    assert!(!seen.iter().any(|p| matches!(p, ServerPacket::ItemReply(_))));

    // 100 experience on top of 50 reaches level 1 (133): points, new maxima, and bob sees
    // the level-up effect.
    alice.send(&use_item(12)).await;
    let reply = wait!(&mut alice, ItemReply);
    let Some(ItemReplyServerPacketItemTypeData::ExpReward(exp)) = reply.item_type_data else {
        panic!("{reply:?}")
    };
    assert_eq!(
        (
            exp.experience,
            exp.level_up,
            exp.stat_points,
            exp.skill_points
        ),
        (150, 1, 3, 4)
    );
    assert_eq!(exp.max_hp, 12);
    assert_eq!(wait!(&mut bob, ItemAccept).player_id, alice.player_id);
    // The online list has the new level too.
    let mut control = Control::connect(&server.socket).await;
    let online = control.ok("players", serde_json::json!({})).await;
    let listed = online["players"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "alice")
        .unwrap()
        .clone();
    assert_eq!(listed["level"], 1, "{online}");

    alice.send(&use_item(13)).await;
    let reply = wait!(&mut alice, ItemReply);
    assert!(matches!(
        reply.item_type_data,
        Some(ItemReplyServerPacketItemTypeData::HairDye(ref d)) if d.hair_color == 2
    ));
    let look = wait!(&mut bob, AvatarAgree);
    assert!(matches!(
        look.change.change_type_data,
        Some(AvatarChangeChangeTypeData::HairColor(ref c)) if c.hair_color == 2
    ));

    alice.send(&use_item(14)).await;
    let reply = wait!(&mut alice, ItemReply);
    assert!(matches!(
        reply.item_type_data,
        Some(ItemReplyServerPacketItemTypeData::EffectPotion(ref e)) if e.effect_id == 1
    ));
    let effect = wait!(&mut bob, EffectPlayer);
    assert_eq!(effect.effects[0].player_id, alice.player_id);

    alice.send(&use_item(15)).await;
    let reply = wait!(&mut alice, ItemReply);
    assert_eq!(reply.item_type, eo_protocol::pubs::ItemType::Alcohol);

    // The salts destroy the cursed ring (and are used up); a second dose does nothing.
    alice.send(&use_item(16)).await;
    let reply = wait!(&mut alice, ItemReply);
    let Some(ItemReplyServerPacketItemTypeData::CureCurse(cure)) = reply.item_type_data else {
        panic!("{reply:?}")
    };
    assert_eq!(cure.stats.base_stats.cha, 0, "the ring's cha is gone");
    alice.send(&use_item(16)).await;
    let seen = map_barrier(&mut alice).await;
    assert!(!seen.iter().any(|p| matches!(p, ServerPacket::ItemReply(_))));

    // The scroll offers a warp to its destination.
    alice.send(&use_item(11)).await;
    let warp = wait!(&mut alice, WarpRequest);
    assert_eq!(warp.map_id, 1);
    // An item she does not have.
    alice.send(&use_item(11)).await;
    assert_eq!(wait!(&mut alice, ItemAgree).item_id, 11);

    save_all(&server).await;
    let saved = saved_character(&server, alice_id).await;
    assert_eq!(
        (saved.level, saved.experience, saved.hair_color),
        (1, 150, 2)
    );
    assert_eq!((saved.stat_points, saved.skill_points), (3, 4));
    assert_eq!(saved.equipment.ring, [0, 0]);
    assert_eq!(saved.inventory, [(10, 1), (16, 1)]);
    server.stop().await;
}

#[tokio::test]
async fn stat_points_are_spent_and_kept_across_a_relog() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, alice_id) = player(&server, "alice", |c| {
        c.stat_points = 2;
        c.skill_points = 1;
        c.spells = vec![(1, 0)];
        c.inventory = vec![(1, 10)];
    })
    .await;
    let add_str = StatSkillAddClientPacket {
        action_type: TrainType::Stat,
        action_type_data: Some(StatSkillAddClientPacketActionTypeData::Stat(
            StatSkillAddClientPacketActionTypeDataStat {
                stat_id: StatId::Str,
            },
        )),
    };
    for _ in 0..3 {
        alice.send(&add_str).await;
    }
    let first = wait!(&mut alice, StatSkillPlayer);
    assert_eq!((first.stat_points, first.stats.base_stats.str), (1, 1));
    assert_eq!(first.stats.max_weight, 71, "70 + str");
    let second = wait!(&mut alice, StatSkillPlayer);
    assert_eq!((second.stat_points, second.stats.base_stats.str), (0, 2));
    let seen = map_barrier(&mut alice).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::StatSkillPlayer(_))),
        "no third point"
    );
    // A skill point on a known spell; none left for a second.
    let add_skill = StatSkillAddClientPacket {
        action_type: TrainType::Skill,
        action_type_data: Some(StatSkillAddClientPacketActionTypeData::Skill(
            eo_protocol::net::client::StatSkillAddClientPacketActionTypeDataSkill { spell_id: 1 },
        )),
    };
    alice.send(&add_skill).await;
    alice.send(&add_skill).await;
    let skill = wait!(&mut alice, StatSkillAccept);
    assert_eq!(
        (skill.skill_points, skill.spell.id, skill.spell.level),
        (0, 1, 1)
    );
    // Drop some gold and log out: it is saved with the new stats, and back on the next login.
    alice.send(&drop_here(1, 4)).await;
    wait!(&mut alice, ItemDrop);
    drop(alice);
    // The account is free again once the logout save is done: until then a login gets
    // "already logged in", so try again (a bounded number of times).
    let mut again = TestClient::connected(server.addr).await;
    let mut tries = 0;
    while again.login("alice", "secret1").await.reply_code
        != eo_protocol::net::server::LoginReply::Ok
    {
        tries += 1;
        assert!(tries < 500, "the account is still online after 5 s");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let entered = enter_character(&mut again, alice_id).await;
    assert_eq!(entered.select.stats.stat_points, 0);
    assert_eq!(entered.select.stats.base.str, 2);
    let items: Vec<(u16, u32)> = entered
        .enter
        .items
        .iter()
        .map(|i| (i.id, i.amount))
        .collect();
    assert_eq!(items, [(1, 6)]);
    // The gold she dropped is still on the ground.
    assert_eq!(entered.enter.nearby.items.len(), 1);
    assert_eq!(entered.enter.nearby.items[0].amount, 4);
    let saved = saved_character(&server, alice_id).await;
    assert_eq!(saved.spells, [(1, 1)]);
    server.stop().await;
}

#[tokio::test]
async fn ground_items_expire_and_a_map_holds_only_so_many() {
    let server = TestServer::start(|c| {
        c.items.ground_item_secs = 1;
        c.items.max_ground_items = 2;
    })
    .await;
    let (mut alice, alice_id) = player(&server, "alice", |c| c.inventory = vec![(1, 10)]).await;
    let (mut bob, _) = player(&server, "bobby", |_| {}).await;
    for _ in 0..3 {
        alice.send(&drop_here(1, 1)).await;
    }
    let seen = map_barrier(&mut alice).await;
    let drops = seen
        .iter()
        .filter(|p| matches!(p, ServerPacket::ItemDrop(_)))
        .count();
    assert_eq!(drops, 2, "the third is refused at the map's cap");
    // A second later both vanish, for everyone in view.
    wait!(&mut bob, ItemRemove);
    wait!(&mut bob, ItemRemove);
    let (_, nearby) = until_refresh(&mut bob).await;
    assert!(nearby.items.is_empty());
    save_all(&server).await;
    assert_eq!(gold(&saved_character(&server, alice_id).await), 8);
    server.stop().await;
}

#[tokio::test]
async fn a_walker_is_shown_the_items_that_come_into_view() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, _) = player(&server, "alice", |c| c.inventory = vec![(10, 5)]).await;
    // Bob stands 13 steps west of alice (16, 9): out of view (11).
    let (mut bob, _) = player(&server, "bobby", |c| (c.x, c.y) = (3, 9)).await;
    alice.send(&drop_here(10, 5)).await;
    let dropped = wait!(&mut alice, ItemDrop);
    let (_, nearby) = until_refresh(&mut bob).await;
    assert!(nearby.items.is_empty(), "not in view yet");
    for x in [4, 5] {
        // Stamped as a client would (two walks stamped alike are refused as too fast).
        bob.walk(eo_protocol::Direction::Right, x, 9).await;
    }
    let first = wait!(&mut bob, WalkReply);
    assert!(first.items.is_empty(), "12 steps away");
    let second = wait!(&mut bob, WalkReply);
    assert_eq!(second.items.len(), 1, "11 steps away: in view");
    assert_eq!(
        (
            second.items[0].uid,
            second.items[0].id,
            second.items[0].amount
        ),
        (dropped.item_index, 10, 5)
    );
    server.stop().await;
}
