//! Shops (ENF type Shop; the records are in `data/shops.rs`): Shop_Open lists what the shop
//! sells, buys back and crafts; Shop_Buy trades gold for items, Shop_Sell items for gold, and
//! Shop_Create makes one item from its ingredients.
//!
//! Every packet after Shop_Open must echo its session, with the NPC still there and within
//! reach, and the shop's level and class limits still met; anything else changes nothing.
//! Amounts are cut to what the character can pay, carry and hold, and to the trade's cap;
//! arithmetic on them is done in 64 bits, and every move takes from the giver before it gives
//! (map/persistence.rs): no sequence of packets makes or loses gold or items.

use std::sync::Arc;

use eo_protocol::net::client::{
    ClientPacket, ShopBuyClientPacket, ShopCreateClientPacket, ShopOpenClientPacket,
    ShopSellClientPacket,
};
use eo_protocol::net::server::{
    ShopBuyServerPacket, ShopCraftItem, ShopCreateServerPacket, ShopOpenServerPacket,
    ShopSellServerPacket, ShopSoldItem, ShopTradeItem,
};
use eo_protocol::net::{CharItem, Item};

use super::actor::MapActor;
use super::services::Service;
use crate::data::{GOLD, shop_serves};

impl MapActor {
    /// Shop_Open, Shop_Buy, Shop_Sell and Shop_Create.
    pub(super) fn shop(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::ShopOpen(open) => self.shop_open(player_id, &open),
            ClientPacket::ShopBuy(buy) => self.shop_buy(player_id, &buy),
            ClientPacket::ShopSell(sell) => self.shop_sell(player_id, &sell),
            ClientPacket::ShopCreate(create) => self.shop_create(player_id, &create),
            _ => {}
        }
    }

    /// The behavior id of the shop the character has open with `session`, if the shop exists
    /// and serves the character as it is now.
    fn open_shop(&self, player_id: u16, session: Option<u32>) -> Option<u16> {
        let opened = self.open_service(player_id, Service::Shop, session)?;
        let shop = self.data.shops.get(opened.behavior_id)?;
        let state = self.characters.get(&player_id)?.game.state();
        shop_serves(shop, state.level, state.class).then_some(opened.behavior_id)
    }

    fn shop_open(&mut self, player_id: u16, open: &ShopOpenClientPacket) {
        let Ok(npc_index) = u8::try_from(open.npc_index) else {
            return;
        };
        let Some(opened) = self.start_service(player_id, npc_index, Service::Shop) else {
            return;
        };
        let data = Arc::clone(&self.data);
        let Some(shop) = self
            .open_shop(player_id, None)
            .and_then(|behavior_id| data.shops.get(behavior_id))
        else {
            // No shop for this NPC, or not for this character: nothing is open.
            self.end_service(player_id);
            return;
        };
        let limits = &self.config.shops;
        let body = self.encode(&ShopOpenServerPacket {
            session_id: opened.session,
            shop_name: shop.name.clone(),
            trade_items: shop
                .trades
                .iter()
                .map(|t| ShopTradeItem {
                    item_id: t.item_id,
                    buy_price: t.buy_price,
                    sell_price: t.sell_price,
                    max_buy_amount: limits.max_amount(t.max_amount),
                })
                .collect(),
            craft_items: shop
                .crafts
                .iter()
                .map(|c| ShopCraftItem {
                    item_id: c.item_id,
                    ingredients: c
                        .ingredients
                        .iter()
                        .map(|i| CharItem {
                            id: i.item_id,
                            amount: i.amount,
                        })
                        .collect(),
                })
                .collect(),
        });
        self.send_to(player_id, body);
    }

    /// Buys up to the amount asked of an item the shop sells: cut to the trade's cap and to
    /// what the character can pay, carry (`items.enforce_weight`) and hold
    /// (`items.max_item_amount`); nothing if that leaves none.
    fn shop_buy(&mut self, player_id: u16, buy: &ShopBuyClientPacket) {
        let (id, asked) = (buy.buy_item.id, buy.buy_item.amount);
        let items = &self.config.items;
        if asked == 0 || asked > items.max_item_amount {
            return;
        }
        let data = Arc::clone(&self.data);
        let Some(trade) = self
            .open_shop(player_id, Some(buy.session_id))
            .and_then(|behavior_id| data.shops.get(behavior_id))
            .and_then(|shop| {
                shop.trades
                    .iter()
                    .find(|t| t.item_id == id && t.buy_price > 0)
            })
        else {
            return;
        };
        let cap = u32::from(self.config.shops.max_amount(trade.max_amount));
        let (max_item_amount, ignore_weight) = (items.max_item_amount, !items.enforce_weight);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let affordable = me.game.amount_of(GOLD) / trade.buy_price;
        let carried = me
            .game
            .can_take(id, asked.min(cap), max_item_amount, ignore_weight, &data);
        let amount = carried.min(affordable);
        let Some(cost) = total_price(amount, trade.buy_price) else {
            return;
        };
        if amount == 0 {
            return;
        }
        // The gold first: a panic before the items are given loses the sale, never doubles it.
        if me.game.remove_item(GOLD, cost, &data) != cost {
            return;
        }
        let bought = me.game.add_item(id, amount, &data);
        let reply = ShopBuyServerPacket {
            gold_amount: me.game.amount_of(GOLD),
            bought_item: Item { id, amount: bought },
            weight: me.game.weight_packet(),
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
    }

    /// Sells up to the amount asked of an item the shop buys back: cut to the trade's cap, to
    /// what the character has, and so that its gold stays within `items.max_item_amount`
    /// (nothing sold is paid short); nothing if that leaves none.
    fn shop_sell(&mut self, player_id: u16, sell: &ShopSellClientPacket) {
        let (id, asked) = (sell.sell_item.id, sell.sell_item.amount);
        let max_item_amount = self.config.items.max_item_amount;
        if asked == 0 || asked > max_item_amount {
            return;
        }
        let data = Arc::clone(&self.data);
        let Some(trade) = self
            .open_shop(player_id, Some(sell.session_id))
            .and_then(|behavior_id| data.shops.get(behavior_id))
            .and_then(|shop| {
                shop.trades
                    .iter()
                    .find(|t| t.item_id == id && t.sell_price > 0)
            })
        else {
            return;
        };
        let cap = u32::from(self.config.shops.max_amount(trade.max_amount));
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let room = max_item_amount.saturating_sub(me.game.amount_of(GOLD));
        let amount = asked
            .min(cap)
            .min(me.game.amount_of(id))
            .min(room / trade.sell_price);
        let Some(paid) = total_price(amount, trade.sell_price) else {
            return;
        };
        if amount == 0 {
            return;
        }
        // The items first: a panic before the gold is given loses the sale, never doubles it.
        if me.game.remove_item(id, amount, &data) != amount {
            return;
        }
        me.game.add_item(GOLD, paid, &data);
        let reply = ShopSellServerPacket {
            sold_item: ShopSoldItem {
                amount: me.game.amount_of(id),
                id,
            },
            gold_amount: me.game.amount_of(GOLD),
            weight: me.game.weight_packet(),
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
    }

    /// Makes one of a craft the shop offers, if the character has every ingredient and can
    /// carry and hold the result once they are gone. The ingredients go and the item comes in
    /// one step: it is worked out on a copy of the character, which replaces it only whole.
    fn shop_create(&mut self, player_id: u16, create: &ShopCreateClientPacket) {
        let id = create.craft_item_id;
        let data = Arc::clone(&self.data);
        let Some(craft) = self
            .open_shop(player_id, Some(create.session_id))
            .and_then(|behavior_id| data.shops.get(behavior_id))
            .and_then(|shop| shop.crafts.iter().find(|c| c.item_id == id))
        else {
            return;
        };
        let items = &self.config.items;
        let (max_item_amount, ignore_weight) = (items.max_item_amount, !items.enforce_weight);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let mut after = me.game.clone();
        for ingredient in craft.ingredients.iter().filter(|i| i.item_id != 0) {
            let amount = u32::from(ingredient.amount);
            if after.remove_item(ingredient.item_id, amount, &data) != amount {
                return;
            }
        }
        if after.can_take(id, 1, max_item_amount, ignore_weight, &data) != 1
            || after.add_item(id, 1, &data) != 1
        {
            return;
        }
        me.game = after;
        let ingredients = craft
            .ingredients
            .iter()
            .map(|i| Item {
                id: i.item_id,
                amount: if i.item_id == 0 {
                    0
                } else {
                    me.game.amount_of(i.item_id)
                },
            })
            .collect();
        let reply = ShopCreateServerPacket {
            craft_item_id: id,
            weight: me.game.weight_packet(),
            ingredients,
        };
        let body = self.encode(&reply);
        self.send_to(player_id, body);
    }
}

/// `amount` at `price` each, if it fits an amount of gold (64-bit arithmetic, so a large
/// amount at a large price cannot wrap).
fn total_price(amount: u32, price: u32) -> Option<u32> {
    u32::try_from(u64::from(amount) * u64::from(price)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_price_never_wraps() {
        assert_eq!(total_price(3, 25), Some(75));
        assert_eq!(total_price(0, u32::MAX), Some(0));
        assert_eq!(total_price(u32::MAX, 2), None);
        assert_eq!(total_price(65_536, 65_536), None);
    }

    #[test]
    fn the_bundled_world_has_marlas_shop() {
        let data = crate::data::GameData::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world"),
        )
        .unwrap();
        let shop = data.shops.get(1).expect("Marla's shop");
        assert_eq!(shop.name, "Marla's Wares");
        assert!(shop.trades.iter().any(|t| t.item_id == 10));
        assert_eq!(shop.crafts.len(), 1);
    }
}
