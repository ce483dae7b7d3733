//! `eo-admin import eoserv|reoserv SOURCE`: reads another server's database (a SQLite file or
//! a MySQL/MariaDB URL) and sends its accounts and characters to the running server's
//! `import` command in batches, each small enough for one request line; the server checks
//! and writes them and answers record by record. The CLI reads, the server decides: names,
//! clashes and item ids are checked against the server's own database and pub files.

mod eoserv;
mod records;
mod reoserv;
mod report;
mod source;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use super::{Failure, exchange};
use records::Read;
use source::Source;

/// The most accounts sent in one request (the server takes at most 100).
const BATCH_ACCOUNTS: usize = 50;
/// The most bytes of accounts sent in one request: the server reads request lines of up to
/// 64 KiB, and the request's envelope needs a little room.
const BATCH_BYTES: usize = 60 * 1024;

/// Which server the database is of.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherServer {
    /// EOSERV 0.7 or its fork etheos.
    Eoserv,
    /// reoserv.
    Reoserv,
}

impl OtherServer {
    fn name(self) -> &'static str {
        match self {
            OtherServer::Eoserv => "eoserv",
            OtherServer::Reoserv => "reoserv",
        }
    }
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Which server the database is of.
    #[arg(value_enum)]
    from: OtherServer,
    /// The database: a SQLite file, or mysql://USER:PASSWORD@HOST:PORT/DATABASE.
    source: String,
    /// Check everything against this server and report what would be imported and what
    /// could not be; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// EOSERV's PasswordSalt setting, as written after `PasswordSalt =` in its config
    /// (config/server.ini, or where config_local/ or config.local.ini sets it): EOSERV's
    /// password hashes cannot be checked without it. Needed for eoserv.
    #[arg(long, value_name = "SALT")]
    password_salt: Option<OsString>,
    /// Import characters without the item, spell and class ids this server's pub files do
    /// not have (each one left out is listed), instead of refusing those characters.
    #[arg(long)]
    drop_unknown_ids: bool,
}

/// Runs the import against the server at `socket`; prints the report (as JSON with `json`).
pub fn run(
    socket: &Path,
    args: &ImportArgs,
    json_output: bool,
    as_character: Option<&str>,
) -> Result<(), Failure> {
    let salt = match (args.from, &args.password_salt) {
        (OtherServer::Eoserv, None) => {
            return Err(Failure::Refused(
                "EOSERV hashes passwords with its PasswordSalt setting (config/server.ini, or \
                 config_local/server.ini or config.local.ini where it is set there): give it \
                 with --password-salt"
                    .into(),
            ));
        }
        (_, Some(salt)) => eoserv_config_value(salt.as_bytes()),
        (OtherServer::Reoserv, None) => Vec::new(),
    };
    let mut source = Source::open(&args.source).map_err(Failure::Refused)?;
    let kind = source.kind();
    let read = match args.from {
        OtherServer::Eoserv => eoserv::read(&mut source, &salt),
        OtherServer::Reoserv => reoserv::read(&mut source),
    }
    .map_err(|e| Failure::Refused(format!("reading {}: {e}", args.source)))?;
    drop(source);
    let (batches, read) = batches(read);
    let total: usize = batches.iter().map(Vec::len).sum();
    let bar = progress(total, json_output);
    let mut answers = Vec::with_capacity(total);
    for (number, batch) in batches.into_iter().enumerate() {
        let count = batch.len();
        let mut request = json!({
            "id": number + 1,
            "command": "import",
            "args": {
                "source": args.from.name(),
                "dry_run": args.dry_run,
                "unknown_ids": if args.drop_unknown_ids { "drop" } else { "refuse" },
                "accounts": batch,
            },
        });
        if let Some(name) = as_character {
            request["as"] = json!(name);
        }
        let reply = exchange(socket, &request).inspect_err(|_| bar.abandon())?;
        if reply.get("ok") != Some(&Value::Bool(true)) {
            bar.abandon();
            let error = reply.get("error").cloned().unwrap_or(Value::Null);
            let code = error.get("code").and_then(Value::as_str).unwrap_or("error");
            let message = error.get("message").and_then(Value::as_str).unwrap_or("");
            let before = if number == 0 {
                String::new()
            } else {
                format!(
                    " ({} account(s) before were sent; running the import again finds them \
                     already imported)",
                    answers.len()
                )
            };
            return Err(Failure::Refused(format!(
                "the server refused the import: {code}: {message}{before}"
            )));
        }
        let done = reply["result"]["accounts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        answers.extend(done);
        bar.inc(count as u64);
    }
    bar.finish_and_clear();
    let outcome = report::Outcome {
        from: args.from.name(),
        kind,
        dry_run: args.dry_run,
        answers,
        read,
    };
    outcome.print(json_output)
}

/// The accounts as JSON in batches that fit a request; an account too large for a request
/// alone becomes a bad row. Also returns what was read besides the accounts.
fn batches(mut read: Read) -> (Vec<Vec<Value>>, Read) {
    let mut batches: Vec<Vec<Value>> = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0;
    for account in std::mem::take(&mut read.accounts) {
        let value = serde_json::to_value(&account).unwrap_or(Value::Null);
        let size = value.to_string().len() + 1;
        if size > BATCH_BYTES {
            for character in &account.characters {
                read.bad(
                    format!("character {}", character.name),
                    "its account is not imported",
                );
            }
            read.bad(
                format!("account {}", account.username),
                format!("{size} bytes of it are too many for one request"),
            );
            continue;
        }
        if current.len() == BATCH_ACCOUNTS || bytes + size > BATCH_BYTES {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(value);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    (batches, read)
}

/// A progress bar on the terminal (none when it is not one, or with `--json`).
fn progress(total: usize, json_output: bool) -> ProgressBar {
    let target = if json_output {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(total as u64), target);
    if let Ok(style) = ProgressStyle::with_template("{wide_bar} {pos}/{len} accounts ({eta} left)")
    {
        bar.set_style(style);
    }
    bar
}

/// A value as EOSERV's config reader leaves it: `\t`, `\r`, `\n` and `\\` stand for a tab,
/// carriage return, newline and backslash; the value is trimmed.
fn eoserv_config_value(raw: &[u8]) -> Vec<u8> {
    let raw = raw.trim_ascii();
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        let escaped = match (byte, bytes.peek()) {
            (b'\\', Some(b't')) => Some(b'\t'),
            (b'\\', Some(b'r')) => Some(b'\r'),
            (b'\\', Some(b'n')) => Some(b'\n'),
            (b'\\', Some(b'\\')) => Some(b'\\'),
            _ => None,
        };
        match escaped {
            Some(escaped) => {
                out.push(escaped);
                bytes.next();
            }
            None => out.push(byte),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use records::{Account, Character};

    #[test]
    fn salts_are_read_as_eoserv_reads_its_config() {
        assert_eq!(eoserv_config_value(b"  ChangeMe "), b"ChangeMe");
        assert_eq!(eoserv_config_value(br"a\tb\\n\q"), b"a\tb\\n\\q");
    }

    #[test]
    fn batches_fit_a_request_line() {
        let big = Character {
            name: "big".into(),
            inventory: (1..=6000).map(|id| (id, 1_000_000)).collect(),
            ..Character::default()
        };
        let mut read = Read::default();
        for i in 0..120 {
            read.accounts.push(Account {
                username: format!("user{i}"),
                ..Account::default()
            });
        }
        read.accounts.push(Account {
            username: "huge".into(),
            characters: vec![big],
            ..Account::default()
        });
        let (batches, read) = batches(read);
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            [50, 50, 20]
        );
        assert_eq!(read.bad_rows.len(), 2, "{:?}", read.bad_rows);
        assert!(read.bad_rows[1].reason.contains("too many for one request"));
    }
}
