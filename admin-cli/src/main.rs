//! `eo-admin`: administers a running eo-server over its control socket.
//!
//! It knows the server only through the socket protocol (one JSON object per line each way; see
//! docs/admin-protocol.md): it sends one request, prints the reply as a table
//! (or, with `--json`, the result as JSON) and exits 0 on success, 1 when the server refuses or
//! the command fails, 2 when the server cannot be reached.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

mod human;
mod import;

use human::{human, pretty};

/// The socket used when neither `--socket` nor a config file names one.
const DEFAULT_SOCKET: &str = "eo-server.sock";
/// The config file read when `--config` is not given, if it exists.
const DEFAULT_CONFIG: &str = "eo-server.toml";
/// How long to wait for the server's reply (a save of many characters takes a while).
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest reply read.
const MAX_REPLY: u64 = 64 * 1024 * 1024;

/// Administer a running eo-server over its control socket.
///
/// The socket is `--socket`, else the `EO_CONTROL_SOCKET` environment variable, else
/// `[control] socket` of `--config FILE` (or of ./eo-server.toml if it exists), else
/// eo-server.sock. A relative path is taken from the current directory.
///
/// Exit status: 0 on success, 1 when the server refuses or the command fails, 2 when the
/// server cannot be reached.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Cli {
    /// The server's control socket.
    #[arg(long, value_name = "PATH", global = true)]
    socket: Option<PathBuf>,
    /// The server's configuration file, to find the socket in.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Print the result as JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// Act as this character: the command runs with its admin level and is refused as it
    /// would be in the game (the `[admin]` level, and only on characters below it).
    #[arg(long = "as", value_name = "NAME", global = true)]
    as_character: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// eo-admin's subcommands: every admin command (declared once, in `eo_control`), and
/// `import`, which sends many requests.
#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Admin(eo_control::Command),
    /// Brings the accounts and characters of an EOSERV (or etheos) or reoserv database here.
    ///
    /// `eo-admin import eoserv SOURCE --password-salt SALT` or `eo-admin import reoserv
    /// SOURCE`, SOURCE a SQLite file or mysql://USER:PASSWORD@HOST:PORT/DATABASE. Passwords
    /// keep working: their hashes are kept and replaced at each player's next login. With
    /// --dry-run nothing is written. Exits 1 when a record was not imported.
    Import(import::ImportArgs),
}

/// Why the CLI stopped.
enum Failure {
    /// The server refused or the command failed (exit 1).
    Refused(String),
    /// The server could not be reached (exit 2).
    Unreachable(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(message)) => {
            eprintln!("eo-admin: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Unreachable(message)) => {
            eprintln!("eo-admin: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    if let Command::Import(args) = &cli.command {
        let socket = socket_path(cli).map_err(Failure::Unreachable)?;
        return import::run(&socket, args, cli.json, cli.as_character.as_deref());
    }
    let (command, args) = request(&cli.command)?;
    let socket = socket_path(cli).map_err(Failure::Unreachable)?;
    let mut request = json!({ "id": 1, "command": command, "args": args });
    if let Some(name) = &cli.as_character {
        request["as"] = json!(name);
    }
    let reply = exchange(&socket, &request)?;
    if reply.get("ok") == Some(&Value::Bool(true)) {
        let result = reply.get("result").cloned().unwrap_or(Value::Null);
        if cli.json {
            println!("{}", pretty(&result));
        } else {
            print!("{}", human(command, &result));
        }
        return Ok(());
    }
    let Some(error) = reply.get("error") else {
        return Err(Failure::Refused(format!("unexpected reply: {reply}")));
    };
    if cli.json {
        println!("{}", pretty(error));
    }
    let code = error.get("code").and_then(Value::as_str).unwrap_or("error");
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    Err(Failure::Refused(format!("{code}: {message}")))
}

/// The command's name and arguments in the socket protocol: its request, once the command
/// line's alternative spellings are folded (`eo_control::Command::normalize`).
fn request(command: &Command) -> Result<(&'static str, Value), Failure> {
    let Command::Admin(command) = command else {
        // Many requests, one batch each: `import::run`.
        return Err(Failure::Refused("import is not one request".into()));
    };
    let command = command.clone().normalize().map_err(Failure::Refused)?;
    let mut request = serde_json::to_value(&command)
        .map_err(|e| Failure::Refused(format!("the request cannot be written: {e}")))?;
    let args = request
        .get_mut("args")
        .map(Value::take)
        .unwrap_or_else(|| json!({}));
    Ok((command.name(), args))
}

/// `--socket`, else `EO_CONTROL_SOCKET`, else the config file's `[control] socket`, else the
/// default.
fn socket_path(cli: &Cli) -> Result<PathBuf, String> {
    if let Some(socket) = &cli.socket {
        return Ok(socket.clone());
    }
    if let Some(socket) = std::env::var_os("EO_CONTROL_SOCKET") {
        return Ok(PathBuf::from(socket));
    }
    let config = match &cli.config {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))
                .map(|text| (path.clone(), text))?,
        ),
        None => std::fs::read_to_string(DEFAULT_CONFIG)
            .ok()
            .map(|text| (PathBuf::from(DEFAULT_CONFIG), text)),
    };
    if let Some((path, text)) = config {
        let table: toml::Table = text
            .parse()
            .map_err(|e| format!("cannot parse the config file {}: {e}", path.display()))?;
        if let Some(socket) = table.get("control").and_then(|c| c.get("socket")) {
            return match socket.as_str() {
                Some(socket) => Ok(PathBuf::from(socket)),
                None => Err(format!(
                    "{}: [control] socket is not a string",
                    path.display()
                )),
            };
        }
    }
    Ok(PathBuf::from(DEFAULT_SOCKET))
}

/// Sends one request and reads its reply.
fn exchange(socket: &Path, request: &Value) -> Result<Value, Failure> {
    let where_ = socket.display();
    let unreachable = |e: std::io::Error| {
        Failure::Unreachable(format!("cannot reach the server at {where_}: {e}"))
    };
    let mut stream = UnixStream::connect(socket).map_err(unreachable)?;
    stream
        .set_read_timeout(Some(REPLY_TIMEOUT))
        .map_err(unreachable)?;
    let mut line = request.to_string();
    line.push('\n');
    stream.write_all(line.as_bytes()).map_err(unreachable)?;
    let mut reply = String::new();
    BufReader::new(stream.take(MAX_REPLY))
        .read_line(&mut reply)
        .map_err(unreachable)?;
    if reply.is_empty() {
        return Err(Failure::Unreachable(format!(
            "the server at {where_} closed the connection without replying"
        )));
    }
    serde_json::from_str(&reply)
        .map_err(|e| Failure::Refused(format!("the server's reply is not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn ban_arguments() {
        let cli = Cli::parse_from(["eo-admin", "ban", "--ip", "1.2.3.4", "1h"]);
        let (_, args) = request(&cli.command).ok().unwrap();
        assert_eq!(args["ip"], "1.2.3.4");
        assert_eq!(args["duration"], "1h");
        assert_eq!(args["name"], Value::Null);
        let cli = Cli::parse_from(["eo-admin", "ban", "alice"]);
        let (_, args) = request(&cli.command).ok().unwrap();
        assert_eq!(
            (args["name"].as_str(), &args["duration"]),
            (Some("alice"), &Value::Null)
        );
        let cli = Cli::parse_from(["eo-admin", "ban", "--ip", "1.2.3.4", "a", "b"]);
        assert!(request(&cli.command).is_err());
    }
}
