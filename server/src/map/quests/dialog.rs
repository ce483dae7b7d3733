//! The quest packets: Quest_Use (talking to a quest NPC), Quest_Accept (answering its dialog),
//! Quest_List (the quest book), and the finished quests a character's book lists.

use std::sync::Arc;

use eo_protocol::net::QuestPage;
use eo_protocol::net::client::{
    ClientPacket, QuestAcceptClientPacket, QuestAcceptClientPacketReplyTypeData,
    QuestUseClientPacket,
};
use eo_protocol::net::server::{
    DialogEntry, DialogEntryEntryTypeData, DialogEntryEntryTypeDataLink, DialogEntryType,
    DialogQuestEntry, QuestDialogServerPacket, QuestListServerPacket,
    QuestListServerPacketPageData, QuestListServerPacketPageDataHistory,
    QuestListServerPacketPageDataProgress, QuestProgressEntry, QuestReportServerPacket,
    QuestRequirementIcon,
};

use super::{Budget, MAX_STEPS, QuestEvent, progress_of, running};
use crate::db::QuestProgress;
use crate::map::actor::MapActor;
use crate::map::character::GameState;
use crate::map::services::Service;
use crate::quest::ast::{DONE, END, State};
use crate::quest::{Action, Hidden, Quest, Quests, Rule};

/// What a state shows at the NPC with vendor id `vendor`: its pages and links, in order.
fn dialog_of(state: &State, vendor: u16) -> Vec<DialogEntry> {
    state
        .actions
        .iter()
        .filter_map(|step| match &step.action {
            Action::AddNpcText { npc, text } if *npc == vendor => Some(DialogEntry {
                entry_type: DialogEntryType::Text,
                entry_type_data: None,
                line: text.clone(),
            }),
            Action::AddNpcInput { npc, link, text } if *npc == vendor => Some(DialogEntry {
                entry_type: DialogEntryType::Link,
                entry_type_data: Some(DialogEntryEntryTypeData::Link(
                    DialogEntryEntryTypeDataLink {
                        link_id: u16::from(*link),
                    },
                )),
                line: text.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// What the NPC says in its bubble while the quest is in `state`.
fn chat_of(state: &State, vendor: u16) -> Vec<String> {
    state
        .actions
        .iter()
        .filter_map(|step| match &step.action {
            Action::AddNpcChat { npc, text } if *npc == vendor => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Whether the state has a link `link` at the NPC.
fn has_link(state: &State, vendor: u16, link: u8) -> bool {
    state.actions.iter().any(|step| {
        matches!(&step.action, Action::AddNpcInput { npc, link: l, .. } if *npc == vendor && *l == link)
    })
}

/// Whether the quest in `progress` shows in the book's history: finished once at least, and
/// not hidden then.
fn in_history(quest: &Quest, progress: &QuestProgress) -> bool {
    (progress.state == END || progress.completions > 0)
        && quest.hidden == Hidden::No
        && !quest.disabled
}

/// The names of the quests a character finished, as its book (Book_Reply) and the quest
/// history list them: hidden quests left out.
pub fn finished_quest_names(quests: &Quests, state: &GameState) -> Vec<String> {
    state
        .quests
        .iter()
        .filter_map(|p| {
            let quest = quests.get(p.quest_id)?;
            in_history(quest, p).then(|| quest.name.clone())
        })
        .collect()
}

/// The quest book's line for a quest in progress: the icon and count of its goal rule.
fn progress_line(
    quest: &Quest,
    state: &State,
    progress: &QuestProgress,
    game: &GameState,
) -> QuestProgressEntry {
    let counted = |key: String| {
        progress
            .counters
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, n)| *n)
    };
    let clip = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    let (icon, done, target) = match state.goal_rule().map(|r| &r.rule) {
        Some(Rule::GotItems { item, amount }) => (
            QuestRequirementIcon::Item,
            game.amount_of(*item).min(*amount),
            *amount,
        ),
        Some(Rule::UsedSpell { spell, amount }) => (
            QuestRequirementIcon::Item,
            counted(format!("spell/{spell}")),
            *amount,
        ),
        Some(Rule::UsedItem { item, amount }) => (
            QuestRequirementIcon::Item,
            counted(format!("item/{item}")),
            *amount,
        ),
        Some(Rule::KilledNpcs { npc, amount }) => (
            QuestRequirementIcon::Kill,
            counted(format!("npc/{npc}")),
            *amount,
        ),
        Some(Rule::KilledPlayers(amount)) => (
            QuestRequirementIcon::Kill,
            counted("players".to_owned()),
            *amount,
        ),
        Some(
            Rule::EnterMap(_)
            | Rule::LeaveMap(_)
            | Rule::EnterCoord { .. }
            | Rule::LeaveCoord { .. },
        ) => (QuestRequirementIcon::Step, 0, 0),
        _ => (QuestRequirementIcon::Talk, 0, 0),
    };
    QuestProgressEntry {
        name: quest.name.clone(),
        description: state.desc.clone(),
        icon,
        progress: clip(done),
        target: clip(target),
    }
}

impl MapActor {
    /// Quest_Use, Quest_Accept and Quest_List.
    pub(in crate::map) fn quest(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::QuestUse(talk) => self.quest_use(player_id, &talk),
            ClientPacket::QuestAccept(answer) => self.quest_accept(player_id, &answer),
            ClientPacket::QuestList(list) => self.quest_list(player_id, list.page),
            _ => {}
        }
    }

    /// Talking to a quest NPC: the quest whose id is its vendor id starts (or starts again
    /// after a daily rest), then the dialog of every quest in progress at that NPC shows.
    fn quest_use(&mut self, player_id: u16, talk: &QuestUseClientPacket) {
        let Ok(npc_index) = u8::try_from(talk.npc_index) else {
            return;
        };
        let Some(opened) = self.start_service(player_id, npc_index, Service::Quest) else {
            return;
        };
        let vendor = opened.behavior_id;
        if vendor == 0 {
            return;
        }
        let quests = self.data.quests.current();
        self.settle_quests(player_id, &quests);
        if let Some(quest) = quests.get(vendor).filter(|q| !q.disabled).cloned() {
            let now = progress_of(self.progress(player_id), vendor).map(|p| p.state.clone());
            if now.is_none() || now.as_deref() == Some(DONE) {
                let start = quest.start_state().to_owned();
                self.enter_state(player_id, &quests, &quest, &start, &mut Budget(MAX_STEPS));
            }
        }
        let wanted = if talk.quest_id == 0 {
            vendor
        } else {
            talk.quest_id
        };
        self.show_dialog(
            player_id,
            &quests,
            npc_index,
            vendor,
            wanted,
            opened.session,
        );
    }

    /// Sends the dialog of the quests in progress that have one at the NPC: `wanted`'s if it
    /// has one, else the first; and the NPC's chat lines for it.
    fn show_dialog(
        &mut self,
        player_id: u16,
        quests: &Quests,
        npc_index: u8,
        vendor: u16,
        wanted: u16,
        session: u16,
    ) {
        let mut offered: Vec<(Arc<Quest>, Vec<DialogEntry>, Vec<String>)> = Vec::new();
        for (quest, state_name) in self.running_quests(player_id, quests) {
            let Some(state) = quest.state(&state_name) else {
                continue;
            };
            let dialog = dialog_of(state, vendor);
            if !dialog.is_empty() {
                let chat = chat_of(state, vendor);
                offered.push((quest, dialog, chat));
            }
        }
        let Some(shown) = offered
            .iter()
            .position(|(q, _, _)| q.id == wanted)
            .or((!offered.is_empty()).then_some(0))
        else {
            return;
        };
        let quest_entries = offered
            .iter()
            .map(|(q, _, _)| DialogQuestEntry {
                quest_id: q.id,
                quest_name: q.name.clone(),
            })
            .collect();
        let Some((quest, dialog, chat)) = offered.get(shown) else {
            return;
        };
        let body = self.encode(&QuestDialogServerPacket {
            behavior_id: vendor,
            quest_id: quest.id,
            session_id: session,
            dialog_id: 0,
            quest_entries,
            dialog_entries: dialog.clone(),
        });
        self.send_to(player_id, body);
        if !chat.is_empty()
            && let Some(npc) = self.npcs.alive(npc_index)
        {
            let at = npc.at;
            if let Some(body) = self.encode(&QuestReportServerPacket {
                npc_index: u16::from(npc_index),
                messages: chat.clone(),
            }) {
                for (_, c) in self.in_range_of((u16::from(at.0), u16::from(at.1))) {
                    c.player.send(body.clone());
                }
            }
        }
    }

    /// Answering a dialog: Ok fires TalkedToNpc, a link InputNpc, for the quest it was shown
    /// for; if the quest moved on and is still running, its next dialog shows.
    fn quest_accept(&mut self, player_id: u16, answer: &QuestAcceptClientPacket) {
        let Some(opened) = self.open_service(
            player_id,
            Service::Quest,
            Some(u32::from(answer.session_id)),
        ) else {
            return;
        };
        let vendor = opened.behavior_id;
        let quests = self.data.quests.current();
        let Some(progress) = progress_of(self.progress(player_id), answer.quest_id).cloned() else {
            return;
        };
        let Some(quest) = quests.get(answer.quest_id).cloned() else {
            return;
        };
        let Some(state) = quest
            .state(&progress.state)
            .filter(|_| running(&progress.state))
        else {
            return;
        };
        if dialog_of(state, vendor).is_empty() {
            return;
        }
        let event = match &answer.reply_type_data {
            Some(QuestAcceptClientPacketReplyTypeData::Link(link)) => {
                if !has_link(state, vendor, link.action) {
                    return;
                }
                QuestEvent::Input {
                    quest: quest.id,
                    link: link.action,
                }
            }
            _ => QuestEvent::Talked {
                quest: quest.id,
                vendor,
            },
        };
        self.quest_event(player_id, event);
        let after = progress_of(self.progress(player_id), quest.id).map(|p| p.state.clone());
        let moved = after.as_deref() != Some(progress.state.as_str());
        if moved && after.as_deref().is_some_and(running) {
            self.show_dialog(
                player_id,
                &quests,
                opened.npc_index,
                vendor,
                quest.id,
                opened.session,
            );
        }
    }

    /// Quest_List: the quests in progress (name, step, goal icon and count) or the finished
    /// ones; hidden quests and daily quests at rest left out.
    fn quest_list(&mut self, player_id: u16, page: QuestPage) {
        let quests = self.data.quests.current();
        self.settle_quests(player_id, &quests);
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let game = me.game.state();
        let (count, page_data) = match page {
            QuestPage::Progress => {
                let entries: Vec<QuestProgressEntry> = game
                    .quests
                    .iter()
                    .filter(|p| running(&p.state))
                    .filter_map(|p| {
                        let quest = quests.get(p.quest_id)?;
                        let state = quest.state(&p.state)?;
                        (!quest.disabled && !quest.hidden_in(&p.state))
                            .then(|| progress_line(quest, state, p, game))
                    })
                    .collect();
                (
                    entries.len(),
                    QuestListServerPacketPageData::Progress(
                        QuestListServerPacketPageDataProgress {
                            quest_progress_entries: entries,
                        },
                    ),
                )
            }
            QuestPage::History => {
                let names = finished_quest_names(&quests, game);
                (
                    names.len(),
                    QuestListServerPacketPageData::History(QuestListServerPacketPageDataHistory {
                        completed_quests: names,
                    }),
                )
            }
            QuestPage::Unrecognized(_) => return,
        };
        let body = self.encode(&QuestListServerPacket {
            page,
            quests_count: u16::try_from(count).unwrap_or(u16::MAX),
            page_data: Some(page_data),
        });
        self.send_to(player_id, body);
    }
}
