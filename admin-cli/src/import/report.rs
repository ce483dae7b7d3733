//! The import's report: what the server answered for each record, the rows that could not be
//! read, and what this server has no place for yet; as words and tables, or as JSON.

use serde_json::{Value, json};

use super::super::{Failure, pretty, table};
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

impl Outcome {
    fn characters(&self) -> impl Iterator<Item = &Value> {
        self.answers.iter().flat_map(|a| {
            a.get("characters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
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
        for answer in &self.answers {
            accounts.add(&text(answer, "status"));
        }
        for character in self.characters() {
            characters.add(&text(character, "status"));
        }
        let (bad_accounts, bad_characters) =
            (self.unreadable("account"), self.unreadable("character"));
        let not_yet: Vec<_> = self.read.not_yet.iter().filter(|n| n.count > 0).collect();
        if json_output {
            let result = json!({
                "from": self.from,
                "source": self.kind,
                "dry_run": self.dry_run,
                "accounts": self.answers,
                "unreadable": self.read.bad_rows,
                "not_imported_yet": not_yet,
                "counts": {
                    "accounts": { "imported": accounts.done, "already_imported": accounts.already, "refused": accounts.refused, "unreadable": bad_accounts },
                    "characters": { "imported": characters.done, "already_imported": characters.already, "refused": characters.refused, "unreadable": bad_characters },
                },
            });
            println!("{}", pretty(&result));
        } else {
            print!(
                "{}",
                self.words(&accounts, &characters, (bad_accounts, bad_characters))
            );
        }
        let missed = accounts.refused + characters.refused + bad_accounts + bad_characters;
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

    fn words(&self, accounts: &Counts, characters: &Counts, bad: (usize, usize)) -> String {
        let mut out = format!(
            "{} database ({}): {} account(s) and {} character(s) sent to the server\n",
            self.from,
            self.kind,
            self.answers.len(),
            self.characters().count()
        );
        if self.dry_run {
            out.push_str("dry run: nothing was written\n");
        }
        let done = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        let row =
            |label: &str, a: usize, c: usize| vec![label.to_owned(), a.to_string(), c.to_string()];
        out.push_str(&table(
            &["", "ACCOUNTS", "CHARACTERS"],
            &[
                row(done, accounts.done, characters.done),
                row("already imported", accounts.already, characters.already),
                row("refused", accounts.refused, characters.refused),
                row("unreadable (not sent)", bad.0, bad.1),
            ],
        ));
        let mut refused = Vec::new();
        let mut notes = Vec::new();
        for account in &self.answers {
            let name = text(account, "username");
            if text(account, "status") == "refused" {
                refused.push(format!("account {name}: {}", text(account, "reason")));
            }
            for character in account
                .get("characters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let who = format!("character {} (account {name})", text(character, "name"));
                if text(character, "status") == "refused" {
                    refused.push(format!("{who}: {}", text(character, "reason")));
                }
                for note in character
                    .get("notes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    notes.push(format!("{who}: {}", note.as_str().unwrap_or("")));
                }
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
            "cannot be imported yet (this server has no place for them):",
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
