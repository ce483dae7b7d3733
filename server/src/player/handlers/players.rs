//! Players_Request (the online list), Players_Accept (#find), Paperdoll_Request.

use eo_protocol::net::server::{CharacterDetails, EquipmentPaperdoll, PaperdollReplyServerPacket};
use eo_protocol::{AdminLevel, Gender};

use crate::db::Character;
use crate::player::actor::{Disconnect, Player, State};

fn player_id(player: &Player) -> Result<u16, Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(_), Some(id)) => Ok(id),
        _ => Err(Disconnect::Closed("an in-game packet outside the game")),
    }
}

/// Players_Request: the world sends the list.
pub(super) fn list(player: &mut Player) -> Result<(), Disconnect> {
    let id = player_id(player)?;
    player.context.world.online_list(id);
    Ok(())
}

/// Players_Accept: #find a player by name.
pub(super) fn find(player: &mut Player, name: String) -> Result<(), Disconnect> {
    let id = player_id(player)?;
    player.context.world.find(id, name);
    Ok(())
}

/// Paperdoll_Request: one's own is answered here; another player's by that player's task.
pub(super) async fn request(player: &mut Player, target: u16) -> Result<(), Disconnect> {
    let id = player_id(player)?;
    if target == id {
        player.refresh_character().await;
        if let State::InGame(game) = &player.state {
            let reply = paperdoll(id, &game.character);
            player.send(&reply).await?;
        }
        return Ok(());
    }
    player.context.world.paperdoll(id, target);
    Ok(())
}

/// A character's paperdoll as others see it.
pub(in crate::player) fn paperdoll(
    player_id: u16,
    character: &Character,
) -> PaperdollReplyServerPacket {
    let e = &character.equipment;
    PaperdollReplyServerPacket {
        details: CharacterDetails {
            name: character.name.clone(),
            home: character.home.clone(),
            partner: character.partner.clone(),
            title: character.title.clone(),
            guild: String::new(),
            guild_rank: String::new(),
            player_id,
            class_id: character.class,
            gender: Gender::from_u32(u32::from(character.gender)),
            admin: AdminLevel::from_u32(u32::from(character.admin_level)),
        },
        equipment: EquipmentPaperdoll {
            boots: e.boots,
            accessory: e.accessory,
            gloves: e.gloves,
            belt: e.belt,
            armor: e.armor,
            necklace: e.necklace,
            hat: e.hat,
            shield: e.shield,
            weapon: e.weapon,
            ring: e.ring,
            armlet: e.armlet,
            bracer: e.bracer,
        },
        icon: crate::world::icon(character.admin_level),
    }
}
