//! Where NPCs come from: the map file's spawns on the first tick, respawns after death (each
//! spawn's time, on a free tile around its point), and NPCs summoned by an admin or a quest
//! (kept apart from the spawn list, dismissed together).

use std::collections::HashSet;

use eo_protocol::Direction;
use rand::Rng;

use super::super::pathfinding::Tile;
use super::{
    MAX_NPCS, Npc, NpcEvents, Npcs, SPAWN_TRIES, STANDING, SUMMONED, SUMMONED_SPAWN_TYPE, Spawn,
};

impl Npcs {
    pub(super) fn respawn(&mut self, occupied: &mut HashSet<Tile>, events: &mut NpcEvents) {
        let now = self.now;
        // Bosses and ordinary NPCs first: a boss that spawns brings its children with it.
        for i in 0..self.list.len() {
            let npc = &self.list[i];
            if npc.alive || npc.child || npc.respawn_at > now {
                continue;
            }
            self.spawn(i, occupied, events);
            if self.list[i].boss {
                for child in self.list.iter_mut().filter(|n| n.child && !n.alive) {
                    child.respawn_at = now;
                }
            }
        }
        // Children only while a boss of their map lives.
        if !self.list.iter().any(|n| n.boss && n.alive) {
            return;
        }
        for i in 0..self.list.len() {
            let npc = &self.list[i];
            if npc.child && !npc.alive && npc.respawn_at <= now {
                self.spawn(i, occupied, events);
            }
        }
    }

    /// Brings NPC `i` to life at or around its spawn point. One whose ENF record is gone (a
    /// `repub` of a shorter file) stays away.
    fn spawn(&mut self, i: usize, occupied: &mut HashSet<Tile>, events: &mut NpcEvents) {
        if self.record(self.list[i].id).is_none() {
            self.list[i].respawn_at = u64::MAX;
            return;
        }
        let Some(spawn) = self.spawns.get(self.list[i].spawn).cloned() else {
            return;
        };
        let (at, direction) = if spawn.spawn_type >= STANDING {
            (spawn.at, spawn.direction)
        } else {
            let at = self.spawn_tile(spawn.at, occupied);
            (at, Direction::from(self.rng.random_range(0..4u32)))
        };
        let speed = self.speed(spawn.spawn_type);
        let now = self.now;
        let npc = &mut self.list[i];
        npc.at = at;
        npc.direction = direction;
        npc.alive = true;
        npc.hp = npc.max_hp;
        npc.next_act = now + speed;
        npc.idle_acts = 0;
        npc.chase = None;
        npc.bored_of.clear();
        npc.opponents.clear();
        occupied.insert(at);
        events.appeared.push(npc.index);
    }

    /// A free NPC-walkable tile within the spawn radius of `around`: random tries, then the
    /// first such tile in a scan, then `around` itself.
    fn spawn_tile(&mut self, around: Tile, occupied: &HashSet<Tile>) -> Tile {
        let radius = i32::from(self.timing.spawn_radius);
        let Some(map) = self.data.maps.get(&self.map_id) else {
            return around;
        };
        let offset = |tile: Tile, dx: i32, dy: i32| -> Option<Tile> {
            let x = u8::try_from(i32::from(tile.0) + dx).ok()?;
            let y = u8::try_from(i32::from(tile.1) + dy).ok()?;
            Some((x, y))
        };
        let fits = |tile: Tile| map.is_npc_walkable(tile.0, tile.1) && !occupied.contains(&tile);
        if radius == 0 {
            return around;
        }
        for _ in 0..SPAWN_TRIES {
            let dx = self.rng.random_range(-radius..=radius);
            let dy = self.rng.random_range(-radius..=radius);
            if let Some(tile) = offset(around, dx, dy).filter(|t| fits(*t)) {
                return tile;
            }
        }
        for dx in -radius..=radius {
            for dy in -radius..=radius {
                if let Some(tile) = offset(around, dx, dy).filter(|t| fits(*t)) {
                    return tile;
                }
            }
        }
        around
    }

    /// The ticks until the next action of spawn type `spawn_type`, varied by up to a quarter
    /// either way.
    pub(super) fn speed(&mut self, spawn_type: u8) -> u64 {
        let Some(base) = self.timing.speeds.get(usize::from(spawn_type)).copied() else {
            return u64::MAX / 2;
        };
        let low = (base * 3 / 4).max(1);
        let high = (base * 5 / 4).max(low);
        self.rng.random_range(low..=high)
    }

    /// Whether an operator summoned this NPC (`$snpc`).
    fn summoned(&self, npc: &Npc) -> bool {
        self.spawns
            .get(npc.spawn)
            .is_some_and(|s| s.respawn == SUMMONED)
    }

    /// `$snpc`: `amount` NPCs of ENF `id` around `at`; they appear on the next tick and never
    /// respawn. The indexes of summoned NPCs no longer alive are used again; the answer is
    /// the indexes given (fewer than `amount` when the map has no more).
    pub fn summon(&mut self, id: u16, at: Tile, amount: u8) -> Result<Vec<u8>, String> {
        let Some(record) = self.record(id) else {
            return Err(format!("there is no NPC {id}"));
        };
        let record = record.clone();
        if record.child {
            return Err(format!(
                "NPC {id} is a boss's child: it lives only with its boss"
            ));
        }
        let spawn = match self
            .spawns
            .iter()
            .position(|s| s.respawn == SUMMONED && s.at == at)
        {
            Some(spawn) => spawn,
            None => {
                self.spawns.push(Spawn {
                    at,
                    spawn_type: SUMMONED_SPAWN_TYPE,
                    respawn: SUMMONED,
                    direction: Direction::Down,
                });
                self.spawns.len() - 1
            }
        };
        let now = self.now;
        let mut given = Vec::new();
        for _ in 0..amount {
            let free = self
                .list
                .iter()
                .position(|n| !n.alive && n.respawn_at >= SUMMONED && self.summoned(n));
            let slot = match free {
                Some(slot) => slot,
                None if self.list.len() < MAX_NPCS => self.list.len(),
                None => break,
            };
            let Ok(index) = u8::try_from(slot) else {
                break;
            };
            // Due at the next tick, which places it and shows it.
            let npc = Npc::waiting(index, (id, &record), spawn, at, now);
            match self.list.get_mut(slot) {
                Some(old) => *old = npc,
                None => self.list.push(npc),
            }
            given.push(index);
        }
        Ok(given)
    }

    /// `$dnpc`: every summoned NPC goes, for good; their indexes (alive ones, to show their
    /// end). Summoned NPCs not yet placed go too.
    pub fn dismiss_summoned(&mut self) -> Vec<u8> {
        // ok: every index below comes from 0..len of a list that does not shrink here.
        let summoned: Vec<usize> = (0..self.list.len())
            .filter(|i| self.summoned(&self.list[*i]))
            .collect();
        let mut gone = Vec::new();
        for i in summoned {
            let npc = &mut self.list[i]; // ok: as above
            if npc.alive {
                gone.push(npc.index);
            }
            npc.alive = false;
            npc.respawn_at = u64::MAX;
            npc.opponents.clear();
            npc.chase = None;
        }
        gone
    }
}
