//! The map's part of guilds. Guilds are the database's (db/guilds.rs) and their flow is run by
//! the player task (player/handlers/guild/); the map does what needs the characters it owns:
//!
//! - Guild_Open at a guild master (ENF type Guild) opens the service and its session, which
//!   the later guild packets are checked against ([`GuildRequest::Session`]);
//! - invitations to a new guild go to the guildless characters on the map;
//! - gold a guild action takes (a deposit, the creation cost) leaves the character here and
//!   is queued with the action to the save queue, which writes both in one transaction
//!   (`crate::save` explains); a refused action's gold comes back ([`GuildRequest::Refund`]);
//! - what others see of a character's guild (its tag in the nearby lists, the guild and rank
//!   on its paperdoll) follows its membership ([`GuildRequest::Show`]).

use bytes::Bytes;
use eo_protocol::net::server::GuildOpenServerPacket;
use tokio::sync::oneshot;

use super::actor::MapActor;
use super::services::Service;
use crate::data::GOLD;
use crate::db::{GuildMembership, GuildOp, GuildOpOutcome};

/// What a player task asks of its map for a guild action.
pub enum GuildRequest {
    /// Whether the character has the guild service open with this session.
    Session {
        player_id: u16,
        session: u32,
        reply: oneshot::Sender<bool>,
    },
    /// Sends `body` (an invitation) to every other character on the map that is in no guild;
    /// answers their player ids.
    Invite {
        player_id: u16,
        body: Bytes,
        reply: oneshot::Sender<Vec<u16>>,
    },
    /// Takes the action's gold from the character and queues the action with its new state;
    /// answers the gold it has left and where the action's outcome will come, or `None` if
    /// it has not the gold.
    Pay {
        player_id: u16,
        op: Box<GuildOp>,
        reply: oneshot::Sender<Option<Paid>>,
    },
    /// A refused action's gold goes back to the character.
    Refund { player_id: u16, amount: u32 },
    /// The character's guild as others see it now.
    Show {
        player_id: u16,
        guild: Option<GuildMembership>,
    },
}

/// Gold taken for a guild action.
pub struct Paid {
    /// The gold the character holds now.
    pub gold_left: u32,
    /// The action's outcome, once committed (closed if the database is gone).
    pub outcome: oneshot::Receiver<GuildOpOutcome>,
}

impl std::fmt::Debug for GuildRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GuildRequest::Session { .. } => "guild session",
            GuildRequest::Invite { .. } => "guild invite",
            GuildRequest::Pay { .. } => "guild pay",
            GuildRequest::Refund { .. } => "guild refund",
            GuildRequest::Show { .. } => "guild show",
        })
    }
}

impl MapActor {
    /// Guild_Open: the guild master's session.
    pub(super) fn guild_open(&mut self, player_id: u16, npc_index: u16) {
        let Ok(npc_index) = u8::try_from(npc_index) else {
            return;
        };
        let Some(opened) = self.start_service(player_id, npc_index, Service::Guild) else {
            return;
        };
        let body = self.encode(&GuildOpenServerPacket {
            session_id: u32::from(opened.session),
        });
        self.send_to(player_id, body);
    }

    pub(super) fn guild(&mut self, request: GuildRequest) {
        match request {
            GuildRequest::Session {
                player_id,
                session,
                reply,
            } => {
                let open = self
                    .open_service(player_id, Service::Guild, Some(session))
                    .is_some();
                let _ = reply.send(open);
            }
            GuildRequest::Invite {
                player_id,
                body,
                reply,
            } => {
                let invited: Vec<u16> = self
                    .characters
                    .iter()
                    .filter(|(id, c)| **id != player_id && c.record.guild.is_none())
                    .map(|(id, c)| {
                        c.player.send(body.clone());
                        *id
                    })
                    .collect();
                let _ = reply.send(invited);
            }
            GuildRequest::Pay {
                player_id,
                op,
                reply,
            } => {
                let _ = reply.send(self.pay_for_guild(player_id, *op));
            }
            GuildRequest::Refund { player_id, amount } => self.refund_guild_gold(player_id, amount),
            GuildRequest::Show { player_id, guild } => {
                if let Some(me) = self.characters.get_mut(&player_id) {
                    me.info.guild_tag =
                        crate::world::shown_tag(guild.as_ref().map(|g| g.tag.as_str()));
                    me.record.guild = guild;
                }
            }
        }
    }

    /// Takes the gold (out of the inventory first), then queues the character as it is now
    /// with the action: the save queue writes both together (`crate::save`).
    fn pay_for_guild(&mut self, player_id: u16, op: GuildOp) -> Option<Paid> {
        let amount = op.gold();
        let map = self.id;
        let data = std::sync::Arc::clone(&self.data);
        if self.trades.is_trading(player_id) {
            return None;
        }
        let me = self.characters.get_mut(&player_id)?;
        if me.record.id != op.character_id() || me.game.amount_of(GOLD) < amount {
            return None;
        }
        if me.game.remove_item(GOLD, amount, &data) != amount {
            return None;
        }
        let now = me.character_now(map);
        *me.record = now.clone();
        let gold_left = me.game.amount_of(GOLD);
        let outcome = self.saves.guild_op(now, op);
        Some(Paid { gold_left, outcome })
    }

    /// Gives back the gold of a refused action (as far as the stack allows), and queues the
    /// character's save at once, so the database holds it again soon.
    fn refund_guild_gold(&mut self, player_id: u16, amount: u32) {
        let max = self.config.items.max_item_amount;
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let room = max.saturating_sub(me.game.amount_of(GOLD));
        me.game.add_item(GOLD, amount.min(room), &data);
        self.save_holdings_changed();
    }
}
