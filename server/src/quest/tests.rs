//! Test-only: compiled under `#[cfg(test)]` (see `quest/mod.rs`).
//!
//! The parser: each construct, each kind of error, and no panic on any input.

use proptest::prelude::*;

use super::*;

const RATS: &str = r#"
// The example of the reference: a guard (vendor 12) and rats (ENF 3).
Main { questname "Rat Problem" version 1 }
state Begin { desc "Talk to the guard"
  action AddNpcText(12, "Rats everywhere! Help?"); action AddNpcInput(12, 1, "Sure."); action AddNpcInput(12, 2, "No.");
  rule InputNpc(1) goto Hunt
  rule InputNpc(2) goto Quit }
state Quit   { action Reset(); }
state Hunt   { desc "Kill 5 rats" action ShowHint("Kill 5 rats"); rule KilledNpcs(3, 5) goto Report }
state Report { desc "Return to the guard" action AddNpcText(12, "Thanks!"); rule TalkedToNpc(12) goto Reward }
state Reward { action GiveExp(200); action GiveItem(1, 500); action End(); }
"#;

fn error_of(text: &str) -> ParseError {
    parse(1, text).unwrap_err()
}

#[test]
fn a_whole_quest() {
    let quest = parse(12, RATS).unwrap();
    assert_eq!(quest.id, 12);
    assert_eq!(quest.name, "Rat Problem");
    assert_eq!(quest.version, 1 << 16);
    assert_eq!(quest.hidden, Hidden::No);
    let names: Vec<&str> = quest.states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["begin", "quit", "hunt", "report", "reward"]);
    let begin = quest.state("BEGIN").unwrap();
    assert_eq!(begin.desc, "Talk to the guard");
    assert_eq!(
        begin.actions[2].action,
        Action::AddNpcInput {
            npc: 12,
            link: 2,
            text: "No.".into()
        }
    );
    assert_eq!(begin.rules[0].rule, Rule::InputNpc(1));
    assert_eq!(begin.rules[0].action, Action::SetState("hunt".into()));
    assert_eq!(
        quest.state("hunt").unwrap().rules[0].rule,
        Rule::KilledNpcs { npc: 3, amount: 5 }
    );
    assert_eq!(
        quest.state("reward").unwrap().actions[1].action,
        Action::GiveItem {
            item: 1,
            amount: 500
        }
    );
}

#[test]
fn a_quest_starts_at_begin_or_else_at_its_first_state() {
    let with_begin = parse(1, "main {} state intro {} state BEGIN {}").unwrap();
    assert_eq!(with_begin.start_state(), "begin");
    let without = parse(1, "main {} state intro {} state later {}").unwrap();
    assert_eq!(without.start_state(), "intro");
}

#[test]
fn keywords_and_names_ignore_case() {
    let quest = parse(
        1,
        r#"MAIN { QUESTNAME "x" VERSION 2.3 HIDDEN_END DISABLED }
           State BeGiN { ACTION giveITEM(5) RULE ALWAYS() GOTO NeXt }
           state NEXT { action character.End() }"#,
    )
    .unwrap();
    assert_eq!(quest.version, (2 << 16) | 3);
    assert_eq!(quest.hidden, Hidden::AtEnd);
    assert!(quest.disabled);
    assert_eq!(
        quest.state("begin").unwrap().rules[0].action,
        Action::SetState("next".into())
    );
    assert_eq!(quest.state("next").unwrap().actions[0].action, Action::End);
}

#[test]
fn if_elseif_else_goal_and_setstate() {
    let quest = parse(
        1,
        r#"main { questname "q" }
           state begin {
             action Roll(6)
             if Rolled(1, 2) ShowHint("low")
             elseif Rolled(3) ShowHint("three")
             elif IsGender(1) ShowHint("he")
             else ShowHint("else")
             rule GotItems(4) SetState("b")
             goal KilledNpcs(2, 3) goto b
           }
           state b { rule Always() End() }"#,
    )
    .unwrap();
    let begin = quest.state("begin").unwrap();
    let whens: Vec<&When> = begin.actions.iter().map(|s| &s.when).collect();
    assert_eq!(
        whens,
        [
            &When::Always,
            &When::If(Rule::Rolled { low: 1, high: 2 }),
            &When::ElseIf(Rule::Rolled { low: 3, high: 3 }),
            &When::ElseIf(Rule::IsGender(1)),
            &When::Else,
        ]
    );
    assert_eq!(begin.goal, Some(1));
    assert_eq!(
        begin.goal_rule().unwrap().rule,
        Rule::KilledNpcs { npc: 2, amount: 3 }
    );
    assert_eq!(begin.rules[0].action, Action::SetState("b".into()));
}

#[test]
fn every_action_and_rule_parses() {
    let actions = [
        "SetState(\"begin\")",
        "Reset()",
        "ResetDaily()",
        "End()",
        "StartQuest(2)",
        "StartQuest(2, \"x\")",
        "ResetQuest(2)",
        "SetQuestState(2, \"y\")",
        "AddNpcText(1, \"t\")",
        "AddNpcInput(1, 2, \"t\")",
        "AddNpcChat(1, \"t\")",
        "ShowHint(\"h\")",
        "Quake()",
        "Quake(9)",
        "QuakeWorld(3)",
        "SetMap(1, 2, 3)",
        "SetCoord(1, 2, 3)",
        "PlaySound(4)",
        "PlayMusic(4)",
        "EffectOnPlayer(5)",
        "EffectOnCoord(5, 6, 7)",
        "GiveExp(100)",
        "GiveItem(1)",
        "RemoveItem(1, \"7\")",
        "SetClass(2)",
        "SetRace(2)",
        "GiveKarma(5)",
        "RemoveKarma(5)",
        "SetTitle(\"t\")",
        "SetFiance(\"f\")",
        "SetPartner(\"p\")",
        "SetHome(\"h\")",
        "SetStat(\"str\", 5)",
        "GiveStat(\"level\", 1)",
        "RemoveStat(\"karma\", 1)",
        "Roll(6)",
    ];
    let rules = [
        "Always()",
        "TalkedToNpc(1)",
        "InputNpc(1)",
        "KilledNpcs(1)",
        "KilledNpcs(1, 2)",
        "KilledPlayers(2)",
        "GotItems(1, 2)",
        "LostItems(1)",
        "UsedItem(1, 2)",
        "EquippedItem(1)",
        "UnequippedItem(1)",
        "IsWearing(1)",
        "GotSpell(1, 2)",
        "LostSpell(1)",
        "UsedSpell(1, 2)",
        "EnterMap(1)",
        "LeaveMap(1)",
        "EnterCoord(1, 2, 3)",
        "LeaveCoord(1, 2, 3)",
        "IsGender(0)",
        "IsClass(1)",
        "IsRace(1)",
        "CitizenOf(\"Mossbrook\")",
        "StatIs(\"level\", 5)",
        "StatNot(\"level\", 5)",
        "StatGreater(\"str\", 5)",
        "StatLess(\"exp\", 5)",
        "StatBetween(\"level\", 1, 5)",
        "StatRpn(\"level 5 >\")",
        "Rolled(1)",
        "Rolled(1, 2)",
        "DoneDaily(1)",
    ];
    let mut text = String::from("main { questname \"all\" } state begin {\n");
    for action in actions {
        text.push_str(&format!("action {action}\n"));
    }
    for rule in rules {
        text.push_str(&format!("rule {rule} goto begin\n"));
    }
    text.push_str("} state x {} state y {}");
    let quest = parse(1, &text).unwrap();
    let begin = quest.state("begin").unwrap();
    assert_eq!(begin.actions.len(), actions.len());
    assert_eq!(begin.rules.len(), rules.len());
    assert_eq!(begin.actions[13].action, Action::Quake(8));
    assert_eq!(begin.actions[12].action, Action::Quake(5));
}

#[test]
fn errors_name_the_line_and_what_was_expected() {
    let cases: [(&str, u32, &str); 14] = [
        ("state begin {}", 1, "a Main block"),
        ("main { questname \"a\" }\nmain {}", 2, "one Main block"),
        ("main { questname 5 }", 1, "the quest's name"),
        ("main { bogus }", 1, "questname, version"),
        (
            "main {}\nstate begin {\n action Fly(1)\n}",
            3,
            "an action EO+ knows; 'fly'",
        ),
        (
            "main {}\nstate begin {\n rule Flew(1) goto begin }",
            3,
            "a rule EO+ knows",
        ),
        (
            "main {}\nstate begin { action GiveItem() }",
            2,
            "1 to 2 argument(s); found 0",
        ),
        (
            "main {}\nstate begin { action GiveItem(70000) }",
            2,
            "between 0 and 65535",
        ),
        (
            "main {}\nstate begin { action GiveItem(\"x\") }",
            2,
            "a number as argument 1",
        ),
        (
            "main {}\nstate begin {\n\n rule Always() goto nowhere }",
            4,
            "'nowhere' is none",
        ),
        (
            "main {}\nstate begin {}\nstate BEGIN {}",
            3,
            "defined twice",
        ),
        (
            "main {}\nstate begin { else End() }",
            2,
            "'else' after an 'if'",
        ),
        (
            "main {}\nstate begin { action End(",
            2,
            "an argument of 'end'",
        ),
        (
            "main {}\nstate begin {\n action SetStat(\"luck\", 1) }",
            3,
            "a stat name",
        ),
    ];
    for (text, line, expected) in cases {
        let error = error_of(text);
        assert_eq!(error.line, line, "{text}: {error}");
        assert!(
            error.expected.contains(expected),
            "{text}: {error} lacks {expected}"
        );
    }
}

#[test]
fn the_loader_skips_a_bad_file_and_keeps_the_others() {
    let dir = tempfile::TempDir::new().unwrap();
    let quests = dir.path().join(QUEST_DIR);
    std::fs::create_dir(&quests).unwrap();
    std::fs::write(quests.join("00012.eqf"), RATS).unwrap();
    std::fs::write(
        quests.join("00013.eqf"),
        "main {}\nstate begin { action Fly() }",
    )
    .unwrap();
    std::fs::write(quests.join("notes.txt"), "not a quest").unwrap();
    std::fs::write(quests.join("rats.eqf"), RATS).unwrap();
    let (loaded, errors) = Quests::load(dir.path());
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded.get(12).unwrap().name, "Rat Problem");
    assert_eq!(errors.len(), 2);
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        shown[0].contains("00013.eqf: line 2: expected an action"),
        "{shown:?}"
    );
    assert!(shown[1].contains("rats.eqf"), "{shown:?}");
    // No folder: no quests and no error.
    let empty = tempfile::TempDir::new().unwrap();
    let (none, errors) = Quests::load(empty.path());
    assert!(none.is_empty() && errors.is_empty());
}

/// Quest files written by others, when a copy is at hand (EOQUESTS_DIR: a folder of `.eqf`
/// files, e.g. the official quests or EOSERV's data/quests): every one parses.
#[test]
fn quest_files_written_by_others_parse() {
    let Some(dir) = std::env::var_os("EOQUESTS_DIR") else {
        return;
    };
    let mut parsed = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case("eqf"))
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        if let Err(error) = parse(1, &text) {
            panic!("{}: {error}", path.display());
        }
        parsed += 1;
    }
    assert!(parsed > 0, "no .eqf files in EOQUESTS_DIR");
}

proptest! {
    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        let _ = parse(1, &text);
    }

    #[test]
    fn never_panics_on_quest_like_text(
        words in proptest::collection::vec(
            prop_oneof![
                Just("main".to_owned()), Just("state".to_owned()), Just("{".to_owned()),
                Just("}".to_owned()), Just("(".to_owned()), Just(")".to_owned()),
                Just(",".to_owned()), Just(";".to_owned()), Just(".".to_owned()),
                Just("goto".to_owned()), Just("rule".to_owned()), Just("action".to_owned()),
                Just("if".to_owned()), Just("else".to_owned()), Just("elseif".to_owned()),
                Just("goal".to_owned()), Just("desc".to_owned()), Just("questname".to_owned()),
                Just("version".to_owned()), Just("\"s\"".to_owned()), Just("\"".to_owned()),
                Just("begin".to_owned()), Just("GiveItem".to_owned()), Just("Always".to_owned()),
                Just("StatRpn".to_owned()), Just("\"level 1 >\"".to_owned()), Just("\"+\"".to_owned()),
                Just("99999999999".to_owned()), Just("0".to_owned()), Just("//".to_owned()),
                Just("\n".to_owned()), Just("character".to_owned()), Just("-".to_owned()),
            ],
            0..60,
        )
    ) {
        let _ = parse(1, &words.join(" "));
    }
}

/// The bundled world's quests (fixtures/world/quests) all load.
#[test]
fn the_bundled_quests_load() {
    let world = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    let (quests, errors) = Quests::load(&world);
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = quests.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Hopper Trouble",
            "The Apothecary's Errand",
            "Courier Rounds"
        ]
    );
}
