//! Quest progress in an import, checked against the quest files loaded here (the operator
//! brings the other server's `quests/` along). EOSERV keeps a quest's state by name, as this
//! server does; reoserv keeps its position in the file, which only the file can turn into a
//! name, so the progress of a quest whose file is not here cannot be read at all. A quest or
//! state this server does not have is an unknown id, refused or left out as `unknown_ids`
//! says.

use serde::Deserialize;

use crate::db::QuestProgress;
use crate::quest::Quests;
use crate::quest::ast::{Action, DONE, END, When};

/// One quest's progress as the other server kept it (the counters' keys already in this
/// server's form: `npc/ID`, `item/ID`, `spell/ID`, `players`).
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(deny_unknown_fields, default)]
pub(super) struct ImportQuest {
    quest_id: u16,
    /// The state by name (EOSERV).
    state: Option<String>,
    /// The state by its position among the file's states (reoserv).
    state_index: Option<u32>,
    /// The other server marked the quest finished (reoserv's `done_at`): a state whose
    /// actions `End()` it is this server's `end`.
    finished: bool,
    counters: Vec<(String, u32)>,
    roll: u32,
    daily_day: u32,
    daily_count: u32,
    completions: u32,
}

/// Whether `key` is a counter this server's quest engine keeps.
fn known_counter(key: &str) -> bool {
    if key == "players" {
        return true;
    }
    key.split_once('/').is_some_and(|(kind, id)| {
        matches!(kind, "npc" | "item" | "spell") && id.parse::<u16>().is_ok()
    })
}

/// The progress that can come: quests or states not here go to `unknown`, and what was
/// changed on the way to `notes`.
pub(super) fn checked_quests(
    quests: &Quests,
    list: &[ImportQuest],
    unknown: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<Vec<QuestProgress>, String> {
    let mut out: Vec<QuestProgress> = Vec::with_capacity(list.len());
    for given in list {
        let id = given.quest_id;
        if out.iter().any(|kept| kept.quest_id == id) {
            notes.push(format!("quest {id} was listed twice; the first is kept"));
            continue;
        }
        let Some(quest) = quests.get(id) else {
            unknown.push(format!("quest {id}"));
            continue;
        };
        let state = match (&given.state, given.state_index) {
            (Some(name), _) => {
                let name = name.trim().to_ascii_lowercase();
                if name == END || name == DONE {
                    Some(name)
                } else {
                    quest.state(&name).map(|s| s.name.clone())
                }
            }
            (None, Some(index)) => usize::try_from(index)
                .ok()
                .and_then(|i| quest.states.get(i))
                .map(|s| {
                    let ends = s
                        .actions
                        .iter()
                        .any(|step| step.when == When::Always && step.action == Action::End);
                    if given.finished && ends {
                        END.to_owned()
                    } else {
                        s.name.clone()
                    }
                }),
            (None, None) => return Err(format!("quest {id}: its state is not given")),
        };
        let Some(state) = state else {
            let which = match (&given.state, given.state_index) {
                (Some(name), _) => format!("{name:?}"),
                (None, index) => format!("number {}", index.unwrap_or_default()),
            };
            unknown.push(format!("quest {id} state {which}"));
            continue;
        };
        let mut counters = Vec::with_capacity(given.counters.len());
        for (key, count) in &given.counters {
            if known_counter(key) {
                counters.push((key.clone(), *count));
            } else {
                notes.push(format!(
                    "quest {id}: the counter {key:?} means nothing here and is left out"
                ));
            }
        }
        out.push(QuestProgress {
            quest_id: id,
            state: state.clone(),
            counters,
            roll: given.roll,
            daily_day: given.daily_day,
            daily_count: given.daily_count,
            // A finished quest was finished at least once (reoserv counts daily runs only).
            completions: if state == END {
                given.completions.max(1)
            } else {
                given.completions
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Quests {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
        let (quests, errors) = Quests::load(&dir);
        assert!(errors.is_empty(), "{errors:?}");
        quests
    }

    fn quest(id: u16) -> ImportQuest {
        ImportQuest {
            quest_id: id,
            ..ImportQuest::default()
        }
    }

    #[test]
    fn states_by_name_and_by_position() {
        let quests = bundled();
        let (mut unknown, mut notes) = (Vec::new(), Vec::new());
        let list = [
            ImportQuest {
                state: Some("Hunt".into()),
                counters: vec![("npc/4".into(), 2), ("killednpcs/4".into(), 2)],
                ..quest(1)
            },
            // The third state of quest 2 (Begin, Why, Declined).
            ImportQuest {
                state_index: Some(2),
                ..quest(2)
            },
        ];
        let kept = checked_quests(&quests, &list, &mut unknown, &mut notes).unwrap();
        assert_eq!(unknown, Vec::<String>::new());
        let states: Vec<(u16, &str)> = kept
            .iter()
            .map(|q| (q.quest_id, q.state.as_str()))
            .collect();
        assert_eq!(states[0], (1, "hunt"));
        assert_eq!(states[1], (2, "declined"));
        assert_eq!(kept[0].counters, vec![("npc/4".to_owned(), 2)]);
        assert_eq!(notes.len(), 1, "{notes:?}");

        let ended = [ImportQuest {
            state_index: Some(4),
            finished: true,
            ..quest(1)
        }];
        let kept = checked_quests(&quests, &ended, &mut unknown, &mut notes).unwrap();
        assert_eq!(kept[0].state, END);
    }

    #[test]
    fn quests_and_states_not_here_are_unknown() {
        let quests = bundled();
        let (mut unknown, mut notes) = (Vec::new(), Vec::new());
        let list = [
            ImportQuest {
                state: Some("begin".into()),
                ..quest(60)
            },
            ImportQuest {
                state: Some("Nowhere".into()),
                ..quest(1)
            },
            ImportQuest {
                state_index: Some(99),
                ..quest(2)
            },
            ImportQuest {
                state: Some("end".into()),
                ..quest(3)
            },
        ];
        let kept = checked_quests(&quests, &list, &mut unknown, &mut notes).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].state, END);
        assert_eq!(
            unknown,
            [
                "quest 60",
                "quest 1 state \"Nowhere\"",
                "quest 2 state number 99"
            ]
        );
        assert!(checked_quests(&quests, &[quest(1)], &mut unknown, &mut notes).is_err());
    }
}
