//! The world actor's state and message loop: connections, logins and who is in the game.
//! What it is asked is in `message.rs`; chat in `chat.rs`; the online lists in `online.rs`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use eo_protocol::net::server::CharacterIcon;
use eo_protocol::serialize::Packet;
use tokio::sync::mpsc;
use tracing::warn;

use crate::net::address::address_group;
use crate::net::packet;

/// The icon the online list and paperdoll show for an admin level.
pub fn icon(admin_level: u8) -> CharacterIcon {
    match admin_level {
        0 => CharacterIcon::Player,
        1..=3 => CharacterIcon::Gm,
        _ => CharacterIcon::Hgm,
    }
}

use super::handle::LoginRefused;
use crate::player::{CloseReason, PlayerHandle};

pub use super::chat::Channel;
pub(super) use super::message::WorldMessage;

/// Whom a kick closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KickTarget {
    /// The character of that name (any case), if it is in the game.
    Character(String),
    /// Every connection logged in to that account, in the game or not.
    Account(i64),
    /// Every connection from that address (an IPv6 address: its /64), logged in or not.
    Ip(IpAddr),
}

/// What the world knows of one character in the game, for administration.
#[derive(Debug, Clone)]
pub struct PlayerInfo {
    pub player_id: u16,
    pub name: String,
    pub account: String,
    pub addr: SocketAddr,
    pub map: u16,
    pub level: u8,
    pub admin_level: u8,
    pub handle: PlayerHandle,
}

/// What the world knows of a character in the game (for chat, the online list and #find).
#[derive(Debug, Clone)]
pub struct OnlineCharacter {
    pub name: String,
    pub title: String,
    pub level: u8,
    pub class_id: u8,
    pub admin_level: u8,
    pub map: u16,
    /// Its guild's id and tag (world/guilds.rs: guild chat, the online list).
    pub guild: Option<(i64, String)>,
}

/// A character in the game, as the world knows it.
pub(super) struct Playing {
    pub(super) character: OnlineCharacter,
    pub(super) global: bool,
}

pub(super) struct Connection {
    pub(super) player: PlayerHandle,
    pub(super) addr: SocketAddr,
    pub(super) account_id: Option<i64>,
    pub(super) account_name: String,
    pub(super) playing: Option<Playing>,
}

pub(super) struct WorldActor {
    pub(super) rx: mpsc::Receiver<WorldMessage>,
    pub(super) connections: HashMap<u16, Connection>,
    /// account id -> the player id holding it.
    pub(super) accounts: HashMap<i64, u16>,
    /// character name -> the player id playing it.
    pub(super) names: HashMap<String, u16>,
    pub(super) max_ids: u16,
    pub(super) max_players: usize,
    /// Where the search for a free id starts, so ids are not reused at once.
    pub(super) next_id: u16,
    /// The online list (Players_Request) as encoded for the last request; `None` once it
    /// changed (a character entered or left, or its level or admin level changed). A client
    /// asking again and again costs a copy, not a sort and an encoding of everyone.
    pub(super) online_list: Option<Bytes>,
    /// How many times the online list was built, for `status`.
    pub(super) online_list_builds: u64,
    /// The parties (world/party.rs).
    pub(super) parties: super::party::Parties,
    /// Every map, to tell them their parties.
    pub(super) maps: HashMap<u16, crate::map::MapHandle>,
    /// Party views for maps, queued while a message is handled and sent after it, in order.
    pub(super) map_outbox: Vec<(crate::map::MapHandle, crate::map::PartyView)>,
    /// Accounts an operator's command holds while it writes one of their characters: no login.
    pub(super) held: std::collections::HashSet<i64>,
}

/// What `status` reports of the world.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorldCounts {
    /// Connections holding a player id.
    pub connections: usize,
    /// Accounts logged in.
    pub logged_in: usize,
    /// Times the online list was built (it is kept until it changes).
    pub online_list_builds: u64,
}

impl WorldActor {
    pub(super) fn new(
        rx: mpsc::Receiver<WorldMessage>,
        max_ids: u16,
        max_players: usize,
        maps: HashMap<u16, crate::map::MapHandle>,
        max_party_size: usize,
    ) -> Self {
        Self {
            rx,
            connections: HashMap::new(),
            accounts: HashMap::new(),
            names: HashMap::new(),
            max_ids: max_ids.max(1),
            max_players,
            next_id: 1,
            online_list: None,
            online_list_builds: 0,
            parties: super::party::Parties::new(max_party_size),
            maps,
            map_outbox: Vec::new(),
            held: std::collections::HashSet::new(),
        }
    }

    /// Handles messages until every handle is gone. Each runs supervised: a panic while
    /// handling one is logged with the message kind and the world goes on, so the online
    /// list, chat and logins outlive one bad message.
    pub(super) async fn run(mut self) {
        while let Some(message) = self.rx.recv().await {
            let kind = message.kind();
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.handle(message);
            }));
            if let Err(panic) = caught {
                tracing::error!(
                    handling = kind,
                    "the world actor panicked ({}); the world goes on",
                    crate::supervise::panic_message(panic.as_ref())
                );
            }
            // The maps' party views, in the order they were made. A map never waits on the
            // world, so waiting for room in its queue cannot form a cycle; and the wait is
            // bounded (`MapHandle::party_view`), so a stalled map cannot hold the world up.
            for (map, view) in std::mem::take(&mut self.map_outbox) {
                map.party_view(view).await;
            }
        }
    }

    fn handle(&mut self, message: WorldMessage) {
        #[cfg(feature = "fault-injection")]
        super::fault::inject(&message);
        {
            match message {
                WorldMessage::AllocateId {
                    player,
                    addr,
                    reply,
                } => {
                    let _ = reply.send(self.allocate(player, addr));
                }
                WorldMessage::Release { player_id } => self.release(player_id),
                WorldMessage::SetLimits {
                    max_ids,
                    max_players,
                } => {
                    self.max_ids = max_ids.max(1);
                    self.max_players = max_players;
                }
                WorldMessage::Login {
                    player_id,
                    account_id,
                    account_name,
                    reply,
                } => {
                    let _ = reply.send(self.login(player_id, account_id, account_name));
                }
                WorldMessage::Counts { reply } => {
                    let _ = reply.send(WorldCounts {
                        connections: self.connections.len(),
                        logged_in: self.accounts.len(),
                        online_list_builds: self.online_list_builds,
                    });
                }
                WorldMessage::EnterGame {
                    player_id,
                    character,
                } => self.enter_game(player_id, character),
                WorldMessage::ChangedMap { player_id, map } => {
                    if let Some(playing) = self.playing_mut(player_id) {
                        playing.character.map = map;
                    }
                    self.party_changed_map(player_id, map);
                }
                WorldMessage::ChangedLevel { player_id, level } => {
                    if let Some(playing) = self.playing_mut(player_id) {
                        playing.character.level = level;
                        self.online_list = None;
                    }
                }
                WorldMessage::OnlineList { player_id } => self.online_list(player_id),
                WorldMessage::FriendsList { player_id } => self.friends_list(player_id),
                WorldMessage::ToAdmins { level, body } => {
                    for connection in self.connections.values() {
                        if connection
                            .playing
                            .as_ref()
                            .is_some_and(|p| p.character.admin_level >= level)
                        {
                            connection.player.send(body.clone());
                        }
                    }
                }
                WorldMessage::Find { player_id, name } => self.find(player_id, &name),
                WorldMessage::Paperdoll { player_id, target } => {
                    if let (Some(from), Some(to)) = (
                        self.connections.get(&player_id),
                        self.connections.get(&target),
                    ) && to.playing.is_some()
                    {
                        to.player.show_paperdoll(from.player.clone());
                    }
                }
                WorldMessage::LeaveGame { player_id } => self.leave_game(player_id),
                WorldMessage::SetGlobal { player_id, on } => {
                    if let Some(playing) = self.playing_mut(player_id) {
                        playing.global = on;
                    }
                }
                WorldMessage::Chat {
                    player_id,
                    channel,
                    needed,
                    message,
                } => self.chat(player_id, channel, needed, message),
                WorldMessage::Whisper {
                    player_id,
                    to,
                    message,
                } => self.whisper(player_id, &to, message),
                WorldMessage::Players { reply } => {
                    let _ = reply.send(self.players());
                }
                WorldMessage::Kick {
                    target,
                    reason,
                    reply,
                } => {
                    let _ = reply.send(self.kick(&target, &reason));
                }
                WorldMessage::Announce { from, message } => self.announce(from, message),
                WorldMessage::ServerMessage { to, message, reply } => {
                    let _ = reply.send(self.server_message(&to, message));
                }
                WorldMessage::SetAdminLevel { name, level, reply } => {
                    let _ = reply.send(self.set_admin_level(&name, level));
                }
                WorldMessage::Player { name, reply } => {
                    let found = self.playing_id(&name).and_then(|id| self.player_info(id));
                    let _ = reply.send(found);
                }
                WorldMessage::PlayerById { player_id, reply } => {
                    let _ = reply.send(self.player_info(player_id));
                }
                WorldMessage::SetGuild { player_id, guild } => {
                    if let Some(playing) = self.playing_mut(player_id) {
                        playing.character.guild = guild;
                        self.online_list = None;
                    }
                }
                WorldMessage::GuildChat { player_id, message } => {
                    self.guild_chat(player_id, message);
                }
                WorldMessage::Party(message) => self.party_message(message),
                WorldMessage::HoldAccount { account_id, reply } => {
                    let free =
                        !self.accounts.contains_key(&account_id) && self.held.insert(account_id);
                    let _ = reply.send(free);
                }
                WorldMessage::ReleaseHold { account_id } => {
                    self.held.remove(&account_id);
                }
                WorldMessage::ChangedListing {
                    player_id,
                    title,
                    class_id,
                } => {
                    if let Some(playing) = self.playing_mut(player_id) {
                        playing.character.title = title;
                        playing.character.class_id = class_id;
                        self.online_list = None;
                    }
                }
            }
        }
    }

    /// Ids run from 1 to `max_ids` (EO shorts, never 0).
    fn allocate(&mut self, player: PlayerHandle, addr: SocketAddr) -> Option<u16> {
        if self.connections.len() >= usize::from(self.max_ids) {
            return None;
        }
        for _ in 0..self.max_ids {
            let id = self.next_id;
            self.next_id = if id >= self.max_ids { 1 } else { id + 1 };
            if let std::collections::hash_map::Entry::Vacant(slot) = self.connections.entry(id) {
                slot.insert(Connection {
                    player,
                    addr,
                    account_id: None,
                    account_name: String::new(),
                    playing: None,
                });
                return Some(id);
            }
        }
        None
    }

    fn release(&mut self, player_id: u16) {
        self.leave_game(player_id);
        if let Some(connection) = self.connections.remove(&player_id)
            && let Some(account_id) = connection.account_id
            && self.accounts.get(&account_id) == Some(&player_id)
        {
            self.accounts.remove(&account_id);
        }
    }

    fn login(
        &mut self,
        player_id: u16,
        account_id: i64,
        account_name: String,
    ) -> Result<(), LoginRefused> {
        // A held account is being written by an operator's command: as if in use.
        if self.accounts.contains_key(&account_id) || self.held.contains(&account_id) {
            return Err(LoginRefused::AlreadyOnline);
        }
        if self.accounts.len() >= self.max_players {
            return Err(LoginRefused::Full);
        }
        let Some(connection) = self.connections.get_mut(&player_id) else {
            return Err(LoginRefused::Unavailable);
        };
        if let Some(previous) = connection.account_id.replace(account_id) {
            self.accounts.remove(&previous);
        }
        connection.account_name = account_name;
        self.accounts.insert(account_id, player_id);
        Ok(())
    }
}

impl WorldActor {
    pub(super) fn playing_mut(&mut self, player_id: u16) -> Option<&mut Playing> {
        self.connections.get_mut(&player_id)?.playing.as_mut()
    }

    fn enter_game(&mut self, player_id: u16, character: OnlineCharacter) {
        let Some(connection) = self.connections.get_mut(&player_id) else {
            return;
        };
        self.names.insert(character.name.clone(), player_id);
        connection.playing = Some(Playing {
            character,
            global: true,
        });
        self.online_list = None;
    }

    fn leave_game(&mut self, player_id: u16) {
        self.party_left_game(player_id);
        let Some(playing) = self
            .connections
            .get_mut(&player_id)
            .and_then(|c| c.playing.take())
        else {
            return;
        };
        if self.names.get(&playing.character.name) == Some(&player_id) {
            self.names.remove(&playing.character.name);
        }
        self.online_list = None;
    }

    pub(super) fn encode<P: Packet>(packet: &P) -> Option<Bytes> {
        match packet::encode(packet) {
            Ok(body) => Some(body),
            Err(error) => {
                warn!(%error, "a world packet could not be encoded");
                None
            }
        }
    }
}

/// Administration: listing, kicking, server messages, admin levels.
impl WorldActor {
    /// The player id of the character named `name` (any case), if it is in the game.
    pub(super) fn playing_id(&self, name: &str) -> Option<u16> {
        self.names.get(&name.to_ascii_lowercase()).copied()
    }

    /// What administration sees of the character on `player_id`, if one is in the game.
    fn player_info(&self, player_id: u16) -> Option<PlayerInfo> {
        let c = self.connections.get(&player_id)?;
        let playing = c.playing.as_ref()?;
        Some(PlayerInfo {
            player_id,
            name: playing.character.name.clone(),
            account: c.account_name.clone(),
            addr: c.addr,
            map: playing.character.map,
            level: playing.character.level,
            admin_level: playing.character.admin_level,
            handle: c.player.clone(),
        })
    }

    /// Everyone in the game, in name order.
    fn players(&self) -> Vec<PlayerInfo> {
        let mut players: Vec<PlayerInfo> = self
            .connections
            .keys()
            .filter_map(|id| self.player_info(*id))
            .collect();
        players.sort_by(|a, b| a.name.cmp(&b.name));
        players
    }

    /// Closes the matching connections; returns what was closed (character names, or the
    /// address of a connection not in the game).
    fn kick(&self, target: &KickTarget, reason: &str) -> Vec<String> {
        let matching: Vec<u16> = match target {
            KickTarget::Character(name) => self.playing_id(name).into_iter().collect(),
            KickTarget::Account(account_id) => self
                .connections
                .iter()
                .filter(|(_, c)| c.account_id == Some(*account_id))
                .map(|(id, _)| *id)
                .collect(),
            KickTarget::Ip(ip) => self
                .connections
                .iter()
                .filter(|(_, c)| address_group(c.addr.ip()) == address_group(*ip))
                .map(|(id, _)| *id)
                .collect(),
        };
        let mut kicked: Vec<String> = matching
            .iter()
            .filter_map(|id| self.connections.get(id))
            .map(|c| {
                c.player.close(CloseReason::Kicked(reason.to_owned()));
                match &c.playing {
                    Some(playing) => playing.character.name.clone(),
                    None => c.addr.to_string(),
                }
            })
            .collect();
        kicked.sort();
        kicked
    }

    /// A new admin level for a character in the game (the world's copy, which chat checks, and
    /// its map's, which others see); whether it is in the game.
    fn set_admin_level(&mut self, name: &str, level: u8) -> bool {
        let Some(id) = self.playing_id(name) else {
            return false;
        };
        let Some(connection) = self.connections.get_mut(&id) else {
            return false;
        };
        if let Some(playing) = connection.playing.as_mut() {
            playing.character.admin_level = level;
        }
        self.online_list = None;
        connection.player.set_admin_level(level);
        true
    }
}
