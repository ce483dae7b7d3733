//! What the world actor is asked to do: the messages its handle (world/handle.rs) sends, and
//! the name each is logged by when handling it panics.

use std::net::SocketAddr;

use bytes::Bytes;
use tokio::sync::oneshot;

use super::actor::{Channel, KickTarget, OnlineCharacter, PlayerInfo, WorldCounts};
use super::handle::LoginRefused;

use crate::player::PlayerHandle;

pub(super) enum WorldMessage {
    SetLimits {
        max_ids: u16,
        max_players: usize,
    },
    AllocateId {
        player: PlayerHandle,
        addr: SocketAddr,
        reply: oneshot::Sender<Option<u16>>,
    },
    Release {
        player_id: u16,
    },
    Login {
        player_id: u16,
        account_id: i64,
        account_name: String,
        reply: oneshot::Sender<Result<(), LoginRefused>>,
    },
    Counts {
        reply: oneshot::Sender<WorldCounts>,
    },
    EnterGame {
        player_id: u16,
        character: OnlineCharacter,
    },
    ChangedMap {
        player_id: u16,
        map: u16,
    },
    ChangedLevel {
        player_id: u16,
        level: u8,
    },
    OnlineList {
        player_id: u16,
    },
    /// Players_List: the names of everyone in the game (the client picks its friends).
    FriendsList {
        player_id: u16,
    },
    /// A packet for every character in the game at `level` or above (reports to admins).
    ToAdmins {
        level: u8,
        body: Bytes,
    },
    Find {
        player_id: u16,
        name: String,
    },
    Paperdoll {
        player_id: u16,
        target: u16,
    },
    LeaveGame {
        player_id: u16,
    },
    SetGlobal {
        player_id: u16,
        on: bool,
    },
    Chat {
        player_id: u16,
        channel: Channel,
        /// The admin level the channel needs (`[admin]`, read by the sender's task).
        needed: u8,
        message: String,
    },
    Whisper {
        player_id: u16,
        to: String,
        message: String,
    },
    Players {
        reply: oneshot::Sender<Vec<PlayerInfo>>,
    },
    Kick {
        target: KickTarget,
        reason: String,
        reply: oneshot::Sender<Vec<String>>,
    },
    Announce {
        from: String,
        message: String,
    },
    ServerMessage {
        to: String,
        message: String,
        reply: oneshot::Sender<bool>,
    },
    SetAdminLevel {
        name: String,
        level: u8,
        reply: oneshot::Sender<bool>,
    },
    Player {
        name: String,
        reply: oneshot::Sender<Option<PlayerInfo>>,
    },
    /// The character on `player_id`, if one is in the game.
    PlayerById {
        player_id: u16,
        reply: oneshot::Sender<Option<PlayerInfo>>,
    },
    /// The character's guild changed (world/guilds.rs).
    SetGuild {
        player_id: u16,
        guild: Option<(i64, String)>,
    },
    /// Talk_Request: guild chat (world/guilds.rs).
    GuildChat {
        player_id: u16,
        message: String,
    },
    /// Party requests, changes and chat (world/party.rs).
    Party(super::party::PartyMessage),
    /// Holds an account nobody is logged in to (`WorldHandle::hold_account`): whether it did.
    HoldAccount {
        account_id: i64,
        reply: oneshot::Sender<bool>,
    },
    ReleaseHold {
        account_id: i64,
    },
    /// The title or class of a character in the game changed (`$set`).
    ChangedListing {
        player_id: u16,
        title: String,
        class_id: u8,
    },
}

impl WorldMessage {
    /// The message's name, for the line a panic while handling it logs.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            WorldMessage::SetLimits { .. } => "set limits",
            WorldMessage::AllocateId { .. } => "allocate id",
            WorldMessage::Release { .. } => "release",
            WorldMessage::Login { .. } => "login",
            WorldMessage::Counts { .. } => "counts",
            WorldMessage::EnterGame { .. } => "enter game",
            WorldMessage::ChangedMap { .. } => "changed map",
            WorldMessage::ChangedLevel { .. } => "changed level",
            WorldMessage::OnlineList { .. } => "online list",
            WorldMessage::FriendsList { .. } => "friends list",
            WorldMessage::ToAdmins { .. } => "to admins",
            WorldMessage::Find { .. } => "find",
            WorldMessage::Paperdoll { .. } => "paperdoll",
            WorldMessage::LeaveGame { .. } => "leave game",
            WorldMessage::SetGlobal { .. } => "set global",
            WorldMessage::Chat { .. } => "chat",
            WorldMessage::Whisper { .. } => "whisper",
            WorldMessage::Players { .. } => "players",
            WorldMessage::Kick { .. } => "kick",
            WorldMessage::Announce { .. } => "announce",
            WorldMessage::ServerMessage { .. } => "server message",
            WorldMessage::SetAdminLevel { .. } => "set admin level",
            WorldMessage::Player { .. } => "player",
            WorldMessage::PlayerById { .. } => "player by id",
            WorldMessage::SetGuild { .. } => "set guild",
            WorldMessage::GuildChat { .. } => "guild chat",
            WorldMessage::Party(message) => message.kind(),
            WorldMessage::HoldAccount { .. } => "hold account",
            WorldMessage::ReleaseHold { .. } => "release hold",
            WorldMessage::ChangedListing { .. } => "changed listing",
        }
    }
}
