//! What the map objects used from the next tile share (lockers on BankVault tiles, chests on
//! Chest tiles), and the key check doors and chests share.
//!
//! A character opens one object at a time with X_Open; its later packets (X_Add, X_Take) must
//! name the object it has open and find it still within one step. The open object is kept with
//! the character on the map ([`super::actor::OnMap::object`]), so leaving the map closes it.

use eo_protocol::map::MapTileSpec;
use eo_protocol::pubs::ItemType;

use super::actor::{MapActor, OnMap};
use super::character::GameState;
use super::pathfinding::distance;
use crate::data::GameData;
use crate::rules::stats;

/// How far (|dx| + |dy|) a character may stand from a locker or chest it uses: the next tile,
/// as EOSERV and reoserv have it.
pub(super) const OBJECT_REACH: u32 = 1;

/// A map object a character has open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpenObject {
    /// Its locker, at the BankVault tile (x, y).
    Locker(u8, u8),
    /// The chest at (x, y).
    Chest(u8, u8),
}

impl OpenObject {
    fn at(self) -> (u8, u8) {
        match self {
            OpenObject::Locker(x, y) | OpenObject::Chest(x, y) => (x, y),
        }
    }
}

/// Whether `state` holds a Key item (EIF type Key) numbered `key` (its spec1): EO's
/// convention for doors (`door = N`) and chests (`key = N`).
pub(super) fn holds_key(state: &GameState, data: &GameData, key: u16) -> bool {
    state.inventory.iter().any(|(id, _)| {
        stats::item(&data.items.data, *id)
            .is_some_and(|r| r.r#type == ItemType::Key && r.spec1 == u32::from(key))
    })
}

impl MapActor {
    /// Whether (x, y) is a tile of `spec` and the character stands within reach of it.
    pub(super) fn object_in_reach(
        &self,
        player_id: u16,
        (x, y): (u8, u8),
        spec: MapTileSpec,
    ) -> bool {
        let Some(me) = self.characters.get(&player_id) else {
            return false;
        };
        self.map().and_then(|map| map.spec(x, y)) == Some(spec)
            && distance(me.tile(), (x, y)) <= OBJECT_REACH
    }

    /// Whether the character has `object` open and still stands within reach of it.
    pub(super) fn has_open(&self, player_id: u16, object: OpenObject) -> bool {
        self.characters.get(&player_id).is_some_and(|me| {
            me.object == Some(object) && distance(me.tile(), object.at()) <= OBJECT_REACH
        })
    }

    /// The characters (but `except`) that have `object` open and stand within reach of it.
    pub(super) fn at_object(
        &self,
        object: OpenObject,
        except: u16,
    ) -> impl Iterator<Item = &OnMap> + '_ {
        let (x, y) = object.at();
        self.in_range_of((u16::from(x), u16::from(y)))
            .filter(move |(id, c)| {
                *id != except
                    && c.object == Some(object)
                    && distance(c.tile(), (x, y)) <= OBJECT_REACH
            })
            .map(|(_, c)| c)
    }
}
