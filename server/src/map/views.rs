//! What others see of a whole character: its entry in the nearby lists and its paperdoll.

use eo_protocol::net::server::{
    BigCoords, CharacterDetails, CharacterMapInfo, EquipmentMapInfo, EquipmentPaperdoll,
    PaperdollReplyServerPacket, SitState,
};
use eo_protocol::{AdminLevel, Direction, Gender};

use crate::db::Character;

/// What others see of a character on a map. The map fills in what derives from the game state
/// (HP and TP with their maxima, level, hair, equipment graphics) when it enters.
pub fn map_info(player_id: u16, character: &Character) -> CharacterMapInfo {
    CharacterMapInfo {
        name: character.name.clone(),
        player_id,
        map_id: character.map,
        coords: BigCoords {
            x: u16::from(character.x),
            y: u16::from(character.y),
        },
        direction: Direction::from_u32(u32::from(character.direction)),
        class_id: character.class,
        guild_tag: crate::world::shown_tag(character.guild.as_ref().map(|g| g.tag.as_str())),
        level: character.level,
        gender: Gender::from_u32(u32::from(character.gender)),
        hair_style: character.hair_style,
        hair_color: character.hair_color,
        skin: character.skin,
        max_hp: 0,
        hp: character.hp,
        max_tp: 0,
        tp: character.tp,
        equipment: EquipmentMapInfo::default(),
        sit_state: SitState::Stand,
        invisible: character.hidden,
        warp_effect: None,
    }
}

/// A character's paperdoll as others see it.
pub fn paperdoll(player_id: u16, character: &Character) -> PaperdollReplyServerPacket {
    let e = &character.equipment;
    PaperdollReplyServerPacket {
        details: CharacterDetails {
            name: character.name.clone(),
            home: character.home.clone(),
            partner: character.partner.clone(),
            title: character.title.clone(),
            guild: character
                .guild
                .as_ref()
                .map_or_else(String::new, |g| g.name.clone()),
            guild_rank: character
                .guild
                .as_ref()
                .map_or_else(String::new, |g| g.rank_name.clone()),
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
