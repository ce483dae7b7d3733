//! The database layer: one OS thread owns the connection, SQLite (the embedded default) or
//! PostgreSQL (`[database] url`); [`Db`] is the cheap-to-clone handle the async code uses.
//!
//! Each handle method is one job: a closure sent over a bounded channel (so a flood of requests
//! waits instead of growing a queue without limit) and answered on a oneshot channel. The thread
//! runs the jobs one at a time, in order, so every multi-statement job that uses a transaction is
//! atomic with respect to the others. A job that fails answers with a [`DbError`] and the thread
//! goes on; a job that panics is caught and answers [`DbError::Internal`]. The thread closes the
//! connection and ends when the last handle is dropped.
//!
//! The jobs are written once for both backends against [`conn::Conn`] (`conn.rs`), with
//! per-dialect SQL only where the dialects differ (`postgres.rs`, `migrations.rs`, `copy.rs`).
//! A SQLite database is opened in WAL mode with `synchronous=NORMAL`, foreign keys on and a
//! busy timeout; a PostgreSQL connection is made again before a job if the server dropped it.
//! The migrations (`migrations.rs`) run before [`Db::open`] returns.
//!
//! Durability. Every call answers after its transaction has committed. In WAL mode a commit
//! with `synchronous=NORMAL` has been written to the WAL file, so it survives a crash of the
//! process (`kill -9`, a panic that aborts, an OOM kill), but not necessarily a crash of the
//! operating system or a power cut, which may undo the latest commits (never corrupt the
//! file). Writes the server acknowledges to a person (accounts and characters created or
//! deleted, passwords, bans, mutes, admin levels) go through [`Db::call_durable`]: their commit runs
//! with `synchronous=FULL`, so the WAL is synced to disk before the answer, and they survive
//! power cuts too. Periodic and logout saves stay at NORMAL: they are frequent, and the next
//! save interval bounds what a power cut can take. On PostgreSQL every commit is as durable as
//! the server's `synchronous_commit` makes it (on by default: synced); if the operator turned
//! it off, durable calls turn it on for their own commits.
//!
//! Table groups live in their own files: `accounts.rs`, `characters.rs` (with `saves.rs`),
//! `bans.rs`, `audit.rs`, `mutes.rs`, `boards.rs`, `guilds.rs`; the data types in `models.rs`; moving a
//! whole database to another backend in `copy.rs`.

mod accounts;
mod audit;
mod bans;
mod boards;
mod characters;
pub(crate) mod conn;
mod copy;
mod guild_import;
mod guilds;
mod jails;
mod migrations;
mod models;
mod mutes;
mod postgres;
mod quests;
mod saves;
#[cfg(test)]
pub(crate) mod testing;

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

pub use boards::{BoardPost, NewBoardPost, PostLimits, Posted};
pub use copy::{CopyReport, copy_database};
pub use guild_import::{GuildImport, ImportedGuild};
pub use guilds::{
    GUILD_RANKS, Guild, GuildMember, GuildMembership, GuildOp, GuildOpOutcome, Joined, LEADER_RANK,
    MemberChange, NEW_MEMBER_RANK, NewGuild,
};
pub use jails::JailState;
pub use models::{
    Account, AuditEntry, Ban, Character, CharacterSummary, Equipment, NewAccount, NewAudit, NewBan,
    NewCharacter, QuestProgress, SaveReport,
};
pub use postgres::{describe_url, parse_url};

use conn::Conn;

/// How many jobs may wait for the database thread before senders wait their turn.
pub const DEFAULT_QUEUE_LEN: usize = 256;

/// How long a statement waits for a lock held by another connection (e.g. a backup tool).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What a database call can fail with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// The database reported an error (constraint violations included, except those mapped
    /// below), or could not be reached.
    #[error("database: {0}")]
    Database(String),
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
        conn::SqlError::from(error).into()
    }
}

/// Where the database is: a SQLite file, or a PostgreSQL server's URL.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://...` (or `postgresql://...`), or `sqlite:PATH`; the URL is checked.
    pub fn parse(text: &str) -> Result<Location, String> {
        if let Some(path) = text.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err("sqlite: needs a path (sqlite:eo-server.db)".into());
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            parse_url(text)?;
            return Ok(Location::Postgres(text.to_owned()));
        }
        Err(format!(
            "{text:?} is neither a postgres:// URL nor sqlite:PATH"
        ))
    }
}

/// `sqlite:PATH`, or the URL without its password.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Location::Postgres(url) => f.write_str(&describe_url(url)),
        }
    }
}

/// As `Display`: a URL's password must not reach a log through `{:?}` either.
impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The current time in Unix seconds, the unit of every time column.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

type Job = Box<dyn FnOnce(&mut Conn) + Send + 'static>;

/// A handle to the database thread. Clone it freely; the thread ends when every clone is dropped.
#[derive(Clone, Debug)]
pub struct Db {
    jobs: mpsc::Sender<Job>,
    /// How long each job took on the thread (`eo_database_call_seconds`, see `crate::metrics`).
    call_seconds: prometheus_client::metrics::histogram::Histogram,
}

impl Db {
    /// Opens (creating if needed) the SQLite database at `path`, migrates it and starts its
    /// thread, with a queue of [`DEFAULT_QUEUE_LEN`] jobs.
    pub async fn open(path: &Path) -> Result<Db, DbError> {
        Self::open_at(&Location::Sqlite(path.to_path_buf())).await
    }

    /// Opens the database at `location` (a SQLite file, created if needed, or a PostgreSQL
    /// server), migrates it and starts its thread.
    pub async fn open_at(location: &Location) -> Result<Db, DbError> {
        Ok(Self::spawn(location, DEFAULT_QUEUE_LEN).await?.0)
    }

    /// Like [`Db::open`] with a job queue of `queue_len` (at least 1).
    pub async fn open_with_queue(path: &Path, queue_len: usize) -> Result<Db, DbError> {
        let location = Location::Sqlite(path.to_path_buf());
        Ok(Self::spawn(&location, queue_len).await?.0)
    }

    /// Starts the thread; returns the handle and the thread's join handle.
    async fn spawn(location: &Location, queue_len: usize) -> Result<(Db, JoinHandle<()>), DbError> {
        let (jobs, receiver) = mpsc::channel(queue_len.max(1));
        let call_seconds = crate::metrics::seconds_histogram();
        let (ready, ready_rx) = oneshot::channel();
        let location = location.clone();
        let thread = thread::Builder::new()
            .name("eo-db".into())
            .spawn({
                let call_seconds = call_seconds.clone();
                move || run(location, receiver, ready, &call_seconds)
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
        F: FnOnce(&mut Conn) -> Result<R, DbError> + Send + 'static,
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
        F: FnOnce(&mut Conn) -> Result<R, DbError> + Send + 'static,
    {
        self.call(move |conn| {
            conn.set_durable(true)?;
            let result = job(conn);
            // The run loop rolls back a transaction a job left open before the next job;
            // restoring NORMAL needs none open, so roll back first if one is.
            if conn.in_transaction() {
                let _ = conn.rollback();
            }
            conn.set_durable(false)?;
            result
        })
        .await
    }
}

/// The database thread.
fn run(
    location: Location,
    mut jobs: mpsc::Receiver<Job>,
    ready: oneshot::Sender<Result<(), DbError>>,
    call_seconds: &prometheus_client::metrics::histogram::Histogram,
) {
    let mut conn = match open_connection(&location) {
        Ok(conn) => conn,
        Err(error) => {
            tracing::error!(database = %location, %error, "cannot open the database");
            let _ = ready.send(Err(error));
            return;
        }
    };
    if ready.send(Ok(())).is_err() {
        return;
    }
    tracing::debug!(database = %location, "database thread started");
    while let Some(job) = jobs.blocking_recv() {
        let started = std::time::Instant::now();
        if let Conn::Postgres(pg) = &mut conn {
            pg.reconnect_if_closed();
        }
        job(&mut conn);
        call_seconds.observe(started.elapsed().as_secs_f64());
        if conn.in_transaction() {
            // Only reachable if a job left a transaction open; never let it leak into the next.
            if conn.dialect() == conn::Dialect::Sqlite {
                tracing::error!("a database job left a transaction open; rolling it back");
            }
            if let Err(error) = conn.rollback() {
                tracing::error!(%error, "rollback failed");
            }
        }
    }
    if let Conn::Sqlite(conn) = conn
        && let Err((_, error)) = conn.close()
    {
        tracing::warn!(%error, "closing the database failed");
    }
    tracing::debug!("database thread stopped");
}

/// Opens the connection, sets it up and migrates it.
pub(crate) fn open_connection(location: &Location) -> Result<Conn, DbError> {
    let mut conn = match location {
        Location::Sqlite(path) => Conn::Sqlite(open_sqlite(path)?),
        Location::Postgres(url) => Conn::Postgres(Box::new(postgres::PgConn::connect(url)?)),
    };
    migrations::migrate(&mut conn, migrations::MIGRATIONS)?;
    Ok(conn)
}

/// Opens a SQLite file with the settings of the module documentation.
fn open_sqlite(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "the database did not switch to WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use tempfile::TempDir;

    fn sqlite(conn: &mut Conn) -> &mut Connection {
        match conn {
            Conn::Sqlite(conn) => conn,
            Conn::Postgres(_) => panic!("a SQLite test got a PostgreSQL connection"),
        }
    }

    #[tokio::test]
    async fn connection_settings() {
        let (_dir, db) = temp_db().await;
        let (mode, sync, fk, timeout) = db
            .call(|conn| {
                let conn = sqlite(conn);
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
        let sync = |conn: &mut Conn| -> Result<i64, DbError> {
            Ok(sqlite(conn).pragma_query_value(None, "synchronous", |r| r.get(0))?)
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

    /// With `synchronous_commit` off for the session (as an operator may set it), durable
    /// calls commit synchronously all the same, and the rest keep the operator's setting.
    #[tokio::test]
    async fn durable_calls_on_postgres_commit_synchronously() {
        let Some(schema) = PgSchema::create() else {
            return;
        };
        let url = format!("{}%20-c%20synchronous_commit%3Doff", schema.url);
        let db = Db::open_at(&Location::Postgres(url)).await.unwrap();
        let sync = |conn: &mut Conn| -> Result<String, DbError> {
            Ok(conn.query_value("SHOW synchronous_commit", conn::params![])?)
        };
        assert_eq!(db.call(sync).await.unwrap(), "off");
        assert_eq!(db.call_durable(sync).await.unwrap(), "on");
        assert_eq!(db.call(sync).await.unwrap(), "off");
        let failed: Result<(), DbError> = db
            .call_durable(|conn| {
                conn.execute_batch("BEGIN; SELECT 1/0")?;
                Ok(())
            })
            .await;
        assert!(matches!(failed, Err(DbError::Database(_))), "{failed:?}");
        assert_eq!(
            db.call(sync).await.unwrap(),
            "off",
            "and after a failed one"
        );
        account(&db, "durable").await;
        assert!(db.account_by_name("durable").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn the_thread_ends_when_every_handle_is_dropped() {
        let dir = TempDir::new().unwrap();
        let location = Location::Sqlite(dir.path().join("t.sqlite"));
        let (db, thread) = Db::spawn(&location, 4).await.unwrap();
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
        let db = closed_db();
        assert_eq!(db.account_by_name("x").await, Err(DbError::Closed));
    }

    async fn failures_and_panics_do_not_kill_the_thread(db: Db) {
        let bad = db
            .call(|conn| Ok(conn.execute("INSERT INTO nowhere VALUES (1)", conn::params![])?))
            .await;
        assert!(matches!(bad, Err(DbError::Database(_))), "{bad:?}");
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
        // So is one whose transaction failed half-way.
        let failed: Result<(), DbError> = db
            .call(|conn| {
                let tx = conn.transaction()?;
                drop(tx);
                conn.execute_batch("BEGIN; INSERT INTO accounts (username, password_hash, created_at) VALUES ('ghost2', 'h', 0); SELECT * FROM nowhere;")?;
                Ok(())
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(db.account_by_name("ghost2").await, Ok(None));
        account(&db, "after").await;
        assert!(db.account_by_name("after").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn open_fails_cleanly_on_a_bad_path() {
        let dir = TempDir::new().unwrap();
        let result = Db::open(&dir.path().join("missing-dir").join("x.sqlite")).await;
        assert!(matches!(result, Err(DbError::Database(_))));
    }

    #[tokio::test]
    async fn open_fails_cleanly_when_postgres_cannot_be_reached() {
        // A port nothing listens on: the connection is refused (the caller says where), and
        // the password is nowhere in the error.
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let url = format!("postgres://eo:secret@127.0.0.1:{port}/eo");
        let error = Db::open_at(&Location::Postgres(url)).await.unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, DbError::Database(_)), "{error:?}");
        assert!(text.contains("cannot connect to PostgreSQL"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        let error = Db::open_at(&Location::Postgres("postgres://".into()))
            .await
            .unwrap_err();
        assert!(matches!(error, DbError::Invalid(_)), "{error:?}");
    }

    /// PostgreSQL may drop the connection (a restart, an administrator's
    /// `pg_terminate_backend`): the job under way fails, and the next one connects again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_postgres_connection_is_made_again() {
        let Some(test) = TestDb::postgres().await else {
            return;
        };
        let db = &test.db;
        account(db, "before").await;
        let killed = db
            .call(|conn| {
                conn.execute_batch("SELECT pg_terminate_backend(pg_backend_pid())")?;
                Ok(())
            })
            .await;
        assert!(matches!(killed, Err(DbError::Database(_))), "{killed:?}");
        assert!(db.account_by_name("before").await.unwrap().is_some());
        account(db, "after").await;
    }

    async fn many_concurrent_tasks(db: Db) {
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

    /// Many senders on a tiny queue, so most of them have to wait for room.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_tiny_queue_makes_senders_wait() {
        let dir = TempDir::new().unwrap();
        let db = Db::open_with_queue(&dir.path().join("c.sqlite"), 4)
            .await
            .unwrap();
        many_concurrent_tasks(db).await;
    }

    on_both_backends!(
        failures_and_panics_do_not_kill_the_thread,
        many_concurrent_tasks
    );

    #[test]
    fn locations_parse_and_show_no_password() {
        assert_eq!(
            Location::parse("sqlite:/var/lib/eo/eo.db"),
            Ok(Location::Sqlite("/var/lib/eo/eo.db".into()))
        );
        let pg = Location::parse("postgres://eo:secret@db/eo").unwrap();
        assert_eq!(pg, Location::Postgres("postgres://eo:secret@db/eo".into()));
        assert_eq!(pg.to_string(), "postgres://eo@db:5432/eo");
        assert_eq!(format!("{pg:?}"), "postgres://eo@db:5432/eo");
        assert_eq!(Location::Sqlite("x.db".into()).to_string(), "sqlite:x.db");
        assert!(Location::parse("eo.db").is_err());
        assert!(Location::parse("sqlite:").is_err());
        assert!(Location::parse("postgres://eo@db:x/eo").is_err());
    }

    #[test]
    fn unix_now_is_plausible() {
        assert!(unix_now() > 1_600_000_000);
    }
}
