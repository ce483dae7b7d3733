//! The world actor: who is online. It hands out player ids and guards that an account is
//! logged in at most once.

mod actor;
mod chat;
#[cfg(feature = "fault-injection")]
pub mod fault;
mod guilds;
mod handle;
mod message;
mod online;
mod party;

pub(crate) use guilds::shown_tag;

pub use handle::{
    AccountHold, Channel, KickTarget, LoginRefused, OnlineCharacter, PlayerInfo, WorldCounts,
    WorldHandle, icon,
};
