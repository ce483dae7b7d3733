//! `dress`, `dress2` and `undress` (EOSERV's): cosmetic clothes. A character (the giver
//! itself, or one named below the giver's admin level) looks to everyone as if it wore an item
//! (`dress`: a hat, armor, boots, weapon or shield; its doll graphic in its slot) or a graphic
//! (`dress2`: a slot and a graphic's id, 0 showing nothing there), without having it; `undress`
//! takes one slot's or every slot's off. Its map changes the look and shows it at once
//! (map/dress.rs); it lasts until `undress` or the character leaves the game.

use eo_control::{Dress2Args, DressArgs, DressSlot, UndressArgs};
use eo_protocol::pubs::ItemType;
use serde_json::json;

use super::{Admin, Caller, CommandError, CommandResult, ErrorCode};
use crate::map::AdminAction;
use crate::world::PlayerInfo;

/// What a dress command changes.
struct Change {
    slot: Option<DressSlot>,
    graphic: Option<u16>,
    for_gender: Option<u8>,
}

impl Admin {
    pub(super) async fn dress(
        &self,
        caller: &Caller<'_>,
        DressArgs { name, item, .. }: DressArgs,
    ) -> CommandResult {
        let item_name = self.item_name(item)?;
        let data = self.context.data.get();
        let record = crate::rules::stats::item(&data.items.data, item)
            .ok_or_else(|| CommandError::not_found(format!("there is no item {item}")))?;
        let slot = match record.r#type {
            ItemType::Hat => DressSlot::Hat,
            ItemType::Armor => DressSlot::Armor,
            ItemType::Boots => DressSlot::Boots,
            ItemType::Weapon => DressSlot::Weapon,
            ItemType::Shield => DressSlot::Shield,
            _ => {
                return Err(CommandError::bad_request(format!(
                    "{item_name} is not a hat, armor, boots, weapon or shield"
                )));
            }
        };
        // Its doll graphic, as worn items show (map/character.rs).
        let graphic = u16::try_from(record.spec1).unwrap_or(0);
        let for_gender = (slot == DressSlot::Armor).then_some(record.spec2);
        let change = Change {
            slot: Some(slot),
            graphic: Some(graphic),
            for_gender,
        };
        let (player, dressed) = self.change_look(caller, "dress", name, change).await?;
        Ok(json!({
            "name": player.name, "item": item, "item_name": item_name, "slot": slot.name(),
            "graphic": graphic, "dressed": dressed,
        }))
    }

    pub(super) async fn dress2(
        &self,
        caller: &Caller<'_>,
        Dress2Args {
            name,
            slot,
            graphic,
            ..
        }: Dress2Args,
    ) -> CommandResult {
        let change = Change {
            slot: Some(slot),
            graphic: Some(graphic),
            for_gender: None,
        };
        let (player, dressed) = self.change_look(caller, "dress2", name, change).await?;
        Ok(json!({
            "name": player.name, "slot": slot.name(), "graphic": graphic, "dressed": dressed,
        }))
    }

    pub(super) async fn undress(
        &self,
        caller: &Caller<'_>,
        UndressArgs { name, slot, .. }: UndressArgs,
    ) -> CommandResult {
        let change = Change {
            slot,
            graphic: None,
            for_gender: None,
        };
        let (player, dressed) = self.change_look(caller, "undress", name, change).await?;
        Ok(json!({
            "name": player.name, "slot": slot.map_or("all", DressSlot::name), "dressed": dressed,
        }))
    }

    /// Changes the look of the character named (below the giver's level) or of the giver;
    /// answers who, and how many slots it has dressed now.
    async fn change_look(
        &self,
        caller: &Caller<'_>,
        command: &str,
        name: Option<String>,
        change: Change,
    ) -> Result<(PlayerInfo, u32), CommandError> {
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
        let done = map
            .admin(AdminAction::Dress {
                player_id: player.player_id,
                slot: change.slot,
                graphic: change.graphic,
                for_gender: change.for_gender,
            })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(CommandError::bad_request)?;
        Ok((player, done.count))
    }
}
