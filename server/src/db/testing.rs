//! Test-only: compiled under `#[cfg(test)]` (see `db/mod.rs`).
//!
//! What the database tests share: fresh databases on either backend, and
//! [`on_both_backends!`], which runs a test on SQLite and on PostgreSQL.
//!
//! The PostgreSQL tests need a server: `EOSERVER_TEST_POSTGRES_URL` names a database on it
//! (`eval "$(.ci/postgres start)"` starts a throwaway one, as CI does). Each test gets a schema
//! of its own in that database, dropped afterwards. Without the variable the PostgreSQL tests
//! say so and pass without running, so `cargo test` works where there is no PostgreSQL.

use std::sync::atomic::{AtomicU32, Ordering};

use tempfile::TempDir;
use tokio::sync::mpsc;

use super::*;

/// The variable naming the PostgreSQL database the tests may use. Not `EO_...`: those name
/// config keys, and the server refuses one it does not know.
pub const POSTGRES_URL_VAR: &str = "EOSERVER_TEST_POSTGRES_URL";

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

/// A fresh, migrated database on one backend, removed when dropped.
pub struct TestDb {
    pub db: Db,
    pub location: Location,
    /// Dropped after `db` (fields drop in order), so the thread lets go first.
    _keep: Keep,
}

enum Keep {
    Dir { _dir: TempDir },
    Schema { _schema: PgSchema },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = TempDir::new().unwrap();
        let location = Location::Sqlite(dir.path().join("test.sqlite"));
        TestDb {
            db: Db::open_at(&location).await.unwrap(),
            location,
            _keep: Keep::Dir { _dir: dir },
        }
    }

    /// `None` (having said why) when no PostgreSQL server is configured for the tests.
    pub async fn postgres() -> Option<TestDb> {
        let schema = PgSchema::create()?;
        let location = Location::Postgres(schema.url.clone());
        Some(TestDb {
            db: Db::open_at(&location).await.unwrap(),
            location,
            _keep: Keep::Schema { _schema: schema },
        })
    }
}

/// The test server's URL, or `None` after saying that the test is skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped on PostgreSQL: {POSTGRES_URL_VAR} is not set (`eval \"$(.ci/postgres start)\"` starts a server for the tests)"
            );
            None
        }
    }
}

/// A schema of its own in the test database, and a URL whose connections use it; dropped
/// (with everything in it) when this is.
pub struct PgSchema {
    pub url: String,
    base_url: String,
    name: String,
}

impl PgSchema {
    /// `None` when no PostgreSQL server is configured for the tests.
    pub fn create() -> Option<PgSchema> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base_url = postgres_url()?;
        let name = format!(
            "t{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        on_own_thread(&base_url, &format!("CREATE SCHEMA {name}"));
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-c%20search_path%3D{name}");
        Some(PgSchema {
            url,
            base_url,
            name,
        })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        on_own_thread(
            &self.base_url,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
    }
}

/// Runs `sql` on a connection of its own. The synchronous client runs a runtime of its own,
/// which cannot start on a thread of the tests' runtime: hence a thread.
fn on_own_thread(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls)
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}: cannot connect: {e}"));
        client.batch_execute(&sql).unwrap();
    })
    .join()
    .unwrap();
}

/// Runs each named test, an `async fn(Db)` of the calling module, on a fresh database on
/// each backend: `sqlite::NAME` and `postgres::NAME` (which passes without running, having
/// said so, when no PostgreSQL server is configured).
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let db = $crate::db::testing::TestDb::sqlite().await;
                    super::$test(db.db.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(db) = $crate::db::testing::TestDb::postgres().await else {
                        return;
                    };
                    super::$test(db.db.clone()).await;
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;
