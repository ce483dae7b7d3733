//! The server's replies in words and tables, for a person at a terminal (`--json` prints the
//! result as it came instead).

use serde_json::Value;

pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
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
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
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

fn time_cell(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_i64)
        .map_or_else(|| "-".into(), eo_control::utc_date_time)
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
pub(crate) fn human(command: &str, result: &Value) -> String {
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
        "kick" | "skick" => format!("kicked {}\n", names(result.get("kicked"))),
        "ban" | "sban" => {
            let target = match result.get("account").and_then(Value::as_str) {
                Some(account) => format!("account {account}"),
                None => format!("address {}", get("ip")),
            };
            let until = match result.get("expires_at").and_then(Value::as_i64) {
                Some(at) => format!("until {} UTC", eo_control::utc_date_time(at)),
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
                            Some(at) => eo_control::utc_date_time(at),
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
        "mute" | "smute" => format!("{} is muted for {} s\n", get("name"), get("duration_secs")),
        "warp" | "warptome" | "warpmeto" => format!(
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
        "jail" | "sjail" => format!(
            "{} is jailed on map {} at {},{}{}\n",
            get("name"),
            get("map"),
            get("x"),
            get("y"),
            if result.get("online") == Some(&Value::Bool(true)) {
                ""
            } else {
                " (from its next login)"
            }
        ),
        "unjail" => format!(
            "{} is free: to map {} at {},{}{}\n",
            get("name"),
            get("map"),
            get("x"),
            get("y"),
            if result.get("online") == Some(&Value::Bool(true)) {
                ""
            } else {
                " (at its next login)"
            }
        ),
        "strip" => format!(
            "took {} item(s) off {} ({} still worn)\n",
            get("removed"),
            get("name"),
            get("still_worn")
        ),
        "learn" => format!(
            "{} knows spell {} at level {}\n",
            get("name"),
            get("spell"),
            get("level")
        ),
        "set" => format!(
            "{}'s {} is now {}{}\n",
            get("name"),
            get("field"),
            get("value"),
            if result.get("online") == Some(&Value::Bool(false)) {
                " (not in the game: written to the database)"
            } else {
                ""
            }
        ),
        "qstate" => format!(
            "{}'s quest {} ({}) is in state {}\n",
            get("name"),
            get("quest"),
            get("quest_name"),
            get("state")
        ),
        "dress" | "dress2" | "undress" => format!(
            "{} now shows {} cosmetic slot(s)\n",
            get("name"),
            get("dressed")
        ),
        "duty" => format!(
            "{} switched to {} ({})\n",
            get("name"),
            get("now"),
            if result.get("on_duty") == Some(&Value::Bool(true)) {
                "on duty"
            } else {
                "off duty"
            }
        ),
        "arena" => format!(
            "the arena of map {} launched: {} player(s) went in\n",
            get("map"),
            get("launched")
        ),
        "board" => format!("board {} opened for {}\n", get("board"), get("name")),
        "snpc" => format!(
            "{} of NPC {} on map {} around {},{} (indexes {})\n",
            get("amount"),
            get("npc"),
            get("map"),
            get("x"),
            get("y"),
            get("indexes")
        ),
        "dnpc" => format!(
            "removed {} summoned NPC(s) from map {}\n",
            get("removed"),
            get("map")
        ),
        "evacuate" => format!(
            "map {} is evacuated in {} s ({} player(s) on it now)\n",
            get("map"),
            get("secs"),
            get("players")
        ),
        "inventory" | "paperdoll" => {
            let (key, what) = if command == "inventory" {
                ("items", "amount")
            } else {
                ("equipment", "slot")
            };
            let rows: Vec<Vec<String>> = list(result, key)
                .iter()
                .map(|i| vec![cell(i.get("item")), cell(i.get("name")), cell(i.get(what))])
                .collect();
            if rows.is_empty() {
                return format!("{} has nothing\n", get("name"));
            }
            table(&["ITEM", "NAME", &what.to_uppercase()], &rows)
        }
        "freeze" => format!("{} is frozen\n", get("name")),
        "unfreeze" => format!("{} can walk again\n", get("name")),
        "sitem" => format!(
            "{} x {} ({}) put into {}'s inventory\n",
            get("amount"),
            get("item_name"),
            get("item"),
            get("name")
        ),
        "ditem" => format!(
            "{} x {} ({}) dropped on map {} at {},{}\n",
            get("amount"),
            get("item_name"),
            get("item"),
            get("map"),
            get("x"),
            get("y")
        ),
        "quake" => format!(
            "map {} quakes (strength {}, {} player(s))\n",
            get("map"),
            get("strength"),
            get("players")
        ),
        "uptime" => format!(
            "up {} (since {} UTC)\n",
            get("uptime"),
            time_cell(result.get("started_at"))
        ),
        "request" => format!("sent to the admins in the game: {}\n", get("message")),
        "info" => format!(
            "{} (account {}): map {} at {},{}, level {}, admin level {}\n",
            get("name"),
            get("account"),
            get("map"),
            get("x"),
            get("y"),
            get("level"),
            get("admin_level")
        ),
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
        "remap" if result.get("changed") == Some(&Value::Bool(false)) => {
            format!("map {}: the file has not changed\n", get("map"))
        }
        "remap" => {
            let mut text = format!(
                "map {} reloaded ({} bytes): {} player(s) sent the new file; NPCs replaced: {}; \
                 items removed from blocked tiles: {}\n",
                get("map"),
                get("size"),
                get("players"),
                get("npcs_replaced"),
                get("items_removed")
            );
            for moved in list(result, "moved") {
                text.push_str(&format!(
                    "moved off a blocked tile: {} to {},{}\n",
                    cell(moved.get("name")),
                    cell(moved.get("x")),
                    cell(moved.get("y"))
                ));
            }
            if let Some(note) = result.get("note") {
                text.push_str(&format!("note: {}\n", cell(Some(note))));
            }
            text
        }
        "repub" => {
            let changed: Vec<String> = list(result, "changed")
                .iter()
                .map(|c| cell(Some(c)))
                .collect();
            format!(
                "pub files reloaded: {} items, {} NPCs, {} spells, {} classes; changed: {}; \
                 {} player(s) told to log in again; {} NPC(s) gone\n",
                get("items"),
                get("npcs"),
                get("spells"),
                get("classes"),
                if changed.is_empty() {
                    "nothing".to_owned()
                } else {
                    changed.join(", ")
                },
                get("told"),
                get("npcs_gone")
            )
        }
        "reload-quests" => {
            let mut text = format!("{} quests loaded\n", get("quests"));
            for error in list(result, "errors") {
                text.push_str(&format!("not loaded: {}\n", cell(Some(error))));
            }
            text
        }
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
}
