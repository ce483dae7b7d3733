//! Chests (Chest tiles): items spawned from the map's chest list and items players put in,
//! used from within one step. Chest contents belong to no character and are not saved: a
//! restart empties every chest (the spawns come back, what players put in is gone, as with
//! items on the ground).
//!
//! The EMF chest list gives, per chest, spawns: (slot, item, amount, minutes). A spawn slot
//! holds one spawned item at a time; when it is empty and one of its spawns is due, that
//! spawn (one of them at random) fills it. A slot is due `minutes` after its item was last
//! taken; a chest starts stocked. The chest's spawn slots are kept free for their spawns:
//! players fill the other `[chests] slots`.
//!
//! Chest_Open (a locked chest needs its key: Chest_Close with the key's number otherwise) lists
//! the chest. Chest_Add puts a whole amount in (not Lore items; at most `[chests]
//! max_item_amount` of an item; a new item needs a free slot, Chest_Spec if there is none);
//! Chest_Take takes a whole stack out if the character can carry all of it. The one who acts
//! gets Chest_Reply or Chest_Get, the others at the chest Chest_Agree. The map handles one
//! packet at a time, so two players at one chest are served in turn and can never both take
//! one stack.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use eo_protocol::Coords;
use eo_protocol::map::MapTileSpec;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::client::{ChestAddClientPacket, ChestTakeClientPacket, ClientPacket};
use eo_protocol::net::server::{
    ChestAgreeServerPacket, ChestCloseServerPacket, ChestGetServerPacket, ChestOpenServerPacket,
    ChestReplyServerPacket, ChestSpecServerPacket,
};
use eo_protocol::pubs::ItemSpecial;
use tokio::time::Instant;
use tracing::warn;

use super::actor::MapActor;
use super::objects::{OpenObject, holds_key};
use crate::config::ChestsConfig;
use crate::data::{GameData, MapData};
use crate::rules::stats;

/// How often the map looks for chest slots whose spawn is due.
const SPAWN_CHECK: Duration = Duration::from_secs(1);

/// One stack in a chest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ChestItem {
    id: u16,
    amount: u32,
    /// The spawn slot it fills (from 1), or 0 for what a player put in.
    slot: u8,
}

/// One entry of the map's chest list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spawn {
    slot: u8,
    id: u16,
    amount: u32,
    wait: Duration,
}

#[derive(Debug, Default)]
struct Chest {
    /// The key number (a Key item's spec1) that opens it; 0 for none.
    key: u16,
    items: Vec<ChestItem>,
    spawns: Vec<Spawn>,
    /// The distinct spawn slots, kept free of players' items.
    spawn_slots: BTreeSet<u8>,
    /// When each spawn slot's item was last taken; a slot not here is due at once.
    taken_at: HashMap<u8, Instant>,
}

/// Whether a chest can take `amount` of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Room {
    /// Yes: the stack grows to this.
    Stack(u32),
    /// Yes, as a new stack.
    New,
    /// A new item, and no free slot for it.
    Full,
    /// The stack would pass the per-item maximum.
    TooMany,
}

impl Chest {
    fn listing(&self) -> Vec<ThreeItem> {
        self.items
            .iter()
            .map(|i| ThreeItem {
                id: i.id,
                amount: i.amount,
            })
            .collect()
    }

    fn room(&self, id: u16, amount: u32, config: &ChestsConfig) -> Room {
        if let Some(stack) = self.items.iter().find(|i| i.id == id) {
            return match stack.amount.checked_add(amount) {
                Some(total) if total <= config.max_item_amount => Room::Stack(total),
                _ => Room::TooMany,
            };
        }
        if amount > config.max_item_amount {
            return Room::TooMany;
        }
        let players = self.items.iter().filter(|i| i.slot == 0).count();
        let slots = usize::from(config.slots);
        if self.items.len() >= slots || players + self.spawn_slots.len() >= slots {
            return Room::Full;
        }
        Room::New
    }

    /// Puts `amount` of `id` in, as [`Chest::room`] allowed.
    fn put(&mut self, id: u16, room: Room, amount: u32) {
        match room {
            Room::Stack(total) => {
                if let Some(stack) = self.items.iter_mut().find(|i| i.id == id) {
                    stack.amount = total;
                }
            }
            Room::New => self.items.push(ChestItem {
                id,
                amount,
                slot: 0,
            }),
            Room::Full | Room::TooMany => {}
        }
    }

    /// Takes the whole stack of `id` out; its spawn slot (if any) waits from `now`.
    fn take(&mut self, id: u16, now: Instant) -> Option<u32> {
        let index = self.items.iter().position(|i| i.id == id)?;
        let taken = self.items.remove(index);
        if taken.slot > 0 {
            self.taken_at.insert(taken.slot, now);
        }
        Some(taken.amount)
    }

    /// Fills each empty spawn slot whose spawn is due (one of them at random); whether
    /// anything spawned. A spawn of an item the chest already holds waits until it is gone,
    /// so a chest lists each item once.
    fn spawn_due(&mut self, now: Instant, slots: u8) -> bool {
        let mut spawned = false;
        for &slot in &self.spawn_slots {
            if self.items.len() >= usize::from(slots) {
                break;
            }
            if self.items.iter().any(|i| i.slot == slot) {
                continue;
            }
            let since = self.taken_at.get(&slot).copied();
            let due: Vec<&Spawn> = self
                .spawns
                .iter()
                .filter(|s| s.slot == slot)
                .filter(|s| since.is_none_or(|t| t.checked_add(s.wait).is_some_and(|at| now >= at)))
                .filter(|s| !self.items.iter().any(|i| i.id == s.id))
                .collect();
            if due.is_empty() {
                continue;
            }
            let Some(spawn) = due.get(rand::random_range(0..due.len())) else {
                continue;
            };
            self.items.push(ChestItem {
                id: spawn.id,
                amount: spawn.amount,
                slot,
            });
            spawned = true;
        }
        spawned
    }
}

/// The chests of one map.
#[derive(Debug)]
pub(super) struct Chests {
    chests: HashMap<(u8, u8), Chest>,
    next_check: Instant,
}

impl Chests {
    /// The map's chests (its Chest tiles) with their spawns from the EMF chest list. Entries
    /// off a Chest tile, of items that do not exist, or of a slot past `[chests] slots` are
    /// left out, with a warning.
    pub(super) fn new(map: Option<&MapData>, data: &GameData, config: &ChestsConfig) -> Self {
        let mut chests = HashMap::new();
        if let Some(map) = map {
            for row in &map.emf.tile_spec_rows {
                for tile in &row.tiles {
                    if tile.tile_spec == MapTileSpec::Chest {
                        chests.insert((tile.x, row.y), Chest::default());
                    }
                }
            }
            for entry in &map.emf.items {
                let at = (entry.coords.x, entry.coords.y);
                // EO files number a chest's slots from 0.
                let slot = entry.chest_slot.saturating_add(1);
                let problem = if !chests.contains_key(&at) {
                    Some("it is not on a chest")
                } else if stats::item(&data.items.data, entry.item_id).is_none() {
                    Some("its item does not exist")
                } else if slot > config.slots {
                    Some("its slot is past [chests] slots")
                } else if entry.amount == 0 {
                    Some("its amount is 0")
                } else {
                    None
                };
                let Some(chest) = chests.get_mut(&at).filter(|_| problem.is_none()) else {
                    warn!(
                        map = map.id,
                        x = at.0,
                        y = at.1,
                        item = entry.item_id,
                        slot,
                        "a chest spawn is left out: {}",
                        problem.unwrap_or("")
                    );
                    continue;
                };
                if chest.key == 0 {
                    chest.key = entry.key;
                }
                chest.spawn_slots.insert(slot);
                chest.spawns.push(Spawn {
                    slot,
                    id: entry.item_id,
                    amount: entry.amount.min(config.max_item_amount),
                    wait: Duration::from_secs(u64::from(entry.spawn_time) * 60),
                });
            }
        }
        Chests {
            chests,
            next_check: Instant::now(),
        }
    }
}

impl MapActor {
    /// Chest_Open, Chest_Add and Chest_Take.
    pub(super) fn chest(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::ChestOpen(open) => self.chest_open(player_id, open.coords),
            ClientPacket::ChestAdd(add) => self.chest_add(player_id, &add),
            ClientPacket::ChestTake(take) => self.chest_take(player_id, &take),
            _ => {}
        }
    }

    /// Fills the chest slots whose spawn is due; those at a chest that changed see it
    /// (Chest_Agree). Runs on the map's tick, looking every [`SPAWN_CHECK`].
    pub(super) fn spawn_chest_items(&mut self) {
        let now = Instant::now();
        if now < self.chests.next_check {
            return;
        }
        self.chests.next_check = now + SPAWN_CHECK;
        let slots = self.config.chests.slots;
        let changed: Vec<(u8, u8)> = self
            .chests
            .chests
            .iter_mut()
            .filter_map(|(at, chest)| chest.spawn_due(now, slots).then_some(*at))
            .collect();
        for at in changed {
            self.show_chest(at, 0);
        }
    }

    /// Chest_Agree with the chest's items to everyone at it but `except`.
    fn show_chest(&self, (x, y): (u8, u8), except: u16) {
        let Some(chest) = self.chests.chests.get(&(x, y)) else {
            return;
        };
        let Some(body) = self.encode(&ChestAgreeServerPacket {
            items: chest.listing(),
        }) else {
            return;
        };
        for other in self.at_object(OpenObject::Chest(x, y), except) {
            other.player.send(body.clone());
        }
    }

    /// Whether the chest's key (if it has one) is held; Chest_Close with its number if not.
    fn chest_unlocked(&self, player_id: u16, key: u16) -> bool {
        let Some(me) = self.characters.get(&player_id) else {
            return false;
        };
        if key == 0 || holds_key(me.game.state(), &self.data, key) {
            return true;
        }
        let body = self.encode(&ChestCloseServerPacket { key: Some(key) });
        self.send_to(player_id, body);
        false
    }

    fn chest_open(&mut self, player_id: u16, coords: Coords) {
        let at = (coords.x, coords.y);
        if !self.object_in_reach(player_id, at, MapTileSpec::Chest) {
            return;
        }
        let Some((key, items)) = self
            .chests
            .chests
            .get(&at)
            .map(|chest| (chest.key, chest.listing()))
        else {
            return;
        };
        if !self.chest_unlocked(player_id, key) {
            return;
        }
        if let Some(me) = self.characters.get_mut(&player_id) {
            me.object = Some(OpenObject::Chest(at.0, at.1));
        }
        let body = self.encode(&ChestOpenServerPacket { coords, items });
        self.send_to(player_id, body);
    }

    /// Whether the character has the chest at `at` open, stands within reach and holds its
    /// key (if it has one).
    fn chest_in_use(&self, player_id: u16, at: (u8, u8)) -> bool {
        let Some(chest) = self.chests.chests.get(&at) else {
            return false;
        };
        self.has_open(player_id, OpenObject::Chest(at.0, at.1))
            && self.chest_unlocked(player_id, chest.key)
    }

    fn chest_add(&mut self, player_id: u16, add: &ChestAddClientPacket) {
        let at = (add.coords.x, add.coords.y);
        let ThreeItem { id, amount } = add.add_item;
        let lore = stats::item(&self.data.items.data, id).map(|r| r.special == ItemSpecial::Lore);
        if amount == 0 || lore != Some(false) || !self.chest_in_use(player_id, at) {
            return;
        }
        let held = self
            .characters
            .get(&player_id)
            .map_or(0, |me| me.game.amount_of(id));
        let Some(chest) = self.chests.chests.get(&at) else {
            return;
        };
        if held < amount {
            return;
        }
        match chest.room(id, amount, &self.config.chests) {
            Room::TooMany => return,
            Room::Full => {
                let body = self.encode(&ChestSpecServerPacket);
                self.send_to(player_id, body);
                return;
            }
            room @ (Room::Stack(_) | Room::New) => {
                // Out of the inventory first, then into the chest.
                let data = std::sync::Arc::clone(&self.data);
                let Some(me) = self.characters.get_mut(&player_id) else {
                    return;
                };
                if me.game.remove_item(id, amount, &data) != amount {
                    return;
                }
                let (remaining_amount, weight) = (me.game.amount_of(id), me.game.weight_packet());
                let Some(chest) = self.chests.chests.get_mut(&at) else {
                    return;
                };
                chest.put(id, room, amount);
                let reply = ChestReplyServerPacket {
                    added_item_id: id,
                    remaining_amount,
                    weight,
                    items: chest.listing(),
                };
                let body = self.encode(&reply);
                self.send_to(player_id, body);
            }
        }
        self.show_chest(at, player_id);
    }

    fn chest_take(&mut self, player_id: u16, take: &ChestTakeClientPacket) {
        let at = (take.coords.x, take.coords.y);
        let id = take.take_item_id;
        if !self.chest_in_use(player_id, at) {
            return;
        }
        let Some(amount) = self
            .chests
            .chests
            .get(&at)
            .and_then(|chest| chest.items.iter().find(|i| i.id == id))
            .map(|i| i.amount)
        else {
            return;
        };
        let items = &self.config.items;
        let (max_item_amount, ignore_weight) = (items.max_item_amount, !items.enforce_weight);
        let data = std::sync::Arc::clone(&self.data);
        let fits = self.characters.get(&player_id).is_some_and(|me| {
            me.game
                .can_take(id, amount, max_item_amount, ignore_weight, &data)
                >= amount
        });
        if !fits {
            return;
        }
        // Out of the chest first, then into the inventory.
        let Some(chest) = self.chests.chests.get_mut(&at) else {
            return;
        };
        let Some(taken) = chest.take(id, Instant::now()) else {
            return;
        };
        let listing = chest.listing();
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        me.game.add_item(id, taken, &data);
        let reply = ChestGetServerPacket {
            taken_item: ThreeItem { id, amount: taken },
            weight: me.game.weight_packet(),
            items: listing,
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
        self.show_chest(at, player_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ChestsConfig {
        ChestsConfig {
            slots: 3,
            max_item_amount: 100,
        }
    }

    /// A chest with spawn slots 1 (item 1 x 50 every 5 minutes) and 2 (item 10 x 2 every
    /// minute, or item 11 x 1 every minute).
    fn chest() -> Chest {
        let spawn = |slot, id, amount, minutes: u64| Spawn {
            slot,
            id,
            amount,
            wait: Duration::from_secs(60 * minutes),
        };
        Chest {
            spawns: vec![spawn(1, 1, 50, 5), spawn(2, 10, 2, 1), spawn(2, 11, 1, 1)],
            spawn_slots: [1, 2].into(),
            ..Chest::default()
        }
    }

    #[test]
    fn a_chest_starts_stocked_and_a_slot_waits_its_time_after_a_take() {
        let mut chest = chest();
        let start = Instant::now();
        assert!(chest.spawn_due(start, 3));
        assert_eq!(chest.items.len(), 2);
        assert_eq!(
            chest.items[0],
            ChestItem {
                id: 1,
                amount: 50,
                slot: 1
            }
        );
        assert!(matches!(chest.items[1].id, 10 | 11));
        assert!(!chest.spawn_due(start, 3), "full slots spawn nothing");

        assert_eq!(chest.take(1, start), Some(50));
        assert_eq!(chest.take(1, start), None, "a stack is taken once");
        let minute = Duration::from_secs(60);
        assert!(
            !chest.spawn_due(start + 4 * minute, 3),
            "slot 1 waits 5 minutes"
        );
        assert!(chest.spawn_due(start + 5 * minute, 3));
        assert_eq!(
            chest.items.last(),
            Some(&ChestItem {
                id: 1,
                amount: 50,
                slot: 1
            })
        );
    }

    #[test]
    fn players_fill_the_slots_the_spawns_leave_and_stacks_grow_to_the_maximum() {
        let config = config();
        let mut chest = chest();
        // Three slots, two kept for spawns: one item of players'.
        assert_eq!(chest.room(5, 10, &config), Room::New);
        chest.put(5, Room::New, 10);
        assert_eq!(chest.room(6, 1, &config), Room::Full);
        assert_eq!(chest.room(5, 90, &config), Room::Stack(100));
        assert_eq!(chest.room(5, 91, &config), Room::TooMany);
        assert_eq!(chest.room(5, u32::MAX, &config), Room::TooMany);
        chest.put(5, Room::Stack(100), 90);
        assert_eq!(
            chest.items,
            [ChestItem {
                id: 5,
                amount: 100,
                slot: 0
            }]
        );
        // A stack of a spawned item grows like any other; its slot is still its spawn's.
        assert!(chest.spawn_due(Instant::now(), 3));
        assert_eq!(chest.room(1, 50, &config), Room::Stack(100));
        // A player's item does not start a slot's wait when taken.
        assert_eq!(chest.take(5, Instant::now()), Some(100));
        assert!(chest.taken_at.is_empty());
    }

    #[test]
    fn a_spawn_of_an_item_the_chest_holds_waits_until_it_is_gone() {
        let mut chest = chest();
        chest.put(1, Room::New, 3);
        assert!(chest.spawn_due(Instant::now(), 3));
        assert_eq!(chest.items.iter().filter(|i| i.id == 1).count(), 1);
        assert!(
            chest.items.iter().all(|i| i.slot != 1),
            "slot 1 stays empty"
        );
    }
}
