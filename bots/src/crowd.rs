//! Who stands where, as far as a bot can see: the official client does not walk into another
//! player, so neither does a bot. Kept from the nearby lists and the crowd's broadcasts
//! (appearing, walking, leaving); the server's refusal covers what a bot could not know.

use std::collections::HashMap;

use eo_protocol::net::server::NearbyInfo;

#[derive(Debug, Default)]
pub struct Crowd {
    at: HashMap<u16, (u8, u8)>,
    /// How many others stand on each occupied tile.
    tiles: HashMap<(u8, u8), u16>,
}

impl Crowd {
    /// Starts again from a nearby list (entering, a refresh, a warp), leaving out `me`.
    pub fn reset(&mut self, nearby: &NearbyInfo, me: u16) {
        self.at.clear();
        self.tiles.clear();
        self.seen(nearby, me);
    }

    /// Characters that came into view.
    pub fn seen(&mut self, nearby: &NearbyInfo, me: u16) {
        for c in &nearby.characters {
            if c.player_id != me
                && let (Ok(x), Ok(y)) = (u8::try_from(c.coords.x), u8::try_from(c.coords.y))
            {
                self.moved(c.player_id, x, y);
            }
        }
    }

    pub fn moved(&mut self, player_id: u16, x: u8, y: u8) {
        self.left(player_id);
        self.at.insert(player_id, (x, y));
        *self.tiles.entry((x, y)).or_insert(0) += 1;
    }

    pub fn left(&mut self, player_id: u16) {
        if let Some(tile) = self.at.remove(&player_id)
            && let Some(count) = self.tiles.get_mut(&tile)
        {
            *count -= 1;
            if *count == 0 {
                self.tiles.remove(&tile);
            }
        }
    }

    pub fn occupied(&self, x: u8, y: u8) -> bool {
        self.tiles.contains_key(&(x, y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_free_up_when_the_last_one_leaves() {
        let mut crowd = Crowd::default();
        crowd.moved(1, 5, 5);
        crowd.moved(2, 5, 5);
        crowd.moved(1, 6, 5);
        assert!(crowd.occupied(5, 5) && crowd.occupied(6, 5));
        crowd.left(2);
        assert!(!crowd.occupied(5, 5));
        crowd.left(9);
        assert!(crowd.occupied(6, 5));
    }
}
