//! In-game `$` commands: a public chat line starting with `$` is never said aloud; it is
//! parsed into an admin command ([`eo_control::parse_dollar`], the same definition as
//! `eo-admin`'s subcommands, with the aliases operators type) and run through the same
//! [`Admin::run`] as the control socket, with the character as its source; `run` decides
//! whether the character may (its admin level as stored, so a demotion holds from the next
//! line on). The answer goes to the giver alone (Talk_Server).

use std::sync::Weak;

use eo_control::{Command, parse_dollar};
use eo_protocol::net::server::TalkServerServerPacket;
use serde_json::Value;

use crate::control::{Admin, CommandError, ErrorCode, Source};
use crate::net::packet;
use crate::player::PlayerHandle;
use crate::player::actor::{Disconnect, Player, State};

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
        "kick" | "skick" => format!("Kicked {}.", names("kicked")),
        "ban" | "sban" => format!("Banned account {}.", text("account")),
        "unban" => format!("Lifted {} ban(s).", text("removed")),
        "mute" | "smute" => format!(
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
        "jail" | "sjail" => format!("{} is in jail.", text("name")),
        "unjail" => format!("{} is free.", text("name")),
        "freeze" => format!("{} is frozen.", text("name")),
        "unfreeze" => format!("{} can walk again.", text("name")),
        "sitem" => format!(
            "{} {} into {}'s inventory.",
            text("amount"),
            text("item_name"),
            text("name")
        ),
        "ditem" => format!(
            "{} {} dropped at {},{}.",
            text("amount"),
            text("item_name"),
            text("x"),
            text("y")
        ),
        "quake" => format!(
            "Map {} quakes (strength {}).",
            text("map"),
            text("strength")
        ),
        "strip" => format!(
            "Took {} item(s) off {} ({} still worn).",
            text("removed"),
            text("name"),
            text("still_worn")
        ),
        "learn" => format!(
            "{} knows spell {} at level {}.",
            text("name"),
            text("spell"),
            text("level")
        ),
        "set" => format!(
            "{}'s {} is now {}.",
            text("name"),
            text("field"),
            text("value")
        ),
        "snpc" => format!(
            "{} of NPC {} around {},{}.",
            text("amount"),
            text("npc"),
            text("x"),
            text("y")
        ),
        "dnpc" => format!(
            "Removed {} summoned NPC(s) from map {}.",
            text("removed"),
            text("map")
        ),
        "evacuate" => format!(
            "Map {} is evacuated in {} seconds.",
            text("map"),
            text("secs")
        ),
        "inventory" => {
            let items: Vec<String> = listed(result, "items")
                .map(|i| format!("{} {}", text_of(i, "amount"), text_of(i, "name")))
                .collect();
            format!("{} carries: {}.", text("name"), or_nothing(&items))
        }
        "paperdoll" => {
            let worn: Vec<String> = listed(result, "equipment")
                .map(|i| format!("{} ({})", text_of(i, "name"), text_of(i, "slot")))
                .collect();
            format!("{} wears: {}.", text("name"), or_nothing(&worn))
        }
        "uptime" => format!("The server has been up for {}.", text("uptime")),
        "request" => "Your request was sent to the admins in the game.".into(),
        "remap" if result.get("changed") == Some(&Value::Bool(false)) => {
            format!("Map {}'s file has not changed.", text("map"))
        }
        "remap" => format!(
            "Map {} reloaded: {} player(s) sent the new file, {} moved.",
            text("map"),
            text("players"),
            result
                .get("moved")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        ),
        "repub" => format!(
            "Pub files reloaded ({} changed); {} player(s) told.",
            or_nothing(
                &listed(result, "changed")
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            ),
            text("told")
        ),
        _ => result.to_string(),
    }
}

/// The objects of the list `key` of a result.
fn listed<'a>(result: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    result
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A field of a listed object, as text.
fn text_of(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The entries joined with commas, or "nothing".
fn or_nothing(entries: &[String]) -> String {
    if entries.is_empty() {
        "nothing".to_owned()
    } else {
        entries.join(", ")
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
    let command: Command = match parse_dollar(text) {
        Ok(command) => command,
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
        let name = command.name();
        let answer = match admin.run(&source, command).await {
            Ok(result) => describe(name, &result),
            // A refusal is a sentence of its own ("You may not use $kick.").
            Err(CommandError {
                code: ErrorCode::Forbidden,
                message,
            }) => message,
            Err(CommandError { message, .. }) => format!("${name} failed: {message}"),
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
