//! Restraints: `jail`/`sjail` and `unjail` (stored, so a jail holds over logins and restarts;
//! `[jail]` says where) and `freeze`/`unfreeze` (for the session). The player task keeps them
//! and enforces them (player/restraints.rs). Each acts on a character below the giver's admin
//! level (`hierarchy.rs`).

use eo_control::NameArgs;
use serde_json::json;

use super::args::name_arg;
use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::db::DbError;
use crate::player::Restraint;

impl Admin {
    /// Checks that `(map, x, y)` is a tile of a loaded map (for `key`'s error).
    fn check_point(&self, key: &str, (map, x, y): (u16, u8, u8)) -> Result<(), CommandError> {
        match self.context.data.get().maps.get(&map) {
            Some(data) if x < data.width && y < data.height => Ok(()),
            Some(_) => Err(CommandError::new(
                ErrorCode::Failed,
                format!("[jail] {key}: ({x}, {y}) is outside map {map}"),
            )),
            None => Err(CommandError::new(
                ErrorCode::Failed,
                format!("[jail] {key}: there is no map {map} in this world"),
            )),
        }
    }

    /// `jail` and `sjail` (`silent`: only the character is told). Jailing a jailed character
    /// sends it to the jail again (`changed` is false).
    pub(super) async fn jail(
        &self,
        caller: &Caller<'_>,
        NameArgs { name }: NameArgs,
        silent: bool,
    ) -> CommandResult {
        let command = if silent { "sjail" } else { "jail" };
        let name = name_arg(&name)?;
        self.may_act_on(caller, command, &name).await?;
        let jail = self.context.config.get().jail.jail();
        self.check_point("map", jail)?;
        let already = self
            .context
            .db
            .jail(name.clone(), caller.who())
            .await
            .map_err(|error| match error {
                DbError::NotFound => CommandError::not_found(format!("no character named {name}")),
                other => CommandError::db(other),
            })?;
        let online = self.context.world.player(name.clone()).await;
        if let Some(player) = &online {
            player.handle.restrain(Restraint::Jail);
        }
        let is_online = online.is_some();
        let name = online.map_or(name, |player| player.name);
        if !silent {
            self.tell_everyone(caller, &name, "was sent to jail").await;
        }
        let (map, x, y) = jail;
        Ok(json!({
            "name": name, "jailed": true, "changed": !already, "online": is_online,
            "map": map, "x": x, "y": y,
        }))
    }

    /// `unjail`: the character is no longer jailed, and goes to `[jail] free_map`: at once if
    /// it is in the game, else when it next enters.
    pub(super) async fn unjail(
        &self,
        caller: &Caller<'_>,
        NameArgs { name }: NameArgs,
    ) -> CommandResult {
        let name = name_arg(&name)?;
        self.may_act_on(caller, "unjail", &name).await?;
        let free = self.context.config.get().jail.free();
        self.check_point("free_map", free)?;
        let online = self.context.world.player(name.clone()).await;
        let was_jailed = self
            .context
            .db
            .unjail(name.clone(), online.is_some())
            .await
            .map_err(|error| match error {
                DbError::NotFound => CommandError::not_found(format!("no character named {name}")),
                other => CommandError::db(other),
            })?;
        if !was_jailed {
            return Err(CommandError::not_found(format!("{name} is not jailed")));
        }
        if let Some(player) = &online {
            player.handle.restrain(Restraint::Free);
        }
        let is_online = online.is_some();
        let name = online.map_or(name, |player| player.name);
        let (map, x, y) = free;
        Ok(json!({
            "name": name, "jailed": false, "online": is_online, "map": map, "x": x, "y": y,
        }))
    }

    /// `freeze` (`frozen`) and `unfreeze`: a character in the game.
    pub(super) async fn freeze(
        &self,
        caller: &Caller<'_>,
        NameArgs { name }: NameArgs,
        frozen: bool,
    ) -> CommandResult {
        let command = if frozen { "freeze" } else { "unfreeze" };
        self.may_act_on(caller, command, name.trim()).await?;
        let player = self.online(&name).await?;
        player.handle.restrain(if frozen {
            Restraint::Freeze
        } else {
            Restraint::Unfreeze
        });
        Ok(json!({ "name": player.name, "frozen": frozen }))
    }
}
