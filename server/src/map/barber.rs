//! The barber (ENF type Barber): Barber_Open, then Barber_Buy with a hair style and colour,
//! for `[barber]` gold; the others in view see the new look.

use eo_protocol::net::client::{BarberBuyClientPacket, BarberOpenClientPacket, ClientPacket};
use eo_protocol::net::server::{
    AvatarChange, AvatarChangeChangeTypeData, AvatarChangeChangeTypeDataHair, AvatarChangeType,
    BarberAgreeServerPacket, BarberOpenServerPacket,
};

use super::GOLD;
use super::actor::MapActor;
use super::services::Service;
use crate::rules::look;

impl MapActor {
    /// Barber_Open and Barber_Buy.
    pub(super) fn barber(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::BarberOpen(open) => self.barber_open(player_id, &open),
            ClientPacket::BarberBuy(buy) => self.barber_buy(player_id, &buy),
            _ => {}
        }
    }

    fn barber_open(&mut self, player_id: u16, open: &BarberOpenClientPacket) {
        let Ok(npc_index) = u8::try_from(open.npc_index) else {
            return;
        };
        let Some(opened) = self.start_service(player_id, npc_index, Service::Barber) else {
            return;
        };
        let body = self.encode(&BarberOpenServerPacket {
            session_id: u32::from(opened.session),
        });
        self.send_to(player_id, body);
    }

    /// A new style and colour, if the barber is open, they are ones the client offers, they
    /// change something, and the character has the gold.
    fn barber_buy(&mut self, player_id: u16, buy: &BarberBuyClientPacket) {
        let (style, color) = (buy.hair_style, buy.hair_color);
        if self
            .open_service(player_id, Service::Barber, Some(buy.session_id))
            .is_none()
            || !look::valid_hair(u16::from(style), u16::from(color))
        {
            return;
        }
        let data = std::sync::Arc::clone(&self.data);
        let barber = &self.config.barber;
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let state = me.game.state();
        let Some(cost) = barber.cost(state.level) else {
            return;
        };
        if (state.hair_style, state.hair_color) == (style, color) || state.amount_of(GOLD) < cost {
            return;
        }
        if me.game.remove_item(GOLD, cost, &data) != cost {
            return;
        }
        me.game.update(&data, |state| {
            state.hair_style = style;
            state.hair_color = color;
        });
        let gold_amount = me.game.amount_of(GOLD);
        let change = AvatarChange {
            player_id,
            change_type: AvatarChangeType::Hair,
            sound: false,
            change_type_data: Some(AvatarChangeChangeTypeData::Hair(
                AvatarChangeChangeTypeDataHair {
                    hair_style: style,
                    hair_color: color,
                },
            )),
        };
        let body = self.encode(&BarberAgreeServerPacket {
            gold_amount,
            change: change.clone(),
        });
        self.send_to(player_id, body);
        self.show_avatar(player_id, change);
    }
}
