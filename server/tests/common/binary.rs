//! The real `eo-server` binary as a child process: a config file in a temporary directory,
//! its log lines collected, its address read from its "listening" line, and a way to kill it
//! with SIGKILL. Only the server crate's tests can use it (`CARGO_BIN_EXE_eo-server`), so it is
//! not part of `common` (which the admin CLI's tests share): include it with
//! `#[path = "common/binary.rs"] mod binary;`.

#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eo_server::config::Config;

/// How long the binary may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(20);

pub struct BinaryServer {
    child: Child,
    pub addr: SocketAddr,
    pub config: Config,
    lines: Arc<Mutex<Vec<String>>>,
    /// The threads reading its standard output and error; they end when it exits.
    readers: Vec<std::thread::JoinHandle<()>>,
}

/// The test configuration in `dir`: database, control socket and config file there, the
/// bundled world, 127.0.0.1 on a free port, and no per-address connection or hashing limits;
/// `adjust` may change more.
pub fn config_in(dir: &Path, adjust: impl FnOnce(&mut Config)) -> Config {
    let mut config = Config::default();
    config.server.listen = "127.0.0.1:0".parse().unwrap();
    config.database.path = dir.join("server.db");
    config.control.socket = dir.join("control.sock");
    config.world.data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    config.server.ip_reconnect_limit_secs = 0;
    config.server.max_connections_per_ip = 0;
    // Every test client comes from 127.0.0.1 unless it says otherwise.
    config.login.max_hashing_per_address = 0;
    adjust(&mut config);
    config.validate().unwrap();
    config
}

impl BinaryServer {
    /// Writes `config` to `dir/eo-server.toml` and starts the binary on it; returns once it
    /// listens.
    pub fn start(dir: &Path, config: Config) -> BinaryServer {
        Self::start_with_env(dir, config, &[])
    }

    /// [`BinaryServer::start`] with more environment variables for the process.
    pub fn start_with_env(dir: &Path, config: Config, env: &[(&str, &str)]) -> BinaryServer {
        let file: PathBuf = dir.join("eo-server.toml");
        std::fs::write(&file, config.to_toml_string()).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_eo-server"));
        command
            .arg("--config")
            .arg(&file)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("EO_") {
                command.env_remove(name);
            }
        }
        // Never the test runner's own service manager.
        command.env_remove("NOTIFY_SOCKET");
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the eo-server binary starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        for output in [
            child
                .stdout
                .take()
                .map(|o| Box::new(o) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|o| Box::new(o) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let lines = Arc::clone(&lines);
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(output).lines() {
                    let Ok(line) = line else { break };
                    lines.lock().unwrap().push(strip_ansi(&line));
                }
            }));
        }
        let mut server = BinaryServer {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            config,
            lines,
            readers,
        };
        let started = Instant::now();
        loop {
            if let Some(addr) = server
                .lines()
                .iter()
                .filter(|l| l.contains("listening"))
                .find_map(|l| {
                    field(l, "addr")
                        .map(str::to_owned)
                        .or_else(|| json_field(l, "addr"))
                        .and_then(|a| a.parse().ok())
                })
            {
                server.addr = addr;
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("eo-server exited with {status}: {:#?}", server.lines());
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "eo-server did not listen in time: {:#?}",
                server.lines()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every log line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits until a log line satisfies `pick` (or fails after `within`).
    pub async fn wait_for_line(&self, within: Duration, pick: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
        loop {
            if let Some(line) = self.lines().into_iter().find(|l| pick(l)) {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "no such log line in time: {:#?}",
                self.lines()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `kill -9`: the process ends at once, saving nothing.
    pub fn kill_hard(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.join_readers();
    }

    /// Waits until every line the exited process wrote has been read.
    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    /// SIGTERM, then waits for the process to exit (it saves and closes everyone first).
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.join_readers();
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "eo-server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for BinaryServer {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The value of `name=value` in a log line (up to the next space).
/// A field of a JSON log line (`[log] format = "json"`): among the record's fields, else its
/// span's.
pub fn json_field(line: &str, name: &str) -> Option<String> {
    let record: serde_json::Value = serde_json::from_str(line).ok()?;
    let value = record["fields"]
        .get(name)
        .or_else(|| record["span"].get(name))?;
    Some(match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

pub fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=");
    let start = line.find(&key)? + key.len();
    let rest = &line[start..];
    Some(rest.split_whitespace().next().unwrap_or(rest))
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... final byte in @..~
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) && c != '[' {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}
