//! Founding a guild: Guild_Request (the tag and name are checked and every guildless
//! character on the map is invited), Guild_Accept (an invitee agrees: the founder is told, and
//! once `[guilds] required_members` are reached, that it may confirm), Guild_Create (the
//! founder pays `create_cost`; the guild, its leader and members are written with the payment
//! in one transaction).

use eo_protocol::net::client::{GuildCreateClientPacket, GuildRequestClientPacket};
use eo_protocol::net::server::{
    GuildAgreeServerPacket, GuildCreateServerPacket, GuildReply, GuildReplyServerPacket,
    GuildReplyServerPacketReplyCodeData as Data, GuildReplyServerPacketReplyCodeDataCreateAdd,
    GuildReplyServerPacketReplyCodeDataCreateAddConfirm, GuildRequestServerPacket,
};

use super::{Candidate, Founding, GuildEvent, Me, failed, membership, reply, session_open};
use crate::db::{GuildOp, GuildOpOutcome, NewGuild, unix_now};
use crate::map::GuildRequest;
use crate::net::packet;
use crate::player::actor::{Disconnect, Player};
use crate::rules::guild::{valid_name, valid_tag};

/// Guild_Request: begins founding `tag` / `name`.
pub(super) async fn begin(
    player: &mut Player,
    me: &Me,
    packet: GuildRequestClientPacket,
) -> Result<(), Disconnect> {
    if !session_open(me, packet.session_id).await {
        return Ok(());
    }
    let config = player.context.config.get().guilds.clone();
    if membership(player, me).await.is_some() {
        return reply(player, GuildReply::AlreadyMember).await;
    }
    let tag = packet.guild_tag.to_ascii_uppercase();
    let name = packet.guild_name;
    if !valid_tag(&tag, &config) || !valid_name(&name, &config) {
        return reply(player, GuildReply::NotApproved).await;
    }
    match player.context.db.guild_taken(&tag, &name).await {
        Ok(false) => {}
        Ok(true) => return reply(player, GuildReply::Exists).await,
        Err(error) => {
            failed(player, &error);
            return Ok(());
        }
    }
    let body = packet::encode(&GuildRequestServerPacket {
        player_id: me.player_id,
        guild_identity: format!("{name} ({tag})"),
    })?;
    // Everyone guildless on the map, the founder not counted: are there enough?
    let player_id = me.player_id;
    let candidates = me
        .map
        .guild(|reply| GuildRequest::Invite {
            player_id,
            body: body.clone(),
            reply,
        })
        .await
        .unwrap_or_default();
    let needed = config.required_members.saturating_sub(1) as usize; // ok: a small count
    if candidates.len() < needed {
        player.guild.founding = None;
        return reply(player, GuildReply::NoCandidates).await;
    }
    player.guild.founding = Some(Founding {
        tag,
        name,
        invited: candidates,
        members: Vec::new(),
    });
    reply(player, GuildReply::CreateBegin).await
}

/// Guild_Accept: this character agrees to found the guild `inviter` invited it to.
pub(super) async fn accept(player: &mut Player, me: &Me, inviter: u16) -> Result<(), Disconnect> {
    if membership(player, me).await.is_some() {
        return Ok(());
    }
    let Some(inviter) = player.context.world.player_by_id(inviter).await else {
        return Ok(());
    };
    inviter.handle.guild(GuildEvent::InviteAccepted(Candidate {
        player_id: me.player_id,
        character_id: me.character_id,
        name: me.name.clone(),
        handle: player.handle.clone(),
    }));
    Ok(())
}

/// An invitee agreed: the founder hears it (CreateAdd), or that it has enough (CreateAddConfirm).
pub(super) async fn invite_accepted(
    player: &mut Player,
    candidate: Candidate,
) -> Result<(), Disconnect> {
    let required = player.context.config.get().guilds.required_members;
    let Some(founding) = player.guild.founding.as_mut() else {
        return Ok(());
    };
    if !founding.invited.contains(&candidate.player_id)
        || founding
            .members
            .iter()
            .any(|m| m.player_id == candidate.player_id)
    {
        return Ok(());
    }
    let name = candidate.name.clone();
    founding.members.push(candidate);
    let count = founding.members.len().saturating_add(1);
    let data = if count >= required as usize {
        Data::CreateAddConfirm(GuildReplyServerPacketReplyCodeDataCreateAddConfirm { name })
    } else {
        Data::CreateAdd(GuildReplyServerPacketReplyCodeDataCreateAdd { name })
    };
    let code = match data {
        Data::CreateAddConfirm(_) => GuildReply::CreateAddConfirm,
        _ => GuildReply::CreateAdd,
    };
    player
        .send(&GuildReplyServerPacket {
            reply_code: code,
            reply_code_data: Some(data),
        })
        .await
}

/// Guild_Create: the founder confirms; it pays and the guild is written.
pub(super) async fn create(
    player: &mut Player,
    me: &Me,
    packet: GuildCreateClientPacket,
) -> Result<(), Disconnect> {
    if !session_open(me, packet.session_id).await {
        return Ok(());
    }
    let config = player.context.config.get().guilds.clone();
    let Some(founding) = player.guild.founding.clone() else {
        return Ok(());
    };
    let same = founding.tag.eq_ignore_ascii_case(&packet.guild_tag)
        && founding.name.eq_ignore_ascii_case(&packet.guild_name);
    let enough = founding.members.len().saturating_add(1) >= config.required_members as usize;
    let description_fits =
        packet.description.chars().count() <= config.max_description_length as usize;
    if !same || !enough || !description_fits {
        return reply(player, GuildReply::NotApproved).await;
    }
    let op = GuildOp::Create(Box::new(NewGuild {
        character_id: me.character_id,
        cost: config.create_cost,
        tag: founding.tag.clone(),
        name: founding.name.clone(),
        description: packet.description,
        ranks: config.starting_ranks(),
        members: founding.members.iter().map(|m| m.character_id).collect(),
        now: unix_now(),
    }));
    let player_id = me.player_id;
    let Some(Some(paid)) = me
        .map
        .guild(|reply| GuildRequest::Pay {
            player_id,
            op: Box::new(op),
            reply,
        })
        .await
    else {
        // Not the gold: nothing happens (the client checks the cost before it asks).
        return Ok(());
    };
    let outcome = paid.outcome.await;
    let Ok(GuildOpOutcome::Created(joined)) = outcome else {
        me.map
            .tell_guild(GuildRequest::Refund {
                player_id,
                amount: config.create_cost,
            })
            .await;
        return reply(player, GuildReply::Exists).await;
    };
    player.guild.founding = None;
    for (character_id, guild) in joined {
        if character_id == me.character_id {
            player
                .send(&GuildCreateServerPacket {
                    leader_player_id: me.player_id,
                    guild_tag: guild.tag.clone(),
                    guild_name: guild.name.clone(),
                    rank_name: guild.rank_name.clone(),
                    gold_amount: paid.gold_left,
                })
                .await?;
            super::show(player, Some(guild)).await;
        } else if let Some(member) = founding
            .members
            .iter()
            .find(|m| m.character_id == character_id)
        {
            let body = packet::encode(&GuildAgreeServerPacket {
                recruiter_id: me.player_id,
                guild_tag: guild.tag.clone(),
                guild_name: guild.name.clone(),
                rank_name: guild.rank_name.clone(),
            })?;
            member.handle.guild(GuildEvent::Changed {
                guild: Some(guild),
                body: Some(body),
            });
        }
    }
    Ok(())
}
