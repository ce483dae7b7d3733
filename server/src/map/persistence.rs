//! The map's part of the save path (`crate::save` explains why this makes a crash unable to
//! duplicate anything): the map owns every character on it, so it queues their saves. Every
//! save interval it queues those that changed; when one leaves, it queues it together with
//! every character whose holdings changed, before it is gone.

use super::actor::{MapActor, OnMap};
use super::views::paperdoll;
use crate::db::Character;
use crate::player::PlayerHandle;

impl OnMap {
    /// The whole character as it is now: its record with the live position and game state.
    pub(super) fn character_now(&self, map: u16) -> Character {
        let mut character = (*self.record).clone();
        character.map = map;
        character.x = u8::try_from(self.info.coords.x).unwrap_or(character.x);
        character.y = u8::try_from(self.info.coords.y).unwrap_or(character.y);
        character.direction = u8::try_from(self.info.direction.to_u32()).unwrap_or(0);
        self.game.state().apply_to(&mut character);
        character
    }

    /// Whether anything an item or gold can move through (inventory, equipment, bank gold,
    /// locker) differs from what was last queued. Whatever a feature lets change hands must
    /// live in the game state and be compared here.
    fn holdings_changed(&self) -> bool {
        let state = self.game.state();
        let saved = &self.record;
        state.inventory != saved.inventory
            || state.equipment != saved.equipment
            || state.gold_bank != saved.gold_bank
            || state.locker != saved.bank
    }

    /// The character as it is now if it differs from what was last queued; it becomes what
    /// was last queued.
    fn take_changes(&mut self, map: u16) -> Option<Character> {
        let now = self.character_now(map);
        if now == *self.record {
            return None;
        }
        *self.record = now.clone();
        Some(now)
    }
}

impl MapActor {
    /// The periodic save: every character that changed since it was last queued, as one
    /// batch.
    pub(super) fn save_changed(&mut self) {
        let map = self.id;
        let batch: Vec<Character> = self
            .characters
            .values_mut()
            .filter_map(|c| c.take_changes(map))
            .collect();
        self.saves.save(batch);
    }

    /// Every character on the map whose holdings changed since it was last queued, as one
    /// batch: after a trade both sides are among them, so the swap is on disk on both sides
    /// together (with any other move of an item still unsaved), without waiting for the
    /// periodic save.
    pub(super) fn save_holdings_changed(&mut self) {
        let map = self.id;
        let batch: Vec<Character> = self
            .characters
            .values_mut()
            .filter(|c| c.holdings_changed())
            .filter_map(|c| c.take_changes(map))
            .collect();
        self.saves.save(batch);
    }

    /// An operator's `save`: everyone on the map, changed or not, as one batch. How many.
    pub(super) fn save_all(&mut self) -> usize {
        let map = self.id;
        let batch: Vec<Character> = self
            .characters
            .values_mut()
            .map(|c| {
                let now = c.character_now(map);
                *c.record = now.clone();
                now
            })
            .collect();
        let count = batch.len();
        self.saves.save(batch);
        count
    }

    /// Queues a departure: the leaving character as it is now, with every other character
    /// on the map whose holdings changed since they were last queued (an item it gave or took
    /// is then on disk on both sides together). Returns the leaving character; `None` if it
    /// is not here. It stays on the map; the caller takes it off.
    pub(super) fn queue_departure(&mut self, player_id: u16) -> Option<Character> {
        let map = self.id;
        let leaving = self.characters.get(&player_id)?.character_now(map);
        let mut batch = vec![leaving.clone()];
        for (id, other) in &mut self.characters {
            if *id != player_id && other.holdings_changed() {
                batch.extend(other.take_changes(map));
            }
        }
        if let Some(me) = self.characters.get_mut(&player_id) {
            *me.record = leaving.clone();
        }
        self.saves.save(batch);
        Some(leaving)
    }

    /// Paperdoll_Request: the character's paperdoll, as it is now, to `to`.
    pub(super) fn show_paperdoll(&self, player_id: u16, to: &PlayerHandle) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        if let Some(body) = self.encode(&paperdoll(player_id, &me.character_now(self.id))) {
            to.send(body);
        }
    }
}
