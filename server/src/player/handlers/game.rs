//! In-game packets handled so far: walking, facing, public chat, refreshing the view.

use eo_protocol::Direction;
use eo_protocol::net::server::RefreshReplyServerPacket;

use crate::map::{MapHandle, WalkOutcome};
use crate::player::actor::{Disconnect, Player, State};
use crate::world::Channel;

/// The longest chat message passed on (the official client's input box holds fewer).
const MAX_MESSAGE_LEN: usize = 128;

/// The player id of a character in the game.
fn playing(player: &Player) -> Result<u16, Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(_), Some(id)) => Ok(id),
        _ => Err(Disconnect::Closed("an in-game packet outside the game")),
    }
}

/// A chat message cut to the longest passed on; `None` if empty.
pub(super) fn trimmed(mut message: String) -> Option<String> {
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_LEN) {
        message.truncate(cut);
    }
    (!message.is_empty()).then_some(message)
}

/// Talk_Msg (global), Talk_Admin, Talk_Announce.
/// Talk_Request: guild chat, through the world to the other members in the game.
pub(super) fn guild_chat(player: &mut Player, message: String) -> Result<(), Disconnect> {
    let id = playing(player)?;
    if !player.muted() {
        player.context.world.guild_chat(id, message);
    }
    Ok(())
}

pub(super) fn world_chat(
    player: &mut Player,
    channel: Channel,
    message: String,
) -> Result<(), Disconnect> {
    let id = playing(player)?;
    if player.muted() {
        return Ok(());
    }
    // The level `[admin]` asks now (a reload applies at once); the world holds the admin
    // levels in force and checks the sender's, and each listener's for admin chat.
    let admin = &player.context.config.get().admin;
    let needed = match channel {
        Channel::Global => 0,
        Channel::Admin => admin.admin_chat,
        Channel::Announce => admin.announce,
    };
    if let Some(message) = trimmed(message) {
        player.context.world.chat(id, channel, needed, message);
    }
    Ok(())
}

/// Talk_Tell: a private message.
pub(super) fn whisper(player: &mut Player, to: String, message: String) -> Result<(), Disconnect> {
    let id = playing(player)?;
    if player.muted() {
        return Ok(());
    }
    if let Some(message) = trimmed(message) {
        player.context.world.whisper(id, to, message);
    }
    Ok(())
}

/// Global_Open / Global_Close: the global chat tab opened or closed.
pub(super) async fn global(player: &mut Player, on: bool) -> Result<(), Disconnect> {
    let id = playing(player)?;
    player.context.world.set_global(id, on).await;
    Ok(())
}

/// Emote_Report.
pub(super) async fn emote(
    player: &mut Player,
    emote: eo_protocol::Emote,
) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.emote(id, emote).await;
    Ok(())
}

/// Chair_Request: sit on the chair at `seat`, or stand up (`None`).
pub(super) async fn chair(player: &mut Player, seat: Option<(u8, u8)>) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.chair(id, seat).await;
    Ok(())
}

/// Sit_Request (floor): sit down or stand up.
pub(super) async fn sit(player: &mut Player, sit: bool) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.sit(id, sit).await;
    Ok(())
}

fn in_game(player: &Player) -> Result<(MapHandle, u16), Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(game), Some(id)) => Ok((game.map.clone(), id)),
        _ => Err(Disconnect::Closed("an in-game packet outside the game")),
    }
}

/// Walk_Player (and the admin and ghost variants, treated alike for now).
pub(super) async fn walk(player: &mut Player, direction: Direction) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    if player.restraints.frozen {
        // The client was told (Walk_Close) but moved anyway: put it back.
        return refresh(player).await;
    }
    match map.walk(id, direction).await {
        WalkOutcome::Moved { .. } => {
            super::player_commands::after_step(player).await;
            Ok(())
        }
        WalkOutcome::Warp(warp, _, _) => super::warp::step_on(player, warp).await,
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

/// Talk_Report: say something to the players nearby. A line starting with `$` is an admin
/// command, never said aloud.
pub(super) async fn talk(player: &mut Player, message: String) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    if message.starts_with('$') {
        return super::admin::run(player, &message);
    }
    if message.starts_with('#') && super::player_commands::run(player, &message).await? {
        return Ok(());
    }
    if player.muted() {
        return Ok(());
    }
    if let Some(message) = trimmed(message) {
        map.talk(id, message).await;
    }
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
