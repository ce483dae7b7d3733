//! Fighting over real TCP: players killing NPCs for drops and shared experience, NPCs
//! striking back, death and respawn, PvP only on PK maps, bosses and their children,
//! regeneration, and how many packets a crowd fight sends.
//!
//! The test world's formulas make every blow hit for ten times its rolled damage (an unarmed
//! character rolls 1, so 10), and its NPCs are made for the tests (a straw dummy, a brute...).

mod common;

use std::collections::HashSet;

use common::world::{TestWorld, added_npc};
use common::{TestClient, TestServer, edited_player, expect};
use eo_protocol::Coords;
use eo_protocol::Direction;
use eo_protocol::net::client::{
    AttackUseClientPacket, ItemGetClientPacket, NpcRangeRequestClientPacket,
    RefreshRequestClientPacket, SitAction, SitRequestClientPacket,
    SitRequestClientPacketSitActionData, SitRequestClientPacketSitActionDataSit,
    TalkReportClientPacket, WalkAction, WalkPlayerClientPacket, WarpAcceptClientPacket,
};
use eo_protocol::net::server::{
    NearbyInfo, NpcKilledData, PlayerKilledState, ServerPacket, WarpType,
};
use eo_server::config::Config;

// NPCs made for the tests (`test_npcs`), appended after the bundled ones; their ids in order.
fn dummy_id() -> u16 {
    added_npc(1)
}
fn golden_dummy_id() -> u16 {
    added_npc(2)
}
fn brute_id() -> u16 {
    added_npc(3)
}
fn wasp_id() -> u16 {
    added_npc(4)
}
fn boss_id() -> u16 {
    added_npc(5)
}
fn imp_id() -> u16 {
    added_npc(6)
}
fn gnat_id() -> u16 {
    added_npc(7)
}

/// The NPCs made for the tests, as `npcs.toml` records.
fn test_npcs() -> String {
    format!(
        r#"
[[npc]]
id = {dummy}
name = "Straw Dummy"
graphic = 4
type = "Passive"
hp = 30
level = 1
experience = 30

[[npc]]
id = {golden_dummy}
name = "Golden Dummy"
graphic = 4
type = "Passive"
hp = 10
level = 1
experience = 5000

[[npc]]
id = {brute}
name = "Test Brute"
graphic = 5
type = "Aggressive"
hp = 1000
min_damage = 5
max_damage = 5
level = 5

[[npc]]
id = {wasp}
name = "Test Wasp"
graphic = 5
type = "Passive"
hp = 1000
min_damage = 1
max_damage = 1
level = 1

[[npc]]
id = {boss}
name = "Test Boss"
graphic = 6
type = "Passive"
boss = true
hp = 10
experience = 10

[[npc]]
id = {imp}
name = "Test Imp"
graphic = 7
type = "Passive"
child = true
hp = 100

[[npc]]
id = {gnat}
name = "Test Gnat"
graphic = 5
type = "Aggressive"
hp = 100
level = 1
"#,
        dummy = dummy_id(),
        golden_dummy = golden_dummy_id(),
        brute = brute_id(),
        wasp = wasp_id(),
        boss = boss_id(),
        imp = imp_id(),
        gnat = gnat_id(),
    )
}

/// Every blow hits, never critically, for ten times the rolled damage; regeneration every
/// `recovery_secs`, 4 HP sitting and 1 standing.
fn formulas(recovery_secs: u32) -> String {
    format!(
        "[combat]\nhit_rate = \"1\"\ncritical_rate = \"0\"\ndamage = \"damage * 10\"\n\
         [recovery]\ninterval_secs = {recovery_secs}\nhp = \"if(sitting, 4, 1)\"\ntp = \"0\"\n"
    )
}

/// The dummy always drops 7 gold.
fn drops() -> String {
    format!(
        "[[npc]]\nid = {}\ndrops = [{{ item = 1, min = 7, max = 7, chance = 100 }}]\n",
        dummy_id()
    )
}

/// A walled room 12 x 7 with its relog point at (10, 5); players start at (2, 3). `spawns`
/// are `[[npc]]` tables.
fn arena(kind: &str, spawns: &str) -> String {
    format!(
        r#"
name = "Test Arena"
type = "{kind}"
width = 12
height = 7
fill_tile = 1
relog = {{ x = 10, y = 5 }}
layout = '''
############
#..........#
#..........#
#..........#
#..........#
#..........#
############
'''
{spawns}
"#
    )
}

/// A `[[npc]]` spawn of `npc` at (x, y) (spawn type 7 stands still; 0 moves every tick).
fn spawn(npc: u16, x: u8, y: u8, spawn_type: u8, spawn_time: u16) -> String {
    format!(
        "\n[[npc]]\nx = {x}\ny = {y}\nnpc = {npc}\nspawn_type = {spawn_type}\nspawn_time = {spawn_time}\n"
    )
}

fn test_world(maps: &[String], recovery_secs: u32) -> TestWorld {
    test_world_with(maps, &formulas(recovery_secs))
}

/// [`test_world`] with its own formulas file.
fn test_world_with(maps: &[String], formulas: &str) -> TestWorld {
    let builder = common::world::world()
        .append("npcs.toml", &test_npcs())
        .data_file("formulas.toml", formulas)
        .data_file("drops.toml", &drops());
    maps.iter()
        .fold(builder, |builder, map| builder.map(map))
        .build()
}

/// A server on `world` whose new characters start on `map` at (2, 3), with a fast clock and a
/// fixed seed; `adjust` may change more.
async fn start(world: &TestWorld, map: u16, adjust: impl FnOnce(&mut Config)) -> TestServer {
    world
        .serve((map, 2, 3), move |config| {
            config.npcs.tick_ms = 20;
            config.npcs.speeds_ms = [20; 7];
            config.npcs.spawn_radius = 0;
            config.npcs.seed = 11;
            adjust(config);
        })
        .await
}

/// A player in the game at the spawn point, its saved character edited first.
async fn player(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> (
    TestClient,
    eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
) {
    let (client, _, entered) = edited_player(server, name, edit).await;
    (client, entered)
}

async fn attack(client: &mut TestClient, direction: Direction) {
    // Stamped as a client would: two attacks stamped alike are refused as too fast.
    let timestamp = client.next_walk_stamp();
    client
        .send(&AttackUseClientPacket {
            direction,
            timestamp,
        })
        .await;
}

/// Waits until the map has handled everything this client sent before: the map handles a
/// player's requests in order, so its Refresh_Reply comes after them.
async fn barrier(client: &mut TestClient) -> NearbyInfo {
    client.send(&RefreshRequestClientPacket).await;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(r) => Some(r.nearby),
        _ => None,
    })
    .await
}

async fn kill_of(client: &mut TestClient) -> (NpcKilledData, Option<u32>) {
    expect(client, |p| match p {
        ServerPacket::NpcSpec(s) => Some((s.npc_killed_data, s.experience)),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_player_kills_an_npc_picks_up_its_drop_gains_experience_and_it_respawns() {
    let world = test_world(&[arena("Normal", &spawn(dummy_id(), 3, 3, 7, 1))], 90);
    let map = world.first_new_map;
    let server = start(&world, map, |c| c.npcs.respawn_rate = 0.001).await;
    let (mut hero, entered) = player(&server, "hero", |_| {}).await;
    let dummy = entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == dummy_id())
        .map_or(0, |n| n.index);
    let me = hero.player_id;

    // Two blows of 10 on 30 HP: HP bars at 66% and 33%.
    for left in [66, 33] {
        attack(&mut hero, Direction::Right).await;
        let reply = expect(&mut hero, |p| match p {
            ServerPacket::NpcReply(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!((reply.player_id, reply.npc_index), (me, u16::from(dummy)));
        assert_eq!((reply.damage, reply.hp_percentage), (10, left));
        assert!(
            reply.kill_steal_protection.is_some(),
            "the attacker's own flag"
        );
    }
    // The third kills it: its drop (7 gold, from the test drop table) lies where it stood and
    // the killer is told its experience.
    attack(&mut hero, Direction::Right).await;
    let (killed, experience) = kill_of(&mut hero).await;
    assert_eq!((killed.killer_id, killed.npc_index), (me, u16::from(dummy)));
    assert_eq!((killed.drop_id, killed.drop_amount), (1, 7));
    assert_eq!((killed.drop_coords.x, killed.drop_coords.y), (3, 3));
    assert_eq!(killed.damage, 10);
    assert_eq!(experience, Some(30));
    assert_ne!(killed.drop_index, 0);

    hero.send(&ItemGetClientPacket {
        item_index: killed.drop_index,
    })
    .await;
    let got = expect(&mut hero, |p| match p {
        ServerPacket::ItemGet(g) => Some(g),
        _ => None,
    })
    .await;
    assert_eq!((got.taken_item.id, got.taken_item.amount), (1, 7));

    // Its spawn time (1 s, at the test's respawn rate 1/1000) passes: it is back.
    let back = expect(&mut hero, |p| match p {
        ServerPacket::RangeReply(r) => r.nearby.npcs.into_iter().find(|n| n.index == dummy),
        _ => None,
    })
    .await;
    assert_eq!((back.id, back.coords.x, back.coords.y), (dummy_id(), 3, 3));
    drop(hero);
    server.stop().await;
}

#[tokio::test]
async fn experience_is_shared_by_damage_dealt() {
    let world = test_world(&[arena("Normal", &spawn(dummy_id(), 3, 3, 7, 60))], 90);
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut first, _) = player(&server, "first", |_| {}).await;
    let (mut second, _) = player(&server, "second", |_| {}).await;
    // First strikes twice (20 of its 30 HP), second strikes the last 10.
    for _ in 0..2 {
        attack(&mut first, Direction::Right).await;
        expect(&mut first, |p| {
            matches!(p, ServerPacket::NpcReply(_)).then_some(())
        })
        .await;
    }
    attack(&mut second, Direction::Right).await;
    let (killed, experience) = kill_of(&mut second).await;
    assert_eq!(killed.killer_id, second.player_id);
    assert_eq!(experience, Some(10), "a third of 30");
    let (_, experience) = kill_of(&mut first).await;
    assert_eq!(experience, Some(20), "two thirds of 30");
    server.stop().await;
}

#[tokio::test]
async fn a_level_up_from_a_kill_is_seen_by_a_neighbour() {
    let world = test_world(
        &[arena("Normal", &spawn(golden_dummy_id(), 3, 3, 7, 60))],
        90,
    );
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut killer, _) = player(&server, "killer", |c| {
        (c.level, c.experience, c.stat_points) = (1, 0, 0);
    })
    .await;
    let (mut neighbour, _) = player(&server, "neighbour", |_| {}).await;
    attack(&mut killer, Direction::Right).await;
    // 5000 experience from level 1 is a few levels.
    let accepted = expect(&mut killer, |p| match p {
        ServerPacket::NpcAccept(a) => Some(a),
        _ => None,
    })
    .await;
    assert_eq!(accepted.experience, Some(5000));
    let level_up = accepted.level_up.expect("the level up");
    assert!(level_up.level > 1);
    assert_eq!(
        level_up.stat_points,
        3 * u16::from(level_up.level - 1),
        "3 per level"
    );
    // The neighbour sees the NPC die (without the killer's experience) and the level up.
    let (_, experience) = kill_of(&mut neighbour).await;
    assert_eq!(experience, None);
    let levelled = expect(&mut neighbour, |p| match p {
        ServerPacket::ItemAccept(a) => Some(a.player_id),
        _ => None,
    })
    .await;
    assert_eq!(levelled, killer.player_id);
    // Others now see the new level.
    let nearby = barrier(&mut neighbour).await;
    let seen = nearby
        .characters
        .iter()
        .find(|c| c.player_id == killer.player_id)
        .unwrap();
    assert_eq!(seen.level, level_up.level);
    server.stop().await;
}

#[tokio::test]
async fn a_crowd_hitting_one_npc_sends_each_viewer_one_update_per_tick() {
    const CROWD: usize = 8;
    // The wasp stands (spawn type 7) and has 1000 HP: eight blows of 10 do not kill it.
    let world = test_world(&[arena("Normal", &spawn(wasp_id(), 3, 3, 7, 60))], 90);
    // A slow tick, so the crowd's blows land within one tick (two at worst).
    let server = start(&world, world.first_new_map, |c| c.npcs.tick_ms = 300).await;
    let (mut watcher, _) = player(&server, "watcher", |_| {}).await;
    let mut crowd = Vec::new();
    for i in 0..CROWD {
        let name = format!("brawler{}", char::from(b'a' + i as u8));
        crowd.push(player(&server, &name, |_| {}).await.0);
    }
    for brawler in &mut crowd {
        attack(brawler, Direction::Right).await;
    }
    let mut replies = Vec::new();
    let mut swings = HashSet::new();
    let mut damage = 0;
    while damage < 10 * CROWD as u32 {
        match expect(&mut watcher, Some).await {
            ServerPacket::NpcReply(reply) => {
                assert!(
                    reply.kill_steal_protection.is_none(),
                    "only attackers get the flag"
                );
                damage += reply.damage;
                replies.push(reply);
            }
            ServerPacket::AttackPlayer(swing) => {
                swings.insert(swing.player_id);
            }
            _ => {}
        }
    }
    assert_eq!(damage, 80, "every blow is counted");
    assert!(
        replies.len() <= 2,
        "{} HP bar updates for {CROWD} blows",
        replies.len()
    );
    assert_eq!(
        replies.last().unwrap().hp_percentage,
        92,
        "920 of 1000 HP left"
    );
    // Each swing is shown once (the protocol has one swing per packet).
    assert_eq!(swings.len(), CROWD);
    // Each brawler gets the same update, with its kill-steal flag.
    for brawler in &mut crowd {
        let reply = expect(brawler, |p| match p {
            ServerPacket::NpcReply(r) => Some(r),
            _ => None,
        })
        .await;
        assert!(reply.kill_steal_protection.is_some());
    }
    server.stop().await;
}

#[tokio::test]
async fn several_npcs_striking_one_player_send_one_update_per_tick() {
    // Four gnats (aggressive, no damage) round the player strike it on every tick.
    let spawns: String = [(1, 3), (3, 3), (2, 2), (2, 4)]
        .iter()
        .map(|(x, y)| spawn(gnat_id(), *x, *y, 0, 60))
        .collect();
    let world = test_world(&[arena("Normal", &spawns)], 90);
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut victim, _) = player(&server, "victim", |_| {}).await;
    let me = victim.player_id;
    let mut widest = 0;
    for _ in 0..20 {
        let update = expect(&mut victim, |p| match p {
            ServerPacket::NpcPlayer(u) if !u.attacks.is_empty() => Some(u),
            _ => None,
        })
        .await;
        let strikers: HashSet<u8> = update.attacks.iter().map(|a| a.npc_index).collect();
        assert_eq!(
            strikers.len(),
            update.attacks.len(),
            "one blow per NPC per update"
        );
        assert!(
            update
                .attacks
                .iter()
                .all(|a| a.player_id == me && a.damage == 0)
        );
        assert!(update.hp.is_some(), "the victim is told its HP");
        widest = widest.max(update.attacks.len());
    }
    assert_eq!(widest, 4, "all four blows of a tick in one packet");
    server.stop().await;
}

#[tokio::test]
async fn a_passive_npc_strikes_back_once_hit() {
    // A wasp next to the player, acting on every tick but passive: it does not attack until
    // it is hit, then it stings (1 rolled, so 10 HP). Standing dummies box it in so it
    // cannot wander off before the blow.
    let spawns = [
        spawn(wasp_id(), 3, 3, 0, 60),
        spawn(dummy_id(), 4, 3, 7, 60),
        spawn(dummy_id(), 3, 2, 7, 60),
        spawn(dummy_id(), 3, 4, 7, 60),
    ]
    .concat();
    let world = test_world(&[arena("Normal", &spawns)], 90);
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut player_one, _) = player(&server, "stung", |c| c.hp = 1000).await;
    let me = player_one.player_id;
    // Before it is hit, whatever it does is no attack (checked up to the hit below).
    attack(&mut player_one, Direction::Right).await;
    let mut hit = false;
    loop {
        match expect(&mut player_one, Some).await {
            ServerPacket::NpcReply(reply) if reply.player_id == me => hit = true,
            ServerPacket::NpcPlayer(update) if !update.attacks.is_empty() => {
                assert!(hit, "a passive NPC attacked before it was hit");
                assert_eq!(update.attacks[0].player_id, me);
                assert_eq!(update.attacks[0].damage, 10);
                break;
            }
            _ => {}
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn a_killed_player_respawns_at_the_maps_relog_point() {
    // The brute (aggressive, 5 rolled: 50 HP a blow) comes for the player and kills it.
    let world = test_world(&[arena("Normal", &spawn(brute_id(), 6, 3, 0, 60))], 90);
    let map = world.first_new_map;
    let server = start(&world, map, |c| c.npcs.chase_distance = 5).await;
    let (mut victim, entered) = player(&server, "victim", |_| {}).await;
    let (mut neighbour, _) = player(&server, "onlooker", |_| {}).await;
    let me = victim.player_id;
    let max_hp = entered
        .nearby
        .characters
        .iter()
        .find(|c| c.player_id == me)
        .unwrap()
        .max_hp;
    let blow = expect(&mut victim, |p| match p {
        ServerPacket::NpcPlayer(u) => u
            .attacks
            .iter()
            .find(|a| a.player_id == me)
            .cloned()
            .map(|a| (a, u.hp)),
        _ => None,
    })
    .await;
    let (attack, hp) = blow;
    assert_eq!(attack.killed, PlayerKilledState::Killed);
    assert_eq!(attack.hp_percentage, 0);
    // As EOSERV does, the victim's packet carries the HP it comes back with: half.
    assert_eq!(hp, Some((max_hp / 2).max(1)));
    // The onlooker sees the blow, then the victim gone.
    expect(&mut neighbour, |p| match p {
        ServerPacket::NpcPlayer(u) => u.attacks.iter().any(|a| a.player_id == me).then_some(()),
        _ => None,
    })
    .await;
    expect(&mut neighbour, |p| match p {
        ServerPacket::AvatarRemove(r) => (r.player_id == me).then_some(()),
        _ => None,
    })
    .await;
    // The victim is offered the way to the relog point (10, 5) of this map, and takes it.
    let request = expect(&mut victim, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!((request.warp_type, request.map_id), (WarpType::Local, map));
    victim
        .send(&WarpAcceptClientPacket {
            map_id: map,
            session_id: request.session_id,
        })
        .await;
    let agreed = expect(&mut victim, |p| match p {
        ServerPacket::WarpAgree(a) => Some(a),
        _ => None,
    })
    .await;
    let me_now = agreed
        .nearby
        .characters
        .iter()
        .find(|c| c.player_id == me)
        .unwrap();
    assert_eq!((me_now.coords.x, me_now.coords.y), (10, 5));
    assert_eq!(me_now.hp, (max_hp / 2).max(1));
    // And the onlooker sees it again there (dying does not leave it hidden).
    let back = expect(&mut neighbour, |p| match p {
        ServerPacket::PlayersAgree(a) => {
            a.nearby.characters.into_iter().find(|c| c.player_id == me)
        }
        _ => None,
    })
    .await;
    assert_eq!((back.coords.x, back.coords.y), (10, 5));
    assert!(!back.invisible);
    server.stop().await;
}

/// Two players on `map`: `striker` at (2, 3) and `target` a step east at (3, 3), with 15 HP
/// (of 37: con 10), so it survives one blow of 10 but not two.
async fn face_off(server: &TestServer) -> (TestClient, TestClient) {
    let (striker, _) = player(server, "striker", |_| {}).await;
    let (mut target, _) = player(server, "target", |c| {
        c.con = 10;
        c.hp = 15;
    })
    .await;
    target
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: Direction::Right,
                timestamp: 0,
                coords: Coords { x: 2, y: 3 },
            },
        })
        .await;
    let nearby = barrier(&mut target).await;
    let at = nearby
        .characters
        .iter()
        .find(|c| c.player_id == target.player_id)
        .map(|c| (c.coords.x, c.coords.y));
    assert_eq!(at, Some((3, 3)));
    (striker, target)
}

#[tokio::test]
async fn players_cannot_hurt_each_other_off_pk_maps() {
    let world = test_world(&[arena("Normal", "")], 90);
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut striker, mut target) = face_off(&server).await;
    attack(&mut striker, Direction::Right).await;
    striker
        .send(&TalkReportClientPacket {
            message: "after the swing".into(),
        })
        .await;
    // The map handles the striker's packets in order: anything the swing caused reaches the
    // target before the chat line.
    loop {
        match expect(&mut target, Some).await {
            ServerPacket::AvatarReply(_) => panic!("a player was hurt on a Normal map"),
            ServerPacket::TalkPlayer(_) => break,
            _ => {}
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn players_fight_on_pk_maps_and_by_the_pk_maps_list() {
    let world = test_world(&[arena("Pk", ""), arena("Normal", "")], 90);
    let (pk, listed) = (world.first_new_map, world.first_new_map + 1);
    for (map, adjust) in [(pk, vec![]), (listed, vec![listed])] {
        let server = start(&world, map, |c| c.combat.pk_maps = adjust).await;
        let (mut striker, mut target) = face_off(&server).await;
        let victim = target.player_id;
        attack(&mut striker, Direction::Right).await;
        let reply = expect(&mut target, |p| match p {
            ServerPacket::AvatarReply(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!(
            (reply.player_id, reply.victim_id),
            (striker.player_id, victim)
        );
        assert_eq!((reply.damage, reply.dead), (10, false));
        // The striker sees it too; the second blow kills.
        expect(&mut striker, |p| {
            matches!(p, ServerPacket::AvatarReply(_)).then_some(())
        })
        .await;
        attack(&mut striker, Direction::Right).await;
        let reply = expect(&mut target, |p| match p {
            ServerPacket::AvatarReply(r) => Some(r),
            _ => None,
        })
        .await;
        assert!(reply.dead);
        // The victim gets its HP back (half) and the way to the relog point.
        expect(&mut target, |p| {
            matches!(p, ServerPacket::RecoverPlayer(_)).then_some(())
        })
        .await;
        let request = expect(&mut target, |p| match p {
            ServerPacket::WarpRequest(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!(request.map_id, map);
        // While it has not taken the warp, it cannot be struck again.
        attack(&mut striker, Direction::Right).await;
        striker
            .send(&TalkReportClientPacket {
                message: "after".into(),
            })
            .await;
        loop {
            match expect(&mut target, Some).await {
                ServerPacket::AvatarReply(_) => panic!("a dead player was struck"),
                ServerPacket::TalkPlayer(_) => break,
                _ => {}
            }
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn a_bosss_children_die_with_it_and_come_back_with_it() {
    // The boss (10 HP, standing) next to the player; three imps (its children) about. The
    // imps' own spawn time (1 s) is shorter than the boss's (5 s); at the test's respawn rate
    // of 1/10 that is 100 ms against 500 ms.
    let spawns = [
        // Spawn type 7 stands, but comes back at once (its spawn time is its direction).
        spawn(boss_id(), 3, 3, 6, 5),
        spawn(imp_id(), 8, 2, 6, 1),
        spawn(imp_id(), 8, 4, 6, 1),
        spawn(imp_id(), 9, 3, 6, 1),
    ]
    .concat();
    let world = test_world(&[arena("Normal", &spawns)], 90);
    let server = start(&world, world.first_new_map, |c| {
        c.npcs.respawn_rate = 0.1;
        c.npcs.speeds_ms = [60_000; 7]; // nobody wanders off during the test
    })
    .await;
    let (mut hero, entered) = player(&server, "slayer", |_| {}).await;
    let imps: Vec<u8> = entered
        .nearby
        .npcs
        .iter()
        .filter(|n| n.id == imp_id())
        .map(|n| n.index)
        .collect();
    assert_eq!(imps.len(), 3, "{:?}", entered.nearby.npcs);
    attack(&mut hero, Direction::Right).await;
    let (killed, _) = kill_of(&mut hero).await;
    assert_eq!(killed.killer_id, hero.player_id);
    let junked = expect(&mut hero, |p| match p {
        ServerPacket::NpcJunk(j) => Some(j.npc_id),
        _ => None,
    })
    .await;
    assert_eq!(
        junked,
        imp_id(),
        "the children's NPC id: clients remove them all"
    );
    // Past the imps' own spawn time they stay dead: they live only while the boss does.
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    hero.send(&NpcRangeRequestClientPacket {
        npc_indexes: imps.clone(),
    })
    .await;
    let still = expect(&mut hero, |p| match p {
        ServerPacket::NpcAgree(a) => Some(a.npcs),
        _ => None,
    })
    .await;
    assert!(
        still.is_empty(),
        "children alive without their boss: {still:?}"
    );
    // The boss comes back, and its children with it.
    let mut back = HashSet::new();
    while back.len() < 4 {
        if let ServerPacket::RangeReply(r) = expect(&mut hero, Some).await {
            back.extend(
                r.nearby
                    .npcs
                    .iter()
                    .map(|n| n.id * 100 + u16::from(n.index)),
            );
        }
    }
    let ids: HashSet<u16> = back.iter().map(|v| v / 100).collect();
    assert_eq!(ids, HashSet::from([boss_id(), imp_id()]));
    server.stop().await;
}

async fn recovered(client: &mut TestClient) -> u16 {
    expect(client, |p| match p {
        ServerPacket::RecoverPlayer(r) => Some(r.hp),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn regeneration_is_faster_sitting() {
    let world = test_world(&[arena("Normal", "")], 1);
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut sitter, _) = player(&server, "sitter", |c| c.hp = 1).await;
    let (mut stander, _) = player(&server, "stander", |c| c.hp = 1).await;
    sitter
        .send(&SitRequestClientPacket {
            sit_action: SitAction::Sit,
            sit_action_data: Some(SitRequestClientPacketSitActionData::Sit(
                SitRequestClientPacketSitActionDataSit {
                    cursor_coords: Coords { x: 2, y: 3 },
                },
            )),
        })
        .await;
    expect(&mut sitter, |p| {
        matches!(p, ServerPacket::SitReply(_)).then_some(())
    })
    .await;
    // The test formulas: 4 HP a second sitting, 1 standing.
    let sat = recovered(&mut sitter).await;
    let stood = recovered(&mut stander).await;
    assert_eq!((sat, stood), (5, 2));
    server.stop().await;
}

#[tokio::test]
async fn a_bow_with_arrows_reaches_further_than_a_fist() {
    // The wasp (1000 HP) stands three tiles east of the players.
    let world = test_world(&[arena("Normal", &spawn(wasp_id(), 5, 3, 7, 60))], 90);
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut fist, _) = player(&server, "fist", |_| {}).await;
    let (mut no_arrows, _) = player(&server, "quiverless", |c| c.equipment.weapon = 3).await;
    let (mut archer, _) = player(&server, "archer", |c| {
        c.equipment.weapon = 3; // Yew Longbow (ranged)
        c.equipment.shield = 4; // Reed Arrows
    })
    .await;
    // The fist and the bow without arrows reach nothing; the map has handled them once each
    // has its barrier answered.
    attack(&mut fist, Direction::Right).await;
    barrier(&mut fist).await;
    attack(&mut no_arrows, Direction::Right).await;
    barrier(&mut no_arrows).await;
    attack(&mut archer, Direction::Right).await;
    let reply = expect(&mut archer, |p| match p {
        ServerPacket::NpcReply(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(reply.player_id, archer.player_id);
    // The bow's own damage (2 to 5, times 10) in one blow: nobody else hit it before.
    assert!((20..=50).contains(&reply.damage), "{}", reply.damage);
    assert_eq!(
        u32::from(reply.hp_percentage),
        (1000 - reply.damage) * 100 / 1000
    );
    server.stop().await;
}

#[tokio::test]
async fn a_hurt_npc_regains_hp_on_the_npc_recovery_interval() {
    // NPCs regain 10 HP every second; characters never (a long interval).
    let formulas = format!("{}npc_interval_secs = 1\nnpc_hp = \"10\"\n", formulas(1000));
    let world = test_world_with(
        &[arena("Normal", &spawn(dummy_id(), 3, 3, 7, 1))],
        &formulas,
    );
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut hero, _) = player(&server, "healer", |c| c.hp = 1000).await;
    let me = hero.player_id;
    let blow = async |hero: &mut TestClient| {
        attack(hero, Direction::Right).await;
        expect(hero, |p| match p {
            ServerPacket::NpcReply(r) if r.player_id == me => Some(r.hp_percentage),
            _ => None,
        })
        .await
    };
    // 30 HP, hit for 10: 66%. Two seconds later it has its 30 again, so the next blow
    // leaves it at 66% once more (33% without recovery, as the first test shows), and it
    // never gains past its maximum.
    assert_eq!(blow(&mut hero).await, 66);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(blow(&mut hero).await, 66);
    server.stop().await;
}

#[tokio::test]
async fn a_player_killed_by_several_npcs_in_one_tick_dies_once() {
    // Four brutes (50 HP a blow) round a player with 1 HP strike it on the same tick: the
    // first blow kills it; the others must not strike the revived player again, or it would
    // die twice and be offered two warps (the first of them then stale).
    let spawns: String = [(1, 3), (3, 3), (2, 2), (2, 4)]
        .iter()
        .map(|(x, y)| spawn(brute_id(), *x, *y, 0, 60))
        .collect();
    let world = test_world(&[arena("Normal", &spawns)], 90);
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut victim, _) = player(&server, "victim", |c| c.hp = 1).await;
    let me = victim.player_id;
    let blows = expect(&mut victim, |p| match p {
        ServerPacket::NpcPlayer(u) if u.attacks.iter().any(|a| a.player_id == me) => {
            Some(u.attacks)
        }
        _ => None,
    })
    .await;
    let kills = blows
        .iter()
        .filter(|a| a.player_id == me && a.killed == PlayerKilledState::Killed)
        .count();
    assert_eq!(kills, 1, "{blows:?}");
    assert_eq!(
        blows.iter().filter(|a| a.player_id == me).count(),
        1,
        "no blow after the killing one: {blows:?}"
    );
    // One warp offered: everything the map sent before its answer to a refresh holds one.
    victim.send(&RefreshRequestClientPacket).await;
    let mut offers = 0;
    loop {
        match expect(&mut victim, Some).await {
            ServerPacket::WarpRequest(_) => offers += 1,
            ServerPacket::RefreshReply(_) => break,
            _ => {}
        }
    }
    assert_eq!(offers, 1);
    server.stop().await;
}
