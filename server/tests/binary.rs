//! The real `eo-server` binary: started with a config file, administered over its control
//! socket, reloaded by SIGHUP, and shut down.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::Control;
use serde_json::json;

/// The server process, killed if a test fails before it exits.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Writes a config for a server in `dir` (port 0, its own database and socket).
fn write_config(dir: &std::path::Path, kick_level: u8) -> std::path::PathBuf {
    let world = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\n\
         [database]\npath = {db:?}\n\
         [world]\ndata_dir = {world:?}\n\
         [control]\nsocket = {socket:?}\n\
         [admin]\nkick = {kick_level}\n",
        db = dir.join("eo.db").display().to_string(),
        world = world.display().to_string(),
        socket = dir.join("eo.sock").display().to_string(),
    );
    let path = dir.join("eo-server.toml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn wait_for_socket(path: &std::path::Path) {
    for _ in 0..1000 {
        if tokio::net::UnixStream::connect(path).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server's control socket did not appear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_reloads_on_sighup_and_shuts_down_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 1);
    let socket = dir.path().join("eo.sock");
    let child = Command::new(env!("CARGO_BIN_EXE_eo-server"))
        .arg("--config")
        .arg(&config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    wait_for_socket(&socket).await;
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the control socket's mode");

    let mut control = Control::connect(&socket).await;
    let status = control.ok("status", json!({})).await;
    assert!(status["listen"].as_str().unwrap().starts_with("127.0.0.1:"));

    // SIGHUP rereads the file, as `reload` does, and the audit trail says who asked.
    write_config(dir.path(), 3);
    let pid = server.0.id().to_string();
    let killed = Command::new("kill").args(["-HUP", &pid]).status().unwrap();
    assert!(killed.success());
    let mut entry = serde_json::Value::Null;
    for _ in 0..500 {
        let audit = control.ok("audit", json!({ "limit": 1 })).await;
        entry = audit["entries"][0].clone();
        if entry["command"] == "reload" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(entry["command"], "reload", "{entry}");
    assert_eq!(entry["source"], "signal");
    assert_eq!(entry["who"], "SIGHUP");
    assert!(entry["error"].is_null(), "{entry}");
    // Reloading again finds the file as the server now runs it.
    let report = control.ok("reload", json!({})).await;
    assert_eq!(report["applied"], json!([]), "{report}");

    control.ok("shutdown", json!({})).await;
    let exited = tokio::task::spawn_blocking(move || {
        let status = server.0.wait().unwrap();
        (status, server)
    });
    let (status, _server) = tokio::time::timeout(Duration::from_secs(20), exited)
        .await
        .expect("the server exits after shutdown")
        .unwrap();
    assert!(status.success(), "exit status {status}");
    assert!(
        !socket.exists(),
        "the control socket is removed at shutdown"
    );
}
