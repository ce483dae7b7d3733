//! Parties over real TCP: invitations and join requests (in reach, not already in a party, not
//! past `[parties] max_size`), the member list with HP bars, leaving, kicking and disbanding,
//! party chat, a kill's experience shared among the members on the map by `[parties]
//! share_mode`, and a party across two maps.
//!
//! The test world's formulas make every blow hit for ten times its rolled damage (an unarmed
//! character rolls 1, so 10); its dummies have 10 HP, so one blow kills.

mod common;

use common::world::{TestWorld, added_npc};
use common::{TestClient, TestServer, edited_player, expect, map_barrier};
use eo_protocol::Direction;
use eo_protocol::net::PartyRequestType;
use eo_protocol::net::client::{
    AttackUseClientPacket, PartyAcceptClientPacket, PartyRemoveClientPacket,
    PartyRequestClientPacket, PartyTakeClientPacket, PlayersRequestClientPacket,
    TalkOpenClientPacket, WarpAcceptClientPacket,
};
use eo_protocol::net::server::{
    InitInitServerPacketReplyCodeData, PartyExpShare, PartyMember, PartyReplyCode,
    PartyReplyServerPacketReplyCodeData, ServerPacket,
};
use eo_server::config::{Config, ShareMode};

fn dummy_id() -> u16 {
    added_npc(1)
}
fn golden_dummy_id() -> u16 {
    added_npc(2)
}

/// The NPCs made for the tests: a dummy worth 90 experience, a golden one worth 300.
fn test_npcs() -> String {
    format!(
        r#"
[[npc]]
id = {dummy}
name = "Party Dummy"
graphic = 4
type = "Passive"
hp = 10
level = 1
experience = 90

[[npc]]
id = {golden}
name = "Golden Party Dummy"
graphic = 4
type = "Passive"
hp = 10
level = 1
experience = 300
"#,
        dummy = dummy_id(),
        golden = golden_dummy_id(),
    )
}

/// Every blow hits for ten times its roll; regeneration every `recovery_secs`, 1 HP.
fn formulas(recovery_secs: u32) -> String {
    format!(
        "[combat]\nhit_rate = \"1\"\ncritical_rate = \"0\"\ndamage = \"damage * 10\"\n\
         [recovery]\ninterval_secs = {recovery_secs}\nhp = \"1\"\ntp = \"0\"\n"
    )
}

/// A walled room 30 x 7 (wide enough to stand out of the see distance); `row2` replaces the
/// floor of row 2 from x = 1 (a warp, say); `extra` adds tables (spawns, warps).
fn room(name: &str, row2: &str, extra: &str) -> String {
    let floor = ".".repeat(28);
    let mut second = row2.to_owned();
    second.push_str(&floor[row2.len()..]);
    format!(
        r#"
name = "{name}"
type = "Normal"
width = 30
height = 7
fill_tile = 1
relog = {{ x = 2, y = 3 }}
layout = '''
{wall}
#{floor}#
#{second}#
#{floor}#
#{floor}#
#{floor}#
{wall}
'''
{extra}
"#,
        wall = "#".repeat(30),
    )
}

/// A `[[npc]]` spawn of `npc` standing still at (x, y).
fn spawn(npc: u16, x: u8, y: u8) -> String {
    format!("\n[[npc]]\nx = {x}\ny = {y}\nnpc = {npc}\nspawn_type = 7\nspawn_time = 0\n")
}

/// The arena (a dummy at (5, 3), a golden one at (5, 5), a warp at (2, 2) to the second room)
/// and the second room.
fn test_world(recovery_secs: u32) -> TestWorld {
    // The maps are numbered after the bundled ones: the arena first, the second room next.
    let bundled = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world-src/maps"),
    )
    .unwrap()
    .count() as u16;
    let second = bundled + 2;
    let arena = room(
        "Party Arena",
        ".E",
        &format!(
            "[warps.E]\nmap = {second}\nx = 2\ny = 3\n{}{}",
            spawn(dummy_id(), 5, 3),
            spawn(golden_dummy_id(), 5, 5)
        ),
    );
    let world = common::world::world()
        .append("npcs.toml", &test_npcs())
        .data_file("formulas.toml", &formulas(recovery_secs))
        .map(&arena)
        .map(&room("Second Room", "", ""))
        .build();
    assert_eq!(world.first_new_map + 1, second);
    world
}

/// A server on `world` whose characters start in the arena at (2, 3), with a fast clock.
async fn start(world: &TestWorld, adjust: impl FnOnce(&mut Config)) -> TestServer {
    let map = world.first_new_map;
    world
        .serve((map, 2, 3), move |config| {
            config.npcs.tick_ms = 20;
            config.npcs.seed = 11;
            adjust(config);
        })
        .await
}

/// A player in the game, its saved character edited first.
async fn player(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> TestClient {
    edited_player(server, name, edit).await.0
}

/// Level `level` with exactly the experience it takes (the bundled table).
fn at_level(c: &mut eo_server::db::Character, level: u8) {
    c.level = level;
    c.experience = (f64::from(level).powi(3) * 133.1).round() as u32;
}

async fn request(from: &mut TestClient, to: u16, kind: PartyRequestType) {
    from.send(&PartyRequestClientPacket {
        request_type: kind,
        player_id: to,
    })
    .await;
}

async fn accept(client: &mut TestClient, inviter: u16, kind: PartyRequestType) {
    client
        .send(&PartyAcceptClientPacket {
            request_type: kind,
            inviter_player_id: inviter,
        })
        .await;
}

/// Waits for a Party_Request: (its type, who asked, their name).
async fn party_request_of(client: &mut TestClient) -> (PartyRequestType, u16, String) {
    expect(client, |p| match p {
        ServerPacket::PartyRequest(r) => Some((r.request_type, r.inviter_player_id, r.player_name)),
        _ => None,
    })
    .await
}

async fn created(client: &mut TestClient) -> Vec<PartyMember> {
    expect(client, |p| match p {
        ServerPacket::PartyCreate(c) => Some(c.members),
        _ => None,
    })
    .await
}

/// `leader` invites `member`, who accepts; the member's Party_Create.
async fn invite(leader: &mut TestClient, member: &mut TestClient) -> Vec<PartyMember> {
    request(leader, member.player_id, PartyRequestType::Invite).await;
    let (_, inviter, _) = party_request_of(member).await;
    accept(member, inviter, PartyRequestType::Invite).await;
    created(member).await
}

/// Everything the world sent the client before it answers one more request (the online
/// list): the world handles one player's requests in order.
async fn world_barrier(client: &mut TestClient) -> Vec<ServerPacket> {
    client.send(&PlayersRequestClientPacket).await;
    let mut before = Vec::new();
    loop {
        match client.recv().await {
            ServerPacket::InitInit(init)
                if matches!(
                    init.reply_code_data,
                    Some(InitInitServerPacketReplyCodeData::PlayersList(_))
                ) =>
            {
                return before;
            }
            other => before.push(other),
        }
    }
}

fn ids(members: &[PartyMember]) -> Vec<(u16, bool)> {
    members.iter().map(|m| (m.player_id, m.leader)).collect()
}

fn party_packets(seen: &[ServerPacket]) -> Vec<&ServerPacket> {
    seen.iter()
        .filter(|p| {
            matches!(
                p,
                ServerPacket::PartyRequest(_)
                    | ServerPacket::PartyCreate(_)
                    | ServerPacket::PartyAdd(_)
                    | ServerPacket::PartyRemove(_)
                    | ServerPacket::PartyClose(_)
                    | ServerPacket::PartyReply(_)
                    | ServerPacket::PartyTargetGroup(_)
                    | ServerPacket::TalkOpen(_)
            )
        })
        .collect()
}

#[tokio::test]
async fn an_invitation_accepted_makes_a_party_with_hp_bars_and_a_join_adds_to_it() {
    let world = test_world(1000);
    let server = start(&world, |_| {}).await;
    let mut alice = player(&server, "alice", |c| at_level(c, 4)).await;
    let mut bob = player(&server, "bobby", |c| {
        c.x = 3;
        c.hp = 5;
    })
    .await;
    let (a, b) = (alice.player_id, bob.player_id);

    request(&mut alice, b, PartyRequestType::Invite).await;
    assert_eq!(
        party_request_of(&mut bob).await,
        (PartyRequestType::Invite, a, "alice".into())
    );
    // Accepting a request nobody made does nothing.
    accept(&mut bob, a, PartyRequestType::Join).await;
    assert!(party_packets(&world_barrier(&mut bob).await).is_empty());
    accept(&mut bob, a, PartyRequestType::Invite).await;
    for client in [&mut alice, &mut bob] {
        let members = created(client).await;
        assert_eq!(ids(&members), [(a, true), (b, false)], "the inviter leads");
        assert_eq!((members[0].name.as_str(), members[0].level), ("alice", 4));
        assert_eq!((members[1].name.as_str(), members[1].level), ("bobby", 0));
    }
    // The HP bars: bobby has 5 of his 10 HP, and both see it.
    for client in [&mut alice, &mut bob] {
        let bar = expect(client, |p| match p {
            ServerPacket::PartyAgree(agree) if agree.player_id == b => Some(agree.hp_percentage),
            _ => None,
        })
        .await;
        assert_eq!(bar, 50);
    }
    // The list again, as it is (his HP bar included).
    bob.send(&PartyTakeClientPacket { members_count: 2 }).await;
    let list = expect(&mut bob, |p| match p {
        ServerPacket::PartyList(l) => Some(l.members),
        _ => None,
    })
    .await;
    assert_eq!(ids(&list), [(a, true), (b, false)]);
    assert_eq!(list[1].hp_percentage, 50);

    // Carol asks to join bobby's party (he is not its leader): alice's party grows.
    let mut carol = player(&server, "carol", |c| c.y = 4).await;
    let c = carol.player_id;
    request(&mut carol, b, PartyRequestType::Join).await;
    assert_eq!(
        party_request_of(&mut bob).await,
        (PartyRequestType::Join, c, "carol".into())
    );
    accept(&mut bob, c, PartyRequestType::Join).await;
    let members = created(&mut carol).await;
    assert_eq!(ids(&members), [(a, true), (b, false), (c, false)]);
    for client in [&mut alice, &mut bob] {
        let added = expect(client, |p| match p {
            ServerPacket::PartyAdd(add) => Some(add.member),
            _ => None,
        })
        .await;
        assert_eq!(
            (added.player_id, added.leader, added.name.as_str()),
            (c, false, "carol")
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn requests_are_refused_out_of_reach_in_a_party_already_or_past_the_size() {
    let world = test_world(1000);
    let server = start(&world, |c| c.parties.max_size = 3).await;
    let mut alice = player(&server, "alice", |_| {}).await;
    let mut bob = player(&server, "bobby", |c| c.x = 3).await;
    let mut carol = player(&server, "carol", |c| c.x = 4).await;
    let mut dave = player(&server, "davey", |c| c.y = 4).await;
    // Far out of the see distance: no request reaches him.
    let mut far = player(&server, "farah", |c| c.x = 27).await;
    request(&mut alice, far.player_id, PartyRequestType::Invite).await;
    world_barrier(&mut alice).await;
    assert!(party_packets(&world_barrier(&mut far).await).is_empty());

    invite(&mut alice, &mut bob).await;
    // Invited again: already in her party.
    request(&mut alice, bob.player_id, PartyRequestType::Invite).await;
    let reply = expect(&mut alice, |p| match p {
        ServerPacket::PartyReply(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(reply.reply_code, PartyReplyCode::AlreadyInYourParty);
    assert!(matches!(
        reply.reply_code_data,
        Some(PartyReplyServerPacketReplyCodeData::AlreadyInYourParty(r)) if r.player_name == "bobby"
    ));
    // Carol and dave make their own; alice cannot take carol from it.
    invite(&mut carol, &mut dave).await;
    request(&mut alice, carol.player_id, PartyRequestType::Invite).await;
    let reply = expect(&mut alice, |p| match p {
        ServerPacket::PartyReply(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(reply.reply_code, PartyReplyCode::AlreadyInAnotherParty);
    assert!(matches!(
        reply.reply_code_data,
        Some(PartyReplyServerPacketReplyCodeData::AlreadyInAnotherParty(r)) if r.player_name == "carol"
    ));
    // Dave leaves (his party ends), then fills alice's to its three.
    dave.send(&PartyRemoveClientPacket {
        player_id: dave.player_id,
    })
    .await;
    expect(&mut carol, |p| {
        matches!(p, ServerPacket::PartyClose(_)).then_some(())
    })
    .await;
    invite(&mut alice, &mut dave).await;
    // Full: carol's request to join is refused, and so is alice's invitation.
    request(&mut carol, alice.player_id, PartyRequestType::Join).await;
    let reply = expect(&mut carol, |p| match p {
        ServerPacket::PartyReply(r) => Some(r.reply_code),
        _ => None,
    })
    .await;
    assert_eq!(reply, PartyReplyCode::PartyIsFull);
    request(&mut alice, carol.player_id, PartyRequestType::Invite).await;
    let reply = expect(&mut alice, |p| match p {
        ServerPacket::PartyReply(r) => Some(r.reply_code),
        _ => None,
    })
    .await;
    assert_eq!(reply, PartyReplyCode::PartyIsFull);
    assert!(party_packets(&world_barrier(&mut carol).await).is_empty());
    server.stop().await;
}

#[tokio::test]
async fn members_leave_the_leader_kicks_and_the_party_disbands() {
    let world = test_world(1000);
    let server = start(&world, |_| {}).await;
    let mut alice = player(&server, "alice", |_| {}).await;
    let mut bob = player(&server, "bobby", |c| c.x = 3).await;
    let mut carol = player(&server, "carol", |c| c.x = 4).await;
    let (a, b, c) = (alice.player_id, bob.player_id, carol.player_id);
    invite(&mut alice, &mut bob).await;
    invite(&mut alice, &mut carol).await;
    let removed = |id: u16| {
        move |p: ServerPacket| match p {
            ServerPacket::PartyRemove(r) if r.player_id == id => Some(()),
            _ => None,
        }
    };
    let closed = |p: ServerPacket| matches!(p, ServerPacket::PartyClose(_)).then_some(());

    // Only the leader kicks.
    bob.send(&PartyRemoveClientPacket { player_id: c }).await;
    world_barrier(&mut bob).await;
    let seen = world_barrier(&mut carol).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::PartyClose(_))),
        "{seen:?}"
    );
    alice.send(&PartyRemoveClientPacket { player_id: c }).await;
    expect(&mut carol, closed).await;
    expect(&mut alice, removed(c)).await;
    expect(&mut bob, removed(c)).await;

    // Back in, then she leaves herself.
    let members = invite(&mut alice, &mut carol).await;
    assert_eq!(ids(&members), [(a, true), (b, false), (c, false)]);
    carol.send(&PartyRemoveClientPacket { player_id: c }).await;
    expect(&mut carol, closed).await;
    expect(&mut alice, removed(c)).await;
    expect(&mut bob, removed(c)).await;

    // Bobby leaves: one member is no party, so it disbands.
    bob.send(&PartyRemoveClientPacket { player_id: b }).await;
    expect(&mut bob, closed).await;
    expect(&mut alice, closed).await;

    // The leader leaving disbands a party of three.
    invite(&mut alice, &mut bob).await;
    invite(&mut alice, &mut carol).await;
    alice.send(&PartyRemoveClientPacket { player_id: a }).await;
    for client in [&mut alice, &mut bob, &mut carol] {
        expect(client, closed).await;
    }
    // Not in a party any more: the list is not sent.
    bob.send(&PartyTakeClientPacket { members_count: 0 }).await;
    let seen = world_barrier(&mut bob).await;
    assert!(
        !seen.iter().any(|p| matches!(p, ServerPacket::PartyList(_))),
        "{seen:?}"
    );

    // A member who leaves the game leaves the party (of two: it ends).
    invite(&mut alice, &mut bob).await;
    drop(bob);
    expect(&mut alice, closed).await;
    server.stop().await;
}

#[tokio::test]
async fn party_chat_reaches_the_other_members_only() {
    let world = test_world(1000);
    let server = start(&world, |_| {}).await;
    let mut alice = player(&server, "alice", |_| {}).await;
    let mut bob = player(&server, "bobby", |c| c.x = 3).await;
    let mut carol = player(&server, "carol", |c| c.x = 4).await;
    // Not in a party: said to nobody.
    alice
        .send(&TalkOpenClientPacket {
            message: "anyone?".into(),
        })
        .await;
    world_barrier(&mut alice).await;
    invite(&mut alice, &mut bob).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await; // flood.chat_ms
    alice
        .send(&TalkOpenClientPacket {
            message: "to the party".into(),
        })
        .await;
    let heard = expect(&mut bob, |p| match p {
        ServerPacket::TalkOpen(t) => Some((t.player_id, t.message)),
        _ => None,
    })
    .await;
    assert_eq!(heard, (alice.player_id, "to the party".into()));
    let said = |seen: &[ServerPacket]| seen.iter().any(|p| matches!(p, ServerPacket::TalkOpen(_)));
    let seen = world_barrier(&mut alice).await;
    assert!(!said(&seen), "no echo: {seen:?}");
    let seen = world_barrier(&mut carol).await;
    assert!(!said(&seen) && party_packets(&seen).is_empty(), "{seen:?}");
    server.stop().await;
}

async fn strike(client: &mut TestClient, direction: Direction) {
    let timestamp = client.next_walk_stamp();
    client
        .send(&AttackUseClientPacket {
            direction,
            timestamp,
        })
        .await;
}

/// The Party_TargetGroup gains a member gets.
async fn gains_of(client: &mut TestClient) -> Vec<PartyExpShare> {
    expect(client, |p| match p {
        ServerPacket::PartyTargetGroup(t) => Some(t.gains),
        _ => None,
    })
    .await
}

fn gain(player_id: u16, experience: u32, level_up: u8) -> PartyExpShare {
    PartyExpShare {
        player_id,
        experience,
        level_up,
    }
}

#[tokio::test]
async fn a_kill_is_shared_by_level_among_the_members_on_the_map() {
    let world = test_world(1000);
    let server = start(&world, |c| {
        assert_eq!(c.parties.share_mode, ShareMode::Level)
    })
    .await;
    // Alice (level 10) stands next to the dummy (90 experience); bobby is level 20.
    let mut alice = player(&server, "alice", |c| {
        at_level(c, 10);
        c.x = 4;
    })
    .await;
    let mut bob = player(&server, "bobby", |c| at_level(c, 20)).await;
    let mut carol = player(&server, "carol", |c| c.x = 3).await;
    let (a, b) = (alice.player_id, bob.player_id);
    invite(&mut alice, &mut bob).await;

    strike(&mut alice, Direction::Right).await;
    // The killer's kill packet carries no experience: hers comes as her party share.
    let killed = expect(&mut alice, |p| match p {
        ServerPacket::NpcSpec(s) => Some(s),
        _ => None,
    })
    .await;
    assert_eq!(killed.npc_killed_data.killer_id, a);
    assert_eq!(killed.experience, None);
    // 90 by levels 10 and 20: 30 and 60.
    assert_eq!(gains_of(&mut alice).await, [gain(a, 30, 0)]);
    assert_eq!(gains_of(&mut bob).await, [gain(b, 60, 0)]);
    // Carol, out of the party, only watched.
    let seen = map_barrier(&mut carol).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::PartyTargetGroup(_))),
        "{seen:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_even_share_levels_both_members_up() {
    let world = test_world(1000);
    let server = start(&world, |c| c.parties.share_mode = ShareMode::Even).await;
    // Both at level 0; alice next to the golden dummy (300 experience) at (5, 5).
    let mut alice = player(&server, "alice", |c| {
        c.x = 4;
        c.y = 5;
    })
    .await;
    let mut bob = player(&server, "bobby", |_| {}).await;
    let (a, b) = (alice.player_id, bob.player_id);
    invite(&mut alice, &mut bob).await;
    strike(&mut alice, Direction::Right).await;
    // 150 each: level 1 (133 experience) for both, with the new stats.
    assert_eq!(gains_of(&mut alice).await, [gain(a, 150, 1)]);
    assert_eq!(gains_of(&mut bob).await, [gain(b, 150, 1)]);
    for client in [&mut alice, &mut bob] {
        let stats = expect(client, |p| match p {
            ServerPacket::RecoverTargetGroup(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!((stats.stat_points, stats.skill_points), (3, 4));
        assert_eq!(stats.max_hp, 12);
    }
    // Each sees the other's level-up effect.
    expect(&mut alice, |p| match p {
        ServerPacket::ItemAccept(i) if i.player_id == b => Some(()),
        _ => None,
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn a_member_on_another_map_gets_no_share_but_sees_the_hp_bars() {
    // Regeneration every second: alice's HP bar keeps moving.
    let world = test_world(1);
    let second_room = world.first_new_map + 1;
    let server = start(&world, |_| {}).await;
    let mut alice = player(&server, "alice", |c| {
        at_level(c, 10);
        c.x = 4;
        c.hp = 5;
    })
    .await;
    let mut bob = player(&server, "bobby", |c| {
        at_level(c, 20);
        c.hp = 1;
    })
    .await;
    let (a, b) = (alice.player_id, bob.player_id);
    invite(&mut alice, &mut bob).await;

    // Bobby steps onto the warp at (2, 2) and takes it to the second room.
    bob.walk(Direction::Up, 2, 3).await;
    let offer = expect(&mut bob, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(offer.map_id, second_room);
    bob.send(&WarpAcceptClientPacket {
        map_id: second_room,
        session_id: offer.session_id,
    })
    .await;
    expect(&mut bob, |p| {
        matches!(p, ServerPacket::WarpAgree(_)).then_some(())
    })
    .await;
    // On the other map, he still sees alice's HP bar move.
    let before = expect(&mut bob, |p| match p {
        ServerPacket::PartyAgree(agree) if agree.player_id == a => Some(agree.hp_percentage),
        _ => None,
    })
    .await;
    let after = expect(&mut bob, |p| match p {
        ServerPacket::PartyAgree(agree) if agree.player_id == a => Some(agree.hp_percentage),
        _ => None,
    })
    .await;
    assert!(after > before, "{before} then {after}");
    // And the second room knows his party: his HP bar, moving there, reaches alice. (What
    // her map sent of him came before it answers her; whatever follows is the second room's.)
    map_barrier(&mut alice).await;
    expect(&mut alice, |p| match p {
        ServerPacket::PartyAgree(agree) if agree.player_id == b => Some(()),
        _ => None,
    })
    .await;

    // Alice kills the dummy alone on her map: all 90 are hers, none his.
    strike(&mut alice, Direction::Right).await;
    assert_eq!(gains_of(&mut alice).await, [gain(a, 90, 0)]);
    let seen = map_barrier(&mut bob).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::PartyTargetGroup(_) | ServerPacket::NpcSpec(_)
        )),
        "{seen:?}"
    );
    server.stop().await;
}
