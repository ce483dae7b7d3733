//! What an NPC does with its turn on the map's tick: wander, chase a target it noticed along a
//! real path (A*, `map/pathfinding.rs`), face and strike it when next to it, or give up when
//! bored or when the target is out of reach.

use std::collections::HashSet;

use eo_protocol::Direction;
use eo_protocol::pubs::NpcType;
use rand::Rng;

use super::super::pathfinding::{Tile, distance, facing, step, step_towards};
use super::{Chase, Npc, NpcEvents, NpcMove, Npcs, Opponent, STANDING, Seen, Strike};

/// What an NPC decided to do with its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// Nothing to chase: walk about.
    Wander,
    /// Next to its target: face it (and, with combat, attack).
    Reached { player_id: u16, facing: Direction },
    /// One step along the path to its target.
    Chase {
        player_id: u16,
        direction: Direction,
    },
    /// Its target is out of reach for now.
    Wait { player_id: u16 },
}

impl Npcs {
    pub(super) fn act(
        &mut self,
        players: &[Seen],
        occupied: &mut HashSet<Tile>,
        events: &mut NpcEvents,
    ) {
        let now = self.now;
        for i in 0..self.list.len() {
            let npc = &self.list[i];
            let spawn_type = self
                .spawns
                .get(npc.spawn)
                .map_or(STANDING, |s| s.spawn_type);
            if !npc.alive || npc.next_act > now || spawn_type >= STANDING {
                continue;
            }
            let wait = self.speed(spawn_type);
            let npc = &mut self.list[i];
            npc.next_act = now + wait;
            npc.bored_of.retain(|(_, until)| *until > now);
            let decision = self.decide(i, players, occupied);
            self.carry_out(i, decision, occupied, events);
        }
    }

    /// Whom NPC `i` goes for, if anyone, and how.
    fn decide(&self, i: usize, players: &[Seen], occupied: &HashSet<Tile>) -> Decision {
        let npc = &self.list[i];
        let Some((player_id, target)) = self.target(npc, players) else {
            return Decision::Wander;
        };
        if distance(npc.at, target) <= 1 {
            return Decision::Reached {
                player_id,
                facing: if npc.at == target {
                    npc.direction
                } else {
                    facing(npc.at, target)
                },
            };
        }
        let Some(map) = self.map() else {
            return Decision::Wait { player_id };
        };
        let passable =
            |tile: Tile| map.is_npc_walkable(tile.0, tile.1) && !occupied.contains(&tile);
        match step_towards(npc.at, target, self.timing.path_limit, passable) {
            Some(direction) => Decision::Chase {
                player_id,
                direction,
            },
            None => Decision::Wait { player_id },
        }
    }

    /// The player NPC `npc` goes for: of those who hit it (or its boss) lately, the nearest
    /// (the hardest hitter on a tie); else, if it is aggressive, the nearest player. Only
    /// players in chase distance it has not given up on count.
    pub(super) fn target(&self, npc: &Npc, players: &[Seen]) -> Option<(u16, Tile)> {
        if !npc.attackable() {
            return None;
        }
        let eligible = |p: &&Seen| {
            !p.hidden
                && distance(p.at, npc.at) <= self.timing.chase_distance
                && !npc.bored_of.iter().any(|(id, _)| *id == p.player_id)
        };
        let bosses = self.list.iter().filter(|n| npc.child && n.boss && n.alive);
        let opponents = npc
            .opponents
            .iter()
            .chain(bosses.flat_map(|boss| boss.opponents.iter()));
        // Blows older than the bored time no longer make it chase (they still count for
        // sharing its experience).
        let recent = |o: &&Opponent| self.now.saturating_sub(o.last_hit) < self.timing.bored;
        let hit_by = opponents
            .filter(recent)
            .filter_map(|o| {
                let p = players.iter().find(|p| p.player_id == o.player_id)?;
                eligible(&p).then_some((distance(p.at, npc.at), std::cmp::Reverse(o.damage), p))
            })
            .min_by_key(|(d, damage, p)| (*d, *damage, p.player_id))
            .map(|(_, _, p)| (p.player_id, p.at));
        if hit_by.is_some() {
            return hit_by;
        }
        if npc.kind != NpcType::Aggressive {
            return None;
        }
        players
            .iter()
            .filter(eligible)
            .min_by_key(|p| (distance(p.at, npc.at), p.player_id))
            .map(|p| (p.player_id, p.at))
    }

    fn carry_out(
        &mut self,
        i: usize,
        decision: Decision,
        occupied: &mut HashSet<Tile>,
        events: &mut NpcEvents,
    ) {
        let now = self.now;
        let bored = self.timing.bored;
        let npc = &mut self.list[i];
        let target = match decision {
            Decision::Wander => None,
            Decision::Reached { player_id, .. }
            | Decision::Chase { player_id, .. }
            | Decision::Wait { player_id } => Some(player_id),
        };
        // A new target starts the bored clock; being next to it resets it.
        match (target, npc.chase) {
            (None, _) => npc.chase = None,
            (Some(player_id), Some(chase)) if chase.player_id == player_id => {}
            (Some(player_id), _) => {
                npc.chase = Some(Chase {
                    player_id,
                    last_contact: now,
                });
            }
        }
        if let (Decision::Reached { .. }, Some(chase)) = (decision, npc.chase.as_mut()) {
            chase.last_contact = now;
        }
        if let Some(chase) = npc.chase
            && now.saturating_sub(chase.last_contact) >= bored
        {
            npc.bored_of.push((chase.player_id, now + bored));
            npc.chase = None;
            self.wander(i, occupied, events);
            return;
        }
        match decision {
            Decision::Wander => self.wander(i, occupied, events),
            Decision::Reached { facing, player_id } => {
                self.list[i].direction = facing;
                events.strikes.push(Strike {
                    index: self.list[i].index,
                    player_id,
                    direction: facing,
                });
            }
            Decision::Chase { direction, .. } => {
                self.walk(i, direction, occupied, events);
            }
            Decision::Wait { .. } => {}
        }
    }

    /// Walking about as EOSERV's NPCs do: mostly ahead, sometimes another way, now and then a
    /// short rest.
    fn wander(&mut self, i: usize, occupied: &mut HashSet<Tile>, events: &mut NpcEvents) {
        let npc = &mut self.list[i];
        if npc.idle_acts > 0 {
            npc.idle_acts -= 1;
            return;
        }
        let ahead = npc.direction;
        match self.rng.random_range(1..=10) {
            1..=6 => {
                self.walk(i, ahead, occupied, events);
            }
            7..=9 => {
                let direction = Direction::from(self.rng.random_range(0..4u32));
                self.walk(i, direction, occupied, events);
            }
            _ => self.list[i].idle_acts = self.rng.random_range(1..=4),
        }
    }

    /// One step of NPC `i` in `direction`, if the tile is free; whether it moved.
    fn walk(
        &mut self,
        i: usize,
        direction: Direction,
        occupied: &mut HashSet<Tile>,
        events: &mut NpcEvents,
    ) -> bool {
        let from = self.list[i].at;
        let Some(to) = step(from, direction) else {
            return false;
        };
        let walkable = self
            .map()
            .is_some_and(|map| map.is_npc_walkable(to.0, to.1));
        if !walkable || occupied.contains(&to) {
            return false;
        }
        occupied.remove(&from);
        occupied.insert(to);
        let npc = &mut self.list[i];
        npc.at = to;
        npc.direction = direction;
        events.moved.push(NpcMove {
            index: npc.index,
            from,
            to,
            direction,
        });
        true
    }
}
