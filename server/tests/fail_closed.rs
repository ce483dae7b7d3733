//! Ban checks fail closed: when the database cannot say whether a client is banned, the client
//! is kept out (Login_Reply Busy at login; the connection closed at Init_Init), and the server
//! goes on and lets everyone in again once the database answers.

mod common;

use std::time::Duration;

use common::{TestClient, TestServer};
use eo_protocol::net::server::{AccountReply, LoginReply};

/// Renames the `bans` table behind the server's back (from a connection of the test's own to
/// the same SQLite file), so the server's ban checks fail as if the database could not answer.
fn rename_bans(server: &TestServer, from: &str, to: &str) {
    let db = rusqlite::Connection::open(server.dir.path().join("test.db")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db.execute_batch(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .unwrap();
}

#[tokio::test]
async fn bans_that_cannot_be_checked_keep_everyone_out_until_they_can() {
    let server = TestServer::start(|_| {}).await;
    let mut setup = TestClient::connected(server.addr).await;
    assert_eq!(
        setup.create_account("alice", "secret1").await,
        AccountReply::Created
    );
    // A client past Init_Init (and its address check) before the database fails.
    let mut early = TestClient::connected(server.addr).await;

    rename_bans(&server, "bans", "bans_unreadable");
    // The right password, but the account's bans cannot be checked: Busy, and closed.
    assert_eq!(
        early.login("alice", "secret1").await.reply_code,
        LoginReply::Busy
    );
    assert!(early.is_closed_within(Duration::from_secs(5)).await);
    // A new connection's address cannot be checked: closed without an Init_Init reply.
    let mut late = TestClient::connect(server.addr).await;
    let refused = late.try_handshake().await;
    assert!(refused.is_err(), "let in: {refused:?}");

    // The server still runs: once the table is back, the same client gets in.
    rename_bans(&server, "bans_unreadable", "bans");
    let mut again = TestClient::connected(server.addr).await;
    assert_eq!(
        again.login("alice", "secret1").await.reply_code,
        LoginReply::Ok
    );
    server.stop().await;
}
