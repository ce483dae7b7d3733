//! Account_Request, Account_Create, Account_Agree: creating accounts and changing passwords.

use eo_protocol::net::client::{
    AccountAgreeClientPacket, AccountCreateClientPacket, AccountRequestClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, AccountReplyServerPacket, AccountReplyServerPacketReplyCodeData,
    AccountReplyServerPacketReplyCodeDataDefault,
};

use super::login::{count_wrong_password, trusted_address};
use super::session_id;
use crate::auth::AuthError;
use crate::db::{DbError, NewAccount};
use crate::player::actor::{Disconnect, Player, State};

/// Account names: 4 to 16 lowercase letters and digits (as EOSERV's defaults).
pub(super) const ACCOUNT_NAME_LEN: std::ops::RangeInclusive<usize> = 4..=16;
/// Passwords: 6 to 12 characters, the official client's limits.
pub(super) const PASSWORD_LEN: std::ops::RangeInclusive<usize> = 6..=12;
/// The free-text fields of an account (real name, location, email, computer, hdid).
const TEXT_FIELD_MAX: usize = 64;

/// The account name as stored: lowercase; `None` if it is not a valid name.
pub(crate) fn account_name(name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    (ACCOUNT_NAME_LEN.contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    .then_some(name)
}

fn valid_password(password: &str) -> bool {
    PASSWORD_LEN.contains(&password.chars().count())
}

async fn reply(player: &mut Player, code: AccountReply) -> Result<(), Disconnect> {
    player
        .send(&AccountReplyServerPacket {
            reply_code: code,
            reply_code_data: None,
        })
        .await
}

fn not_logged_in(player: &Player) -> Result<(), Disconnect> {
    match player.state {
        State::Accepted => Ok(()),
        _ => Err(Disconnect::Closed(
            "account packets are for the login screen",
        )),
    }
}

/// Account_Request: is this name free? If so, a session id and a new sequence start.
pub(super) async fn request(
    player: &mut Player,
    packet: AccountRequestClientPacket,
) -> Result<(), Disconnect> {
    not_logged_in(player)?;
    let Some(name) = account_name(&packet.username) else {
        return reply(player, AccountReply::NotApproved).await;
    };
    match player.context.db.account_by_name(&name).await {
        Ok(Some(_)) => return reply(player, AccountReply::Exists).await,
        Ok(None) => {}
        Err(_) => return reply(player, AccountReply::NotApproved).await,
    }
    let session = session_id(player);
    player.account_session = Some(session);
    let sequence_start = player.sequencer.account_reply_start(&mut player.rng);
    player
        .send(&AccountReplyServerPacket {
            reply_code: AccountReply::Unrecognized(u32::from(session)),
            reply_code_data: Some(AccountReplyServerPacketReplyCodeData::Default(
                AccountReplyServerPacketReplyCodeDataDefault { sequence_start },
            )),
        })
        .await
}

/// Account_Create: hashes the password and stores the account; the reply is sent only once
/// the account is committed.
pub(super) async fn create(
    player: &mut Player,
    packet: AccountCreateClientPacket,
) -> Result<(), Disconnect> {
    not_logged_in(player)?;
    if player.account_session.take() != Some(packet.session_id) {
        return Err(Disconnect::Closed("Account_Create without its session"));
    }
    let Some(username) = account_name(&packet.username) else {
        return reply(player, AccountReply::NotApproved).await;
    };
    let texts = [
        &packet.full_name,
        &packet.location,
        &packet.email,
        &packet.computer,
        &packet.hdid,
    ];
    if !valid_password(&packet.password) || texts.iter().any(|t| t.len() > TEXT_FIELD_MAX) {
        return reply(player, AccountReply::NotApproved).await;
    }
    // No "busy" reply exists for account creation; the client may try again.
    let Ok(slot) = player
        .context
        .login_guard
        .hash_new_password(player.addr.ip())
        .await
    else {
        return reply(player, AccountReply::NotApproved).await;
    };
    let hashed = player.context.hasher.hash(packet.password).await;
    drop(slot);
    let password_hash = match hashed {
        Ok(hash) => hash,
        Err(AuthError::Busy) => return reply(player, AccountReply::NotApproved).await,
        Err(_) => return reply(player, AccountReply::NotApproved).await,
    };
    let account = NewAccount {
        username,
        password_hash,
        real_name: packet.full_name,
        location: packet.location,
        email: packet.email,
        computer: packet.computer,
        hdid: packet.hdid,
        created_ip: player.addr.ip().to_string(),
    };
    match player.context.db.create_account(account).await {
        Ok(_) => reply(player, AccountReply::Created).await,
        Err(DbError::AccountExists) => reply(player, AccountReply::Exists).await,
        Err(_) => reply(player, AccountReply::NotApproved).await,
    }
}

/// Account_Agree: change a password, given the old one. Only a logged-in player may, and only
/// its own account's (the official client offers it on the character screen). A wrong old
/// password counts as a wrong login password (`[login]`), and a locked account or address is
/// refused without checking it.
pub(super) async fn change_password(
    player: &mut Player,
    packet: AccountAgreeClientPacket,
) -> Result<(), Disconnect> {
    let Some(own) = player.account_id() else {
        return Err(Disconnect::Closed("Account_Agree before logging in"));
    };
    let Some(name) = account_name(&packet.username) else {
        return reply(player, AccountReply::ChangeFailed).await;
    };
    let account = match player.context.db.account_by_name(&name).await {
        Ok(Some(account)) if account.id == own => account,
        _ => return reply(player, AccountReply::ChangeFailed).await,
    };
    if !valid_password(&packet.new_password) {
        return reply(player, AccountReply::ChangeFailed).await;
    }
    let trusted = trusted_address(player, &account);
    let Ok(slot) = player
        .context
        .login_guard
        .check_password(player.addr.ip(), Some(account.id), trusted)
        .await
    else {
        return reply(player, AccountReply::ChangeFailed).await;
    };
    let hasher = player.context.hasher.clone();
    match hasher
        .verify(packet.old_password, account.password_hash.clone())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            drop(slot);
            let counted = count_wrong_password(player, Some(&account)).await;
            reply(player, AccountReply::ChangeFailed).await?;
            return counted;
        }
        Err(_) => return reply(player, AccountReply::ChangeFailed).await,
    }
    let hashed = hasher.hash(packet.new_password).await;
    drop(slot);
    let Ok(hash) = hashed else {
        return reply(player, AccountReply::ChangeFailed).await;
    };
    match player.context.db.set_password(account.id, hash).await {
        Ok(()) => reply(player, AccountReply::Changed).await,
        Err(_) => reply(player, AccountReply::ChangeFailed).await,
    }
}
