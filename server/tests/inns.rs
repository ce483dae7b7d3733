//! Inns with real clients: becoming a citizen of Mossbrook at Innkeeper Tobin (its answers
//! compared ignoring case), giving the citizenship up, sleeping to full HP and TP for the
//! missing HP and TP and waking in the hall, respawning at the home inn; and every way to ask
//! wrongly changes nothing.

mod common;

use std::time::Duration;

use common::world::{TestWorld, added_npc, world};
use common::{
    Control, TestClient, TestServer, edited_player, expect, map_barrier, saved_character,
};
use eo_protocol::net::client::{
    CitizenAcceptClientPacket, CitizenOpenClientPacket, CitizenRemoveClientPacket,
    CitizenReplyClientPacket, CitizenRequestClientPacket, WarpAcceptClientPacket,
};
use eo_protocol::net::server::{
    CitizenOpenServerPacket, InnUnsubscribeReply, ServerPacket, WarpType,
};
use eo_server::config::Config;
use eo_server::db::Character;

/// Innkeeper Tobin (NPC 2) runs the inn of behavior id 1, "Mossbrook".
const TOBIN: u16 = 2;
const MOSSBROOK: u16 = 1;
/// The test's second inn, "Brookside" (behavior id 2), kept by the first NPC the test adds
/// (the second is a brute), on the square.
fn keeper_id() -> u16 {
    added_npc(1)
}
const BROOKSIDE: u16 = 2;
/// Right answers to Tobin's questions, written as a careless player would.
const ANSWERS: [&str; 3] = [" mossbrook", "TOBIN", "Moss "];

/// The bundled world, plus a second inn whose keeper stands on the square at (18, 9) (out of
/// reach of the hall) and respawns its citizens at (20, 9), and an arena (the first new map)
/// with a brute that kills with one blow.
fn inn_world() -> TestWorld {
    let (keeper, brute) = (keeper_id(), added_npc(2));
    world()
        .append(
            "npcs.toml",
            &format!(
                "[[npc]]\nid = {keeper}\nname = \"Brookside Keeper\"\ntype = \"Inn\"\nbehavior_id = 2\nhp = 10\n\n\
                 [[npc]]\nid = {brute}\nname = \"Inn Test Brute\"\ntype = \"Aggressive\"\nhp = 1000\n\
                 min_damage = 5\nmax_damage = 5\nlevel = 5\n"
            ),
        )
        .append(
            "maps/00001.toml",
            &format!("[[npc]]\nx = 18\ny = 9\nnpc = {keeper}\nspawn_type = 7\nspawn_time = 0\n"),
        )
        .append(
            "inns.toml",
            "[[inn]]\nbehavior_id = 2\nname = \"Brookside\"\nspawn = { map = 1, x = 20, y = 9 }\n\
             questions = [\n  { question = \"One?\", answer = \"1\" },\n  \
             { question = \"Two?\", answer = \"2\" },\n  { question = \"Three?\", answer = \"3\" },\n]\n",
        )
        .map(&format!(
            "name = \"Inn Arena\"\nwidth = 10\nheight = 5\nfill_tile = 1\nrelog = {{ x = 8, y = 3 }}\n\
             layout = '''\n##########\n#........#\n#........#\n#........#\n##########\n'''\n\
             [[npc]]\nx = 6\ny = 2\nnpc = {brute}\nspawn_type = 0\nspawn_time = 60\n"
        ))
        .data_file(
            "formulas.toml",
            "[combat]\nhit_rate = \"1\"\ncritical_rate = \"0\"\ndamage = \"damage * 10\"\n",
        )
        .build()
}

async fn start(world: &TestWorld, adjust: impl FnOnce(&mut Config)) -> TestServer {
    let data_dir = world.data_dir.clone();
    TestServer::start(move |c| {
        c.world.data_dir = data_dir;
        adjust(c);
    })
    .await
}

/// A character in the hall at (6, 4), next to Tobin (7, 4), its saved record edited first.
async fn in_the_hall(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut Character),
) -> (TestClient, i32, u8) {
    let (client, id, entered) = edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (1, 6, 4);
        edit(c);
    })
    .await;
    let tobin = npc_index(&entered, TOBIN);
    (client, id, tobin)
}

fn npc_index(
    entered: &eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
    id: u16,
) -> u8 {
    entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("NPC {id} is in view"))
        .index
}

async fn open(client: &mut TestClient, index: u8) -> CitizenOpenServerPacket {
    client
        .send(&CitizenOpenClientPacket {
            npc_index: u16::from(index),
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::CitizenOpen(open) => Some(open),
        _ => None,
    })
    .await
}

fn answer(session_id: u16, behavior_id: u16, answers: &[&str]) -> CitizenReplyClientPacket {
    CitizenReplyClientPacket {
        session_id,
        behavior_id,
        answers: answers.iter().map(|a| (*a).to_owned()).collect(),
    }
}

/// Sends `packet`, then shows that the map answered nothing of the Citizen family.
async fn refused<P: eo_protocol::serialize::Packet>(client: &mut TestClient, packet: &P) {
    client.send(packet).await;
    let seen = map_barrier(client).await;
    assert!(
        !seen.iter().any(|p| matches!(
            p,
            ServerPacket::CitizenOpen(_)
                | ServerPacket::CitizenReply(_)
                | ServerPacket::CitizenRemove(_)
                | ServerPacket::CitizenRequest(_)
                | ServerPacket::CitizenAccept(_)
        )),
        "{seen:?}"
    );
}

fn gold(c: &Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

/// The saved character once `done` holds (the server saves on its own schedule).
async fn saved_when(server: &TestServer, id: i32, done: impl Fn(&Character) -> bool) -> Character {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let saved = saved_character(server, id).await;
        if done(&saved) {
            return saved;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not saved: {saved:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_new_citizen_answers_the_questions_and_the_periodic_save_keeps_its_home() {
    let world = inn_world();
    // Saves every second: the new home must reach the database without a logout or an
    // operator's save.
    let server = start(&world, |c| c.world.save_interval_secs = 1).await;
    // Someone on the square sees the Brookside keeper, out of reach of the hall.
    let (_square, _, seen) = edited_player(&server, "square", |_| {}).await;
    let far_keeper = npc_index(&seen, keeper_id());
    let (mut alice, alice_id, tobin) = in_the_hall(&server, "alice", |_| {}).await;

    // Answers before any inn is open, and an innkeeper out of reach: nothing.
    refused(&mut alice, &answer(100, MOSSBROOK, &ANSWERS)).await;
    refused(
        &mut alice,
        &CitizenOpenClientPacket {
            npc_index: u16::from(far_keeper),
        },
    )
    .await;
    // An NPC that keeps no inn (Marla the Trader, a Shop) opens nothing either.
    refused(&mut alice, &CitizenOpenClientPacket { npc_index: 0 }).await;

    let opened = open(&mut alice, tobin).await;
    assert_eq!(opened.behavior_id, u32::from(MOSSBROOK));
    assert_eq!(opened.current_home_id, 0, "not a citizen yet");
    assert_eq!(
        opened.questions,
        [
            "What is the name of this town?",
            "Who keeps this inn?",
            "What grows by the brook?"
        ]
    );
    let session = opened.session_id;
    // A wrong session, another inn's behavior id: nothing.
    refused(&mut alice, &answer(session + 1, MOSSBROOK, &ANSWERS)).await;
    refused(&mut alice, &answer(session, BROOKSIDE, &ANSWERS)).await;

    // Wrong answers (an empty one too) are counted.
    for (answers, wrong) in [
        (["Mossbrook", "Tobin", "Weeds"], 1),
        (["Mossbrook", "Odell", ""], 2),
    ] {
        alice.send(&answer(session, MOSSBROOK, &answers)).await;
        let reply = expect(&mut alice, |p| match p {
            ServerPacket::CitizenReply(r) => Some(r.questions_wrong),
            _ => None,
        })
        .await;
        assert_eq!(reply, wrong);
    }
    assert_eq!(saved_character(&server, alice_id).await.home, "");

    alice.send(&answer(session, MOSSBROOK, &ANSWERS)).await;
    let reply = expect(&mut alice, |p| match p {
        ServerPacket::CitizenReply(r) => Some(r.questions_wrong),
        _ => None,
    })
    .await;
    assert_eq!(reply, 0);
    // Tobin now knows a citizen.
    assert_eq!(open(&mut alice, tobin).await.current_home_id, 1);
    let saved = saved_when(&server, alice_id, |c| !c.home.is_empty()).await;
    assert_eq!(saved.home, "Mossbrook");
    server.stop().await;
}

#[tokio::test]
async fn a_citizen_gives_up_its_citizenship_once() {
    let world = inn_world();
    let server = start(&world, |_| {}).await;
    let (mut bob, bob_id, tobin) =
        in_the_hall(&server, "bobby", |c| c.home = "Mossbrook".into()).await;
    // Before the inn is open, nothing.
    refused(
        &mut bob,
        &CitizenRemoveClientPacket {
            behavior_id: MOSSBROOK,
        },
    )
    .await;
    assert_eq!(open(&mut bob, tobin).await.current_home_id, 1);
    // Another inn's behavior id: nothing.
    refused(
        &mut bob,
        &CitizenRemoveClientPacket {
            behavior_id: BROOKSIDE,
        },
    )
    .await;
    let mut replies = Vec::new();
    for _ in 0..2 {
        bob.send(&CitizenRemoveClientPacket {
            behavior_id: MOSSBROOK,
        })
        .await;
        replies.push(
            expect(&mut bob, |p| match p {
                ServerPacket::CitizenRemove(r) => Some(r.reply_code),
                _ => None,
            })
            .await,
        );
    }
    assert_eq!(
        replies,
        [
            InnUnsubscribeReply::Unsubscribed,
            InnUnsubscribeReply::NotCitizen
        ]
    );
    drop(bob);
    let saved = saved_when(&server, bob_id, |c| c.home != "Mossbrook").await;
    assert_eq!(saved.home, "");
    server.stop().await;
}

#[tokio::test]
async fn a_citizen_of_another_inn_must_leave_it_unless_subscribing_anytime() {
    let world = inn_world();
    for anytime in [false, true] {
        let server = start(&world, |c| c.inns.subscribe_anytime = anytime).await;
        let (mut carol, carol_id, tobin) =
            in_the_hall(&server, "carol", |c| c.home = "Brookside".into()).await;
        let opened = open(&mut carol, tobin).await;
        if !anytime {
            // The client sees a citizen (of inn 2) and offers no sign-up; the server refuses
            // one all the same.
            assert_eq!(opened.current_home_id, 2);
            refused(&mut carol, &answer(opened.session_id, MOSSBROOK, &ANSWERS)).await;
            drop(carol);
            let mut control = Control::connect(&server.socket).await;
            control.ok("save", serde_json::json!({})).await;
            assert_eq!(saved_character(&server, carol_id).await.home, "Brookside");
        } else {
            assert_eq!(
                opened.current_home_id, 0,
                "EOSERV's CitizenSubscribeAnytime"
            );
            carol
                .send(&answer(opened.session_id, MOSSBROOK, &ANSWERS))
                .await;
            let wrong = expect(&mut carol, |p| match p {
                ServerPacket::CitizenReply(r) => Some(r.questions_wrong),
                _ => None,
            })
            .await;
            assert_eq!(wrong, 0);
            drop(carol);
            let saved = saved_when(&server, carol_id, |c| c.home != "Brookside").await;
            assert_eq!(saved.home, "Mossbrook");
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn a_citizen_sleeps_to_full_for_what_is_missing_and_wakes_in_the_hall() {
    let world = inn_world();
    let server = start(&world, |_| {}).await;
    let hurt = |c: &mut Character| {
        c.home = "Mossbrook".into();
        (c.hp, c.tp) = (1, 0);
    };
    let (mut dave, dave_id, entered) = edited_player(&server, "dave", |c| {
        (c.map, c.x, c.y) = (1, 6, 4);
        hurt(c);
        c.inventory = vec![(1, 100)];
    })
    .await;
    let tobin = npc_index(&entered, TOBIN);
    let me = entered.nearby.characters[0].clone();
    let cost = u32::from(me.max_hp - 1) + u32::from(me.max_tp);
    assert!(cost > 0 && cost < 100, "{me:?}");

    // Asking a price before the inn is open: nothing.
    refused(
        &mut dave,
        &CitizenRequestClientPacket {
            session_id: 100,
            behavior_id: MOSSBROOK,
        },
    )
    .await;
    let session = open(&mut dave, tobin).await.session_id;
    for (session_id, behavior_id) in [(session + 1, MOSSBROOK), (session, BROOKSIDE)] {
        refused(
            &mut dave,
            &CitizenRequestClientPacket {
                session_id,
                behavior_id,
            },
        )
        .await;
        refused(
            &mut dave,
            &CitizenAcceptClientPacket {
                session_id,
                behavior_id,
            },
        )
        .await;
    }
    dave.send(&CitizenRequestClientPacket {
        session_id: session,
        behavior_id: MOSSBROOK,
    })
    .await;
    let price = expect(&mut dave, |p| match p {
        ServerPacket::CitizenRequest(r) => Some(r.cost),
        _ => None,
    })
    .await;
    assert_eq!(price, cost, "reoserv's price: the HP and TP missing");
    dave.send(&CitizenAcceptClientPacket {
        session_id: session,
        behavior_id: MOSSBROOK,
    })
    .await;
    let left = expect(&mut dave, |p| match p {
        ServerPacket::CitizenAccept(a) => Some(a.gold_amount),
        _ => None,
    })
    .await;
    assert_eq!(left, 100 - cost);
    // Then the warp to the inn's sleep point, the hall's corner (2, 1).
    let warp = expect(&mut dave, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!((warp.warp_type, warp.map_id), (WarpType::Local, 1));
    dave.send(&WarpAcceptClientPacket {
        map_id: 1,
        session_id: warp.session_id,
    })
    .await;
    let woke = expect(&mut dave, |p| match p {
        ServerPacket::WarpAgree(a) => a
            .nearby
            .characters
            .into_iter()
            .find(|c| c.player_id == me.player_id),
        _ => None,
    })
    .await;
    assert_eq!((woke.coords.x, woke.coords.y), (2, 1));
    assert_eq!((woke.hp, woke.tp), (me.max_hp, me.max_tp));
    drop(dave);
    // (Taking the warp saved it once before it moved: the logout's save is the one there.)
    let saved = saved_when(&server, dave_id, |c| (c.x, c.y) == (2, 1)).await;
    assert_eq!(gold(&saved), 100 - cost);
    assert_eq!((saved.hp, saved.tp), (me.max_hp, me.max_tp));
    assert_eq!((saved.x, saved.y), (2, 1));
    server.stop().await;
}

#[tokio::test]
async fn no_sleep_for_strangers_the_rested_or_the_poor() {
    let world = inn_world();
    let server = start(&world, |_| {}).await;
    // A stranger (no home), a rested citizen (full HP and TP: entering cuts them to the
    // maxima) and a citizen without gold.
    type Edit = fn(&mut Character);
    let cases: [(&str, Edit); 3] = [
        ("erin", |c| {
            (c.hp, c.tp) = (1, 0);
            c.inventory = vec![(1, 1000)];
        }),
        ("frank", |c| {
            c.home = "Mossbrook".into();
            (c.hp, c.tp) = (1000, 1000);
            c.inventory = vec![(1, 1000)];
        }),
        ("gina", |c| {
            c.home = "Mossbrook".into();
            (c.hp, c.tp) = (1, 0);
        }),
    ];
    for (name, edit) in cases {
        let (mut client, id, tobin) = in_the_hall(&server, name, edit).await;
        let session = open(&mut client, tobin).await.session_id;
        let sleep = CitizenAcceptClientPacket {
            session_id: session,
            behavior_id: MOSSBROOK,
        };
        if name == "gina" {
            // The price is told; paying it is not possible.
            client
                .send(&CitizenRequestClientPacket {
                    session_id: session,
                    behavior_id: MOSSBROOK,
                })
                .await;
            expect(&mut client, |p| {
                matches!(p, ServerPacket::CitizenRequest(_)).then_some(())
            })
            .await;
        } else {
            refused(
                &mut client,
                &CitizenRequestClientPacket {
                    session_id: session,
                    behavior_id: MOSSBROOK,
                },
            )
            .await;
        }
        refused(&mut client, &sleep).await;
        drop(client);
        let mut control = Control::connect(&server.socket).await;
        control.ok("save", serde_json::json!({})).await;
        let saved = saved_character(&server, id).await;
        assert_eq!((saved.x, saved.y), (6, 4), "{name} did not move");
        let had = if name == "gina" { 0 } else { 1000 };
        assert_eq!(gold(&saved), had, "{name} paid nothing");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_citizen_respawns_at_its_home_inn_and_a_stranger_at_the_relog_point() {
    let world = inn_world();
    let arena = world.first_new_map;
    let server = start(&world, |c| {
        c.npcs.tick_ms = 20;
        c.npcs.speeds_ms = [20; 7];
        c.npcs.chase_distance = 8;
        c.npcs.spawn_radius = 0;
        c.npcs.seed = 5;
    })
    .await;
    for (name, home, to) in [
        ("hank", "Brookside", (1, 20, 9)),
        ("ivan", "", (arena, 8, 3)),
    ] {
        let (mut client, _, entered) = edited_player(&server, name, |c| {
            (c.map, c.x, c.y) = (arena, 2, 2);
            c.home = home.into();
        })
        .await;
        let me = entered.nearby.characters[0].player_id;
        // The brute comes and kills with one blow.
        expect(&mut client, |p| match p {
            ServerPacket::NpcPlayer(u) => u.attacks.iter().any(|a| a.player_id == me).then_some(()),
            _ => None,
        })
        .await;
        let warp = expect(&mut client, |p| match p {
            ServerPacket::WarpRequest(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!(warp.map_id, to.0, "{name}");
        client
            .send(&WarpAcceptClientPacket {
                map_id: warp.map_id,
                session_id: warp.session_id,
            })
            .await;
        let back = expect(&mut client, |p| match p {
            ServerPacket::WarpAgree(a) => {
                a.nearby.characters.into_iter().find(|c| c.player_id == me)
            }
            _ => None,
        })
        .await;
        assert_eq!((back.coords.x, back.coords.y), (to.1, to.2), "{name}");
        drop(client);
    }
    server.stop().await;
}
