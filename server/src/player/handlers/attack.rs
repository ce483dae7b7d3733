//! Attack_Use: the character strikes the way it faces; its map decides what the blow hits.

use eo_protocol::Direction;

use crate::player::actor::{Disconnect, Player, State};

/// Attack_Use. The client's timestamp is not checked here (flood control is elsewhere).
pub(super) async fn attack(player: &mut Player, direction: Direction) -> Result<(), Disconnect> {
    let (State::InGame(game), Some(id)) = (&player.state, player.player_id) else {
        return Err(Disconnect::Closed("an in-game packet outside the game"));
    };
    game.map.attack(id, direction).await;
    Ok(())
}
