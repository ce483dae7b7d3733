//! Skill masters with real clients: Sage Wren teaching Mending Light in the bundled world
//! (once, and kept over a relog), each requirement of learning refusing on its own,
//! forgetting, the reset (refused while anything is worn), the master's own level and class
//! limits, and packets at the wrong moment changing nothing.

mod common;

use common::world::{TestWorld, added_npc, world};
use common::{Entered, TestClient, TestServer, edited_player, expect, map_barrier, npc_index};
use eo_protocol::net::client::{
    PaperdollRemoveClientPacket, StatSkillJunkClientPacket, StatSkillOpenClientPacket,
    StatSkillRemoveClientPacket, StatSkillTakeClientPacket,
};
use eo_protocol::net::server::{
    ServerPacket, SkillMasterReply, StatSkillOpenServerPacket,
    StatSkillReplyServerPacketReplyCodeData,
};
use eo_protocol::net::{Item, Spell};

const GOLD: u16 = 1;
const BLADE: u16 = 2;
const MENDING_LIGHT: u16 = 1;
const EMBER_DART: u16 = 2;
const STONE_SHARD: u16 = 3;
const CIRCLE_OF_MENDING: u16 = 4;
/// Sage Wren (NPC 8, skill master behavior 1) stands at (1, 1) in the hall.
const WREN: u16 = 8;
const BANKER: u16 = 3;
/// The NPCs the tests add, after the bundled ones.
fn tutor_id() -> u16 {
    added_npc(1)
}
fn elder_id() -> u16 {
    added_npc(2)
}
const WARRIOR: u8 = 2;
const MAGE: u8 = 3;

/// The bundled world with two more skill masters in the square, near the spawn point
/// (16, 9): the Test Tutor (master 2) at (18, 9), teaching Mending Light (level 2, str 3, 100
/// gold) and Ember Dart (Mages only, Mending Light first, 50 gold); and the Elder Tutor
/// (master 3: levels 5 to 10, Warriors only) at (14, 9), teaching Mending Light for 1 gold.
fn tutor_world() -> TestWorld {
    let (tutor, elder) = (tutor_id(), elder_id());
    world()
        .append(
            "npcs.toml",
            &format!(
                "[[npc]]\nid = {tutor}\nname = \"Test Tutor\"\ntype = \"Trainer\"\nbehavior_id = 2\nhp = 10\n\n\
                 [[npc]]\nid = {elder}\nname = \"Elder Tutor\"\ntype = \"Trainer\"\nbehavior_id = 3\nhp = 10\n"
            ),
        )
        .append(
            "maps/00001.toml",
            &format!(
                "[[npc]]\nx = 18\ny = 9\nnpc = {tutor}\nspawn_type = 7\n\n\
                 [[npc]]\nx = 14\ny = 9\nnpc = {elder}\nspawn_type = 7\n"
            ),
        )
        .append(
            "trainers.toml",
            r#"
[[skill_master]]
behavior_id = 2
name = "Test Tutor"

[[skill_master.skill]]
spell = 1
price = 100
level_req = 2
str_req = 3

[[skill_master.skill]]
spell = 2
price = 50
class_req = 3
requires = [1]

[[skill_master]]
behavior_id = 3
name = "Elder Tutor"
min_level = 5
max_level = 10
class_req = 2

[[skill_master.skill]]
spell = 1
price = 1
"#,
        )
        .build()
}

async fn server_on(world: &TestWorld, max_spells: u16) -> TestServer {
    let dir = world.data_dir.clone();
    TestServer::start(move |c| {
        c.world.data_dir = dir;
        c.skill_masters.max_spells = max_spells;
    })
    .await
}

fn held(items: &[Item], id: u16) -> u32 {
    items.iter().find(|i| i.id == id).map_or(0, |i| i.amount)
}

fn spells(list: &[Spell]) -> Vec<(u16, u16)> {
    list.iter().map(|s| (s.id, s.level)).collect()
}

async fn open_at(client: &mut TestClient, index: u8) {
    client
        .send(&StatSkillOpenClientPacket {
            npc_index: u16::from(index),
        })
        .await;
}

/// StatSkill_Open at the NPC of `index`; the list it opened.
async fn open(client: &mut TestClient, index: u8) -> StatSkillOpenServerPacket {
    open_at(client, index).await;
    expect(client, |p| match p {
        ServerPacket::StatSkillOpen(open) => Some(open),
        _ => None,
    })
    .await
}

fn take(spell_id: u16, session: u16) -> StatSkillTakeClientPacket {
    StatSkillTakeClientPacket {
        session_id: u32::from(session),
        spell_id,
    }
}

fn remove(spell_id: u16, session: u16) -> StatSkillRemoveClientPacket {
    StatSkillRemoveClientPacket {
        session_id: u32::from(session),
        spell_id,
    }
}

fn junk(session: u16) -> StatSkillJunkClientPacket {
    StatSkillJunkClientPacket {
        session_id: u32::from(session),
    }
}

/// StatSkill_Take: the spell learned and the gold left.
async fn learned(client: &mut TestClient) -> (u16, u32) {
    expect(client, |p| match p {
        ServerPacket::StatSkillTake(t) => Some((t.spell_id, t.gold_amount)),
        _ => None,
    })
    .await
}

/// What the map sent for what the client sent before: no skill master packet but the
/// StatSkill_Reply codes (with the class needed) it lists.
async fn replies(client: &mut TestClient, what: &str) -> Vec<(SkillMasterReply, Option<u8>)> {
    let seen = map_barrier(client).await;
    let mut codes = Vec::new();
    for packet in seen {
        match packet {
            ServerPacket::StatSkillReply(r) => codes.push((
                r.reply_code,
                r.reply_code_data
                    .map(|StatSkillReplyServerPacketReplyCodeData::WrongClass(w)| w.class_id),
            )),
            p @ (ServerPacket::StatSkillOpen(_)
            | ServerPacket::StatSkillTake(_)
            | ServerPacket::StatSkillRemove(_)
            | ServerPacket::StatSkillJunk(_)) => panic!("{what}: {p:?}"),
            _ => {}
        }
    }
    codes
}

async fn nothing_happens(client: &mut TestClient, what: &str) {
    let codes = replies(client, what).await;
    assert!(codes.is_empty(), "{what}: {codes:?}");
}

/// Logs the character in again (its player gone first: a login waits for the logout's save)
/// and enters the game.
async fn relog(server: &TestServer, name: &str) -> Entered {
    let mut client = TestClient::connected(server.addr).await;
    let id = common::create_character(&mut client, name).await;
    common::enter_character(&mut client, id).await
}

#[tokio::test]
async fn sage_wren_teaches_mending_light_once_and_it_is_kept_over_a_relog() {
    let server = TestServer::start(|_| {}).await;
    let (mut amy, _, entered) = edited_player(&server, "amyra", |c| {
        c.level = 1;
        c.inventory = vec![(GOLD, 500)];
        (c.x, c.y) = (2, 1);
    })
    .await;
    let wren = npc_index(&mut amy, &entered, WREN).await;
    let list = open(&mut amy, wren).await;
    assert_eq!(list.shop_name, "Wren's Lessons");
    let taught: Vec<(u16, u32, u8, [u16; 4], u16)> = list
        .skills
        .iter()
        .map(|s| {
            (
                s.id,
                s.cost,
                s.level_requirement,
                s.skill_requirements,
                s.stat_requirements.intl,
            )
        })
        .collect();
    assert_eq!(
        taught,
        [
            (MENDING_LIGHT, 150, 1, [0; 4], 0),
            (EMBER_DART, 400, 2, [1, 0, 0, 0], 2),
            (STONE_SHARD, 600, 4, [EMBER_DART, 0, 0, 0], 4),
            (CIRCLE_OF_MENDING, 500, 3, [MENDING_LIGHT, 0, 0, 0], 0)
        ]
    );
    let session = list.session_id;
    amy.send(&take(MENDING_LIGHT, session)).await;
    assert_eq!(learned(&mut amy).await, (MENDING_LIGHT, 350));
    // Known already: not taught (nor charged) again. Ember Dart needs level 2.
    amy.send(&take(MENDING_LIGHT, session)).await;
    amy.send(&take(EMBER_DART, session)).await;
    nothing_happens(&mut amy, "a known spell, a level too low").await;

    drop(amy);
    let again = relog(&server, "amyra").await;
    assert_eq!(spells(&again.enter.spells), [(MENDING_LIGHT, 0)]);
    assert_eq!(held(&again.enter.items, GOLD), 350);
    server.stop().await;
}

/// A player at the spawn point, edited by `edit`, with the Test Tutor open: the client, the
/// session, and the tutor's index.
async fn at_tutor(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> (TestClient, u16) {
    let (mut client, _, entered) = edited_player(server, name, edit).await;
    let tutor = npc_index(&mut client, &entered, tutor_id()).await;
    let session = open(&mut client, tutor).await.session_id;
    (client, session)
}

#[tokio::test]
async fn learning_refuses_on_each_requirement_alone() {
    let world = tutor_world();
    let server = server_on(&world, 48).await;
    // Everything Mending Light at the tutor asks: level 2, str 3, 100 gold.
    let ready = |c: &mut eo_server::db::Character| {
        c.level = 2;
        c.str = 3;
        c.inventory = vec![(GOLD, 100)];
    };
    for (name, spoil) in [
        (
            "lowly",
            (|c| c.level = 1) as fn(&mut eo_server::db::Character),
        ),
        ("weakling", |c| c.str = 2),
        ("pauper", |c| c.inventory = vec![(GOLD, 99)]),
    ] {
        let (mut client, session) = at_tutor(&server, name, |c| {
            ready(c);
            spoil(c);
        })
        .await;
        client.send(&take(MENDING_LIGHT, session)).await;
        nothing_happens(&mut client, name).await;
    }
    // With all of it, the spell is learned.
    let (mut able, session) = at_tutor(&server, "able", ready).await;
    able.send(&take(MENDING_LIGHT, session)).await;
    assert_eq!(learned(&mut able).await, (MENDING_LIGHT, 0));

    // Ember Dart: for Mages who know Mending Light.
    let (mut mage, session) = at_tutor(&server, "magus", |c| {
        c.class = MAGE;
        c.inventory = vec![(GOLD, 50)];
    })
    .await;
    mage.send(&take(EMBER_DART, session)).await;
    nothing_happens(&mut mage, "without Mending Light").await;
    let (mut warrior, session) = at_tutor(&server, "brute", |c| {
        c.class = WARRIOR;
        c.spells = vec![(MENDING_LIGHT, 0)];
        c.inventory = vec![(GOLD, 50)];
    })
    .await;
    warrior.send(&take(EMBER_DART, session)).await;
    assert_eq!(
        replies(&mut warrior, "a Warrior").await,
        [(SkillMasterReply::WrongClass, Some(MAGE))]
    );
    let (mut scholar, session) = at_tutor(&server, "scholar", |c| {
        c.class = MAGE;
        c.spells = vec![(MENDING_LIGHT, 3)];
        c.inventory = vec![(GOLD, 50)];
    })
    .await;
    scholar.send(&take(EMBER_DART, session)).await;
    assert_eq!(learned(&mut scholar).await, (EMBER_DART, 0));
    drop((able, mage, warrior, scholar));

    // Nothing refused took gold or taught anything.
    for (name, gold) in [("lowly", 100), ("pauper", 99), ("brute", 50)] {
        let again = relog(&server, name).await;
        assert_eq!(held(&again.enter.items, GOLD), gold, "{name}");
    }
    let again = relog(&server, "brute").await;
    assert_eq!(spells(&again.enter.spells), [(MENDING_LIGHT, 0)]);
    let again = relog(&server, "scholar").await;
    assert_eq!(
        spells(&again.enter.spells),
        [(MENDING_LIGHT, 3), (EMBER_DART, 0)]
    );
    assert_eq!(held(&again.enter.items, GOLD), 0);
    server.stop().await;
}

#[tokio::test]
async fn a_character_knowing_max_spells_learns_no_more_until_it_forgets_one() {
    let world = tutor_world();
    let server = server_on(&world, 1).await;
    let (mut full, session) = at_tutor(&server, "fullbook", |c| {
        c.class = MAGE;
        c.level = 2;
        c.str = 3;
        c.spells = vec![(MENDING_LIGHT, 0)];
        c.inventory = vec![(GOLD, 500)];
    })
    .await;
    full.send(&take(EMBER_DART, session)).await;
    nothing_happens(&mut full, "no room for a spell").await;
    // Forgotten, it makes room again; a spell not known is not forgotten.
    full.send(&remove(EMBER_DART, session)).await;
    nothing_happens(&mut full, "forgetting a spell not known").await;
    full.send(&remove(MENDING_LIGHT, session)).await;
    let removed = expect(&mut full, |p| match p {
        ServerPacket::StatSkillRemove(r) => Some(r.spell_id),
        _ => None,
    })
    .await;
    assert_eq!(removed, MENDING_LIGHT);
    full.send(&take(MENDING_LIGHT, session)).await;
    assert_eq!(learned(&mut full).await, (MENDING_LIGHT, 400));
    server.stop().await;
}

#[tokio::test]
async fn a_reset_is_refused_while_anything_is_worn_then_clears_stats_and_spells() {
    let world = tutor_world();
    let server = server_on(&world, 48).await;
    let (mut rex, session) = at_tutor(&server, "rexford", |c| {
        c.level = 3;
        (c.str, c.intl, c.wis, c.agi, c.con, c.cha) = (4, 3, 2, 1, 5, 6);
        c.stat_points = 1;
        c.skill_points = 2;
        c.spells = vec![(MENDING_LIGHT, 2), (EMBER_DART, 1)];
        c.equipment.weapon = BLADE;
        c.inventory = vec![(GOLD, 10)];
    })
    .await;
    rex.send(&junk(session)).await;
    assert_eq!(
        replies(&mut rex, "a reset while armed").await,
        [(SkillMasterReply::RemoveItems, None)]
    );
    rex.send(&junk(session.wrapping_add(1))).await;
    nothing_happens(&mut rex, "a reset with a wrong session").await;

    rex.send(&PaperdollRemoveClientPacket {
        item_id: BLADE,
        sub_loc: 0,
    })
    .await;
    rex.send(&junk(session)).await;
    let reset = expect(&mut rex, |p| match p {
        ServerPacket::StatSkillJunk(j) => Some(j.stats),
        _ => None,
    })
    .await;
    // Level 3: 3 x 3 stat points and 3 x 4 skill points to spend again.
    assert_eq!((reset.stat_points, reset.skill_points), (9, 12));
    let b = &reset.base;
    assert_eq!(
        (b.str, b.intl, b.wis, b.agi, b.con, b.cha),
        (0, 0, 0, 0, 0, 0)
    );
    assert!(reset.hp <= reset.max_hp);

    drop(rex);
    let again = relog(&server, "rexford").await;
    assert!(again.enter.spells.is_empty(), "{:?}", again.enter.spells);
    let stats = &again.select.stats;
    assert_eq!((stats.stat_points, stats.skill_points), (9, 12));
    assert_eq!((stats.base.str, stats.base.con, stats.base.cha), (0, 0, 0));
    assert_eq!(held(&again.enter.items, BLADE), 1);
    assert_eq!(held(&again.enter.items, GOLD), 10);
    server.stop().await;
}

#[tokio::test]
async fn the_masters_own_level_and_class_limits_apply() {
    let world = tutor_world();
    let server = server_on(&world, 48).await;
    for (name, level, class, expected) in [
        ("cadet", 4, WARRIOR, None),
        ("veteran", 11, WARRIOR, None),
        ("sorcerer", 6, MAGE, Some(WARRIOR)),
    ] {
        let (mut client, _, entered) = edited_player(&server, name, |c| {
            c.level = level;
            c.class = class;
            c.inventory = vec![(GOLD, 10)];
        })
        .await;
        let elder = npc_index(&mut client, &entered, elder_id()).await;
        open_at(&mut client, elder).await;
        // Nothing is open: a guessed session teaches nothing.
        for session in [10, 11, 12] {
            client.send(&take(MENDING_LIGHT, session)).await;
        }
        let codes = replies(&mut client, name).await;
        let wrong_class: Vec<_> = expected
            .map(|class| (SkillMasterReply::WrongClass, Some(class)))
            .into_iter()
            .collect();
        assert_eq!(codes, wrong_class, "{name}");
    }
    let (mut client, _, entered) = edited_player(&server, "knight", |c| {
        c.level = 6;
        c.class = WARRIOR;
        c.inventory = vec![(GOLD, 10)];
    })
    .await;
    let elder = npc_index(&mut client, &entered, elder_id()).await;
    let session = open(&mut client, elder).await.session_id;
    client.send(&take(MENDING_LIGHT, session)).await;
    assert_eq!(learned(&mut client).await, (MENDING_LIGHT, 9));
    server.stop().await;
}

#[tokio::test]
async fn packets_at_the_wrong_moment_change_nothing() {
    let world = tutor_world();
    let server = server_on(&world, 48).await;
    let (mut sam, _, entered) = edited_player(&server, "samwise", |c| {
        c.level = 2;
        c.str = 3;
        c.spells = vec![(MENDING_LIGHT, 1)];
        c.inventory = vec![(GOLD, 1000)];
    })
    .await;
    // Nothing open yet.
    sam.send(&take(MENDING_LIGHT, 10)).await;
    sam.send(&remove(MENDING_LIGHT, 10)).await;
    sam.send(&junk(10)).await;
    nothing_happens(&mut sam, "no master open").await;
    // Wren is far out of reach; the banker is no skill master; 250 is no NPC.
    let (mut near_wren, _, entered_hall) =
        edited_player(&server, "hallguest", |c| (c.x, c.y) = (2, 1)).await;
    let wren = npc_index(&mut near_wren, &entered_hall, WREN).await;
    let banker = npc_index(&mut sam, &entered, BANKER).await;
    for index in [wren, banker, 250] {
        open_at(&mut sam, index).await;
    }
    nothing_happens(&mut sam, "out of reach, not a master, no NPC").await;

    let tutor = npc_index(&mut sam, &entered, tutor_id()).await;
    let session = open(&mut sam, tutor).await.session_id;
    for wrong in [
        take(EMBER_DART, session.wrapping_add(1)),
        take(0, session),
        take(999, session),
    ] {
        sam.send(&wrong).await;
    }
    sam.send(&remove(MENDING_LIGHT, session.wrapping_add(1)))
        .await;
    sam.send(&junk(session.wrapping_add(1))).await;
    nothing_happens(&mut sam, "wrong session or spell").await;
    // Asking another master (the elder, who refuses a level 2) closes this one: its session
    // is no longer good.
    let elder = npc_index(&mut sam, &entered, elder_id()).await;
    open_at(&mut sam, elder).await;
    sam.send(&remove(MENDING_LIGHT, session)).await;
    nothing_happens(&mut sam, "the tutor's session after asking the elder").await;

    drop(sam);
    let again = relog(&server, "samwise").await;
    assert_eq!(spells(&again.enter.spells), [(MENDING_LIGHT, 1)]);
    assert_eq!(held(&again.enter.items, GOLD), 1000);
    assert_eq!(again.select.stats.base.str, 3);
    server.stop().await;
}
