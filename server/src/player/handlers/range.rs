//! NpcRange_Request, PlayerRange_Request and Range_Request: a client asks about NPCs or
//! characters it was told of but does not know yet; its map answers with those it can see.

use crate::player::actor::{Disconnect, Player, State};

fn in_game(player: &Player) -> Result<(crate::map::MapHandle, u16), Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(game), Some(id)) => Ok((game.map.clone(), id)),
        _ => Err(Disconnect::Closed("an in-game packet outside the game")),
    }
}

/// NpcRange_Request: answered with Npc_Agree.
pub(super) async fn npcs(player: &mut Player, indexes: Vec<u8>) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.npc_range(id, indexes).await;
    Ok(())
}

/// Range_Request, and PlayerRange_Request (characters only): answered with Range_Reply, as
/// EOSERV answers both.
pub(super) async fn both(
    player: &mut Player,
    player_ids: Vec<u16>,
    npc_indexes: Vec<u8>,
) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.range(id, player_ids, npc_indexes).await;
    Ok(())
}
