//! The world actor's state and message loop.

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};

use super::handle::LoginRefused;
use crate::player::PlayerHandle;

pub(super) enum WorldMessage {
    AllocateId {
        player: PlayerHandle,
        reply: oneshot::Sender<Option<u16>>,
    },
    Release {
        player_id: u16,
    },
    Login {
        player_id: u16,
        account_id: i64,
        reply: oneshot::Sender<Result<(), LoginRefused>>,
    },
    Counts {
        reply: oneshot::Sender<(usize, usize)>,
    },
}

struct Connection {
    #[allow(dead_code)] // used by chat and the online list next
    player: PlayerHandle,
    account_id: Option<i64>,
}

pub(super) struct WorldActor {
    rx: mpsc::Receiver<WorldMessage>,
    connections: HashMap<u16, Connection>,
    /// account id -> the player id holding it.
    accounts: HashMap<i64, u16>,
    max_ids: u16,
    max_players: usize,
    /// Where the search for a free id starts, so ids are not reused at once.
    next_id: u16,
}

impl WorldActor {
    pub(super) fn new(rx: mpsc::Receiver<WorldMessage>, max_ids: u16, max_players: usize) -> Self {
        Self {
            rx,
            connections: HashMap::new(),
            accounts: HashMap::new(),
            max_ids: max_ids.max(1),
            max_players,
            next_id: 1,
        }
    }

    pub(super) async fn run(mut self) {
        while let Some(message) = self.rx.recv().await {
            match message {
                WorldMessage::AllocateId { player, reply } => {
                    let _ = reply.send(self.allocate(player));
                }
                WorldMessage::Release { player_id } => self.release(player_id),
                WorldMessage::Login {
                    player_id,
                    account_id,
                    reply,
                } => {
                    let _ = reply.send(self.login(player_id, account_id));
                }
                WorldMessage::Counts { reply } => {
                    let _ = reply.send((self.connections.len(), self.accounts.len()));
                }
            }
        }
    }

    /// Ids run from 1 to `max_ids` (EO shorts, never 0).
    fn allocate(&mut self, player: PlayerHandle) -> Option<u16> {
        if self.connections.len() >= usize::from(self.max_ids) {
            return None;
        }
        for _ in 0..self.max_ids {
            let id = self.next_id;
            self.next_id = if id >= self.max_ids { 1 } else { id + 1 };
            if let std::collections::hash_map::Entry::Vacant(slot) = self.connections.entry(id) {
                slot.insert(Connection {
                    player,
                    account_id: None,
                });
                return Some(id);
            }
        }
        None
    }

    fn release(&mut self, player_id: u16) {
        if let Some(connection) = self.connections.remove(&player_id)
            && let Some(account_id) = connection.account_id
            && self.accounts.get(&account_id) == Some(&player_id)
        {
            self.accounts.remove(&account_id);
        }
    }

    fn login(&mut self, player_id: u16, account_id: i64) -> Result<(), LoginRefused> {
        if self.accounts.contains_key(&account_id) {
            return Err(LoginRefused::AlreadyOnline);
        }
        if self.accounts.len() >= self.max_players {
            return Err(LoginRefused::Full);
        }
        let Some(connection) = self.connections.get_mut(&player_id) else {
            return Err(LoginRefused::Unavailable);
        };
        if let Some(previous) = connection.account_id.replace(account_id) {
            self.accounts.remove(&previous);
        }
        self.accounts.insert(account_id, player_id);
        Ok(())
    }
}
