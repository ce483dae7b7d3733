//! The world's handle: async methods that hide the messages.

use tokio::sync::{mpsc, oneshot};

use super::actor::{WorldActor, WorldMessage};
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
        let (tx, rx) = mpsc::channel(WORLD_QUEUE_LEN);
        tokio::spawn(WorldActor::new(rx, max_ids, max_players).run());
        Self { tx }
    }

    /// A player id for a new connection (sent in Init_Init), or `None` if every id is taken.
    pub async fn allocate_player_id(&self, player: PlayerHandle) -> Option<u16> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(WorldMessage::AllocateId { player, reply })
            .await
            .ok()?;
        rx.await.ok().flatten()
    }

    /// The connection holding `player_id` is gone: frees the id and any account it held.
    /// Fire-and-forget, so it can be called from a task that is ending.
    pub fn release(&self, player_id: u16) {
        let tx = self.tx.clone();
        // A bounded queue could be full; the release must not be lost, so wait for room on a
        // task of its own rather than blocking the caller.
        tokio::spawn(async move {
            let _ = tx.send(WorldMessage::Release { player_id }).await;
        });
    }

    /// Marks `account_id` as online on `player_id`, atomically: at most one connection holds an
    /// account at any time (no double login, no dupe).
    pub async fn login(&self, player_id: u16, account_id: i64) -> Result<(), LoginRefused> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(WorldMessage::Login {
                player_id,
                account_id,
                reply,
            })
            .await
            .map_err(|_| LoginRefused::Unavailable)?;
        rx.await.unwrap_or(Err(LoginRefused::Unavailable))
    }

    /// How many connections hold an id, and how many accounts are logged in.
    pub async fn counts(&self) -> Option<(usize, usize)> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(WorldMessage::Counts { reply }).await.ok()?;
        rx.await.ok()
    }
}
