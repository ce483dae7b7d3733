//! Lockers (BankVault tiles): each character's own locker, part of its game state and saved
//! with it, used from within one step of a vault. Locker_Open lists it; Locker_Add puts items
//! in (not gold, which goes to the bank); Locker_Take takes a whole stack out.
//!
//! A locker holds `[bank] base_size + size_step * upgrades` distinct items, each at most
//! `[bank] max_item_amount`. An item already stored is topped up even when the locker is full
//! (reoserv checks "full" first and refuses it); a new item in a full locker gets Locker_Spec.
//! Amounts are whole: an add needs the amount held and room for all of it, a take needs room
//! in the inventory for the whole stack. Items leave one place before they reach the other.
//!
//! Two characters at one vault each use their own locker; the map handles one packet at a
//! time, so nothing they do can meet.

use eo_protocol::Coords;
use eo_protocol::map::MapTileSpec;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::client::{ClientPacket, LockerAddClientPacket, LockerTakeClientPacket};
use eo_protocol::net::server::{
    LockerGetServerPacket, LockerOpenServerPacket, LockerReplyServerPacket, LockerSpecServerPacket,
};

use super::GOLD;
use super::actor::MapActor;
use super::character::GameState;
use super::objects::OpenObject;
use crate::rules::stats;

/// A locker's items as the locker packets list them.
fn listing(state: &GameState) -> Vec<ThreeItem> {
    state
        .locker
        .iter()
        .map(|&(id, amount)| ThreeItem { id, amount })
        .collect()
}

impl MapActor {
    /// Locker_Open, Locker_Add and Locker_Take.
    pub(super) fn locker(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::LockerOpen(open) => self.locker_open(player_id, open.locker_coords),
            ClientPacket::LockerAdd(add) => self.locker_add(player_id, &add),
            ClientPacket::LockerTake(take) => self.locker_take(player_id, &take),
            _ => {}
        }
    }

    fn locker_open(&mut self, player_id: u16, coords: Coords) {
        let at = (coords.x, coords.y);
        if !self.object_in_reach(player_id, at, MapTileSpec::BankVault) {
            return;
        }
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        me.object = Some(OpenObject::Locker(at.0, at.1));
        let locker_items = listing(me.game.state());
        let body = self.encode(&LockerOpenServerPacket {
            locker_coords: coords,
            locker_items,
        });
        self.send_to(player_id, body);
    }

    fn locker_add(&mut self, player_id: u16, add: &LockerAddClientPacket) {
        let at = (add.locker_coords.x, add.locker_coords.y);
        let ThreeItem { id, amount } = add.deposit_item;
        if id == GOLD
            || amount == 0
            || stats::item(&self.data.items.data, id).is_none()
            || !self.has_open(player_id, OpenObject::Locker(at.0, at.1))
        {
            return;
        }
        let bank = &self.config.bank;
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let state = me.game.state();
        if state.amount_of(id) < amount {
            return;
        }
        let stored = state
            .locker
            .iter()
            .find(|(item, _)| *item == id)
            .map(|(_, n)| *n);
        // A stored item is topped up whatever the locker's size; a new one needs a free place.
        let size = bank.locker_size(state.bank_level);
        if stored.is_none() && state.locker.len() >= usize::try_from(size).unwrap_or(usize::MAX) {
            let body = self.encode(&LockerSpecServerPacket {
                locker_max_items: u8::try_from(size).unwrap_or(u8::MAX),
            });
            self.send_to(player_id, body);
            return;
        }
        let Some(total) = stored
            .unwrap_or(0)
            .checked_add(amount)
            .filter(|t| *t <= bank.max_item_amount)
        else {
            return;
        };
        // Out of the inventory first, then into the locker.
        if me.game.remove_item(id, amount, &data) != amount {
            return;
        }
        me.game.update(&data, |state| {
            match state.locker.iter_mut().find(|(item, _)| *item == id) {
                Some(stack) => stack.1 = total,
                None => state.locker.push((id, total)),
            }
        });
        let reply = LockerReplyServerPacket {
            deposited_item: eo_protocol::net::Item {
                id,
                amount: me.game.amount_of(id),
            },
            weight: me.game.weight_packet(),
            locker_items: listing(me.game.state()),
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
    }

    fn locker_take(&mut self, player_id: u16, take: &LockerTakeClientPacket) {
        let at = (take.locker_coords.x, take.locker_coords.y);
        let id = take.take_item_id;
        if !self.has_open(player_id, OpenObject::Locker(at.0, at.1)) {
            return;
        }
        let items = &self.config.items;
        let (max_item_amount, ignore_weight) = (items.max_item_amount, !items.enforce_weight);
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let Some(amount) = me
            .game
            .state()
            .locker
            .iter()
            .find(|(item, _)| *item == id)
            .map(|(_, n)| *n)
        else {
            return;
        };
        if me
            .game
            .can_take(id, amount, max_item_amount, ignore_weight, &data)
            < amount
        {
            return;
        }
        // Out of the locker first, then into the inventory.
        me.game
            .update(&data, |state| state.locker.retain(|(item, _)| *item != id));
        me.game.add_item(id, amount, &data);
        let reply = LockerGetServerPacket {
            taken_item: ThreeItem { id, amount },
            weight: me.game.weight_packet(),
            locker_items: listing(me.game.state()),
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
    }
}
