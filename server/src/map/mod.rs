//! One actor per map: it owns the positions of the characters on it, decides moves against the
//! map's tiles, and broadcasts each event once, as the same encoded bytes, to the players in
//! range.

mod actor;
mod barber;
mod book;
pub mod character;
mod combat;
#[cfg(feature = "fault-injection")]
pub mod fault;
mod handle;
mod items;
mod jukebox;
mod npc_broadcast;
mod npcs;
mod pathfinding;
mod persistence;
mod recovery;
mod services;
mod views;
mod visibility;

pub use character::{CharacterGame, ExperienceGain, GameState};
pub use handle::{MapError, MapHandle, REPLY_TIMEOUT, WalkOutcome};
pub use views::{map_info, paperdoll};

/// How far (in steps, |dx| + |dy|) a player sees others: EOSERV's SeeDistance default.
pub const SEE_DISTANCE: u32 = 11;
/// The most characters a nearby list can hold: its count is an EO char.
pub const MAX_NEARBY_CHARACTERS: usize = 252;
