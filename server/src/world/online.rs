//! Who is online: the online list (built once and kept encoded until someone enters or
//! leaves), the friends list, and #find.

use bytes::Bytes;
use eo_protocol::net::server::{
    InitInitServerPacket, InitInitServerPacketReplyCodeData,
    InitInitServerPacketReplyCodeDataPlayersList,
    InitInitServerPacketReplyCodeDataPlayersListFriends, InitReply, OnlinePlayer, PlayersList,
    PlayersListFriends, PlayersNet242ServerPacket, PlayersPingServerPacket,
    PlayersPongServerPacket,
};

use super::actor::{WorldActor, icon};

/// The online list's count is an EO short.
const MAX_ONLINE_LIST: usize = 64_008;

impl WorldActor {
    /// Sends the online list to `player_id`, building it only if it changed.
    pub(super) fn online_list(&mut self, player_id: u16) {
        if !self.connections.contains_key(&player_id) {
            return;
        }
        if self.online_list.is_none() {
            self.online_list = self.build_online_list();
            self.online_list_builds += 1;
        }
        if let (Some(to), Some(body)) = (self.connections.get(&player_id), &self.online_list) {
            to.player.send(body.clone());
        }
    }

    /// Players_List: the names of everyone in the game, in name order (Init_Init
    /// PlayersListFriends); the client shows those on its friends list.
    pub(super) fn friends_list(&self, player_id: u16) {
        let Some(to) = self.connections.get(&player_id) else {
            return;
        };
        let mut players: Vec<String> = self
            .connections
            .values()
            .filter_map(|c| c.playing.as_ref())
            .map(|p| p.character.name.clone())
            .collect();
        players.sort();
        players.truncate(MAX_ONLINE_LIST);
        if let Some(body) = Self::encode(&InitInitServerPacket {
            reply_code: InitReply::PlayersListFriends,
            reply_code_data: Some(InitInitServerPacketReplyCodeData::PlayersListFriends(
                InitInitServerPacketReplyCodeDataPlayersListFriends {
                    players_list: PlayersListFriends { players },
                },
            )),
        }) {
            to.player.send(body);
        }
    }

    /// Everyone in the game, in name order, capped at what the list's count can hold.
    pub(super) fn build_online_list(&self) -> Option<Bytes> {
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
                guild_tag: super::guilds::shown_tag(
                    p.character.guild.as_ref().map(|g| g.1.as_str()),
                ),
            })
            .collect();
        players.sort_by(|a, b| a.name.cmp(&b.name));
        players.truncate(MAX_ONLINE_LIST);
        Self::encode(&InitInitServerPacket {
            reply_code: InitReply::PlayersList,
            reply_code_data: Some(InitInitServerPacketReplyCodeData::PlayersList(
                InitInitServerPacketReplyCodeDataPlayersList {
                    players_list: PlayersList { players },
                },
            )),
        })
    }

    /// #find: offline, on the same map as the asker, or elsewhere.
    pub(super) fn find(&self, player_id: u16, name: &str) {
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
}
