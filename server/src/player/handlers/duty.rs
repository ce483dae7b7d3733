//! `$duty` (EOSERV's): the connection switches from the character in play to the first other
//! character of the account that is an admin (going on duty), or back to the one it switched
//! from (going off duty), without a new login.
//!
//! The character in play leaves the game as at a logout (its map queues its save, and the
//! switch waits until that save is on disk, so switching back reads what was played). The
//! other one is loaded as at a login (its jail, its mute) and enters the game on the same map
//! and tile, the one the client shows: the client is sent what a login sends (Welcome_Reply
//! SelectCharacter, then EnterGame), as EOSERV does. Then it is offered a warp: back to where
//! it was last (its own saved place, or its jail), or, with `here` when going on duty, onto
//! the tile it stands on (so the client redraws what it sees, as EOSERV's warp after a switch
//! does). Going off duty always goes back to where the player's character was.
//!
//! Unlike EOSERV, the admin character keeps its own name (EOSERV shows it under the player
//! character's name): a name is how every other command and player finds a character.

use super::session_id;
use super::welcome::{enter_world, select_reply};
use crate::player::actor::{Disconnect, Player, State};
use crate::player::handle::DutySwitch;

/// Runs a `$duty` for this connection's character and answers `reply` with who it is now, or
/// why not.
pub(in crate::player) async fn switch(
    player: &mut Player,
    here: bool,
    reply: tokio::sync::oneshot::Sender<Result<DutySwitch, String>>,
) -> Result<(), Disconnect> {
    match run(player, here).await {
        Ok(outcome) => {
            let _ = reply.send(outcome);
            Ok(())
        }
        Err(disconnect) => {
            let _ = reply.send(Err("the connection closed while switching".to_owned()));
            Err(disconnect)
        }
    }
}

async fn run(player: &mut Player, here: bool) -> Result<Result<DutySwitch, String>, Disconnect> {
    let (State::InGame(game), Some(player_id)) = (&player.state, player.player_id) else {
        return Ok(Err("not in the game".to_owned()));
    };
    let (account_id, from_id, from_name, map) = (
        game.account_id,
        game.character_id,
        game.name.clone(),
        game.map.clone(),
    );
    let going_back = player.duty_from.is_some();
    let db = player.context.db.clone();
    let target_id = match player.duty_from {
        Some(id) => id,
        None => {
            let characters = match db.characters_of(account_id).await {
                Ok(characters) => characters,
                Err(error) => return Ok(Err(format!("the characters could not be read: {error}"))),
            };
            // EOSERV's choice: the account's first other character that is an admin.
            match characters
                .iter()
                .find(|c| c.id != from_id && c.admin_level > 0)
            {
                Some(admin) => admin.id,
                None => {
                    return Ok(Err(
                        "this account has no other character that is an admin".to_owned()
                    ));
                }
            }
        }
    };
    let mut target = match db.load_character(target_id).await {
        Ok(Some(character)) if character.account_id == account_id => character,
        Ok(_) => {
            // Deleted meanwhile: there is nothing to go back to.
            player.duty_from = None;
            return Ok(Err("that character is gone".to_owned()));
        }
        Err(error) => return Ok(Err(format!("the character could not be read: {error}"))),
    };
    // Out of the game as at a logout: from here the connection holds no character.
    player.context.world.leave_game(player_id).await;
    player.state = State::LoggedIn { account_id };
    let left = map.leave(player_id, None).await?;
    if let Err(error) = player.context.saves.barrier().await {
        tracing::error!(addr = %player.addr, %error, "a duty switch's save was not confirmed");
    }
    // What belonged to the character that left.
    player.muted_until = None;
    player.restraints = Default::default();
    player.pending_warp = None;
    player.guild = Default::default();
    player.remote_board = None;
    player.selected = None;
    crate::player::restraints::on_entering(player, &mut target).await;
    let last = (target.map, target.x, target.y);
    // In on the tile the client shows, facing as the other one did.
    (target.map, target.x, target.y, target.direction) = (map.id, left.x, left.y, left.direction);
    let to_name = target.name.clone();
    let session = session_id(player);
    let Some(select) = select_reply(player, &target, &map, session) else {
        return Err(Disconnect::Closed("no map to enter"));
    };
    player.send(&select).await?;
    enter_world(player, account_id, session, target, map.clone()).await?;
    player.duty_from = if going_back { None } else { Some(from_id) };
    let (to_map, x, y) = if here && !going_back {
        (map.id, left.x, left.y)
    } else {
        last
    };
    super::warp::offer(player, to_map, x, y).await?;
    tracing::info!(addr = %player.addr, from = %from_name, to = %to_name, on_duty = !going_back, "duty switch");
    Ok(Ok(DutySwitch {
        from: from_name,
        to: to_name,
        on_duty: !going_back,
    }))
}
