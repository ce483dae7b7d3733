//! Players_Request (the online list), Players_Accept (#find), Paperdoll_Request.

use crate::player::actor::{Disconnect, Player, State};

fn player_id(player: &Player) -> Result<u16, Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(_), Some(id)) => Ok(id),
        _ => Err(Disconnect::Closed("an in-game packet outside the game")),
    }
}

/// Players_Request: the world sends the list.
pub(super) fn list(player: &mut Player) -> Result<(), Disconnect> {
    let id = player_id(player)?;
    player.context.world.online_list(id);
    Ok(())
}

/// Players_List: the world sends the names of everyone in the game; the client shows its
/// friends among them.
pub(super) fn friends(player: &mut Player) -> Result<(), Disconnect> {
    let id = player_id(player)?;
    player.context.world.friends_list(id);
    Ok(())
}

/// Players_Accept: #find a player by name.
pub(super) fn find(player: &mut Player, name: String) -> Result<(), Disconnect> {
    let id = player_id(player)?;
    player.context.world.find(id, name);
    Ok(())
}

/// Paperdoll_Request: the map holding the character answers (one's own, or another's through
/// the world and that player's task).
pub(super) async fn request(player: &mut Player, target: u16) -> Result<(), Disconnect> {
    let id = player_id(player)?;
    if target == id {
        if let State::InGame(game) = &player.state {
            game.map.paperdoll(id, player.handle.clone()).await;
        }
        return Ok(());
    }
    player.context.world.paperdoll(id, target);
    Ok(())
}
