//! Map timed effects with real clients: HP and TP drains on their interval, spikes and
//! hidden spikes hurting who steps on them, timed spikes on their clock, a death to spikes,
//! quakes, and the bundled Thornmire's drain.

mod common;

use std::time::Duration;

use common::world::TestWorld;
use common::{TestClient, TestServer, edited_player, expect};
use eo_protocol::Direction;
use eo_protocol::net::client::RefreshRequestClientPacket;
use eo_protocol::net::server::{
    CharacterMapInfo, EffectSpecServerPacketMapDamageTypeData, MapDamageType, MapEffect,
    ServerPacket, WarpType,
};
use eo_server::config::Config;

/// A walled room 12 x 7, relog (10, 5), players start at (2, 3): spikes east of the start
/// (3, 3), hidden spikes west of it (1, 3), timed spikes south of it (2, 4).
fn mire(effect: &str) -> String {
    format!(
        r#"
name = "Test Mire"
type = "Normal"
timed_effect = "{effect}"
width = 12
height = 7
fill_tile = 1
relog = {{ x = 10, y = 5 }}
layout = '''
############
#..........#
#..........#
#i.s.......#
#.x........#
#..........#
############
'''

[tiles.x]
spec = "TimedSpikes"

[tiles.i]
spec = "HiddenSpikes"
"#
    )
}

fn world(effect: &str) -> TestWorld {
    common::world::world().map(&mire(effect)).build()
}

/// A server on `world` whose new characters start on its new map at (2, 3), every timed
/// effect off unless `adjust` turns it on.
async fn start(world: &TestWorld, adjust: impl FnOnce(&mut Config)) -> TestServer {
    let map = world.first_new_map;
    world
        .serve((map, 2, 3), move |config| {
            config.npcs.tick_ms = 20;
            config.map_effects.spike_ms = 0;
            config.map_effects.drain_ms = 0;
            config.map_effects.quake_ms = 0;
            adjust(config);
        })
        .await
}

/// A player in the game with its saved character edited first, and what others see of it.
async fn player(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> (TestClient, CharacterMapInfo) {
    let (client, _, entered) = edited_player(server, name, edit).await;
    let me = entered
        .nearby
        .characters
        .iter()
        .find(|c| c.player_id == client.player_id)
        .cloned()
        .unwrap();
    (client, me)
}

/// What the map has of the client's own character now (after everything sent before).
async fn myself(client: &mut TestClient) -> CharacterMapInfo {
    client.send(&RefreshRequestClientPacket).await;
    let me = client.player_id;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(r) => {
            r.nearby.characters.into_iter().find(|c| c.player_id == me)
        }
        _ => None,
    })
    .await
}

/// The packets the client gets before one `stop` accepts (which ends the wait).
async fn collect_until(
    client: &mut TestClient,
    stop: impl Fn(&ServerPacket) -> bool,
) -> Vec<ServerPacket> {
    let mut before = Vec::new();
    loop {
        let packet = expect(client, Some).await;
        if stop(&packet) {
            return before;
        }
        before.push(packet);
    }
}

/// The spike damage the client is told of: (damage, hp, max hp).
async fn spiked(client: &mut TestClient) -> (u16, u16, u16) {
    expect(client, |p| match p {
        ServerPacket::EffectSpec(s) => match s.map_damage_type_data {
            Some(EffectSpecServerPacketMapDamageTypeData::Spikes(d)) => {
                Some((d.hp_damage, d.hp, d.max_hp))
            }
            _ => None,
        },
        _ => None,
    })
    .await
}

#[tokio::test]
async fn an_hp_drain_takes_its_share_on_its_interval_and_shows_each_the_others() {
    let world = world("HpDrain");
    let server = start(&world, |c| {
        c.map_effects.drain_ms = 300;
        c.map_effects.drain_hp_percent = 20;
    })
    .await;
    let (mut hero, me) = player(&server, "hero", |c| {
        c.con = 20;
        c.hp = 1000;
    })
    .await;
    // The neighbour has 2 HP: a drain never takes the last point.
    let (mut neighbour, them) = player(&server, "neighbour", |c| c.hp = 2).await;
    assert!(me.max_hp >= 10, "enough HP to show a fifth: {}", me.max_hp);
    let share = me.max_hp / 5;
    let drained = expect(&mut hero, |p| match p {
        ServerPacket::EffectTargetOther(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!(drained.damage, share);
    assert_eq!((drained.hp, drained.max_hp), (me.hp - share, me.max_hp));
    // The hero sees the neighbour's loss: the one point it could lose.
    let other = drained
        .others
        .iter()
        .find(|o| o.player_id == them.player_id)
        .expect("the neighbour in the list");
    assert_eq!(other.damage, 1);
    let told = expect(&mut neighbour, |p| match p {
        ServerPacket::EffectTargetOther(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!((told.damage, told.hp), (1, 1));
    // The next drain: the neighbour stays at 1, the hero loses another share.
    let next = expect(&mut neighbour, |p| match p {
        ServerPacket::EffectTargetOther(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!((next.damage, next.hp), (0, 1));
    assert!(myself(&mut hero).await.hp <= me.hp - 2 * share);
    server.stop().await;
}

#[tokio::test]
async fn a_tp_drain_takes_its_share_of_tp() {
    let world = world("TpDrain");
    let server = start(&world, |c| {
        c.map_effects.drain_ms = 300;
        c.map_effects.drain_tp_percent = 10;
    })
    .await;
    let (mut hero, me) = player(&server, "hero", |c| {
        c.intl = 30;
        c.wis = 30;
        c.tp = 1000;
    })
    .await;
    assert!(me.max_tp >= 10, "enough TP to show a tenth: {}", me.max_tp);
    let (damage, tp, max_tp) = expect(&mut hero, |p| match p {
        ServerPacket::EffectSpec(s) if s.map_damage_type == MapDamageType::TpDrain => {
            match s.map_damage_type_data {
                Some(EffectSpecServerPacketMapDamageTypeData::TpDrain(d)) => {
                    Some((d.tp_damage, d.tp, d.max_tp))
                }
                _ => None,
            }
        }
        _ => None,
    })
    .await;
    assert_eq!((damage, max_tp), (me.max_tp / 10, me.max_tp));
    assert_eq!(tp, me.tp - damage);
    server.stop().await;
}

#[tokio::test]
async fn spikes_and_hidden_spikes_hurt_the_walker_and_onlookers_see_it() {
    let world = world("None");
    let server = start(&world, |c| c.map_effects.spike_damage_percent = 20).await;
    let (mut hero, me) = player(&server, "hero", |c| {
        c.con = 20;
        c.hp = 1000;
    })
    .await;
    let (mut onlooker, _) = player(&server, "onlooker", |_| {}).await;
    // The onlooker stands aside (it also starts at (2, 3)); the hero steps on the spikes.
    onlooker.walk(Direction::Up, 2, 3).await;
    myself(&mut onlooker).await;
    let share = me.max_hp / 5;
    hero.walk(Direction::Right, 2, 3).await;
    assert_eq!(spiked(&mut hero).await, (share, me.hp - share, me.max_hp));
    let seen = expect(&mut onlooker, |p| match p {
        ServerPacket::EffectAdmin(a) => Some(a),
        _ => None,
    })
    .await;
    assert_eq!(seen.player_id, hero.player_id);
    assert_eq!((seen.damage, seen.died), (u32::from(share), false));
    // Standing on them does nothing more (plain spikes strike on the step, not on a clock);
    // back west, then onto the hidden spikes at (1, 3).
    hero.walk(Direction::Left, 3, 3).await;
    hero.walk(Direction::Left, 2, 3).await;
    let (damage, hp, _) = spiked(&mut hero).await;
    assert_eq!((damage, hp), (share, me.hp - 2 * share));
    assert_eq!(myself(&mut hero).await.hp, me.hp - 2 * share);
    server.stop().await;
}

#[tokio::test]
async fn a_walk_onto_spikes_can_kill_and_the_victim_respawns() {
    let world = world("None");
    let server = start(&world, |c| c.map_effects.spike_damage_percent = 100).await;
    let (mut hero, me) = player(&server, "hero", |_| {}).await;
    let (mut onlooker, _) = player(&server, "onlooker", |_| {}).await;
    onlooker.walk(Direction::Up, 2, 3).await;
    myself(&mut onlooker).await;
    hero.walk(Direction::Right, 2, 3).await;
    assert_eq!(spiked(&mut hero).await, (me.hp, 0, me.max_hp));
    let seen = expect(&mut onlooker, |p| match p {
        ServerPacket::EffectAdmin(a) => Some(a),
        _ => None,
    })
    .await;
    assert!(seen.died);
    // Combat's death: its HP back (half), then the way to the relog point.
    let recovered = expect(&mut hero, |p| match p {
        ServerPacket::RecoverPlayer(r) => Some(r.hp),
        _ => None,
    })
    .await;
    assert_eq!(recovered, (me.max_hp / 2).max(1));
    let request = expect(&mut hero, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(
        (request.warp_type, request.map_id),
        (WarpType::Local, world.first_new_map)
    );
    server.stop().await;
}

#[tokio::test]
async fn timed_spikes_strike_who_stands_on_them_and_the_others_hear_them() {
    let world = world("None");
    let server = start(&world, |c| {
        c.map_effects.spike_ms = 200;
        c.map_effects.spike_damage_percent = 10;
    })
    .await;
    let (mut hero, me) = player(&server, "hero", |c| {
        c.con = 20;
        c.hp = 1000;
    })
    .await;
    let (mut bystander, _) = player(&server, "bystander", |_| {}).await;
    bystander.walk(Direction::Up, 2, 3).await;
    myself(&mut bystander).await;
    // Onto the timed spikes at (2, 4): no harm on the step itself (the first strike takes
    // one share of full HP), then one share a strike on their clock.
    hero.walk(Direction::Down, 2, 3).await;
    let share = me.max_hp / 10;
    let (damage, hp, _) = spiked(&mut hero).await;
    assert_eq!((damage, hp), (share, me.hp - share));
    // The next strike comes on the next tick of their clock.
    let (_, hp) = {
        let (d, hp, _) = spiked(&mut hero).await;
        (d, hp)
    };
    assert_eq!(hp, me.hp - 2 * share);
    // The bystander, off the spikes, hears them (Effect_Report) and is not hurt: it hears
    // them twice and has taken no spike damage meanwhile.
    let bystander_hp = myself(&mut bystander).await.hp;
    for _ in 0..2 {
        let before = collect_until(&mut bystander, |p| {
            matches!(p, ServerPacket::EffectReport(_))
        })
        .await;
        assert!(
            !before
                .iter()
                .any(|p| matches!(p, ServerPacket::EffectSpec(_))),
            "the bystander was hurt: {before:?}"
        );
    }
    assert_eq!(myself(&mut bystander).await.hp, bystander_hp);
    server.stop().await;
}

#[tokio::test]
async fn a_quake_map_shakes_with_its_strength() {
    let world = world("Quake4");
    let server = start(&world, |c| c.map_effects.quake_ms = 50).await;
    let (mut hero, _) = player(&server, "hero", |_| {}).await;
    let strength = expect(&mut hero, |p| match p {
        ServerPacket::EffectUse(u) if u.effect == MapEffect::Quake => match u.effect_data {
            Some(eo_protocol::net::server::EffectUseServerPacketEffectData::Quake(q)) => {
                Some(q.quake_strength)
            }
            _ => None,
        },
        _ => None,
    })
    .await;
    assert!((6..=8).contains(&strength), "Quake4 strength {strength}");
    server.stop().await;
}

#[tokio::test]
async fn a_map_without_a_timed_effect_has_none() {
    let world = world("None");
    let server = start(&world, |c| {
        c.map_effects.drain_ms = 50;
        c.map_effects.quake_ms = 50;
    })
    .await;
    let (mut hero, me) = player(&server, "hero", |_| {}).await;
    // Many drain and quake intervals pass: nothing comes.
    let until = tokio::time::Instant::now() + Duration::from_millis(700);
    while let Some(left) = until.checked_duration_since(tokio::time::Instant::now()) {
        match hero.try_recv(left).await {
            Some(ServerPacket::EffectTargetOther(_) | ServerPacket::EffectUse(_)) => {
                panic!("an effect on a map without one")
            }
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(myself(&mut hero).await.hp, me.hp);
    server.stop().await;
}

#[tokio::test]
async fn the_bundled_thornmire_drains() {
    // The bundled world as it ships (its map 5), with a short drain interval.
    let server = TestServer::start(|config| {
        (
            config.world.spawn_map,
            config.world.spawn_x,
            config.world.spawn_y,
        ) = (5, 2, 8);
        config.map_effects.drain_ms = 200;
    })
    .await;
    let (mut hero, me) = player(&server, "hero", |c| {
        c.con = 20;
        c.hp = 1000;
    })
    .await;
    let drained = expect(&mut hero, |p| match p {
        ServerPacket::EffectTargetOther(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!(drained.damage, me.max_hp / 5);
    assert_eq!(drained.hp, me.hp - me.max_hp / 5);
    server.stop().await;
}
