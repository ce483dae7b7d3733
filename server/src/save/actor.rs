//! The save queue's actor: merges batches, writes them one transaction at a time, retries a
//! failed write, and answers barriers once what came before them is committed.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep_until};
use tracing::{error, warn};

use super::SaveMessage;
use crate::db::{Character, Db, DbError, GuildOp, GuildOpOutcome, SaveReport};

/// The wait before retrying a failed write, doubled after each failure up to the longest.
const FIRST_RETRY: Duration = Duration::from_millis(500);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

type Written = Result<(SaveReport, Vec<GuildOpOutcome>), DbError>;
type Write = Pin<Box<dyn Future<Output = Written> + Send>>;

/// A guild action waiting to be written, and who waits for its outcome.
struct PendingOp {
    op: GuildOp,
    reply: oneshot::Sender<GuildOpOutcome>,
}

/// A transaction under way: the write, what it holds (put back if it fails) and the barriers
/// answered when it commits.
struct InFlight {
    write: Write,
    started: std::time::Instant,
    batch: Vec<Character>,
    ops: Vec<PendingOp>,
    waiters: Vec<oneshot::Sender<()>>,
}

pub(super) struct SaveActor {
    rx: mpsc::UnboundedReceiver<SaveMessage>,
    db: Db,
    /// The latest state of each character not yet written, by character id.
    pending: HashMap<i64, Character>,
    /// Guild actions written after `pending`, in the order they came.
    ops: Vec<PendingOp>,
    /// Barriers waiting for `pending` to be written.
    waiters: Vec<oneshot::Sender<()>>,
    /// Failed writes in a row, and when the next try may start.
    failures: u32,
    retry_at: Option<Instant>,
    write_seconds: prometheus_client::metrics::histogram::Histogram,
}

/// The outcome of the write under way; never ready while there is none.
async fn written(in_flight: &mut Option<InFlight>) -> Written {
    match in_flight {
        Some(in_flight) => in_flight.write.as_mut().await,
        None => std::future::pending().await,
    }
}

impl SaveActor {
    pub(super) fn new(
        rx: mpsc::UnboundedReceiver<SaveMessage>,
        db: Db,
        write_seconds: prometheus_client::metrics::histogram::Histogram,
    ) -> Self {
        Self {
            write_seconds,
            rx,
            db,
            pending: HashMap::new(),
            ops: Vec::new(),
            waiters: Vec::new(),
            failures: 0,
            retry_at: None,
        }
    }

    pub(super) async fn run(mut self) {
        let mut in_flight: Option<InFlight> = None;
        let mut open = true;
        loop {
            let due = self.retry_at.is_none_or(|at| at <= Instant::now());
            if in_flight.is_none() && due && !self.pending.is_empty() {
                in_flight = Some(self.start_write());
            }
            if !open && in_flight.is_none() && self.pending.is_empty() {
                return;
            }
            let retry_at = self.retry_at;
            tokio::select! {
                message = self.rx.recv(), if open => match message {
                    Some(message) => self.take(message, in_flight.as_mut()),
                    None => open = false,
                },
                written = written(&mut in_flight) => {
                    if let Some(done) = in_flight.take()
                        && !self.finish(done, written)
                    {
                        return;
                    }
                }
                () = async { sleep_until(retry_at.unwrap_or_else(Instant::now)).await },
                    if in_flight.is_none() && retry_at.is_some() && !self.pending.is_empty() => {
                    self.retry_at = None;
                }
            }
        }
    }

    /// A batch is merged into what is pending (its states are the latest); a barrier waits for
    /// what is pending, or for the write under way, or is answered now.
    fn take(&mut self, message: SaveMessage, in_flight: Option<&mut InFlight>) {
        match message {
            SaveMessage::Batch(characters) => {
                for character in characters {
                    self.pending.insert(character.id, character);
                }
            }
            // The character's state joins what is pending (a later state replaces it, as
            // for a batch); the action runs after the characters in the same transaction.
            SaveMessage::Guild {
                character,
                op,
                reply,
            } => {
                self.pending.insert(character.id, *character);
                self.ops.push(PendingOp { op: *op, reply });
            }
            SaveMessage::Barrier(reply) => {
                if !self.pending.is_empty() {
                    self.waiters.push(reply);
                } else if let Some(in_flight) = in_flight {
                    in_flight.waiters.push(reply);
                } else {
                    let _ = reply.send(());
                }
            }
        }
    }

    /// Starts writing everything pending as one transaction.
    fn start_write(&mut self) -> InFlight {
        let batch: Vec<Character> = self.pending.drain().map(|(_, c)| c).collect();
        let db = self.db.clone();
        let to_write = batch.clone();
        let ops = std::mem::take(&mut self.ops);
        let op_list: Vec<GuildOp> = ops.iter().map(|p| p.op.clone()).collect();
        InFlight {
            write: Box::pin(async move { db.save_with_guild_ops(to_write, op_list).await }),
            started: std::time::Instant::now(),
            batch,
            ops,
            waiters: std::mem::take(&mut self.waiters),
        }
    }

    /// A write ended. On success its barriers are answered; on failure its states go back
    /// under what is pending (which is newer) and it is tried again later. False if the
    /// database is gone for good.
    fn finish(&mut self, done: InFlight, written: Written) -> bool {
        self.write_seconds
            .observe(done.started.elapsed().as_secs_f64());
        match written {
            Ok((_, outcomes)) => {
                self.failures = 0;
                for (pending, outcome) in done.ops.into_iter().zip(outcomes) {
                    let _ = pending.reply.send(outcome);
                }
                for waiter in done.waiters {
                    let _ = waiter.send(());
                }
                true
            }
            Err(DbError::Closed) => {
                let mut lost: Vec<String> = done.batch.into_iter().map(|c| c.name).collect();
                lost.extend(self.pending.drain().map(|(_, c)| c.name));
                error!(
                    characters = %lost.join(", "),
                    "the database is gone; these characters' last changes were not saved"
                );
                false
            }
            Err(error) => {
                self.failures = self.failures.saturating_add(1);
                let wait = FIRST_RETRY
                    .saturating_mul(2u32.saturating_pow(self.failures - 1))
                    .min(LONGEST_RETRY);
                warn!(
                    %error,
                    characters = done.batch.len(),
                    failures = self.failures,
                    retry_in = ?wait,
                    "saving characters failed; trying again"
                );
                for character in done.batch {
                    self.pending.entry(character.id).or_insert(character);
                }
                // The failed write's actions came before those queued since.
                let mut ops = done.ops;
                ops.append(&mut self.ops);
                self.ops = ops;
                let mut waiters = done.waiters;
                waiters.append(&mut self.waiters);
                self.waiters = waiters;
                self.retry_at = Some(Instant::now() + wait);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SaveQueue;
    use crate::db::testing::{account, temp_db};
    use crate::db::{Character, NewCharacter};

    async fn character(db: &crate::db::Db, account_id: i64, name: &str) -> Character {
        let id = db
            .create_character(
                account_id,
                NewCharacter {
                    name: name.into(),
                    ..Default::default()
                },
                3,
            )
            .await
            .unwrap();
        db.load_character(id).await.unwrap().unwrap()
    }

    #[tokio::test]
    async fn later_states_win_and_a_barrier_waits_for_what_came_before() {
        let (_dir, db) = temp_db().await;
        let owner = account(&db, "owner").await;
        let mut alice = character(&db, owner, "Alice").await;
        let mut bob = character(&db, owner, "Bob").await;
        let queue = SaveQueue::spawn(db.clone());
        for gold in 1..=50u32 {
            alice.inventory = vec![(1, gold)];
            bob.inventory = vec![(1, 100 - gold)];
            queue.save(vec![alice.clone(), bob.clone()]);
        }
        queue.barrier().await.unwrap();
        assert_eq!(
            db.load_character(alice.id)
                .await
                .unwrap()
                .unwrap()
                .inventory,
            vec![(1, 50)]
        );
        assert_eq!(
            db.load_character(bob.id).await.unwrap().unwrap().inventory,
            vec![(1, 50)]
        );
        // Nothing queued: a barrier is answered at once.
        queue.barrier().await.unwrap();
    }

    #[tokio::test]
    async fn a_closed_database_stops_the_queue_and_its_barriers_say_so() {
        let (_dir, db) = temp_db().await;
        let owner = account(&db, "owner").await;
        let alice = character(&db, owner, "Alice").await;
        let closed = crate::db::testing::closed_db();
        let queue = SaveQueue::spawn(closed);
        queue.save(vec![alice]);
        assert_eq!(queue.barrier().await, Err(super::super::SaveError::Stopped));
    }
}
