//! The import's report: what the server answered for each record, the rows that could not be
//! read, and what the import does not bring; as words and tables, or as JSON.

use serde_json::{Value, json};

use super::super::Failure;
use super::super::human::{pretty, table};
use super::records::Read;

/// Everything an import found.
pub struct Outcome {
    /// "eoserv" or "reoserv".
    pub from: &'static str,
    /// "SQLite" or "MySQL/MariaDB".
    pub kind: &'static str,
    pub dry_run: bool,
    /// The server's answers, one per account sent.
    pub answers: Vec<Value>,
    /// The server's answers, one per guild sent.
    pub guild_answers: Vec<Value>,
    pub read: Read,
}

/// How many records ended each way.
#[derive(Default)]
struct Counts {
    done: usize,
    already: usize,
    refused: usize,
}

impl Counts {
    fn add(&mut self, status: &str) {
        match status {
            "imported" | "would_import" => self.done += 1,
            "already_imported" => self.already += 1,
            _ => self.refused += 1,
        }
    }
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// The array under `key` (none if it is not one).
fn list<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

impl Outcome {
    fn characters(&self) -> impl Iterator<Item = &Value> {
        self.answers.iter().flat_map(|a| list(a, "characters"))
    }

    fn unreadable(&self, kind: &str) -> usize {
        let prefix = format!("{kind} ");
        self.read
            .bad_rows
            .iter()
            .filter(|b| b.what.starts_with(&prefix))
            .count()
    }

    /// Prints the report; fails (exit 1) when a record was not (or would not be) imported.
    pub fn print(&self, json_output: bool) -> Result<(), Failure> {
        let (mut accounts, mut characters) = (Counts::default(), Counts::default());
        let mut guilds = Counts::default();
        for answer in &self.answers {
            accounts.add(&text(answer, "status"));
        }
        for character in self.characters() {
            characters.add(&text(character, "status"));
        }
        for guild in &self.guild_answers {
            guilds.add(&text(guild, "status"));
        }
        let (bad_accounts, bad_characters, bad_guilds) = (
            self.unreadable("account"),
            self.unreadable("character"),
            self.unreadable("guild"),
        );
        let not_yet: Vec<_> = self.read.not_yet.iter().filter(|n| n.count > 0).collect();
        if json_output {
            let result = json!({
                "from": self.from,
                "source": self.kind,
                "dry_run": self.dry_run,
                "guilds": self.guild_answers,
                "accounts": self.answers,
                "unreadable": self.read.bad_rows,
                "not_imported_yet": not_yet,
                "counts": {
                    "accounts": { "imported": accounts.done, "already_imported": accounts.already, "refused": accounts.refused, "unreadable": bad_accounts },
                    "characters": { "imported": characters.done, "already_imported": characters.already, "refused": characters.refused, "unreadable": bad_characters },
                    "guilds": { "imported": guilds.done, "already_imported": guilds.already, "refused": guilds.refused, "unreadable": bad_guilds },
                },
            });
            println!("{}", pretty(&result));
        } else {
            print!(
                "{}",
                self.words(
                    [&accounts, &characters, &guilds],
                    [bad_accounts, bad_characters, bad_guilds]
                )
            );
        }
        let missed = accounts.refused
            + characters.refused
            + guilds.refused
            + bad_accounts
            + bad_characters
            + bad_guilds;
        if missed == 0 {
            return Ok(());
        }
        let would = if self.dry_run {
            "would not be"
        } else {
            "were not"
        };
        Err(Failure::Refused(format!(
            "{missed} record(s) {would} imported (listed above)"
        )))
    }

    fn words(&self, counts: [&Counts; 3], bad: [usize; 3]) -> String {
        let mut out = format!(
            "{} database ({}): {} account(s), {} character(s) and {} guild(s) sent to the server\n",
            self.from,
            self.kind,
            self.answers.len(),
            self.characters().count(),
            self.guild_answers.len()
        );
        if self.dry_run {
            out.push_str("dry run: nothing was written\n");
        }
        let done = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        let row = |label: &str, each: [usize; 3]| {
            let mut row = vec![label.to_owned()];
            row.extend(each.iter().map(ToString::to_string));
            row
        };
        let [a, c, g] = counts;
        out.push_str(&table(
            &["", "ACCOUNTS", "CHARACTERS", "GUILDS"],
            &[
                row(done, [a.done, c.done, g.done]),
                row("already imported", [a.already, c.already, g.already]),
                row("refused", [a.refused, c.refused, g.refused]),
                row("unreadable (not sent)", bad),
            ],
        ));
        let mut refused = Vec::new();
        let mut notes = Vec::new();
        // A record's refusal and notes, each line starting with who it is.
        let mut take = |who: &str, answer: &Value| {
            if text(answer, "status") == "refused" {
                refused.push(format!("{who}: {}", text(answer, "reason")));
            }
            for note in list(answer, "notes") {
                notes.push(format!("{who}: {}", note.as_str().unwrap_or("")));
            }
        };
        for guild in &self.guild_answers {
            take(&format!("guild {}", text(guild, "tag")), guild);
        }
        for account in &self.answers {
            let name = text(account, "username");
            take(&format!("account {name}"), account);
            for character in list(account, "characters") {
                let who = format!("character {} (account {name})", text(character, "name"));
                take(&who, character);
            }
        }
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                out.push_str(title);
                out.push('\n');
                for line in lines {
                    out.push_str(&format!("  {line}\n"));
                }
            }
        };
        section("refused:", refused);
        section(
            "unreadable rows (not sent):",
            self.read
                .bad_rows
                .iter()
                .map(|b| format!("{}: {}", b.what, b.reason))
                .collect(),
        );
        section("changed on the way:", notes);
        section(
            "not imported (the import does not bring these):",
            self.read
                .not_yet
                .iter()
                .filter(|n| n.count > 0)
                .map(|n| format!("{}: {}", n.what, n.count))
                .collect(),
        );
        out
    }
}
