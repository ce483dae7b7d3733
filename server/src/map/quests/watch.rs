//! Which map steps quests hear of: before a message is handled the map notes what it may
//! change for quests ([`MapActor::quest_watch`]); after it, the item events it caused are told
//! and the character's rules checked ([`MapActor::quest_after`]).

use super::QuestEvent;
use crate::map::actor::{ItemAction, MapActor, MapMessage};

/// An item the message may use, put on or take off, and how things stood before.
#[derive(Clone, Copy, Debug)]
enum ItemWatch {
    Use { item: u16, had: u32 },
    Equip { item: u16, worn: usize },
    Unequip { item: u16, worn: usize },
}

/// What to look at once a message is handled.
#[derive(Clone, Copy, Debug)]
pub(in crate::map) struct QuestWatch {
    player_id: u16,
    item: Option<ItemWatch>,
}

impl MapActor {
    /// How many of `item` the character wears.
    fn worn(&self, player_id: u16, item: u16) -> usize {
        self.characters.get(&player_id).map_or(0, |me| {
            me.game
                .state()
                .equipment
                .to_array()
                .iter()
                .filter(|&&worn| worn == item && item != 0)
                .count()
        })
    }

    /// What `message` may change that quests wait for (`None`: nothing).
    pub(in crate::map) fn quest_watch(&self, message: &MapMessage) -> Option<QuestWatch> {
        let (player_id, item) = match message {
            MapMessage::Packet { player_id, .. }
            | MapMessage::Walk { player_id, .. }
            | MapMessage::Attack { player_id, .. }
            | MapMessage::Give { player_id, .. }
            | MapMessage::Sit { player_id, .. }
            | MapMessage::Chair { player_id, .. } => (*player_id, None),
            MapMessage::Item { player_id, action } => {
                let item = match action {
                    ItemAction::Use { item_id } => Some(ItemWatch::Use {
                        item: *item_id,
                        had: self
                            .characters
                            .get(player_id)
                            .map_or(0, |me| me.game.amount_of(*item_id)),
                    }),
                    ItemAction::Equip { item_id, .. } => Some(ItemWatch::Equip {
                        item: *item_id,
                        worn: self.worn(*player_id, *item_id),
                    }),
                    ItemAction::Unequip { item_id, .. } => Some(ItemWatch::Unequip {
                        item: *item_id,
                        worn: self.worn(*player_id, *item_id),
                    }),
                    _ => None,
                };
                (*player_id, item)
            }
            _ => return None,
        };
        self.characters
            .contains_key(&player_id)
            .then_some(QuestWatch { player_id, item })
    }

    /// After the message: the item event it caused, if any, then the character's rules.
    pub(in crate::map) fn quest_after(&mut self, watch: QuestWatch) {
        let player_id = watch.player_id;
        if !self.characters.contains_key(&player_id) {
            return;
        }
        let event = match watch.item {
            Some(ItemWatch::Use { item, had }) => {
                let has = self
                    .characters
                    .get(&player_id)
                    .map_or(0, |me| me.game.amount_of(item));
                (has < had).then_some(QuestEvent::UsedItem(item))
            }
            Some(ItemWatch::Equip { item, worn }) => {
                (self.worn(player_id, item) > worn).then_some(QuestEvent::Equipped(item))
            }
            Some(ItemWatch::Unequip { item, worn }) => {
                (self.worn(player_id, item) < worn).then_some(QuestEvent::Unequipped(item))
            }
            None => None,
        };
        match event {
            // The event checks the rules after it.
            Some(event) => self.quest_event(player_id, event),
            None => self.quests_check(player_id),
        }
    }
}
