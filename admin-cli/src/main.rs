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

mod import;

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

#[derive(Subcommand)]
enum Command {
    /// The server's version, uptime, connections, players, maps, database and listen address.
    Status,
    /// Everyone in the game: name, account, map, position, level, admin level, address.
    Players,
    /// Disconnects a character in the game.
    Kick {
        /// The character.
        name: String,
        /// Why (written to the server's log).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Bans an account (named by a character or the account itself) or an IP address, and
    /// disconnects whoever matches.
    ///
    /// `eo-admin ban NAME [--duration D]` or `eo-admin ban --ip ADDR [--duration D]` (D may
    /// also follow NAME or --ip ADDR bare). D is seconds, or a number with s, m, h, d or w
    /// (30m, 12h, 7d); without it the ban is permanent.
    Ban {
        /// Ban this IP address instead of an account.
        #[arg(long, value_name = "ADDR")]
        ip: Option<String>,
        /// NAME then DURATION, or only DURATION with --ip.
        #[arg(value_name = "NAME [DURATION]", num_args = 0..=2)]
        rest: Vec<String>,
        /// How long (permanent when left out).
        #[arg(long, value_name = "D")]
        duration: Option<String>,
        /// Why (stored with the ban).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lifts every ban on an account (named by a character or the account) or an IP address.
    Unban {
        /// The character or account.
        #[arg(required_unless_present = "ip", conflicts_with = "ip")]
        name: Option<String>,
        /// Lift the bans on this IP address instead.
        #[arg(long, value_name = "ADDR")]
        ip: Option<String>,
    },
    /// Lists the bans in force.
    Bans {
        /// Expired bans too.
        #[arg(long)]
        all: bool,
    },
    /// Announces a message to everyone in the game.
    Announce {
        /// The message (the words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        message: Vec<String>,
    },
    /// Sends a server message to one character in the game.
    Message {
        /// The character.
        name: String,
        /// The message (the words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        message: Vec<String>,
    },
    /// Sets a character's admin level (0 player .. 5 high game master).
    Promote {
        /// The character.
        name: String,
        /// The admin level, 0 to 5.
        #[arg(value_parser = clap::value_parser!(u8).range(0..=5))]
        level: u8,
    },
    /// Mutes a character in the game: its chat is dropped until the mute ends.
    Mute {
        /// The character.
        name: String,
        /// How long: seconds, or a number with s, m, h, d or w (5m when left out; 0 lifts a
        /// mute).
        #[arg(long)]
        duration: Option<String>,
    },
    /// Moves a character in the game to a map and tile (its client is offered the warp).
    Warp {
        /// The character.
        name: String,
        /// The map id.
        map: u16,
        /// The tile's x.
        x: u8,
        /// The tile's y.
        y: u8,
    },
    /// Puts items at a character's feet (in the game), for it alone to pick up for a while.
    Give {
        /// The character.
        name: String,
        /// The item's id (its record number in the EIF).
        item: u16,
        /// How many (1 when left out).
        #[arg(default_value_t = 1)]
        amount: u32,
    },
    /// Saves every character in the game now and tells how many were saved.
    Save,
    /// Announces, waits, then stops the server (saving every character).
    ///
    /// `eo-admin shutdown [--delay SECS] [--message TEXT]`, or `eo-admin shutdown [SECS]
    /// [TEXT...]`.
    Shutdown {
        /// Seconds to wait first (0 when left out).
        #[arg(value_name = "SECS", conflicts_with = "delay")]
        delay_secs: Option<u64>,
        /// The announcement (a default one when there is a delay).
        #[arg(value_name = "TEXT", conflicts_with = "message_flag")]
        message: Vec<String>,
        /// Seconds to wait first.
        #[arg(long = "delay", id = "delay", value_name = "SECS")]
        delay: Option<u64>,
        /// The announcement.
        #[arg(long = "message", id = "message_flag", value_name = "TEXT")]
        message_flag: Option<String>,
    },
    /// The latest administration actions.
    Audit {
        /// How many (20 when left out).
        #[arg(value_name = "N", conflicts_with = "limit_flag")]
        limit: Option<usize>,
        /// How many.
        #[arg(long = "limit", id = "limit_flag", value_name = "N")]
        limit_flag: Option<usize>,
    },
    /// Rereads the server's configuration file and puts in force what can change while it
    /// runs (limits, rates, messages, admin levels, the log filter); says what needs a restart.
    Reload,
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

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The command's name and arguments in the socket protocol.
fn request(command: &Command) -> Result<(&'static str, Value), Failure> {
    Ok(match command {
        Command::Status => ("status", json!({})),
        Command::Players => ("players", json!({})),
        Command::Kick { name, reason } => ("kick", json!({ "name": name, "reason": reason })),
        Command::Ban {
            ip,
            rest,
            duration: duration_flag,
            reason,
        } => {
            let (name, duration) = match (ip, rest.as_slice()) {
                (Some(_), []) => (None, None),
                (Some(_), [duration]) => (None, Some(duration)),
                (None, [name]) => (Some(name), None),
                (None, [name, duration]) => (Some(name), Some(duration)),
                (Some(_), _) => {
                    return Err(Failure::Refused(
                        "with --ip, give at most a DURATION".into(),
                    ));
                }
                (None, _) => {
                    return Err(Failure::Refused(
                        "give NAME [DURATION] or --ip ADDR [DURATION]".into(),
                    ));
                }
            };
            let duration = match (duration, duration_flag) {
                (Some(_), Some(_)) => {
                    return Err(Failure::Refused(
                        "give the duration once: bare or with --duration".into(),
                    ));
                }
                (bare, flag) => bare.or(flag.as_ref()),
            };
            (
                "ban",
                json!({ "name": name, "ip": ip, "duration": duration, "reason": reason }),
            )
        }
        Command::Unban { name, ip } => ("unban", json!({ "name": name, "ip": ip })),
        Command::Bans { all } => ("bans", json!({ "all": all })),
        Command::Announce { message } => ("announce", json!({ "message": message.join(" ") })),
        Command::Message { name, message } => (
            "message",
            json!({ "name": name, "message": message.join(" ") }),
        ),
        Command::Promote { name, level } => ("promote", json!({ "name": name, "level": level })),
        Command::Mute { name, duration } => ("mute", json!({ "name": name, "duration": duration })),
        Command::Warp { name, map, x, y } => {
            ("warp", json!({ "name": name, "map": map, "x": x, "y": y }))
        }
        Command::Save => ("save", json!({})),
        Command::Give { name, item, amount } => (
            "give",
            json!({ "name": name, "item": item, "amount": amount }),
        ),
        Command::Shutdown {
            delay_secs,
            message,
            delay,
            message_flag,
        } => {
            let message = message_flag
                .clone()
                .or_else(|| (!message.is_empty()).then(|| message.join(" ")));
            (
                "shutdown",
                json!({ "delay_secs": delay_secs.or(*delay), "message": message }),
            )
        }
        Command::Audit { limit, limit_flag } => {
            ("audit", json!({ "limit": limit.or(*limit_flag) }))
        }
        Command::Reload => ("reload", json!({})),
        // Many requests, one batch each: `import::run`.
        Command::Import(_) => return Err(Failure::Refused("import is not one request".into())),
    })
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

/// A value as a table cell: strings bare, null as "-".
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Columns padded to their widest cell, two spaces apart.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` UTC.
fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date, counting in 400-year eras from 0000-03-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn time_cell(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_i64)
        .map_or_else(|| "-".into(), utc)
}

fn list<'a>(result: &'a Value, key: &str) -> &'a [Value] {
    result
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn names(value: Option<&Value>) -> String {
    let names: Vec<String> = value
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| cell(Some(v))).collect())
        .unwrap_or_default();
    if names.is_empty() {
        "nobody".into()
    } else {
        names.join(", ")
    }
}

/// The result in words and tables.
fn human(command: &str, result: &Value) -> String {
    let get = |key: &str| cell(result.get(key));
    match command {
        "status" => {
            let keys = [
                ("version", "version"),
                ("uptime", "uptime_secs"),
                ("connections", "connections"),
                ("logged in", "logged_in"),
                ("players", "players"),
                ("maps", "maps"),
                ("database", "database"),
                ("listen", "listen"),
                ("shutting down", "shutting_down"),
            ];
            let mut rows: Vec<Vec<String>> = keys
                .iter()
                .map(|(label, key)| {
                    let mut value = get(key);
                    if *key == "uptime_secs" {
                        value.push_str(" s");
                    }
                    vec![format!("{label}:"), value]
                })
                .collect();
            // The server's counters and gauges, as its metrics endpoint has them.
            if let Some(Value::Object(metrics)) = result.get("metrics") {
                for (series, value) in metrics {
                    rows.push(vec![format!("{series}:"), value.to_string()]);
                }
            }
            // No header line for a key/value list.
            table(&["", ""], &rows)
                .lines()
                .skip(1)
                .map(|l| format!("{l}\n"))
                .collect()
        }
        "players" => {
            let players = list(result, "players");
            if players.is_empty() {
                return "nobody is in the game\n".into();
            }
            let rows: Vec<Vec<String>> = players
                .iter()
                .map(|p| {
                    [
                        "name",
                        "account",
                        "map",
                        "x",
                        "y",
                        "level",
                        "admin_level",
                        "address",
                    ]
                    .iter()
                    .map(|k| cell(p.get(*k)))
                    .collect()
                })
                .collect();
            table(
                &[
                    "NAME", "ACCOUNT", "MAP", "X", "Y", "LEVEL", "ADMIN", "ADDRESS",
                ],
                &rows,
            )
        }
        "kick" => format!("kicked {}\n", names(result.get("kicked"))),
        "ban" => {
            let target = match result.get("account").and_then(Value::as_str) {
                Some(account) => format!("account {account}"),
                None => format!("address {}", get("ip")),
            };
            let until = match result.get("expires_at").and_then(Value::as_i64) {
                Some(at) => format!("until {} UTC", utc(at)),
                None => "permanently".into(),
            };
            format!(
                "banned {target} {until} (ban {}); kicked {}\n",
                get("id"),
                names(result.get("kicked"))
            )
        }
        "unban" => format!("removed {} ban(s)\n", get("removed")),
        "bans" => {
            let bans = list(result, "bans");
            if bans.is_empty() {
                return "no bans\n".into();
            }
            let rows: Vec<Vec<String>> = bans
                .iter()
                .map(|b| {
                    vec![
                        cell(b.get("id")),
                        cell(b.get("account")),
                        cell(b.get("ip")),
                        match b.get("expires_at").and_then(Value::as_i64) {
                            Some(at) => utc(at),
                            None => "permanent".into(),
                        },
                        cell(b.get("banned_by")),
                        cell(b.get("reason")),
                    ]
                })
                .collect();
            table(
                &["ID", "ACCOUNT", "IP", "EXPIRES (UTC)", "BY", "REASON"],
                &rows,
            )
        }
        "announce" => format!("announced: {}\n", get("message")),
        "message" => format!("sent to {}: {}\n", get("name"), get("message")),
        "mute" => format!("{} is muted for {} s\n", get("name"), get("duration_secs")),
        "warp" => format!(
            "{} is offered a warp to map {} at {},{}\n",
            get("name"),
            get("map"),
            get("x"),
            get("y")
        ),
        "promote" => format!(
            "{} is now admin level {} ({})\n",
            get("name"),
            get("level"),
            get("note")
        ),
        "save" => {
            let mut text = format!("saved {} character(s)\n", get("saved"));
            if !list(result, "failed").is_empty() {
                text.push_str(&format!(
                    "not saved (no answer): {}\n",
                    names(result.get("failed"))
                ));
            }
            text
        }
        "shutdown" => match result.get("delay_secs").and_then(Value::as_u64) {
            Some(0) | None => "the server is shutting down\n".into(),
            Some(delay) => format!("the server shuts down in {delay} s\n"),
        },
        "audit" => {
            let entries = list(result, "entries");
            if entries.is_empty() {
                return "no administration actions recorded\n".into();
            }
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        cell(e.get("id")),
                        time_cell(e.get("at")),
                        cell(e.get("source")),
                        cell(e.get("who")),
                        cell(e.get("command")),
                        e.get("arguments")
                            .map_or_else(String::new, Value::to_string),
                        match e.get("error") {
                            None | Some(Value::Null) => "ok".into(),
                            Some(error) => cell(Some(error)),
                        },
                    ]
                })
                .collect();
            table(
                &[
                    "ID",
                    "TIME (UTC)",
                    "SOURCE",
                    "WHO",
                    "COMMAND",
                    "ARGUMENTS",
                    "RESULT",
                ],
                &rows,
            )
        }
        "give" => format!(
            "{} x {} ({}) lies at {}'s feet on map {} at {},{}\n",
            get("amount"),
            get("item_name"),
            get("item"),
            get("name"),
            get("map"),
            get("x"),
            get("y")
        ),
        "reload" => {
            let changes = |key: &str| -> Vec<String> {
                list(result, key)
                    .iter()
                    .map(|c| {
                        let mut line = format!(
                            "  {}: {} -> {}",
                            cell(c.get("key")),
                            cell(c.get("from")),
                            cell(c.get("to"))
                        );
                        if let Some(when) = c.get("when").and_then(Value::as_str) {
                            line.push_str(&format!(" ({})", when.replace('_', " ")));
                        }
                        line
                    })
                    .collect()
            };
            let (applied, restart) = (changes("applied"), changes("restart_needed"));
            let mut text = format!("reread {}\n", get("file"));
            if applied.is_empty() && restart.is_empty() {
                text.push_str("nothing changed\n");
            }
            if !applied.is_empty() {
                text.push_str("applied:\n");
                text.push_str(&applied.join("\n"));
                text.push('\n');
            }
            if !restart.is_empty() {
                text.push_str("changed in the file, in force after a restart:\n");
                text.push_str(&restart.join("\n"));
                text.push('\n');
            }
            for note in list(result, "notes") {
                text.push_str(&format!("note: {}\n", cell(Some(note))));
            }
            text
        }
        _ => format!("{}\n", pretty(result)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(utc(-1), "1969-12-31 23:59:59");
    }

    #[test]
    fn tables_are_aligned() {
        let text = table(
            &["A", "BB"],
            &[
                vec!["long".into(), "x".into()],
                vec!["s".into(), "y".into()],
            ],
        );
        assert_eq!(text, "A     BB\nlong  x\ns     y\n");
    }

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
