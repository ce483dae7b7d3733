//! `arena` and `board` (EOSERV's): the arena of a map launched now, and any board opened in the
//! giver's client wherever it stands.

use eo_control::{BoardArgs, MapArgs};
use serde_json::json;

use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::map::AdminAction;

impl Admin {
    /// `arena`: the arena of the giver's map (or `--map`) sends in whoever stands on its
    /// launch tiles now, however few and however full the arena (map/arena.rs).
    pub(super) async fn arena(
        &self,
        caller: &Caller<'_>,
        MapArgs { map }: MapArgs,
    ) -> CommandResult {
        let (map, handle) = self.target_map(caller, map, "give the map (--map)").await?;
        let done = handle
            .admin(AdminAction::ArenaLaunch)
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        Ok(json!({ "map": map, "launched": done.count }))
    }

    /// `board`: board 1 to 8 (the admin board, `[boards] admin_board`, when left out) opens in
    /// the giver's client, and stays usable there until another board is opened. The admin
    /// board needs `[boards] admin_level` as at its tile.
    pub(super) async fn board(
        &self,
        caller: &Caller<'_>,
        BoardArgs { board }: BoardArgs,
    ) -> CommandResult {
        let boards = self.context.config.get().boards.clone();
        let board = match board {
            Some(board) => board,
            None if boards.admin_board != 0 => boards.admin_board,
            None => {
                return Err(CommandError::bad_request(
                    "this server has no admin board ([boards] admin_board): give a board, 1 to 8",
                ));
            }
        };
        if !(1..=crate::config::BOARD_COUNT).contains(&board) {
            return Err(CommandError::bad_request(format!(
                "the boards are 1 to {}",
                crate::config::BOARD_COUNT
            )));
        }
        let giver = self.giver(caller).await?;
        let level = caller
            .acting
            .as_ref()
            .map_or(u8::MAX, |acting| acting.level);
        if boards.is_admin_board(board) && level < boards.admin_level {
            return Err(CommandError::forbidden(format!(
                "board {board} is the admin board: it needs admin level {}",
                boards.admin_level
            )));
        }
        giver.handle.open_board(board);
        Ok(json!({ "name": giver.name, "board": board }))
    }
}
