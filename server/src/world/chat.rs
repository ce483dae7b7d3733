//! Chat beyond one map: the global, admin and announcement channels, whispers, operators'
//! announcements and server messages to one player.

use eo_protocol::net::server::{
    TalkAdminServerPacket, TalkAnnounceServerPacket, TalkMsgServerPacket, TalkReply,
    TalkReplyServerPacket, TalkServerServerPacket, TalkTellServerPacket,
};

use super::actor::WorldActor;

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

impl WorldActor {
    /// Chat on `channel`, from a character whose admin level is at least `needed` (the level
    /// held here: a demotion holds at once); admin chat reaches only those at `needed` too.
    pub(super) fn chat(&self, player_id: u16, channel: Channel, needed: u8, message: String) {
        let Some(from) = self
            .connections
            .get(&player_id)
            .and_then(|c| c.playing.as_ref())
            .filter(|p| p.character.admin_level >= needed)
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
                Channel::Admin => playing.character.admin_level >= needed,
                Channel::Announce => true,
            };
            if *id != player_id && wanted {
                connection.player.send(body.clone());
            }
        }
    }

    pub(super) fn whisper(&self, player_id: u16, to: &str, message: String) {
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

    /// Talk_Announce from `from` to everyone in the game.
    pub(super) fn announce(&self, from: String, message: String) {
        let Some(body) = Self::encode(&TalkAnnounceServerPacket {
            player_name: from,
            message,
        }) else {
            return;
        };
        for connection in self.connections.values() {
            if connection.playing.is_some() {
                connection.player.send(body.clone());
            }
        }
    }

    /// Talk_Server to one character; whether it is in the game.
    pub(super) fn server_message(&self, to: &str, message: String) -> bool {
        let Some(connection) = self.playing_id(to).and_then(|id| self.connections.get(&id)) else {
            return false;
        };
        if let Some(body) = Self::encode(&TalkServerServerPacket { message }) {
            connection.player.send(body);
        }
        true
    }
}
