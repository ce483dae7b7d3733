//! Book_Request: a character's book (its details, with its guild and partner, and the quests
//! it finished), asked of a character on the same map, as the client asks it of a character
//! it sees. A character on another map, or none, gets no answer.

use eo_protocol::net::server::BookReplyServerPacket;

use super::actor::MapActor;
use super::views::paperdoll;

impl MapActor {
    /// Sends `player_id` the book of the character `target`, if it is on this map.
    pub(super) fn book(&self, player_id: u16, target: u16) {
        let Some(shown) = self.characters.get(&target) else {
            return;
        };
        let doll = paperdoll(target, &shown.character_now(self.id));
        let body = self.encode(&BookReplyServerPacket {
            details: doll.details,
            icon: doll.icon,
            quest_names: finished_quest_names(&shown.record),
        });
        self.send_to(player_id, body);
    }
}

/// The names of the quests `character` finished, as its book lists them (EOSERV leaves out
/// hidden quests). There are no quests yet, so none: quests fill this in.
pub(super) fn finished_quest_names(character: &crate::db::Character) -> Vec<String> {
    let _ = character;
    Vec::new()
}
