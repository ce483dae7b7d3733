//! What a guild master tells about a guild: Guild_Take (the description, the rank names or
//! the bank of one's own guild), Guild_Report (any guild's record, by tag or name) and
//! Guild_Tell (any guild's members).

use eo_protocol::net::client::GuildInfoType;
use eo_protocol::net::client::{
    GuildReportClientPacket, GuildTakeClientPacket, GuildTellClientPacket,
};
use eo_protocol::net::server::{
    GuildMember as MemberLine, GuildRankServerPacket, GuildReply, GuildReportServerPacket,
    GuildSellServerPacket, GuildStaff, GuildTakeServerPacket, GuildTellServerPacket,
};

use super::{Me, failed, membership, reply, session_open};
use crate::db::Guild;
use crate::player::actor::{Disconnect, Player};

/// The guild named by `identity` (tag or name), or NotFound sent.
async fn find(player: &mut Player, identity: &str) -> Result<Option<Guild>, Disconnect> {
    match player.context.db.guild(identity.trim()).await {
        Ok(Some(guild)) => Ok(Some(guild)),
        Ok(None) => {
            reply(player, GuildReply::NotFound).await?;
            Ok(None)
        }
        Err(error) => {
            failed(player, &error);
            Ok(None)
        }
    }
}

/// Guild_Take: about the character's own guild.
pub(super) async fn take(
    player: &mut Player,
    me: &Me,
    packet: GuildTakeClientPacket,
) -> Result<(), Disconnect> {
    if !session_open(me, packet.session_id).await {
        return Ok(());
    }
    let Some(mine) = membership(player, me).await else {
        return reply(player, GuildReply::NotFound).await;
    };
    let Some(guild) = find(player, &mine.tag).await? else {
        return Ok(());
    };
    match packet.info_type {
        GuildInfoType::Description => {
            player
                .send(&GuildTakeServerPacket {
                    description: guild.description,
                })
                .await
        }
        GuildInfoType::Ranks => {
            player
                .send(&GuildRankServerPacket {
                    ranks: guild.ranks.to_vec(),
                })
                .await
        }
        GuildInfoType::Bank => {
            player
                .send(&GuildSellServerPacket {
                    gold_amount: guild.bank,
                })
                .await
        }
        GuildInfoType::Unrecognized(_) => Ok(()),
    }
}

/// Guild_Report: a guild's record, with its staff (the ranks that may recruit).
pub(super) async fn report(
    player: &mut Player,
    me: &Me,
    packet: GuildReportClientPacket,
) -> Result<(), Disconnect> {
    if !session_open(me, packet.session_id).await {
        return Ok(());
    }
    let Some(guild) = find(player, &packet.guild_identity).await? else {
        return Ok(());
    };
    let members = match player.context.db.guild_members(guild.id).await {
        Ok(members) => members,
        Err(error) => {
            failed(player, &error);
            return Ok(());
        }
    };
    let staff_rank = player.context.config.get().guilds.recruit_rank;
    let staff = members
        .iter()
        .filter(|m| m.rank <= staff_rank)
        .map(|m| GuildStaff {
            rank: m.rank,
            name: m.name.clone(),
        })
        .collect();
    player
        .send(&GuildReportServerPacket {
            name: guild.name.clone(),
            tag: guild.tag.clone(),
            create_date: eo_control::utc_date(guild.created_at),
            description: guild.description.clone(),
            wealth: guild.bank.to_string(),
            ranks: guild.ranks.to_vec(),
            staff,
        })
        .await
}

/// Guild_Tell: a guild's members, with their rank names.
pub(super) async fn tell(
    player: &mut Player,
    me: &Me,
    packet: GuildTellClientPacket,
) -> Result<(), Disconnect> {
    if !session_open(me, packet.session_id).await {
        return Ok(());
    }
    let Some(guild) = find(player, &packet.guild_identity).await? else {
        return Ok(());
    };
    let members = match player.context.db.guild_members(guild.id).await {
        Ok(members) => members,
        Err(error) => {
            failed(player, &error);
            return Ok(());
        }
    };
    let members = members
        .iter()
        .map(|m| MemberLine {
            rank: m.rank,
            name: m.name.clone(),
            rank_name: guild.rank_name(m.rank),
        })
        .collect();
    player.send(&GuildTellServerPacket { members }).await
}
