//! `eo-admin import eoserv|reoserv SOURCE`: reads another server's database (a SQLite file or
//! a MySQL/MariaDB URL) and sends its guilds, accounts and characters (with their quest
//! progress and guild ranks) to the running server's `import` command in batches, each small
//! enough for one request line; the server checks
//! and writes them and answers record by record. The CLI reads, the server decides: names,
//! clashes and item ids are checked against the server's own database and pub files.

mod eoserv;
mod records;
mod reoserv;
mod report;
mod source;

use std::collections::{HashMap, HashSet};
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
/// The most bytes of accounts and guilds sent in one request: the server reads request lines
/// of up to 64 KiB, and the request's envelope needs a little room.
const BATCH_BYTES: usize = 60 * 1024;
/// The most guilds sent in one request of guilds alone (the server takes at most 500).
const BATCH_GUILDS: usize = 200;
/// The most bytes of one guild: a guild is sent with each batch of its members, so it must
/// leave room for them.
const MAX_GUILD_BYTES: usize = 8 * 1024;

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
    let total: usize = batches.iter().map(|b| b.accounts.len()).sum();
    let bar = progress(total, json_output);
    let mut answers = Vec::with_capacity(total);
    let mut guild_answers: Vec<Value> = Vec::new();
    for (number, batch) in batches.into_iter().enumerate() {
        let count = batch.accounts.len();
        let mut request = json!({
            "id": number + 1,
            "command": "import",
            "args": {
                "source": args.from.name(),
                "dry_run": args.dry_run,
                "unknown_ids": if args.drop_unknown_ids { "drop" } else { "refuse" },
                "guilds": batch.guilds,
                "accounts": batch.accounts,
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
        let result = &reply["result"];
        answers.extend(result["accounts"].as_array().cloned().unwrap_or_default());
        // A guild goes with every batch that has a member of it: its first answer is what
        // became of it (the later ones find it already there).
        for answer in result["guilds"].as_array().into_iter().flatten() {
            if !guild_answers
                .iter()
                .any(|kept| kept["tag"] == answer["tag"])
            {
                guild_answers.push(answer.clone());
            }
        }
        bar.inc(count as u64);
    }
    bar.finish_and_clear();
    let outcome = report::Outcome {
        from: args.from.name(),
        kind,
        dry_run: args.dry_run,
        answers,
        guild_answers,
        read,
    };
    outcome.print(json_output)
}

/// One request's worth: accounts, and the guilds their characters belong to.
#[derive(Default)]
struct Batch {
    guilds: Vec<Value>,
    accounts: Vec<Value>,
    bytes: usize,
}

/// The accounts as JSON in batches that fit a request, each with the guilds of its
/// characters (a guild goes with every batch that has a member of it, so that each request
/// stands alone); guilds nobody imported belongs to go in batches of their own at the end. An
/// account or guild too large for a request alone becomes a bad row. Also returns what was
/// read besides the accounts and guilds.
fn batches(mut read: Read) -> (Vec<Batch>, Read) {
    let mut guilds: HashMap<String, (Value, usize)> = HashMap::new();
    let mut guild_order = Vec::new();
    for guild in std::mem::take(&mut read.guilds) {
        let value = serde_json::to_value(&guild).unwrap_or(Value::Null);
        let size = value.to_string().len() + 1;
        if size > MAX_GUILD_BYTES {
            read.bad(
                format!("guild {}", guild.tag),
                format!("{size} bytes of it are too many for one request"),
            );
            continue;
        }
        let tag = guild.tag.trim().to_ascii_uppercase();
        if guilds.insert(tag.clone(), (value, size)).is_none() {
            guild_order.push(tag);
        }
    }
    let mut sent = HashSet::new();
    let mut batches: Vec<Batch> = Vec::new();
    let mut current = Batch::default();
    for account in std::mem::take(&mut read.accounts) {
        let value = serde_json::to_value(&account).unwrap_or(Value::Null);
        let size = value.to_string().len() + 1;
        let mut tags: Vec<String> = account
            .characters
            .iter()
            .filter_map(|c| c.guild.as_ref())
            .map(|m| m.tag.trim().to_ascii_uppercase())
            .filter(|tag| guilds.contains_key(tag))
            .collect();
        tags.sort();
        tags.dedup();
        let guild_bytes = |batch: &Batch| -> usize {
            tags.iter()
                .filter(|tag| !batch.guilds.iter().any(|g| guild_tag(g) == **tag))
                .filter_map(|tag| guilds.get(tag).map(|(_, size)| size))
                .sum()
        };
        if size + guild_bytes(&Batch::default()) > BATCH_BYTES {
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
        if current.accounts.len() == BATCH_ACCOUNTS
            || current.bytes + size + guild_bytes(&current) > BATCH_BYTES
        {
            batches.push(std::mem::take(&mut current));
        }
        for tag in tags {
            if current.guilds.iter().any(|g| guild_tag(g) == tag) {
                continue;
            }
            if let Some((guild, guild_size)) = guilds.get(&tag) {
                current.guilds.push(guild.clone());
                current.bytes += guild_size;
                sent.insert(tag);
            }
        }
        current.bytes += size;
        current.accounts.push(value);
    }
    for tag in guild_order.iter().filter(|tag| !sent.contains(*tag)) {
        let Some((guild, size)) = guilds.get(tag) else {
            continue;
        };
        if current.guilds.len() == BATCH_GUILDS || current.bytes + size > BATCH_BYTES {
            batches.push(std::mem::take(&mut current));
        }
        current.guilds.push(guild.clone());
        current.bytes += size;
    }
    if !current.accounts.is_empty() || !current.guilds.is_empty() {
        batches.push(current);
    }
    (batches, read)
}

/// The tag of a guild as sent, in capitals.
fn guild_tag(guild: &Value) -> String {
    guild["tag"]
        .as_str()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase()
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
            batches.iter().map(|b| b.accounts.len()).collect::<Vec<_>>(),
            [50, 50, 20]
        );
        assert_eq!(read.bad_rows.len(), 2, "{:?}", read.bad_rows);
        assert!(read.bad_rows[1].reason.contains("too many for one request"));
    }

    #[test]
    fn guilds_go_with_their_members_and_the_rest_at_the_end() {
        use records::{Guild, Membership};
        let member = |name: &str, tag: &str| Character {
            name: name.into(),
            guild: Some(Membership {
                tag: tag.into(),
                rank: 9,
            }),
            ..Character::default()
        };
        let mut read = Read::default();
        for tag in ["ABC", "XYZ", "NOB"] {
            read.guilds.push(Guild {
                tag: tag.into(),
                name: format!("{tag} guild"),
                ..Guild::default()
            });
        }
        read.guilds.push(Guild {
            tag: "BIG".into(),
            description: "x".repeat(MAX_GUILD_BYTES),
            ..Guild::default()
        });
        for i in 0..60 {
            let tag = if i < 55 { "abc" } else { "XYZ" };
            read.accounts.push(Account {
                username: format!("user{i}"),
                characters: vec![
                    member(&format!("c{i}"), tag),
                    member(&format!("d{i}"), "ABC"),
                ],
                ..Account::default()
            });
        }
        let (batches, read) = batches(read);
        let tags = |b: &Batch| b.guilds.iter().map(guild_tag).collect::<Vec<_>>();
        // The guild with no member here rides with the last batch, which has room.
        assert_eq!(batches.len(), 2);
        assert_eq!(
            (batches[0].accounts.len(), tags(&batches[0])),
            (50, vec!["ABC".to_owned()])
        );
        assert_eq!(
            (batches[1].accounts.len(), tags(&batches[1])),
            (
                10,
                vec!["ABC".to_owned(), "XYZ".to_owned(), "NOB".to_owned()]
            )
        );
        assert_eq!(read.bad_rows.len(), 1, "{:?}", read.bad_rows);
        assert_eq!(read.bad_rows[0].what, "guild BIG");
    }
}
