//! Moderation: kick, ban, unban, bans, mute and promote. A character may kick, ban, mute or
//! promote only characters below its own admin level (`hierarchy.rs`); a ban by IP address has
//! no character to compare with and needs only `ban`'s level, and `unban` acts on no character.

use std::collections::HashMap;
use std::time::Duration;

use eo_control::{BanArgs, BansArgs, DurationArg, KickArgs, MuteArgs, PromoteArgs, UnbanArgs};
use serde_json::json;

use super::args::{ban_secs, ip_arg, name_arg, parse_duration};
use super::{Admin, Caller, CommandError, CommandResult};
use crate::config::MAX_ADMIN_LEVEL;
use crate::db::{DbError, NewBan, unix_now};
use crate::world::KickTarget;

/// How long `mute` lasts when no duration is given (five minutes).
pub const DEFAULT_MUTE_SECS: u64 = 5 * 60;
/// The longest mute accepted (a week).
pub const MAX_MUTE_SECS: u64 = 7 * 24 * 60 * 60;

impl Admin {
    /// `kick`, and `skick` (`silent`: no announcement).
    pub(super) async fn kick(
        &self,
        caller: &Caller<'_>,
        KickArgs { name, reason }: KickArgs,
        silent: bool,
    ) -> CommandResult {
        let name = name_arg(&name)?;
        self.may_act_on(caller, if silent { "skick" } else { "kick" }, &name)
            .await?;
        let reason = reason.unwrap_or_else(|| "kicked by an operator".into());
        let kicked = self
            .context
            .world
            .kick(KickTarget::Character(name.clone()), reason)
            .await;
        if kicked.is_empty() {
            return Err(CommandError::not_found(format!(
                "{name} is not in the game"
            )));
        }
        if !silent {
            self.tell_everyone(caller, &kicked.join(", "), "was kicked")
                .await;
        }
        Ok(json!({ "kicked": kicked }))
    }

    /// The account a name means: the owner of the character of that name, else the account of
    /// that name. (id, username)
    async fn account_named(&self, name: &str) -> Result<(i64, String), CommandError> {
        let db = &self.context.db;
        if let Some(found) = db
            .account_of_character(name)
            .await
            .map_err(CommandError::db)?
        {
            return Ok(found);
        }
        match db.account_by_name(name).await.map_err(CommandError::db)? {
            Some(account) => Ok((account.id, account.username)),
            None => Err(CommandError::not_found(format!(
                "no character or account named {name}"
            ))),
        }
    }

    /// `ban`, and `sban` (`silent`: no announcement).
    pub(super) async fn ban(
        &self,
        caller: &Caller<'_>,
        args: BanArgs,
        silent: bool,
    ) -> CommandResult {
        let BanArgs {
            name,
            ip,
            duration,
            reason,
            ..
        } = args;
        let secs = ban_secs(duration)?;
        let expires_at = match secs {
            None => None,
            Some(secs) => Some(
                unix_now()
                    .checked_add(i64::try_from(secs).unwrap_or(i64::MAX))
                    .ok_or_else(|| CommandError::bad_request("the duration is too long"))?,
            ),
        };
        let reason = reason.unwrap_or_default();
        let banned_by = format!("{} ({})", caller.source.kind(), caller.who());
        let (ban, account, target) = match (name, ip) {
            (Some(name), None) => {
                let name = name_arg(&name)?;
                let (account_id, username) = self.account_named(&name).await?;
                self.may_act_on_account(
                    caller,
                    if silent { "sban" } else { "ban" },
                    &name,
                    account_id,
                )
                .await?;
                let ban = NewBan {
                    account_id: Some(account_id),
                    ip: None,
                    reason,
                    banned_by,
                    expires_at,
                };
                (ban, Some(username), KickTarget::Account(account_id))
            }
            (None, Some(ip)) => {
                let ip = ip_arg(&ip)?;
                let ban = NewBan {
                    account_id: None,
                    ip: Some(ip.to_string()),
                    reason,
                    banned_by,
                    expires_at,
                };
                (ban, None, KickTarget::Ip(ip))
            }
            _ => return Err(CommandError::bad_request("give either name or ip")),
        };
        let ip = ban.ip.clone();
        let id = self
            .context
            .db
            .add_ban(ban)
            .await
            .map_err(CommandError::db)?;
        let kicked = self.context.world.kick(target, "banned".into()).await;
        if !silent && !kicked.is_empty() {
            self.tell_everyone(caller, &kicked.join(", "), "was banned")
                .await;
        }
        Ok(json!({
            "id": id,
            "account": account,
            "ip": ip,
            "expires_at": expires_at,
            "kicked": kicked,
        }))
    }

    pub(super) async fn unban(&self, UnbanArgs { name, ip }: UnbanArgs) -> CommandResult {
        let db = &self.context.db;
        let (removed, what) = match (name, ip) {
            (Some(name), None) => {
                let (account_id, username) = self.account_named(&name_arg(&name)?).await?;
                let removed = db
                    .remove_bans(Some(account_id), None)
                    .await
                    .map_err(CommandError::db)?;
                (removed, format!("account {username}"))
            }
            (None, Some(ip)) => {
                let ip = ip_arg(&ip)?.to_string();
                let removed = db
                    .remove_bans(None, Some(&ip))
                    .await
                    .map_err(CommandError::db)?;
                (removed, format!("address {ip}"))
            }
            _ => return Err(CommandError::bad_request("give either name or ip")),
        };
        if removed == 0 {
            return Err(CommandError::not_found(format!("no ban on {what}")));
        }
        Ok(json!({ "removed": removed }))
    }

    pub(super) async fn bans(&self, BansArgs { all }: BansArgs) -> CommandResult {
        let db = &self.context.db;
        let now = unix_now();
        let mut names: HashMap<i64, Option<String>> = HashMap::new();
        let mut list = Vec::new();
        for ban in db.list_bans().await.map_err(CommandError::db)? {
            let active = ban.is_active(now);
            if !all && !active {
                continue;
            }
            let account = match ban.account_id {
                None => None,
                Some(id) => match names.get(&id) {
                    Some(name) => name.clone(),
                    None => {
                        let name = db.account_username(id).await.map_err(CommandError::db)?;
                        names.insert(id, name.clone());
                        name
                    }
                },
            };
            list.push(json!({
                "id": ban.id,
                "account": account,
                "ip": ban.ip,
                "reason": ban.reason,
                "banned_by": ban.banned_by,
                "created_at": ban.created_at,
                "expires_at": ban.expires_at,
                "active": active,
            }));
        }
        Ok(json!({ "bans": list }))
    }

    pub(super) async fn promote(
        &self,
        caller: &Caller<'_>,
        PromoteArgs { name, level }: PromoteArgs,
    ) -> CommandResult {
        let name = name_arg(&name)?;
        if level > MAX_ADMIN_LEVEL {
            return Err(CommandError::bad_request(format!(
                "the admin level is 0 to {MAX_ADMIN_LEVEL}"
            )));
        }
        self.may_act_on(caller, "promote", &name).await?;
        Self::may_give_level(caller, level)?;
        match self.context.db.set_admin_level(&name, level).await {
            Ok(()) => {}
            Err(DbError::NotFound) => {
                return Err(CommandError::not_found(format!(
                    "no character named {name}"
                )));
            }
            Err(error) => return Err(CommandError::db(error)),
        }
        let online = self
            .context
            .world
            .set_admin_level(name.clone(), level)
            .await;
        let note = if online {
            "applied now; the player's client shows it from its next login"
        } else {
            "applies from the character's next login"
        };
        Ok(json!({ "name": name, "level": level, "online": online, "note": note }))
    }

    /// `mute`, and `smute` (`silent`: only the character is told).
    pub(super) async fn mute(
        &self,
        caller: &Caller<'_>,
        MuteArgs { name, duration, .. }: MuteArgs,
        silent: bool,
    ) -> CommandResult {
        let secs = match duration {
            None => DEFAULT_MUTE_SECS,
            Some(DurationArg::Secs(secs)) => secs,
            Some(DurationArg::Text(text)) => parse_duration(&text)?.ok_or_else(|| {
                CommandError::bad_request("a mute cannot be permanent; give a duration")
            })?,
        };
        if secs > MAX_MUTE_SECS {
            return Err(CommandError::bad_request(format!(
                "a mute lasts at most {MAX_MUTE_SECS} seconds"
            )));
        }
        let name = name_arg(&name)?;
        self.may_act_on(caller, if silent { "smute" } else { "mute" }, &name)
            .await?;
        // Stored, so the mute outlives the session; told to the player task if it is online,
        // which checks each chat packet against it.
        let until = (secs > 0).then(|| unix_now().saturating_add_unsigned(secs));
        self.context
            .db
            .set_mute(name.clone(), until)
            .await
            .map_err(|error| match error {
                DbError::NotFound => CommandError::not_found(format!("no character named {name}")),
                other => CommandError::db(other),
            })?;
        let online = self.context.world.player(name.clone()).await;
        if let Some(player) = &online {
            player.handle.mute(Duration::from_secs(secs));
        }
        let is_online = online.is_some();
        let name = online.map_or(name, |player| player.name);
        if !silent && secs > 0 {
            self.tell_everyone(caller, &name, "was muted").await;
        }
        Ok(json!({ "name": name, "duration_secs": secs, "online": is_online }))
    }
}

impl Admin {
    /// Announces a moderation to everyone in the game, as EOSERV does for `kick`, `ban`, `mute`
    /// and `jail` (their `s` variants do not): "alice was kicked by bob." (by "Server" for the
    /// operator).
    pub(super) async fn tell_everyone(&self, caller: &Caller<'_>, target: &str, what: &str) {
        let by = caller.character().unwrap_or(super::SERVER_NAME);
        self.context
            .world
            .announce(
                super::SERVER_NAME.into(),
                format!("{target} {what} by {by}."),
            )
            .await;
    }
}
