//! The save path: every save of a character in play goes through one actor, the save queue, in
//! the order it was asked for, and reaches the database as atomic transactions.
//!
//! # Why nothing can be duplicated by a crash
//!
//! Items change hands only between characters on one map (a drop and a pick-up, a trade;
//! chests and lockers), and the map actor owns every character on it: their records, positions,
//! inventories and equipment (`map/persistence.rs`). So the map is the unit of durability:
//!
//! - every `world.save_interval_secs` a map queues, as one batch, every character on it that
//!   changed since it was last queued;
//! - when a character leaves a map (a warp or a logout), the map queues it, in the same batch,
//!   with every other character on the map whose holdings (inventory, equipment, bank) changed
//!   since they were last queued, before the character is gone from the map;
//! - when a trade completes, the map queues, as one batch, every character on it whose holdings
//!   changed since they were last queued (both traders among them);
//! - this queue keeps the batches in the order they came and writes what it holds as one
//!   transaction; batches that arrive while a write is under way are merged, a later state of a
//!   character replacing an earlier one (committing two consecutive batches together is the
//!   same as committing them one after the other, atomically).
//!
//! Take a character that received an item from another on a map. The first batch that holds
//! the receiver's new state is either the map's periodic batch (which holds the giver too, if it
//! is still on the map) or a departure or trade batch (which holds every character on the map
//! whose holdings changed, the giver included). If the giver left the map before that, its own
//! departure batch came earlier in the queue. Either way the giver's new state is committed no
//! later than the receiver's: a crash at any instant leaves each item with exactly one owner, or
//! with its previous owner. What lies on the ground belongs to nobody: a crash (like any
//! restart) clears it.
//!
//! A crash loses at most the last save interval of positions and gains. A logout waits for its
//! batch to commit ([`SaveQueue::barrier`]) before the account may log in again, so a quick
//! relog never loads a state older than the one just played.
//!
//! # Gold that leaves a character for a guild
//!
//! A guild's bank and its row are the database's, not a map's (db/guilds.rs). A deposit (or a
//! guild's creation cost) takes gold from a character the map owns and gives it to the guild,
//! so both changes must commit together or not at all. The map takes the gold from the
//! character's state and queues, in one message, the character's new state and the guild
//! action ([`SaveQueue::guild_op`]); the queue writes them in one transaction (the character
//! first, then the action, which checks the bank's cap or the tag's freedom itself). A crash
//! leaves either both (gold in the bank, not on the character) or neither. If the action is
//! refused (the bank filled meanwhile, the guild is gone, the tag was taken), the same
//! transaction puts the gold back in the character's inventory row, and the answer tells the
//! player task, which has the map give it back to the character in play (and save it). The
//! map asks the database nothing and never waits: the player task awaits the answer.
//!
//! The queue never makes a map wait: sending a batch cannot block (the inbox is unbounded, and
//! drained into the pending set at once, which holds at most one state per character).

mod actor;

use tokio::sync::{mpsc, oneshot};

use crate::db::{Character, Db, GuildOp, GuildOpOutcome};

/// A batch of characters to save, a guild action with the new state of the character whose
/// gold it moves, or a request to be told when everything queued before it is on disk.
enum SaveMessage {
    Batch(Vec<Character>),
    Guild {
        character: Box<Character>,
        op: Box<GuildOp>,
        reply: oneshot::Sender<GuildOpOutcome>,
    },
    Barrier(oneshot::Sender<()>),
}

/// Why [`SaveQueue::barrier`] could not confirm the saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    /// The queue stopped (the database thread is gone) before what was queued was committed.
    #[error("the save queue stopped before the saves were committed")]
    Stopped,
}

/// A cheap, cloneable handle to the save queue. The queue ends once every handle is dropped
/// and what it holds is written.
#[derive(Clone, Debug)]
pub struct SaveQueue {
    tx: mpsc::UnboundedSender<SaveMessage>,
    /// How long each write took (`eo_save_seconds`, see `crate::metrics`).
    write_seconds: prometheus_client::metrics::histogram::Histogram,
}

impl SaveQueue {
    /// Starts the queue, writing through `db`.
    pub fn spawn(db: Db) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let write_seconds = crate::metrics::seconds_histogram();
        tokio::spawn(actor::SaveActor::new(rx, db, write_seconds.clone()).run());
        Self { tx, write_seconds }
    }

    /// How long each write took, for the metrics.
    pub fn write_seconds(&self) -> prometheus_client::metrics::histogram::Histogram {
        self.write_seconds.clone()
    }

    /// Queues characters to save together, in one transaction (never waits).
    pub fn save(&self, characters: Vec<Character>) {
        if !characters.is_empty() {
            // A closed queue means the server is stopping for good; nothing is left to do.
            let _ = self.tx.send(SaveMessage::Batch(characters));
        }
    }

    /// Queues a guild action with the new state of its character (its gold already taken):
    /// both are written in one transaction, after everything queued before. The answer comes
    /// on the returned channel once committed; a closed channel means nothing was committed
    /// (the database is gone).
    pub fn guild_op(&self, character: Character, op: GuildOp) -> oneshot::Receiver<GuildOpOutcome> {
        let (reply, answer) = oneshot::channel();
        let _ = self.tx.send(SaveMessage::Guild {
            character: Box::new(character),
            op: Box::new(op),
            reply,
        });
        answer
    }

    /// Waits until everything queued before this call is committed.
    pub async fn barrier(&self) -> Result<(), SaveError> {
        let (reply, done) = oneshot::channel();
        self.tx
            .send(SaveMessage::Barrier(reply))
            .map_err(|_| SaveError::Stopped)?;
        done.await.map_err(|_| SaveError::Stopped)
    }
}
