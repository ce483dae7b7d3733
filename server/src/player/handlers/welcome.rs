//! Welcome_Request, Welcome_Agree, Welcome_Msg: choosing a character, downloading the files the
//! client lacks, and entering the game.

use eo_protocol::net::client::{
    WelcomeAgreeClientPacket, WelcomeAgreeClientPacketFileTypeData as FileRequest,
    WelcomeMsgClientPacket, WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    CharacterBaseStatsWelcome, CharacterStatsWelcome, EquipmentWelcome, InitInitServerPacket,
    InitInitServerPacketReplyCodeData as InitData, InitInitServerPacketReplyCodeDataFileEcf,
    InitInitServerPacketReplyCodeDataFileEif, InitInitServerPacketReplyCodeDataFileEmf,
    InitInitServerPacketReplyCodeDataFileEnf, InitInitServerPacketReplyCodeDataFileEsf, InitReply,
    LoginMessageCode, MapFile, PubFile, ServerSettings, WelcomeCode, WelcomeReplyServerPacket,
    WelcomeReplyServerPacketWelcomeCodeData as Data,
    WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
    WelcomeReplyServerPacketWelcomeCodeDataSelectCharacter,
};
use eo_protocol::net::{Item, Spell};
use eo_protocol::{AdminLevel, Coords};

use super::{logged_in, session_id};
use crate::config::MAX_NEWS_LINES;
use crate::db::Character;
use crate::map::{CharacterGame, GameState, MapHandle};
use crate::player::actor::{Disconnect, InGame, Player, State};
use crate::world::OnlineCharacter;

/// The map a character is on, or the spawn map if its map no longer exists.
fn map_of(player: &Player, character: &Character) -> Option<MapHandle> {
    let maps = &player.context.maps;
    maps.get(&character.map)
        .or_else(|| maps.get(&player.context.config.get().world.spawn_map))
        .cloned()
}

/// Welcome_Request: the client picked a character; tell it the files it needs.
pub(super) async fn request(
    player: &mut Player,
    packet: WelcomeRequestClientPacket,
) -> Result<(), Disconnect> {
    let account_id = logged_in(player, "Welcome_Request before login")?;
    let mut character = match player
        .context
        .db
        .load_character(i64::from(packet.character_id))
        .await
    {
        Ok(Some(character)) if character.account_id == account_id => character,
        _ => {
            return Err(Disconnect::Closed(
                "Welcome_Request for a character not owned",
            ));
        }
    };
    // A jailed character enters in the jail: the client loads that map from here on.
    crate::player::restraints::on_entering(player, &mut character).await;
    let Some(map) = map_of(player, &character) else {
        return Err(Disconnect::Closed("no map to enter"));
    };
    let session = session_id(player);
    let context = std::sync::Arc::clone(&player.context);
    let data = &context.data.get();
    let Some(map_data) = data.maps.get(&map.id) else {
        return Err(Disconnect::Closed("no map to enter"));
    };
    let config = context.config.get();
    let world = &config.world;
    let e = &character.equipment;
    let game = CharacterGame::new(GameState::of(&character), data);
    let derived = game.derived();
    let stats = derived.stats;
    let reply = WelcomeReplyServerPacketWelcomeCodeDataSelectCharacter {
        session_id: session,
        character_id: packet.character_id,
        map_id: map.id,
        map_rid: map_data.rid,
        map_file_size: u32::try_from(map_data.file.len()).unwrap_or(u32::MAX),
        eif_rid: data.items.rid,
        eif_length: data.items.count,
        enf_rid: data.npcs.rid,
        enf_length: data.npcs.count,
        esf_rid: data.spells.rid,
        esf_length: data.spells.count,
        ecf_rid: data.classes.rid,
        ecf_length: data.classes.count,
        name: character.name.clone(),
        title: character.title.clone(),
        guild_name: character
            .guild
            .as_ref()
            .map_or_else(String::new, |g| g.name.clone()),
        guild_rank_name: character
            .guild
            .as_ref()
            .map_or_else(String::new, |g| g.rank_name.clone()),
        class_id: character.class,
        guild_tag: crate::world::shown_tag(character.guild.as_ref().map(|g| g.tag.as_str())),
        admin: AdminLevel::from_u32(u32::from(character.admin_level)),
        level: character.level,
        experience: character.experience,
        usage: character.usage,
        stats: CharacterStatsWelcome {
            hp: game.state().hp,
            max_hp: derived.max_hp,
            tp: game.state().tp,
            max_tp: derived.max_tp,
            max_sp: derived.max_sp,
            stat_points: character.stat_points,
            skill_points: character.skill_points,
            karma: character.karma,
            secondary: game.secondary_stats(),
            base: CharacterBaseStatsWelcome {
                str: stats.str,
                wis: stats.wis,
                intl: stats.intl,
                agi: stats.agi,
                con: stats.con,
                cha: stats.cha,
            },
        },
        equipment: EquipmentWelcome {
            boots: e.boots,
            gloves: e.gloves,
            accessory: e.accessory,
            armor: e.armor,
            belt: e.belt,
            necklace: e.necklace,
            hat: e.hat,
            shield: e.shield,
            weapon: e.weapon,
            ring: e.ring,
            armlet: e.armlet,
            bracer: e.bracer,
        },
        guild_rank: character.guild.as_ref().map_or(0, |g| g.rank),
        settings: ServerSettings {
            jail_map: world.spawn_map,
            rescue_map: world.spawn_map,
            rescue_coords: Coords {
                x: world.spawn_x,
                y: world.spawn_y,
            },
            ..ServerSettings::default()
        },
        login_message_code: LoginMessageCode::No,
    };
    player.selected = Some((session, character));
    player
        .send(&WelcomeReplyServerPacket {
            welcome_code: WelcomeCode::SelectCharacter,
            welcome_code_data: Some(Data::SelectCharacter(reply)),
        })
        .await
}

/// Welcome_Agree: send one file (as an unencrypted Init_Init reply). Before entering the game
/// the map is the chosen character's; in the game (a client may ask again, and EOSERV and
/// reoserv answer) it is the map the character is on.
pub(super) async fn agree(
    player: &mut Player,
    packet: WelcomeAgreeClientPacket,
) -> Result<(), Disconnect> {
    let (session, map_id) = match (&player.state, &player.selected) {
        (State::InGame(game), _) => (game.welcome_session, Some(game.map.id)),
        (_, Some((session, character))) => (*session, map_of(player, character).map(|m| m.id)),
        _ => return Err(Disconnect::Closed("Welcome_Agree before Welcome_Request")),
    };
    if session != packet.session_id {
        return Err(Disconnect::Closed("Welcome_Agree with a wrong session"));
    }
    let data = player.context.data.get();
    // A single-file server answers every pub request with the whole file as file 1.
    let pub_file = |content: &bytes::Bytes| PubFile {
        file_id: 1,
        content: content.clone(),
    };
    let (reply_code, reply_code_data) = match packet.file_type_data {
        Some(FileRequest::Emf(request)) => {
            // Only the map the character is on may be downloaded here.
            let Some(map) = map_id
                .filter(|id| *id == request.file_id)
                .and_then(|id| data.maps.get(&id))
            else {
                return Err(Disconnect::Closed("Welcome_Agree for another map"));
            };
            (
                InitReply::FileEmf,
                InitData::FileEmf(InitInitServerPacketReplyCodeDataFileEmf {
                    map_file: MapFile {
                        content: map.file.clone(),
                    },
                }),
            )
        }
        Some(FileRequest::Eif(_)) => (
            InitReply::FileEif,
            InitData::FileEif(InitInitServerPacketReplyCodeDataFileEif {
                pub_file: pub_file(&data.items.file),
            }),
        ),
        Some(FileRequest::Enf(_)) => (
            InitReply::FileEnf,
            InitData::FileEnf(InitInitServerPacketReplyCodeDataFileEnf {
                pub_file: pub_file(&data.npcs.file),
            }),
        ),
        Some(FileRequest::Esf(_)) => (
            InitReply::FileEsf,
            InitData::FileEsf(InitInitServerPacketReplyCodeDataFileEsf {
                pub_file: pub_file(&data.spells.file),
            }),
        ),
        Some(FileRequest::Ecf(_)) => (
            InitReply::FileEcf,
            InitData::FileEcf(InitInitServerPacketReplyCodeDataFileEcf {
                pub_file: pub_file(&data.classes.file),
            }),
        ),
        None => return Err(Disconnect::Closed("Welcome_Agree for an unknown file type")),
    };
    player
        .send(&InitInitServerPacket {
            reply_code,
            reply_code_data: Some(reply_code_data),
        })
        .await
}

/// Welcome_Msg: enter the game on the character's map.
pub(super) async fn enter(
    player: &mut Player,
    packet: WelcomeMsgClientPacket,
) -> Result<(), Disconnect> {
    let account_id = logged_in(player, "Welcome_Msg before login")?;
    let Some((session, mut character)) = player.selected.take() else {
        return Err(Disconnect::Closed("Welcome_Msg before Welcome_Request"));
    };
    if u32::from(session) != packet.session_id || i64::from(packet.character_id) != character.id {
        return Err(Disconnect::Closed("Welcome_Msg with a wrong session"));
    }
    let (Some(map), Some(player_id)) = (map_of(player, &character), player.player_id) else {
        return Err(Disconnect::Closed("no map to enter"));
    };
    if map.id != character.map {
        // Its map is gone: start again at the spawn point.
        let config = player.context.config.get();
        let world = &config.world;
        (character.map, character.x, character.y) = (map.id, world.spawn_x, world.spawn_y);
    }
    // A mute outlives the session: one set before this login still holds.
    if let Ok(Some(until)) = player.context.db.mute_until(character.id).await {
        let left = until.saturating_sub(crate::db::unix_now());
        player.muted_until = tokio::time::Instant::now().checked_add(
            std::time::Duration::from_secs(u64::try_from(left).unwrap_or(0)),
        );
    }
    // What the map will derive, for this reply (the same pure rules).
    let game = CharacterGame::new(GameState::of(&character), &player.context.data.get());
    let items = character
        .inventory
        .iter()
        .map(|(id, amount)| Item {
            id: *id,
            amount: *amount,
        })
        .collect();
    let spells = character
        .spells
        .iter()
        .map(|(id, level)| Spell {
            id: *id,
            level: *level,
        })
        .collect();
    let online = OnlineCharacter {
        name: character.name.clone(),
        title: character.title.clone(),
        level: character.level,
        class_id: character.class,
        admin_level: character.admin_level,
        map: map.id,
        guild: character
            .guild
            .as_ref()
            .map(|g| (g.guild_id, g.tag.clone())),
    };
    // From here the map holds the character (see `crate::save`): even if it does not answer,
    // leaving the game takes it off that map.
    player.played = true;
    tracing::Span::current().record("character", character.name.as_str());
    player.state = State::InGame(Box::new(InGame {
        account_id,
        character_id: character.id,
        name: character.name.clone(),
        map: map.clone(),
        welcome_session: session,
    }));
    let nearby = map
        .enter(player_id, character, player.handle.clone())
        .await?;
    // The protocol sends exactly the lines the client's news panel has; the first is the
    // greeting.
    let mut news = player.context.config.get().world.news.clone();
    news.resize(MAX_NEWS_LINES, String::new());
    let reply = WelcomeReplyServerPacketWelcomeCodeDataEnterGame {
        news,
        weight: game.weight_packet(),
        items,
        spells,
        nearby,
    };
    tracing::info!(addr = %player.addr, character = %online.name, map = map.id, "entered the game");
    let (name, loaded_level) = (online.name.clone(), online.admin_level);
    player.context.world.enter_game(player_id, online).await;
    super::admin::catch_up_admin_level(player, &name, loaded_level).await;
    player
        .send(&WelcomeReplyServerPacket {
            welcome_code: WelcomeCode::EnterGame,
            welcome_code_data: Some(Data::EnterGame(reply)),
        })
        .await?;
    // Now the client is in the game, its quests may speak to it.
    map.arrived(player_id, true).await;
    Ok(())
}
