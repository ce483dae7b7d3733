//! From a new connection to a character in the game, creating the account and the character
//! when they do not exist yet (so a second run reuses the first run's).

use std::sync::Arc;
use std::time::Duration;

use eo_protocol::net::client::{
    AccountCreateClientPacket, AccountRequestClientPacket, CharacterCreateClientPacket,
    CharacterRequestClientPacket, FileType, LoginRequestClientPacket, WelcomeAgreeClientPacket,
    WelcomeAgreeClientPacketFileTypeData, WelcomeAgreeClientPacketFileTypeDataEmf,
    WelcomeMsgClientPacket, WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, AccountReplyServerPacketReplyCodeData, CharacterReply,
    CharacterReplyServerPacketReplyCodeData, CharacterSelectionListEntry,
    InitInitServerPacketReplyCodeData, LoginReply, LoginReplyServerPacketReplyCodeData, NearbyInfo,
    ServerPacket, WelcomeReplyServerPacketWelcomeCodeData,
};
use eo_protocol::{Direction, Gender};

use crate::conn::{BotError, Conn, Result};
use crate::grid::Grid;
use crate::stats::Counters;
use crate::swarm::Swarm;

/// How often a login answered "busy" (the server's password hashing queue is full) is tried
/// again, and how long the first wait is (it doubles, up to two seconds).
const BUSY_RETRIES: u32 = 20;
const BUSY_BACKOFF: Duration = Duration::from_millis(50);

/// A character in the game, and where it stands.
pub struct Entered {
    pub conn: Conn,
    pub map: u16,
    pub grid: Arc<Grid>,
    pub x: u8,
    pub y: u8,
    pub facing: Direction,
    /// What it saw on entering.
    pub nearby: NearbyInfo,
}

/// Connects, logs in (creating the account if needed), makes the character if the account
/// has none of that name, selects it, downloads its map unless a bot already has, and enters.
pub async fn enter(swarm: &Swarm, name: &str) -> Result<Entered> {
    let mut conn = Conn::open(swarm.addr).await?;
    let characters = login(swarm, &mut conn, name).await?;
    let character_id = match characters.iter().find(|c| c.name == name) {
        Some(character) => character.id,
        None => create_character(swarm, &mut conn, name).await?,
    };
    conn.send(&WelcomeRequestClientPacket { character_id })
        .await?;
    let select = conn
        .expect("Welcome_Reply (select)", |packet| match packet {
            ServerPacket::WelcomeReply(reply) => Some(reply.welcome_code_data),
            _ => None,
        })
        .await?;
    let Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(select)) = select else {
        return Err(BotError::Protocol(
            "Welcome_Reply without the character".into(),
        ));
    };
    let grid = match swarm.maps.get(select.map_id, &select.map_rid) {
        Some(grid) => grid,
        None => {
            conn.send(&WelcomeAgreeClientPacket {
                file_type: FileType::Emf,
                session_id: select.session_id,
                file_type_data: Some(WelcomeAgreeClientPacketFileTypeData::Emf(
                    WelcomeAgreeClientPacketFileTypeDataEmf {
                        file_id: select.map_id,
                    },
                )),
            })
            .await?;
            let file = conn
                .expect("the map file", |packet| match packet {
                    ServerPacket::InitInit(reply) => Some(reply.reply_code_data),
                    _ => None,
                })
                .await?;
            let Some(InitInitServerPacketReplyCodeData::FileEmf(file)) = file else {
                return Err(BotError::Protocol("not the map file".into()));
            };
            let grid = Grid::from_emf(&file.map_file.content)
                .map(Arc::new)
                .ok_or_else(|| BotError::Protocol("the map file does not decode".into()))?;
            swarm
                .maps
                .insert(select.map_id, &select.map_rid, Arc::clone(&grid));
            Counters::add(&swarm.counters.maps_downloaded, 1);
            grid
        }
    };
    conn.send(&WelcomeMsgClientPacket {
        session_id: u32::from(select.session_id),
        character_id,
    })
    .await?;
    let game = conn
        .expect("Welcome_Reply (enter)", |packet| match packet {
            ServerPacket::WelcomeReply(reply) => Some(reply.welcome_code_data),
            _ => None,
        })
        .await?;
    let Some(WelcomeReplyServerPacketWelcomeCodeData::EnterGame(game)) = game else {
        return Err(BotError::Protocol("Welcome_Reply without entering".into()));
    };
    let (x, y, facing) = own_position(&game.nearby, conn.player_id)
        .ok_or_else(|| BotError::Protocol("its own character is not in its nearby list".into()))?;
    Ok(Entered {
        conn,
        map: select.map_id,
        grid,
        x,
        y,
        facing,
        nearby: game.nearby,
    })
}

/// Where the character with `player_id` stands in a nearby list.
pub fn own_position(nearby: &NearbyInfo, player_id: u16) -> Option<(u8, u8, Direction)> {
    let me = nearby
        .characters
        .iter()
        .find(|c| c.player_id == player_id)?;
    Some((
        u8::try_from(me.coords.x).ok()?,
        u8::try_from(me.coords.y).ok()?,
        me.direction,
    ))
}

/// Logs in, creating the account on "wrong user"; the account's characters.
async fn login(
    swarm: &Swarm,
    conn: &mut Conn,
    name: &str,
) -> Result<Vec<CharacterSelectionListEntry>> {
    let mut created = false;
    let mut backoff = BUSY_BACKOFF;
    for _ in 0..BUSY_RETRIES {
        conn.send(&LoginRequestClientPacket {
            username: name.into(),
            password: swarm.password.clone(),
        })
        .await?;
        let reply = conn
            .expect("Login_Reply", |packet| match packet {
                ServerPacket::LoginReply(reply) => Some(reply),
                _ => None,
            })
            .await?;
        match reply.reply_code {
            LoginReply::Ok => {
                return match reply.reply_code_data {
                    Some(LoginReplyServerPacketReplyCodeData::Ok(ok)) => Ok(ok.characters),
                    _ => Ok(Vec::new()),
                };
            }
            LoginReply::WrongUser if !created => {
                create_account(swarm, conn, name).await?;
                created = true;
            }
            LoginReply::Busy => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
            other => return Err(BotError::Refused(format!("login: {other:?}"))),
        }
    }
    Err(BotError::Refused("login: Busy, every retry".into()))
}

async fn create_account(swarm: &Swarm, conn: &mut Conn, name: &str) -> Result<()> {
    conn.send(&AccountRequestClientPacket {
        username: name.into(),
    })
    .await?;
    let reply = conn
        .expect("Account_Reply (request)", |packet| match packet {
            ServerPacket::AccountReply(reply) => Some(reply),
            _ => None,
        })
        .await?;
    let AccountReply::Unrecognized(session) = reply.reply_code else {
        return Err(BotError::Refused(format!(
            "account: {:?}",
            reply.reply_code
        )));
    };
    if let Some(AccountReplyServerPacketReplyCodeData::Default(data)) = reply.reply_code_data {
        conn.set_sequence_start(u32::from(data.sequence_start));
    }
    conn.send(&AccountCreateClientPacket {
        session_id: u16::try_from(session)
            .map_err(|_| BotError::Protocol("account session out of range".into()))?,
        username: name.into(),
        password: swarm.password.clone(),
        full_name: "Swarm Bot".into(),
        location: "Loopback".into(),
        email: "bot@example.org".into(),
        computer: "EOBOTS".into(),
        hdid: "0123456789".into(),
    })
    .await?;
    let reply = conn
        .expect("Account_Reply (create)", |packet| match packet {
            ServerPacket::AccountReply(reply) => Some(reply.reply_code),
            _ => None,
        })
        .await?;
    match reply {
        // Exists: another run (or bot) made it meanwhile; the login decides.
        AccountReply::Created | AccountReply::Exists => {
            Counters::add(&swarm.counters.accounts_created, 1);
            Ok(())
        }
        other => Err(BotError::Refused(format!("account create: {other:?}"))),
    }
}

/// Makes the character `name`; its id.
async fn create_character(swarm: &Swarm, conn: &mut Conn, name: &str) -> Result<u32> {
    conn.send(&CharacterRequestClientPacket).await?;
    let reply = conn
        .expect("Character_Reply (request)", |packet| match packet {
            ServerPacket::CharacterReply(reply) => Some(reply.reply_code),
            _ => None,
        })
        .await?;
    let CharacterReply::Unrecognized(session) = reply else {
        return Err(BotError::Refused(format!("character: {reply:?}")));
    };
    let look: u16 = rand::random_range(0..6);
    conn.send(&CharacterCreateClientPacket {
        session_id: u16::try_from(session)
            .map_err(|_| BotError::Protocol("character session out of range".into()))?,
        gender: if look.is_multiple_of(2) {
            Gender::Female
        } else {
            Gender::Male
        },
        hair_style: 1 + look,
        hair_color: look,
        skin: look,
        name: name.into(),
    })
    .await?;
    let reply = conn
        .expect("Character_Reply (create)", |packet| match packet {
            ServerPacket::CharacterReply(reply) => Some(reply),
            _ => None,
        })
        .await?;
    let Some(CharacterReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
        return Err(BotError::Refused(format!(
            "character create: {:?}",
            reply.reply_code
        )));
    };
    Counters::add(&swarm.counters.characters_created, 1);
    list.characters
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.id)
        .ok_or_else(|| BotError::Protocol("the new character is not in the list".into()))
}
