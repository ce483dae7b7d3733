//! The player task's part of a divorce (map/marriage.rs has the rest): the map cleared its
//! own character's partner and took the fee; the other partner may be offline or on another
//! map, so this task clears that side in the database (only if it still names this
//! character) and, if the partner plays, has its task tell its map.

use tracing::warn;

use crate::player::actor::{Player, State};

/// This task's character divorced `former`: ends the other side.
pub(crate) async fn end_marriage(player: &mut Player, former: String) {
    let State::InGame(game) = &player.state else {
        return;
    };
    let me = game.name.clone();
    if let Err(error) = player.context.db.clear_partner(&former, &me).await {
        warn!(addr = %player.addr, %error, "a divorce could not be written for the partner");
    }
    if let Some(partner) = player.context.world.player(former).await {
        partner.handle.divorced_by(me);
    }
}
