//! A guild's members: joining through a recruiter (Guild_Player asks, Guild_Use lets in; the
//! guild bank pays `recruit_cost`), leaving (Guild_Remove), kicking (Guild_Kick), ranks
//! (Guild_Rank), disbanding (Guild_Junk), the description and rank names (Guild_Agree) and
//! deposits (Guild_Buy). Kicks and rank changes work on offline members too: the database
//! holds the membership; a member in the game is told at once.

use eo_protocol::net::client::{
    GuildAgreeClientPacket, GuildAgreeClientPacketInfoTypeData as Info, GuildBuyClientPacket,
    GuildKickClientPacket, GuildPlayerClientPacket, GuildRankClientPacket,
};
use eo_protocol::net::server::{
    GuildAcceptServerPacket, GuildAgreeServerPacket, GuildBuyServerPacket, GuildReply,
    GuildReplyServerPacket, GuildReplyServerPacketReplyCodeData as Data,
    GuildReplyServerPacketReplyCodeDataJoinRequest,
};

use super::{Candidate, GuildEvent, Me, failed, membership, reply, session_open, show};
use crate::db::{GUILD_RANKS, GuildMembership, GuildOp, GuildOpOutcome, Joined, MemberChange};
use crate::map::GuildRequest;
use crate::net::packet;
use crate::player::actor::{Disconnect, Player};

/// The character's membership if it has the service open with `session` and its rank is at
/// most `allowed`.
async fn allowed(
    player: &Player,
    me: &Me,
    session: u32,
    allowed: impl FnOnce(&crate::config::GuildsConfig) -> u8,
) -> Option<GuildMembership> {
    if !session_open(me, session).await {
        return None;
    }
    let most = allowed(&player.context.config.get().guilds);
    membership(player, me).await.filter(|m| m.rank <= most)
}

/// Tells the member `name`'s task, if it is in the game, its membership now.
async fn tell_member(
    player: &Player,
    name: &str,
    guild: Option<GuildMembership>,
    body: Option<bytes::Bytes>,
) {
    if let Some(found) = player.context.world.player(name.to_owned()).await {
        found.handle.guild(GuildEvent::Changed { guild, body });
    }
}

/// Guild_Player: asks the recruiter `recruiter_name` to let this character join `guild_tag`.
pub(super) async fn ask_to_join(
    player: &mut Player,
    me: &Me,
    packet: GuildPlayerClientPacket,
) -> Result<(), Disconnect> {
    if !session_open(me, packet.session_id).await {
        return Ok(());
    }
    if membership(player, me).await.is_some() {
        return reply(player, GuildReply::AlreadyMember).await;
    }
    let Some(recruiter) = player
        .context
        .world
        .player(packet.recruiter_name.clone())
        .await
    else {
        return reply(player, GuildReply::RecruiterOffline).await;
    };
    if recruiter.map != me.map.id {
        return reply(player, GuildReply::RecruiterNotHere).await;
    }
    let theirs = match player
        .context
        .db
        .guild_membership_by_name(&recruiter.name)
        .await
    {
        Ok(found) => found,
        Err(error) => {
            failed(player, &error);
            return Ok(());
        }
    };
    let Some(theirs) = theirs.filter(|g| g.tag.eq_ignore_ascii_case(&packet.guild_tag)) else {
        return reply(player, GuildReply::RecruiterWrongGuild).await;
    };
    if theirs.rank > player.context.config.get().guilds.recruit_rank {
        return reply(player, GuildReply::NotRecruiter).await;
    }
    recruiter.handle.guild(GuildEvent::JoinRequest(Candidate {
        player_id: me.player_id,
        character_id: me.character_id,
        name: me.name.clone(),
        handle: player.handle.clone(),
    }));
    Ok(())
}

/// A character asks this recruiter to let it join: the client asks the recruiter.
pub(super) async fn join_requested(
    player: &mut Player,
    candidate: Candidate,
) -> Result<(), Disconnect> {
    let data = GuildReplyServerPacketReplyCodeDataJoinRequest {
        player_id: candidate.player_id,
        name: candidate.name.clone(),
    };
    player
        .guild
        .join_requests
        .insert(candidate.player_id, candidate);
    player
        .send(&GuildReplyServerPacket {
            reply_code: GuildReply::JoinRequest,
            reply_code_data: Some(Data::JoinRequest(data)),
        })
        .await
}

/// Guild_Use: the recruiter lets the asker in; the guild bank pays `recruit_cost`.
pub(super) async fn recruit(player: &mut Player, me: &Me, asker: u16) -> Result<(), Disconnect> {
    let Some(candidate) = player.guild.join_requests.remove(&asker) else {
        return Ok(());
    };
    let config = player.context.config.get().guilds.clone();
    let Some(mine) = membership(player, me)
        .await
        .filter(|m| m.rank <= config.recruit_rank)
    else {
        return Ok(());
    };
    let db = &player.context.db;
    match db.guild_members(mine.guild_id).await {
        Ok(members) if members.len() >= config.max_members as usize => return Ok(()),
        Ok(_) => {}
        Err(error) => {
            failed(player, &error);
            return Ok(());
        }
    }
    let joined = db
        .join_guild(mine.guild_id, candidate.character_id, config.recruit_cost)
        .await;
    match joined {
        Ok(Joined::Joined(guild)) => {
            let body = packet::encode(&GuildAgreeServerPacket {
                recruiter_id: me.player_id,
                guild_tag: guild.tag.clone(),
                guild_name: guild.name.clone(),
                rank_name: guild.rank_name.clone(),
            })?;
            candidate.handle.guild(GuildEvent::Changed {
                guild: Some(guild),
                body: Some(body),
            });
            reply(player, GuildReply::Accepted).await
        }
        Ok(Joined::AccountLow) => reply(player, GuildReply::AccountLow).await,
        Ok(Joined::AlreadyMember | Joined::NoGuild) => Ok(()),
        Err(error) => {
            failed(player, &error);
            Ok(())
        }
    }
}

/// Guild_Remove: leaves the guild (not its last leader, who may disband it instead).
pub(super) async fn leave(player: &mut Player, me: &Me, session: u32) -> Result<(), Disconnect> {
    if !session_open(me, session).await {
        return Ok(());
    }
    match player.context.db.leave_guild(me.character_id).await {
        Ok(true) => show(player, None).await,
        Ok(false) => {}
        Err(error) => failed(player, &error),
    }
    Ok(())
}

/// Guild_Kick: removes a member of a lower rank, in the game or not.
pub(super) async fn kick(
    player: &mut Player,
    me: &Me,
    packet: GuildKickClientPacket,
) -> Result<(), Disconnect> {
    let Some(mine) = allowed(player, me, packet.session_id, |c| c.kick_rank).await else {
        return Ok(());
    };
    let change = player
        .context
        .db
        .kick_guild_member(mine.guild_id, mine.rank, &packet.member_name)
        .await;
    match change {
        Ok(MemberChange::Done(..)) => {
            tell_member(player, &packet.member_name, None, None).await;
            reply(player, GuildReply::Removed).await
        }
        Ok(MemberChange::Outranked) => reply(player, GuildReply::RemoveLeader).await,
        Ok(MemberChange::NotMember) => reply(player, GuildReply::RemoveNotMember).await,
        Err(error) => {
            failed(player, &error);
            Ok(())
        }
    }
}

/// Guild_Rank: gives a member of a lower rank another rank below the acting member's.
pub(super) async fn rank(
    player: &mut Player,
    me: &Me,
    packet: GuildRankClientPacket,
) -> Result<(), Disconnect> {
    let Some(mine) = allowed(player, me, packet.session_id, |c| c.promote_rank).await else {
        return Ok(());
    };
    let change = player
        .context
        .db
        .set_guild_rank(mine.guild_id, mine.rank, &packet.member_name, packet.rank)
        .await;
    match change {
        Ok(MemberChange::Done(_, guild)) => {
            let body = packet::encode(&GuildAcceptServerPacket { rank: packet.rank })?;
            tell_member(player, &packet.member_name, guild, Some(body)).await;
            reply(player, GuildReply::Updated).await
        }
        Ok(MemberChange::Outranked) => reply(player, GuildReply::RankingLeader).await,
        Ok(MemberChange::NotMember) => reply(player, GuildReply::RankingNotMember).await,
        Err(error) => {
            failed(player, &error);
            Ok(())
        }
    }
}

/// Guild_Junk: the guild is disbanded; every member in the game is told.
pub(super) async fn disband(player: &mut Player, me: &Me, session: u32) -> Result<(), Disconnect> {
    let Some(mine) = allowed(player, me, session, |c| c.disband_rank).await else {
        return Ok(());
    };
    let had = match player.context.db.disband_guild(mine.guild_id).await {
        Ok(had) => had,
        Err(error) => {
            failed(player, &error);
            return Ok(());
        }
    };
    for member in had {
        if member.character_id == me.character_id {
            show(player, None).await;
        } else {
            tell_member(player, &member.name, None, None).await;
        }
    }
    Ok(())
}

/// Guild_Agree: a new description or new rank names.
pub(super) async fn edit(
    player: &mut Player,
    me: &Me,
    packet: GuildAgreeClientPacket,
) -> Result<(), Disconnect> {
    let Some(mine) = allowed(player, me, packet.session_id, |c| c.edit_rank).await else {
        return Ok(());
    };
    let config = player.context.config.get().guilds.clone();
    let db = &player.context.db;
    match packet.info_type_data {
        Some(Info::Description(d)) => {
            if d.description.chars().count() > config.max_description_length as usize {
                return Ok(());
            }
            if let Err(error) = db.set_guild_description(mine.guild_id, d.description).await {
                failed(player, &error);
                return Ok(());
            }
            reply(player, GuildReply::Updated).await
        }
        Some(Info::Ranks(r)) => {
            let fits = |name: &String| name.chars().count() <= config.max_rank_name_length as usize;
            let Ok(ranks) = <[String; GUILD_RANKS]>::try_from(r.ranks) else {
                return Ok(());
            };
            if !ranks.iter().all(fits) {
                return Ok(());
            }
            if let Err(error) = db.set_guild_ranks(mine.guild_id, ranks).await {
                failed(player, &error);
                return Ok(());
            }
            reply(player, GuildReply::RanksUpdated).await
        }
        None => Ok(()),
    }
}

/// Guild_Buy: a deposit of at least `min_deposit` into the guild bank. One that would take the
/// bank past `max_bank` is refused before any gold moves (nothing is answered). Otherwise the
/// map takes the gold and the save queue writes it with the bank's change, which checks the
/// cap again; if a deposit made meanwhile filled the bank, it is refused there and the gold
/// comes back. This task waits for that answer (a database write), so the refund is made
/// before it handles anything else, its own disconnection included.
pub(super) async fn deposit(
    player: &mut Player,
    me: &Me,
    packet: GuildBuyClientPacket,
) -> Result<(), Disconnect> {
    if !session_open(me, packet.session_id).await {
        return Ok(());
    }
    let config = player.context.config.get().guilds.clone();
    let amount = packet.gold_amount;
    if amount < config.min_deposit.max(1) {
        return Ok(());
    }
    let Some(mine) = membership(player, me).await else {
        return Ok(());
    };
    // A bank that cannot take it refuses here, before any gold moves. (Another deposit may
    // still fill it before this one is written: then the write refuses and the gold comes
    // back, see below.)
    match player.context.db.guild_by_id(mine.guild_id).await {
        Ok(Some(guild))
            if guild
                .bank
                .checked_add(amount)
                .is_some_and(|b| b <= config.max_bank) => {}
        Ok(_) => return Ok(()),
        Err(error) => {
            failed(player, &error);
            return Ok(());
        }
    }
    let op = GuildOp::Deposit {
        character_id: me.character_id,
        guild_id: mine.guild_id,
        amount,
        max_bank: config.max_bank,
    };
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
        return Ok(());
    };
    match paid.outcome.await {
        Ok(GuildOpOutcome::Deposited(_)) => {
            player
                .send(&GuildBuyServerPacket {
                    gold_amount: paid.gold_left,
                })
                .await
        }
        _ => {
            me.map
                .tell_guild(GuildRequest::Refund { player_id, amount })
                .await;
            Ok(())
        }
    }
}
