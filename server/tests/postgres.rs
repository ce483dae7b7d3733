//! The server on PostgreSQL (`[database] url`), played by a real client: an account and a
//! character made, a walk saved at logout, the same state found at the next login; and a
//! SQLite database moved to PostgreSQL with the real binary's `--copy-database-to`, then
//! played on.
//!
//! These need a PostgreSQL server: `EOSERVER_TEST_POSTGRES_URL` names a database on it
//! (`eval "$(.ci/postgres start)"` starts a throwaway one, as CI does). Without it each test
//! says so and passes without running.

mod common;

use std::process::Command;

use common::{TestClient, TestServer, create_character, enter_character, enter_game, expect};
use eo_protocol::Direction;
use eo_protocol::net::server::{AccountReply, LoginReply, ServerPacket};
use eo_server::db::{Db, Location};

/// A schema of its own in the test database, and a URL whose connections use it; dropped
/// with what it holds when this is.
struct Schema {
    url: String,
    base_url: String,
    name: String,
}

impl Schema {
    fn create() -> Option<Schema> {
        let Ok(base_url) = std::env::var("EOSERVER_TEST_POSTGRES_URL") else {
            eprintln!(
                "skipped: EOSERVER_TEST_POSTGRES_URL is not set (`eval \"$(.ci/postgres start)\"` starts a server for the tests)"
            );
            return None;
        };
        let name = format!("it{}_{}", std::process::id(), rand::random::<u32>());
        run_sql(&base_url, &format!("CREATE SCHEMA {name}"));
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-c%20search_path%3D{name}");
        Some(Schema {
            url,
            base_url,
            name,
        })
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        run_sql(
            &self.base_url,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
    }
}

/// On a thread of its own: the synchronous client cannot run on the tests' runtime.
fn run_sql(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.batch_execute(&sql).unwrap();
    })
    .join()
    .unwrap();
}

/// Where the client's own character stands, as the map says.
async fn position(client: &mut TestClient, name: &str) -> (u8, u8) {
    client
        .send(&eo_protocol::net::client::RefreshRequestClientPacket)
        .await;
    expect(client, |packet| match packet {
        ServerPacket::RefreshReply(refresh) => refresh
            .nearby
            .characters
            .iter()
            .find(|c| c.name == name)
            .map(|c| (c.coords.x as u8, c.coords.y as u8)),
        _ => None,
    })
    .await
}

/// Logs in (again) and enters the game with the account's character of the same name.
async fn come_back(server: &TestServer, name: &str) -> (TestClient, i32) {
    let mut client = TestClient::connected(server.addr).await;
    // Retries while the last session's logout (saved first) is still on its way.
    let id = create_character(&mut client, name).await;
    enter_character(&mut client, id).await;
    (client, id)
}

#[tokio::test]
async fn a_player_plays_and_comes_back_on_postgres() {
    let Some(schema) = Schema::create() else {
        return;
    };
    let url = schema.url.clone();
    let server = TestServer::start(|c| c.database.url = url.clone()).await;

    let mut client = TestClient::connected(server.addr).await;
    let id = enter_game(&mut client, "wanderer").await;
    client.walk(Direction::Up, 16, 8).await;
    assert_eq!(position(&mut client, "wanderer").await, (16, 8));
    drop(client);

    let mut other = TestClient::connected(server.addr).await;
    assert_eq!(
        other.create_account("WANDERER", "secret2").await,
        AccountReply::Exists,
        "names are unique whatever their case"
    );
    assert_eq!(
        other.login("wanderer", "not-it").await.reply_code,
        LoginReply::WrongUserPassword
    );
    drop(other);
    let (mut again, again_id) = come_back(&server, "wanderer").await;
    assert_eq!(again_id, id);
    assert_eq!(
        position(&mut again, "wanderer").await,
        (16, 8),
        "the walk was saved at logout"
    );
    drop(again);
    server.stop().await;

    let db = Db::open_at(&Location::Postgres(schema.url.clone()))
        .await
        .unwrap();
    let saved = db.load_character(i64::from(id)).await.unwrap().unwrap();
    assert_eq!((saved.map, saved.x, saved.y), (1, 16, 8));
}

/// `eo-server --copy-database-to URL` with the test's config file.
fn copy_database(config_file: &std::path::Path, url: &str) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eo-server"));
    command
        .arg("--config")
        .arg(config_file)
        .arg("--copy-database-to")
        .arg(url);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("EO_") {
            command.env_remove(name);
        }
    }
    command.output().expect("the eo-server binary runs")
}

#[tokio::test]
async fn a_sqlite_database_moves_to_postgres_and_is_played_on() {
    let Some(schema) = Schema::create() else {
        return;
    };
    // Played on SQLite first.
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connected(server.addr).await;
    let id = enter_game(&mut client, "mover").await;
    client.walk(Direction::Up, 16, 8).await;
    assert_eq!(position(&mut client, "mover").await, (16, 8));
    drop(client);
    // Logged out and saved: the server stops, its folder (database, config file) kept.
    let (_, _) = come_back(&server, "mover").await;
    let TestServer {
        shutdown,
        task,
        dir,
        ..
    } = server;
    shutdown.cancel();
    task.await.unwrap();

    let config_file = dir.path().join("eo-server.toml");
    let copied = copy_database(&config_file, &schema.url);
    let out = String::from_utf8_lossy(&copied.stdout);
    assert!(
        copied.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(
        out.contains("copied accounts 1, guilds 0, characters 1"),
        "says what it copied: {out}"
    );

    // A second copy would merge into what is there: refused.
    let again = copy_database(&config_file, &schema.url);
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("not empty"), "{err}");
    // A target that is no database.
    let bad = copy_database(&config_file, "elsewhere.db");
    assert_eq!(bad.status.code(), Some(2));

    // Played on PostgreSQL: the same account, character and position.
    let url = schema.url.clone();
    let server = TestServer::start(|c| c.database.url = url).await;
    let (mut client, moved_id) = come_back(&server, "mover").await;
    assert_eq!(moved_id, id);
    assert_eq!(position(&mut client, "mover").await, (16, 8));
    // New rows continue after the copied ids.
    let mut newcomer = TestClient::connected(server.addr).await;
    let newcomer_id = enter_game(&mut newcomer, "newcomer").await;
    assert!(newcomer_id > id);
    drop((client, newcomer));
    server.stop().await;
}
