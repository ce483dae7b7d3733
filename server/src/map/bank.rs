//! The bank (ENF type Bank): Bank_Open at a banker, then Bank_Add (deposit) and Bank_Take
//! (withdraw) gold, and Locker_Buy (a locker upgrade). The bank's gold and the upgrades are
//! part of the character's game state, saved with it.
//!
//! Every amount is taken whole or not at all: a deposit needs the gold held and room under
//! `[bank] max_gold`; a withdrawal needs the gold in the bank and room in the inventory (the
//! weight, if enforced, and `[items] max_item_amount`). Gold leaves one place before it
//! reaches the other.

use eo_protocol::net::client::{BankAddClientPacket, BankTakeClientPacket, ClientPacket};
use eo_protocol::net::server::{
    BankOpenServerPacket, BankReplyServerPacket, LockerBuyServerPacket,
};

use super::GOLD;
use super::actor::MapActor;
use super::services::Service;

impl MapActor {
    /// Bank_Open, Bank_Add, Bank_Take and Locker_Buy.
    pub(super) fn bank(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::BankOpen(open) => self.bank_open(player_id, open.npc_index),
            ClientPacket::BankAdd(add) => self.bank_deposit(player_id, &add),
            ClientPacket::BankTake(take) => self.bank_withdraw(player_id, &take),
            ClientPacket::LockerBuy(_) => self.buy_locker_upgrade(player_id),
            _ => {}
        }
    }

    fn bank_open(&mut self, player_id: u16, npc_index: u16) {
        let Ok(npc_index) = u8::try_from(npc_index) else {
            return;
        };
        let Some(opened) = self.start_service(player_id, npc_index, Service::Bank) else {
            return;
        };
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let state = me.game.state();
        let body = self.encode(&BankOpenServerPacket {
            gold_bank: state.gold_bank,
            session_id: u32::from(opened.session),
            locker_upgrades: state.bank_level,
        });
        self.send_to(player_id, body);
    }

    /// Bank_Reply: the gold held and banked now.
    fn bank_reply(&self, player_id: u16) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let body = self.encode(&BankReplyServerPacket {
            gold_inventory: me.game.amount_of(GOLD),
            gold_bank: me.game.state().gold_bank,
        });
        self.send_to(player_id, body);
    }

    fn bank_deposit(&mut self, player_id: u16, add: &BankAddClientPacket) {
        let amount = add.amount;
        if amount == 0
            || self
                .open_service(player_id, Service::Bank, Some(add.session_id))
                .is_none()
        {
            return;
        }
        let max_gold = self.config.bank.max_gold;
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let banked = me.game.state().gold_bank;
        let Some(total) = banked.checked_add(amount).filter(|t| *t <= max_gold) else {
            return;
        };
        if me.game.amount_of(GOLD) < amount {
            return;
        }
        // Out of the inventory first, then into the bank.
        if me.game.remove_item(GOLD, amount, &data) != amount {
            return;
        }
        me.game.update(&data, |state| state.gold_bank = total);
        self.bank_reply(player_id);
    }

    fn bank_withdraw(&mut self, player_id: u16, take: &BankTakeClientPacket) {
        let amount = take.amount;
        if amount == 0
            || self
                .open_service(player_id, Service::Bank, Some(take.session_id))
                .is_none()
        {
            return;
        }
        let items = &self.config.items;
        let (max_item_amount, ignore_weight) = (items.max_item_amount, !items.enforce_weight);
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let Some(left) = me.game.state().gold_bank.checked_sub(amount) else {
            return;
        };
        if me
            .game
            .can_take(GOLD, amount, max_item_amount, ignore_weight, &data)
            < amount
        {
            return;
        }
        // Out of the bank first, then into the inventory.
        me.game.update(&data, |state| state.gold_bank = left);
        me.game.add_item(GOLD, amount, &data);
        self.bank_reply(player_id);
    }

    /// Locker_Buy: one more locker upgrade, for `[bank] upgrade_base + upgrade_step *
    /// upgrades` gold, while the bank is open and the character has fewer than
    /// `max_upgrades`.
    fn buy_locker_upgrade(&mut self, player_id: u16) {
        // Locker_Buy carries no session: the open bank is enough.
        if self.open_service(player_id, Service::Bank, None).is_none() {
            return;
        }
        let bank = &self.config.bank;
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let upgrades = me.game.state().bank_level;
        let Some(cost) = bank.upgrade_cost(upgrades) else {
            return;
        };
        if me.game.amount_of(GOLD) < cost || me.game.remove_item(GOLD, cost, &data) != cost {
            return;
        }
        let upgrades = upgrades.saturating_add(1);
        me.game.update(&data, |state| state.bank_level = upgrades);
        let gold_amount = me.game.amount_of(GOLD);
        let body = self.encode(&LockerBuyServerPacket {
            gold_amount,
            locker_upgrades: upgrades,
        });
        self.send_to(player_id, body);
    }
}
