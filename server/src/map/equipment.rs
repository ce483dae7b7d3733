//! Equipping and unequipping (Paperdoll_Add, Paperdoll_Remove): the rules are in
//! `rules/stats.rs`; here the character changes and those in range see its new look.

use eo_protocol::net::server::{
    AvatarAgreeServerPacket, AvatarChange, AvatarChangeChangeTypeData,
    AvatarChangeChangeTypeDataEquipment, AvatarChangeType, PaperdollAgreeServerPacket,
    PaperdollPingServerPacket, PaperdollRemoveServerPacket,
};
use eo_protocol::pubs::ItemSpecial;

use super::actor::MapActor;

use crate::config::MAX_MOVED_AMOUNT;
use crate::rules::stats::{self, EquipError, Slot};

impl MapActor {
    /// The avatar change others see when the visible equipment changed.
    pub(super) fn equipment_avatar(&self, player_id: u16) -> Option<AvatarChange> {
        let me = self.characters.get(&player_id)?;
        Some(AvatarChange {
            player_id,
            change_type: AvatarChangeType::Equipment,
            sound: false,
            change_type_data: Some(AvatarChangeChangeTypeData::Equipment(
                AvatarChangeChangeTypeDataEquipment {
                    equipment: me.game.visible_equipment(&self.data),
                },
            )),
        })
    }

    /// Shows an appearance change to the others in view (not if the character is hidden).
    pub(super) fn show_avatar(&mut self, player_id: u16, change: AvatarChange) {
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        me.game.sync_info(&mut me.info, &data);
        let at = me.at();
        if let Some(body) = self.encode(&AvatarAgreeServerPacket { change }) {
            self.broadcast(at, player_id, &body);
        }
    }

    /// Paperdoll_Add: puts on an item from the inventory.
    pub(super) fn equip(&mut self, player_id: u16, item_id: u16, sub_loc: u8) {
        let Some(record) = self.item_record(item_id).cloned() else {
            return;
        };
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        if me.game.amount_of(item_id) == 0 {
            return;
        }
        let state = me.game.state();
        let slot = match stats::can_equip(
            &record,
            sub_loc,
            state.level,
            state.class,
            state.gender,
            me.game.derived().stats,
            &state.equipment,
        ) {
            Ok(slot) => slot,
            Err(EquipError::WrongClass) => {
                let body = self.encode(&PaperdollPingServerPacket {
                    class_id: state.class,
                });
                self.send_to(player_id, body);
                return;
            }
            Err(_) => return,
        };
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if me.game.remove_item(item_id, 1, &data) != 1 {
            return;
        }
        me.game
            .update(&data, |state| slot.set(&mut state.equipment, item_id));
        let remaining = me.game.amount_of(item_id);
        let stats = me.game.stats_equipment_change();
        let Some(change) = self.equipment_avatar(player_id) else {
            return;
        };
        let reply = self.encode(&PaperdollAgreeServerPacket {
            change: change.clone(),
            item_id,
            remaining_amount: remaining.min(MAX_MOVED_AMOUNT),
            sub_loc,
            stats,
        });
        self.send_to(player_id, reply);
        if slot.is_visible() {
            self.show_avatar(player_id, change);
        }
    }

    /// Paperdoll_Remove: takes off an item back into the inventory. Cursed items stay on.
    pub(super) fn unequip(&mut self, player_id: u16, item_id: u16, sub_loc: u8) {
        let Some(record) = self.item_record(item_id) else {
            return;
        };
        if record.special == ItemSpecial::Cursed {
            return;
        }
        let Some(slot) = Slot::of(record.r#type, sub_loc) else {
            return;
        };
        let max_amount = self.config.items.max_item_amount;
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if slot.get(&me.game.state().equipment) != item_id
            || me.game.amount_of(item_id) >= max_amount
        {
            return;
        }
        me.game
            .update(&data, |state| slot.set(&mut state.equipment, 0));
        me.game.add_item(item_id, 1, &data);
        let stats = me.game.stats_equipment_change();
        let Some(change) = self.equipment_avatar(player_id) else {
            return;
        };
        let reply = self.encode(&PaperdollRemoveServerPacket {
            change: change.clone(),
            item_id,
            sub_loc,
            stats,
        });
        self.send_to(player_id, reply);
        if slot.is_visible() {
            self.show_avatar(player_id, change);
        }
    }
}
