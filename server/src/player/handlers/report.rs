//! The official client's help menu: AdminInteract_Tell (a message to the admins) and
//! AdminInteract_Report (a report of a player). Every admin in the game at `[boards]
//! admin_level` or above gets it at once (AdminInteract_Reply, as EOSERV sends it), and it is
//! posted on the admin board (`[boards] admin_board`, if there is one) so admins who were away
//! read it later, as EOSERV does. A report counts as its sender's post on the admin board,
//! under the same limits, so a flood of reports cannot push the others off the board.

use eo_protocol::net::server::{
    AdminInteractReplyServerPacket, AdminInteractReplyServerPacketMessageTypeData,
    AdminInteractReplyServerPacketMessageTypeDataMessage,
    AdminInteractReplyServerPacketMessageTypeDataReport, AdminMessageType,
};
use tracing::{debug, warn};

use crate::db::{NewBoardPost, PostLimits, unix_now};
use crate::net::packet;
use crate::player::actor::{Disconnect, Player, State};

/// AdminInteract_Tell.
pub(super) async fn tell(player: &mut Player, message: String) -> Result<(), Disconnect> {
    let name = in_game(player)?;
    let message = message.trim().to_owned();
    if message.is_empty() || player.muted() {
        return Ok(());
    }
    let reply = AdminInteractReplyServerPacket {
        message_type: AdminMessageType::Message,
        message_type_data: Some(AdminInteractReplyServerPacketMessageTypeData::Message(
            AdminInteractReplyServerPacketMessageTypeDataMessage {
                player_name: name.clone(),
                message: message.clone(),
            },
        )),
    };
    deliver(player, &reply, format!("Request from {name}"), message).await;
    Ok(())
}

/// AdminInteract_Report.
pub(super) async fn report(
    player: &mut Player,
    reportee: String,
    message: String,
) -> Result<(), Disconnect> {
    let name = in_game(player)?;
    let (reportee, message) = (reportee.trim().to_owned(), message.trim().to_owned());
    if reportee.is_empty() || message.is_empty() || player.muted() {
        return Ok(());
    }
    let reply = AdminInteractReplyServerPacket {
        message_type: AdminMessageType::Report,
        message_type_data: Some(AdminInteractReplyServerPacketMessageTypeData::Report(
            AdminInteractReplyServerPacketMessageTypeDataReport {
                player_name: name.clone(),
                message: message.clone(),
                reportee_name: reportee.clone(),
            },
        )),
    };
    deliver(
        player,
        &reply,
        format!("{name} reports {reportee}"),
        message,
    )
    .await;
    Ok(())
}

fn in_game(player: &Player) -> Result<String, Disconnect> {
    match &player.state {
        State::InGame(game) => Ok(game.name.clone()),
        _ => Err(Disconnect::Closed("an admin message outside the game")),
    }
}

/// Sends `reply` to the admins in the game and posts `subject` and `body` on the admin board.
async fn deliver(
    player: &mut Player,
    reply: &AdminInteractReplyServerPacket,
    subject: String,
    body: String,
) {
    let config = player.context.config.get();
    let boards = &config.boards;
    match packet::encode(reply) {
        Ok(encoded) => player.context.world.to_admins(boards.admin_level, encoded),
        Err(error) => warn!(addr = %player.addr, %error, "an admin message could not be encoded"),
    }
    let State::InGame(game) = &player.state else {
        return;
    };
    if boards.admin_board == 0 {
        return;
    }
    let now = unix_now();
    let recent = i64::try_from(boards.recent_post_secs).unwrap_or(i64::MAX);
    let post = NewBoardPost {
        board: boards.admin_board,
        character_id: game.character_id,
        subject: subject
            .chars()
            .take(usize::try_from(boards.max_subject_length).unwrap_or(usize::MAX))
            .collect(),
        body: body
            .chars()
            .take(usize::try_from(boards.max_post_length).unwrap_or(usize::MAX))
            .collect(),
        now,
    };
    let limits = PostLimits {
        keep: boards.keeps(boards.admin_board),
        max_user_posts: boards.max_user_posts,
        max_recent_posts: boards.max_recent_posts,
        recent_since: now.saturating_sub(recent),
    };
    match player.context.db.add_board_post(post, limits).await {
        Ok(posted) => debug!(addr = %player.addr, ?posted, "a message to the admins"),
        Err(error) => warn!(addr = %player.addr, %error, "a message to the admins was not posted"),
    }
}
