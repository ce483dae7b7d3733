//! Trades between two players on one map. The map owns them, as it owns everything an item
//! moves through: both characters, their inventories and the open trades are the map's, so a
//! trade is decided by one owner, one packet at a time.
//!
//! 1. Trade_Request names a player on the map, visible and within the see distance, not the
//!    asker; neither of the two may be trading. That player gets Trade_Request. A request waits
//!    until it is answered, the asker asks someone else, or either leaves the map.
//! 2. Trade_Accept, from the player asked, naming the asker (still here, in range, neither
//!    trading): both get Trade_Open and the trade is open.
//! 3. Trade_Add offers an item: known, not Lore, not in `[trade] protected_items`, an amount of
//!    1 to `[trade] max_amount` and no more than the character holds, and at most
//!    [`MAX_OFFERED_ITEMS`] different items; offering an item again replaces its amount.
//!    Trade_Remove takes an offered item back. Any change withdraws both agreements: the one who
//!    changed gets Trade_Reply with both offers, its partner Trade_Admin if it had agreed (the
//!    protocol's "changed after you agreed"), else Trade_Reply.
//! 4. Trade_Agree true, with something offered: the agreer gets Trade_Spec, its partner
//!    Trade_Agree. Trade_Agree false withdraws the agreement the same way.
//! 5. When both have agreed the offers are swapped (swap.rs): both inventories change or
//!    neither does. Done, both get Trade_Use and show the Trade emote, the trade ends, and both
//!    characters are queued for saving together at once (map/persistence.rs). Refused (a side
//!    no longer holds its offer, or could not hold or carry what it gets), nothing moves, both
//!    agreements are withdrawn (Trade_Spec and Trade_Agree false to both), both are told why
//!    (Talk_Server), and the trade stays open.
//! 6. Trade_Close from either side ends the trade; the other gets Trade_Close. A trade also
//!    ends, with Trade_Close to both, when one of the two leaves the map (a warp, a logout, a
//!    dropped connection) or either moves out of the other's see distance. Nothing moves.
//!
//! While a trade is open the traders use no NPC service, locker, chest or jukebox (every map
//! packet but the trade's own, doors, the book and bard notes is ignored), and drop, junk,
//! use or equip nothing, as EOSERV refuses them; so an offer can only grow in the inventory
//! behind it. The swap checks it all the same.

mod swap;

use std::collections::HashMap;

use eo_protocol::Emote;
use eo_protocol::net::Item;
use eo_protocol::net::client::ClientPacket;
use eo_protocol::net::server::{
    EmotePlayerServerPacket, TalkServerServerPacket, TradeAdminServerPacket,
    TradeAgreeServerPacket, TradeCloseServerPacket, TradeItemData, TradeOpenServerPacket,
    TradeReplyServerPacket, TradeRequestServerPacket, TradeSpecServerPacket, TradeUseServerPacket,
};
use eo_protocol::pubs::ItemSpecial;

use super::actor::{ItemAction, MapActor, in_range};
use crate::rules::stats;
use swap::Offer;

/// The most different items one side may offer: the official client's trade window holds
/// ten (EOSERV's limit too).
pub(super) const MAX_OFFERED_ITEMS: usize = 10;

/// One player's side of an open trade.
#[derive(Debug, Clone, Default)]
struct Side {
    partner: u16,
    offer: Offer,
    agreed: bool,
}

/// The map's trades: requests waiting for an answer, and the trades open.
#[derive(Debug, Default)]
pub(super) struct Trades {
    /// Who each asker asked last.
    requests: HashMap<u16, u16>,
    /// Each trader's side of its trade (both traders are keys).
    open: HashMap<u16, Side>,
}

impl Trades {
    pub(super) fn is_trading(&self, player_id: u16) -> bool {
        self.open.contains_key(&player_id)
    }

    fn partner(&self, player_id: u16) -> Option<u16> {
        self.open.get(&player_id).map(|side| side.partner)
    }

    /// Ends the trade of `player_id`; its partner, if it was trading.
    fn close(&mut self, player_id: u16) -> Option<u16> {
        let side = self.open.remove(&player_id)?;
        self.open.remove(&side.partner);
        Some(side.partner)
    }

    /// Withdraws both agreements of the trade of `player_id`; whether its partner had agreed.
    fn withdraw(&mut self, player_id: u16) -> bool {
        let Some(partner) = self.partner(player_id) else {
            return false;
        };
        if let Some(side) = self.open.get_mut(&player_id) {
            side.agreed = false;
        }
        self.open
            .get_mut(&partner)
            .is_some_and(|side| std::mem::replace(&mut side.agreed, false))
    }
}

impl MapActor {
    /// The Trade packets.
    pub(super) fn trade(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::TradeRequest(request) => self.trade_request(player_id, request.player_id),
            ClientPacket::TradeAccept(accept) => self.trade_accept(player_id, accept.player_id),
            ClientPacket::TradeAdd(add) => self.trade_add(player_id, add.add_item),
            ClientPacket::TradeRemove(remove) => self.trade_remove(player_id, remove.item_id),
            ClientPacket::TradeAgree(agree) => self.trade_agree(player_id, agree.agree),
            ClientPacket::TradeClose(_) => {
                if let Some(partner) = self.trades.close(player_id) {
                    let body = self.encode(&TradeCloseServerPacket {
                        partner_player_id: player_id,
                    });
                    self.send_to(partner, body);
                }
            }
            _ => {}
        }
    }

    /// Whether a map packet from `player_id` is refused because it is trading (see the module
    /// documentation). Whatever is not listed here is refused, so a feature added later cannot
    /// move an offered item by forgetting the rule.
    pub(super) fn refused_while_trading(&self, player_id: u16, packet: &ClientPacket) -> bool {
        self.trades.is_trading(player_id)
            && !matches!(
                packet,
                ClientPacket::TradeRequest(_)
                    | ClientPacket::TradeAccept(_)
                    | ClientPacket::TradeAdd(_)
                    | ClientPacket::TradeRemove(_)
                    | ClientPacket::TradeAgree(_)
                    | ClientPacket::TradeClose(_)
                    | ClientPacket::DoorOpen(_)
                    | ClientPacket::BookRequest(_)
                    | ClientPacket::JukeboxUse(_)
            )
    }

    /// Whether an item action of `player_id` is refused because it is trading: no drop, junk or
    /// equip, and no use of an item it has (a use of one it lacks is answered as ever, with
    /// Item_Agree, which tells the client it has none).
    pub(super) fn item_refused_while_trading(&self, player_id: u16, action: &ItemAction) -> bool {
        if !self.trades.is_trading(player_id) {
            return false;
        }
        match action {
            ItemAction::Drop { .. } | ItemAction::Junk { .. } | ItemAction::Equip { .. } => true,
            ItemAction::Use { item_id } => self
                .characters
                .get(&player_id)
                .is_some_and(|me| me.game.amount_of(*item_id) > 0),
            ItemAction::Get { .. }
            | ItemAction::Unequip { .. }
            | ItemAction::SpendStat { .. }
            | ItemAction::SpendSkill { .. } => false,
        }
    }

    /// The character leaves the map: its trade ends (Trade_Close to both) and the requests it
    /// made or was asked are forgotten.
    pub(super) fn trade_leave(&mut self, player_id: u16) {
        self.end_trade(player_id);
        self.trades
            .requests
            .retain(|asker, asked| *asker != player_id && *asked != player_id);
    }

    /// The character moved: its trade ends if its partner is out of its see distance.
    pub(super) fn trade_moved(&mut self, player_id: u16) {
        let Some(partner) = self.trades.partner(player_id) else {
            return;
        };
        if !self.near(player_id, partner) {
            self.end_trade(player_id);
        }
    }

    /// Whether both characters are on the map within each other's see distance.
    fn near(&self, a: u16, b: u16) -> bool {
        match (self.characters.get(&a), self.characters.get(&b)) {
            (Some(a), Some(b)) => in_range(a.at(), b.at()),
            _ => false,
        }
    }

    /// Ends the trade of `player_id` for a reason of the map's: Trade_Close to both sides.
    fn end_trade(&mut self, player_id: u16) {
        let Some(partner) = self.trades.close(player_id) else {
            return;
        };
        for (to, other) in [(player_id, partner), (partner, player_id)] {
            let body = self.encode(&TradeCloseServerPacket {
                partner_player_id: other,
            });
            self.send_to(to, body);
        }
    }

    fn trade_request(&mut self, player_id: u16, target: u16) {
        if target == player_id
            || self.trades.is_trading(player_id)
            || self.trades.is_trading(target)
            || !self.near(player_id, target)
        {
            return;
        }
        let (Some(me), Some(them)) = (
            self.characters.get(&player_id),
            self.characters.get(&target),
        ) else {
            return;
        };
        if them.info.invisible {
            return;
        }
        let body = self.encode(&TradeRequestServerPacket {
            partner_player_id: player_id,
            partner_player_name: me.info.name.clone(),
        });
        self.trades.requests.insert(player_id, target);
        self.send_to(target, body);
    }

    fn trade_accept(&mut self, player_id: u16, asker: u16) {
        if self.trades.requests.get(&asker) != Some(&player_id)
            || self.trades.is_trading(player_id)
            || self.trades.is_trading(asker)
            || !self.near(player_id, asker)
        {
            return;
        }
        let (Some(me), Some(them)) = (self.characters.get(&player_id), self.characters.get(&asker))
        else {
            return;
        };
        let (my_name, their_name) = (me.info.name.clone(), them.info.name.clone());
        self.trades.requests.remove(&asker);
        self.trades.requests.remove(&player_id);
        for (me, partner) in [(player_id, asker), (asker, player_id)] {
            self.trades.open.insert(
                me,
                Side {
                    partner,
                    ..Side::default()
                },
            );
        }
        for (to, partner, (own_name, partner_name)) in [
            (player_id, asker, (&my_name, &their_name)),
            (asker, player_id, (&their_name, &my_name)),
        ] {
            let body = self.encode(&TradeOpenServerPacket {
                partner_player_id: partner,
                partner_player_name: partner_name.clone(),
                your_player_id: to,
                your_player_name: own_name.clone(),
            });
            self.send_to(to, body);
        }
    }

    fn trade_add(&mut self, player_id: u16, item: Item) {
        let Some(side) = self.trades.open.get(&player_id) else {
            return;
        };
        let Some(record) = stats::item(&self.data.items.data, item.id) else {
            return;
        };
        let held = self
            .characters
            .get(&player_id)
            .map_or(0, |me| me.game.amount_of(item.id));
        let offered = side.offer.iter().any(|(id, _)| *id == item.id);
        if record.special == ItemSpecial::Lore
            || self.config.trade.protects(item.id)
            || item.amount == 0
            || item.amount > self.config.trade.max_amount
            || item.amount > held
            || (!offered && side.offer.len() >= MAX_OFFERED_ITEMS)
        {
            return;
        }
        let Some(side) = self.trades.open.get_mut(&player_id) else {
            return;
        };
        match side.offer.iter_mut().find(|(id, _)| *id == item.id) {
            Some(slot) => slot.1 = item.amount,
            None => side.offer.push((item.id, item.amount)),
        }
        self.offer_changed(player_id);
    }

    fn trade_remove(&mut self, player_id: u16, item_id: u16) {
        let Some(side) = self.trades.open.get_mut(&player_id) else {
            return;
        };
        let before = side.offer.len();
        side.offer.retain(|(id, _)| *id != item_id);
        if side.offer.len() != before {
            self.offer_changed(player_id);
        }
    }

    /// Both offers as the trade packets carry them: `first`'s, then `second`'s.
    fn trade_data(&self, first: u16, second: u16) -> Vec<TradeItemData> {
        [first, second]
            .into_iter()
            .map(|player_id| TradeItemData {
                player_id,
                items: self
                    .trades
                    .open
                    .get(&player_id)
                    .map(|side| {
                        side.offer
                            .iter()
                            .map(|&(id, amount)| Item { id, amount })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The offer of `player_id` changed: both agreements are withdrawn and both sides shown
    /// the offers (the partner with Trade_Admin if it had agreed).
    fn offer_changed(&mut self, player_id: u16) {
        let Some(partner) = self.trades.partner(player_id) else {
            return;
        };
        let partner_had_agreed = self.trades.withdraw(player_id);
        let trade_data = self.trade_data(player_id, partner);
        let to_partner = if partner_had_agreed {
            self.encode(&TradeAdminServerPacket {
                trade_data: trade_data.clone(),
            })
        } else {
            self.encode(&TradeReplyServerPacket {
                trade_data: trade_data.clone(),
            })
        };
        let to_me = self.encode(&TradeReplyServerPacket { trade_data });
        self.send_to(player_id, to_me);
        self.send_to(partner, to_partner);
    }

    /// Tells `player_id` its own agreement and its partner the agreement of `player_id`.
    fn show_agreement(&self, player_id: u16, partner: u16, agree: bool) {
        let own = self.encode(&TradeSpecServerPacket { agree });
        self.send_to(player_id, own);
        let theirs = self.encode(&TradeAgreeServerPacket {
            partner_player_id: player_id,
            agree,
        });
        self.send_to(partner, theirs);
    }

    fn trade_agree(&mut self, player_id: u16, agree: bool) {
        let Some(side) = self.trades.open.get_mut(&player_id) else {
            return;
        };
        // Agreeing again, withdrawing what was not given, or agreeing to give nothing: nothing
        // to do.
        if side.agreed == agree || (agree && side.offer.is_empty()) {
            return;
        }
        side.agreed = agree;
        let partner = side.partner;
        let partner_agreed = self.trades.open.get(&partner).is_some_and(|s| s.agreed);
        if agree && partner_agreed {
            self.complete_trade(player_id, partner);
        } else {
            self.show_agreement(player_id, partner, agree);
        }
    }

    /// Both sides agreed: the swap, and the trade ends; or nothing moves and the trade stays
    /// open with both agreements withdrawn.
    fn complete_trade(&mut self, player_id: u16, partner: u16) {
        let offer = |id: u16| {
            self.trades
                .open
                .get(&id)
                .map(|side| side.offer.clone())
                .unwrap_or_default()
        };
        let (mine, theirs) = (offer(player_id), offer(partner));
        match self.swap((player_id, &mine), (partner, &theirs)) {
            Ok(()) => {
                // The partner agreed first: its offer is listed first, as EOSERV does.
                let body = self.encode(&TradeUseServerPacket {
                    trade_data: self.trade_data(partner, player_id),
                });
                self.trades.close(player_id);
                for to in [player_id, partner] {
                    self.send_to(to, body.clone());
                }
                for to in [player_id, partner] {
                    self.show_trade_emote(to);
                }
                // Both sides on disk together, now rather than at the next periodic save.
                self.save_holdings_changed();
            }
            Err((short, why)) => {
                tracing::debug!(
                    map = self.id,
                    player_id,
                    partner,
                    short,
                    ?why,
                    "a trade's swap was refused; nothing moved"
                );
                self.trades.withdraw(player_id);
                let name = self
                    .characters
                    .get(&short)
                    .map(|c| c.info.name.clone())
                    .unwrap_or_default();
                let told = self.encode(&TalkServerServerPacket {
                    message: format!("The trade was not made: {}", why.explain(&name)),
                });
                for (me, other) in [(player_id, partner), (partner, player_id)] {
                    self.show_agreement(me, other, false);
                    self.send_to(me, told.clone());
                }
            }
        }
    }

    /// The Trade emote of `player_id`, for it and those who see it.
    fn show_trade_emote(&self, player_id: u16) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        if let Some(body) = self.encode(&EmotePlayerServerPacket {
            player_id,
            emote: Emote::Trade,
        }) {
            me.player.send(body.clone());
            self.broadcast(me.at(), player_id, &body);
        }
    }
}
