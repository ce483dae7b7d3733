//! The login screen over real TCP: handshake, accounts, login, characters.

mod common;

use common::{TestClient, TestServer};
use eo_protocol::Gender;
use eo_protocol::net::client::{
    CharacterCreateClientPacket, CharacterRemoveClientPacket, CharacterRequestClientPacket,
    CharacterTakeClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, CharacterReply, CharacterReplyServerPacketReplyCodeData, LoginReply,
    LoginReplyServerPacketReplyCodeData, ServerPacket,
};

async fn create_character(client: &mut TestClient, name: &str) -> ServerPacket {
    client.send(&CharacterRequestClientPacket).await;
    let ServerPacket::CharacterReply(reply) = client.recv().await else {
        panic!("expected Character_Reply");
    };
    let CharacterReply::Unrecognized(session) = reply.reply_code else {
        return ServerPacket::CharacterReply(reply);
    };
    client
        .send(&CharacterCreateClientPacket {
            session_id: session as u16,
            gender: Gender::Male,
            hair_style: 3,
            hair_color: 2,
            skin: 1,
            name: name.into(),
        })
        .await;
    client.recv().await
}

#[tokio::test]
async fn an_account_is_created_logged_into_and_holds_three_characters() {
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connected(server.addr).await;
    assert_ne!(client.player_id, 0);

    assert_eq!(
        client.create_account("alice", "secret1").await,
        AccountReply::Created
    );
    // The same name again, in other case, exists.
    assert_eq!(
        client.create_account("ALICE", "secret1").await,
        AccountReply::Exists
    );
    // Invalid names are not approved.
    assert_eq!(
        client.create_account("a!", "secret1").await,
        AccountReply::NotApproved
    );

    assert_eq!(
        client.login("nobody", "secret1").await.reply_code,
        LoginReply::WrongUser
    );
    assert_eq!(
        client.login("alice", "wrong-pw").await.reply_code,
        LoginReply::WrongUserPassword
    );
    let reply = client.login("alice", "secret1").await;
    assert_eq!(reply.reply_code, LoginReply::Ok);
    let Some(LoginReplyServerPacketReplyCodeData::Ok(ok)) = reply.reply_code_data else {
        panic!("no character list");
    };
    assert!(ok.characters.is_empty());

    let mut characters = Vec::new();
    for (i, name) in ["anna", "bert", "cleo"].iter().enumerate() {
        let ServerPacket::CharacterReply(reply) = create_character(&mut client, name).await else {
            panic!("expected Character_Reply");
        };
        assert_eq!(reply.reply_code, CharacterReply::Ok);
        let Some(CharacterReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
            panic!("no list");
        };
        assert_eq!(list.characters.len(), i + 1);
        assert_eq!(list.characters[i].name, *name);
        assert_eq!(list.characters[i].hair_style, 3);
        characters = list.characters;
    }
    // A fourth is refused before a session is even given.
    let ServerPacket::CharacterReply(full) = create_character(&mut client, "dora").await else {
        panic!("expected Character_Reply");
    };
    assert_eq!(full.reply_code, CharacterReply::Full);

    // Delete the second: Take gives a session, Remove confirms it.
    let bert = characters.iter().find(|c| c.name == "bert").unwrap().id;
    client
        .send(&CharacterTakeClientPacket { character_id: bert })
        .await;
    let ServerPacket::CharacterPlayer(take) = client.recv().await else {
        panic!("expected Character_Player");
    };
    assert_eq!(take.character_id, bert);
    client
        .send(&CharacterRemoveClientPacket {
            session_id: take.session_id,
            character_id: bert,
        })
        .await;
    let ServerPacket::CharacterReply(reply) = client.recv().await else {
        panic!("expected Character_Reply");
    };
    assert_eq!(reply.reply_code, CharacterReply::Deleted);
    let Some(CharacterReplyServerPacketReplyCodeData::Deleted(list)) = reply.reply_code_data else {
        panic!("no list");
    };
    assert_eq!(
        list.characters
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["anna", "cleo"]
    );

    // Logging in again (a new connection) shows the same two: they were stored.
    drop(client);
    let mut again = TestClient::connected(server.addr).await;
    let mut reply = again.login("alice", "secret1").await;
    for _ in 0..50 {
        if reply.reply_code == LoginReply::Ok {
            break;
        }
        // The first connection's logout may still be on its way to the world actor.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        reply = again.login("alice", "secret1").await;
    }
    let Some(LoginReplyServerPacketReplyCodeData::Ok(ok)) = reply.reply_code_data else {
        panic!("login failed: {reply:?}");
    };
    assert_eq!(ok.characters.len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn an_account_cannot_be_logged_in_twice() {
    let server = TestServer::start(|_| {}).await;
    let mut first = TestClient::connected(server.addr).await;
    assert_eq!(
        first.create_account("bobby", "secret1").await,
        AccountReply::Created
    );
    assert_eq!(
        first.login("bobby", "secret1").await.reply_code,
        LoginReply::Ok
    );

    let mut second = TestClient::connected(server.addr).await;
    assert_ne!(first.player_id, second.player_id);
    assert_eq!(
        second.login("bobby", "secret1").await.reply_code,
        LoginReply::LoggedIn
    );

    // When the first leaves, the account is free again.
    drop(first);
    let mut logged_in = false;
    for _ in 0..50 {
        let mut third = TestClient::connected(server.addr).await;
        if third.login("bobby", "secret1").await.reply_code == LoginReply::Ok {
            logged_in = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        logged_in,
        "the account is released when its connection closes"
    );
    server.stop().await;
}

#[tokio::test]
async fn many_clients_race_to_log_into_one_account_and_exactly_one_wins() {
    let server = TestServer::start(|_| {}).await;
    let mut setup = TestClient::connected(server.addr).await;
    assert_eq!(
        setup.create_account("racer", "secret1").await,
        AccountReply::Created
    );
    drop(setup);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let addr = server.addr;
        tasks.push(tokio::spawn(async move {
            let mut client = TestClient::connected(addr).await;
            let code = client.login("racer", "secret1").await.reply_code;
            (code, client) // keep the connection open until all have answered
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let ok = results.iter().filter(|(c, _)| *c == LoginReply::Ok).count();
    let refused = results
        .iter()
        .filter(|(c, _)| *c == LoginReply::LoggedIn)
        .count();
    assert_eq!((ok, refused), (1, 9));
    server.stop().await;
}
