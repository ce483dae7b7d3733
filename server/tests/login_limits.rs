//! Guessing passwords over real TCP (`[login]`): a connection is closed after
//! `login.max_attempts` wrong passwords, an account or an address that fails too often is
//! locked (refused Busy without its password being checked, logged once), Account_Agree's old
//! password counts the same, and one address flooding logins leaves the password hasher to the
//! others.

#[path = "common/binary.rs"]
mod binary;
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use binary::{BinaryServer, config_in};
use common::{RECV_TIMEOUT, TestClient, TestServer, connect_from};
use eo_protocol::net::client::AccountAgreeClientPacket;
use eo_protocol::net::server::{AccountReply, LoginReply, ServerPacket};
use eo_server::auth::{HashCost, PasswordHasher};

/// A client that connects from the loopback address `from` (127.0.0.2, ...) and shakes hands.
async fn client_from(addr: std::net::SocketAddr, from: &str) -> TestClient {
    let stream = connect_from(addr, from.parse().unwrap()).await;
    let mut client = TestClient::on(stream);
    client.handshake().await;
    client
}

/// Logs in; "logged in" (an earlier connection's logout still on its way) is waited out.
async fn login_settled(client: &mut TestClient, name: &str, password: &str) -> LoginReply {
    let deadline = tokio::time::Instant::now() + RECV_TIMEOUT;
    loop {
        let code = client.login(name, password).await.reply_code;
        if code != LoginReply::LoggedIn || tokio::time::Instant::now() > deadline {
            return code;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Account_Agree: changes `name`'s password from `old` to `new`; the reply code.
async fn change_password(
    client: &mut TestClient,
    name: &str,
    old: &str,
    new: &str,
) -> AccountReply {
    client
        .send(&AccountAgreeClientPacket {
            username: name.into(),
            old_password: old.into(),
            new_password: new.into(),
        })
        .await;
    let ServerPacket::AccountReply(reply) = client.recv().await else {
        panic!("expected Account_Reply");
    };
    reply.reply_code
}

/// Creates accounts (password `secret1`) on a connection of their own from 127.0.0.1.
async fn create_accounts(server: &TestServer, names: &[&str]) {
    let mut setup = TestClient::connected(server.addr).await;
    for name in names {
        assert_eq!(
            setup.create_account(name, "secret1").await,
            AccountReply::Created
        );
    }
}

#[tokio::test]
async fn a_connection_is_closed_after_max_attempts_wrong_passwords() {
    let server = TestServer::start(|_| {}).await;
    create_accounts(&server, &["alice"]).await;
    let mut guesser = TestClient::connected(server.addr).await;
    // login.max_attempts = 3: two wrong passwords are answered and the connection stays.
    for _ in 0..2 {
        assert_eq!(
            guesser.login("alice", "guess123").await.reply_code,
            LoginReply::WrongUserPassword
        );
    }
    assert!(!guesser.is_closed_within(Duration::from_millis(200)).await);
    // The third is answered, then the connection is closed (an unknown account counts too).
    assert_eq!(
        guesser.login("nobody", "guess123").await.reply_code,
        LoginReply::WrongUser
    );
    assert!(guesser.is_closed_within(Duration::from_secs(5)).await);
    // Three failures do not lock the account (login.max_account_failures = 10).
    let mut owner = TestClient::connected(server.addr).await;
    assert_eq!(
        owner.login("alice", "secret1").await.reply_code,
        LoginReply::Ok
    );
    server.stop().await;
}

#[tokio::test]
async fn an_account_locked_by_wrong_passwords_refuses_even_the_right_one_but_not_its_owner() {
    let server = TestServer::start(|config| {
        config.login.max_account_failures = 4;
        config.login.max_address_failures = 0;
    })
    .await;
    create_accounts(&server, &["victim", "bystander"]).await;
    // The owner logs in from its usual address, 127.0.0.3, and leaves.
    let mut owner = client_from(server.addr, "127.0.0.3").await;
    assert_eq!(
        login_settled(&mut owner, "victim", "secret1").await,
        LoginReply::Ok
    );
    drop(owner);

    // Four wrong passwords from 127.0.0.2 (two connections, as max_attempts closes each after
    // three) lock the account.
    for _ in 0..2 {
        let mut guesser = client_from(server.addr, "127.0.0.2").await;
        for _ in 0..2 {
            assert_eq!(
                guesser.login("victim", "guess123").await.reply_code,
                LoginReply::WrongUserPassword
            );
        }
    }
    // Now even the right password is refused (Busy, then the connection is closed), from the
    // guesser's address and from one never seen.
    for from in ["127.0.0.2", "127.0.0.4"] {
        let mut client = client_from(server.addr, from).await;
        assert_eq!(
            client.login("victim", "secret1").await.reply_code,
            LoginReply::Busy,
            "from {from}"
        );
        assert!(client.is_closed_within(Duration::from_secs(5)).await);
    }
    // The lock is the account's: another account logs in from the guesser's address.
    let mut bystander = client_from(server.addr, "127.0.0.2").await;
    assert_eq!(
        bystander.login("bystander", "secret1").await.reply_code,
        LoginReply::Ok
    );
    // The owner, from the address it last logged in from, is let in.
    let mut owner = client_from(server.addr, "127.0.0.3").await;
    assert_eq!(
        login_settled(&mut owner, "victim", "secret1").await,
        LoginReply::Ok
    );
    server.stop().await;
}

#[tokio::test]
async fn an_address_locked_by_failed_logins_is_refused_until_the_lock_ends() {
    let server = TestServer::start(|config| {
        config.login.max_attempts = 0;
        config.login.max_account_failures = 0;
        config.login.max_address_failures = 3;
        config.login.lockout_secs = 2;
    })
    .await;
    create_accounts(&server, &["alice", "bobby"]).await;
    let mut guesser = client_from(server.addr, "127.0.0.2").await;
    assert_eq!(
        guesser.login("nobody", "guess123").await.reply_code,
        LoginReply::WrongUser
    );
    assert_eq!(
        guesser.login("alice", "guess123").await.reply_code,
        LoginReply::WrongUserPassword
    );
    assert_eq!(
        guesser.login("bobby", "guess123").await.reply_code,
        LoginReply::WrongUserPassword
    );
    // Three failures: the address is locked, for every account, right password or not.
    assert_eq!(
        guesser.login("alice", "secret1").await.reply_code,
        LoginReply::Busy
    );
    assert!(guesser.is_closed_within(Duration::from_secs(5)).await);
    let mut again = client_from(server.addr, "127.0.0.2").await;
    assert_eq!(
        again.login("bobby", "secret1").await.reply_code,
        LoginReply::Busy
    );
    // Another address is not locked.
    let mut neighbour = client_from(server.addr, "127.0.0.3").await;
    assert_eq!(
        neighbour.login("alice", "secret1").await.reply_code,
        LoginReply::Ok
    );
    // Once the lock (2 s) is over, the address gets in again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let mut client = client_from(server.addr, "127.0.0.2").await;
        let code = client.login("bobby", "secret1").await.reply_code;
        if code == LoginReply::Ok {
            break;
        }
        assert_eq!(code, LoginReply::Busy);
        assert!(tokio::time::Instant::now() < deadline, "still locked");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn account_agree_needs_a_login_the_own_account_and_the_old_password_which_counts() {
    let server = TestServer::start(|config| {
        config.login.max_account_failures = 3;
        config.login.max_address_failures = 0;
    })
    .await;
    create_accounts(&server, &["alice", "bobby"]).await;

    // Not logged in: no password changes at all (bobby's right old password changes nothing).
    let mut stranger = TestClient::connected(server.addr).await;
    stranger
        .send(&AccountAgreeClientPacket {
            username: "bobby".into(),
            old_password: "secret1".into(),
            new_password: "taken99".into(),
        })
        .await;
    assert!(stranger.is_closed_within(Duration::from_secs(5)).await);
    // Logged in as alice: not bobby's password, even given his old one.
    let mut alice = TestClient::connected(server.addr).await;
    assert_eq!(
        alice.login("alice", "secret1").await.reply_code,
        LoginReply::Ok
    );
    assert_eq!(
        change_password(&mut alice, "bobby", "secret1", "taken99").await,
        AccountReply::ChangeFailed
    );
    let mut bobby = client_from(server.addr, "127.0.0.2").await;
    assert_eq!(
        bobby.login("bobby", "secret1").await.reply_code,
        LoginReply::Ok,
        "bobby's password is unchanged"
    );
    drop(bobby);

    // Wrong old passwords count as wrong login passwords: the third closes the connection...
    for _ in 0..3 {
        assert_eq!(
            change_password(&mut alice, "alice", "guess123", "newpass1").await,
            AccountReply::ChangeFailed
        );
    }
    assert!(alice.is_closed_within(Duration::from_secs(5)).await);
    // ... and, with login.max_account_failures = 3, lock the account for other addresses.
    let mut elsewhere = client_from(server.addr, "127.0.0.2").await;
    assert_eq!(
        login_settled(&mut elsewhere, "alice", "secret1").await,
        LoginReply::Busy
    );
    // From alice's own address, the right old password changes it.
    let mut alice = TestClient::connected(server.addr).await;
    assert_eq!(
        login_settled(&mut alice, "alice", "secret1").await,
        LoginReply::Ok
    );
    assert_eq!(
        change_password(&mut alice, "alice", "secret1", "newpass1").await,
        AccountReply::Changed
    );
    drop(alice);
    let mut alice = TestClient::connected(server.addr).await;
    assert_eq!(
        login_settled(&mut alice, "alice", "newpass1").await,
        LoginReply::Ok
    );
    server.stop().await;
}

/// One address (127.0.0.2) keeps a dozen connections sending wrong passwords as fast as the
/// answers come, against a hasher of one thread and two waiting places; another address logs
/// in again and again meanwhile. Its logins always find a place: the flooder holds at most
/// `login.max_hashing_per_address` (2) of the three.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_flooding_logins_leaves_the_hasher_to_the_others() {
    let slow = HashCost {
        memory_kib: 16 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    let hasher = PasswordHasher::with_cost(1, 2, slow).unwrap();
    let server = TestServer::start_with_hasher(hasher, |config| {
        config.login.max_attempts = 0;
        config.login.max_account_failures = 0;
        config.login.max_address_failures = 0;
        config.login.max_hashing_per_address = 2;
        // The flooders ask as fast as they are answered; flood control is not the subject.
        config.flood.packets_per_sec = 0;
    })
    .await;
    create_accounts(&server, &["target", "honest"]).await;

    let stop = Arc::new(AtomicBool::new(false));
    let busy = Arc::new(AtomicUsize::new(0));
    let wrong = Arc::new(AtomicUsize::new(0));
    let mut flooders = Vec::new();
    for _ in 0..12 {
        let mut client = client_from(server.addr, "127.0.0.2").await;
        let (stop, busy, wrong) = (Arc::clone(&stop), Arc::clone(&busy), Arc::clone(&wrong));
        flooders.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match client.login("target", "guess123").await.reply_code {
                    LoginReply::Busy => busy.fetch_add(1, Ordering::Relaxed),
                    LoginReply::WrongUserPassword => wrong.fetch_add(1, Ordering::Relaxed),
                    other => panic!("the flooder got {other:?}"),
                };
            }
        }));
    }
    // The flood is on once the hasher has answered some and turned others away.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while wrong.load(Ordering::Relaxed) < 5 || busy.load(Ordering::Relaxed) < 5 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the flood did not start"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for round in 0..5 {
        let mut honest = client_from(server.addr, "127.0.0.3").await;
        assert_eq!(
            login_settled(&mut honest, "honest", "secret1").await,
            LoginReply::Ok,
            "round {round}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        flooder.await.unwrap();
    }
    server.stop().await;
}

/// Against the real binary: a lock is logged once, when it starts (the account's and the
/// address's), however many attempts it refuses afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_is_logged_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::start(
        dir.path(),
        config_in(dir.path(), |config| {
            config.login.max_attempts = 0;
            config.login.max_account_failures = 3;
            config.login.max_address_failures = 5;
        }),
    );
    let mut setup = TestClient::connected(server.addr).await;
    for name in ["victim", "other"] {
        assert_eq!(
            setup.create_account(name, "secret1").await,
            AccountReply::Created
        );
    }
    let mut guesser = client_from(server.addr, "127.0.0.2").await;
    for _ in 0..3 {
        assert_eq!(
            guesser.login("victim", "guess123").await.reply_code,
            LoginReply::WrongUserPassword
        );
    }
    for _ in 0..2 {
        assert_eq!(
            guesser.login("other", "guess123").await.reply_code,
            LoginReply::WrongUserPassword
        );
    }
    // Both are locked now; ten more attempts are refused without a line each.
    for _ in 0..10 {
        let mut client = client_from(server.addr, "127.0.0.2").await;
        assert_eq!(
            client.login("victim", "secret1").await.reply_code,
            LoginReply::Busy
        );
    }
    server
        .wait_for_line(Duration::from_secs(5), |l| l.contains("address locked"))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = server.lines();
    let locks: Vec<&String> = lines.iter().filter(|l| l.contains("locked")).collect();
    assert_eq!(locks.len(), 2, "{locks:#?}");
    let account = locks
        .iter()
        .find(|l| l.contains("account locked"))
        .expect("the account's lock is logged");
    assert_eq!(binary::field(account, "account"), Some("victim"));
    assert_eq!(binary::field(account, "ip"), Some("127.0.0.2"));
    let address = locks
        .iter()
        .find(|l| l.contains("address locked"))
        .expect("the address's lock is logged");
    assert_eq!(binary::field(address, "ip"), Some("127.0.0.2"));
}
