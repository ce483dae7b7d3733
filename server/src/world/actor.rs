//! The world actor's state and message loop.

use std::collections::HashMap;

use bytes::Bytes;
use eo_protocol::net::server::{
    CharacterIcon, InitInitServerPacket, InitInitServerPacketReplyCodeData,
    InitInitServerPacketReplyCodeDataPlayersList, InitReply, OnlinePlayer, PlayersList,
    PlayersNet242ServerPacket, PlayersPingServerPacket, PlayersPongServerPacket,
    TalkAdminServerPacket, TalkAnnounceServerPacket, TalkMsgServerPacket, TalkReply,
    TalkReplyServerPacket, TalkTellServerPacket,
};
use eo_protocol::serialize::Packet;
use tokio::sync::{mpsc, oneshot};
use tracing::warn;

use crate::net::packet;

/// The admin level from which admin chat is seen (Guardian and up sees it in the official
/// game; Light Guides may send help requests, which are not built yet).
pub const ADMIN_CHAT_LEVEL: u8 = 1;
/// The online list's count is an EO short.
const MAX_ONLINE_LIST: usize = 64_008;

/// The icon the online list and paperdoll show for an admin level.
pub fn icon(admin_level: u8) -> CharacterIcon {
    match admin_level {
        0 => CharacterIcon::Player,
        1..=3 => CharacterIcon::Gm,
        _ => CharacterIcon::Hgm,
    }
}

use super::handle::LoginRefused;
use crate::player::PlayerHandle;

pub(super) enum WorldMessage {
    AllocateId {
        player: PlayerHandle,
        reply: oneshot::Sender<Option<u16>>,
    },
    Release {
        player_id: u16,
    },
    Login {
        player_id: u16,
        account_id: i64,
        reply: oneshot::Sender<Result<(), LoginRefused>>,
    },
    Counts {
        reply: oneshot::Sender<(usize, usize)>,
    },
    EnterGame {
        player_id: u16,
        character: OnlineCharacter,
    },
    ChangedMap {
        player_id: u16,
        map: u16,
    },
    OnlineList {
        player_id: u16,
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
        message: String,
    },
    Whisper {
        player_id: u16,
        to: String,
        message: String,
    },
}

/// Where a world-wide chat message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Everyone with the global channel open (Talk_Msg).
    Global,
    /// Every admin (Talk_Admin).
    Admin,
    /// Everyone (Talk_Announce).
    Announce,
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
}

/// A character in the game, as the world knows it.
struct Playing {
    character: OnlineCharacter,
    global: bool,
}

struct Connection {
    player: PlayerHandle,
    account_id: Option<i64>,
    playing: Option<Playing>,
}

pub(super) struct WorldActor {
    rx: mpsc::Receiver<WorldMessage>,
    connections: HashMap<u16, Connection>,
    /// account id -> the player id holding it.
    accounts: HashMap<i64, u16>,
    /// character name -> the player id playing it.
    names: HashMap<String, u16>,
    max_ids: u16,
    max_players: usize,
    /// Where the search for a free id starts, so ids are not reused at once.
    next_id: u16,
}

impl WorldActor {
    pub(super) fn new(rx: mpsc::Receiver<WorldMessage>, max_ids: u16, max_players: usize) -> Self {
        Self {
            rx,
            connections: HashMap::new(),
            accounts: HashMap::new(),
            names: HashMap::new(),
            max_ids: max_ids.max(1),
            max_players,
            next_id: 1,
        }
    }

    pub(super) async fn run(mut self) {
        while let Some(message) = self.rx.recv().await {
            match message {
                WorldMessage::AllocateId { player, reply } => {
                    let _ = reply.send(self.allocate(player));
                }
                WorldMessage::Release { player_id } => self.release(player_id),
                WorldMessage::Login {
                    player_id,
                    account_id,
                    reply,
                } => {
                    let _ = reply.send(self.login(player_id, account_id));
                }
                WorldMessage::Counts { reply } => {
                    let _ = reply.send((self.connections.len(), self.accounts.len()));
                }
                WorldMessage::EnterGame {
                    player_id,
                    character,
                } => self.enter_game(player_id, character),
                WorldMessage::ChangedMap { player_id, map } => {
                    if let Some(playing) = self.playing_mut(player_id) {
                        playing.character.map = map;
                    }
                }
                WorldMessage::OnlineList { player_id } => self.online_list(player_id),
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
                    message,
                } => self.chat(player_id, channel, message),
                WorldMessage::Whisper {
                    player_id,
                    to,
                    message,
                } => self.whisper(player_id, &to, message),
            }
        }
    }

    /// Ids run from 1 to `max_ids` (EO shorts, never 0).
    fn allocate(&mut self, player: PlayerHandle) -> Option<u16> {
        if self.connections.len() >= usize::from(self.max_ids) {
            return None;
        }
        for _ in 0..self.max_ids {
            let id = self.next_id;
            self.next_id = if id >= self.max_ids { 1 } else { id + 1 };
            if let std::collections::hash_map::Entry::Vacant(slot) = self.connections.entry(id) {
                slot.insert(Connection {
                    player,
                    account_id: None,
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

    fn login(&mut self, player_id: u16, account_id: i64) -> Result<(), LoginRefused> {
        if self.accounts.contains_key(&account_id) {
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
        self.accounts.insert(account_id, player_id);
        Ok(())
    }
}

impl WorldActor {
    fn playing_mut(&mut self, player_id: u16) -> Option<&mut Playing> {
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
    }

    /// Everyone in the game, in name order, capped at what the list's count can hold.
    fn online_list(&self, player_id: u16) {
        let Some(to) = self.connections.get(&player_id) else {
            return;
        };
        let mut players: Vec<OnlinePlayer> = self
            .connections
            .values()
            .filter_map(|c| c.playing.as_ref())
            .map(|p| OnlinePlayer {
                name: p.character.name.clone(),
                title: p.character.title.clone(),
                level: p.character.level,
                icon: icon(p.character.admin_level),
                class_id: p.character.class_id,
                guild_tag: "   ".into(),
            })
            .collect();
        players.sort_by(|a, b| a.name.cmp(&b.name));
        players.truncate(MAX_ONLINE_LIST);
        if let Some(body) = Self::encode(&InitInitServerPacket {
            reply_code: InitReply::PlayersList,
            reply_code_data: Some(InitInitServerPacketReplyCodeData::PlayersList(
                InitInitServerPacketReplyCodeDataPlayersList {
                    players_list: PlayersList { players },
                },
            )),
        }) {
            to.player.send(body);
        }
    }

    /// #find: offline, on the same map as the asker, or elsewhere.
    fn find(&self, player_id: u16, name: &str) {
        let Some(from) = self.connections.get(&player_id) else {
            return;
        };
        let asker_map = from.playing.as_ref().map(|p| p.character.map);
        let name = name.to_ascii_lowercase();
        let found = self
            .names
            .get(&name)
            .and_then(|id| self.connections.get(id))
            .and_then(|c| c.playing.as_ref())
            .map(|p| p.character.map);
        let body = match found {
            None => Self::encode(&PlayersPingServerPacket { name }),
            Some(map) if Some(map) == asker_map => Self::encode(&PlayersPongServerPacket { name }),
            Some(_) => Self::encode(&PlayersNet242ServerPacket { name }),
        };
        if let Some(body) = body {
            from.player.send(body);
        }
    }

    fn leave_game(&mut self, player_id: u16) {
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
    }

    fn encode<P: Packet>(packet: &P) -> Option<Bytes> {
        match packet::encode(packet) {
            Ok(body) => Some(body),
            Err(error) => {
                warn!(%error, "a world packet could not be encoded");
                None
            }
        }
    }

    fn chat(&self, player_id: u16, channel: Channel, message: String) {
        let Some(from) = self
            .connections
            .get(&player_id)
            .and_then(|c| c.playing.as_ref())
        else {
            return;
        };
        let player_name = from.character.name.clone();
        let body = match channel {
            Channel::Global => Self::encode(&TalkMsgServerPacket {
                player_name,
                message,
            }),
            Channel::Admin => Self::encode(&TalkAdminServerPacket {
                player_name,
                message,
            }),
            Channel::Announce => Self::encode(&TalkAnnounceServerPacket {
                player_name,
                message,
            }),
        };
        let Some(body) = body else { return };
        for (id, connection) in &self.connections {
            let Some(playing) = &connection.playing else {
                continue;
            };
            let wanted = match channel {
                Channel::Global => playing.global,
                Channel::Admin => playing.character.admin_level >= ADMIN_CHAT_LEVEL,
                Channel::Announce => true,
            };
            if *id != player_id && wanted {
                connection.player.send(body.clone());
            }
        }
    }

    fn whisper(&self, player_id: u16, to: &str, message: String) {
        let Some(from) = self.connections.get(&player_id) else {
            return;
        };
        let Some(playing) = &from.playing else { return };
        let target = self
            .names
            .get(&to.to_ascii_lowercase())
            .and_then(|id| self.connections.get(id));
        match target {
            Some(target) => {
                if let Some(body) = Self::encode(&TalkTellServerPacket {
                    player_name: playing.character.name.clone(),
                    message,
                }) {
                    target.player.send(body);
                }
            }
            None => {
                if let Some(body) = Self::encode(&TalkReplyServerPacket {
                    reply_code: TalkReply::NotFound,
                    name: to.to_owned(),
                }) {
                    from.player.send(body);
                }
            }
        }
    }
}
