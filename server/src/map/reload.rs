//! A map's side of `remap` and `repub` (control/commands/live_data.rs): the map takes its new
//! game data whole, between two messages, and puts its state in step with it.
//!
//! `remap` (this map's file changed): the clients on the map are sent the new file
//! (Init_Init with reply MapMutation, as EOSERV and reoserv do: the official client and
//! EndlessClient replace the map they show with it), then what they see on it (Refresh_Reply).
//! A character on a tile the new map blocks (or lacks) is moved to the nearest free tile and
//! offered a warp there within the map. What the map holds that the file describes starts again
//! from the new file: the chests (their contents too), the doors (closed), the timed effects,
//! and, if the spawn list changed, the NPCs. Items on the ground stay, but for those on a tile
//! the new map blocks or lacks.
//!
//! `repub` (the pub files changed): the NPCs take their new records (one whose record is gone
//! leaves), the characters' stats are derived again, and the players may be told to log in
//! again: the official client reads the pub files only when it enters the game.

use std::collections::HashSet;
use std::sync::Arc;

use eo_protocol::net::server::{
    InitInitServerPacket, InitInitServerPacketReplyCodeData,
    InitInitServerPacketReplyCodeDataMapMutation, InitReply, MapFile, RefreshReplyServerPacket,
    SitState, TalkServerServerPacket,
};
use tracing::{info, warn};

use super::actor::MapActor;
use crate::data::{GameData, MapData};

/// Why a map is handed new data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataChange {
    /// This map's file was reread (`remap`).
    Remap,
    /// The pub files were reread (`repub`); `announce`: what the players here are told.
    Repub { announce: Option<String> },
    /// Another map's file was reread: this map's facts are the same, in a new copy.
    Copy,
}

/// What a map did with its new data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataSwapped {
    /// The players on the map: sent the new map file (`remap`), or told (`repub`).
    pub players: u32,
    /// `remap`: the characters moved off tiles the new map blocks, with their new tiles.
    pub moved: Vec<(String, u8, u8)>,
    /// `remap`: whether the NPCs were replaced by the new spawn list's.
    pub npcs_replaced: bool,
    /// `remap`: the piles removed from tiles the new map blocks or lacks.
    pub items_removed: usize,
    /// `repub`: the living NPCs that left (their record is gone).
    pub npcs_gone: usize,
}

impl MapActor {
    /// Takes `data` as the map's game data, and does what `change` asks of the map.
    pub(super) fn new_data(&mut self, data: Arc<GameData>, change: DataChange) -> DataSwapped {
        match change {
            DataChange::Remap => self.remapped(data),
            DataChange::Repub { announce } => self.repubbed(data, announce),
            DataChange::Copy => {
                self.npcs.set_data(Arc::clone(&data));
                self.data = data;
                DataSwapped::default()
            }
        }
    }

    fn remapped(&mut self, data: Arc<GameData>) -> DataSwapped {
        let mut done = DataSwapped {
            npcs_replaced: self.npcs.remap(Arc::clone(&data), &self.config.npcs),
            ..DataSwapped::default()
        };
        self.data = data;
        let data = Arc::clone(&self.data);
        let Some(map) = data.map(self.id) else {
            return done;
        };
        if done.npcs_replaced {
            // Blows and NPC windows were for NPCs that are gone.
            self.combat.forget_npc_hits();
            for character in self.characters.values_mut() {
                character.interaction = None;
            }
        }
        // Chests refill from the new file: a window open on one no longer shows it.
        self.chests = super::chests::Chests::new(Some(map), &data, &self.config.chests);
        for character in self.characters.values_mut() {
            character.object = None;
        }
        self.doors = super::doors::Doors::default();
        self.effects = super::effects::MapEffects::new(&self.config, Some(map), self.id);
        done.items_removed = self.ground.retain_tiles(|x, y| map.is_walkable(x, y));
        done.moved = self.move_off_blocked_tiles(map);
        let Some(mutation) = self.encode(&InitInitServerPacket {
            reply_code: InitReply::MapMutation,
            reply_code_data: Some(InitInitServerPacketReplyCodeData::MapMutation(
                InitInitServerPacketReplyCodeDataMapMutation {
                    map_file: MapFile {
                        content: map.file.clone(),
                    },
                },
            )),
        }) else {
            return done;
        };
        let moved: HashSet<&str> = done
            .moved
            .iter()
            .map(|(name, _, _)| name.as_str())
            .collect();
        for (id, character) in &self.characters {
            character.player.send(mutation.clone());
            if moved.contains(character.record.name.as_str()) {
                // The warp's Warp_Agree shows what it sees there.
                let (x, y) = character.tile();
                character.player.warp(self.id, x, y);
            } else if let Some(body) = self.encode(&RefreshReplyServerPacket {
                nearby: self.nearby_of(*id, character.at()),
            }) {
                character.player.send(body);
            }
        }
        done.players = u32::try_from(self.characters.len()).unwrap_or(u32::MAX);
        info!(
            map = self.id,
            players = done.players,
            moved = done.moved.len(),
            npcs_replaced = done.npcs_replaced,
            items_removed = done.items_removed,
            "map file reloaded"
        );
        done
    }

    /// Moves every character standing where the new map does not let it stand to the nearest
    /// free tile (walkable, no warp, nobody on it); the names moved, with their new tiles.
    fn move_off_blocked_tiles(&mut self, map: &MapData) -> Vec<(String, u8, u8)> {
        let mut ids: Vec<u16> = self.characters.keys().copied().collect();
        ids.sort_unstable();
        let blocked: Vec<u16> = ids
            .into_iter()
            .filter(|id| {
                self.characters.get(id).is_some_and(|c| {
                    let (x, y) = c.at();
                    let (Ok(x), Ok(y)) = (u8::try_from(x), u8::try_from(y)) else {
                        return true;
                    };
                    !map.is_walkable(x, y)
                })
            })
            .collect();
        let mut moved = Vec::new();
        for id in blocked {
            let Some(from) = self.characters.get(&id).map(|c| c.tile()) else {
                continue;
            };
            let Some(to) = self.free_tile_near(map, from) else {
                warn!(
                    map = self.id,
                    player_id = id,
                    "no free tile on the new map for a character on a blocked tile"
                );
                continue;
            };
            self.place(id, (u16::from(to.0), u16::from(to.1)));
            if let Some(character) = self.characters.get_mut(&id) {
                character.info.sit_state = SitState::Stand;
                moved.push((character.record.name.clone(), to.0, to.1));
            }
        }
        moved
    }

    /// The free tile nearest `from` (in steps, ignoring walls; the first in reading order on a
    /// tie), if the map has one.
    fn free_tile_near(&self, map: &MapData, from: (u8, u8)) -> Option<(u8, u8)> {
        let free = |x: u8, y: u8| {
            map.is_walkable(x, y)
                && map.warp(x, y).is_none()
                && !self.index.occupied((u16::from(x), u16::from(y)))
                && !self.npcs.occupies((x, y))
        };
        let mut best: Option<(u32, u8, u8)> = None;
        for y in 0..map.height {
            for x in 0..map.width {
                let steps = u32::from(x.abs_diff(from.0)) + u32::from(y.abs_diff(from.1));
                if best.is_none_or(|(b, _, _)| steps < b) && free(x, y) {
                    best = Some((steps, x, y));
                }
            }
        }
        best.map(|(_, x, y)| (x, y))
    }

    fn repubbed(&mut self, data: Arc<GameData>, announce: Option<String>) -> DataSwapped {
        let gone = self.npcs.repub(Arc::clone(&data));
        self.data = data;
        for character in self.characters.values_mut() {
            character.game.recompute(&self.data);
            character.game.sync_info(&mut character.info, &self.data);
        }
        let mut done = DataSwapped {
            npcs_gone: gone.len(),
            players: u32::try_from(self.characters.len()).unwrap_or(u32::MAX),
            ..DataSwapped::default()
        };
        if !gone.is_empty() {
            // Those who saw an NPC leave see the map again without it.
            for (id, character) in &self.characters {
                let at = character.tile();
                let saw = gone
                    .iter()
                    .any(|(_, npc)| super::pathfinding::distance(*npc, at) <= super::SEE_DISTANCE);
                if saw
                    && let Some(body) = self.encode(&RefreshReplyServerPacket {
                        nearby: self.nearby_of(*id, character.at()),
                    })
                {
                    character.player.send(body);
                }
            }
        }
        if let Some(message) = announce
            && let Some(body) = self.encode(&TalkServerServerPacket { message })
        {
            for character in self.characters.values() {
                character.player.send(body.clone());
            }
        } else {
            done.players = 0;
        }
        done
    }
}
