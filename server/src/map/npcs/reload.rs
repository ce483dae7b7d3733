//! The NPCs' side of `remap` and `repub` (map/reload.rs): the map's new data, taken between
//! two ticks.

use std::sync::Arc;

use super::{Npcs, Tile};
use crate::config::NpcConfig;
use crate::data::GameData;

impl Npcs {
    /// The same facts for this map in a new copy (another map was remapped).
    pub fn set_data(&mut self, data: Arc<GameData>) {
        self.data = data;
    }

    /// `remap`: this map's file changed. When its NPC spawn list changed, every NPC goes
    /// (summoned ones too) and the new list's NPCs spawn at the next tick; otherwise they stay,
    /// but a living one on a tile NPCs may no longer stand on goes back to its spawn at the
    /// next tick. Returns whether the NPCs were replaced (their indexes mean other NPCs now).
    pub fn remap(&mut self, data: Arc<GameData>, config: &NpcConfig) -> bool {
        let spawns = |data: &GameData| data.map(self.map_id).map(|map| map.emf.npcs.clone());
        if spawns(&self.data) != spawns(&data) {
            let fresh = Npcs::new(Arc::clone(&data), self.map_id, config);
            self.list = fresh.list;
            self.spawns = fresh.spawns;
            self.data = data;
            // Due at the next tick (the clock goes on from `now`).
            let now = self.now;
            for npc in &mut self.list {
                npc.respawn_at = now;
            }
            return true;
        }
        self.data = data;
        let Some(map) = self.data.map(self.map_id) else {
            return false;
        };
        let blocked: Vec<usize> = (0..self.list.len())
            .filter(|i| {
                self.list
                    .get(*i)
                    .is_some_and(|npc| npc.alive && !map.is_npc_walkable(npc.at.0, npc.at.1))
            })
            .collect();
        let now = self.now;
        for i in blocked {
            if let Some(npc) = self.list.get_mut(i) {
                npc.alive = false;
                npc.respawn_at = now;
                npc.opponents.clear();
                npc.chase = None;
            }
        }
        false
    }

    /// `repub`: the NPC records changed. Each NPC takes its record's kind, boss and child
    /// flags and HP (what it has is cut to the new maximum); one whose record is gone (the
    /// new ENF is shorter) leaves the map for good, until a remap or restart. Returns the
    /// indexes of the living NPCs that left, with where they stood.
    pub fn repub(&mut self, data: Arc<GameData>) -> Vec<(u8, Tile)> {
        self.data = data;
        let data = Arc::clone(&self.data);
        let mut gone = Vec::new();
        for npc in &mut self.list {
            let record = usize::from(npc.id)
                .checked_sub(1)
                .and_then(|i| data.npcs.data.npcs.get(i));
            match record {
                Some(record) => {
                    npc.kind = record.r#type;
                    npc.boss = record.boss;
                    npc.child = record.child;
                    npc.max_hp = record.hp;
                    npc.hp = npc.hp.min(npc.max_hp);
                }
                None => {
                    if npc.alive {
                        gone.push((npc.index, npc.at));
                    }
                    npc.alive = false;
                    npc.respawn_at = u64::MAX;
                    npc.opponents.clear();
                    npc.chase = None;
                }
            }
        }
        gone
    }
}
