//! Login_Request: checks the password, the login guard's locks (`[login]`), bans, and the
//! world's guard against double logins.

use eo_protocol::net::client::LoginRequestClientPacket;
use eo_protocol::net::server::{
    LoginReply, LoginReplyServerPacket, LoginReplyServerPacketReplyCodeData,
    LoginReplyServerPacketReplyCodeDataOk,
};
use tracing::{info, warn};

use super::account::account_name;
use super::character::selection_list;
use crate::auth::guard::Refusal;
use crate::auth::{AuthError, legacy};
use crate::db::{Account, unix_now};
use crate::player::actor::{Disconnect, Player, State};
use crate::world::LoginRefused;

/// A refused login's outcome, as the metrics count it (`eo_logins_total`).
fn outcome(code: LoginReply) -> &'static str {
    match code {
        LoginReply::WrongUser => "wrong_user",
        LoginReply::WrongUserPassword => "wrong_password",
        LoginReply::Banned => "banned",
        LoginReply::LoggedIn => "already_online",
        LoginReply::Busy => "busy",
        LoginReply::Ok => "ok",
        _ => "other",
    }
}

async fn reply(player: &mut Player, code: LoginReply) -> Result<(), Disconnect> {
    reply_as(player, code, outcome(code)).await
}

/// Answers a refused login with `code`, counted in the metrics as `outcome`.
async fn reply_as(
    player: &mut Player,
    code: LoginReply,
    outcome: &'static str,
) -> Result<(), Disconnect> {
    player.context.metrics.login(outcome);
    player
        .send(&LoginReplyServerPacket {
            reply_code: code,
            reply_code_data: None,
        })
        .await
}

/// Answers Busy and closes the connection: the official client shows its "server busy"
/// message only once the connection is closed.
async fn busy_and_close(
    player: &mut Player,
    error: Disconnect,
    outcome: &'static str,
) -> Result<(), Disconnect> {
    reply_as(player, LoginReply::Busy, outcome).await?;
    Err(error)
}

/// Whether `account` was last logged into from this connection's address: its lock (when
/// others guessed its password) does not keep its owner out.
pub(super) fn trusted_address(player: &Player, account: &Account) -> bool {
    account.last_ip.as_deref() == Some(player.addr.ip().to_string().as_str())
}

/// Counts a wrong password (or an unknown account) on this connection: the login guard counts
/// it for the address and the account, the connection against `login.max_attempts`. The
/// error, once they are used up, closes the connection: send the reply first.
pub(super) async fn count_wrong_password(
    player: &mut Player,
    account: Option<&Account>,
) -> Result<(), Disconnect> {
    let ip = player.addr.ip();
    let account = account.map(|account| (account.id, account.username.as_str()));
    player.context.login_guard.failed(ip, account).await;
    player.wrong_passwords = player.wrong_passwords.saturating_add(1);
    let max = player.context.config.get().login.max_attempts;
    if max != 0 && player.wrong_passwords >= max {
        return Err(Disconnect::WrongPasswords(player.wrong_passwords));
    }
    Ok(())
}

pub(super) async fn request(
    player: &mut Player,
    packet: LoginRequestClientPacket,
) -> Result<(), Disconnect> {
    if player.state != State::Accepted {
        return Err(Disconnect::Closed("Login_Request while logged in"));
    }
    let context = std::sync::Arc::clone(&player.context);
    let account = match account_name(&packet.username) {
        None => None,
        Some(name) => match context.db.account_by_name(&name).await {
            Ok(account) => account,
            Err(_) => return reply(player, LoginReply::Busy).await,
        },
    };
    let trusted = account
        .as_ref()
        .is_some_and(|account| trusted_address(player, account));
    // A locked address or account is refused before any hashing: guessing costs the server
    // nothing while locked.
    let slot = match context
        .login_guard
        .check_password(player.addr.ip(), account.as_ref().map(|a| a.id), trusted)
        .await
    {
        Ok(slot) => slot,
        Err(Refusal::Locked) => {
            return busy_and_close(
                player,
                Disconnect::Refused("locked after failed logins"),
                "locked",
            )
            .await;
        }
        Err(Refusal::Busy) => return reply(player, LoginReply::Busy).await,
    };
    let Some(account) = account else {
        drop(slot);
        let counted = count_wrong_password(player, None).await;
        reply(player, LoginReply::WrongUser).await?;
        return counted;
    };
    // A hash kept from another server (`eo-admin import`) is replaced once the password is
    // known to be right, so the password is kept until then.
    let kept = legacy::is_legacy(&account.password_hash).then(|| packet.password.clone());
    let verified = context
        .hasher
        .verify(packet.password, account.password_hash.clone())
        .await;
    drop(slot);
    match verified {
        Ok(true) => {}
        Ok(false) => {
            let counted = count_wrong_password(player, Some(&account)).await;
            reply(player, LoginReply::WrongUserPassword).await?;
            return counted;
        }
        // The hashing queue is full: say so at once rather than make everyone wait.
        Err(AuthError::Busy) => return reply(player, LoginReply::Busy).await,
        Err(AuthError::InvalidHash(error)) => {
            warn!(account = %account.username, %error, "the account's stored password hash is of no scheme this server checks; login refused");
            return reply(player, LoginReply::WrongUserPassword).await;
        }
        Err(_) => return reply(player, LoginReply::WrongUserPassword).await,
    }
    if let Some(password) = kept {
        legacy::upgrade(
            &context.hasher,
            &context.db,
            account.id,
            &account.username,
            password,
        )
        .await;
    }
    // A ban that cannot be checked keeps the player out (fails closed).
    match context
        .db
        .active_ban_for(Some(account.id), None, unix_now())
        .await
    {
        Ok(None) => {}
        Ok(Some(_)) => return reply(player, LoginReply::Banned).await,
        Err(error) => {
            return busy_and_close(
                player,
                Disconnect::BanCheckFailed(error.to_string()),
                "busy",
            )
            .await;
        }
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
    context.metrics.login("ok");
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
