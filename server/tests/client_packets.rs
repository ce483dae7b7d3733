//! What real clients send in normal play and this server answered with silence before: the
//! ping eoweb sends every two seconds, the quest list it asks for on entering, the friends
//! list, the book, the vestigial chat aliases, messages and reports to the admins; and the
//! packets of features not built yet, which are read and ignored without costing the sender
//! its connection.

mod common;

use common::{
    Control, TestClient, TestServer, WsTestClient, edited_player, enter_game, expect, map_barrier,
};
use eo_protocol::net::QuestPage;
use eo_protocol::net::client::{
    AdminInteractReportClientPacket, AdminInteractTellClientPacket, BoardOpenClientPacket,
    BookRequestClientPacket, GlobalPlayerClientPacket, GlobalRemoveClientPacket,
    GuildRequestClientPacket, MarriageOpenClientPacket, MessagePingClientPacket,
    PlayersListClientPacket, PriestOpenClientPacket, QuestListClientPacket, QuestUseClientPacket,
    TalkPlayerClientPacket, TalkRequestClientPacket, TalkUseClientPacket, TradeRequestClientPacket,
};
use eo_protocol::net::server::AdminMessageType;
use eo_protocol::net::server::{
    AdminInteractReplyServerPacketMessageTypeData, InitInitServerPacketReplyCodeData,
    QuestListServerPacketPageData, ServerPacket,
};

#[tokio::test]
async fn a_ping_is_answered_with_a_pong_over_tcp_and_websocket() {
    let server = TestServer::start(|_| {}).await;
    let mut tcp = TestClient::connected(server.addr).await;
    enter_game(&mut tcp, "pinger").await;
    for _ in 0..3 {
        tcp.send(&MessagePingClientPacket).await;
        expect(&mut tcp, |p| {
            matches!(p, ServerPacket::MessagePong(_)).then_some(())
        })
        .await;
    }
    // eoweb, as it pings: over WebSocket, in the game.
    let mut web = WsTestClient::connected_ws(server.addr).await;
    enter_game(&mut web, "webby").await;
    web.send(&MessagePingClientPacket).await;
    expect(&mut web, |p| {
        matches!(p, ServerPacket::MessagePong(_)).then_some(())
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn the_quest_book_opens_empty_on_both_pages() {
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connected(server.addr).await;
    enter_game(&mut client, "quester").await;
    for page in [QuestPage::Progress, QuestPage::History] {
        client.send(&QuestListClientPacket { page }).await;
        let list = expect(&mut client, |p| match p {
            ServerPacket::QuestList(list) => Some(list),
            _ => None,
        })
        .await;
        assert_eq!((list.page, list.quests_count), (page, 0));
        match list.page_data {
            Some(QuestListServerPacketPageData::Progress(progress)) => {
                assert_eq!(page, QuestPage::Progress);
                assert!(progress.quest_progress_entries.is_empty());
            }
            Some(QuestListServerPacketPageData::History(history)) => {
                assert_eq!(page, QuestPage::History);
                assert!(history.completed_quests.is_empty());
            }
            None => panic!("no page data"),
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn the_friends_list_names_everyone_in_the_game() {
    let server = TestServer::start(|_| {}).await;
    let mut alice = TestClient::connected(server.addr).await;
    enter_game(&mut alice, "alice").await;
    let mut bobby = TestClient::connected(server.addr).await;
    enter_game(&mut bobby, "bobby").await;
    alice.send(&PlayersListClientPacket).await;
    let names = expect(&mut alice, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(InitInitServerPacketReplyCodeData::PlayersListFriends(list)) => {
                Some(list.players_list.players)
            }
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(names, ["alice", "bobby"]);
    server.stop().await;
}

#[tokio::test]
async fn a_book_shows_a_character_on_the_same_map() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, _, _) = edited_player(&server, "alice", |c| c.title = "Wanderer".into()).await;
    let (mut bobby, _, entered) = edited_player(&server, "bobby", |_| {}).await;
    let alice_id = entered
        .nearby
        .characters
        .iter()
        .find(|c| c.name == "alice")
        .unwrap()
        .player_id;
    bobby
        .send(&BookRequestClientPacket {
            player_id: alice_id,
        })
        .await;
    let book = expect(&mut bobby, |p| match p {
        ServerPacket::BookReply(book) => Some(book),
        _ => None,
    })
    .await;
    assert_eq!(
        (book.details.name.as_str(), book.details.title.as_str()),
        ("alice", "Wanderer")
    );
    assert!(book.quest_names.is_empty());
    // Nobody with that id: no book.
    alice
        .send(&BookRequestClientPacket { player_id: 60_000 })
        .await;
    let seen = map_barrier(&mut alice).await;
    assert!(
        !seen.iter().any(|p| matches!(p, ServerPacket::BookReply(_))),
        "{seen:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_vestigial_chat_aliases_are_said_aloud() {
    let server = TestServer::start(|_| {}).await;
    let mut alice = TestClient::connected(server.addr).await;
    enter_game(&mut alice, "alice").await;
    let mut bobby = TestClient::connected(server.addr).await;
    enter_game(&mut bobby, "bobby").await;
    alice
        .send(&TalkPlayerClientPacket {
            message: "first".into(),
        })
        .await;
    let heard = expect(&mut bobby, |p| match p {
        ServerPacket::TalkPlayer(talk) => Some(talk.message),
        _ => None,
    })
    .await;
    assert_eq!(heard, "first");
    // Talk_Use is paced as chat is: sent at once after the first, it may be refused as
    // too soon, so it waits a little.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    alice
        .send(&TalkUseClientPacket {
            message: "second".into(),
        })
        .await;
    let heard = expect(&mut bobby, |p| match p {
        ServerPacket::TalkPlayer(talk) => Some(talk.message),
        _ => None,
    })
    .await;
    assert_eq!(heard, "second");
    server.stop().await;
}

#[tokio::test]
async fn messages_and_reports_reach_the_admins_and_the_admin_board() {
    // Mossbrook's board is the admin board here.
    let server = TestServer::start(|c| {
        c.boards.admin_board = 1;
        c.boards.date_posts = false;
    })
    .await;
    let (mut admin, _, _) = edited_player(&server, "admin", |_| {}).await;
    let (mut alice, _, _) = edited_player(&server, "alice", |_| {}).await;
    let (mut bobby, _, _) = edited_player(&server, "bobby", |_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    control
        .ok("promote", serde_json::json!({"name": "admin", "level": 1}))
        .await;

    alice
        .send(&AdminInteractTellClientPacket {
            message: "I am stuck".into(),
        })
        .await;
    let told = expect(&mut admin, |p| match p {
        ServerPacket::AdminInteractReply(reply) => Some(reply),
        _ => None,
    })
    .await;
    assert_eq!(told.message_type, AdminMessageType::Message);
    let Some(AdminInteractReplyServerPacketMessageTypeData::Message(told)) = told.message_type_data
    else {
        panic!("not a message")
    };
    assert_eq!(
        (told.player_name.as_str(), told.message.as_str()),
        ("alice", "I am stuck")
    );

    alice
        .send(&AdminInteractReportClientPacket {
            reportee: "bobby".into(),
            message: "spamming".into(),
        })
        .await;
    let reported = expect(&mut admin, |p| match p {
        ServerPacket::AdminInteractReply(reply) => Some(reply.message_type_data),
        _ => None,
    })
    .await;
    let Some(AdminInteractReplyServerPacketMessageTypeData::Report(reported)) = reported else {
        panic!("not a report")
    };
    assert_eq!(
        (
            reported.player_name.as_str(),
            reported.reportee_name.as_str(),
            reported.message.as_str()
        ),
        ("alice", "bobby", "spamming")
    );
    // A player hears none of it.
    let seen = map_barrier(&mut bobby).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::AdminInteractReply(_))),
        "{seen:?}"
    );
    // Both are on the admin board, newest first.
    admin.send(&BoardOpenClientPacket { board_id: 0 }).await;
    let posts = expect(&mut admin, |p| match p {
        ServerPacket::BoardOpen(open) => Some(open.posts),
        _ => None,
    })
    .await;
    let subjects: Vec<_> = posts.iter().map(|p| p.subject.as_str()).collect();
    assert_eq!(subjects, ["alice reports bobby", "Request from alice"]);
    server.stop().await;
}

#[tokio::test]
async fn packets_of_features_not_built_are_ignored_and_cost_nothing() {
    let server = TestServer::start(|_| {}).await;
    let mut alice = TestClient::connected(server.addr).await;
    enter_game(&mut alice, "alice").await;
    alice.send(&TradeRequestClientPacket { player_id: 1 }).await;
    alice
        .send(&GuildRequestClientPacket {
            session_id: 1,
            guild_tag: "ABC".into(),
            guild_name: "Guild".into(),
        })
        .await;
    alice
        .send(&QuestUseClientPacket {
            npc_index: 1,
            quest_id: 0,
        })
        .await;
    alice.send(&MarriageOpenClientPacket { npc_index: 1 }).await;
    alice.send(&PriestOpenClientPacket { npc_index: 1 }).await;
    alice.send(&GlobalPlayerClientPacket).await;
    alice.send(&GlobalRemoveClientPacket).await;
    alice
        .send(&TalkRequestClientPacket {
            message: "guild chat".into(),
        })
        .await;
    // Still in the game: the map answers, and a ping too.
    map_barrier(&mut alice).await;
    alice.send(&MessagePingClientPacket).await;
    expect(&mut alice, |p| {
        matches!(p, ServerPacket::MessagePong(_)).then_some(())
    })
    .await;
    server.stop().await;
}
