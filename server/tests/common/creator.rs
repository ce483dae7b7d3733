//! A bot for the crash tests that creates its account and character through the protocol,
//! enters the game and walks a square around the spawn point until its connection dies,
//! writing down every acknowledgement as it comes (it never panics on a lost connection: the
//! server is killed under it). Include it with `#[path = "common/creator.rs"] mod creator;`
//! next to `mod common;` (it uses `crate::common`).

#![allow(dead_code)] // each test file uses a part

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eo_protocol::net::client::{
    AccountCreateClientPacket, AccountRequestClientPacket, CharacterCreateClientPacket,
    CharacterRequestClientPacket, LoginRequestClientPacket, WalkAction, WalkPlayerClientPacket,
    WelcomeMsgClientPacket, WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, CharacterReply, CharacterReplyServerPacketReplyCodeData, LoginReply,
    ServerPacket, WelcomeReplyServerPacketWelcomeCodeData,
};
use eo_protocol::{Coords, Direction, Gender};

use crate::common::TestClient;

/// What a creating bot was told.
#[derive(Debug, Default)]
pub struct Acknowledged {
    pub account: bool,
    pub character: bool,
    /// Steps the server took (it walks to load the server while others are created).
    pub steps: usize,
}

pub type Acks = Arc<Mutex<HashMap<String, Acknowledged>>>;

/// Waits for a packet `pick` takes (skipping others); `None` if the connection goes first.
async fn next<T>(client: &mut TestClient, pick: impl Fn(ServerPacket) -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(found) = pick(client.try_recv(Duration::from_secs(10)).await?) {
            return Some(found);
        }
    }
    None
}

/// One creating bot: creates its account and character, enters the game and walks a square
/// around the spawn point until the connection dies, writing down every acknowledgement as it
/// comes.
pub async fn bot(addr: SocketAddr, name: String, password: &'static str, acks: Acks) -> Option<()> {
    let record = |f: &dyn Fn(&mut Acknowledged)| {
        f(acks.lock().unwrap().entry(name.clone()).or_default());
    };
    let mut client = TestClient::on(tokio::net::TcpStream::connect(addr).await.ok()?);
    client.try_handshake().await.ok()?;
    client
        .try_send(&AccountRequestClientPacket {
            username: name.clone(),
        })
        .await;
    let reply = next(&mut client, |p| match p {
        ServerPacket::AccountReply(r) => Some(r),
        _ => None,
    })
    .await?;
    let AccountReply::Unrecognized(session) = reply.reply_code else {
        return None;
    };
    if let Some(eo_protocol::net::server::AccountReplyServerPacketReplyCodeData::Default(data)) =
        reply.reply_code_data
    {
        client.sequencer.set_start(u32::from(data.sequence_start));
    }
    client
        .try_send(&AccountCreateClientPacket {
            session_id: session as u16,
            username: name.clone(),
            password: password.into(),
            full_name: "Crash Test".into(),
            location: "Here".into(),
            email: "crash@example.org".into(),
            computer: "TESTBOX".into(),
            hdid: "1234567890".into(),
        })
        .await;
    let created = next(&mut client, |p| match p {
        ServerPacket::AccountReply(r) => Some(r.reply_code),
        _ => None,
    })
    .await?;
    if created != AccountReply::Created {
        return None;
    }
    record(&|a| a.account = true);

    client
        .try_send(&LoginRequestClientPacket {
            username: name.clone(),
            password: password.into(),
        })
        .await;
    let login = next(&mut client, |p| match p {
        ServerPacket::LoginReply(r) => Some(r.reply_code),
        _ => None,
    })
    .await?;
    if login != LoginReply::Ok {
        return None;
    }
    client.try_send(&CharacterRequestClientPacket).await;
    let CharacterReply::Unrecognized(session) = next(&mut client, |p| match p {
        ServerPacket::CharacterReply(r) => Some(r.reply_code),
        _ => None,
    })
    .await?
    else {
        return None;
    };
    client
        .try_send(&CharacterCreateClientPacket {
            session_id: session as u16,
            gender: Gender::Male,
            hair_style: 2,
            hair_color: 1,
            skin: 0,
            name: name.clone(),
        })
        .await;
    let Some(CharacterReplyServerPacketReplyCodeData::Ok(list)) = next(&mut client, |p| match p {
        ServerPacket::CharacterReply(r) => Some(r.reply_code_data),
        _ => None,
    })
    .await?
    else {
        return None;
    };
    let id = list.characters.iter().find(|c| c.name == name)?.id;
    record(&|a| a.character = true);

    client
        .try_send(&WelcomeRequestClientPacket { character_id: id })
        .await;
    let Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(select)) =
        next(&mut client, |p| match p {
            ServerPacket::WelcomeReply(r) => Some(r.welcome_code_data),
            _ => None,
        })
        .await?
    else {
        return None;
    };
    client
        .try_send(&WelcomeMsgClientPacket {
            session_id: u32::from(select.session_id),
            character_id: id,
        })
        .await;
    next(&mut client, |p| match p {
        ServerPacket::WelcomeReply(r) => Some(r),
        _ => None,
    })
    .await?;

    let player_id = client.player_id;
    let (mut x, mut y) = (16u8, 9u8);
    for direction in [
        Direction::Down,
        Direction::Right,
        Direction::Up,
        Direction::Left,
    ]
    .into_iter()
    .cycle()
    {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let (tx, ty) = match direction {
            Direction::Down => (x, y + 1),
            Direction::Right => (x + 1, y),
            Direction::Up => (x, y - 1),
            _ => (x - 1, y),
        };
        let timestamp = client.next_walk_stamp();
        let sent = client
            .try_send(&WalkPlayerClientPacket {
                walk_action: WalkAction {
                    direction,
                    timestamp,
                    coords: Coords { x: tx, y: ty },
                },
            })
            .await;
        if !sent {
            return None;
        }
        // Moved (Walk_Reply), or blocked by another bot and put back (Refresh_Reply).
        let now_at = next(&mut client, |p| match p {
            ServerPacket::WalkReply(_) => Some((tx, ty)),
            ServerPacket::RefreshReply(r) => r
                .nearby
                .characters
                .iter()
                .find(|c| c.player_id == player_id)
                .map(|c| (c.coords.x as u8, c.coords.y as u8)),
            _ => None,
        })
        .await?;
        (x, y) = now_at;
        record(&|a| a.steps += 1);
    }
    Some(())
}
