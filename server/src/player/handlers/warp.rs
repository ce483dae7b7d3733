//! Warps: a step onto a warp tile, then Warp_Request, the optional map download (Warp_Take),
//! Warp_Accept and Warp_Agree. The same flow serves warps within a map and to another map.

use eo_protocol::map::MapWarp;
use eo_protocol::net::client::{WarpAcceptClientPacket, WarpTakeClientPacket};
use eo_protocol::net::server::{
    InitInitServerPacket, InitInitServerPacketReplyCodeData,
    InitInitServerPacketReplyCodeDataWarpMap, InitReply, MapFile, WarpAgreeServerPacket,
    WarpAgreeServerPacketWarpTypeData, WarpAgreeServerPacketWarpTypeDataMapSwitch, WarpEffect,
    WarpRequestServerPacket, WarpRequestServerPacketWarpTypeData,
    WarpRequestServerPacketWarpTypeDataMapSwitch, WarpType,
};

use super::session_id;
use crate::map::REPLY_TIMEOUT;
use crate::player::actor::{Disconnect, Player, State};

/// A warp offered to the client and not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::player) struct PendingWarp {
    pub session: u16,
    pub map: u16,
    pub x: u8,
    pub y: u8,
}

/// Offers a warp to `(map, x, y)`: Warp_Request, with the map's rid and size when it is
/// another map (so the client can tell whether it must download it).
pub(in crate::player) async fn offer(
    player: &mut Player,
    map: u16,
    x: u8,
    y: u8,
) -> Result<(), Disconnect> {
    let State::InGame(game) = &player.state else {
        return Ok(());
    };
    let current = game.map.id;
    let (map, x, y) = crate::player::restraints::destination(player, map, x, y);
    let data = player.context.data.get();
    let Some(target) = data.maps.get(&map) else {
        return Ok(()); // a warp to a map the server lacks leads nowhere
    };
    let (warp_type, warp_type_data) = if map == current {
        (WarpType::Local, None)
    } else {
        (
            WarpType::MapSwitch,
            Some(WarpRequestServerPacketWarpTypeData::MapSwitch(
                WarpRequestServerPacketWarpTypeDataMapSwitch {
                    map_rid: target.rid,
                    map_file_size: u32::try_from(target.file.len()).unwrap_or(u32::MAX),
                },
            )),
        )
    };
    let session = session_id(player);
    player.pending_warp = Some(PendingWarp { session, map, x, y });
    player
        .send(&WarpRequestServerPacket {
            warp_type,
            map_id: map,
            warp_type_data,
            session_id: session,
        })
        .await
}

/// A warp tile the character stepped on (the map allowed it: its level requirement is met).
pub(in crate::player) async fn step_on(
    player: &mut Player,
    warp: MapWarp,
) -> Result<(), Disconnect> {
    // The map checked the level requirement (it holds the live level).
    offer(
        player,
        warp.destination_map,
        warp.destination_coords.x,
        warp.destination_coords.y,
    )
    .await
}

/// The warp offered that `(map_id, session_id)` answers. A Warp_Take or Warp_Accept for no
/// warp offered, or for one replaced by a later offer (a death's respawn after a warp tile,
/// an operator's warp), is stale rather than hostile, so it is ignored and the connection
/// stays.
fn pending(player: &Player, map_id: u16, session_id: u16) -> Option<PendingWarp> {
    match &player.pending_warp {
        Some(warp) if warp.map == map_id && warp.session == session_id => Some(warp.clone()),
        _ => {
            tracing::debug!(addr = %player.addr, map_id, session_id, "a warp packet for no warp offered; ignored");
            None
        }
    }
}

/// Warp_Take: the client lacks the destination map; send it (an Init_Init reply).
pub(super) async fn take(
    player: &mut Player,
    packet: WarpTakeClientPacket,
) -> Result<(), Disconnect> {
    let Some(warp) = pending(player, packet.map_id, packet.session_id) else {
        return Ok(());
    };
    let data = player.context.data.get();
    let Some(map) = data.maps.get(&warp.map) else {
        return Err(Disconnect::Closed("a warp to a missing map"));
    };
    let content = map.file.clone();
    player
        .send(&InitInitServerPacket {
            reply_code: InitReply::WarpMap,
            reply_code_data: Some(InitInitServerPacketReplyCodeData::WarpMap(
                InitInitServerPacketReplyCodeDataWarpMap {
                    map_file: MapFile { content },
                },
            )),
        })
        .await
}

/// Warp_Accept: move the character and tell it what it sees there (Warp_Agree).
pub(super) async fn accept(
    player: &mut Player,
    packet: WarpAcceptClientPacket,
) -> Result<(), Disconnect> {
    let Some(warp) = pending(player, packet.map_id, packet.session_id) else {
        return Ok(());
    };
    player.pending_warp = None;
    let Some(player_id) = player.player_id else {
        return Err(Disconnect::Closed("no player id"));
    };
    let Some(destination) = player.context.maps.get(&warp.map).cloned() else {
        return Err(Disconnect::Closed("a warp to a missing map"));
    };
    let handle = player.handle.clone();
    let State::InGame(game) = &mut player.state else {
        return Err(Disconnect::Closed("Warp_Accept outside the game"));
    };
    let switching = game.map.id != warp.map;
    // A map too slow to answer keeps the character (it stays where it was); the connection
    // closes, and leaving the game then waits for that map.
    let mut character = game.map.leave(player_id, Some(REPLY_TIMEOUT)).await?;
    character.x = warp.x;
    character.y = warp.y;
    // From here the destination holds it, answering or not: leaving the game takes it off
    // there.
    game.map = destination.clone();
    let nearby = destination.enter(player_id, character, handle).await?;
    // Told of every arrival, a warp within the map too: the world gives the map the
    // character's party again (the map forgot it when the character left it).
    player.context.world.changed_map(player_id, warp.map).await;
    let (warp_type, warp_type_data) = if switching {
        (
            WarpType::MapSwitch,
            Some(WarpAgreeServerPacketWarpTypeData::MapSwitch(
                WarpAgreeServerPacketWarpTypeDataMapSwitch {
                    map_id: warp.map,
                    warp_effect: WarpEffect::None,
                },
            )),
        )
    } else {
        (WarpType::Local, None)
    };
    player
        .send(&WarpAgreeServerPacket {
            warp_type,
            warp_type_data,
            nearby,
        })
        .await?;
    // Now the client shows the destination, its quests may speak to it.
    destination.arrived(player_id, false).await;
    Ok(())
}
