//! `sitem` (into a character's inventory) and `ditem` (on the ground at its feet, for
//! anyone): EOSERV's `$sitem`/`$ditem`, for the giver itself in the game, or for a character
//! named (below the giver's admin level). The map that holds the character moves the items
//! (map/admin.rs): it checks what the character can carry before anything moves. And `snpc`
//! / `dnpc`: NPCs summoned around a character, that never respawn, and their removal.

use eo_control::{ItemArgs, MapArgs, NpcArgs};
use serde_json::json;

use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::map::AdminAction;

impl Admin {
    /// The name of item `item`, or `not_found`.
    pub(super) fn item_name(&self, item: u16) -> Result<String, CommandError> {
        // The pub file's last record, "eof", is a terminator, not an item.
        crate::rules::stats::item(&self.context.data.get().items.data, item)
            .filter(|record| !record.name.eq_ignore_ascii_case("eof"))
            .map(|record| record.name.clone())
            .ok_or_else(|| CommandError::not_found(format!("there is no item {item}")))
    }

    /// An amount given to a command: 1 when left out, at most what one move carries.
    pub(super) fn item_amount(amount: Option<u32>) -> Result<u32, CommandError> {
        let amount = amount.unwrap_or(1);
        let most = crate::config::MAX_MOVED_AMOUNT;
        if amount == 0 || amount > most {
            return Err(CommandError::bad_request(format!(
                "the amount must be 1 to {most}"
            )));
        }
        Ok(amount)
    }

    /// `sitem` (`drop` false) and `ditem` (`drop` true).
    pub(super) async fn spawn_item(
        &self,
        caller: &Caller<'_>,
        ItemArgs { item, amount, name }: ItemArgs,
        drop: bool,
    ) -> CommandResult {
        let command = if drop { "ditem" } else { "sitem" };
        let amount = Self::item_amount(amount)?;
        let item_name = self.item_name(item)?;
        let player = match &name {
            Some(name) => {
                self.may_act_on(caller, command, name.trim()).await?;
                self.online(name).await?
            }
            None => self.giver(caller).await?,
        };
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let player_id = player.player_id;
        let action = if drop {
            AdminAction::DropItem {
                player_id,
                item,
                amount,
            }
        } else {
            AdminAction::SpawnItem {
                player_id,
                item,
                amount,
            }
        };
        let done = map
            .admin(action)
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        Ok(json!({
            "name": player.name, "item": item, "item_name": item_name, "amount": done.count,
            "map": player.map, "x": done.x, "y": done.y,
        }))
    }

    /// `snpc`: around the giver (or a character named, below the giver's level).
    pub(super) async fn summon_npcs(
        &self,
        caller: &Caller<'_>,
        NpcArgs { npc, amount, name }: NpcArgs,
    ) -> CommandResult {
        let amount = amount.unwrap_or(1);
        let most = crate::map::MAX_NPCS;
        if amount == 0 || usize::from(amount) > most {
            return Err(CommandError::bad_request(format!(
                "the amount must be 1 to {most}"
            )));
        }
        let player = match &name {
            Some(name) => {
                self.may_act_on(caller, "snpc", name.trim()).await?;
                self.online(name).await?
            }
            None => self.giver(caller).await?,
        };
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::SummonNpcs {
                player_id: player.player_id,
                npc,
                amount,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        if done.npcs.is_empty() {
            return Err(CommandError::new(
                ErrorCode::Failed,
                format!("map {} has no room for more NPCs", player.map),
            ));
        }
        Ok(json!({
            "npc": npc, "amount": done.npcs.len(), "indexes": done.npcs,
            "map": player.map, "x": done.x, "y": done.y,
        }))
    }

    /// `dnpc`: every NPC summoned on the map goes.
    pub(super) async fn dismiss_npcs(
        &self,
        caller: &Caller<'_>,
        MapArgs { map }: MapArgs,
    ) -> CommandResult {
        let (map, handle) = self.target_map(caller, map, "give the map (--map)").await?;
        let done = handle
            .admin(AdminAction::DismissNpcs)
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(|why| CommandError::new(ErrorCode::Failed, why))?;
        Ok(json!({ "map": map, "removed": done.npcs.len(), "indexes": done.npcs }))
    }
}
