//! Guilds, at a guild master (ENF type Guild). The map opens the service (Guild_Open, in
//! map/guild.rs); every later guild packet comes here, to the player task, which checks the
//! session with its map, reads and writes the guild in the database (db/guilds.rs, the one
//! place a guild lives), and tells the other members' tasks what changed for them
//! ([`GuildEvent`]). Gold that goes to a guild (a deposit, the creation cost) is taken by the
//! map and written with the guild's change in one transaction (map/guild.rs, `crate::save`).
//!
//! Ranks run from 1 (leader) to 9 (new member); each `[guilds] *_rank` key is the largest rank
//! number allowed to do that. Who may do what, the refusals and where this differs from
//! EOSERV and reoserv: docs/players.md, "Guilds".
//!
//! - `create.rs`: Guild_Request (begin), Guild_Accept (an invitee agrees), Guild_Create.
//! - `members.rs`: joining through a recruiter (Guild_Player, Guild_Use), leaving, kicking,
//!   ranks, disbanding, the description and rank names, deposits.
//! - `info.rs`: Guild_Take, Guild_Report, Guild_Tell.

mod create;
mod info;
mod members;

use std::collections::HashMap;

use eo_protocol::net::client::ClientPacket;
use eo_protocol::net::server::{GuildReply, GuildReplyServerPacket};
use tracing::warn;

use crate::db::{DbError, GuildMembership};
use crate::map::GuildRequest;
use crate::player::PlayerHandle;
use crate::player::actor::{Disconnect, Player, State};

/// What one member's task tells another's.
#[derive(Debug, Clone)]
pub(crate) enum GuildEvent {
    /// An invitee agreed to found the guild this task's character is creating.
    InviteAccepted(Candidate),
    /// A character asks this task's character, a recruiter, to let it join.
    JoinRequest(Candidate),
    /// This task's character's membership changed (joined, founded, re-ranked, kicked,
    /// disbanded): show it, and send its client `body` if any.
    Changed {
        guild: Option<GuildMembership>,
        body: Option<bytes::Bytes>,
    },
}

/// A character taking part in another's guild action.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub player_id: u16,
    pub character_id: i64,
    pub name: String,
    pub handle: PlayerHandle,
}

/// A guild being founded by this task's character (between Guild_Request and Guild_Create).
#[derive(Debug, Clone)]
struct Founding {
    tag: String,
    name: String,
    /// Who was invited (player ids), and who agreed.
    invited: Vec<u16>,
    members: Vec<Candidate>,
}

/// The guild actions under way on one connection.
#[derive(Debug, Default)]
pub(crate) struct GuildFlow {
    founding: Option<Founding>,
    /// Join requests this recruiter received, by the asker's player id.
    join_requests: HashMap<u16, Candidate>,
}

/// Who the character is: its player id, character id, name, and its map.
struct Me {
    player_id: u16,
    character_id: i64,
    name: String,
    map: crate::map::MapHandle,
}

fn me(player: &Player) -> Result<Me, Disconnect> {
    match (&player.state, player.player_id) {
        (State::InGame(game), Some(player_id)) => Ok(Me {
            player_id,
            character_id: game.character_id,
            name: game.name.clone(),
            map: game.map.clone(),
        }),
        _ => Err(Disconnect::Closed("a guild packet outside the game")),
    }
}

/// Whether the character has the guild master's service open with `session`.
async fn session_open(me: &Me, session: u32) -> bool {
    let player_id = me.player_id;
    me.map
        .guild(|reply| GuildRequest::Session {
            player_id,
            session,
            reply,
        })
        .await
        .unwrap_or(false)
}

/// A database failure: logged; the packet is dropped (the player is not at fault).
fn failed(player: &Player, error: &DbError) {
    warn!(addr = %player.addr, %error, "a guild could not be read or written");
}

/// Sends Guild_Reply with a code that carries nothing.
async fn reply(player: &mut Player, code: GuildReply) -> Result<(), Disconnect> {
    player
        .send(&GuildReplyServerPacket {
            reply_code: code,
            reply_code_data: None,
        })
        .await
}

/// The character's membership as the database has it now.
async fn membership(player: &Player, me: &Me) -> Option<GuildMembership> {
    match player.context.db.guild_membership(me.character_id).await {
        Ok(found) => found,
        Err(error) => {
            failed(player, &error);
            None
        }
    }
}

/// Shows a membership change of this task's character: its map (the tag others see) and the
/// world (guild chat, the online list).
pub(crate) async fn show(player: &mut Player, guild: Option<GuildMembership>) {
    let (State::InGame(game), Some(player_id)) = (&player.state, player.player_id) else {
        return;
    };
    let world_guild = guild.as_ref().map(|g| (g.guild_id, g.tag.clone()));
    game.map
        .tell_guild(GuildRequest::Show { player_id, guild })
        .await;
    player.context.world.set_guild(player_id, world_guild).await;
}

/// A guild packet (all but Guild_Open, which the map takes).
pub(in crate::player) async fn packet(
    player: &mut Player,
    packet: ClientPacket,
) -> Result<(), Disconnect> {
    let me = me(player)?;
    match packet {
        ClientPacket::GuildRequest(p) => create::begin(player, &me, p).await,
        ClientPacket::GuildAccept(p) => create::accept(player, &me, p.inviter_player_id).await,
        ClientPacket::GuildCreate(p) => create::create(player, &me, p).await,
        ClientPacket::GuildPlayer(p) => members::ask_to_join(player, &me, p).await,
        ClientPacket::GuildUse(p) => members::recruit(player, &me, p.player_id).await,
        ClientPacket::GuildRemove(p) => members::leave(player, &me, p.session_id).await,
        ClientPacket::GuildKick(p) => members::kick(player, &me, p).await,
        ClientPacket::GuildRank(p) => members::rank(player, &me, p).await,
        ClientPacket::GuildJunk(p) => members::disband(player, &me, p.session_id).await,
        ClientPacket::GuildAgree(p) => members::edit(player, &me, p).await,
        ClientPacket::GuildBuy(p) => members::deposit(player, &me, p).await,
        ClientPacket::GuildTake(p) => info::take(player, &me, p).await,
        ClientPacket::GuildReport(p) => info::report(player, &me, p).await,
        ClientPacket::GuildTell(p) => info::tell(player, &me, p).await,
        _ => Ok(()),
    }
}

/// What another member's task told this one.
pub(crate) async fn event(player: &mut Player, event: GuildEvent) -> Result<(), Disconnect> {
    match event {
        GuildEvent::InviteAccepted(candidate) => create::invite_accepted(player, candidate).await,
        GuildEvent::JoinRequest(candidate) => members::join_requested(player, candidate).await,
        GuildEvent::Changed { guild, body } => {
            show(player, guild).await;
            if let Some(body) = body {
                player.handle.send(body);
            }
            Ok(())
        }
    }
}
