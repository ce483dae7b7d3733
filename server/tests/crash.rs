//! `kill -9` of the real server under load, then a restart on the same database: every account
//! and character whose creation was acknowledged is there, every character stands where it
//! stood no longer than a save interval before the kill, and the database is intact.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use binary::{BinaryServer, config_in};
use common::TestClient;
use eo_protocol::net::client::{
    AccountCreateClientPacket, AccountRequestClientPacket, CharacterCreateClientPacket,
    CharacterRequestClientPacket, LoginRequestClientPacket, WalkAction, WalkPlayerClientPacket,
    WelcomeMsgClientPacket, WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, CharacterReply, CharacterReplyServerPacketReplyCodeData, LoginReply,
    LoginReplyServerPacketReplyCodeData, ServerPacket, WelcomeReplyServerPacketWelcomeCodeData,
};
use eo_protocol::{Coords, Direction, Gender};

const PASSWORD: &str = "secret1";
const SAVE_INTERVAL: Duration = Duration::from_secs(1);
/// How long a reply may take to reach the bot, and a save to commit, beyond the interval.
const SLACK: Duration = Duration::from_secs(1);

/// What a bot was told, with when.
#[derive(Debug, Default)]
struct Acknowledged {
    account: bool,
    character: bool,
    /// Where the server said the character stood, from when (the spawn point first).
    positions: Vec<(Instant, (u8, u8))>,
}

type Acks = Arc<Mutex<HashMap<String, Acknowledged>>>;

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

/// One bot: creates its account and character, enters the game and walks a square around the
/// spawn point until the connection dies, writing down every acknowledgement as it comes.
async fn bot(addr: SocketAddr, name: String, acks: Acks) -> Option<()> {
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
            password: PASSWORD.into(),
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
            password: PASSWORD.into(),
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
    record(&|a| {
        a.character = true;
        a.positions.push((Instant::now(), (16, 9)));
    });

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
        record(&|a| a.positions.push((Instant::now(), now_at)));
    }
    Some(())
}

/// Whether `at` is a place the character held at some time in `[since, until]`.
fn held_during(
    positions: &[(Instant, (u8, u8))],
    at: (u8, u8),
    since: Instant,
    until: Instant,
) -> bool {
    positions.iter().enumerate().any(|(i, (from, place))| {
        let to = positions.get(i + 1).map_or(until, |(next, _)| *next);
        *place == at && *from <= until && to >= since
    })
}

fn integrity(path: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |c| {
        c.world.save_interval_secs = SAVE_INTERVAL.as_secs();
    });
    let db_path = config.database.path.clone();
    let mut server = BinaryServer::start(dir.path(), config.clone());

    // Bots join every 60 ms until the kill, so creations are under way when it comes.
    let acks: Acks = Arc::default();
    let started = Instant::now();
    let mut bots = Vec::new();
    let mut n = 0;
    while started.elapsed() < Duration::from_millis(3_000) {
        // Character names are letters only: crashaa, crashab, ...
        let letter = |i: usize| char::from(b'a' + (i % 26) as u8);
        let name = format!("crash{}{}", letter(n / 26), letter(n));
        bots.push(tokio::spawn(bot(server.addr, name, Arc::clone(&acks))));
        n += 1;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    server.kill_hard();
    let killed = Instant::now();
    for bot in bots {
        let _ = bot.await;
    }
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    let accounts: Vec<&String> = acks
        .iter()
        .filter(|(_, a)| a.account)
        .map(|(n, _)| n)
        .collect();
    let characters: Vec<&String> = acks
        .iter()
        .filter(|(_, a)| a.character)
        .map(|(n, _)| n)
        .collect();
    let walked = acks.values().filter(|a| a.positions.len() > 2).count();
    eprintln!(
        "{n} bots; acknowledged before the kill: {} accounts, {} characters, {walked} of them walked",
        accounts.len(),
        characters.len()
    );
    assert!(
        accounts.len() >= 10 && characters.len() >= 5 && walked >= 3,
        "enough load"
    );
    assert_eq!(integrity(&db_path), "ok", "right after the kill");

    // The same database, a new process.
    let mut server = BinaryServer::start(dir.path(), config);
    // Every acknowledged account logs in, and lists its acknowledged character.
    for name in &accounts {
        let mut client = TestClient::connected(server.addr).await;
        let reply = client.login(name, PASSWORD).await;
        assert_eq!(reply.reply_code, LoginReply::Ok, "{name}");
        let Some(LoginReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
            panic!("{name}: no character list");
        };
        let has_character = list.characters.iter().any(|c| &c.name == *name);
        if acks[*name].character {
            assert!(has_character, "{name}'s acknowledged character");
        }
    }
    assert!(server.stop().success());

    // Where each acknowledged character stands in the database: a place it held within a save
    // interval (and the slack of a reply and a commit) before the kill.
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    for name in &characters {
        let (x, y): (u8, u8) = conn
            .query_row(
                "SELECT x, y FROM characters WHERE name = ?1",
                [name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        let positions = &acks[*name].positions;
        assert!(
            held_during(positions, (x, y), killed - SAVE_INTERVAL - SLACK, killed),
            "{name} is saved at ({x},{y}), not where it was in the last {:?}: {positions:?}",
            SAVE_INTERVAL + SLACK
        );
    }
    drop(conn);
    assert_eq!(integrity(&db_path), "ok", "after the restart");
}
