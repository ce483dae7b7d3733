//! `remap` and `repub`: a map's file, or the pub files, reread from `world.data_dir` and put
//! in force while the server runs (EOSERV's `$remap` and `$repub`).
//!
//! The files are read and checked first (a file that does not decode, or a map that would
//! leave the spawn point or an arena on a wall, is refused and nothing changes); then the new
//! [`GameData`] is put in force whole: first for the player tasks (`LiveData`), then on each
//! map, which takes it between two messages (map/reload.rs). In that order a client told the
//! new map's rid (a warp offer) enters a map that already has it, and a client on the map when
//! it changes is sent the new file by the map. One reload runs at a time.

use std::sync::Arc;

use eo_control::{RemapArgs, RepubArgs};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::data::{GameData, Pubs};
use crate::map::{DataChange, DataSwapped, MapError};

/// What `repub --announce` tells the players in the game when a file their client holds
/// changed: the official client reads the pub files only when it enters the game.
pub const REPUB_MESSAGE: &str =
    "The game's item, NPC, spell or class files changed. Log out and in again to load them.";

/// A file that did not load or check: `failed`, naming the file and what is wrong.
fn refused(error: impl std::fmt::Display) -> CommandError {
    CommandError::new(ErrorCode::Failed, format!("{error}; nothing was changed"))
}

impl Admin {
    /// The folder the world's files are reread from; the bundled world has none.
    fn data_dir(&self) -> Result<std::path::PathBuf, CommandError> {
        let config = self.context.config.get();
        if config.world.uses_bundled() {
            return Err(CommandError::new(
                ErrorCode::Failed,
                "the server runs the bundled world (no world.data_dir): there are no files to reread",
            ));
        }
        Ok(config.world.data_dir.clone())
    }

    /// `remap [MAP]`: rereads the map's file (the giver's map in the game) and puts it in
    /// force; the players on it are sent the new file.
    pub(super) async fn remap(
        &self,
        caller: &Caller<'_>,
        RemapArgs { map }: RemapArgs,
    ) -> CommandResult {
        let (map, handle) = self
            .target_map(caller, map, "give the map: remap MAP")
            .await?;
        let dir = self.data_dir()?;
        let _one_at_a_time = self.context.data.reloading().await;
        let current = self.context.data.get();
        let read = Arc::clone(&current);
        let new_map = tokio::task::spawn_blocking(move || read.reread_map(&dir, map))
            .await
            .map_err(|e| CommandError::new(ErrorCode::Failed, e.to_string()))?
            .map_err(refused)?;
        if current.map(map).is_some_and(|old| old.file == new_map.file) {
            return Ok(json!({ "map": map, "changed": false }));
        }
        let (rid, size) = (new_map.rid, new_map.file.len());
        let candidate = current.with_map(new_map);
        self.check_map(&candidate, map)?;
        let candidate = Arc::new(candidate);
        self.context.data.replace(Arc::clone(&candidate));
        let done = handle
            .new_data(Arc::clone(&candidate), DataChange::Remap)
            .await;
        let others = self
            .context
            .maps
            .values()
            .filter(|other| other.id != map)
            .map(|other| other.new_data(Arc::clone(&candidate), DataChange::Copy));
        let late = futures_util::future::join_all(others)
            .await
            .into_iter()
            .filter(Result::is_err)
            .count();
        if late > 0 {
            warn!(
                map,
                late, "maps that did not take the new data in time take it later"
            );
        }
        info!(map, size, "map file reloaded by an operator");
        let mut result = json!({
            "map": map,
            "changed": true,
            "rid": rid,
            "size": size,
        });
        merge(&mut result, &done, map);
        Ok(result)
    }

    /// The checks start-up makes that a changed map could fail: the spawn point and areas,
    /// and the map's arena.
    fn check_map(&self, candidate: &GameData, map: u16) -> Result<(), CommandError> {
        let config = self.context.config.get();
        crate::data::SpawnPoints::new(&config.world, candidate).map_err(refused)?;
        if let Some(data) = candidate.map(map) {
            candidate.arenas.check_map(data).map_err(refused)?;
        }
        Ok(())
    }

    /// `repub [--announce]`: rereads the pub files and the server's files that go with them
    /// and puts them in force; with `announce`, the players are told to log in again when a
    /// file their client holds changed.
    pub(super) async fn repub(&self, RepubArgs { announce, .. }: RepubArgs) -> CommandResult {
        let dir = self.data_dir()?;
        let _one_at_a_time = self.context.data.reloading().await;
        let current = self.context.data.get();
        let maps = current.maps.clone();
        let pubs = tokio::task::spawn_blocking(move || Pubs::reread(&dir, &maps))
            .await
            .map_err(|e| CommandError::new(ErrorCode::Failed, e.to_string()))?
            .map_err(refused)?;
        let changed: Vec<&str> = [
            ("items", current.items.file == pubs.items.file),
            ("npcs", current.npcs.file == pubs.npcs.file),
            ("spells", current.spells.file == pubs.spells.file),
            ("classes", current.classes.file == pubs.classes.file),
        ]
        .into_iter()
        .filter(|(_, same)| !same)
        .map(|(name, _)| name)
        .collect();
        let candidate = Arc::new(current.with_pubs(pubs));
        self.context.data.replace(Arc::clone(&candidate));
        let message = (announce && !changed.is_empty()).then(|| REPUB_MESSAGE.to_owned());
        let swaps = self.context.maps.values().map(|map| {
            map.new_data(
                Arc::clone(&candidate),
                DataChange::Repub {
                    announce: message.clone(),
                },
            )
        });
        let (mut told, mut npcs_gone, mut late) = (0u32, 0usize, 0usize);
        for swapped in futures_util::future::join_all(swaps).await {
            match swapped {
                Ok(done) => {
                    told = told.saturating_add(done.players);
                    npcs_gone += done.npcs_gone;
                }
                Err(_) => late += 1,
            }
        }
        info!(
            ?changed,
            told, npcs_gone, late, "pub files reloaded by an operator"
        );
        Ok(json!({
            "changed": changed,
            "items": candidate.items.count,
            "npcs": candidate.npcs.count,
            "spells": candidate.spells.count,
            "classes": candidate.classes.count,
            "told": told,
            "npcs_gone": npcs_gone,
            "maps_late": late,
        }))
    }
}

/// What the remapped map did, into `result`.
fn merge(result: &mut Value, done: &Result<DataSwapped, MapError>, map: u16) {
    match done {
        Ok(done) => {
            result["players"] = json!(done.players);
            result["moved"] = done
                .moved
                .iter()
                .map(|(name, x, y)| json!({ "name": name, "x": x, "y": y }))
                .collect();
            result["npcs_replaced"] = json!(done.npcs_replaced);
            result["items_removed"] = json!(done.items_removed);
        }
        Err(error) => {
            warn!(map, %error, "the remapped map did not answer in time");
            result["note"] = json!(format!(
                "map {map} did not answer in time ({error}); it takes the new file when it does"
            ));
        }
    }
}
