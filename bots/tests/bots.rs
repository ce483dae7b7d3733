//! The real `eo-bots` binary against a real server started in-process: a small swarm logs
//! in, walks and chats, and the observer times the broadcasts; a second run reuses the
//! accounts and characters.

#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::process::Output;

use common::TestServer;
use serde_json::{Value, json};

/// Runs `eo-bots ARGS...` (off the runtime's threads).
async fn eo_bots(args: Vec<String>) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eo-bots"));
    command.args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The last line of standard output: the machine-readable one.
fn summary(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)))
}

fn args(server: &TestServer, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "--addr".to_string(),
        server.addr.to_string(),
        "--server-pid".into(),
        std::process::id().to_string(),
        "--progress-secs".into(),
        "1".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_swarm_logs_in_walks_chats_and_is_timed() {
    let server = TestServer::start(|_| {}).await;
    let run = [
        "--bots",
        "6",
        "--seconds",
        "2",
        "--walk-hz",
        "4",
        "--chat-hz",
        "2",
        "--prefix",
        "swarm",
    ];
    let output = eo_bots(args(&server, &run)).await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let first = summary(&output);
    assert_eq!(first["logins_ok"], 6, "{first}");
    assert_eq!(first["in_game_at_end"], 6);
    assert_eq!(first["errors"], 0, "{first}");
    assert_eq!(first["disconnects"], 0);
    // Every bot and the observer made its account and character; one map download served all.
    assert_eq!(
        (
            &first["accounts_created"],
            &first["characters_created"],
            &first["maps_downloaded"]
        ),
        (&json!(7), &json!(7), &json!(1)),
        "{first}"
    );
    // Six bots at 4 steps a second for 2 seconds, all on the town's spawn tile at first.
    let walks = first["walks_sent"].as_u64().unwrap();
    assert!((30..=60).contains(&walks), "{first}");
    assert!(first["chats_sent"].as_u64().unwrap() >= 12, "{first}");
    // The observer stands in the town among them: it timed walks and every chat line.
    assert!(
        first["walk_latency_ms"]["samples"].as_u64().unwrap() > 0,
        "{first}"
    );
    assert_eq!(
        first["chat_latency_ms"]["samples"], first["chats_sent"],
        "{first}"
    );
    let p99 = first["latency_ms"]["p99"].as_f64().unwrap();
    assert!(p99 > 0.0 && p99 <= first["latency_ms"]["max"].as_f64().unwrap());
    assert!(first["received"].as_u64().unwrap() > first["walks_sent"].as_u64().unwrap());
    assert!(first["server_rss_kib"].as_u64().unwrap() > 0);
    assert!(first["server_cpu_percent"].as_f64().is_some());
    // The server's CPU during play, and what it cost per packet the bots received in play
    // (the arrivals before play are counted apart).
    let cpu_secs = first["server_cpu_secs"].as_f64().unwrap();
    let received = first["received"].as_f64().unwrap();
    let per_packet = first["server_cpu_us_per_packet"].as_f64().unwrap();
    assert!(
        (per_packet - cpu_secs * 1e6 / received).abs() <= 0.01 * per_packet.max(1.0),
        "{first}"
    );
    assert!(first["received_before_play"].as_u64().is_some(), "{first}");
    // The packets of play by kind add up to those of play, and the walks are among them.
    let kinds = first["received_kinds"].as_object().unwrap();
    let by_kind: u64 = kinds.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(by_kind, first["received"].as_u64().unwrap(), "{first}");
    assert!(kinds["Walk_Player"].as_u64().unwrap() > 0, "{first}");
    assert!(first["bots_cpu_percent"].as_f64().is_some());
    assert!(
        stderr.contains("[play"),
        "a progress line while it runs: {stderr}"
    );

    // Again: the accounts and characters are reused.
    let output = eo_bots(args(&server, &run)).await;
    assert_eq!(output.status.code(), Some(0));
    let second = summary(&output);
    assert_eq!(second["logins_ok"], 6);
    assert_eq!(second["accounts_created"], 0, "{second}");
    assert_eq!(second["characters_created"], 0, "{second}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_and_an_absent_server_exit_2() {
    let server = TestServer::start(|_| {}).await;
    let output = eo_bots(args(&server, &["--prefix", "Bad1"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--prefix"));
    let output = eo_bots(args(&server, &["--walk-hz", "-1"])).await;
    assert_eq!(output.status.code(), Some(2));
    let addr = server.addr.to_string();
    server.stop().await;
    let output = eo_bots(vec!["--addr".into(), addr, "--bots".into(), "2".into()]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("could not enter the game"), "{stderr}");
}
