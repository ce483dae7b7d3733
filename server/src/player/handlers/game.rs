//! In-game packets handled so far: walking, facing, public chat, refreshing the view.

use eo_protocol::Direction;
use eo_protocol::net::server::RefreshReplyServerPacket;

use crate::map::{MapHandle, WalkOutcome};
use crate::player::actor::{Disconnect, Player, State};

/// The longest chat message passed on (the official client's input box holds fewer).
const MAX_MESSAGE_LEN: usize = 128;

fn in_game(player: &Player) -> Result<(MapHandle, u16), Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(game), Some(id)) => Ok((game.map.clone(), id)),
        _ => Err(Disconnect::Closed("an in-game packet outside the game")),
    }
}

/// Walk_Player (and the admin and ghost variants, treated alike for now).
pub(super) async fn walk(player: &mut Player, direction: Direction) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    match map.walk(id, direction).await {
        WalkOutcome::Moved { .. } | WalkOutcome::Warp(_) => Ok(()),
        // The client moved already: put it back where the map has it.
        WalkOutcome::Blocked => refresh(player).await,
    }
}

/// Face_Player.
pub(super) async fn face(player: &mut Player, direction: Direction) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.face(id, direction).await;
    Ok(())
}

/// Talk_Report: say something to the players nearby.
pub(super) async fn talk(player: &mut Player, mut message: String) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    if message.is_empty() {
        return Ok(());
    }
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_LEN) {
        message.truncate(cut);
    }
    map.talk(id, message).await;
    Ok(())
}

/// Refresh_Request: what the player sees now.
pub(super) async fn refresh(player: &mut Player) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    let Some(nearby) = map.nearby(id).await else {
        return Err(Disconnect::Closed("the map did not answer"));
    };
    player.send(&RefreshReplyServerPacket { nearby }).await
}
