//! The world's handle: async methods that hide the messages.

use std::collections::HashMap;
use std::net::SocketAddr;

use tokio::sync::{mpsc, oneshot};

pub use super::actor::{Channel, KickTarget, OnlineCharacter, PlayerInfo, WorldCounts, icon};
use super::actor::{WorldActor, WorldMessage};
use super::party::PartyMessage;
use crate::map::MapHandle;
use crate::player::PlayerHandle;

/// How many messages may wait for the world actor.
const WORLD_QUEUE_LEN: usize = 1024;

/// Why a login was refused by the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefused {
    /// The account is already online (or being logged in) on another connection.
    AlreadyOnline,
    /// The server has as many players as `max_players`.
    Full,
    /// The world actor is gone (shutting down).
    Unavailable,
}

/// A cheap, cloneable handle to the world actor. The actor ends when every handle is dropped.
#[derive(Clone, Debug)]
pub struct WorldHandle {
    tx: mpsc::Sender<WorldMessage>,
}

impl WorldHandle {
    /// Starts the world actor. `max_ids` is how many connections may hold a player id at once,
    /// `max_players` how many may be logged in.
    pub fn spawn(max_ids: u16, max_players: usize) -> Self {
        Self::spawn_with(max_ids, max_players, HashMap::new(), 2)
    }

    /// [`Self::spawn`] with the maps, which the world tells their characters' parties, and
    /// the largest party (`[parties] max_size`).
    pub fn spawn_with(
        max_ids: u16,
        max_players: usize,
        maps: HashMap<u16, MapHandle>,
        max_party_size: usize,
    ) -> Self {
        let (tx, rx) = mpsc::channel(WORLD_QUEUE_LEN);
        tokio::spawn(WorldActor::new(rx, max_ids, max_players, maps, max_party_size).run());
        Self { tx }
    }

    /// A player id for a new connection (sent in Init_Init), or `None` if every id is taken.
    pub async fn allocate_player_id(&self, player: PlayerHandle, addr: SocketAddr) -> Option<u16> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(WorldMessage::AllocateId {
                player,
                addr,
                reply,
            })
            .await
            .ok()?;
        rx.await.ok().flatten()
    }

    /// The connection holding `player_id` is gone: frees the id and any account it held.
    pub async fn release(&self, player_id: u16) {
        self.tell(WorldMessage::Release { player_id }).await;
    }

    /// Marks `account_id` as online on `player_id`, atomically: at most one connection holds an
    /// account at any time (no double login, no dupe).
    pub async fn login(
        &self,
        player_id: u16,
        account_id: i64,
        account_name: String,
    ) -> Result<(), LoginRefused> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(WorldMessage::Login {
                player_id,
                account_id,
                account_name,
                reply,
            })
            .await
            .map_err(|_| LoginRefused::Unavailable)?;
        rx.await.unwrap_or(Err(LoginRefused::Unavailable))
    }

    /// How many connections hold an id, how many accounts are logged in, and more.
    pub async fn counts(&self) -> Option<WorldCounts> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(WorldMessage::Counts { reply }).await.ok()?;
        rx.await.ok()
    }

    /// New limits from a reloaded configuration: ids for `max_ids` connections, `max_players`
    /// logged in. Those above a lowered limit stay until they leave.
    pub async fn set_limits(&self, max_ids: u16, max_players: usize) {
        self.tell(WorldMessage::SetLimits {
            max_ids,
            max_players,
        })
        .await;
    }

    /// A message that needs no reply but must not be lost (who is in the game, where): a
    /// full queue makes the caller wait its turn, so the bound holds and the order of one
    /// caller's messages is kept. The world never waits on a player, so no cycle can form.
    async fn tell(&self, message: WorldMessage) {
        // A closed queue means the server is stopping; nothing is left to tell.
        let _ = self.tx.send(message).await;
    }

    /// A request a client's packet made (the online list, #find, chat): dropped when the
    /// queue is full, so a crowd's flood waits on nobody and holds no memory; the client
    /// asks again or says it again.
    fn offer(&self, message: WorldMessage) {
        if let Err(mpsc::error::TrySendError::Full(message)) = self.tx.try_send(message) {
            tracing::debug!(
                message = message.kind(),
                "the world's queue is full; a client's request was dropped"
            );
        }
    }

    /// A character entered the game on `player_id`: it can be whispered, found, listed, and
    /// hears global chat.
    pub async fn enter_game(&self, player_id: u16, character: OnlineCharacter) {
        self.tell(WorldMessage::EnterGame {
            player_id,
            character,
        })
        .await;
    }

    /// The character on `player_id` is now on `map`.
    pub async fn changed_map(&self, player_id: u16, map: u16) {
        self.tell(WorldMessage::ChangedMap { player_id, map }).await;
    }

    /// The character of `player_id` reached a new level (for the online list and `players`).
    pub async fn changed_level(&self, player_id: u16, level: u8) {
        self.tell(WorldMessage::ChangedLevel { player_id, level })
            .await;
    }

    /// Sends the online list (Init_Init PlayersList) to `player_id`.
    pub fn online_list(&self, player_id: u16) {
        self.offer(WorldMessage::OnlineList { player_id });
    }

    /// Sends the names of everyone in the game (Init_Init PlayersListFriends) to `player_id`.
    pub fn friends_list(&self, player_id: u16) {
        self.offer(WorldMessage::FriendsList { player_id });
    }

    /// Sends `body` to every character in the game at admin `level` or above.
    pub fn to_admins(&self, level: u8, body: bytes::Bytes) {
        self.offer(WorldMessage::ToAdmins { level, body });
    }

    /// #find: tells `player_id` whether `name` is offline, on its map, or elsewhere.
    pub fn find(&self, player_id: u16, name: String) {
        self.offer(WorldMessage::Find { player_id, name });
    }

    /// Asks the player `target` to show its paperdoll to `player_id`.
    pub fn paperdoll(&self, player_id: u16, target: u16) {
        self.offer(WorldMessage::Paperdoll { player_id, target });
    }

    /// The character on `player_id` left the game.
    pub async fn leave_game(&self, player_id: u16) {
        self.tell(WorldMessage::LeaveGame { player_id }).await;
    }

    /// Opens or closes the global chat channel for a player.
    pub async fn set_global(&self, player_id: u16, on: bool) {
        self.tell(WorldMessage::SetGlobal { player_id, on }).await;
    }

    /// Global, admin or announcement chat from a player, if its admin level is at least
    /// `needed` (admin chat then reaches only those at `needed` too).
    pub fn chat(&self, player_id: u16, channel: Channel, needed: u8, message: String) {
        self.offer(WorldMessage::Chat {
            player_id,
            channel,
            needed,
            message,
        });
    }

    /// A private message; the sender is told if nobody of that name is online.
    pub fn whisper(&self, player_id: u16, to: String, message: String) {
        self.offer(WorldMessage::Whisper {
            player_id,
            to,
            message,
        });
    }

    /// Party_Request of `target`, which the player's map found in reach (`hp`: both HP
    /// percentages); the world answers the players.
    pub fn party_request(
        &self,
        player_id: u16,
        target: u16,
        kind: eo_protocol::net::PartyRequestType,
        hp: (u8, u8),
    ) {
        self.offer(WorldMessage::Party(PartyMessage::Request {
            player_id,
            target,
            kind,
            hp,
        }));
    }

    /// Party_Accept of `inviter`'s request of `kind`.
    pub fn party_accept(
        &self,
        player_id: u16,
        inviter: u16,
        kind: eo_protocol::net::PartyRequestType,
    ) {
        self.offer(WorldMessage::Party(PartyMessage::Accept {
            player_id,
            inviter,
            kind,
        }));
    }

    /// Party_Remove: leaving (`target` is the player itself) or, by the leader, a kick.
    pub fn party_remove(&self, player_id: u16, target: u16) {
        self.offer(WorldMessage::Party(PartyMessage::Remove {
            player_id,
            target,
        }));
    }

    /// Party_Take: the member list again.
    pub fn party_list(&self, player_id: u16) {
        self.offer(WorldMessage::Party(PartyMessage::List { player_id }));
    }

    /// Talk_Open: party chat.
    pub fn party_chat(&self, player_id: u16, message: String) {
        self.offer(WorldMessage::Party(PartyMessage::Chat {
            player_id,
            message,
        }));
    }

    /// A party member's HP percentage as its map told it (for the member lists).
    pub async fn party_hp(&self, player_id: u16, percent: u8) {
        self.tell(WorldMessage::Party(PartyMessage::Hp { player_id, percent }))
            .await;
    }

    /// Sends a message that wants a reply and waits for it; `None` if the world is gone.
    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> WorldMessage) -> Option<T> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).await.ok()?;
        rx.await.ok()
    }

    /// Everyone in the game, in name order (empty if the world is gone).
    pub async fn players(&self) -> Vec<PlayerInfo> {
        self.ask(|reply| WorldMessage::Players { reply })
            .await
            .unwrap_or_default()
    }

    /// Closes the connections `target` names, telling them `reason` in the log; returns what
    /// was closed: character names, or the address of a connection not in the game.
    pub async fn kick(&self, target: KickTarget, reason: String) -> Vec<String> {
        self.ask(|reply| WorldMessage::Kick {
            target,
            reason,
            reply,
        })
        .await
        .unwrap_or_default()
    }

    /// Talk_Announce from `from` to everyone in the game (fire-and-forget).
    pub async fn announce(&self, from: String, message: String) {
        self.tell(WorldMessage::Announce { from, message }).await;
    }

    /// A server message (Talk_Server) to the character named `to`; whether it is in the game.
    pub async fn server_message(&self, to: String, message: String) -> bool {
        self.ask(|reply| WorldMessage::ServerMessage { to, message, reply })
            .await
            .unwrap_or(false)
    }

    /// The character on `player_id`, if one is in the game.
    pub async fn player_by_id(&self, player_id: u16) -> Option<PlayerInfo> {
        self.ask(|reply| WorldMessage::PlayerById { player_id, reply })
            .await
            .flatten()
    }

    /// The character on `player_id` joined a guild (its id and tag) or left its guild.
    pub async fn set_guild(&self, player_id: u16, guild: Option<(i64, String)>) {
        self.tell(WorldMessage::SetGuild { player_id, guild }).await;
    }

    /// Talk_Request: guild chat from `player_id` to the other members in the game.
    pub fn guild_chat(&self, player_id: u16, message: String) {
        self.offer(WorldMessage::GuildChat { player_id, message });
    }

    /// The character named `name` (any case), if it is in the game.
    pub async fn player(&self, name: String) -> Option<PlayerInfo> {
        self.ask(|reply| WorldMessage::Player { name, reply })
            .await
            .flatten()
    }

    /// Sets the admin level of the character named `name` if it is in the game (what the
    /// world checks chat against and what its map shows); whether it is in the game.
    pub async fn set_admin_level(&self, name: String, level: u8) -> bool {
        self.ask(|reply| WorldMessage::SetAdminLevel { name, level, reply })
            .await
            .unwrap_or(false)
    }

    /// Holds the account `account_id` for an operator's change of one of its characters in
    /// the database, if no connection is logged in to it: until the hold is dropped, a login
    /// to it is refused as one to an account already online. An account is released only once
    /// its logout's saves are on disk (player/actor.rs), so while it is held none of its
    /// characters is read, played or saved by anyone else. `None` if it is logged in (or held).
    pub async fn hold_account(&self, account_id: i64) -> Option<AccountHold> {
        let held = self
            .ask(|reply| WorldMessage::HoldAccount { account_id, reply })
            .await?;
        held.then(|| AccountHold {
            world: self.clone(),
            account_id,
        })
    }

    /// The title and class the online list shows of the character on `player_id` changed.
    pub async fn changed_listing(&self, player_id: u16, title: String, class_id: u8) {
        self.tell(WorldMessage::ChangedListing {
            player_id,
            title,
            class_id,
        })
        .await;
    }
}

/// An account held by [`WorldHandle::hold_account`]; dropping it lets the account log in.
#[derive(Debug)]
pub struct AccountHold {
    world: WorldHandle,
    account_id: i64,
}

impl Drop for AccountHold {
    fn drop(&mut self) {
        let message = WorldMessage::ReleaseHold {
            account_id: self.account_id,
        };
        // A full queue is waited for on a task of its own; a closed one means the world is gone.
        if let Err(mpsc::error::TrySendError::Full(message)) = self.world.tx.try_send(message)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let tx = self.world.tx.clone();
            runtime.spawn(async move {
                let _ = tx.send(message).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_held_account_cannot_log_in_and_a_logged_in_one_cannot_be_held() {
        let world = WorldHandle::spawn(8, 8);
        let (player, _outbox, _kill) = PlayerHandle::new();
        let id = world
            .allocate_player_id(player, "127.0.0.1:1".parse().unwrap())
            .await
            .unwrap();
        let hold = world
            .hold_account(7)
            .await
            .expect("nobody is logged in to 7");
        assert!(world.hold_account(7).await.is_none(), "held once at a time");
        assert_eq!(
            world.login(id, 7, "seven".into()).await,
            Err(LoginRefused::AlreadyOnline)
        );
        drop(hold);
        // The release is queued before this login: the world takes messages in order.
        assert_eq!(world.login(id, 7, "seven".into()).await, Ok(()));
        assert!(world.hold_account(7).await.is_none(), "logged in");
        world.release(id).await;
        assert!(world.hold_account(7).await.is_some(), "logged out");
    }

    #[tokio::test]
    async fn a_callers_messages_past_a_full_queue_keep_their_order() {
        let world = WorldHandle::spawn(8, 8);
        let (player, _outbox, _kill) = PlayerHandle::new();
        let id = world
            .allocate_player_id(player, "127.0.0.1:1".parse().unwrap())
            .await
            .unwrap();
        world
            .enter_game(
                id,
                OnlineCharacter {
                    name: "alice".into(),
                    title: String::new(),
                    level: 0,
                    class_id: 0,
                    admin_level: 0,
                    map: 1,
                    guild: None,
                },
            )
            .await;
        // Three queues' worth of level changes without a pause: the queue fills, and the
        // changes still arrive in order, so the last one stands.
        let changes = WORLD_QUEUE_LEN * 3;
        for n in 0..changes {
            world.changed_level(id, (n % 200) as u8).await;
        }
        let last = ((changes - 1) % 200) as u8;
        let players = world.players().await;
        assert_eq!(players.len(), 1);
        assert_eq!(players[0].level, last);
    }
}
