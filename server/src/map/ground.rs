//! The items on a map's ground: dropping and picking up (within `items.drop_distance`, one
//! pile to exactly one taker), protection for a killer or dropper, expiry, and the per-map cap
//! (the oldest pile makes room).
//!
//! For map-side code elsewhere: [`MapActor::drop_npc_loot`] puts an NPC's drop on the ground,
//! protected for its killer for `items.drop_protect_npc_secs` (the kill packet shows it);
//! [`MapActor::put_on_ground`] is the general form (any owner and protection, shown with
//! Item_Add).

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use eo_protocol::Coords;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::server::{
    ItemAddServerPacket, ItemDropServerPacket, ItemGetServerPacket, ItemMapInfo,
    ItemRemoveServerPacket, ItemSpecServerPacket,
};
use eo_protocol::pubs::ItemSpecial;
use tokio::time::Instant;

use super::actor::{MapActor, in_range};

use crate::config::MAX_MOVED_AMOUNT;

/// The coordinates the official client sends when an item is dropped with the button: "where
/// the character stands".
const DROP_HERE: u8 = 255;

/// One pile on the ground.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GroundItem {
    pub id: u16,
    pub amount: u32,
    pub x: u8,
    pub y: u8,
    /// The player who alone may take it until `protected_until` (0: nobody).
    pub owner: u16,
    pub protected_until: Instant,
    /// When it vanishes, if ever.
    pub expires_at: Option<Instant>,
    /// The order it was put down in (the oldest makes room at the map's cap).
    pub placed: u64,
}

/// The items on one map's ground, by their index (uid).
#[derive(Debug, Default)]
pub(super) struct Ground {
    items: BTreeMap<u16, GroundItem>,
    next_uid: u16,
    placed: u64,
    /// `(expires_at, uid)` in the order items were put down, which is also the order they
    /// expire in (every item lies for the same time). An entry whose item is gone (taken, or
    /// its index reused) is skipped when its time comes.
    expiries: VecDeque<(Instant, u16)>,
}

impl Ground {
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// The indexes of the piles on tile (x, y), oldest first.
    pub(super) fn uids_at(&self, x: u8, y: u8) -> Vec<u16> {
        let mut piles: Vec<(u64, u16)> = self
            .items
            .iter()
            .filter(|(_, item)| (item.x, item.y) == (x, y))
            .map(|(uid, item)| (item.placed, *uid))
            .collect();
        piles.sort_unstable();
        piles.into_iter().map(|(_, uid)| uid).collect()
    }

    /// Keeps only the piles whose tile `keep` accepts (`remap`: a tile the new map blocks or
    /// lacks); how many went.
    pub(super) fn retain_tiles(&mut self, keep: impl Fn(u8, u8) -> bool) -> usize {
        let before = self.items.len();
        self.items.retain(|_, item| keep(item.x, item.y));
        before - self.items.len()
    }

    /// A free index (1 to 64,008, as EO shorts allow), or `None` if all are taken.
    fn free_uid(&mut self) -> Option<u16> {
        for _ in 0..=crate::config::MAX_GROUND_ITEMS {
            self.next_uid = if self.next_uid >= 64_008 {
                1
            } else {
                self.next_uid + 1
            };
            if !self.items.contains_key(&self.next_uid) {
                return Some(self.next_uid);
            }
        }
        None
    }

    /// The next time an item may expire.
    pub(super) fn next_expiry(&self) -> Option<Instant> {
        self.expiries.front().map(|(at, _)| *at)
    }

    fn insert(&mut self, uid: u16, mut item: GroundItem) {
        self.placed += 1;
        item.placed = self.placed;
        if let Some(at) = item.expires_at {
            self.expiries.push_back((at, uid));
        }
        self.items.insert(uid, item);
    }

    /// The index of the item put down first.
    fn oldest(&self) -> Option<u16> {
        self.items
            .iter()
            .min_by_key(|(_, item)| item.placed)
            .map(|(uid, _)| *uid)
    }

    /// The indexes of the items whose time is up at `now`.
    fn expired(&mut self, now: Instant) -> Vec<u16> {
        let mut expired = Vec::new();
        while let Some(&(at, uid)) = self.expiries.front() {
            if at > now {
                break;
            }
            self.expiries.pop_front();
            if self
                .items
                .get(&uid)
                .is_some_and(|i| i.expires_at == Some(at))
            {
                expired.push(uid);
            }
        }
        expired
    }

    /// The items in view of `at`, as the nearby lists carry them.
    pub(super) fn in_view(&self, at: (u16, u16)) -> Vec<ItemMapInfo> {
        self.items
            .iter()
            .filter(|(_, i)| in_range(at, (u16::from(i.x), u16::from(i.y))))
            .map(|(uid, i)| map_info(*uid, i))
            .collect()
    }

    /// The items in view of `to` that were not in view of `from` (after a step).
    pub(super) fn newly_in_view(&self, from: (u16, u16), to: (u16, u16)) -> Vec<ItemMapInfo> {
        self.items
            .iter()
            .filter(|(_, i)| {
                let at = (u16::from(i.x), u16::from(i.y));
                in_range(to, at) && !in_range(from, at)
            })
            .map(|(uid, i)| map_info(*uid, i))
            .collect()
    }
}

fn map_info(uid: u16, item: &GroundItem) -> ItemMapInfo {
    ItemMapInfo {
        uid,
        id: item.id,
        coords: Coords {
            x: item.x,
            y: item.y,
        },
        amount: item.amount,
    }
}

fn distance(a: (u16, u16), b: (u16, u16)) -> u32 {
    u32::from(a.0.abs_diff(b.0)) + u32::from(a.1.abs_diff(b.1))
}

impl MapActor {
    /// Puts an NPC's drop on the ground at (x, y), for its killer alone for
    /// `items.drop_protect_npc_secs`. It is not shown here: the kill packet (Npc_Spec) carries
    /// it to everyone who sees the NPC die. Returns its index and the amount laid down.
    pub(super) fn drop_npc_loot(
        &mut self,
        id: u16,
        amount: u32,
        at: (u8, u8),
        killer: u16,
    ) -> Option<(u16, u32)> {
        let protection = self.config.items.drop_protect_npc();
        let amount = amount.min(MAX_MOVED_AMOUNT);
        let uid = self.lay_on_ground(id, amount, at, killer, protection)?;
        Some((uid, amount))
    }

    /// An operator's gift: `amount` of item `id` at the character's feet, protected for it as
    /// an NPC's drop is for its killer. Where it lies.
    pub(super) fn give(&mut self, player_id: u16, id: u16, amount: u32) -> Option<(u8, u8)> {
        let (x, y) = self.characters.get(&player_id)?.at();
        let at = (u8::try_from(x).ok()?, u8::try_from(y).ok()?);
        let protection = self.config.items.drop_protect_npc();
        self.put_on_ground(id, amount, at, player_id, protection, None)?;
        Some(at)
    }

    /// Puts `amount` of item `id` on the ground at (x, y), for `owner` alone (0: anyone) for
    /// `protection`, and shows it to everyone in view but `except`. The amount is cut to what
    /// one packet can carry. At the map's cap the oldest item makes room. Returns its index.
    pub(super) fn put_on_ground(
        &mut self,
        id: u16,
        amount: u32,
        (x, y): (u8, u8),
        owner: u16,
        protection: Duration,
        except: Option<u16>,
    ) -> Option<u16> {
        let amount = amount.min(MAX_MOVED_AMOUNT);
        let uid = self.lay_on_ground(id, amount, (x, y), owner, protection)?;
        if let Some(body) = self.encode(&ItemAddServerPacket {
            item_id: id,
            item_index: uid,
            item_amount: amount,
            coords: Coords { x, y },
        }) {
            self.send_near((u16::from(x), u16::from(y)), except, &body);
        }
        Some(uid)
    }

    /// Puts a pile on the ground without showing it (at the map's cap the oldest item makes
    /// room, and that is shown). Returns its index.
    pub(super) fn lay_on_ground(
        &mut self,
        id: u16,
        amount: u32,
        (x, y): (u8, u8),
        owner: u16,
        protection: Duration,
    ) -> Option<u16> {
        if amount == 0 || self.item_record(id).is_none() {
            return None;
        }
        let cap = usize::try_from(self.config.items.max_ground_items).unwrap_or(usize::MAX);
        while self.ground.len() >= cap {
            let oldest = self.ground.oldest()?;
            self.remove_from_ground(oldest);
        }
        let uid = self.ground.free_uid()?;
        let now = Instant::now();
        self.ground.insert(
            uid,
            GroundItem {
                id,
                amount,
                x,
                y,
                owner,
                protected_until: now + protection,
                expires_at: self
                    .config
                    .items
                    .ground_item_time()
                    .and_then(|t| now.checked_add(t)),
                placed: 0,
            },
        );
        Some(uid)
    }

    /// Takes a pile off the ground and tells everyone in view.
    pub(super) fn remove_from_ground(&mut self, uid: u16) {
        let Some(item) = self.ground.items.remove(&uid) else {
            return;
        };
        if let Some(body) = self.encode(&ItemRemoveServerPacket { item_index: uid }) {
            self.send_near((u16::from(item.x), u16::from(item.y)), None, &body);
        }
    }

    /// Removes the items whose time is up.
    pub(super) fn expire_items(&mut self) {
        for uid in self.ground.expired(Instant::now()) {
            self.remove_from_ground(uid);
        }
    }

    /// Item_Drop: from the inventory to the ground, on a walkable tile within the drop
    /// distance, protected for the dropper.
    pub(super) fn drop_item(&mut self, player_id: u16, item: ThreeItem, at: (u8, u8)) {
        let items = &self.config.items;
        if item.amount == 0 || item.amount > items.max_drop_amount {
            return;
        }
        let Some(record) = self.item_record(item.id) else {
            return;
        };
        if record.special == ItemSpecial::Lore {
            return;
        }
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let here = me.at();
        let (x, y) = if at == (DROP_HERE, DROP_HERE) {
            (
                u8::try_from(here.0).unwrap_or(0),
                u8::try_from(here.1).unwrap_or(0),
            )
        } else {
            // The client sends these as encoded EO chars (the value plus one).
            let decode = |b: u8| u8::try_from(eo_protocol::number::decode_number(&[b])).ok();
            match (decode(at.0), decode(at.1)) {
                (Some(x), Some(y)) => (x, y),
                _ => return,
            }
        };
        let spot = (u16::from(x), u16::from(y));
        let walkable = self.map().is_some_and(|m| m.is_walkable(x, y));
        let full =
            self.ground.len() >= usize::try_from(items.max_ground_items).unwrap_or(usize::MAX);
        if !walkable || full || distance(here, spot) > u32::from(items.drop_distance) {
            return;
        }
        let protection = items.drop_protect_player();
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let dropped = me.game.remove_item(item.id, item.amount, &data);
        if dropped == 0 {
            return;
        }
        let remaining = me.game.amount_of(item.id);
        let weight = me.game.weight_packet();
        let Some(uid) = self.put_on_ground(
            item.id,
            dropped,
            (x, y),
            player_id,
            protection,
            Some(player_id),
        ) else {
            // No room after all: give it back.
            if let Some(me) = self.characters.get_mut(&player_id) {
                me.game.add_item(item.id, dropped, &data);
            }
            return;
        };
        let reply = self.encode(&ItemDropServerPacket {
            dropped_item: ThreeItem {
                id: item.id,
                amount: dropped,
            },
            remaining_amount: remaining,
            item_index: uid,
            coords: Coords { x, y },
            weight,
        });
        self.send_to(player_id, reply);
    }

    /// Item_Get: from the ground to the inventory, within the drop distance, if not protected
    /// for another player, as much as the character can carry.
    pub(super) fn get_item(&mut self, player_id: u16, uid: u16) {
        let Some(pile) = self.ground.items.get(&uid).cloned() else {
            return;
        };
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let spot = (u16::from(pile.x), u16::from(pile.y));
        if distance(me.at(), spot) > u32::from(self.config.items.drop_distance) {
            return;
        }
        if pile.owner != 0 && pile.owner != player_id && Instant::now() < pile.protected_until {
            let body = self.encode(&ItemSpecServerPacket);
            self.send_to(player_id, body);
            return;
        }
        let items = &self.config.items;
        let data = std::sync::Arc::clone(&self.data);
        let can = me.game.can_take(
            pile.id,
            pile.amount,
            items.max_item_amount,
            !items.enforce_weight,
            &data,
        );
        if can == 0 {
            return;
        }
        // Off the ground first, then into the inventory: a panic in between loses the pile
        // rather than doubling it.
        let left = pile.amount.saturating_sub(can);
        if left == 0 {
            self.ground.items.remove(&uid);
        } else if let Some(rest) = self.ground.items.get_mut(&uid) {
            rest.amount = left;
        }
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let taken = me.game.add_item(pile.id, can, &data);
        let weight = me.game.weight_packet();
        let reply = self.encode(&ItemGetServerPacket {
            taken_item_index: uid,
            taken_item: ThreeItem {
                id: pile.id,
                amount: taken,
            },
            weight,
        });
        self.send_to(player_id, reply);
        // The others see the pile go; what is left of it comes back for everyone.
        if let Some(body) = self.encode(&ItemRemoveServerPacket { item_index: uid }) {
            self.send_near(spot, Some(player_id), &body);
        }
        if left > 0
            && let Some(body) = self.encode(&ItemAddServerPacket {
                item_id: pile.id,
                item_index: uid,
                item_amount: left,
                coords: Coords {
                    x: pile.x,
                    y: pile.y,
                },
            })
        {
            self.send_near(spot, None, &body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pile(expires_at: Option<Instant>) -> GroundItem {
        GroundItem {
            id: 1,
            amount: 1,
            x: 0,
            y: 0,
            owner: 0,
            protected_until: Instant::now(),
            expires_at,
            placed: 0,
        }
    }

    #[test]
    fn the_ground_expires_in_order_and_skips_what_is_gone() {
        let mut ground = Ground::default();
        let t0 = Instant::now();
        let later = |s| t0 + Duration::from_secs(s);
        let a = ground.free_uid().unwrap();
        ground.insert(a, pile(Some(later(1))));
        let b = ground.free_uid().unwrap();
        ground.insert(b, pile(Some(later(2))));
        let c = ground.free_uid().unwrap();
        ground.insert(c, pile(None));
        assert_ne!(a, b);
        assert_eq!(ground.next_expiry(), Some(later(1)));
        assert_eq!(ground.oldest(), Some(a));
        // `a` is picked up before its time: nothing expires for it.
        ground.items.remove(&a);
        assert_eq!(ground.expired(later(1)), Vec::<u16>::new());
        assert_eq!(ground.next_expiry(), Some(later(2)));
        assert_eq!(ground.expired(later(5)), vec![b]);
        assert_eq!(ground.next_expiry(), None);
        assert_eq!(ground.oldest(), Some(b), "b is still there until removed");
    }

    #[test]
    fn indexes_wrap_and_skip_those_in_use() {
        let mut ground = Ground {
            next_uid: 64_007,
            ..Ground::default()
        };
        ground.insert(1, pile(None));
        assert_eq!(ground.free_uid(), Some(64_008));
        assert_eq!(ground.free_uid(), Some(2), "1 is taken");
    }
}
