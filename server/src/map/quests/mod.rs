//! The EO+ quest engine, run by the map that owns the character (so a quest's items, experience
//! and state change in the same step and are saved together by the map's save path).
//!
//! A character's progress is a list of [`QuestProgress`] in its game state, one per quest it
//! started, its state kept by NAME. Things that happen to the character are
//! [`QuestEvent`]s (a talk, a dialog link, a kill, an item used, put on or taken off); each goes
//! to the quests in progress, whose current state's first rule waiting for it runs its action.
//! After every map step that touched the character, the rules that test its state (items held,
//! where it stands, stats, ...) are checked ([`MapActor::quests_check`]): the first that holds
//! runs its action. Entering a state runs its actions in order (with `if`/`elseif`/`else`),
//! then checks its rules.
//!
//! - quest/ (the crate's) parses the files; docs/quests.md is the operator's guide.
//! - map/quests/actions.rs: what each action does; rules.rs: what each rule tests;
//!   dialog.rs: Quest_Use, Quest_Accept, Quest_List and the book's list.

mod actions;
mod dialog;
mod rules;
mod watch;

use std::sync::Arc;

pub use dialog::finished_quest_names;

use super::actor::MapActor;
use crate::db::QuestProgress;
use crate::quest::ast::{BEGIN, DONE, END};
use crate::quest::{Quest, Quests, Rule, When};

/// How many states one event may pass through (a quest whose states send each other back and
/// forth would otherwise never end); EOSERV stops at the same depth.
const MAX_STEPS: u32 = 100;

/// What happened to a character that a quest rule may wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::map) enum QuestEvent {
    /// The dialog of quest `quest` at the NPC with vendor id `vendor` answered with Ok.
    Talked {
        quest: u16,
        vendor: u16,
    },
    /// A link of quest `quest`'s dialog chosen.
    Input {
        quest: u16,
        link: u8,
    },
    /// It killed an NPC (its ENF id).
    KilledNpc(u16),
    KilledPlayer,
    UsedItem(u16),
    /// A spell cast that did something.
    UsedSpell(u16),
    Equipped(u16),
    Unequipped(u16),
}

impl QuestEvent {
    /// The quest it is for, when it is for one.
    fn quest(self) -> Option<u16> {
        match self {
            QuestEvent::Talked { quest, .. } | QuestEvent::Input { quest, .. } => Some(quest),
            _ => None,
        }
    }

    /// The counter it adds to, when a rule of the state counts it.
    fn counter(self) -> Option<String> {
        match self {
            QuestEvent::KilledNpc(npc) => Some(format!("npc/{npc}")),
            QuestEvent::KilledPlayer => Some("players".to_owned()),
            QuestEvent::UsedItem(item) => Some(format!("item/{item}")),
            QuestEvent::UsedSpell(spell) => Some(format!("spell/{spell}")),
            _ => None,
        }
    }

    /// Whether `rule` counts this event (then the state's counter goes up).
    fn counted_by(self, rule: &Rule) -> bool {
        match (self, rule) {
            (QuestEvent::KilledNpc(id), Rule::KilledNpcs { npc, .. }) => id == *npc,
            (QuestEvent::KilledPlayer, Rule::KilledPlayers(_)) => true,
            (QuestEvent::UsedItem(id), Rule::UsedItem { item, .. }) => id == *item,
            (QuestEvent::UsedSpell(id), Rule::UsedSpell { spell, .. }) => id == *spell,
            _ => false,
        }
    }

    /// Whether `rule` holds as this event happens, the state's counter being `count`.
    fn fires(self, rule: &Rule, count: u32) -> bool {
        match (self, rule) {
            (QuestEvent::Talked { vendor, .. }, Rule::TalkedToNpc(npc)) => vendor == *npc,
            (QuestEvent::Input { link, .. }, Rule::InputNpc(wanted)) => link == *wanted,
            (QuestEvent::KilledNpc(id), Rule::KilledNpcs { npc, amount }) => {
                id == *npc && count >= *amount
            }
            (QuestEvent::KilledPlayer, Rule::KilledPlayers(amount)) => count >= *amount,
            (QuestEvent::UsedItem(id), Rule::UsedItem { item, amount }) => {
                id == *item && count >= *amount
            }
            (QuestEvent::UsedSpell(id), Rule::UsedSpell { spell, amount }) => {
                id == *spell && count >= *amount
            }
            (QuestEvent::Equipped(id), Rule::EquippedItem(item)) => id == *item,
            (QuestEvent::Unequipped(id), Rule::UnequippedItem(item)) => id == *item,
            _ => false,
        }
    }
}

/// Today, as quests count days: days since 1970 (UTC).
fn today() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs / 86_400).unwrap_or(u32::MAX)
}

/// The progress of quest `id` in `quests`.
fn progress_of(quests: &[QuestProgress], id: u16) -> Option<&QuestProgress> {
    quests.iter().find(|p| p.quest_id == id)
}

/// Whether a quest in `state` is running (not finished, not resting between daily runs).
fn running(state: &str) -> bool {
    state != END && state != DONE
}

/// How many state changes one event still may make.
struct Budget(u32);

impl Budget {
    fn spend(&mut self, player_id: u16, quest: &Quest) -> bool {
        if self.0 == 0 {
            tracing::error!(
                quest = quest.id,
                player_id,
                "a quest changed state {MAX_STEPS} times in one step (a loop in its file?); stopped"
            );
            return false;
        }
        self.0 -= 1;
        true
    }
}

impl MapActor {
    /// The character's quest progress (empty if it is not here).
    fn progress(&self, player_id: u16) -> &[QuestProgress] {
        self.characters
            .get(&player_id)
            .map_or(&[], |me| me.game.state().quests.as_slice())
    }

    /// Changes the character's progress in quest `id` (made if missing).
    fn with_progress<T>(
        &mut self,
        player_id: u16,
        id: u16,
        change: impl FnOnce(&mut QuestProgress) -> T,
    ) -> Option<T> {
        let quests = self.characters.get_mut(&player_id)?.game.quests_mut();
        let index = match quests.iter().position(|p| p.quest_id == id) {
            Some(index) => index,
            None => {
                quests.push(QuestProgress {
                    quest_id: id,
                    state: BEGIN.to_owned(),
                    ..QuestProgress::default()
                });
                quests.len() - 1
            }
        };
        quests.get_mut(index).map(change)
    }

    /// Forgets the character's progress in quest `id`.
    fn forget_quest(&mut self, player_id: u16, id: u16) {
        if let Some(me) = self.characters.get_mut(&player_id) {
            me.game.quests_mut().retain(|p| p.quest_id != id);
        }
    }

    /// The quests the character has in progress now: `(quest, its state's name)`, in the order
    /// it started them, only those whose file is loaded, enabled, and whose state exists.
    fn running_quests(&self, player_id: u16, quests: &Quests) -> Vec<(Arc<Quest>, String)> {
        self.progress(player_id)
            .iter()
            .filter(|p| running(&p.state))
            .filter_map(|p| {
                let quest = quests.get(p.quest_id)?;
                (!quest.disabled && quest.state(&p.state).is_some())
                    .then(|| (Arc::clone(quest), p.state.clone()))
            })
            .collect()
    }

    /// Puts each quest the character is in back on its feet after its file changed (edited,
    /// reloaded): a state no longer in the file becomes its start (`begin`), with a log line. Progress in a
    /// quest whose file is gone is kept as it is, for when the file is back.
    fn settle_quests(&mut self, player_id: u16, quests: &Quests) {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let name = me.info.name.clone();
        for progress in me.game.quests_mut() {
            let Some(quest) = quests.get(progress.quest_id) else {
                continue;
            };
            if running(&progress.state) && quest.state(&progress.state).is_none() {
                tracing::warn!(
                    character = %name,
                    quest = quest.id,
                    state = %progress.state,
                    "the quest file no longer has this character's state; it starts the quest again"
                );
                progress.state = quest.start_state().to_owned();
                progress.counters.clear();
            }
        }
    }

    /// The character arrived on this map (its client is in the game, or through the warp): at a
    /// login quest 0 starts if it never did (EOSERV's rule); then the rules are checked (a
    /// quest waiting for it to enter this map).
    pub(in crate::map) fn quests_arrived(&mut self, player_id: u16, login: bool) {
        let quests = self.data.quests.current();
        self.settle_quests(player_id, &quests);
        if login
            && progress_of(self.progress(player_id), 0).is_none()
            && let Some(first) = quests.get(0).filter(|q| !q.disabled)
        {
            let first = Arc::clone(first);
            let start = first.start_state().to_owned();
            self.enter_state(player_id, &quests, &first, &start, &mut Budget(MAX_STEPS));
        }
        self.quests_check(player_id);
    }

    /// Checks the rules that test the character's state, in every quest it has in progress.
    pub(in crate::map) fn quests_check(&mut self, player_id: u16) {
        let quests = self.data.quests.current();
        let mut budget = Budget(MAX_STEPS);
        for (quest, _) in self.running_quests(player_id, &quests) {
            self.check_rules(player_id, &quests, &quest, &mut budget);
        }
    }

    /// Something happened to the character: the quests in progress that wait for it move on,
    /// then every quest's rules are checked.
    pub(in crate::map) fn quest_event(&mut self, player_id: u16, event: QuestEvent) {
        let quests = self.data.quests.current();
        self.settle_quests(player_id, &quests);
        let mut budget = Budget(MAX_STEPS);
        for (quest, _) in self.running_quests(player_id, &quests) {
            if event.quest().is_some_and(|id| id != quest.id) {
                continue;
            }
            // Read again: an action of a quest handled before may have moved this one.
            let Some(state_name) = progress_of(self.progress(player_id), quest.id)
                .map(|p| p.state.clone())
                .filter(|s| running(s))
            else {
                continue;
            };
            let Some(state) = quest.state(&state_name) else {
                continue;
            };
            let counter = event
                .counter()
                .filter(|_| state.rules.iter().any(|r| event.counted_by(&r.rule)));
            let count = match &counter {
                Some(key) => self
                    .with_progress(player_id, quest.id, |p| {
                        match p.counters.iter_mut().find(|(k, _)| k == key) {
                            Some((_, count)) => {
                                *count = count.saturating_add(1);
                                *count
                            }
                            None => {
                                p.counters.push((key.clone(), 1));
                                1
                            }
                        }
                    })
                    .unwrap_or(0),
                None => 0,
            };
            let Some(entry) = state.rules.iter().find(|r| event.fires(&r.rule, count)) else {
                continue;
            };
            if let Some(key) = &counter {
                // Counted out: what is counted next starts again (EOSERV does the same).
                self.with_progress(player_id, quest.id, |p| {
                    p.counters.retain(|(k, _)| k != key)
                });
            }
            let action = entry.action.clone();
            self.quest_action(player_id, &quests, &quest, &action, &mut budget);
        }
        self.quests_check(player_id);
    }

    /// Runs the first rule of the quest's current state that holds now (of those that test the
    /// character's state), and those after it while their actions do not move the quest on.
    fn check_rules(
        &mut self,
        player_id: u16,
        quests: &Quests,
        quest: &Arc<Quest>,
        budget: &mut Budget,
    ) {
        let Some(name) = progress_of(self.progress(player_id), quest.id).map(|p| p.state.clone())
        else {
            return;
        };
        let Some(state) = quest.state(&name) else {
            return;
        };
        if quest.disabled {
            return;
        }
        for entry in &state.rules {
            if entry.rule.is_event() || !self.rule_holds(player_id, quest.id, &entry.rule) {
                continue;
            }
            if self.quest_action(player_id, quests, quest, &entry.action, budget) {
                return;
            }
        }
    }

    /// `$qstate`: the character's quest `id` goes to the state `name` as a quest's own action
    /// would put it there (its counters start again, the state's actions run, the rules are
    /// checked); a quest it never started is started first, in `begin` without its actions
    /// (EOSERV's `qstate`). `end` and `done` need not be in the file. Answers the state the
    /// quest is in then (lower-cased, as progress keeps it: the state's actions may have moved
    /// it on), or why not: no such quest, or no such state (the quest's states listed).
    pub(in crate::map) fn quest_to_state(
        &mut self,
        player_id: u16,
        id: u16,
        name: &str,
    ) -> Result<String, String> {
        if !self.characters.contains_key(&player_id) {
            return Err("not on this map".to_owned());
        }
        let quests = self.data.quests.current();
        let quest = quests
            .get(id)
            .map(Arc::clone)
            .ok_or_else(|| format!("there is no quest {id}"))?;
        let name = name.trim().to_ascii_lowercase();
        if running(&name) && quest.state(&name).is_none() {
            let states: Vec<&str> = quest.states.iter().map(|s| s.name.as_str()).collect();
            return Err(format!(
                "quest {id} has no state {name:?} (its states: {}, end, done)",
                states.join(", ")
            ));
        }
        self.settle_quests(player_id, &quests);
        self.enter_state(player_id, &quests, &quest, &name, &mut Budget(MAX_STEPS));
        self.quests_check(player_id);
        // Its actions may have moved it on (a reward state ends the quest).
        Ok(progress_of(self.progress(player_id), id).map_or(name, |p| p.state.clone()))
    }

    /// Moves the character's quest to the state `name` (lower-cased; `end` and `done` need not
    /// be in the file): its counters start again, its actions run, its rules are checked.
    fn enter_state(
        &mut self,
        player_id: u16,
        quests: &Quests,
        quest: &Arc<Quest>,
        name: &str,
        budget: &mut Budget,
    ) {
        let name = name.to_ascii_lowercase();
        if quest.state(&name).is_none() && running(&name) {
            tracing::error!(
                quest = quest.id,
                state = %name,
                "a quest action names a state the quest does not have; nothing changed"
            );
            return;
        }
        if !budget.spend(player_id, quest) {
            return;
        }
        self.with_progress(player_id, quest.id, |p| {
            if name == END && p.state != END {
                p.completions = p.completions.saturating_add(1);
            }
            p.state.clone_from(&name);
            p.counters.clear();
        });
        let Some(state) = quest.state(&name) else {
            return;
        };
        if quest.disabled {
            return;
        }
        let mut chain_held = false;
        let mut moved = false;
        for step in &state.actions {
            let run = match &step.when {
                When::Always => true,
                When::If(rule) => {
                    chain_held = self.rule_holds(player_id, quest.id, rule);
                    chain_held
                }
                When::ElseIf(rule) => {
                    if chain_held {
                        false
                    } else {
                        chain_held = self.rule_holds(player_id, quest.id, rule);
                        chain_held
                    }
                }
                When::Else => !chain_held,
            };
            // An action that moves the quest on does not end the list: the actions after it
            // still run, as in EOSERV (`End()` then `SetCoord(...)` ends and warps), which
            // quest files written for it rely on.
            if run && self.quest_action(player_id, quests, quest, &step.action, budget) {
                moved = true;
            }
        }
        if !moved {
            self.check_rules(player_id, quests, quest, budget);
        }
    }
}
