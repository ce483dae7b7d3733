//! `reload-quests`: rereads the EO+ quest files and puts them in force without a restart.
//! Characters keep their progress: it is kept by state name, and a state the new files lack
//! sends that character's quest back to its start (with a log line) the next time it is used.

use serde_json::json;
use tracing::info;

use super::{Admin, CommandResult};

impl Admin {
    pub(super) async fn reload_quests(&self) -> CommandResult {
        let config = self.context.config.get();
        let (quests, errors) = crate::quest::Quests::load_for(&config);
        let loaded = quests.len();
        self.context.data.get().quests.replace(quests);
        info!(loaded, failed = errors.len(), "quest files reloaded");
        Ok(json!({
            "quests": loaded,
            "errors": errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))
    }
}

/// `qstate` (EOSERV's): a character's quest goes to a state of its quest file, through the map
/// that holds the character (map/quests/): the state's actions run as if the quest had moved
/// there itself. On a character below the giver's admin level (or the giver itself).
impl Admin {
    pub(super) async fn qstate(
        &self,
        caller: &super::Caller<'_>,
        eo_control::QstateArgs { name, quest, state }: eo_control::QstateArgs,
    ) -> CommandResult {
        use super::{CommandError, ErrorCode};
        let name = super::args::name_arg(&name)?;
        self.may_act_on(caller, "qstate", &name).await?;
        let quest_name = self
            .context
            .data
            .get()
            .quests
            .current()
            .get(quest)
            .map(|q| q.name.clone())
            .ok_or_else(|| CommandError::not_found(format!("there is no quest {quest}")))?;
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(crate::map::AdminAction::QuestState {
                player_id: player.player_id,
                quest,
                state,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        Ok(json!({
            "name": player.name, "quest": quest, "quest_name": quest_name, "state": done.text,
        }))
    }
}
