//! Who is near whom on one map. Characters are bucketed by square cells of [`CELL`] tiles, so
//! a broadcast or a nearby list looks only at the cells around the event instead of at every
//! character on the map, and each occupied tile has a count, so a walk's "someone stands
//! there" is one lookup. The map actor keeps it in step with every position it changes
//! (entering, leaving, walking, sitting on a chair).
//!
//! With 2,000 bots on one map a walk scanned all 2,000 characters twice (who blocks the tile,
//! who sees the step): 6% of the server's time in a profile; with the index it looks at the
//! few dozen in the cells around the step.

use std::collections::HashMap;

/// The side of a cell, in tiles. A see distance of 11 covers at most four cells each way.
pub const CELL: u16 = 8;

type Tile = (u16, u16);

#[derive(Debug, Default)]
pub struct Visibility {
    /// Who is in each cell, and on which tile: the range check of a broadcast reads the tile
    /// here instead of each candidate's character (hundreds of bytes each, a cache miss apiece
    /// under 5,000 players), and most candidates of the square around the diamond fail it.
    cells: HashMap<(u16, u16), Vec<(u16, Tile)>>,
    tiles: HashMap<Tile, u16>,
}

fn cell_of(at: Tile) -> (u16, u16) {
    (at.0 / CELL, at.1 / CELL)
}

impl Visibility {
    /// `player_id` now stands at `at`.
    pub fn insert(&mut self, player_id: u16, at: Tile) {
        self.cells
            .entry(cell_of(at))
            .or_default()
            .push((player_id, at));
        *self.tiles.entry(at).or_insert(0) += 1;
    }

    /// `player_id`, which stood at `at`, is gone.
    pub fn remove(&mut self, player_id: u16, at: Tile) {
        let cell = cell_of(at);
        if let Some(ids) = self.cells.get_mut(&cell) {
            if let Some(i) = ids.iter().position(|(id, _)| *id == player_id) {
                ids.swap_remove(i);
            }
            if ids.is_empty() {
                self.cells.remove(&cell);
            }
        }
        if let Some(count) = self.tiles.get_mut(&at) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.tiles.remove(&at);
            }
        }
    }

    /// `player_id` moved from `from` to `to`.
    pub fn moved(&mut self, player_id: u16, from: Tile, to: Tile) {
        self.remove(player_id, from);
        self.insert(player_id, to);
    }

    /// Whether anyone stands on `at`.
    pub fn occupied(&self, at: Tile) -> bool {
        self.tiles.contains_key(&at)
    }

    /// Who stands on `at` (nobody, without a look at any cell, when the tile is free).
    pub fn on_tile(&self, at: Tile) -> impl Iterator<Item = u16> + '_ {
        self.occupied(at)
            .then(|| self.around(at, 0))
            .into_iter()
            .flatten()
            .filter(move |(_, tile)| *tile == at)
            .map(|(id, _)| id)
    }

    /// Everyone who may be within `distance` steps of `at`, with the tile each stands on: the
    /// characters of the cells that the square around the diamond touches (callers check the
    /// real distance).
    pub fn around(&self, at: Tile, distance: u16) -> impl Iterator<Item = (u16, Tile)> + '_ {
        let (low_x, low_y) =
            cell_of((at.0.saturating_sub(distance), at.1.saturating_sub(distance)));
        let (high_x, high_y) =
            cell_of((at.0.saturating_add(distance), at.1.saturating_add(distance)));
        (low_y..=high_y)
            .flat_map(move |y| (low_x..=high_x).map(move |x| (x, y)))
            .filter_map(|cell| self.cells.get(&cell))
            .flatten()
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn around(index: &Visibility, at: Tile, distance: u16) -> Vec<u16> {
        let mut ids: Vec<u16> = index.around(at, distance).map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn around_finds_everyone_in_range_and_skips_far_cells() {
        let mut index = Visibility::default();
        index.insert(1, (10, 10));
        index.insert(2, (21, 10)); // 11 steps east
        index.insert(3, (0, 0));
        index.insert(4, (100, 100));
        let near = around(&index, (10, 10), 11);
        assert!(near.contains(&1) && near.contains(&2) && near.contains(&3));
        assert!(!near.contains(&4));
        assert_eq!(around(&index, (100, 100), 0), [4]);
        // At the map's origin the square is clipped, not wrapped.
        assert_eq!(around(&index, (0, 0), 3), [3]);
    }

    #[test]
    fn tiles_and_cells_follow_moves_and_removals() {
        let mut index = Visibility::default();
        index.insert(1, (7, 7));
        index.insert(2, (7, 7));
        assert!(index.occupied((7, 7)));
        index.moved(1, (7, 7), (8, 7)); // into the next cell
        assert!(index.occupied((7, 7)) && index.occupied((8, 7)));
        index.remove(2, (7, 7));
        assert!(!index.occupied((7, 7)));
        assert_eq!(around(&index, (8, 7), 0), [1]);
        assert_eq!(index.on_tile((8, 7)).collect::<Vec<_>>(), [1]);
        // (7, 7) shares a cell with nobody now, (9, 7) shares one with 1 but is free.
        assert_eq!(index.on_tile((7, 7)).count(), 0);
        assert_eq!(index.on_tile((9, 7)).count(), 0);
        index.remove(1, (8, 7));
        assert!(index.cells.is_empty() && index.tiles.is_empty());
        // Removing what is not there changes nothing.
        index.remove(9, (1, 1));
        assert!(index.cells.is_empty());
    }
}
