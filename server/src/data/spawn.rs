//! Where new characters start: `[world] spawn_areas` checked against the loaded maps, or the
//! spawn point (`spawn_map`, `spawn_x`, `spawn_y`, read from the configuration in force, as a
//! reload may change it) when no area is given.

use rand::Rng;

use super::GameData;
use crate::config::WorldConfig;

/// How many random tiles of an area are tried before the new character takes its centre.
const TRIES: usize = 16;

/// A spawn point or area that is not a place to stand: the key (`world.spawn_map`,
/// `world.spawn_areas[1]`) and why.
#[derive(Debug, thiserror::Error)]
#[error("config: {key}: {problem}")]
pub struct SpawnError {
    pub key: String,
    pub problem: String,
}

/// One area, clipped to its map.
#[derive(Debug, Clone)]
struct Area {
    map: u16,
    centre: (u8, u8),
    xs: std::ops::RangeInclusive<u8>,
    ys: std::ops::RangeInclusive<u8>,
    /// Tiles in the clipped square, walls included: the area's weight.
    size: u64,
}

/// The places new characters start, built once at start-up.
#[derive(Debug, Clone)]
pub struct SpawnPoints {
    areas: Vec<Area>,
    /// Every area's size added up.
    total: u64,
}

/// The spawn point (`spawn_map`, `spawn_x`, `spawn_y`: where new characters start without
/// areas, and the rescue point) is a walkable tile without a warp of an existing map. A reload
/// that changes it is checked again by `reload`.
pub fn check_spawn_point(world: &WorldConfig, data: &GameData) -> Result<(), SpawnError> {
    let (map_id, x, y) = (world.spawn_map, world.spawn_x, world.spawn_y);
    let Some(map) = data.maps.get(&map_id) else {
        return Err(SpawnError {
            key: "world.spawn_map".into(),
            problem: format!("map {map_id} does not exist"),
        });
    };
    if !map.is_walkable(x, y) || map.warp(x, y).is_some() {
        return Err(SpawnError {
            key: "world.spawn_x".into(),
            problem: format!("({x}, {y}) of map {map_id} is not a walkable tile without a warp"),
        });
    }
    Ok(())
}

impl SpawnPoints {
    /// Checks the spawn point and every area against the maps: the map exists and the tile
    /// (an area's centre) is walkable and not a warp. The areas are fixed at start-up (a
    /// changed list needs a restart).
    pub fn new(world: &WorldConfig, data: &GameData) -> Result<Self, SpawnError> {
        check_spawn_point(world, data)?;
        let mut areas = Vec::new();
        for (index, area) in world.spawn_areas.iter().enumerate() {
            let fail = |problem: String| SpawnError {
                key: format!("world.spawn_areas[{index}]"),
                problem,
            };
            let Some(map) = data.maps.get(&area.map) else {
                return Err(fail(format!("map {} does not exist", area.map)));
            };
            if !map.is_walkable(area.x, area.y) || map.warp(area.x, area.y).is_some() {
                return Err(fail(format!(
                    "the centre ({}, {}) of map {} is not a walkable tile without a warp",
                    area.x, area.y, area.map
                )));
            }
            let last_x = map.width.saturating_sub(1);
            let last_y = map.height.saturating_sub(1);
            let xs =
                area.x.saturating_sub(area.radius)..=area.x.saturating_add(area.radius).min(last_x);
            let ys =
                area.y.saturating_sub(area.radius)..=area.y.saturating_add(area.radius).min(last_y);
            let size =
                (u64::from(*xs.end() - *xs.start()) + 1) * (u64::from(*ys.end() - *ys.start()) + 1);
            areas.push(Area {
                map: area.map,
                centre: (area.x, area.y),
                xs,
                ys,
                size,
            });
        }
        let total = areas.iter().map(|a| a.size).sum();
        Ok(Self { areas, total })
    }

    /// A place for a new character: (map, x, y). An area is picked in proportion to its size,
    /// then a random tile in it that is walkable and not a warp; after a few misses (a square
    /// mostly of walls), the area's centre. Without areas, `world`'s spawn point.
    pub fn pick(&self, world: &WorldConfig, data: &GameData, rng: &mut impl Rng) -> (u16, u8, u8) {
        let mut ticket = rng.random_range(0..self.total.max(1));
        let Some(area) = self.areas.iter().find(|area| {
            if ticket < area.size {
                true
            } else {
                ticket -= area.size;
                false
            }
        }) else {
            return (world.spawn_map, world.spawn_x, world.spawn_y);
        };
        if area.size > 1
            && let Some(map) = data.maps.get(&area.map)
        {
            for _ in 0..TRIES {
                let x = rng.random_range(area.xs.clone());
                let y = rng.random_range(area.ys.clone());
                if map.is_walkable(x, y) && map.warp(x, y).is_none() {
                    return (area.map, x, y);
                }
            }
        }
        (area.map, area.centre.0, area.centre.1)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::config::SpawnArea;

    use crate::data::bundled_for_tests as bundled;

    fn area(map: u16, x: u8, y: u8, radius: u8) -> SpawnArea {
        SpawnArea { map, x, y, radius }
    }

    #[test]
    fn without_areas_everyone_starts_on_the_spawn_point() {
        let data = bundled();
        let points = SpawnPoints::new(&WorldConfig::default(), &data).unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..10 {
            assert_eq!(
                points.pick(&WorldConfig::default(), &data, &mut rng),
                (1, 16, 9)
            );
        }
        // The spawn point in force is read at each pick (a reload may change it).
        let moved = WorldConfig {
            spawn_x: 17,
            ..WorldConfig::default()
        };
        assert_eq!(points.pick(&moved, &data, &mut rng), (1, 17, 9));
    }

    #[test]
    fn areas_spread_new_characters_over_walkable_tiles_in_proportion_to_size() {
        let data = bundled();
        let world = WorldConfig {
            // The whole town (26 x 20, clipped) and one tile of the hollow.
            spawn_areas: vec![area(1, 13, 10, 13), area(2, 3, 15, 0)],
            ..WorldConfig::default()
        };
        let points = SpawnPoints::new(&world, &data).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let mut per_map = HashMap::new();
        let mut tiles = std::collections::HashSet::new();
        for _ in 0..2000 {
            let (map, x, y) = points.pick(&world, &data, &mut rng);
            let tile = &data.maps[&map];
            assert!(
                tile.is_walkable(x, y) && tile.warp(x, y).is_none(),
                "({x}, {y})"
            );
            *per_map.entry(map).or_insert(0) += 1;
            if map == 1 {
                tiles.insert((x, y));
            }
        }
        // The town's square is 26 x 20 = 520 tiles against the hollow's 1.
        assert!(per_map[&2] < 20, "{per_map:?}");
        assert!(tiles.len() > 250, "spread over {} town tiles", tiles.len());
    }

    #[test]
    fn a_bad_centre_or_map_stops_start_up_naming_the_area() {
        let data = bundled();
        let world = |areas| WorldConfig {
            spawn_areas: areas,
            ..WorldConfig::default()
        };
        let e =
            SpawnPoints::new(&world(vec![area(1, 16, 9, 2), area(9, 1, 1, 0)]), &data).unwrap_err();
        assert_eq!(
            e.to_string(),
            "config: world.spawn_areas[1]: map 9 does not exist"
        );
        // The spawn point is checked too.
        let e = SpawnPoints::new(
            &WorldConfig {
                spawn_map: 9,
                ..WorldConfig::default()
            },
            &data,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "config: world.spawn_map: map 9 does not exist"
        );
        let e = SpawnPoints::new(
            &WorldConfig {
                spawn_x: 0,
                spawn_y: 0,
                ..WorldConfig::default()
            },
            &data,
        )
        .unwrap_err();
        assert_eq!(e.key, "world.spawn_x");
        // A wall of the town, and its warp to the hollow.
        for (x, y) in [(0, 0), (25, 11)] {
            let e = SpawnPoints::new(&world(vec![area(1, x, y, 3)]), &data).unwrap_err();
            assert_eq!(e.key, "world.spawn_areas[0]");
            assert!(e.problem.contains("not a walkable tile"), "{e}");
        }
    }
}
