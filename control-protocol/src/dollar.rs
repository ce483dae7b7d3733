//! In-game `$` commands: a chat line's words parsed with the same clap definition as
//! `eo-admin`'s subcommands, so `$kick alice`, `$k alice` and `eo-admin kick alice` are one
//! command. The command word is matched case-insensitively, as EOSERV does.

use clap::Parser;
use clap::error::ErrorKind;

use super::{Command, OneCommand};

/// The longest answer to a bad `$` line, in characters (a Talk_Server line; the client wraps
/// it in its chat box).
pub const MAX_DOLLAR_ANSWER: usize = 200;

/// Parses a `$` line (with or without its `$`) into a command, or the sentence to answer the
/// player with: "Unknown command $x.", or what is wrong and the usage.
pub fn parse_dollar(line: &str) -> Result<Command, String> {
    let line = line.strip_prefix('$').unwrap_or(line);
    let mut words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
    let Some(first) = words.first_mut() else {
        return Err("Usage: $COMMAND [ARGUMENTS], e.g. $kick NAME.".into());
    };
    *first = first.to_lowercase();
    eoserv_spellings(&mut words);
    let command = words.first().cloned().unwrap_or_default();
    // clap would answer `$help` or `$kick --help` with pages of text.
    if command == "help" || words.iter().any(|w| w == "--help" || w == "-h") {
        return Err(usage_of(&command));
    }
    match OneCommand::try_parse_from(&words) {
        Ok(parsed) => parsed.command.normalize().map_err(|why| cut(&why)),
        Err(error) if error.kind() == ErrorKind::InvalidSubcommand => {
            Err(cut(&format!("Unknown command ${command}.")))
        }
        Err(error) => {
            // clap's first line says what is wrong; the usage says what is right.
            let text = error.render().to_string();
            let what = text
                .lines()
                .map(str::trim)
                .take_while(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
                .trim_start_matches("error: ")
                .trim_end_matches(':')
                .to_owned();
            Err(cut(&format!("{} ({what})", usage_of(&command))))
        }
    }
}

/// EOSERV's one-word setters: `setlevel NAME 10` is `set NAME level 10`, and `setadmin NAME 3`
/// is `promote NAME 3`.
fn eoserv_spellings(words: &mut Vec<String>) {
    use clap::ValueEnum;
    let Some(field) = words.first().and_then(|w| w.strip_prefix("set")) else {
        return;
    };
    if field == "admin" {
        words[0] = "promote".to_owned(); // ok: `first()` was Some
        return;
    }
    let Ok(field) = crate::SetField::from_str(field, true) else {
        return;
    };
    words[0] = "set".to_owned(); // ok: `first()` was Some
    let at = words.len().min(2);
    words.insert(at, field.name().to_owned());
}

/// "Usage: $kick <NAME> ..." for a command word, or the list of commands.
fn usage_of(word: &str) -> String {
    use clap::CommandFactory;
    let mut root = OneCommand::command();
    let names: Vec<String> = root
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    match root.find_subcommand_mut(word) {
        Some(sub) => {
            let usage = sub.render_usage().to_string();
            cut(&usage
                .replace("Usage: ", &format!("Usage: ${word} "))
                .replace(&format!("${word} {}", sub.get_name()), &format!("${word}")))
        }
        None => cut(&format!("Commands: ${}.", names.join(", $"))),
    }
}

/// At most [`MAX_DOLLAR_ANSWER`] characters.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_DOLLAR_ANSWER) {
        // ok: `at` is a char boundary char_indices gave.
        Some((at, _)) => text[..at].to_owned(),
        None => text.to_owned(),
    }
}
