//! One actor per map: it owns the positions of the characters on it, decides moves against the
//! map's tiles, and broadcasts each event once, as the same encoded bytes, to the players in
//! range.

mod actor;
mod admin;
mod arena;
mod bank;
mod barber;
mod book;
pub mod character;
mod chests;
mod combat;
mod doors;
mod dress;
mod effects;
mod equipment;
#[cfg(feature = "fault-injection")]
pub mod fault;
mod ground;
mod guild;
mod handle;
mod inns;
mod items;
mod jukebox;
mod lockers;
mod marriage;
mod message;
mod movement;
mod npc_broadcast;
mod npc_speech;
mod npcs;
mod objects;
mod party;
mod pathfinding;
mod persistence;
mod presence;
mod quests;
mod recovery;
mod reload;
mod services;
mod set;
mod shop;
mod skill_master;
mod spells;
mod trade;
mod views;
mod visibility;

pub use admin::{AdminAction, AdminDone};
pub use character::{CharacterGame, ExperienceGain, GameState};
pub use guild::{GuildRequest, Paid};
pub use handle::{MapError, MapHandle, MapServices, REPLY_TIMEOUT, WalkOutcome};
pub use npcs::MAX_NPCS;
pub use party::PartyView;
pub use quests::finished_quest_names;
pub use reload::{DataChange, DataSwapped};
pub use set::{MAX_TITLE_CHARS, SetTo, apply as apply_set, check as check_set};
pub use views::{map_info, paperdoll};

/// How far (in steps, |dx| + |dy|) a player sees others: EOSERV's SeeDistance default.
pub const SEE_DISTANCE: u32 = 11;
/// The most characters a nearby list can hold: its count is an EO char.
pub const MAX_NEARBY_CHARACTERS: usize = 252;
