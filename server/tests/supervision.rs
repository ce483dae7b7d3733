//! Actor failures stay with their own work (the `fault-injection` feature, as in `cargo test
//! --workspace --all-features`): a panic in a map or in the world actor is caught, logged and
//! survived; a map that does not answer in time never leaves a character in two places, with a
//! stale copy, or as a ghost on a tile.

#![cfg(feature = "fault-injection")]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::{
    Control, TestClient, TestServer, create_character, edit_character, enter_character, enter_game,
    expect, saved_character,
};
use eo_protocol::Direction;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::client::{
    ByteCoords, ItemDropClientPacket, PlayersRequestClientPacket, RefreshRequestClientPacket,
    TalkMsgClientPacket, TalkReportClientPacket, TalkTellClientPacket, WarpAcceptClientPacket,
    WelcomeMsgClientPacket, WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    InitInitServerPacketReplyCodeData, NearbyInfo, ServerPacket,
    WelcomeReplyServerPacketWelcomeCodeData,
};
use eo_server::map::fault::{MAP_PANIC_LINE, MAP_STALL_LINE};
use eo_server::world::fault::WORLD_PANIC_LINE;
use serde_json::json;

/// The log lines of this test binary, captured once for all its tests.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        #[derive(Clone)]
        struct Capture(Arc<Mutex<Vec<u8>>>);
        impl Write for Capture {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let capture = Capture(Arc::clone(&buffer));
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_env_filter("info")
            .with_writer(move || capture.clone())
            .init();
        buffer
    }))
}

fn logged(logs: &Arc<Mutex<Vec<u8>>>, needle: &str) -> bool {
    String::from_utf8_lossy(&logs.lock().unwrap()).contains(needle)
}

async fn say(client: &mut TestClient, message: &str) {
    client
        .send(&TalkReportClientPacket {
            message: message.into(),
        })
        .await;
}

async fn heard(client: &mut TestClient) -> String {
    expect(client, |p| match p {
        ServerPacket::TalkPlayer(p) => Some(p.message),
        _ => None,
    })
    .await
}

/// What the client sees now (Refresh_Request).
async fn nearby(client: &mut TestClient) -> NearbyInfo {
    client.send(&RefreshRequestClientPacket).await;
    expect(client, |p| match p {
        ServerPacket::RefreshReply(r) => Some(r.nearby),
        _ => None,
    })
    .await
}

fn names(nearby: &NearbyInfo) -> Vec<String> {
    let mut names: Vec<String> = nearby.characters.iter().map(|c| c.name.clone()).collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_map_is_caught_and_the_map_and_everyone_on_it_go_on() {
    let logs = logs();
    let server = TestServer::start(|_| {}).await;
    let mut alice = TestClient::connected(server.addr).await;
    enter_game(&mut alice, "alice").await;
    let mut bobby = TestClient::connected(server.addr).await;
    enter_game(&mut bobby, "bobby").await;
    let alice_id = alice.player_id;

    say(&mut alice, MAP_PANIC_LINE).await;
    // The map goes on with its next message: alice walks and bobby sees it.
    alice.walk(Direction::Down, 16, 10).await;
    expect(&mut alice, |p| {
        matches!(p, ServerPacket::WalkReply(_)).then_some(())
    })
    .await;
    let walker = expect(&mut bobby, |p| match p {
        ServerPacket::WalkPlayer(w) => Some(w.player_id),
        _ => None,
    })
    .await;
    assert_eq!(walker, alice_id);
    say(&mut alice, "still here").await;
    assert_eq!(heard(&mut bobby).await, "still here");
    // A newcomer enters the same map and sees both.
    let mut carol = TestClient::connected(server.addr).await;
    enter_game(&mut carol, "carol").await;
    assert_eq!(
        names(&nearby(&mut carol).await),
        ["alice", "bobby", "carol"]
    );
    assert!(logged(&logs, "the map actor panicked"));
    assert!(logged(&logs, "handling=\"talk\""));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_the_world_is_caught_and_logins_chat_and_the_list_go_on() {
    let logs = logs();
    let server = TestServer::start(|_| {}).await;
    let mut alice = TestClient::connected(server.addr).await;
    enter_game(&mut alice, "alice").await;
    let mut bobby = TestClient::connected(server.addr).await;
    enter_game(&mut bobby, "bobby").await;

    alice
        .send(&TalkMsgClientPacket {
            message: WORLD_PANIC_LINE.into(),
        })
        .await;
    // A whisper goes through the world.
    alice
        .send(&TalkTellClientPacket {
            name: "bobby".into(),
            message: "psst".into(),
        })
        .await;
    let whispered = expect(&mut bobby, |p| match p {
        ServerPacket::TalkTell(t) => Some((t.player_name, t.message)),
        _ => None,
    })
    .await;
    assert_eq!(whispered, ("alice".into(), "psst".into()));
    // Logging in needs the world; so does the online list.
    let mut carol = TestClient::connected(server.addr).await;
    enter_game(&mut carol, "carol").await;
    carol.send(&PlayersRequestClientPacket).await;
    let listed = expect(&mut carol, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::PlayersList(list)) => Some(
                list.players_list
                    .players
                    .into_iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(listed, ["alice", "bobby", "carol"]);
    assert!(logged(&logs, "the world actor panicked"));
    server.stop().await;
}

/// A player in the game at the spawn point, its character edited first.
async fn player(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> (TestClient, i32) {
    let mut client = TestClient::connected(server.addr).await;
    let id = create_character(&mut client, name).await;
    edit_character(server, id, edit).await;
    enter_character(&mut client, id).await;
    (client, id)
}

fn gold(c: &eo_server::db::Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

/// How long the tests stall a map: longer than a player task waits for its answer.
const STALL: Duration = Duration::from_millis(7_000);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warp_off_a_map_too_slow_to_answer_keeps_the_character_there_with_its_changes() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let (mut alice, alice_id) = player(&server, "alice", |c| c.inventory = vec![(1, 500)]).await;
    let (mut bobby, _) = player(&server, "bobby", |_| {}).await;
    // Alice drops 100 gold: the map holds her with 400.
    alice
        .send(&ItemDropClientPacket {
            item: ThreeItem { id: 1, amount: 100 },
            coords: ByteCoords { x: 255, y: 255 },
        })
        .await;
    let dropped = expect(&mut alice, |p| match p {
        ServerPacket::ItemDrop(d) => Some(d.remaining_amount),
        _ => None,
    })
    .await;
    assert_eq!(dropped, 400);

    // The map stops answering; an operator sends alice to map 2 meanwhile.
    say(
        &mut bobby,
        &format!("{MAP_STALL_LINE}{}", STALL.as_millis()),
    )
    .await;
    control
        .ok("warp", json!({"name": "alice", "map": 2, "x": 5, "y": 5}))
        .await;
    let request = expect(&mut alice, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    alice
        .send(&WarpAcceptClientPacket {
            map_id: request.map_id,
            session_id: request.session_id,
        })
        .await;
    // Her map did not let her go in time: the connection closes, and she is not moved with
    // an old copy of herself.
    assert!(alice.is_closed_within(STALL + Duration::from_secs(5)).await);
    // Once the map answers again she leaves it, saved as she was there: 400 gold, map 1.
    let gone = expect(&mut bobby, |p| match p {
        ServerPacket::AvatarRemove(r) => Some(r.player_id),
        _ => None,
    })
    .await;
    assert_eq!(gone, alice.player_id);
    assert_eq!(names(&nearby(&mut bobby).await), ["bobby"]);
    // She can play again (her account is free once her save is on disk), where she was and
    // with what she had there.
    let mut again = TestClient::connected(server.addr).await;
    let id = create_character(&mut again, "alice").await;
    let saved = saved_character(&server, alice_id).await;
    assert_eq!((gold(&saved), saved.map), (400, 1));
    let entered = enter_character(&mut again, id).await;
    let carried = entered
        .enter
        .items
        .iter()
        .find(|i| i.id == 1)
        .map(|i| i.amount);
    assert_eq!(carried, Some(400));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entering_a_map_too_slow_to_answer_leaves_no_ghost_behind() {
    let server = TestServer::start(|_| {}).await;
    let mut bobby = TestClient::connected(server.addr).await;
    enter_game(&mut bobby, "bobby").await;
    // Alice's character exists; she logs in while the map is stalled.
    let mut alice = TestClient::connected(server.addr).await;
    let alice_id = create_character(&mut alice, "alice").await;
    say(
        &mut bobby,
        &format!("{MAP_STALL_LINE}{}", STALL.as_millis()),
    )
    .await;
    alice
        .send(&WelcomeRequestClientPacket {
            character_id: alice_id as u32,
        })
        .await;
    let Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(select)) =
        expect(&mut alice, |p| match p {
            ServerPacket::WelcomeReply(r) => Some(r.welcome_code_data),
            _ => None,
        })
        .await
    else {
        panic!("expected SelectCharacter");
    };
    alice
        .send(&WelcomeMsgClientPacket {
            session_id: u32::from(select.session_id),
            character_id: alice_id as u32,
        })
        .await;
    // The map does not answer in time: the connection closes.
    assert!(alice.is_closed_within(STALL + Duration::from_secs(5)).await);
    // Once the map answers again, alice is not left standing there.
    let seen = nearby(&mut bobby).await;
    assert_eq!(names(&seen), ["bobby"], "no ghost");
    // Bobby can step where she would have stood (the spawn point), and she can log in.
    bobby.walk(Direction::Down, 16, 10).await;
    expect(&mut bobby, |p| {
        matches!(p, ServerPacket::WalkReply(_)).then_some(())
    })
    .await;
    bobby.walk(Direction::Up, 16, 9).await;
    expect(&mut bobby, |p| {
        matches!(p, ServerPacket::WalkReply(_)).then_some(())
    })
    .await;
    let mut again = TestClient::connected(server.addr).await;
    let id = create_character(&mut again, "alice").await;
    enter_character(&mut again, id).await;
    assert_eq!(names(&nearby(&mut bobby).await), ["alice", "bobby"]);
    server.stop().await;
}
