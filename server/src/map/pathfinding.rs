//! Paths for chasing NPCs: an A* search on the map's grid, in the four directions EO walks,
//! bounded by the number of tiles it may explore so a far or walled-off target costs little.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};

use eo_protocol::Direction;

/// A tile of the map.
pub type Tile = (u8, u8);

/// The four directions, in the order neighbours are tried (ties go to the earlier one).
const DIRECTIONS: [Direction; 4] = [
    Direction::Up,
    Direction::Right,
    Direction::Down,
    Direction::Left,
];

/// Steps between two tiles (|dx| + |dy|).
pub fn distance(a: Tile, b: Tile) -> u32 {
    u32::from(a.0.abs_diff(b.0)) + u32::from(a.1.abs_diff(b.1))
}

/// The tile one step from `tile` in `direction`, if it is on the u8 grid.
pub fn step(tile: Tile, direction: Direction) -> Option<Tile> {
    let (x, y) = tile;
    match direction {
        Direction::Down => Some((x, y.checked_add(1)?)),
        Direction::Left => Some((x.checked_sub(1)?, y)),
        Direction::Up => Some((x, y.checked_sub(1)?)),
        Direction::Right => Some((x.checked_add(1)?, y)),
        Direction::Unrecognized(_) => None,
    }
}

/// The way to face from `from` to look at `to` (along the longer axis; down when equal).
pub fn facing(from: Tile, to: Tile) -> Direction {
    let dx = i32::from(to.0) - i32::from(from.0);
    let dy = i32::from(to.1) - i32::from(from.1);
    if dx.abs() > dy.abs() {
        if dx > 0 {
            Direction::Right
        } else {
            Direction::Left
        }
    } else if dy < 0 {
        Direction::Up
    } else {
        Direction::Down
    }
}

/// The first step from `from` on a shortest path to a tile next to `target` (where a melee
/// attacker stands), exploring at most `limit` tiles; `passable` says whether a tile may be
/// walked on (the target's own tile never is).
///
/// When no such tile is reached within the limit, the step leads towards the explored tile
/// nearest the target, if that is nearer than `from`. `None` when `from` is already next to
/// the target or no step brings it nearer.
pub fn step_towards(
    from: Tile,
    target: Tile,
    limit: u32,
    passable: impl Fn(Tile) -> bool,
) -> Option<Direction> {
    let remaining = |tile: Tile| distance(tile, target).saturating_sub(1);
    if remaining(from) == 0 {
        return None;
    }
    // Per tile: the cost to reach it and the first step taken from `from` to get there.
    let mut reached: HashMap<Tile, (u32, Option<Direction>)> = HashMap::new();
    // (estimated total, estimate left, insertion order) so ties are broken the same way
    // every time.
    let mut open = BinaryHeap::new();
    let mut order = 0u32;
    reached.insert(from, (0, None));
    open.push(Reverse((remaining(from), remaining(from), order, from)));
    let mut best = (remaining(from), 0, None);
    let mut explored = 0;
    while let Some(Reverse((_, left, _, tile))) = open.pop() {
        let Some(&(cost, first)) = reached.get(&tile) else {
            continue;
        };
        if left == 0 {
            return first;
        }
        if (left, cost) < (best.0, best.1) {
            best = (left, cost, first);
        }
        explored += 1;
        if explored >= limit {
            break;
        }
        for direction in DIRECTIONS {
            let Some(next) = step(tile, direction) else {
                continue;
            };
            if next == target || !passable(next) {
                continue;
            }
            let next_cost = cost + 1;
            let first = first.or(Some(direction));
            match reached.entry(next) {
                Entry::Occupied(mut known) if known.get().0 > next_cost => {
                    known.insert((next_cost, first));
                }
                Entry::Occupied(_) => continue,
                Entry::Vacant(slot) => {
                    slot.insert((next_cost, first));
                }
            }
            order += 1;
            let left = remaining(next);
            open.push(Reverse((next_cost + left, left, order, next)));
        }
    }
    best.2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid from rows of text: `#` is a wall, anything else is floor.
    fn grid<'a>(rows: &'a [&'a str]) -> impl Fn(Tile) -> bool + 'a {
        move |(x, y)| {
            rows.get(usize::from(y))
                .and_then(|row| row.as_bytes().get(usize::from(x)))
                .is_some_and(|c| *c != b'#')
        }
    }

    /// Follows `step_towards` until it stops; the tiles walked.
    fn walk(rows: &[&str], from: Tile, target: Tile, limit: u32) -> Vec<Tile> {
        let passable = grid(rows);
        let mut at = from;
        let mut path = Vec::new();
        while let Some(direction) = step_towards(at, target, limit, &passable) {
            at = step(at, direction).unwrap();
            assert!(passable(at), "stepped into a wall at {at:?}");
            path.push(at);
            assert!(path.len() < 200, "no end: {path:?}");
        }
        path
    }

    #[test]
    fn in_the_open_it_walks_straight_to_the_target() {
        let rows = [".........", ".........", "........."];
        let path = walk(&rows, (0, 1), (8, 1), 100);
        assert_eq!(path.len(), 7);
        assert_eq!(path.last(), Some(&(7, 1)));
    }

    #[test]
    fn it_goes_around_a_wall_where_a_greedy_step_is_stuck() {
        // The NPC at (3, 2) in a pocket open to the west; the target at (7, 2) east of it.
        let rows = [
            ".........",
            ".#####...",
            "...N.#...",
            ".#####...",
            ".........",
        ];
        let path = walk(&rows, (3, 2), (7, 2), 1000);
        // Out of the pocket west (3 steps), north round the wall (2), east (6 or 7) and back
        // down beside the target: 13 steps either way.
        assert_eq!(path.len(), 13, "{path:?}");
        assert_eq!(distance(*path.last().unwrap(), (7, 2)), 1);
        // The greedy way east runs into the wall.
        assert!(!grid(&rows)((5, 2)));
    }

    #[test]
    fn next_to_the_target_there_is_no_step() {
        let rows = ["...", "...", "..."];
        assert_eq!(step_towards((1, 1), (1, 2), 10, grid(&rows)), None);
        assert_eq!(step_towards((1, 1), (2, 1), 10, grid(&rows)), None);
    }

    #[test]
    fn a_walled_off_target_gives_the_nearest_reachable_tile() {
        let rows = [".....#...", ".....#...", ".....#..."];
        let path = walk(&rows, (0, 1), (7, 1), 1000);
        assert_eq!(path.last(), Some(&(4, 1)), "stops at the wall");
    }

    #[test]
    fn an_enclosed_npc_does_not_move() {
        let rows = ["###", "#.#", "###", "..."];
        assert_eq!(step_towards((1, 1), (1, 3), 1000, grid(&rows)), None);
    }

    #[test]
    fn a_small_limit_still_makes_progress() {
        let rows = [".........................."];
        let path = walk(&rows, (0, 0), (25, 0), 3);
        assert_eq!(path.last(), Some(&(24, 0)));
    }

    #[test]
    fn facing_looks_along_the_longer_axis() {
        assert_eq!(facing((5, 5), (9, 6)), Direction::Right);
        assert_eq!(facing((5, 5), (1, 6)), Direction::Left);
        assert_eq!(facing((5, 5), (5, 1)), Direction::Up);
        assert_eq!(facing((5, 5), (6, 9)), Direction::Down);
    }
}
