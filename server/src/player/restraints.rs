//! What operators hold a player to: the jail (`$jail`, stored, so it holds over logins) and a
//! freeze (`$freeze`, for the session). The player task keeps both, where the packets they
//! limit arrive: a frozen character's walks are put back, and every warp offered to a jailed
//! character leads to the jail (a warp tile, a scroll, an operator's `$warp`) until `$unjail`.

use eo_protocol::net::server::{
    TalkServerServerPacket, WalkCloseServerPacket, WalkOpenServerPacket,
};

use super::actor::{Disconnect, Player};
use super::handlers::offer_warp;
use crate::db::{Character, JailState};

/// The restraints on one player.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Restraints {
    pub jailed: bool,
    pub frozen: bool,
}

/// An operator's change of a restraint, sent to the player task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restraint {
    /// Jailed (stored already): offer the warp to the jail.
    Jail,
    /// Freed (stored already): offer the warp to the free point.
    Free,
    Freeze,
    Unfreeze,
}

/// Puts an operator's restraint in force and tells the player (first, so the line comes
/// before the warp it explains).
pub(super) async fn apply(player: &mut Player, restraint: Restraint) -> Result<(), Disconnect> {
    let config = player.context.config.get();
    let (message, warp) = match restraint {
        Restraint::Jail => {
            player.restraints.jailed = true;
            ("You have been sent to jail.", Some(config.jail.jail()))
        }
        Restraint::Free => {
            player.restraints.jailed = false;
            ("You are free to go.", Some(config.jail.free()))
        }
        Restraint::Freeze => {
            player.restraints.frozen = true;
            player.send(&WalkCloseServerPacket).await?;
            ("You have been frozen: you cannot walk.", None)
        }
        Restraint::Unfreeze => {
            player.restraints.frozen = false;
            player.send(&WalkOpenServerPacket).await?;
            ("You can walk again.", None)
        }
    };
    player
        .send(&TalkServerServerPacket {
            message: message.to_owned(),
        })
        .await?;
    match warp {
        Some((map, x, y)) => offer_warp(player, map, x, y).await,
        None => Ok(()),
    }
}

/// A character chosen to enter the game: a jailed one enters in the jail (on the jail map it
/// keeps its tile), whatever its saved position; one freed while offline enters at the free
/// point.
pub(super) async fn on_entering(player: &mut Player, character: &mut Character) {
    let state = match player.context.db.take_jail_state(character.id).await {
        Ok(state) => state,
        Err(error) => {
            // Let in where it was saved: a database that cannot answer this fails the saves
            // that follow too, which the operator sees.
            tracing::warn!(%error, character = %character.name, "the jail could not be read");
            JailState::Free
        }
    };
    player.restraints.jailed = state == JailState::Jailed;
    let jail = player.context.config.get().jail.clone();
    let to = match state {
        JailState::Jailed if character.map != jail.map => Some(jail.jail()),
        JailState::Released => Some(jail.free()),
        _ => None,
    };
    if let Some((map, x, y)) =
        to.filter(|(map, _, _)| player.context.data.get().maps.contains_key(map))
    {
        (character.map, character.x, character.y) = (map, x, y);
    }
}

/// Where a warp offered to this player really leads: the jail for a jailed character bound
/// elsewhere.
pub(super) fn destination(player: &Player, map: u16, x: u8, y: u8) -> (u16, u8, u8) {
    let jail = player.context.config.get().jail.jail();
    if player.restraints.jailed
        && map != jail.0
        && player.context.data.get().maps.contains_key(&jail.0)
    {
        jail
    } else {
        (map, x, y)
    }
}
