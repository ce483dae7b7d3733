//! Commands about characters in the game: who is on, where they stand, warps, hiding and
//! giving items. Warping or giving to another character needs an admin level above that
//! character's (`hierarchy.rs`); `info` only reads, and needs only its `[admin]` level.

use std::collections::HashMap;

use eo_control::{GiveArgs, NameArgs, WarpArgs};
use serde_json::{Value, json};

use super::args::name_arg;
use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};

impl Admin {
    pub(super) async fn players(&self) -> CommandResult {
        let players = self.context.world.players().await;
        // Positions belong to the maps: ask each map with players on it once.
        let mut positions: HashMap<u16, (u16, u16)> = HashMap::new();
        let mut maps: Vec<u16> = players.iter().map(|p| p.map).collect();
        maps.sort_unstable();
        maps.dedup();
        for map in maps {
            if let Some(handle) = self.context.maps.get(&map) {
                for (id, x, y) in handle.positions().await {
                    positions.insert(id, (x, y));
                }
            }
        }
        let list: Vec<Value> = players
            .iter()
            .map(|p| {
                let at = positions.get(&p.player_id);
                json!({
                    "name": p.name,
                    "account": p.account,
                    "map": p.map,
                    "x": at.map(|a| a.0),
                    "y": at.map(|a| a.1),
                    "level": p.level,
                    "admin_level": p.admin_level,
                    "address": p.addr.to_string(),
                })
            })
            .collect();
        Ok(json!({ "players": list }))
    }

    /// The character named `name`, in the game.
    pub(super) async fn online(
        &self,
        name: &str,
    ) -> Result<crate::world::PlayerInfo, CommandError> {
        let name = name_arg(name)?;
        self.context
            .world
            .player(name.clone())
            .await
            .ok_or_else(|| CommandError::not_found(format!("{name} is not in the game")))
    }

    /// The character giving the command (in the game, or named with `as` on the socket); the
    /// operator has no character to move or hide.
    pub(super) async fn giver(
        &self,
        caller: &Caller<'_>,
    ) -> Result<crate::world::PlayerInfo, CommandError> {
        match caller.character() {
            Some(character) => self.online(character).await,
            None => Err(CommandError::bad_request(
                "this command is only for a character in the game (or \"as\" one)",
            )),
        }
    }

    /// The map a map command acts on and its handle: `map` when given, else the giver's own.
    /// `missing` is the refusal when there is neither (the operator has no map of its own).
    pub(super) async fn target_map(
        &self,
        caller: &Caller<'_>,
        map: Option<u16>,
        missing: &str,
    ) -> Result<(u16, crate::map::MapHandle), CommandError> {
        let map = match map {
            Some(map) => map,
            None if caller.character().is_some() => self.giver(caller).await?.map,
            None => return Err(CommandError::bad_request(missing)),
        };
        let handle = self
            .context
            .maps
            .get(&map)
            .cloned()
            .ok_or_else(|| CommandError::not_found(format!("there is no map {map}")))?;
        Ok((map, handle))
    }

    /// Where a character in the game stands: (map, x, y).
    pub(super) async fn position(
        &self,
        player: &crate::world::PlayerInfo,
    ) -> Result<(u16, u8, u8), CommandError> {
        let lost = || {
            CommandError::new(
                ErrorCode::Failed,
                format!("{} has no position", player.name),
            )
        };
        let map = self.context.maps.get(&player.map).ok_or_else(lost)?;
        let (_, x, y) = map
            .positions()
            .await
            .into_iter()
            .find(|(id, _, _)| *id == player.player_id)
            .ok_or_else(lost)?;
        let x = u8::try_from(x).map_err(|_| lost())?;
        let y = u8::try_from(y).map_err(|_| lost())?;
        Ok((player.map, x, y))
    }

    /// Puts items at a character's feet, for it alone to pick up for a while (EOSERV's
    /// `$sitem`, through the ground so the client's own pick-up shows it in the inventory).
    pub(super) async fn give(
        &self,
        caller: &Caller<'_>,
        GiveArgs { name, item, amount }: GiveArgs,
    ) -> CommandResult {
        self.may_act_on(caller, "give", name.trim()).await?;
        let amount = Self::item_amount(amount)?;
        let item_name = self.item_name(item)?;
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let (x, y) = map
            .give(player.player_id, item, amount)
            .await
            .ok_or_else(|| {
                CommandError::new(ErrorCode::Failed, "the items could not be put down")
            })?;
        Ok(json!({
            "name": player.name, "item": item, "item_name": item_name, "amount": amount,
            "map": player.map, "x": x, "y": y,
        }))
    }

    /// Offers `player` a warp to `(map, x, y)` once the place is checked.
    pub(super) fn warp_player(
        &self,
        player: &crate::world::PlayerInfo,
        map: u16,
        x: u8,
        y: u8,
    ) -> CommandResult {
        let maps = &self.context.data.get().maps;
        let Some(data) = maps.get(&map) else {
            return Err(CommandError::not_found(format!("there is no map {map}")));
        };
        if x >= data.width || y >= data.height {
            return Err(CommandError::bad_request(format!(
                "({x}, {y}) is outside map {map} ({} x {})",
                data.width, data.height
            )));
        }
        player.handle.warp(map, x, y);
        Ok(json!({ "name": player.name, "map": map, "x": x, "y": y }))
    }

    pub(super) async fn warp(
        &self,
        caller: &Caller<'_>,
        WarpArgs { name, map, x, y }: WarpArgs,
    ) -> CommandResult {
        self.may_act_on(caller, "warp", name.trim()).await?;
        let player = self.online(&name).await?;
        self.warp_player(&player, map, x, y)
    }

    /// `warptome` (`to_me`: the character named comes to the giver, which acts on it) and
    /// `warpmeto` (the giver goes to it).
    pub(super) async fn warp_to(
        &self,
        caller: &Caller<'_>,
        NameArgs { name }: NameArgs,
        to_me: bool,
    ) -> CommandResult {
        if to_me {
            self.may_act_on(caller, "warptome", name.trim()).await?;
        }
        let giver = self.giver(caller).await?;
        let other = self.online(&name).await?;
        let (moving, staying) = if to_me {
            (&other, &giver)
        } else {
            (&giver, &other)
        };
        let (map, x, y) = self.position(staying).await?;
        self.warp_player(moving, map, x, y)
    }

    pub(super) async fn info(&self, NameArgs { name }: NameArgs) -> CommandResult {
        let player = self.online(&name).await?;
        let (map, x, y) = self.position(&player).await?;
        Ok(json!({
            "name": player.name,
            "account": player.account,
            "map": map,
            "x": x,
            "y": y,
            "level": player.level,
            "admin_level": player.admin_level,
        }))
    }

    /// `hide` and `show`: the giver disappears from, or reappears to, the others on its map.
    pub(super) async fn hide(&self, caller: &Caller<'_>, hidden: bool) -> CommandResult {
        let giver = self.giver(caller).await?;
        let map = self.context.maps.get(&giver.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", giver.name))
        })?;
        let changed = map
            .set_hidden(giver.player_id, hidden)
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?;
        Ok(json!({ "name": giver.name, "hidden": hidden, "changed": changed }))
    }
}
