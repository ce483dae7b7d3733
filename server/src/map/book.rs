//! Book_Request: a character's book (its details, with its guild and partner, and the quests
//! it finished, hidden ones left out: map/quests/), asked of a character on the same map, as
//! the client asks it of a character it sees. A character on another map, or none, gets no
//! answer.

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
            quest_names: super::finished_quest_names(
                &self.data.quests.current(),
                shown.game.state(),
            ),
        });
        self.send_to(player_id, body);
    }
}
