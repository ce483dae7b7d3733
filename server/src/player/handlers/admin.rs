//! In-game `$` commands: a public chat line starting with `$` is never said aloud; it is
//! parsed into an admin command and run through the same [`Admin::execute`] as the control
//! socket, with the character as its source; `execute` decides whether the character may (its
//! admin level as stored, so a demotion holds from the next line on). The answer goes to the
//! giver alone (Talk_Server).

use std::sync::Weak;

use eo_protocol::net::server::TalkServerServerPacket;
use serde_json::{Map, Value, json};

use crate::control::{Admin, CommandError, ErrorCode, Source};
use crate::net::packet;
use crate::player::PlayerHandle;
use crate::player::actor::{Disconnect, Player, State};

/// Parses `$command args...` into an admin command's name and JSON arguments, or the usage
/// line to answer.
pub(crate) fn parse(text: &str) -> Result<(String, Value), String> {
    let text = text.strip_prefix('$').unwrap_or(text);
    let mut words = text.split_whitespace();
    let command = words.next().unwrap_or_default().to_ascii_lowercase();
    let words: Vec<&str> = words.collect();
    let usage = |line: &str| Err(format!("Usage: ${line}"));
    let mut args = Map::new();
    match (command.as_str(), words.as_slice()) {
        ("kick" | "unban" | "info" | "warptome" | "warpmeto", [name]) => {
            args.insert("name".into(), json!(name));
        }
        ("kick" | "unban" | "info" | "warptome" | "warpmeto", _) => {
            return usage(&format!("{command} NAME"));
        }
        ("ban" | "mute", [name, rest @ ..]) if rest.len() <= 1 => {
            args.insert("name".into(), json!(name));
            if let Some(duration) = rest.first() {
                args.insert("duration".into(), json!(duration));
            }
        }
        ("ban" | "mute", _) => return usage(&format!("{command} NAME [DURATION]")),
        ("warp", [name, map, x, y]) => {
            let (Ok(map), Ok(x), Ok(y)) = (map.parse::<u16>(), x.parse::<u8>(), y.parse::<u8>())
            else {
                return usage("warp NAME MAP X Y (numbers)");
            };
            args.insert("name".into(), json!(name));
            args.insert("map".into(), json!(map));
            args.insert("x".into(), json!(x));
            args.insert("y".into(), json!(y));
        }
        ("warp", _) => return usage("warp NAME MAP X Y"),
        ("hide" | "show", []) => {}
        ("hide" | "show", _) => return usage(&command),
        ("announce", [_, ..]) => {
            args.insert("message".into(), json!(words.join(" ")));
        }
        ("announce", []) => return usage("announce TEXT"),
        ("shutdown", []) => {}
        ("shutdown", [delay]) => {
            let Ok(delay) = delay.parse::<u64>() else {
                return usage("shutdown [DELAY_SECS]");
            };
            args.insert("delay_secs".into(), json!(delay));
        }
        ("shutdown", _) => return usage("shutdown [DELAY_SECS]"),
        ("give", [name, item, rest @ ..]) if rest.len() <= 1 => {
            let (Ok(item), Ok(amount)) = (
                item.parse::<u16>(),
                rest.first().map_or(Ok(1), |a| a.parse::<u32>()),
            ) else {
                return usage("give NAME ITEM [AMOUNT] (numbers)");
            };
            args.insert("name".into(), json!(name));
            args.insert("item".into(), json!(item));
            args.insert("amount".into(), json!(amount));
        }
        ("give", _) => return usage("give NAME ITEM [AMOUNT]"),
        ("promote", [name, level]) => {
            let Ok(level) = level.parse::<u8>() else {
                return usage("promote NAME LEVEL (a number)");
            };
            args.insert("name".into(), json!(name));
            args.insert("level".into(), json!(level));
        }
        ("promote", _) => return usage("promote NAME LEVEL"),
        _ => return Err(format!("Unknown command ${command}.")),
    }
    Ok((command, Value::Object(args)))
}

/// The sentence that answers a command that worked.
fn describe(command: &str, result: &Value) -> String {
    let text = |key: &str| match result.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let names = |key: &str| match result.get(key) {
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        _ => text(key),
    };
    match command {
        "kick" => format!("Kicked {}.", names("kicked")),
        "ban" => format!("Banned account {}.", text("account")),
        "unban" => format!("Lifted {} ban(s).", text("removed")),
        "mute" => format!(
            "Muted {} for {} seconds.",
            text("name"),
            text("duration_secs")
        ),
        "warp" | "warptome" | "warpmeto" => format!(
            "Warping {} to map {} at {},{}.",
            text("name"),
            text("map"),
            text("x"),
            text("y")
        ),
        "hide" => "You are hidden.".into(),
        "show" => "You are visible.".into(),
        "announce" => "Announced.".into(),
        "info" => format!(
            "{}: map {} at {},{}, level {}, admin level {}",
            text("name"),
            text("map"),
            text("x"),
            text("y"),
            text("level"),
            text("admin_level")
        ),
        "shutdown" => format!("Shutting down in {} seconds.", text("delay_secs")),
        "promote" => format!("{} is now admin level {}.", text("name"), text("level")),
        "give" => format!(
            "{} {} at {}'s feet ({},{}).",
            text("amount"),
            text("item_name"),
            text("name"),
            text("x"),
            text("y")
        ),
        _ => result.to_string(),
    }
}

/// Sends a Talk_Server line to one player.
fn reply(handle: &PlayerHandle, message: String) {
    if let Ok(body) = packet::encode(&TalkServerServerPacket { message }) {
        handle.send(body);
    }
}

/// Runs a `$` line from a character in the game. The command runs on a task of its own, so a
/// command that waits on this player (a warp, a kick of oneself) cannot block it.
pub(super) fn run(player: &mut Player, text: &str) -> Result<(), Disconnect> {
    let State::InGame(game) = &player.state else {
        return Err(Disconnect::Closed("a $ command outside the game"));
    };
    let character = game.name.clone();
    let handle = player.handle.clone();
    let (command, args) = match parse(text) {
        Ok(parsed) => parsed,
        Err(usage) => {
            reply(&handle, usage);
            return Ok(());
        }
    };
    let admin: Option<Weak<Admin>> = player.context.admin.get().cloned();
    tokio::spawn(async move {
        let Some(admin) = admin.and_then(|weak| weak.upgrade()) else {
            reply(&handle, "Commands are not available now.".into());
            return;
        };
        let source = Source::Game { character };
        let answer = match admin.execute(&source, &command, args).await {
            Ok(result) => describe(&command, &result),
            // A refusal is a sentence of its own ("You may not use $kick.").
            Err(CommandError {
                code: ErrorCode::Forbidden,
                message,
            }) => message,
            Err(CommandError { message, .. }) => format!("${command} failed: {message}"),
        };
        reply(&handle, answer);
    });
    Ok(())
}

/// Puts the stored admin level in force for a character that has just entered the game with
/// `loaded` (read when it was chosen, Welcome_Request). A `promote` since then stored the new
/// level but, finding the character not yet in the world, told nobody. The character's entry
/// is in the world's queue before this read, and the world takes its messages in order: a
/// `promote` that stores its level after the read finds the character in the world, and one
/// that stored it before is in what is read here.
pub(super) async fn catch_up_admin_level(player: &Player, name: &str, loaded: u8) {
    match player.context.db.admin_level_of(name).await {
        Ok(Some((_, level))) if level != loaded => {
            player
                .context
                .world
                .set_admin_level(name.to_owned(), level)
                .await;
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, character = name, "the admin level could not be reread");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        assert_eq!(
            parse("$kick Bob").unwrap(),
            ("kick".into(), json!({"name": "Bob"}))
        );
        assert_eq!(
            parse("$MUTE bob 5m").unwrap(),
            ("mute".into(), json!({"name": "bob", "duration": "5m"}))
        );
        assert_eq!(
            parse("$warp bob 2 3 4").unwrap(),
            (
                "warp".into(),
                json!({"name": "bob", "map": 2, "x": 3, "y": 4})
            )
        );
        assert_eq!(
            parse("$announce hello  there").unwrap(),
            ("announce".into(), json!({"message": "hello there"}))
        );
        assert_eq!(parse("$hide").unwrap(), ("hide".into(), json!({})));
        assert_eq!(
            parse("$shutdown 30").unwrap(),
            ("shutdown".into(), json!({"delay_secs": 30}))
        );
        assert_eq!(
            parse("$promote bob 2").unwrap(),
            ("promote".into(), json!({"name": "bob", "level": 2}))
        );
        assert!(parse("$promote bob 300").is_err());
        assert!(parse("$warp bob x 3 4").is_err());
        assert!(parse("$kick").is_err());
        assert!(parse("$save").unwrap_err().contains("Unknown"));
        assert!(parse("$").is_err());
    }
}
