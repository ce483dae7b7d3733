//! Item_Drop, Item_Get, Item_Junk, Item_Use, Paperdoll_Add, Paperdoll_Remove, StatSkill_Add:
//! passed to the character's map, which owns the inventory and the ground and answers the
//! client itself (map/items.rs, map/ground.rs, map/equipment.rs).

use eo_protocol::net::client::{
    ItemDropClientPacket, ItemJunkClientPacket, PaperdollAddClientPacket,
    PaperdollRemoveClientPacket, StatSkillAddClientPacket,
    StatSkillAddClientPacketActionTypeData as Train,
};

use crate::map::MapHandle;
use crate::player::actor::{Disconnect, Player, State};

fn in_game(player: &Player) -> Result<(MapHandle, u16), Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(game), Some(id)) => Ok((game.map.clone(), id)),
        _ => Err(Disconnect::Closed("an item packet outside the game")),
    }
}

pub(super) async fn drop(
    player: &mut Player,
    packet: ItemDropClientPacket,
) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.drop_item(id, packet.item, (packet.coords.x, packet.coords.y))
        .await;
    Ok(())
}

pub(super) async fn get(player: &mut Player, uid: u16) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.get_item(id, uid).await;
    Ok(())
}

pub(super) async fn junk(
    player: &mut Player,
    packet: ItemJunkClientPacket,
) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.junk_item(id, packet.item).await;
    Ok(())
}

pub(super) async fn use_item(player: &mut Player, item_id: u16) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.use_item(id, item_id).await;
    Ok(())
}

pub(super) async fn equip(
    player: &mut Player,
    packet: PaperdollAddClientPacket,
) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.equip(id, packet.item_id, packet.sub_loc).await;
    Ok(())
}

pub(super) async fn unequip(
    player: &mut Player,
    packet: PaperdollRemoveClientPacket,
) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    map.unequip(id, packet.item_id, packet.sub_loc).await;
    Ok(())
}

/// StatSkill_Add: a stat point on a stat, or a skill point on a spell.
pub(super) async fn train(
    player: &mut Player,
    packet: StatSkillAddClientPacket,
) -> Result<(), Disconnect> {
    let (map, id) = in_game(player)?;
    match packet.action_type_data {
        Some(Train::Stat(stat)) => map.spend_stat_point(id, stat.stat_id).await,
        Some(Train::Skill(skill)) => map.spend_skill_point(id, skill.spell_id).await,
        None => {}
    }
    Ok(())
}
