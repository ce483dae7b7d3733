//! The database layer: one OS thread owns the SQLite connection; [`Db`] is the cheap-to-clone
//! handle the async code uses.
//!
//! Each handle method is one job: a closure sent over a bounded channel (so a flood of requests
//! waits instead of growing a queue without limit) and answered on a oneshot channel. The thread
//! runs the jobs one at a time, in order, so every multi-statement job that uses a transaction is
//! atomic with respect to the others. A job that fails answers with a [`DbError`] and the thread
//! goes on; a job that panics is caught and answers [`DbError::Internal`]. The thread closes the
//! connection and ends when the last handle is dropped.
//!
//! The connection is opened in WAL mode with `synchronous=NORMAL`, foreign keys on and a busy
//! timeout, and the migrations (`migrations.rs`) run before [`Db::open`] returns.
//!
//! Durability. Every call answers after its transaction has committed. In WAL mode a commit
//! with `synchronous=NORMAL` has been written to the WAL file, so it survives a crash of the
//! process (`kill -9`, a panic that aborts, an OOM kill), but not necessarily a crash of the
//! operating system or a power cut, which may undo the latest commits (never corrupt the
//! file). Writes the server acknowledges to a person (accounts and characters created or
//! deleted, passwords, bans, mutes, admin levels) go through [`Db::call_durable`]: their commit runs
//! with `synchronous=FULL`, so the WAL is synced to disk before the answer, and they survive
//! power cuts too. Periodic and logout saves stay at NORMAL: they are frequent, and the next
//! save interval bounds what a power cut can take.
//!
//! Table groups live in their own files: `accounts.rs`, `characters.rs`, `bans.rs`, `audit.rs`, `mutes.rs`,
//! `boards.rs`; the data
//! types in `models.rs`.

mod accounts;
mod audit;
mod bans;
mod boards;
mod characters;
mod migrations;
mod models;
mod mutes;

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

pub use boards::{BoardPost, NewBoardPost, PostLimits, Posted};
pub use models::{
    Account, AuditEntry, Ban, Character, CharacterSummary, Equipment, NewAccount, NewAudit, NewBan,
    NewCharacter, SaveReport,
};

/// How many jobs may wait for the database thread before senders wait their turn.
pub const DEFAULT_QUEUE_LEN: usize = 256;

/// How long a statement waits for a lock held by another connection (e.g. a backup tool).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What a database call can fail with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// SQLite reported an error (constraint violations included, except those mapped below).
    #[error("sqlite: {0}")]
    Sqlite(String),
    /// The database thread is gone.
    #[error("the database thread has stopped")]
    Closed,
    /// `create_account`: the username is taken (compared case-insensitively).
    #[error("an account with that name already exists")]
    AccountExists,
    /// `create_character`: the name is taken (compared case-insensitively).
    #[error("a character with that name already exists")]
    CharacterExists,
    /// `create_character`: the account already has the maximum number of characters.
    #[error("the account has too many characters")]
    TooManyCharacters,
    /// The account, character or ban the call refers to does not exist (or is not the caller's).
    #[error("not found")]
    NotFound,
    /// The request itself is invalid (e.g. a ban with neither an account nor an ip).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The schema could not be brought up to date.
    #[error("migration: {0}")]
    Migration(String),
    /// Something that should not happen (a job panicked, the thread could not start).
    #[error("internal database error: {0}")]
    Internal(String),
}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        DbError::Sqlite(error.to_string())
    }
}

/// Whether `error` is a UNIQUE (or PRIMARY KEY) constraint violation.
fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// Whether `error` is a constraint violation of any kind (CHECK, UNIQUE, NOT NULL, ...).
fn is_constraint_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// Whether `error` is a FOREIGN KEY constraint violation.
fn is_foreign_key_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    )
}

/// The current time in Unix seconds, the unit of every time column.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

type Job = Box<dyn FnOnce(&mut Connection) + Send + 'static>;

/// A handle to the database thread. Clone it freely; the thread ends when every clone is dropped.
#[derive(Clone, Debug)]
pub struct Db {
    jobs: mpsc::Sender<Job>,
    /// How long each job took on the thread (`eo_database_call_seconds`, see `crate::metrics`).
    call_seconds: prometheus_client::metrics::histogram::Histogram,
}

impl Db {
    /// Opens (creating if needed) the database at `path`, migrates it and starts its thread, with
    /// a queue of [`DEFAULT_QUEUE_LEN`] jobs.
    pub async fn open(path: &Path) -> Result<Db, DbError> {
        Self::open_with_queue(path, DEFAULT_QUEUE_LEN).await
    }

    /// Like [`Db::open`] with a job queue of `queue_len` (at least 1).
    pub async fn open_with_queue(path: &Path, queue_len: usize) -> Result<Db, DbError> {
        Ok(Self::spawn(path, queue_len).await?.0)
    }

    /// Starts the thread; returns the handle and the thread's join handle.
    async fn spawn(path: &Path, queue_len: usize) -> Result<(Db, JoinHandle<()>), DbError> {
        let (jobs, receiver) = mpsc::channel(queue_len.max(1));
        let call_seconds = crate::metrics::seconds_histogram();
        let (ready, ready_rx) = oneshot::channel();
        let path = path.to_path_buf();
        let thread = thread::Builder::new()
            .name("eo-db".into())
            .spawn({
                let call_seconds = call_seconds.clone();
                move || run(path, receiver, ready, &call_seconds)
            })
            .map_err(|e| DbError::Internal(format!("cannot start the database thread: {e}")))?;
        match ready_rx.await {
            Ok(Ok(())) => Ok((Db { jobs, call_seconds }, thread)),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(DbError::Internal(
                "the database thread ended while opening".into(),
            )),
        }
    }

    /// Runs `job` on the database thread and returns its result.
    async fn call<R, F>(&self, job: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = panic::catch_unwind(AssertUnwindSafe(|| job(conn)))
                .unwrap_or_else(|_| Err(DbError::Internal("a database job panicked".into())));
            // The caller may have gone away; the work is done (and committed) all the same.
            let _ = reply.send(result);
        });
        self.jobs.send(job).await.map_err(|_| DbError::Closed)?;
        answer.await.map_err(|_| DbError::Closed)?
    }
}

impl Db {
    /// How long each call took on the database thread, for the metrics.
    pub fn call_seconds(&self) -> prometheus_client::metrics::histogram::Histogram {
        self.call_seconds.clone()
    }

    /// Like [`Db::call`], but the job's commit is synced to disk before the answer
    /// (`synchronous=FULL` for this job only; see the module documentation).
    async fn call_durable<R, F>(&self, job: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        self.call(move |conn| {
            conn.pragma_update(None, "synchronous", "FULL")?;
            let result = job(conn);
            // The run loop rolls back a transaction a job left open before the next job;
            // restoring NORMAL needs none open, so roll back first if one is.
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            result
        })
        .await
    }
}

/// The database thread.
fn run(
    path: PathBuf,
    mut jobs: mpsc::Receiver<Job>,
    ready: oneshot::Sender<Result<(), DbError>>,
    call_seconds: &prometheus_client::metrics::histogram::Histogram,
) {
    let mut conn = match open_connection(&path) {
        Ok(conn) => conn,
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "cannot open the database");
            let _ = ready.send(Err(error));
            return;
        }
    };
    if ready.send(Ok(())).is_err() {
        return;
    }
    tracing::debug!(path = %path.display(), "database thread started");
    while let Some(job) = jobs.blocking_recv() {
        let started = std::time::Instant::now();
        job(&mut conn);
        call_seconds.observe(started.elapsed().as_secs_f64());
        if !conn.is_autocommit() {
            // Only reachable if a job left a transaction open; never let it leak into the next.
            tracing::error!("a database job left a transaction open; rolling it back");
            if let Err(error) = conn.execute_batch("ROLLBACK") {
                tracing::error!(%error, "rollback failed");
            }
        }
    }
    if let Err((_, error)) = conn.close() {
        tracing::warn!(%error, "closing the database failed");
    }
    tracing::debug!("database thread stopped");
}

/// Opens the connection, sets it up and migrates it.
fn open_connection(path: &Path) -> Result<Connection, DbError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "the database did not switch to WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(64);
    migrations::migrate(&mut conn, migrations::MIGRATIONS)?;
    Ok(conn)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use tempfile::TempDir;

    /// A fresh database in its own temporary directory (keep the directory alive).
    pub async fn temp_db() -> (TempDir, Db) {
        let dir = TempDir::new().unwrap();
        let db = Db::open(&dir.path().join("test.sqlite")).await.unwrap();
        (dir, db)
    }

    /// A handle whose database thread is gone: every call answers [`DbError::Closed`].
    pub fn closed_db() -> Db {
        let (jobs, receiver) = mpsc::channel::<Job>(1);
        drop(receiver);
        Db {
            jobs,
            call_seconds: crate::metrics::seconds_histogram(),
        }
    }

    /// An account named `name`; returns its id.
    pub async fn account(db: &Db, name: &str) -> i64 {
        db.create_account(NewAccount {
            username: name.into(),
            password_hash: "$argon2id$fake".into(),
            ..Default::default()
        })
        .await
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use tempfile::TempDir;

    #[tokio::test]
    async fn connection_settings() {
        let (_dir, db) = temp_db().await;
        let (mode, sync, fk, timeout) = db
            .call(|conn| {
                let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
                let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
                let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
                let timeout: i64 = conn.pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
                Ok((mode, sync, fk, timeout))
            })
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 1, "NORMAL");
        assert_eq!(fk, 1);
        assert_eq!(timeout, 5000);
    }

    #[tokio::test]
    async fn durable_calls_sync_their_commit_and_leave_normal_behind() {
        let (_dir, db) = temp_db().await;
        let sync = |conn: &mut Connection| -> Result<i64, DbError> {
            Ok(conn.pragma_query_value(None, "synchronous", |r| r.get(0))?)
        };
        assert_eq!(db.call_durable(sync).await.unwrap(), 2, "FULL for the job");
        assert_eq!(db.call(sync).await.unwrap(), 1, "NORMAL again after it");
        let failed: Result<(), DbError> = db
            .call_durable(|conn| {
                conn.execute_batch("BEGIN")?;
                Err(DbError::Invalid("gave up".into()))
            })
            .await;
        assert_eq!(failed, Err(DbError::Invalid("gave up".into())));
        assert_eq!(db.call(sync).await.unwrap(), 1, "and after a failed one");
    }

    #[tokio::test]
    async fn the_thread_ends_when_every_handle_is_dropped() {
        let dir = TempDir::new().unwrap();
        let (db, thread) = Db::spawn(&dir.path().join("t.sqlite"), 4).await.unwrap();
        let clone = db.clone();
        drop(db);
        // One handle left: still running.
        account(&clone, "alive").await;
        assert!(!thread.is_finished());
        drop(clone);
        let joined = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::task::spawn_blocking(move || thread.join()),
        )
        .await
        .expect("the database thread did not stop");
        assert!(joined.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_closed_thread_answers_closed() {
        let (jobs, receiver) = mpsc::channel::<Job>(1);
        drop(receiver);
        let db = Db {
            jobs,
            call_seconds: crate::metrics::seconds_histogram(),
        };
        assert_eq!(db.account_by_name("x").await, Err(DbError::Closed));
    }

    #[tokio::test]
    async fn failures_and_panics_do_not_kill_the_thread() {
        let (_dir, db) = temp_db().await;
        let bad = db
            .call(|conn| Ok(conn.execute("INSERT INTO nowhere VALUES (1)", [])?))
            .await;
        assert!(matches!(bad, Err(DbError::Sqlite(_))));
        let panicked: Result<(), DbError> = db.call(|_| panic!("boom")).await;
        assert!(matches!(panicked, Err(DbError::Internal(_))));
        // A job that leaves a transaction open is rolled back before the next job.
        db.call(|conn| {
            conn.execute_batch("BEGIN; INSERT INTO accounts (username, password_hash, created_at) VALUES ('ghost', 'h', 0);")?;
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(db.account_by_name("ghost").await, Ok(None));
        account(&db, "after").await;
        assert!(db.account_by_name("after").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn open_fails_cleanly_on_a_bad_path() {
        let dir = TempDir::new().unwrap();
        let result = Db::open(&dir.path().join("missing-dir").join("x.sqlite")).await;
        assert!(matches!(result, Err(DbError::Sqlite(_))));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_concurrent_tasks() {
        let dir = TempDir::new().unwrap();
        // A tiny queue, so most senders have to wait for room.
        let db = Db::open_with_queue(&dir.path().join("c.sqlite"), 4)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.create_account(NewAccount {
                        username: format!("user{i}"),
                        password_hash: "h".into(),
                        ..Default::default()
                    })
                    .await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().unwrap());
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 200);
        for i in [0, 57, 199] {
            assert!(
                db.account_by_name(&format!("USER{i}"))
                    .await
                    .unwrap()
                    .is_some()
            );
        }
    }

    #[test]
    fn unix_now_is_plausible() {
        assert!(unix_now() > 1_600_000_000);
    }
}
