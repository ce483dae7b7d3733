//! Moving on a map: walking (who sees the step, who comes into view, warps and doors on the
//! way), facing, sitting on the floor and on chairs.

use bytes::Bytes;
use eo_protocol::Direction;
use eo_protocol::map::MapTileSpec;
use eo_protocol::net::server::{
    ChairCloseServerPacket, ChairPlayerServerPacket, ChairRemoveServerPacket,
    ChairReplyServerPacket, FacePlayerServerPacket, NpcAgreeServerPacket, SitCloseServerPacket,
    SitPlayerServerPacket, SitRemoveServerPacket, SitReplyServerPacket, SitState,
    WalkPlayerServerPacket, WalkReplyServerPacket,
};

use super::SEE_DISTANCE;
use super::actor::{MapActor, in_range, tile};
use super::handle::WalkOutcome;
use super::pathfinding::step;

impl MapActor {
    pub(super) fn walk(&mut self, player_id: u16, direction: Direction) -> WalkOutcome {
        let Some(me) = self.characters.get(&player_id) else {
            return WalkOutcome::Blocked;
        };
        if me.game.overweight() || self.combat.is_dead(player_id) {
            return WalkOutcome::Blocked;
        }
        let level = me.game.state().level;
        let from = me.at();
        // (A position off the u8 grid, which nothing should make, cannot step anywhere.)
        let on_grid = u8::try_from(from.0).ok().zip(u8::try_from(from.1).ok());
        let Some((x, y)) = on_grid.and_then(|at| step(at, direction)) else {
            return WalkOutcome::Blocked;
        };
        let to = (u16::from(x), u16::from(y));
        let Some(map) = self.map() else {
            return WalkOutcome::Blocked;
        };
        let warp = map.warp(x, y).cloned();
        if !map.is_walkable(x, y)
            || self.index.occupied(to)
            || self.npcs.occupies((x, y))
            || self.door_closed((x, y))
        {
            return WalkOutcome::Blocked;
        }
        let newly_seen_npcs = self.npcs.newly_seen(tile(from), (x, y));
        // Who sees the walker before and after the step.
        let mut newly_seen = Vec::new();
        let walk = self.encode(&WalkPlayerServerPacket {
            player_id,
            direction,
            coords: eo_protocol::Coords { x, y },
        });
        self.place(player_id, to);
        if let Some(me) = self.characters.get_mut(&player_id) {
            me.info.direction = direction;
        }
        let Some(me) = self.characters.get(&player_id) else {
            return WalkOutcome::Blocked;
        };
        let appear_me = self.appear_packet(&me.info);
        let hidden = me.info.invisible;
        // Everyone who saw the walker before the step or sees it after: within the see
        // distance of `from` or of `to`, so within one step more of `to`.
        let reach = u16::try_from(SEE_DISTANCE + 1).unwrap_or(u16::MAX);
        let around = self
            .index
            .around(to, reach)
            .filter(|(_, tile)| in_range(from, *tile) || in_range(to, *tile))
            .filter_map(|(id, _)| self.characters.get(&id).map(|c| (id, c)));
        for (id, other) in around {
            if id == player_id {
                continue;
            }
            if hidden {
                if !in_range(from, other.at()) && in_range(to, other.at()) && !other.info.invisible
                {
                    newly_seen.push(other.info.clone());
                }
                continue;
            }
            let saw = in_range(from, other.at());
            let sees = in_range(to, other.at());
            if sees && !saw {
                if let Some(body) = &appear_me {
                    other.player.send(body.clone());
                }
                if !other.info.invisible {
                    newly_seen.push(other.info.clone());
                }
            } else if (saw || sees)
                && let Some(body) = &walk
            {
                other.player.send(body.clone());
            }
        }
        // The walker is told who came into view (Walk_Reply lists them, as the official
        // server does), then shown each of them.
        if let Some(body) = self.encode(&WalkReplyServerPacket {
            player_ids: newly_seen.iter().map(|info| info.player_id).collect(),
            npc_indexes: newly_seen_npcs.iter().map(|npc| npc.index).collect(),
            items: self.ground.newly_in_view(from, to),
        }) {
            me.player.send(body);
        }
        for info in newly_seen {
            if let Some(body) = self.appear_packet(&info) {
                me.player.send(body);
            }
        }
        if !newly_seen_npcs.is_empty()
            && let Some(body) = self.encode(&NpcAgreeServerPacket {
                npcs: newly_seen_npcs,
            })
        {
            me.player.send(body);
        }
        // A door is passed only open (checked above); one that leads to its own tile (a door
        // within the map) is then an ordinary step.
        self.stepped_on(player_id, (x, y));
        match warp {
            Some(warp)
                if level >= warp.level_required
                    && !super::doors::leads_to_itself(&warp, self.id, (x, y)) =>
            {
                WalkOutcome::Warp(warp, x, y)
            }
            _ => WalkOutcome::Moved { x, y },
        }
    }

    pub(super) fn face(&mut self, player_id: u16, direction: Direction) {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        me.info.direction = direction;
        let at = me.at();
        if let Some(body) = self.encode(&FacePlayerServerPacket {
            player_id,
            direction,
        }) {
            self.broadcast(at, player_id, &body);
        }
    }

    /// Floor sitting: the sitter gets Sit_Reply / Sit_Close, the others Sit_Player /
    /// Sit_Remove. Sitting again while seated, or standing while standing, does nothing.
    pub(super) fn sit(&mut self, player_id: u16, sit: bool) {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let seated = me.info.sit_state != SitState::Stand;
        if sit == seated {
            return;
        }
        me.info.sit_state = if sit {
            SitState::Floor
        } else {
            SitState::Stand
        };
        let at = me.at();
        let coords = eo_protocol::Coords {
            x: u8::try_from(at.0).unwrap_or(0),
            y: u8::try_from(at.1).unwrap_or(0),
        };
        let direction = me.info.direction;
        let (to_me, to_others) = if sit {
            (
                self.encode(&SitReplyServerPacket {
                    player_id,
                    coords: coords.clone(),
                    direction,
                }),
                self.encode(&SitPlayerServerPacket {
                    player_id,
                    coords,
                    direction,
                }),
            )
        } else {
            (
                self.encode(&SitCloseServerPacket {
                    player_id,
                    coords: coords.clone(),
                }),
                self.encode(&SitRemoveServerPacket { player_id, coords }),
            )
        };
        self.notify(player_id, at, to_me, to_others);
    }

    /// Chairs: a standing character next to a free chair moves onto it, facing the way the
    /// chair faces; the sitter gets Chair_Reply, the others Chair_Player. Standing up sends
    /// Chair_Close and Chair_Remove.
    pub(super) fn chair(
        &mut self,
        player_id: u16,
        seat: Option<(u8, u8)>,
    ) -> Option<(u8, u8, Direction)> {
        let me = self.characters.get(&player_id)?;
        let at = me.at();
        let current = me.info.direction;
        let (x, y) = (u8::try_from(at.0).ok()?, u8::try_from(at.1).ok()?);
        let Some((cx, cy)) = seat else {
            if me.info.sit_state != SitState::Chair {
                return None;
            }
            let coords = eo_protocol::Coords { x, y };
            let to_me = self.encode(&ChairCloseServerPacket {
                player_id,
                coords: coords.clone(),
            });
            let to_others = self.encode(&ChairRemoveServerPacket { player_id, coords });
            self.characters.get_mut(&player_id)?.info.sit_state = SitState::Stand;
            self.notify(player_id, at, to_me, to_others);
            return Some((x, y, current));
        };
        let spec = self.map()?.spec(cx, cy)?;
        let facing = match spec {
            MapTileSpec::ChairDown => Direction::Down,
            MapTileSpec::ChairUp => Direction::Up,
            MapTileSpec::ChairLeft => Direction::Left,
            MapTileSpec::ChairRight => Direction::Right,
            MapTileSpec::ChairDownRight | MapTileSpec::ChairUpLeft | MapTileSpec::ChairAll => {
                current
            }
            _ => return None,
        };
        let next_to = u32::from(x.abs_diff(cx)) + u32::from(y.abs_diff(cy)) == 1;
        let seat_at = (u16::from(cx), u16::from(cy));
        if !next_to || me.info.sit_state != SitState::Stand || self.index.occupied(seat_at) {
            return None;
        }
        self.place(player_id, seat_at);
        let me = self.characters.get_mut(&player_id)?;
        me.info.direction = facing;
        me.info.sit_state = SitState::Chair;
        let coords = eo_protocol::Coords { x: cx, y: cy };
        let to_me = self.encode(&ChairReplyServerPacket {
            player_id,
            coords: coords.clone(),
            direction: facing,
        });
        let to_others = self.encode(&ChairPlayerServerPacket {
            player_id,
            coords,
            direction: facing,
        });
        self.notify(player_id, seat_at, to_me, to_others);
        Some((cx, cy, facing))
    }

    /// Sends one body to a player and another to those in range of it.
    pub(super) fn notify(
        &self,
        player_id: u16,
        at: (u16, u16),
        to_me: Option<Bytes>,
        to_others: Option<Bytes>,
    ) {
        if let (Some(me), Some(body)) = (self.characters.get(&player_id), to_me) {
            me.player.send(body);
        }
        if let Some(body) = to_others {
            self.broadcast(at, player_id, &body);
        }
    }
}
