//! eoweb, the browser client, played as a new user would in headless Chromium against the
//! server's game port over WebSocket: it creates an account, logs in, creates a character,
//! enters, sees its latency (Message_Ping answered), chats and walks; a second player (a
//! TestClient) sees it arrive, hears it and sees it walk, and eoweb shows that player's answer.
//! `tests/eoweb/drive.mjs` drives the browser.
//!
//! eoweb is not part of this repository (nor built by it): the test needs a build of it, named
//! by `EOWEB_DIR` (the folder eoweb's own build writes, with `index.html`), Chromium
//! (`CHROMIUM`, else `/usr/bin/chromium`), Node.js and `npm ci` run in `tests/eoweb/`. Without
//! any of them the test says which is missing and passes without running (see the README).

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::{TestClient, TestServer, enter_game};
use eo_protocol::net::client::TalkReportClientPacket;
use eo_protocol::net::server::ServerPacket;
use tokio::io::{AsyncBufReadExt, BufReader};

const USER: &str = "webwalker";
const SAID: &str = "hello from the browser";
const REPLY: &str = "welcome to Mossbrook";

/// What the test needs from outside the repository, or why it cannot run here.
fn prerequisites() -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let dist = std::env::var_os("EOWEB_DIR").map(PathBuf::from).ok_or(
        "EOWEB_DIR is not set: build eoweb as its README says and set EOWEB_DIR to its dist/",
    )?;
    if !dist.join("index.html").is_file() {
        return Err(format!("EOWEB_DIR={} has no index.html", dist.display()));
    }
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Err(format!(
            "no Chromium at {} (apt-get install chromium, or set CHROMIUM)",
            chromium.display()
        ));
    }
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eoweb");
    if !driver.join("node_modules/playwright-core").is_dir() {
        return Err(format!("run `npm ci` in {}", driver.display()));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Err("no `node` on the PATH".into());
    }
    Ok((dist, chromium, driver.join("drive.mjs")))
}

/// The next packet `pick` accepts within `within`, skipping others.
async fn within<T>(
    client: &mut TestClient,
    within: Duration,
    what: &str,
    pick: impl Fn(ServerPacket) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(packet) = client.try_recv(left).await else {
            panic!("{what}: not seen in time");
        };
        if let Some(found) = pick(packet) {
            return found;
        }
    }
}

#[tokio::test]
async fn eoweb_plays_as_a_new_user_and_another_player_sees_it() {
    let (dist, chromium, script) = match prerequisites() {
        Ok(found) => found,
        Err(missing) => {
            eprintln!("eoweb test skipped: {missing}");
            return;
        }
    };
    let server = TestServer::start(|_| {}).await;
    let mut watcher = TestClient::connected(server.addr).await;
    enter_game(&mut watcher, "watcher").await;

    let shot = server.dir.path().join("eoweb-failure.png");
    let args = serde_json::json!({
        "dist": dist,
        "ws": format!("ws://{}", server.addr),
        "map": Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/maps/00001.emf"),
        "chromium": chromium,
        "user": USER,
        "password": "secret1",
        "say": SAID,
        "reply": REPLY,
        "screenshot": shot,
    });
    let mut browser = tokio::process::Command::new("node")
        .arg(&script)
        .arg(args.to_string())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let stdout = browser.stdout.take().unwrap();
    let steps = tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        let mut all = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("eoweb: {line}");
            all.push(line);
        }
        all
    });

    // The browser's character comes into view, says its line and walks.
    let long = Duration::from_secs(120);
    let web_id = within(&mut watcher, long, "the eoweb character", |p| match p {
        ServerPacket::PlayersAgree(agree) => agree
            .nearby
            .characters
            .iter()
            .find(|c| c.name == USER)
            .map(|c| c.player_id),
        _ => None,
    })
    .await;
    let said = within(&mut watcher, long, "its chat", |p| match p {
        ServerPacket::TalkPlayer(talk) if talk.player_id == web_id => Some(talk.message),
        _ => None,
    })
    .await;
    assert_eq!(said, SAID);
    within(&mut watcher, long, "its walk", |p| match p {
        ServerPacket::WalkPlayer(walk) => (walk.player_id == web_id).then_some(()),
        _ => None,
    })
    .await;
    // The other player answers; eoweb must show it.
    watcher
        .send(&TalkReportClientPacket {
            message: REPLY.into(),
        })
        .await;

    let status = tokio::time::timeout(Duration::from_secs(180), browser.wait())
        .await
        .expect("the browser finishes")
        .expect("node ran");
    let steps = steps.await.unwrap();
    assert!(
        status.success(),
        "eoweb failed after {steps:?} (screenshot at {})",
        shot.display()
    );
    for step in [
        "account created",
        "logged in",
        "character created",
        "entered",
        "pong",
        "said",
        "walked",
        "heard",
    ] {
        assert!(
            steps.iter().any(|s| s == &format!("step {step}")),
            "{step}: {steps:?}"
        );
    }
    server.stop().await;
}
