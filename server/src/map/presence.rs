//! Who is on a map and who sees whom: a character's arrival (it appears to those in range and
//! gets the nearby lists), its departure (queued for saving first, map/persistence.rs), and
//! hiding from view (`$hide`, `$show`).

use bytes::Bytes;
use eo_protocol::net::server::{
    AvatarRemoveServerPacket, CharacterMapInfo, NearbyInfo, PlayersAgreeServerPacket,
};
use tracing::warn;

use super::MAX_NEARBY_CHARACTERS;
use super::actor::{MapActor, OnMap, tile};
use super::character::{CharacterGame, GameState};
use super::views::map_info;

use crate::db::Character;
use crate::player::PlayerHandle;

impl MapActor {
    /// The characters `viewer` sees in range of `at` (at most what the protocol can count):
    /// the viewer itself first, so a crowd larger than the list never hides a player's own
    /// character from its client; then the others in range that are not hidden.
    pub(super) fn nearby_of(&self, viewer: u16, at: (u16, u16)) -> NearbyInfo {
        let own = self.characters.get(&viewer).map(|c| c.info.clone());
        let others = self
            .in_range_of(at)
            .filter(|(id, c)| *id != viewer && !c.info.invisible);
        let characters = own
            .into_iter()
            .chain(others.map(|(_, c)| c.info.clone()))
            .take(MAX_NEARBY_CHARACTERS)
            .collect();
        NearbyInfo {
            characters,
            npcs: self.npcs.seen_from(tile(at)),
            items: self.ground.in_view(at),
        }
    }

    pub(super) fn appear_packet(&self, info: &CharacterMapInfo) -> Option<Bytes> {
        self.encode(&PlayersAgreeServerPacket {
            nearby: NearbyInfo {
                characters: vec![info.clone()],
                npcs: Vec::new(),
                items: Vec::new(),
            },
        })
    }

    /// A character comes onto the map (others in range see it appear); what it sees.
    pub(super) fn enter(
        &mut self,
        player_id: u16,
        mut character: Character,
        player: PlayerHandle,
    ) -> NearbyInfo {
        character.map = self.id;
        let mut info = map_info(player_id, &character);
        let game = CharacterGame::new(GameState::of(&character), &self.data);
        game.sync_info(&mut info, &self.data);
        let at = (info.coords.x, info.coords.y);
        if !info.invisible
            && let Some(body) = self.appear_packet(&info)
        {
            self.broadcast(at, player_id, &body);
        }
        let record = Box::new(character);
        if let Some(old) = self.characters.insert(
            player_id,
            OnMap {
                info,
                player,
                game,
                record,
                interaction: None,
                object: None,
            },
        ) {
            // Entered twice without leaving (never expected): the newer copy stays.
            warn!(map = self.id, player_id, name = %old.record.name, "a character entered twice; the earlier copy is dropped");
            self.index.remove(player_id, old.at());
        }
        self.index.insert(player_id, at);
        self.count_players();
        self.nearby_of(player_id, at)
    }

    /// A character leaves the map (others in range see it go). It is queued for saving, with
    /// every character whose holdings changed, before it is gone (map/persistence.rs).
    /// Returns the whole character and its player's handle; `None` if it is not here.
    pub(super) fn leave(&mut self, player_id: u16) -> Option<(Character, PlayerHandle)> {
        self.trade_leave(player_id);
        let character = self.queue_departure(player_id)?;
        if let Some(body) = self.encode(&AvatarRemoveServerPacket {
            player_id,
            warp_effect: None,
        }) && let Some(me) = self.characters.get(&player_id)
        {
            self.broadcast(me.at(), player_id, &body);
        }
        self.combat.forget(player_id);
        self.parties.left(player_id);
        self.casting.forget(player_id);
        let gone = self.characters.remove(&player_id)?;
        self.index.remove(player_id, gone.at());
        self.count_players();
        Some((character, gone.player))
    }

    /// A character whose departure its player task no longer waited for comes back where it
    /// was: the task still counts it as here.
    pub(super) fn come_back(&mut self, player_id: u16, character: Character, player: PlayerHandle) {
        let _ = self.enter(player_id, character, player);
    }

    /// `$hide` / `$show`: the others in range see the character leave or appear; whether the
    /// state changed.
    pub(super) fn set_hidden(&mut self, player_id: u16, hidden: bool) -> bool {
        let Some(me) = self.characters.get(&player_id) else {
            return false;
        };
        if me.info.invisible == hidden {
            return false;
        }
        let at = me.at();
        let body = if hidden {
            self.encode(&AvatarRemoveServerPacket {
                player_id,
                warp_effect: None,
            })
        } else {
            let mut info = me.info.clone();
            info.invisible = false;
            self.appear_packet(&info)
        };
        // Shown while still visible (hiding) or once visible again (showing).
        if !hidden && let Some(me) = self.characters.get_mut(&player_id) {
            me.info.invisible = false;
        }
        if let Some(body) = body {
            self.broadcast(at, player_id, &body);
        }
        if let Some(me) = self.characters.get_mut(&player_id) {
            me.info.invisible = hidden;
            // Kept with the game state, so warps and the next login keep it.
            me.game.update(&self.data, |state| state.hidden = hidden);
        }
        true
    }
}
