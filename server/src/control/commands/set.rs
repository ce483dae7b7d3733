//! `set`: a number of a character in the game (level, experience, a stat, stat or skill
//! points, karma), `learn`: a spell, and `strip`: what it wears; each changed by the map that holds the character
//! (map/admin.rs), which checks the game's limits and tells the client. On a character below
//! the giver's admin level.

use eo_control::{LearnArgs, NameArgs, SetArgs};
use serde_json::json;

use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::map::AdminAction;

impl Admin {
    pub(super) async fn set(
        &self,
        caller: &Caller<'_>,
        SetArgs { name, field, value }: SetArgs,
    ) -> CommandResult {
        self.may_act_on(caller, "set", name.trim()).await?;
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::Set {
                player_id: player.player_id,
                field,
                value,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        Ok(json!({ "name": player.name, "field": field.name(), "value": done.count }))
    }

    /// `learn`: on a character below the giver's level (or the giver itself).
    pub(super) async fn learn(
        &self,
        caller: &Caller<'_>,
        LearnArgs { name, spell, level }: LearnArgs,
    ) -> CommandResult {
        self.may_act_on(caller, "learn", name.trim()).await?;
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::Learn {
                player_id: player.player_id,
                spell,
                level,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        Ok(json!({ "name": player.name, "spell": spell, "level": done.count }))
    }

    /// `strip`: on a character below the giver's level (or the giver itself).
    pub(super) async fn strip(
        &self,
        caller: &Caller<'_>,
        NameArgs { name }: NameArgs,
    ) -> CommandResult {
        self.may_act_on(caller, "strip", name.trim()).await?;
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::Strip {
                player_id: player.player_id,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(|why| CommandError::new(ErrorCode::Failed, why))?;
        let still = done.equipment.iter().filter(|item| **item != 0).count();
        Ok(json!({ "name": player.name, "removed": done.count, "still_worn": still }))
    }
}
