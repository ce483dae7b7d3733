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
