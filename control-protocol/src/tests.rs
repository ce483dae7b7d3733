use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// The socket's request of a command: `{"command", "args"}`.
fn request(command: &Command) -> Value {
    serde_json::to_value(command).unwrap()
}

fn from_request(value: Value) -> Result<Command, String> {
    serde_json::from_value(value).map_err(|e| e.to_string())
}

#[test]
fn the_command_line_is_well_formed() {
    use clap::CommandFactory;
    OneCommand::command().debug_assert();
}

#[test]
fn names_are_the_serde_names() {
    use clap::CommandFactory;
    let clap_names: Vec<String> = OneCommand::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    assert_eq!(clap_names, Command::NAMES);
    for name in Command::NAMES {
        // Every name reads back as the command of that name (with its arguments or without).
        let parsed = parse_dollar(&format!("${name}"));
        if let Ok(command) = parsed {
            assert_eq!(command.name(), *name);
            assert_eq!(request(&command)["command"], *name);
        }
    }
}

#[test]
fn dollar_lines_parse_with_aliases() {
    assert_eq!(
        request(&parse_dollar("$kick Bob").unwrap()),
        json!({"command": "kick", "args": {"name": "Bob"}})
    );
    assert_eq!(
        parse_dollar("$K Bob").unwrap(),
        parse_dollar("$kick Bob").unwrap()
    );
    assert_eq!(
        request(&parse_dollar("$MUTE bob 5m").unwrap()),
        json!({"command": "mute", "args": {"name": "bob", "duration": "5m"}})
    );
    assert_eq!(
        request(&parse_dollar("$warp bob 2 3 4").unwrap()),
        json!({"command": "warp", "args": {"name": "bob", "map": 2, "x": 3, "y": 4}})
    );
    assert_eq!(
        request(&parse_dollar("$announce hello  there").unwrap()),
        json!({"command": "announce", "args": {"message": "hello there"}})
    );
    assert_eq!(
        request(&parse_dollar("$hide").unwrap()),
        json!({"command": "hide", "args": {}})
    );
    assert_eq!(
        request(&parse_dollar("$shutdown 30").unwrap()),
        json!({"command": "shutdown", "args": {"delay_secs": 30}})
    );
    assert_eq!(
        request(&parse_dollar("$free bob").unwrap()),
        json!({"command": "unjail", "args": {"name": "bob"}})
    );
    assert_eq!(
        request(&parse_dollar("$si 5 10").unwrap()),
        json!({"command": "sitem", "args": {"item": 5, "amount": 10}})
    );
    assert!(parse_dollar("$promote bob 300").is_err());
    assert_eq!(
        request(&parse_dollar("$setlevel bob 10").unwrap()),
        json!({"command": "set", "args": {"name": "bob", "field": "level", "value": 10}})
    );
    assert_eq!(
        parse_dollar("$SetStr bob 3").unwrap(),
        parse_dollar("$set bob str 3").unwrap()
    );
    assert_eq!(
        parse_dollar("$setadmin bob 2").unwrap(),
        parse_dollar("$promote bob 2").unwrap()
    );
    assert!(parse_dollar("$setlevel").is_err());
    assert!(parse_dollar("$set bob height 3").is_err());
    assert!(
        parse_dollar("$warp bob x 3 4")
            .unwrap_err()
            .contains("Usage: $warp")
    );
    let kick = parse_dollar("$kick").unwrap_err();
    assert!(
        kick.contains("<NAME>") && kick.contains("Usage: $kick"),
        "{kick}"
    );
    assert_eq!(
        parse_dollar("$frobnicate").unwrap_err(),
        "Unknown command $frobnicate."
    );
    assert!(parse_dollar("$").is_err());
    assert!(
        parse_dollar("$help")
            .unwrap_err()
            .starts_with("Commands: $status")
    );
    assert!(
        parse_dollar("$ban --help")
            .unwrap_err()
            .starts_with("Usage: $ban"),
        "{}",
        parse_dollar("$ban --help").unwrap_err()
    );
}

#[test]
fn command_line_spellings_fold_into_one_request() {
    let parse = |line: &str| parse_dollar(line).map(|c| request(&c)["args"].clone());
    assert_eq!(
        parse("ban --ip 1.2.3.4 1h").unwrap(),
        json!({"ip": "1.2.3.4", "duration": "1h"})
    );
    assert_eq!(parse("ban alice").unwrap(), json!({"name": "alice"}));
    assert_eq!(
        parse("ban alice 90").unwrap(),
        json!({"name": "alice", "duration": 90})
    );
    assert_eq!(
        parse("ban alice --duration 2h").unwrap(),
        json!({"name": "alice", "duration": "2h"})
    );
    assert!(parse("ban --ip 1.2.3.4 a b").is_err());
    assert!(parse("ban alice 1h --duration 2h").is_err());
    assert!(parse("ban").is_err());
    assert_eq!(
        parse("mute bob --duration 0").unwrap(),
        json!({"name": "bob", "duration": 0})
    );
    // A --message takes one word; more are TEXT, which conflicts with it.
    assert!(parse("shutdown --delay 5 --message bye now").is_err());
    assert_eq!(
        parse("shutdown 5 going down").unwrap(),
        json!({"delay_secs": 5, "message": "going down"})
    );
    assert_eq!(
        parse("shutdown --delay 5 --message bye").unwrap(),
        json!({"delay_secs": 5, "message": "bye"})
    );
    assert_eq!(parse("audit --limit 3").unwrap(), json!({"limit": 3}));
    assert_eq!(parse("audit 4").unwrap(), json!({"limit": 4}));
}

#[test]
fn requests_read_as_before() {
    // The shapes docs/admin-protocol.md documents, and the older eo-admin's nulls.
    let kick =
        from_request(json!({"command": "kick", "args": {"name": "a", "reason": null}})).unwrap();
    assert_eq!(
        kick,
        Command::Kick(KickArgs {
            name: "a".into(),
            reason: None
        })
    );
    let ban = from_request(json!({"command": "ban", "args": {"name": null, "ip": "1.2.3.4", "duration": "1h", "reason": null}})).unwrap();
    let Command::Ban(ban) = ban else { panic!() };
    assert_eq!(ban.duration, Some(DurationArg::Text("1h".into())));
    assert!(from_request(json!({"command": "status", "args": {}})).is_ok());
    assert!(from_request(json!({"command": "status", "args": {"x": 1}})).is_err());
    assert!(
        from_request(json!({"command": "shutdown", "args": {"delay_secs": 3, "message": null}}))
            .is_ok()
    );
    let announce =
        from_request(json!({"command": "announce", "args": {"message": "hi there"}})).unwrap();
    assert_eq!(request(&announce)["args"], json!({"message": "hi there"}));
}

proptest! {
    #[test]
    fn no_dollar_line_panics(line in ".{0,80}") {
        let _ = parse_dollar(&line);
    }

    #[test]
    fn no_dollar_words_panic(words in prop::collection::vec("(\\$?[a-z]{1,9}|-{0,2}[a-z0-9]{0,6}|[0-9]{1,25})", 0..6)) {
        let line = format!("${}", words.join(" "));
        if let Ok(command) = parse_dollar(&line) {
            // What parses is a request the socket reads back as the same command.
            prop_assert_eq!(from_request(request(&command)).unwrap(), command);
        }
    }
}

#[test]
fn remap_and_repub_parse() {
    let parse = |line: &str| parse_dollar(line).map(|c| request(&c));
    assert_eq!(
        parse("$remap").unwrap(),
        json!({"command": "remap", "args": {}})
    );
    assert_eq!(
        parse("$REMAP 5").unwrap(),
        json!({"command": "remap", "args": {"map": 5}})
    );
    assert!(parse("$remap x").unwrap_err().starts_with("Usage: $remap"));
    assert!(parse("$remap 70000").is_err());
    assert_eq!(
        parse("$repub").unwrap(),
        json!({"command": "repub", "args": {}})
    );
    // EOSERV's word and the flag are one request.
    assert_eq!(
        parse("$repub announce").unwrap(),
        json!({"command": "repub", "args": {"announce": true}})
    );
    assert_eq!(
        parse("$repub --announce").unwrap(),
        parse("$repub announce").unwrap()
    );
    assert!(parse("$repub loudly").is_err());
    assert!(parse("$repub announce --announce").is_err());
    assert_eq!(
        from_request(json!({"command": "repub", "args": {"announce": true}})).unwrap(),
        parse_dollar("$repub announce").unwrap()
    );
    assert!(from_request(json!({"command": "remap", "args": {"map": "x"}})).is_err());
}
