//! `duty` (EOSERV's): the giver's connection switches to the first other character of its
//! account that is an admin, or back to the character it switched from
//! (player/handlers/duty.rs does it, in the giver's own task). Its `[admin] duty` level is
//! needed on some character of the giver's account, not on the giver: a player's own
//! character goes on duty as the account's admin, as with EOSERV's `UseDutyAdmin`.

use eo_control::DutyArgs;
use serde_json::json;

use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};

impl Admin {
    pub(super) async fn duty(
        &self,
        caller: &Caller<'_>,
        DutyArgs { here, .. }: DutyArgs,
    ) -> CommandResult {
        let giver = self.giver(caller).await?;
        let switched = giver
            .handle
            .duty(here)
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the player's task is gone"))?
            .map_err(CommandError::bad_request)?;
        Ok(json!({
            "name": switched.from,
            "now": switched.to,
            "on_duty": switched.on_duty,
            "here": here,
        }))
    }
}
