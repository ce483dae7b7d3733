//! Looking at another character: `inventory` (what it carries) and `paperdoll` (what it
//! wears; in the game the giver's client also opens the character's paperdoll, as EOSERV's
//! `$paperdoll` does). Both only read, so, like `info`, they need only their `[admin]` levels.

use eo_control::NameArgs;
use serde_json::{Value, json};

use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::map::{AdminAction, AdminDone};

impl Admin {
    /// What the map holding `name` says it carries and wears.
    async fn holdings(
        &self,
        name: &str,
    ) -> Result<(crate::world::PlayerInfo, AdminDone), CommandError> {
        let player = self.online(name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let done = map
            .admin(AdminAction::Holdings {
                player_id: player.player_id,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(|why| CommandError::new(ErrorCode::Failed, why))?;
        Ok((player, done))
    }

    /// An item's name for a listing ("item N" if the pub file lacks it).
    fn listed_name(&self, item: u16) -> String {
        self.item_name(item)
            .unwrap_or_else(|_| format!("item {item}"))
    }

    pub(super) async fn inventory(&self, NameArgs { name }: NameArgs) -> CommandResult {
        let (player, done) = self.holdings(&name).await?;
        let items: Vec<Value> = done
            .inventory
            .iter()
            .map(|(item, amount)| {
                json!({ "item": item, "name": self.listed_name(*item), "amount": amount })
            })
            .collect();
        Ok(json!({ "name": player.name, "items": items }))
    }

    pub(super) async fn paperdoll(
        &self,
        caller: &Caller<'_>,
        NameArgs { name }: NameArgs,
    ) -> CommandResult {
        let (player, done) = self.holdings(&name).await?;
        if caller.character().is_some() {
            let giver = self.giver(caller).await?;
            player.handle.show_paperdoll(giver.handle.clone());
        }
        const SLOTS: [&str; 15] = [
            "boots",
            "accessory",
            "gloves",
            "belt",
            "armor",
            "necklace",
            "hat",
            "shield",
            "weapon",
            "ring",
            "ring",
            "armlet",
            "armlet",
            "bracer",
            "bracer",
        ];
        let worn: Vec<Value> = SLOTS
            .iter()
            .zip(&done.equipment)
            .filter(|(_, item)| **item != 0)
            .map(|(slot, item)| {
                json!({ "slot": slot, "item": item, "name": self.listed_name(*item) })
            })
            .collect();
        Ok(json!({ "name": player.name, "equipment": worn }))
    }
}
