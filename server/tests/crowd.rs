//! A thousand players on one tile: everyone enters, nearby lists stay within what the protocol
//! can count (an EO char: 252), and each player's own character is always in its list.

mod common;

use common::{TestClient, TestServer};
use eo_protocol::Gender;
use eo_protocol::net::client::{
    CharacterCreateClientPacket, CharacterRequestClientPacket, WelcomeMsgClientPacket,
    WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, CharacterReply, CharacterReplyServerPacketReplyCodeData, LoginReply,
    ServerPacket, WelcomeReplyServerPacketWelcomeCodeData,
};

/// The crowd: a thousand, far more than a nearby list can hold.
const CROWD: usize = 1000;
/// Players joining at once (CROWD is a multiple of it).
const WAVE: usize = 25;

/// Makes an account and a character and enters the game; returns how many characters the
/// Welcome_Reply's nearby list held, whether the player's own character was among them, and
/// the client (kept connected).
async fn join(addr: std::net::SocketAddr, n: usize) -> (usize, bool, TestClient) {
    let mut client = TestClient::connected(addr).await;
    let account = format!("crowd{n:04}");
    let name = format!("member{}", letters(n));
    assert_eq!(
        client.create_account(&account, "secret1").await,
        AccountReply::Created
    );
    assert_eq!(
        client.login(&account, "secret1").await.reply_code,
        LoginReply::Ok
    );
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
            gender: Gender::Male,
            hair_style: 1,
            hair_color: 1,
            skin: 1,
            name,
        })
        .await;
    let ServerPacket::CharacterReply(reply) = client.recv().await else {
        panic!()
    };
    let Some(CharacterReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
        panic!("{reply:?}")
    };
    let id = list.characters[0].id;
    client
        .send(&WelcomeRequestClientPacket { character_id: id })
        .await;
    let session = loop {
        if let ServerPacket::WelcomeReply(reply) = client.recv().await
            && let Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(select)) =
                reply.welcome_code_data
        {
            break select.session_id;
        }
    };
    client
        .send(&WelcomeMsgClientPacket {
            session_id: u32::from(session),
            character_id: id,
        })
        .await;
    loop {
        // Others entering meanwhile send Players_Agree first.
        if let ServerPacket::WelcomeReply(reply) = client.recv().await
            && let Some(WelcomeReplyServerPacketWelcomeCodeData::EnterGame(game)) =
                reply.welcome_code_data
        {
            let own = game
                .nearby
                .characters
                .iter()
                .any(|c| c.player_id == client.player_id);
            return (game.nearby.characters.len(), own, client);
        }
    }
}

/// Character names are letters only: n in base 26.
fn letters(mut n: usize) -> String {
    let mut s = String::new();
    for _ in 0..3 {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowd_on_one_tile_all_enter_and_see_a_capped_nearby_list() {
    let server = TestServer::start(|c| {
        c.server.max_connections = 1100;
        c.server.max_players = 1100;
    })
    .await;
    let mut clients = Vec::new();
    let mut largest = 0;
    // In waves, so the test does not need hundreds of hash jobs queued at once.
    for wave in 0..CROWD / WAVE {
        let mut tasks = Vec::new();
        for i in 0..WAVE {
            tasks.push(tokio::spawn(join(server.addr, wave * WAVE + i)));
        }
        for task in tasks {
            let (seen, own, client) = task.await.unwrap();
            largest = largest.max(seen);
            // However large the crowd, a player's own character is in its list.
            assert!(
                own,
                "player {} is missing from its own nearby list",
                client.player_id
            );
            clients.push(client);
        }
    }
    assert_eq!(clients.len(), CROWD);
    assert_eq!(largest, 252, "the nearby list is capped at 252");
    server.stop().await;
}
