//! Init_Init: the first packet of a connection.

use eo_protocol::crypt::{MAX_CHALLENGE, generate_multiple, server_verification_hash};
use eo_protocol::net::Version;
use eo_protocol::net::client::InitInitClientPacket;
use eo_protocol::net::server::{
    InitBanType, InitInitServerPacket, InitInitServerPacketReplyCodeData as Data,
    InitInitServerPacketReplyCodeDataBanned, InitInitServerPacketReplyCodeDataBannedBanTypeData,
    InitInitServerPacketReplyCodeDataBannedBanTypeDataTemporary,
    InitInitServerPacketReplyCodeDataOk, InitInitServerPacketReplyCodeDataOutOfDate, InitReply,
};

use crate::config::ClientVersion;
use crate::db::unix_now;
use crate::player::actor::{Disconnect, Player, State};

/// Answers Init_Init: checks the version and bans, hands out a player id, the sequence start
/// and the encryption multiples.
pub(super) async fn init(
    player: &mut Player,
    packet: InitInitClientPacket,
) -> Result<(), Disconnect> {
    if player.state != State::New {
        return Err(Disconnect::BadHandshake("a second Init_Init"));
    }
    if packet.challenge > MAX_CHALLENGE {
        return Err(Disconnect::BadHandshake("challenge out of range"));
    }
    let min = player.context.config.get().server.min_version;
    let version = ClientVersion::new(
        packet.version.major,
        packet.version.minor,
        packet.version.patch,
    );
    if version < min {
        player
            .send(&InitInitServerPacket {
                reply_code: InitReply::OutOfDate,
                reply_code_data: Some(Data::OutOfDate(
                    InitInitServerPacketReplyCodeDataOutOfDate {
                        version: Version {
                            major: min.major,
                            minor: min.minor,
                            patch: min.patch,
                        },
                    },
                )),
            })
            .await?;
        return Err(Disconnect::Closed("client version too old"));
    }
    let ip = player.addr.ip().to_string();
    let now = unix_now();
    // A ban that cannot be checked keeps the client out (fails closed). No Init_Init reply
    // says "busy", and Banned would be a lie, so the connection is closed without one.
    let ban = match player.context.db.active_ban_for(None, Some(&ip), now).await {
        Ok(ban) => ban,
        Err(error) => return Err(Disconnect::BanCheckFailed(error.to_string())),
    };
    if let Some(ban) = ban {
        let (ban_type, ban_type_data) = match ban.expires_at {
            None => (InitBanType::Permanent, None),
            Some(expires) => {
                let minutes = u8::try_from((expires - now).max(60) / 60).unwrap_or(u8::MAX);
                (
                    InitBanType::Temporary,
                    Some(
                        InitInitServerPacketReplyCodeDataBannedBanTypeData::Temporary(
                            InitInitServerPacketReplyCodeDataBannedBanTypeDataTemporary {
                                minutes_remaining: minutes,
                            },
                        ),
                    ),
                )
            }
        };
        player
            .send(&InitInitServerPacket {
                reply_code: InitReply::Banned,
                reply_code_data: Some(Data::Banned(InitInitServerPacketReplyCodeDataBanned {
                    ban_type,
                    ban_type_data,
                })),
            })
            .await?;
        return Err(Disconnect::Closed("address banned"));
    }
    let Some(player_id) = player
        .context
        .world
        .allocate_player_id(player.handle.clone(), player.addr)
        .await
    else {
        return Err(Disconnect::Closed("no player id free"));
    };
    player.player_id = Some(player_id);
    tracing::Span::current().record("player_id", player_id);
    let (seq1, seq2) = player.sequencer.init_start(&mut player.rng);
    let server_multiple = generate_multiple(&mut player.rng);
    let client_multiple = generate_multiple(&mut player.rng);
    player.multiples = (server_multiple, client_multiple);
    player
        .send(&InitInitServerPacket {
            reply_code: InitReply::Ok,
            reply_code_data: Some(Data::Ok(InitInitServerPacketReplyCodeDataOk {
                seq1,
                seq2,
                server_encryption_multiple: server_multiple,
                client_encryption_multiple: client_multiple,
                player_id,
                challenge_response: server_verification_hash(packet.challenge),
            })),
        })
        .await?;
    player.start_encryption();
    player.state = State::Initialized;
    Ok(())
}
