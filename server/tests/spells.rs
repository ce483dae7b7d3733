//! Spells over real TCP: the chant and the cast with the timing of the client's timestamps,
//! casts without a chant, TP, the cooldown; heals on oneself, another player and a party;
//! attack spells on NPCs (hits, kills, drops and level-ups as melee) and on players only where
//! PvP is allowed; skill points raising a spell to its maximum level.
//!
//! The bundled spells are used: 1 Mending Light (heal a player, cast time 1, 5 TP, 20 HP),
//! 2 Ember Dart (attack NPCs, cast time 1, 4 TP), 3 Stone Shard (attack NPCs and players, cast
//! time 2, 6 TP), 4 Circle of Mending (heal the party, cast time 2, 12 TP, 15 HP); the test
//! world adds a self heal. A cast time of 1 takes 35 to 49 timestamp units after the chant, 2
//! takes 82 to 99. The test formulas make every spell hit for 10.

mod common;

use common::world::{TestWorld, added_npc, next_id};
use common::{
    TestClient, TestServer, edited_player, expect, map_barrier, npc_index, saved_character,
};
use eo_protocol::Direction;
use eo_protocol::net::PartyRequestType;
use eo_protocol::net::client::{
    PartyAcceptClientPacket, PartyRequestClientPacket, SpellRequestClientPacket,
    SpellTargetGroupClientPacket, SpellTargetOtherClientPacket, SpellTargetSelfClientPacket,
    SpellTargetType, StatSkillAddClientPacket, StatSkillAddClientPacketActionTypeData,
    StatSkillAddClientPacketActionTypeDataSkill, TrainType,
};
use eo_protocol::net::server::ServerPacket;
use eo_server::config::Config;

const MENDING_LIGHT: u16 = 1;
const EMBER_DART: u16 = 2;
const STONE_SHARD: u16 = 3;
const CIRCLE_OF_MENDING: u16 = 4;

/// The self heal the test world adds after the bundled spells.
fn warmth() -> u16 {
    next_id("spells.toml", "spell")
}
fn dummy_id() -> u16 {
    added_npc(1)
}
fn golden_dummy_id() -> u16 {
    added_npc(2)
}

fn test_spells() -> String {
    format!(
        r#"
[[spell]]
id = {warmth}
name = "Test Warmth"
type = "Heal"
tp_cost = 3
cast_time = 1
target_restrict = "Friendly"
target_type = "SelfTarget"
max_skill_level = 2
hp_heal = 10
"#,
        warmth = warmth()
    )
}

fn test_npcs() -> String {
    format!(
        r#"
[[npc]]
id = {dummy}
name = "Spell Dummy"
graphic = 4
type = "Passive"
hp = 30
level = 1
experience = 30

[[npc]]
id = {golden}
name = "Golden Spell Dummy"
graphic = 4
type = "Passive"
hp = 10
level = 1
experience = 5000
"#,
        dummy = dummy_id(),
        golden = golden_dummy_id(),
    )
}

/// Every spell hits for 10; no regeneration to speak of.
const FORMULAS: &str = "[combat]\nhit_rate = \"1\"\ncritical_rate = \"0\"\nspell_damage = \"10\"\n\
    [recovery]\ninterval_secs = 1000\n";

/// A walled room 12 x 7 of `kind` (Normal or Pk) with the dummy at (8, 3) and the golden one
/// at (8, 5).
fn arena(kind: &str) -> String {
    format!(
        r#"
name = "Spell Arena"
type = "{kind}"
width = 12
height = 7
fill_tile = 1
relog = {{ x = 2, y = 3 }}
layout = '''
############
#..........#
#..........#
#..........#
#..........#
#..........#
############
'''
[[npc]]
x = 8
y = 3
npc = {dummy}
spawn_type = 7
spawn_time = 0

[[npc]]
x = 8
y = 5
npc = {golden}
spawn_type = 7
spawn_time = 0
"#,
        dummy = dummy_id(),
        golden = golden_dummy_id(),
    )
}

/// The test world: a Normal arena, then a Pk one.
fn test_world() -> TestWorld {
    common::world::world()
        .append("spells.toml", &test_spells())
        .append("npcs.toml", &test_npcs())
        .data_file("formulas.toml", FORMULAS)
        .data_file(
            "drops.toml",
            &format!(
                "[[npc]]\nid = {}\ndrops = [{{ item = 1, min = 7, max = 7, chance = 100 }}]\n",
                dummy_id()
            ),
        )
        .map(&arena("Normal"))
        .map(&arena("Pk"))
        .build()
}

/// A server whose characters start on `map` at (2, 3), without a cooldown unless `adjust`
/// sets one.
async fn start(world: &TestWorld, map: u16, adjust: impl FnOnce(&mut Config)) -> TestServer {
    world
        .serve((map, 2, 3), move |config| {
            config.npcs.tick_ms = 20;
            config.npcs.seed = 11;
            config.spells.cooldown_ms = 0;
            adjust(config);
        })
        .await
}

async fn player(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> TestClient {
    edited_player(server, name, edit).await.0
}

/// A caster: level 10 with 10 int (35 HP, 60 TP, both full), knowing `spells`.
fn caster(spells: &[u16]) -> impl FnOnce(&mut eo_server::db::Character) {
    let spells: Vec<(u16, u16)> = spells.iter().map(|id| (*id, 0)).collect();
    move |c| {
        c.level = 10;
        c.experience = 133_100;
        c.intl = 10;
        c.hp = 35;
        c.tp = 60;
        c.spells = spells;
    }
}

async fn chant(client: &mut TestClient, spell_id: u16, timestamp: u32) {
    client
        .send(&SpellRequestClientPacket {
            spell_id,
            timestamp,
        })
        .await;
}

async fn at_player(client: &mut TestClient, victim: u16, spell_id: u16, timestamp: u32) {
    client
        .send(&SpellTargetOtherClientPacket {
            target_type: SpellTargetType::Player,
            previous_timestamp: 0,
            spell_id,
            victim_id: victim,
            timestamp,
        })
        .await;
}

async fn at_npc(client: &mut TestClient, index: u8, spell_id: u16, timestamp: u32) {
    client
        .send(&SpellTargetOtherClientPacket {
            target_type: SpellTargetType::Npc,
            previous_timestamp: 0,
            spell_id,
            victim_id: u16::from(index),
            timestamp,
        })
        .await;
}

async fn at_self(client: &mut TestClient, spell_id: u16, timestamp: u32) {
    client
        .send(&SpellTargetSelfClientPacket {
            direction: Direction::Down,
            spell_id,
            timestamp,
        })
        .await;
}

/// What the map sent before answering one more request, with none of `kinds` among it.
async fn nothing_of(client: &mut TestClient, what: &str, kinds: fn(&ServerPacket) -> bool) {
    let seen = map_barrier(client).await;
    assert!(!seen.iter().any(kinds), "{what}: {seen:?}");
}

fn spell_effect(p: &ServerPacket) -> bool {
    matches!(
        p,
        ServerPacket::SpellTargetOther(_)
            | ServerPacket::SpellTargetSelf(_)
            | ServerPacket::SpellTargetGroup(_)
            | ServerPacket::CastReply(_)
            | ServerPacket::CastSpec(_)
            | ServerPacket::CastAccept(_)
            | ServerPacket::AvatarAdmin(_)
            | ServerPacket::RecoverPlayer(_)
    )
}

/// The caster's TP from its next Recover_Player.
async fn tp_of(client: &mut TestClient) -> u16 {
    expect(client, |p| match p {
        ServerPacket::RecoverPlayer(r) => Some(r.tp),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_heal_takes_its_chant_and_the_right_timing() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |_| {}).await;
    let mut alice = player(&server, "alice", caster(&[MENDING_LIGHT])).await;
    let mut bob = player(&server, "bobby", |c| {
        c.x = 3;
        c.hp = 5;
    })
    .await;
    let mut carol = player(&server, "carol", |c| c.x = 4).await;
    let (a, b) = (alice.player_id, bob.player_id);

    // A spell she does not know: not even chanted.
    chant(&mut alice, EMBER_DART, 100).await;
    map_barrier(&mut alice).await;
    nothing_of(&mut carol, "an unknown spell's chant", |p| {
        matches!(p, ServerPacket::SpellRequest(_))
    })
    .await;
    // A cast without a chant, too soon after one, too late after one: nothing happens.
    at_player(&mut alice, b, MENDING_LIGHT, 1000).await;
    chant(&mut alice, MENDING_LIGHT, 2000).await;
    at_player(&mut alice, b, MENDING_LIGHT, 2034).await;
    chant(&mut alice, MENDING_LIGHT, 3000).await;
    at_player(&mut alice, b, MENDING_LIGHT, 3050).await;
    nothing_of(&mut alice, "mistimed casts", spell_effect).await;
    nothing_of(&mut bob, "mistimed casts", spell_effect).await;
    // Carol saw the chants.
    let chanted = expect(&mut carol, |p| match p {
        ServerPacket::SpellRequest(r) => Some((r.player_id, r.spell_id)),
        _ => None,
    })
    .await;
    assert_eq!(chanted, (a, MENDING_LIGHT));

    // On time: bobby is healed (5 + 20, at most his 10).
    chant(&mut alice, MENDING_LIGHT, 4000).await;
    at_player(&mut alice, b, MENDING_LIGHT, 4040).await;
    let healed = expect(&mut bob, |p| match p {
        ServerPacket::SpellTargetOther(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!((healed.victim_id, healed.caster_id), (b, a));
    assert_eq!((healed.spell_id, healed.spell_heal_hp), (MENDING_LIGHT, 20));
    assert_eq!((healed.hp_percentage, healed.hp), (100, Some(10)));
    assert_eq!(tp_of(&mut alice).await, 55, "5 TP spent");
    let seen = expect(&mut carol, |p| match p {
        ServerPacket::SpellTargetOther(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!((seen.victim_id, seen.hp), (b, None), "his HP is his alone");
    server.stop().await;
}

#[tokio::test]
async fn a_self_heal_and_spells_cast_at_targets_they_are_not_for() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |_| {}).await;
    let mut alice = player(&server, "alice", |c| {
        caster(&[MENDING_LIGHT, warmth()])(c);
        c.hp = 5;
    })
    .await;
    let mut bob = player(&server, "bobby", |c| c.x = 3).await;
    let a = alice.player_id;
    // Mending Light is cast at a target, not on oneself (Spell_TargetSelf); a self heal is
    // not cast at others.
    chant(&mut alice, MENDING_LIGHT, 1000).await;
    at_self(&mut alice, MENDING_LIGHT, 1040).await;
    chant(&mut alice, warmth(), 2000).await;
    at_player(&mut alice, bob.player_id, warmth(), 2040).await;
    // A cast of another spell than the one chanted: nothing.
    chant(&mut alice, warmth(), 2500).await;
    at_player(&mut alice, bob.player_id, MENDING_LIGHT, 2540).await;
    nothing_of(&mut alice, "spells at the wrong target", spell_effect).await;

    chant(&mut alice, warmth(), 3000).await;
    at_self(&mut alice, warmth(), 3040).await;
    let own = expect(&mut alice, |p| match p {
        ServerPacket::SpellTargetSelf(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!(
        (own.player_id, own.spell_id, own.spell_heal_hp),
        (a, warmth(), 10)
    );
    assert_eq!((own.hp, own.tp), (Some(15), Some(57)));
    assert_eq!(own.hp_percentage, 42);
    let seen = expect(&mut bob, |p| match p {
        ServerPacket::SpellTargetSelf(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!((seen.player_id, seen.hp, seen.tp), (a, None, None));

    // Mending Light at herself: 15 + 20.
    chant(&mut alice, MENDING_LIGHT, 4000).await;
    at_player(&mut alice, a, MENDING_LIGHT, 4040).await;
    let healed = expect(&mut alice, |p| match p {
        ServerPacket::SpellTargetOther(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!((healed.victim_id, healed.hp), (a, Some(35)));
    assert_eq!(tp_of(&mut alice).await, 52);
    server.stop().await;
}

#[tokio::test]
async fn an_attack_spell_hurts_and_kills_an_npc_as_a_blow_does() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut alice, _, entered) = edited_player(&server, "alice", caster(&[EMBER_DART])).await;
    let mut carol = player(&server, "carol", |c| c.y = 4).await;
    let a = alice.player_id;
    let dummy = npc_index(&mut alice, &entered, dummy_id()).await;

    // Mistimed: the dummy is untouched.
    chant(&mut alice, EMBER_DART, 1000).await;
    at_npc(&mut alice, dummy, EMBER_DART, 1100).await;
    nothing_of(&mut alice, "a mistimed attack", spell_effect).await;

    // Three darts of 10 on its 30 HP.
    for (n, left) in [(1u32, 66), (2, 33)] {
        chant(&mut alice, EMBER_DART, 1000 * (n + 1)).await;
        at_npc(&mut alice, dummy, EMBER_DART, 1000 * (n + 1) + 40).await;
        let hit = expect(&mut alice, |p| match p {
            ServerPacket::CastReply(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!((hit.spell_id, hit.caster_id), (EMBER_DART, a));
        assert_eq!(
            (hit.npc_index, hit.damage, hit.hp_percentage),
            (u16::from(dummy), 10, left)
        );
        assert_eq!(hit.caster_tp, Some(60 - 4 * n as u16));
        assert!(hit.kill_steal_protection.is_some());
        let seen = expect(&mut carol, |p| match p {
            ServerPacket::CastReply(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!((seen.damage, seen.caster_tp), (10, None));
    }
    chant(&mut alice, EMBER_DART, 5000).await;
    at_npc(&mut alice, dummy, EMBER_DART, 5040).await;
    let kill = expect(&mut alice, |p| match p {
        ServerPacket::CastSpec(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!(kill.spell_id, EMBER_DART);
    assert_eq!(
        (kill.npc_killed_data.killer_id, kill.npc_killed_data.damage),
        (a, 10)
    );
    assert_eq!(
        (
            kill.npc_killed_data.drop_id,
            kill.npc_killed_data.drop_amount
        ),
        (1, 7),
        "its drop, as a blow's kill"
    );
    assert_eq!(kill.caster_tp, Some(48));
    assert_eq!(kill.experience, Some(133_100 + 30));
    let seen = expect(&mut carol, |p| match p {
        ServerPacket::CastSpec(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!((seen.caster_tp, seen.experience), (None, None));
    server.stop().await;
}

#[tokio::test]
async fn a_kill_by_spell_levels_the_caster_up() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut dan, _, entered) = edited_player(&server, "danny", |c| {
        c.intl = 10;
        c.tp = 35;
        c.spells = vec![(EMBER_DART, 0)];
    })
    .await;
    let golden = npc_index(&mut dan, &entered, golden_dummy_id()).await;
    chant(&mut dan, EMBER_DART, 1000).await;
    at_npc(&mut dan, golden, EMBER_DART, 1040).await;
    let kill = expect(&mut dan, |p| match p {
        ServerPacket::CastAccept(s) => Some(s),
        _ => None,
    })
    .await;
    // 5000 experience: level 3 (3594), with its points.
    assert_eq!(kill.experience, Some(5000));
    let level_up = kill.level_up.expect("the level-up stats");
    assert_eq!(level_up.level, 3);
    assert_eq!((level_up.stat_points, level_up.skill_points), (9, 12));
    assert_eq!(kill.caster_tp, Some(31));
    server.stop().await;
}

#[tokio::test]
async fn a_cast_without_the_tp_does_nothing() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |_| {}).await;
    let (mut alice, _, entered) = edited_player(&server, "alice", |c| {
        caster(&[EMBER_DART])(c);
        c.tp = 3;
    })
    .await;
    let dummy = npc_index(&mut alice, &entered, dummy_id()).await;
    chant(&mut alice, EMBER_DART, 1000).await;
    at_npc(&mut alice, dummy, EMBER_DART, 1040).await;
    nothing_of(&mut alice, "4 TP needed, 3 held", spell_effect).await;
    server.stop().await;
}

#[tokio::test]
async fn attack_spells_hurt_players_only_where_pvp_is_allowed() {
    let world = test_world();
    let (normal, pk) = (world.first_new_map, world.first_new_map + 1);
    for (map, allowed) in [(normal, false), (pk, true)] {
        let server = start(&world, map, |_| {}).await;
        let mut alice = player(
            &server,
            "alice",
            caster(&[MENDING_LIGHT, EMBER_DART, STONE_SHARD]),
        )
        .await;
        let mut bob = player(&server, "bobby", |c| {
            c.x = 3;
            c.con = 10;
            c.hp = 35;
        })
        .await;
        let (a, b) = (alice.player_id, bob.player_id);
        // Ember Dart is for NPCs only, anywhere.
        chant(&mut alice, EMBER_DART, 500).await;
        at_player(&mut alice, b, EMBER_DART, 540).await;
        chant(&mut alice, STONE_SHARD, 1000).await;
        at_player(&mut alice, b, STONE_SHARD, 1090).await;
        if !allowed {
            nothing_of(&mut bob, "a Normal map", spell_effect).await;
            // Nothing was spent either: a heal after it leaves 60 - 5.
            chant(&mut alice, MENDING_LIGHT, 2000).await;
            at_player(&mut alice, a, MENDING_LIGHT, 2040).await;
            assert_eq!(tp_of(&mut alice).await, 55);
            server.stop().await;
            continue;
        }
        for client in [&mut alice, &mut bob] {
            let hit = expect(client, |p| match p {
                ServerPacket::AvatarAdmin(h) => Some(h),
                _ => None,
            })
            .await;
            assert_eq!(
                (hit.caster_id, hit.victim_id, hit.spell_id),
                (a, b, STONE_SHARD)
            );
            assert_eq!((hit.damage, hit.victim_died), (10, false));
        }
        assert_eq!(tp_of(&mut alice).await, 54, "only Stone Shard's 6 TP");
        let hp = expect(&mut bob, |p| match p {
            ServerPacket::RecoverPlayer(r) => Some(r.hp),
            _ => None,
        })
        .await;
        assert_eq!(hp, 25);
        server.stop().await;
    }
}

#[tokio::test]
async fn a_group_heal_heals_the_party_on_the_map() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |_| {}).await;
    let mut alice = player(&server, "alice", caster(&[CIRCLE_OF_MENDING])).await;
    let mut bob = player(&server, "bobby", |c| {
        c.x = 3;
        c.hp = 5;
    })
    .await;
    let mut carol = player(&server, "carol", |c| {
        c.x = 4;
        c.hp = 5;
    })
    .await;
    let (a, b) = (alice.player_id, bob.player_id);
    // Without a party: nothing.
    chant(&mut alice, CIRCLE_OF_MENDING, 1000).await;
    alice
        .send(&SpellTargetGroupClientPacket {
            spell_id: CIRCLE_OF_MENDING,
            timestamp: 1090,
        })
        .await;
    nothing_of(&mut alice, "no party", spell_effect).await;

    alice
        .send(&PartyRequestClientPacket {
            request_type: PartyRequestType::Invite,
            player_id: b,
        })
        .await;
    expect(&mut bob, |p| {
        matches!(p, ServerPacket::PartyRequest(_)).then_some(())
    })
    .await;
    bob.send(&PartyAcceptClientPacket {
        request_type: PartyRequestType::Invite,
        inviter_player_id: a,
    })
    .await;
    // The map knows the party once bobby's HP bar is shown.
    expect(&mut alice, |p| match p {
        ServerPacket::PartyAgree(agree) if agree.player_id == b => Some(()),
        _ => None,
    })
    .await;

    chant(&mut alice, CIRCLE_OF_MENDING, 2000).await;
    alice
        .send(&SpellTargetGroupClientPacket {
            spell_id: CIRCLE_OF_MENDING,
            timestamp: 2090,
        })
        .await;
    let group = expect(&mut alice, |p| match p {
        ServerPacket::SpellTargetGroup(g) => Some(g),
        _ => None,
    })
    .await;
    assert_eq!((group.spell_id, group.caster_id), (CIRCLE_OF_MENDING, a));
    assert_eq!((group.caster_tp, group.spell_heal_hp), (48, 15));
    let mut healed: Vec<(u16, u8, u16)> = group
        .players
        .iter()
        .map(|p| (p.player_id, p.hp_percentage, p.hp))
        .collect();
    healed.sort_unstable();
    assert_eq!(healed, [(a, 100, 35), (b, 100, 10)]);
    // Carol, out of the party, sees them healed but is not.
    let seen = expect(&mut carol, |p| match p {
        ServerPacket::SpellTargetGroup(g) => Some(g),
        _ => None,
    })
    .await;
    assert!(seen.players.iter().all(|p| p.player_id != carol.player_id));
    // Bobby's HP bar follows.
    expect(&mut bob, |p| match p {
        ServerPacket::PartyAgree(agree) if agree.player_id == b && agree.hp_percentage == 100 => {
            Some(())
        }
        _ => None,
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn a_second_cast_within_the_cooldown_does_nothing() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |c| {
        c.spells.cooldown_ms = 60_000
    })
    .await;
    let mut alice = player(&server, "alice", caster(&[MENDING_LIGHT])).await;
    let a = alice.player_id;
    chant(&mut alice, MENDING_LIGHT, 1000).await;
    at_player(&mut alice, a, MENDING_LIGHT, 1040).await;
    assert_eq!(tp_of(&mut alice).await, 55);
    chant(&mut alice, MENDING_LIGHT, 2000).await;
    at_player(&mut alice, a, MENDING_LIGHT, 2040).await;
    nothing_of(&mut alice, "a cast within the cooldown", spell_effect).await;
    server.stop().await;
}

#[tokio::test]
async fn skill_points_raise_a_known_spell_to_its_maximum_level_only() {
    let world = test_world();
    let server = start(&world, world.first_new_map, |_| {}).await;
    // Mending Light's maximum is 10.
    let (mut alice, alice_id, _) = edited_player(&server, "alice", |c| {
        c.spells = vec![(MENDING_LIGHT, 9)];
        c.skill_points = 3;
    })
    .await;
    let add = |spell_id| StatSkillAddClientPacket {
        action_type: TrainType::Skill,
        action_type_data: Some(StatSkillAddClientPacketActionTypeData::Skill(
            StatSkillAddClientPacketActionTypeDataSkill { spell_id },
        )),
    };
    alice.send(&add(MENDING_LIGHT)).await;
    let raised = expect(&mut alice, |p| match p {
        ServerPacket::StatSkillAccept(a) => Some(a),
        _ => None,
    })
    .await;
    assert_eq!(
        (raised.skill_points, raised.spell.id, raised.spell.level),
        (2, MENDING_LIGHT, 10)
    );
    // At its maximum, and a spell not known: no point is spent.
    alice.send(&add(MENDING_LIGHT)).await;
    alice.send(&add(EMBER_DART)).await;
    nothing_of(&mut alice, "past the maximum", |p| {
        matches!(p, ServerPacket::StatSkillAccept(_))
    })
    .await;

    // Kept: the saved character knows the spell at level 10, with the points left.
    drop(alice);
    let mut control = common::Control::connect(&server.socket).await;
    control.ok("save", serde_json::json!({})).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let saved = saved_character(&server, alice_id).await;
        if (saved.spells.as_slice(), saved.skill_points) == (&[(MENDING_LIGHT, 10)][..], 2) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not saved: {:?}",
            (saved.spells, saved.skill_points)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.stop().await;
}
