//! Parties (the world's, see `world/party.rs`): Party_Request, _Accept, _Remove, _Take, and
//! party chat (Talk_Open).

use eo_protocol::net::client::{PartyAcceptClientPacket, PartyRequestClientPacket};

use crate::player::actor::{Disconnect, Player, State};

/// The player id and map of a character in the game.
fn in_game(player: &Player) -> Result<(u16, crate::map::MapHandle), Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(game), Some(id)) => Ok((id, game.map.clone())),
        _ => Err(Disconnect::Closed("an in-game packet outside the game")),
    }
}

/// Party_Request: the character's map checks the target is in reach (on the map, visible,
/// within the see distance); then the world decides and tells both.
pub(super) async fn request(
    player: &mut Player,
    packet: PartyRequestClientPacket,
) -> Result<(), Disconnect> {
    let (id, map) = in_game(player)?;
    if let Some(hp) = map.reachable(id, packet.player_id).await {
        player
            .context
            .world
            .party_request(id, packet.player_id, packet.request_type, hp);
    }
    Ok(())
}

/// Party_Accept of a request the character got.
pub(super) fn accept(
    player: &mut Player,
    packet: PartyAcceptClientPacket,
) -> Result<(), Disconnect> {
    let (id, _) = in_game(player)?;
    player
        .context
        .world
        .party_accept(id, packet.inviter_player_id, packet.request_type);
    Ok(())
}

/// Party_Remove: leave (oneself) or, as the leader, kick.
pub(super) fn remove(player: &mut Player, target: u16) -> Result<(), Disconnect> {
    let (id, _) = in_game(player)?;
    player.context.world.party_remove(id, target);
    Ok(())
}

/// Party_Take: the member list again.
pub(super) fn take(player: &mut Player) -> Result<(), Disconnect> {
    let (id, _) = in_game(player)?;
    player.context.world.party_list(id);
    Ok(())
}

/// Talk_Open: party chat, to the other members (muted players say nothing).
pub(super) fn chat(player: &mut Player, message: String) -> Result<(), Disconnect> {
    let (id, _) = in_game(player)?;
    if player.muted() {
        return Ok(());
    }
    if let Some(message) = super::game::trimmed(message) {
        player.context.world.party_chat(id, message);
    }
    Ok(())
}
