//! Doors: an EMF warp tile whose `door` is not 0. `door = 1` has no lock; `door = N` (N > 1)
//! opens only for a character holding a Key item numbered N (its spec1), EO's convention,
//! which existing worlds, EOSERV, reoserv and the clients follow.
//!
//! Door_Open from a character within the see distance opens the door for everyone in range
//! (Door_Open to each); without the key the asker gets Door_Close with the key's number, as
//! the official server answers. The door closes again after `[doors] close_secs`, silently:
//! clients close their doors on their own. A closed door blocks the walk onto its tile (and so
//! its warp); an open one lets the walker through ([`MapActor::walk`] asks
//! [`MapActor::door_closed`]).

use std::collections::HashMap;

use eo_protocol::Coords;
use eo_protocol::map::MapWarp;
use eo_protocol::net::client::ClientPacket;
use eo_protocol::net::server::{DoorCloseServerPacket, DoorOpenServerPacket};
use tokio::time::Instant;

use super::SEE_DISTANCE;
use super::actor::MapActor;
use super::objects::holds_key;
use super::pathfinding::distance;

/// The doors of one map that are open, with when each closes again.
#[derive(Debug, Default)]
pub(super) struct Doors {
    open_until: HashMap<(u8, u8), Instant>,
}

impl Doors {
    fn is_open(&self, at: (u8, u8), now: Instant) -> bool {
        self.open_until.get(&at).is_some_and(|until| now < *until)
    }

    fn open(&mut self, at: (u8, u8), until: Instant, now: Instant) {
        // Doors that closed are forgotten here, so the table holds only open doors.
        self.open_until.retain(|_, until| now < *until);
        self.open_until.insert(at, until);
    }
}

/// Whether a warp leads to its own tile (the bundled world's doors do: a door within a map):
/// stepping on it is then an ordinary step, not a warp.
pub(super) fn leads_to_itself(warp: &MapWarp, map: u16, (x, y): (u8, u8)) -> bool {
    warp.destination_map == map && (warp.destination_coords.x, warp.destination_coords.y) == (x, y)
}

impl MapActor {
    /// Door_Open.
    pub(super) fn door(&mut self, player_id: u16, packet: ClientPacket) {
        if let ClientPacket::DoorOpen(open) = packet {
            self.open_door(player_id, open.coords);
        }
    }

    /// Whether (x, y) is a door that is closed now.
    pub(super) fn door_closed(&self, (x, y): (u8, u8)) -> bool {
        self.map()
            .and_then(|map| map.warp(x, y))
            .is_some_and(|warp| warp.door > 0)
            && !self.doors.is_open((x, y), Instant::now())
    }

    fn open_door(&mut self, player_id: u16, coords: Coords) {
        let at = (coords.x, coords.y);
        let Some(door) = self
            .map()
            .and_then(|map| map.warp(at.0, at.1))
            .map(|warp| warp.door)
            .filter(|door| *door > 0)
        else {
            return;
        };
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        if distance(me.tile(), at) > SEE_DISTANCE {
            return;
        }
        let opened = self.encode(&DoorOpenServerPacket {
            coords: coords.clone(),
        });
        let now = Instant::now();
        if self.doors.is_open(at, now) {
            // Its client missed the opening (it came into view later): show it open.
            self.send_to(player_id, opened);
            return;
        }
        if door > 1 && !holds_key(me.game.state(), &self.data, door) {
            let locked = self.encode(&DoorCloseServerPacket {
                key: u8::try_from(door).unwrap_or(u8::MAX),
            });
            self.send_to(player_id, locked);
            return;
        }
        let until = now + self.config.doors.open_time();
        self.doors.open(at, until, now);
        if let Some(body) = opened {
            for (_, other) in self.in_range_of((u16::from(at.0), u16::from(at.1))) {
                other.player.send(body.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_door_is_open_until_its_time_and_closed_doors_are_forgotten() {
        let mut doors = Doors::default();
        let now = Instant::now();
        doors.open((1, 1), now + Duration::from_secs(3), now);
        assert!(doors.is_open((1, 1), now));
        assert!(!doors.is_open((1, 2), now));
        let later = now + Duration::from_secs(3);
        assert!(!doors.is_open((1, 1), later));
        doors.open((5, 5), later + Duration::from_secs(3), later);
        assert_eq!(doors.open_until.len(), 1, "the closed door is gone");
    }

    #[test]
    fn only_a_warp_to_its_own_tile_leads_to_itself() {
        let warp = MapWarp {
            destination_map: 1,
            destination_coords: Coords { x: 4, y: 6 },
            level_required: 0,
            door: 1,
        };
        assert!(leads_to_itself(&warp, 1, (4, 6)));
        assert!(!leads_to_itself(&warp, 2, (4, 6)));
        assert!(!leads_to_itself(&warp, 1, (4, 7)));
    }
}
