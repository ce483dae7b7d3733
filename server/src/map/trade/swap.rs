//! The swap that completes a trade. Both sides are worked out before anything moves: each
//! still holds all it offered, no stack it receives passes `items.max_item_amount`, and (with
//! `items.enforce_weight`) neither ends up carrying more than it may. Only then do the items
//! move, taken from both sides before either is given anything, inside one event of the map
//! actor: no other packet runs in between, so both inventories change or neither does, and a
//! panic halfway can lose an offer but never double it. reoserv checks no weight and loses
//! whatever passes the stack limit; EOSERV checks neither.

use super::super::actor::{MapActor, OnMap};
use crate::rules::stats;

/// One side's offer: `(item id, amount)`, each id once, amounts 1 or more.
pub(super) type Offer = Vec<(u16, u32)>;

/// Why a side cannot take part in the swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shortfall {
    /// It no longer holds all it offered.
    Missing,
    /// A stack it would receive passes `items.max_item_amount`.
    StackFull,
    /// It could not carry what it would receive.
    TooHeavy,
}

impl Shortfall {
    /// What the players are told, about the character `name`.
    pub(super) fn explain(self, name: &str) -> String {
        match self {
            Shortfall::Missing => format!("{name} no longer has everything offered."),
            Shortfall::StackFull => format!("{name} cannot hold that many of an item."),
            Shortfall::TooHeavy => format!("{name} cannot carry that much."),
        }
    }
}

/// An inventory after it gives `gives` and gets `gets`: `Missing` if it lacks something it
/// gives, `StackFull` if a stack it gets would pass `max_item_amount` (a stack it gets none of
/// may stay above it, as the config may have been lowered).
pub(super) fn inventory_after(
    inventory: &[(u16, u32)],
    gives: &[(u16, u32)],
    gets: &[(u16, u32)],
    max_item_amount: u32,
) -> Result<Vec<(u16, u32)>, Shortfall> {
    let mut after = inventory.to_vec();
    for &(id, amount) in gives {
        let slot = after
            .iter_mut()
            .find(|(item, _)| *item == id)
            .ok_or(Shortfall::Missing)?;
        slot.1 = slot.1.checked_sub(amount).ok_or(Shortfall::Missing)?;
    }
    after.retain(|(_, amount)| *amount > 0);
    for &(id, amount) in gets.iter().filter(|(_, amount)| *amount > 0) {
        match after.iter_mut().find(|(item, _)| *item == id) {
            Some(slot) => {
                slot.1 = slot
                    .1
                    .checked_add(amount)
                    .filter(|total| *total <= max_item_amount)
                    .ok_or(Shortfall::StackFull)?;
            }
            None if amount <= max_item_amount => after.push((id, amount)),
            None => return Err(Shortfall::StackFull),
        }
    }
    Ok(after)
}

impl MapActor {
    /// Swaps the offers of `a` and `b` (see the module documentation), or moves nothing and
    /// says which side fell short, and why.
    pub(super) fn swap(
        &mut self,
        (a, offer_a): (u16, &Offer),
        (b, offer_b): (u16, &Offer),
    ) -> Result<(), (u16, Shortfall)> {
        let max = self.config.items.max_item_amount;
        for (me, gives, gets) in [(a, offer_a, offer_b), (b, offer_b, offer_a)] {
            let Some(side) = self.characters.get(&me) else {
                return Err((me, Shortfall::Missing));
            };
            let after = inventory_after(&side.game.state().inventory, gives, gets, max)
                .map_err(|why| (me, why))?;
            if self.config.items.enforce_weight && self.too_heavy(side, &after) {
                return Err((me, Shortfall::TooHeavy));
            }
        }
        let data = std::sync::Arc::clone(&self.data);
        // Taken from both, then given to both.
        for (me, gives) in [(a, offer_a), (b, offer_b)] {
            if let Some(side) = self.characters.get_mut(&me) {
                for &(id, amount) in gives {
                    side.game.remove_item(id, amount, &data);
                }
            }
        }
        for (me, gets) in [(a, offer_b), (b, offer_a)] {
            if let Some(side) = self.characters.get_mut(&me) {
                for &(id, amount) in gets {
                    side.game.add_item(id, amount, &data);
                }
            }
        }
        Ok(())
    }

    /// Whether `inventory` would have the character carry more than it may, and more than it
    /// carries now (a trade may lighten a character already over its limit).
    fn too_heavy(&self, side: &OnMap, inventory: &[(u16, u32)]) -> bool {
        let state = side.game.state();
        let weight = stats::weight(&self.data.items.data, inventory, &state.equipment);
        weight > u32::from(side.game.derived().max_weight) && weight > side.game.weight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_gives_what_it_offered_and_gets_the_other_offer() {
        let before = [(1, 500), (10, 3), (4, 1)];
        let after = inventory_after(&before, &[(1, 500), (4, 1)], &[(10, 2), (9, 1)], 1000);
        assert_eq!(after, Ok(vec![(10, 5), (9, 1)]));
        // The same item on both sides.
        let after = inventory_after(&before, &[(1, 100)], &[(1, 40)], 1000);
        assert_eq!(after, Ok(vec![(1, 440), (10, 3), (4, 1)]));
    }

    #[test]
    fn a_side_short_of_its_offer_or_past_a_stack_limit_falls_short() {
        let before = [(1, 500), (10, 3)];
        for gives in [vec![(1, 501)], vec![(9, 1)], vec![(10, 3), (10, 1)]] {
            assert_eq!(
                inventory_after(&before, &gives, &[(1, 1)], 1000),
                Err(Shortfall::Missing),
                "{gives:?}"
            );
        }
        assert_eq!(
            inventory_after(&before, &[], &[(1, 501)], 1000),
            Err(Shortfall::StackFull)
        );
        assert_eq!(
            inventory_after(&before, &[], &[(7, 1001)], 1000),
            Err(Shortfall::StackFull)
        );
        assert_eq!(
            inventory_after(&[(1, u32::MAX)], &[], &[(1, 1)], u32::MAX),
            Err(Shortfall::StackFull),
            "checked, never wrapped"
        );
        // Exactly at the limit is fine; a stack above it that receives nothing stays.
        assert_eq!(
            inventory_after(&[(1, 500), (10, 2000)], &[], &[(1, 500)], 1000),
            Ok(vec![(1, 1000), (10, 2000)])
        );
    }
}
