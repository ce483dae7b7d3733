//! Login_Request: checks the password and the world's guard against double logins.

use eo_protocol::net::client::LoginRequestClientPacket;
use eo_protocol::net::server::{
    LoginReply, LoginReplyServerPacket, LoginReplyServerPacketReplyCodeData,
    LoginReplyServerPacketReplyCodeDataOk,
};
use tracing::info;

use super::account::account_name;
use super::character::selection_list;
use crate::auth::AuthError;
use crate::db::unix_now;
use crate::player::actor::{Disconnect, Player, State};
use crate::world::LoginRefused;

async fn reply(player: &mut Player, code: LoginReply) -> Result<(), Disconnect> {
    player
        .send(&LoginReplyServerPacket {
            reply_code: code,
            reply_code_data: None,
        })
        .await
}

pub(super) async fn request(
    player: &mut Player,
    packet: LoginRequestClientPacket,
) -> Result<(), Disconnect> {
    if player.state != State::Accepted {
        return Err(Disconnect::Closed("Login_Request while logged in"));
    }
    let Some(name) = account_name(&packet.username) else {
        return reply(player, LoginReply::WrongUser).await;
    };
    let context = std::sync::Arc::clone(&player.context);
    let account = match context.db.account_by_name(&name).await {
        Ok(Some(account)) => account,
        Ok(None) => return reply(player, LoginReply::WrongUser).await,
        Err(_) => return reply(player, LoginReply::Busy).await,
    };
    match context
        .hasher
        .verify(packet.password, account.password_hash.clone())
        .await
    {
        Ok(true) => {}
        Ok(false) => return reply(player, LoginReply::WrongUserPassword).await,
        // The hashing queue is full: say so at once rather than make everyone wait.
        Err(AuthError::Busy) => return reply(player, LoginReply::Busy).await,
        Err(_) => return reply(player, LoginReply::WrongUserPassword).await,
    }
    if let Ok(Some(_)) = context
        .db
        .active_ban_for(Some(account.id), None, unix_now())
        .await
    {
        return reply(player, LoginReply::Banned).await;
    }
    let Some(player_id) = player.player_id else {
        return Err(Disconnect::Closed("no player id"));
    };
    match context
        .world
        .login(player_id, account.id, account.username.clone())
        .await
    {
        Ok(()) => {}
        Err(LoginRefused::AlreadyOnline) => return reply(player, LoginReply::LoggedIn).await,
        Err(LoginRefused::Full | LoginRefused::Unavailable) => {
            return reply(player, LoginReply::Busy).await;
        }
    }
    player.state = State::LoggedIn {
        account_id: account.id,
    };
    let _ = context
        .db
        .touch_login(account.id, &player.addr.ip().to_string())
        .await;
    info!(addr = %player.addr, account = %account.username, "logged in");
    let characters = selection_list(player, account.id).await?;
    player
        .send(&LoginReplyServerPacket {
            reply_code: LoginReply::Ok,
            reply_code_data: Some(LoginReplyServerPacketReplyCodeData::Ok(
                LoginReplyServerPacketReplyCodeDataOk { characters },
            )),
        })
        .await
}
