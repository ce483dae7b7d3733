//! Entering the game and what neighbours see, over real TCP with two clients.

mod common;

use std::time::Duration;

use common::{TestClient, TestServer};
use eo_protocol::net::client::{
    CharacterCreateClientPacket, CharacterRequestClientPacket, FacePlayerClientPacket, FileType,
    TalkReportClientPacket, WalkAction, WalkPlayerClientPacket, WelcomeAgreeClientPacket,
    WelcomeAgreeClientPacketFileTypeData, WelcomeAgreeClientPacketFileTypeDataEif,
    WelcomeAgreeClientPacketFileTypeDataEmf, WelcomeMsgClientPacket, WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    CharacterReply, CharacterReplyServerPacketReplyCodeData, InitInitServerPacketReplyCodeData,
    LoginReply, LoginReplyServerPacketReplyCodeData, ServerPacket, WelcomeCode,
    WelcomeReplyServerPacketWelcomeCodeData, WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
};
use eo_protocol::{Coords, Direction, Gender};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/world")
            .join(path),
    )
    .unwrap()
}

/// Creates an account and a character, logs in, selects it, downloads the map and the item
/// file, and enters the game. Returns what Welcome_Reply EnterGame said.
async fn enter(
    client: &mut TestClient,
    account: &str,
    character: &str,
) -> WelcomeReplyServerPacketWelcomeCodeDataEnterGame {
    let _ = client.create_account(account, "secret1").await;
    // A previous connection's logout may still be reaching the world actor: retry a little.
    let mut login = client.login(account, "secret1").await;
    for _ in 0..50 {
        if login.reply_code != LoginReply::LoggedIn {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        login = client.login(account, "secret1").await;
    }
    assert_eq!(login.reply_code, LoginReply::Ok);
    let Some(LoginReplyServerPacketReplyCodeData::Ok(list)) = login.reply_code_data else {
        panic!("no character list")
    };
    let mut characters = list.characters;
    if characters.is_empty() {
        client.send(&CharacterRequestClientPacket).await;
        let ServerPacket::CharacterReply(reply) = client.recv().await else {
            panic!()
        };
        let CharacterReply::Unrecognized(session) = reply.reply_code else {
            panic!()
        };
        client
            .send(&CharacterCreateClientPacket {
                session_id: session as u16,
                gender: Gender::Female,
                hair_style: 1,
                hair_color: 0,
                skin: 0,
                name: character.into(),
            })
            .await;
        let ServerPacket::CharacterReply(reply) = client.recv().await else {
            panic!()
        };
        let Some(CharacterReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
            panic!("no character list")
        };
        characters = list.characters;
    }
    let id = characters.iter().find(|c| c.name == character).unwrap().id;
    client
        .send(&WelcomeRequestClientPacket { character_id: id })
        .await;
    let ServerPacket::WelcomeReply(reply) = client.recv().await else {
        panic!()
    };
    assert_eq!(reply.welcome_code, WelcomeCode::SelectCharacter);
    let Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(select)) =
        reply.welcome_code_data
    else {
        panic!()
    };
    assert_eq!(select.name, character);
    assert_eq!(select.map_id, 1);
    let map_file = fixture("maps/00001.emf");
    assert_eq!(select.map_file_size as usize, map_file.len());
    let eif = <eo_protocol::pubs::Eif as eo_protocol::data_file::DataFile>::read(&fixture(
        "pub/dat001.eif",
    ))
    .unwrap();
    assert_eq!(select.eif_length, eif.total_items_count);

    // Download the map and the item file as a client with an empty cache does.
    client
        .send(&WelcomeAgreeClientPacket {
            file_type: FileType::Emf,
            session_id: select.session_id,
            file_type_data: Some(WelcomeAgreeClientPacketFileTypeData::Emf(
                WelcomeAgreeClientPacketFileTypeDataEmf { file_id: 1 },
            )),
        })
        .await;
    let ServerPacket::InitInit(file) = client.recv().await else {
        panic!()
    };
    let Some(InitInitServerPacketReplyCodeData::FileEmf(emf)) = file.reply_code_data else {
        panic!()
    };
    assert_eq!(emf.map_file.content, map_file);
    client
        .send(&WelcomeAgreeClientPacket {
            file_type: FileType::Eif,
            session_id: select.session_id,
            file_type_data: Some(WelcomeAgreeClientPacketFileTypeData::Eif(
                WelcomeAgreeClientPacketFileTypeDataEif { file_id: 1 },
            )),
        })
        .await;
    let ServerPacket::InitInit(file) = client.recv().await else {
        panic!()
    };
    let Some(InitInitServerPacketReplyCodeData::FileEif(eif)) = file.reply_code_data else {
        panic!()
    };
    assert_eq!(
        (eif.pub_file.file_id, eif.pub_file.content.to_vec()),
        (1, fixture("pub/dat001.eif"))
    );

    client
        .send(&WelcomeMsgClientPacket {
            session_id: u32::from(select.session_id),
            character_id: id,
        })
        .await;
    let ServerPacket::WelcomeReply(reply) = client.recv().await else {
        panic!()
    };
    let Some(WelcomeReplyServerPacketWelcomeCodeData::EnterGame(game)) = reply.welcome_code_data
    else {
        panic!()
    };
    game
}

async fn expect<T>(client: &mut TestClient, pick: impl Fn(ServerPacket) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let packet = tokio::time::timeout_at(deadline, client.recv())
            .await
            .expect("the expected packet in time");
        if let Some(found) = pick(packet) {
            return found;
        }
    }
}

#[tokio::test]
async fn two_players_see_each_other_walk_face_talk_and_leave() {
    let server = TestServer::start(|_| {}).await;
    let mut first = TestClient::connected(server.addr).await;
    let game = enter(&mut first, "first", "alpha").await;
    assert_eq!(game.news.len(), 9);
    assert_eq!(game.nearby.characters.len(), 1, "sees only itself");
    assert_eq!(game.nearby.characters[0].name, "alpha");
    assert_eq!(
        (
            game.nearby.characters[0].coords.x,
            game.nearby.characters[0].coords.y
        ),
        (16, 9)
    );

    let mut second = TestClient::connected(server.addr).await;
    let game = enter(&mut second, "second", "beta").await;
    assert_eq!(game.nearby.characters.len(), 2, "sees both");
    let beta_id = second.player_id;

    // The first sees the second appear.
    let appeared = expect(&mut first, |p| match p {
        ServerPacket::PlayersAgree(agree) => Some(agree.nearby.characters),
        _ => None,
    })
    .await;
    assert_eq!(appeared[0].name, "beta");
    assert_eq!(appeared[0].player_id, beta_id);

    // The second walks down (16,9) -> (16,10).
    second
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: Direction::Down,
                timestamp: 0,
                coords: Coords { x: 16, y: 10 },
            },
        })
        .await;
    let walked = expect(&mut first, |p| match p {
        ServerPacket::WalkPlayer(walk) => Some(walk),
        _ => None,
    })
    .await;
    assert_eq!(
        (walked.player_id, walked.direction),
        (beta_id, Direction::Down)
    );
    assert_eq!((walked.coords.x, walked.coords.y), (16, 10));
    // The walker itself gets Walk_Reply (nobody new came into view).
    let reply = expect(&mut second, |p| match p {
        ServerPacket::WalkReply(reply) => Some(reply),
        _ => None,
    })
    .await;
    assert!(reply.player_ids.is_empty());

    second
        .send(&FacePlayerClientPacket {
            direction: Direction::Left,
        })
        .await;
    let faced = expect(&mut first, |p| match p {
        ServerPacket::FacePlayer(face) => Some(face),
        _ => None,
    })
    .await;
    assert_eq!(
        (faced.player_id, faced.direction),
        (beta_id, Direction::Left)
    );

    second
        .send(&TalkReportClientPacket {
            message: "hello there".into(),
        })
        .await;
    let said = expect(&mut first, |p| match p {
        ServerPacket::TalkPlayer(talk) => Some(talk),
        _ => None,
    })
    .await;
    assert_eq!(
        (said.player_id, said.message.as_str()),
        (beta_id, "hello there")
    );

    // Leaving: the neighbour is told, and the position is saved.
    drop(second);
    let removed = expect(&mut first, |p| match p {
        ServerPacket::AvatarRemove(remove) => Some(remove.player_id),
        _ => None,
    })
    .await;
    assert_eq!(removed, beta_id);
    let mut again = TestClient::connected(server.addr).await;
    let game = enter(&mut again, "second", "beta").await;
    let me = game
        .nearby
        .characters
        .iter()
        .find(|c| c.name == "beta")
        .unwrap();
    assert_eq!(
        (me.coords.x, me.coords.y, me.direction),
        (16, 10, Direction::Left)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_walk_into_a_wall_is_refused_and_the_client_is_put_back() {
    // Start just above the town hall's chair at (3,2).
    let server = TestServer::start(|c| {
        c.world.spawn_x = 3;
        c.world.spawn_y = 1;
    })
    .await;
    let mut client = TestClient::connected(server.addr).await;
    enter(&mut client, "first", "alpha").await;
    // (3,2) is a chair: not walkable.
    client
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: Direction::Down,
                timestamp: 0,
                coords: Coords { x: 3, y: 2 },
            },
        })
        .await;
    let refreshed = expect(&mut client, |p| match p {
        ServerPacket::RefreshReply(refresh) => Some(refresh.nearby.characters),
        _ => None,
    })
    .await;
    assert_eq!((refreshed[0].coords.x, refreshed[0].coords.y), (3, 1));
    server.stop().await;
}

#[tokio::test]
async fn global_chat_whispers_emotes_and_sitting_reach_the_right_players() {
    use eo_protocol::Emote;
    use eo_protocol::net::client::{
        EmoteReportClientPacket, GlobalCloseClientPacket, GlobalOpenClientPacket, SitAction,
        SitRequestClientPacket, SitRequestClientPacketSitActionData,
        SitRequestClientPacketSitActionDataSit, TalkAnnounceClientPacket, TalkMsgClientPacket,
        TalkTellClientPacket,
    };
    use eo_protocol::net::server::TalkReply;

    let server = TestServer::start(|_| {}).await;
    let mut first = TestClient::connected(server.addr).await;
    enter(&mut first, "first", "alpha").await;
    let mut second = TestClient::connected(server.addr).await;
    enter(&mut second, "second", "beta").await;
    let beta_id = second.player_id;

    // Global chat reaches the other player, with the sender's name.
    second
        .send(&TalkMsgClientPacket {
            message: "hi all".into(),
        })
        .await;
    let global = expect(&mut first, |p| match p {
        ServerPacket::TalkMsg(msg) => Some(msg),
        _ => None,
    })
    .await;
    assert_eq!(
        (global.player_name.as_str(), global.message.as_str()),
        ("beta", "hi all")
    );

    // A whisper reaches its target by name, in any case.
    first
        .send(&TalkTellClientPacket {
            name: "BETA".into(),
            message: "psst".into(),
        })
        .await;
    let tell = expect(&mut second, |p| match p {
        ServerPacket::TalkTell(tell) => Some(tell),
        _ => None,
    })
    .await;
    assert_eq!(
        (tell.player_name.as_str(), tell.message.as_str()),
        ("alpha", "psst")
    );

    // A whisper to nobody comes back as "not found".
    first
        .send(&TalkTellClientPacket {
            name: "nobody".into(),
            message: "hello?".into(),
        })
        .await;
    let reply = expect(&mut first, |p| match p {
        ServerPacket::TalkReply(reply) => Some(reply),
        _ => None,
    })
    .await;
    assert_eq!(
        (reply.reply_code, reply.name.as_str()),
        (TalkReply::NotFound, "nobody")
    );

    // An announcement from a player who is not an admin goes nowhere; with the global tab
    // closed, global chat does not arrive either; opened again, it does.
    first.send(&GlobalCloseClientPacket).await;
    // Let the world actor take the Close before the next message (they come on two
    // connections, so nothing else orders them).
    tokio::time::sleep(Duration::from_millis(100)).await;
    second
        .send(&TalkAnnounceClientPacket {
            message: "I am not an admin".into(),
        })
        .await;
    second
        .send(&TalkMsgClientPacket {
            message: "muted".into(),
        })
        .await;
    first.send(&GlobalOpenClientPacket).await;
    // Let the world actor take the Open before the next message.
    tokio::time::sleep(Duration::from_millis(100)).await;
    second
        .send(&TalkMsgClientPacket {
            message: "heard".into(),
        })
        .await;
    let next = expect(&mut first, |p| match p {
        ServerPacket::TalkMsg(msg) => Some(msg.message),
        ServerPacket::TalkAnnounce(a) => Some(format!("announce: {}", a.message)),
        _ => None,
    })
    .await;
    assert_eq!(next, "heard");

    // Emotes and sitting are seen by the neighbour.
    second
        .send(&EmoteReportClientPacket {
            emote: Emote::Happy,
        })
        .await;
    let emote = expect(&mut first, |p| match p {
        ServerPacket::EmotePlayer(e) => Some(e),
        _ => None,
    })
    .await;
    assert_eq!((emote.player_id, emote.emote), (beta_id, Emote::Happy));
    second
        .send(&SitRequestClientPacket {
            sit_action: SitAction::Sit,
            sit_action_data: Some(SitRequestClientPacketSitActionData::Sit(
                SitRequestClientPacketSitActionDataSit {
                    cursor_coords: Coords { x: 16, y: 9 },
                },
            )),
        })
        .await;
    let sat = expect(&mut first, |p| match p {
        ServerPacket::SitPlayer(s) => Some(s.player_id),
        _ => None,
    })
    .await;
    assert_eq!(sat, beta_id);
    let own = expect(&mut second, |p| match p {
        ServerPacket::SitReply(s) => Some(s.player_id),
        _ => None,
    })
    .await;
    assert_eq!(own, beta_id);
    server.stop().await;
}

#[tokio::test]
async fn a_warp_tile_takes_a_player_to_the_other_map_and_back() {
    use eo_protocol::net::client::{WarpAcceptClientPacket, WarpTakeClientPacket};
    use eo_protocol::net::server::{
        WarpAgreeServerPacketWarpTypeData, WarpRequestServerPacketWarpTypeData, WarpType,
    };

    // Start next to the town's east warp at (25,11), which leads to map 2 (1,15).
    let server = TestServer::start(|c| {
        c.world.spawn_x = 24;
        c.world.spawn_y = 11;
    })
    .await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter(&mut watcher, "first", "alpha").await;
    let mut traveller = TestClient::connected(server.addr).await;
    enter(&mut traveller, "second", "beta").await;
    let traveller_id = traveller.player_id;

    traveller.walk(Direction::Right, 25, 11).await;
    let request = expect(&mut traveller, |p| match p {
        ServerPacket::WarpRequest(request) => Some(request),
        _ => None,
    })
    .await;
    assert_eq!(
        (request.warp_type, request.map_id),
        (WarpType::MapSwitch, 2)
    );
    let Some(WarpRequestServerPacketWarpTypeData::MapSwitch(switch)) = request.warp_type_data
    else {
        panic!("no map rid")
    };
    let map2 = fixture("maps/00002.emf");
    assert_eq!(switch.map_file_size as usize, map2.len());

    // Download the map, then accept.
    traveller
        .send(&WarpTakeClientPacket {
            map_id: 2,
            session_id: request.session_id,
        })
        .await;
    // (The Walk_Reply of the step may arrive in between.)
    let file = expect(&mut traveller, |p| match p {
        ServerPacket::InitInit(file) => Some(file),
        _ => None,
    })
    .await;
    let Some(InitInitServerPacketReplyCodeData::WarpMap(map)) = file.reply_code_data else {
        panic!()
    };
    assert_eq!(map.map_file.content, map2);
    traveller
        .send(&WarpAcceptClientPacket {
            map_id: 2,
            session_id: request.session_id,
        })
        .await;
    let agree = expect(&mut traveller, |p| match p {
        ServerPacket::WarpAgree(agree) => Some(agree),
        _ => None,
    })
    .await;
    assert!(matches!(
        agree.warp_type_data,
        Some(WarpAgreeServerPacketWarpTypeData::MapSwitch(ref s)) if s.map_id == 2
    ));
    let me = agree
        .nearby
        .characters
        .iter()
        .find(|c| c.player_id == traveller_id)
        .unwrap();
    assert_eq!((me.map_id, me.coords.x, me.coords.y), (2, 1, 15));

    // The one left behind saw the traveller go.
    let gone = expect(&mut watcher, |p| match p {
        ServerPacket::AvatarRemove(remove) => Some(remove.player_id),
        _ => None,
    })
    .await;
    assert_eq!(gone, traveller_id);

    // The same Warp_Accept again (a client's retry, or an offer replaced by a later one) is
    // stale: ignored, and the connection stays (the walk below goes on it).
    traveller
        .send(&WarpAcceptClientPacket {
            map_id: 2,
            session_id: request.session_id,
        })
        .await;

    // Map 2's warp at (0,15) leads back to the town (24,11), in view of the watcher.
    traveller.walk(Direction::Left, 0, 15).await;
    let request = expect(&mut traveller, |p| match p {
        ServerPacket::WarpRequest(request) => Some(request),
        _ => None,
    })
    .await;
    assert_eq!(request.map_id, 1);
    traveller
        .send(&WarpAcceptClientPacket {
            map_id: 1,
            session_id: request.session_id,
        })
        .await;
    let agree = expect(&mut traveller, |p| match p {
        ServerPacket::WarpAgree(agree) => Some(agree),
        _ => None,
    })
    .await;
    assert!(agree.nearby.characters.iter().any(|c| c.name == "alpha"));
    let back = expect(&mut watcher, |p| match p {
        ServerPacket::PlayersAgree(agree) => Some(agree.nearby.characters),
        _ => None,
    })
    .await;
    assert_eq!(
        (back[0].name.as_str(), back[0].coords.x, back[0].coords.y),
        ("beta", 24, 11)
    );
    server.stop().await;
}

#[tokio::test]
async fn shutdown_tells_the_players_and_saves_a_walked_character() {
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connected(server.addr).await;
    enter(&mut client, "first", "alpha").await;
    client
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: Direction::Up,
                timestamp: 0,
                coords: Coords { x: 16, y: 8 },
            },
        })
        .await;
    // Make sure the walk was handled before shutting down: a refresh comes after it.
    client
        .send(&eo_protocol::net::client::RefreshRequestClientPacket)
        .await;
    let seen = expect(&mut client, |p| match p {
        ServerPacket::RefreshReply(refresh) => Some(refresh.nearby.characters),
        _ => None,
    })
    .await;
    assert_eq!((seen[0].coords.x, seen[0].coords.y), (16, 8));

    let db_path = server.dir.path().join("test.db");
    let dir = server.dir;
    server.shutdown.cancel();
    // The client is told the server is going down.
    let told = expect(&mut client, |p| match p {
        ServerPacket::MessageClose(_) => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(told, ());
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("the server stops")
        .unwrap();
    let db = eo_server::db::Db::open(&db_path).await.unwrap();
    let character = db.load_character(1).await.unwrap().unwrap();
    assert_eq!((character.map, character.x, character.y), (1, 16, 8));
    assert_eq!(character.direction, Direction::Up.to_u32() as u8);
    drop(dir);
}

#[tokio::test]
async fn an_online_character_is_saved_every_save_interval() {
    let server = TestServer::start(|c| c.world.save_interval_secs = 1).await;
    let mut client = TestClient::connected(server.addr).await;
    enter(&mut client, "first", "alpha").await;
    client
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: Direction::Up,
                timestamp: 0,
                coords: Coords { x: 16, y: 8 },
            },
        })
        .await;
    // A second connection to the same database file, while the player stays online.
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let mut saved = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = tokio::time::timeout(Duration::from_millis(1), client.recv_any()).await;
        let character = db.load_character(1).await.unwrap().unwrap();
        if (character.x, character.y) == (16, 8) {
            saved = Some(character);
            break;
        }
    }
    assert!(
        saved.is_some(),
        "the walk was saved within the save interval"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_online_list_find_and_paperdolls_show_other_players() {
    use eo_protocol::net::client::{
        PaperdollRequestClientPacket, PlayersAcceptClientPacket, PlayersRequestClientPacket,
    };

    let server = TestServer::start(|_| {}).await;
    let mut first = TestClient::connected(server.addr).await;
    enter(&mut first, "first", "alpha").await;
    let mut second = TestClient::connected(server.addr).await;
    enter(&mut second, "second", "beta").await;

    first.send(&PlayersRequestClientPacket).await;
    let list = expect(&mut first, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::PlayersList(list)) => {
                Some(list.players_list.players)
            }
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(
        list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["alpha", "beta"]
    );

    first
        .send(&PlayersAcceptClientPacket {
            name: "Beta".into(),
        })
        .await;
    let same_map = expect(&mut first, |p| match p {
        ServerPacket::PlayersPong(pong) => Some(pong.name),
        ServerPacket::PlayersPing(_) | ServerPacket::PlayersNet242(_) => Some("wrong".into()),
        _ => None,
    })
    .await;
    assert_eq!(same_map, "beta");
    first
        .send(&PlayersAcceptClientPacket {
            name: "ghost".into(),
        })
        .await;
    let offline = expect(&mut first, |p| match p {
        ServerPacket::PlayersPing(ping) => Some(ping.name),
        _ => None,
    })
    .await;
    assert_eq!(offline, "ghost");

    first
        .send(&PaperdollRequestClientPacket {
            player_id: second.player_id,
        })
        .await;
    let doll = expect(&mut first, |p| match p {
        ServerPacket::PaperdollReply(reply) => Some(reply),
        _ => None,
    })
    .await;
    assert_eq!(
        (doll.details.name.as_str(), doll.details.player_id),
        ("beta", second.player_id)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_player_sits_on_a_chair_next_to_it_and_stands_up() {
    use eo_protocol::net::client::{
        ChairRequestClientPacket, ChairRequestClientPacketSitActionData,
        ChairRequestClientPacketSitActionDataSit, SitAction,
    };
    // Above the town hall's chair at (3,2), which faces down.
    let server = TestServer::start(|c| {
        c.world.spawn_x = 3;
        c.world.spawn_y = 1;
    })
    .await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter(&mut watcher, "first", "alpha").await;
    let mut sitter = TestClient::connected(server.addr).await;
    enter(&mut sitter, "second", "beta").await;
    let sitter_id = sitter.player_id;
    // A chair two steps away is refused (nothing comes back); the one next to it is taken.
    for (x, y) in [(4, 4), (3, 2)] {
        sitter
            .send(&ChairRequestClientPacket {
                sit_action: SitAction::Sit,
                sit_action_data: Some(ChairRequestClientPacketSitActionData::Sit(
                    ChairRequestClientPacketSitActionDataSit {
                        coords: Coords { x, y },
                    },
                )),
            })
            .await;
    }
    let reply = expect(&mut sitter, |p| match p {
        ServerPacket::ChairReply(reply) => Some(reply),
        _ => None,
    })
    .await;
    assert_eq!(
        (
            reply.player_id,
            reply.coords.x,
            reply.coords.y,
            reply.direction
        ),
        (sitter_id, 3, 2, Direction::Down)
    );
    let seen = expect(&mut watcher, |p| match p {
        ServerPacket::ChairPlayer(player) => Some(player),
        _ => None,
    })
    .await;
    assert_eq!(
        (seen.player_id, seen.coords.x, seen.coords.y),
        (sitter_id, 3, 2)
    );
    sitter
        .send(&ChairRequestClientPacket {
            sit_action: SitAction::Stand,
            sit_action_data: None,
        })
        .await;
    let stood = expect(&mut watcher, |p| match p {
        ServerPacket::ChairRemove(remove) => Some(remove.player_id),
        _ => None,
    })
    .await;
    assert_eq!(stood, sitter_id);
    server.stop().await;
}

#[tokio::test]
async fn admins_talk_in_admin_chat_and_announce_to_everyone() {
    use eo_protocol::net::client::{TalkAdminClientPacket, TalkAnnounceClientPacket};

    let server = TestServer::start(|_| {}).await;
    // Make the characters first, then make "alpha" a Game Master in the database.
    for (account, name) in [("first", "alpha"), ("second", "beta")] {
        let mut client = TestClient::connected(server.addr).await;
        enter(&mut client, account, name).await;
    }
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    db.set_admin_level("alpha", 4).await.unwrap();
    db.set_admin_level("beta", 1).await.unwrap();
    assert!(db.set_admin_level("nobody", 1).await.is_err());

    let mut admin = TestClient::connected(server.addr).await;
    enter(&mut admin, "first", "alpha").await;
    let mut guide = TestClient::connected(server.addr).await;
    enter(&mut guide, "second", "beta").await;
    let mut player = TestClient::connected(server.addr).await;
    enter(&mut player, "third", "gamma").await;

    admin
        .send(&TalkAdminClientPacket {
            message: "staff only".into(),
        })
        .await;
    let heard = expect(&mut guide, |p| match p {
        ServerPacket::TalkAdmin(talk) => Some(talk),
        _ => None,
    })
    .await;
    assert_eq!(
        (heard.player_name.as_str(), heard.message.as_str()),
        ("alpha", "staff only")
    );

    admin
        .send(&TalkAnnounceClientPacket {
            message: "server news".into(),
        })
        .await;
    // The player hears the announcement, and did not hear the admin chat before it.
    let first = expect(&mut player, |p| match p {
        ServerPacket::TalkAdmin(t) => Some(format!("admin: {}", t.message)),
        ServerPacket::TalkAnnounce(t) => Some(t.message),
        _ => None,
    })
    .await;
    assert_eq!(first, "server news");
    server.stop().await;
}

#[tokio::test]
async fn a_client_asking_about_players_is_told_of_those_it_can_see_once_each() {
    let server = TestServer::start(|_| {}).await;
    let mut first = TestClient::connected(server.addr).await;
    enter(&mut first, "asking", "gamma").await;
    let mut second = TestClient::connected(server.addr).await;
    enter(&mut second, "asked", "delta").await;
    let delta_id = second.player_id;

    // Asked twice, with an id nobody has: delta once, nothing else, and no NPCs.
    first
        .send(&eo_protocol::net::client::PlayerRangeRequestClientPacket {
            player_ids: vec![delta_id, 999, delta_id],
        })
        .await;
    let nearby = expect(&mut first, |p| match p {
        ServerPacket::RangeReply(reply) => Some(reply.nearby),
        _ => None,
    })
    .await;
    let names: Vec<&str> = nearby.characters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["delta"]);
    assert!(nearby.npcs.is_empty());
    server.stop().await;
}
