//! What the admin-command tests share: saying a `$` line, reading the answers, following a
//! warp, and players at an admin level.

use eo_protocol::net::client::{TalkReportClientPacket, WarpAcceptClientPacket};
use eo_protocol::net::server::{ServerPacket, WarpType};
use serde_json::json;

use super::{Control, TestClient, TestServer, enter_game, expect};

/// Says a line in public chat (a `$` line is a command).
pub async fn say(client: &mut TestClient, message: &str) {
    client
        .send(&TalkReportClientPacket {
            message: message.into(),
        })
        .await;
}

/// The next Talk_Server line.
pub async fn server_line(client: &mut TestClient) -> String {
    expect(client, |p| match p {
        ServerPacket::TalkServer(p) => Some(p.message),
        _ => None,
    })
    .await
}

/// The next announcement (Talk_Announce): (from, message).
pub async fn announced(client: &mut TestClient) -> (String, String) {
    expect(client, |p| match p {
        ServerPacket::TalkAnnounce(p) => Some((p.player_name, p.message)),
        _ => None,
    })
    .await
}

/// Accepts the next warp offered; returns (warp type, map, x, y) where the character stands.
pub async fn follow_warp(client: &mut TestClient, name: &str) -> (WarpType, u16, u16, u16) {
    let request = expect(client, |p| match p {
        ServerPacket::WarpRequest(request) => Some(request),
        _ => None,
    })
    .await;
    client
        .send(&WarpAcceptClientPacket {
            map_id: request.map_id,
            session_id: request.session_id,
        })
        .await;
    let agree = expect(client, |p| match p {
        ServerPacket::WarpAgree(agree) => Some(agree),
        _ => None,
    })
    .await;
    let me = agree
        .nearby
        .characters
        .iter()
        .find(|c| c.name == name)
        .expect("the warped character sees itself");
    (request.warp_type, me.map_id, me.coords.x, me.coords.y)
}

/// A character in the game at admin level `level` (0: a player). The level a command needs is
/// the stored one, in force from the promotion on.
pub async fn player_at_level(
    server: &TestServer,
    control: &mut Control,
    name: &str,
    level: u8,
) -> TestClient {
    let mut client = TestClient::connected(server.addr).await;
    enter_game(&mut client, name).await;
    if level > 0 {
        control
            .ok("promote", json!({"name": name, "level": level}))
            .await;
    }
    client
}
