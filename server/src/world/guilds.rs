//! The world's part of guilds: guild chat (Talk_Request) reaches the members in the game, and
//! the online list shows tags. Guilds themselves are the database's (db/guilds.rs); the world
//! only knows each character's guild id and tag, as the player task tells it.

use eo_protocol::net::server::TalkRequestServerPacket;

use super::actor::WorldActor;

/// A tag as the protocol shows it: three characters, spaces for none.
pub(crate) fn shown_tag(tag: Option<&str>) -> String {
    format!("{:<3}", tag.unwrap_or(""))
}

impl WorldActor {
    /// Talk_Request: the message goes to every other member of the sender's guild in the
    /// game; a character in no guild says nothing.
    pub(super) fn guild_chat(&self, player_id: u16, message: String) {
        let Some((guild_id, player_name)) = self
            .connections
            .get(&player_id)
            .and_then(|c| c.playing.as_ref())
            .and_then(|p| Some((p.character.guild.as_ref()?.0, p.character.name.clone())))
        else {
            return;
        };
        let Some(body) = Self::encode(&TalkRequestServerPacket {
            player_name,
            message,
        }) else {
            return;
        };
        for (id, connection) in &self.connections {
            let same_guild = connection
                .playing
                .as_ref()
                .and_then(|p| p.character.guild.as_ref())
                .is_some_and(|g| g.0 == guild_id);
            if *id != player_id && same_guild {
                connection.player.send(body.clone());
            }
        }
    }
}
