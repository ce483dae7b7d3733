//! Admin levels with real clients and the real control socket: admin chat and announcements
//! sent as packets follow `[admin]`, reloaded or not.

mod common;

use common::{Control, TestClient, TestServer, enter_game, expect};
use eo_protocol::net::client::{
    TalkAdminClientPacket, TalkAnnounceClientPacket, TalkMsgClientPacket,
};
use eo_protocol::net::server::ServerPacket;
use serde_json::json;

/// World-wide chat a client hears.
#[derive(Debug, PartialEq, Eq)]
enum Heard {
    Admin(String, String),
    Announce(String, String),
    Global(String, String),
}

/// The next admin, announcement or global chat line a client hears. Global chat serves as a
/// marker: a sender's packets reach the world in order, so a global line heard first means the
/// lines the sender sent before it went nowhere.
async fn heard(client: &mut TestClient) -> Heard {
    expect(client, |p| match p {
        ServerPacket::TalkAdmin(t) => Some(Heard::Admin(t.player_name, t.message)),
        ServerPacket::TalkAnnounce(t) => Some(Heard::Announce(t.player_name, t.message)),
        ServerPacket::TalkMsg(t) => Some(Heard::Global(t.player_name, t.message)),
        _ => None,
    })
    .await
}

async fn admin_chat(client: &mut TestClient, message: &str) {
    client
        .send(&TalkAdminClientPacket {
            message: message.into(),
        })
        .await;
}

async fn announce(client: &mut TestClient, message: &str) {
    client
        .send(&TalkAnnounceClientPacket {
            message: message.into(),
        })
        .await;
}

async fn global(client: &mut TestClient, message: &str) {
    client
        .send(&TalkMsgClientPacket {
            message: message.into(),
        })
        .await;
}

fn global_line(from: &str, message: &str) -> Heard {
    Heard::Global(from.into(), message.into())
}

#[tokio::test]
async fn admin_chat_and_announcements_follow_the_admin_section_and_its_reload() {
    let server = TestServer::start(|c| {
        c.admin.admin_chat = 2;
        c.admin.announce = 1;
    })
    .await;
    let mut control = Control::connect(&server.socket).await;
    let mut guide = TestClient::connected(server.addr).await;
    enter_game(&mut guide, "guide").await;
    let mut guardian = TestClient::connected(server.addr).await;
    enter_game(&mut guardian, "guardian").await;
    let mut plain = TestClient::connected(server.addr).await;
    enter_game(&mut plain, "plain").await;
    control
        .ok("promote", json!({"name": "guide", "level": 1}))
        .await;
    control
        .ok("promote", json!({"name": "guardian", "level": 2}))
        .await;

    // announce = 1: a level-1 character announces; a player does not.
    announce(&mut guide, "from a guide").await;
    assert_eq!(
        heard(&mut plain).await,
        Heard::Announce("guide".into(), "from a guide".into())
    );
    announce(&mut plain, "from a player").await;
    global(&mut plain, "marker").await;
    assert_eq!(
        heard(&mut guardian).await,
        Heard::Announce("guide".into(), "from a guide".into())
    );
    assert_eq!(heard(&mut guardian).await, global_line("plain", "marker"));

    // admin_chat = 2: a level-1 character neither sends nor hears admin chat.
    admin_chat(&mut guide, "too low to send").await;
    global(&mut guide, "marker").await;
    assert_eq!(heard(&mut guardian).await, global_line("guide", "marker"));
    admin_chat(&mut guardian, "level 2 and up").await;
    global(&mut guardian, "marker").await;
    // (No one hears its own chat.)
    assert_eq!(heard(&mut guide).await, global_line("plain", "marker"));
    assert_eq!(heard(&mut guide).await, global_line("guardian", "marker"));

    // Reloaded to admin_chat = 1: in force at once, for sending and hearing.
    let file = server.config_file();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("admin_chat = 2"), "{text}");
    std::fs::write(&file, text.replace("admin_chat = 2", "admin_chat = 1")).unwrap();
    let report = control.ok("reload", json!({})).await;
    assert_eq!(report["applied"][0]["key"], "admin.admin_chat", "{report}");
    admin_chat(&mut guide, "now heard").await;
    assert_eq!(
        heard(&mut guardian).await,
        Heard::Admin("guide".into(), "now heard".into())
    );
    admin_chat(&mut guardian, "and answered").await;
    assert_eq!(
        heard(&mut guide).await,
        Heard::Admin("guardian".into(), "and answered".into())
    );
    server.stop().await;
}
