//! Character_Request, Character_Create, Character_Take, Character_Remove: the character
//! selection screen.

use eo_protocol::net::client::{
    CharacterCreateClientPacket, CharacterRemoveClientPacket, CharacterTakeClientPacket,
};
use eo_protocol::net::server::{
    CharacterPlayerServerPacket, CharacterReply, CharacterReplyServerPacket,
    CharacterReplyServerPacketReplyCodeData as Data,
    CharacterReplyServerPacketReplyCodeDataDeleted, CharacterReplyServerPacketReplyCodeDataOk,
    CharacterSelectionListEntry, EquipmentCharacterSelect,
};
use eo_protocol::{AdminLevel, Gender};

use super::{logged_in, session_id};
use crate::db::{CharacterSummary, DbError, NewCharacter};
use crate::player::actor::{Disconnect, Player};
use crate::rules::look;

/// Character names: 4 to 12 lowercase letters (the official client's limits).
const CHARACTER_NAME_LEN: std::ops::RangeInclusive<usize> = 4..=12;

fn entry(summary: CharacterSummary) -> CharacterSelectionListEntry {
    CharacterSelectionListEntry {
        name: summary.name,
        id: u32::try_from(summary.id).unwrap_or(0),
        level: summary.level,
        gender: Gender::from_u32(u32::from(summary.gender)),
        hair_style: summary.hair_style,
        hair_color: summary.hair_color,
        skin: summary.skin,
        admin: AdminLevel::from_u32(u32::from(summary.admin_level)),
        equipment: EquipmentCharacterSelect {
            boots: summary.boots,
            armor: summary.armor,
            hat: summary.hat,
            shield: summary.shield,
            weapon: summary.weapon,
        },
    }
}

/// The account's characters as the selection screen shows them.
pub(super) async fn selection_list(
    player: &Player,
    account_id: i64,
) -> Result<Vec<CharacterSelectionListEntry>, Disconnect> {
    let characters = player
        .context
        .db
        .characters_of(account_id)
        .await
        .map_err(|_| Disconnect::Closed("the database did not answer"))?;
    Ok(characters.into_iter().map(entry).collect())
}

async fn reply(player: &mut Player, code: CharacterReply) -> Result<(), Disconnect> {
    player
        .send(&CharacterReplyServerPacket {
            reply_code: code,
            reply_code_data: None,
        })
        .await
}

/// Character_Request: may this account make another character? If so, a session id.
pub(super) async fn request(player: &mut Player) -> Result<(), Disconnect> {
    let account_id = logged_in(player, "Character_Request before login")?;
    let count = selection_list(player, account_id).await?.len();
    if count >= usize::from(player.context.config.get().world.max_characters) {
        return reply(player, CharacterReply::Full).await;
    }
    let session = session_id(player);
    player.character_session = Some(session);
    player
        .send(&CharacterReplyServerPacket {
            reply_code: CharacterReply::Unrecognized(u32::from(session)),
            reply_code_data: None,
        })
        .await
}

pub(crate) fn character_name(name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    (CHARACTER_NAME_LEN.contains(&name.len()) && name.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some(name)
}

/// Character_Create: stores the character (committed before the reply) and sends the list.
pub(super) async fn create(
    player: &mut Player,
    packet: CharacterCreateClientPacket,
) -> Result<(), Disconnect> {
    let account_id = logged_in(player, "Character_Create before login")?;
    if player.character_session.take() != Some(packet.session_id) {
        return Err(Disconnect::Closed("Character_Create without its session"));
    }
    let look_ok = matches!(packet.gender, Gender::Female | Gender::Male)
        && look::valid_hair(packet.hair_style, packet.hair_color)
        && packet.skin <= u16::from(look::MAX_SKIN);
    let Some(name) = character_name(&packet.name).filter(|_| look_ok) else {
        return reply(player, CharacterReply::NotApproved).await;
    };
    let config = player.context.config.get();
    let world = &config.world;
    let context = std::sync::Arc::clone(&player.context);
    let (map, x, y) = context
        .spawns
        .pick(world, &context.data.get(), &mut player.rng);
    let character = NewCharacter {
        name,
        gender: packet.gender.to_u32() as u8,
        // Bounded by the checks above.
        hair_style: packet.hair_style as u8,
        hair_color: packet.hair_color as u8,
        skin: packet.skin as u8,
        map,
        x,
        y,
        level: 0,
        hp: 10,
        tp: 10,
        ..NewCharacter::default()
    };
    let max = usize::from(world.max_characters);
    match player
        .context
        .db
        .create_character(account_id, character, max)
        .await
    {
        Ok(_) => {}
        Err(DbError::CharacterExists) => return reply(player, CharacterReply::Exists).await,
        Err(DbError::TooManyCharacters) => return reply(player, CharacterReply::Full).await,
        Err(_) => return reply(player, CharacterReply::NotApproved).await,
    }
    let characters = selection_list(player, account_id).await?;
    player
        .send(&CharacterReplyServerPacket {
            reply_code: CharacterReply::Ok,
            reply_code_data: Some(Data::Ok(CharacterReplyServerPacketReplyCodeDataOk {
                characters,
            })),
        })
        .await
}

/// Character_Take: the client asks to delete a character; it must confirm with the session id.
pub(super) async fn take(
    player: &mut Player,
    packet: CharacterTakeClientPacket,
) -> Result<(), Disconnect> {
    let account_id = logged_in(player, "Character_Take before login")?;
    let owned = selection_list(player, account_id)
        .await?
        .iter()
        .any(|c| c.id == packet.character_id);
    if !owned {
        return Err(Disconnect::Closed(
            "Character_Take of another account's character",
        ));
    }
    let session = session_id(player);
    player.pending_delete = Some((session, packet.character_id));
    player
        .send(&CharacterPlayerServerPacket {
            session_id: session,
            character_id: packet.character_id,
        })
        .await
}

/// Character_Remove: deletes the character named in Character_Take and sends the list.
pub(super) async fn remove(
    player: &mut Player,
    packet: CharacterRemoveClientPacket,
) -> Result<(), Disconnect> {
    let account_id = logged_in(player, "Character_Remove before login")?;
    if player.pending_delete.take() != Some((packet.session_id, packet.character_id)) {
        return Err(Disconnect::Closed(
            "Character_Remove without its Character_Take",
        ));
    }
    match player
        .context
        .db
        .delete_character(account_id, i64::from(packet.character_id))
        .await
    {
        Ok(()) | Err(DbError::NotFound) => {}
        Err(_) => return Err(Disconnect::Closed("the database did not answer")),
    }
    let characters = selection_list(player, account_id).await?;
    player
        .send(&CharacterReplyServerPacket {
            reply_code: CharacterReply::Deleted,
            reply_code_data: Some(Data::Deleted(
                CharacterReplyServerPacketReplyCodeDataDeleted { characters },
            )),
        })
        .await
}
