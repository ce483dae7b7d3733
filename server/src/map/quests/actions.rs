//! What each EO+ action does to the character (and what its client and the others see).

use std::sync::Arc;

use eo_protocol::Coords;
use eo_protocol::net::server::{
    AvatarChange, AvatarChangeChangeTypeData, AvatarChangeChangeTypeDataHair, AvatarChangeType,
    EffectAgreeServerPacket, EffectPlayerServerPacket, EffectUseServerPacket,
    EffectUseServerPacketEffectData, EffectUseServerPacketEffectDataQuake, ItemGetServerPacket,
    ItemKickServerPacket, ItemObtainServerPacket, JukeboxPlayerServerPacket, MapEffect,
    MessageOpenServerPacket, MusicPlayerServerPacket, PlayerEffect, RecoverListServerPacket,
    RecoverReplyServerPacket, TileEffect,
};
use eo_protocol::net::{Item, ThreeItem};

use super::{Budget, progress_of, today};
use crate::data::GOLD;
use crate::map::actor::MapActor;
use crate::quest::ast::{DONE, END};
use crate::quest::{Action, Quest, Quests, Stat};

/// The most karma a character has (EOSERV's cap).
const MAX_KARMA: i64 = 2000;

/// How a stat change reaches the client.
enum Shown {
    /// Recover_Reply: experience, karma, maybe a new level.
    Experience { level_up: bool },
    /// Recover_List: class and stats.
    Stats,
    /// Avatar_Agree: the hair others see.
    Hair,
    /// Skin or gender, which no packet changes on its own: the character takes a warp onto
    /// its own tile, so that its client and those in view load it again (as `$set`).
    Body,
    /// Not shown until the client next loads the character.
    Later,
}

impl MapActor {
    /// Runs `action` of `quest` for the character; true when it moved that quest's state (or
    /// ended it): the caller then stops running that state's actions or rules.
    pub(super) fn quest_action(
        &mut self,
        player_id: u16,
        quests: &Quests,
        quest: &Arc<Quest>,
        action: &Action,
        budget: &mut Budget,
    ) -> bool {
        match action {
            Action::SetState(name) => {
                self.enter_state(player_id, quests, quest, name, budget);
                true
            }
            Action::End => {
                self.enter_state(player_id, quests, quest, END, budget);
                true
            }
            Action::Reset => {
                self.reset_quest(player_id, quests, quest, budget);
                true
            }
            Action::ResetDaily => {
                let day = today();
                self.with_progress(player_id, quest.id, |p| {
                    if p.daily_day != day {
                        p.daily_day = day;
                        p.daily_count = 0;
                    }
                    p.daily_count = p.daily_count.saturating_add(1);
                });
                self.enter_state(player_id, quests, quest, DONE, budget);
                true
            }
            Action::StartQuest { quest: id, state } => {
                let Some(other) = quests.get(*id).filter(|q| !q.disabled).cloned() else {
                    tracing::warn!(
                        quest = quest.id,
                        other = id,
                        "StartQuest of a quest that is not loaded"
                    );
                    return false;
                };
                let now = progress_of(self.progress(player_id), *id).map(|p| p.state.clone());
                if now.is_none() || now.as_deref() == Some(DONE) {
                    let start = state.as_deref().unwrap_or(other.start_state()).to_owned();
                    self.enter_state(player_id, quests, &other, &start, budget);
                    return *id == quest.id;
                }
                false
            }
            Action::ResetQuest(id) => {
                if let Some(other) = quests.get(*id).cloned()
                    && progress_of(self.progress(player_id), *id).is_some()
                {
                    self.reset_quest(player_id, quests, &other, budget);
                }
                *id == quest.id
            }
            Action::SetQuestState { quest: id, state } => {
                if let Some(other) = quests.get(*id).cloned()
                    && progress_of(self.progress(player_id), *id).is_some()
                {
                    self.enter_state(player_id, quests, &other, state, budget);
                }
                *id == quest.id
            }
            // Dialogs are what the state shows at its NPC (dialog.rs), not steps.
            Action::AddNpcText { .. } | Action::AddNpcInput { .. } | Action::AddNpcChat { .. } => {
                false
            }
            Action::Roll(sides) => {
                let rolled = rand::random_range(1..=*sides);
                self.with_progress(player_id, quest.id, |p| p.roll = rolled);
                false
            }
            other => {
                self.quest_effect(player_id, other);
                false
            }
        }
    }

    /// `Reset`: the quest is forgotten, or (a daily quest, which keeps its count) rests in
    /// `done` until its NPC starts it again.
    fn reset_quest(
        &mut self,
        player_id: u16,
        quests: &Quests,
        quest: &Arc<Quest>,
        budget: &mut Budget,
    ) {
        let daily =
            progress_of(self.progress(player_id), quest.id).is_some_and(|p| p.daily_day != 0);
        if daily {
            self.enter_state(player_id, quests, quest, DONE, budget);
        } else {
            self.forget_quest(player_id, quest.id);
        }
    }

    /// The actions that change the character or what it sees, not the quest's state.
    fn quest_effect(&mut self, player_id: u16, action: &Action) {
        let data = Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let at = me.at();
        match action {
            Action::ShowHint(text) => {
                let body = self.encode(&MessageOpenServerPacket {
                    message: text.clone(),
                });
                self.send_to(player_id, body);
            }
            Action::Quake(strength) => {
                if let Some(body) = self.encode(&EffectUseServerPacket {
                    effect: MapEffect::Quake,
                    effect_data: Some(EffectUseServerPacketEffectData::Quake(
                        EffectUseServerPacketEffectDataQuake {
                            quake_strength: *strength,
                        },
                    )),
                }) {
                    self.send_to_all(&body);
                }
            }
            // Maps do not reach each other: the character's task asks every map, this one
            // included.
            Action::QuakeWorld(strength) => me.player.quake_world(*strength),
            Action::SetCoord { map, x, y } => {
                if data.maps.contains_key(map) {
                    // The player task offers the warp (Warp_Request), as a warp tile would.
                    me.player.warp(*map, *x, *y);
                } else {
                    tracing::warn!(map, "a quest warp to a map the server lacks; ignored");
                }
            }
            Action::PlaySound(sound_id) => {
                let body = self.encode(&MusicPlayerServerPacket {
                    sound_id: *sound_id,
                });
                self.send_to(player_id, body);
            }
            Action::PlayMusic(mfx_id) => {
                let body = self.encode(&JukeboxPlayerServerPacket { mfx_id: *mfx_id });
                self.send_to(player_id, body);
            }
            Action::EffectOnPlayer(effect) => {
                if let Some(body) = self.encode(&EffectPlayerServerPacket {
                    effects: vec![PlayerEffect {
                        player_id,
                        effect_id: u32::from(*effect),
                    }],
                }) {
                    self.send_to(player_id, Some(body.clone()));
                    self.broadcast(at, player_id, &body);
                }
            }
            Action::EffectOnCoord { effect, x, y } => {
                let tile = (u16::from(*x), u16::from(*y));
                if let Some(body) = self.encode(&EffectAgreeServerPacket {
                    effects: vec![TileEffect {
                        coords: Coords { x: *x, y: *y },
                        effect_id: *effect,
                    }],
                }) {
                    for (_, c) in self.in_range_of(tile) {
                        c.player.send(body.clone());
                    }
                }
            }
            Action::GiveExp(amount) => {
                let gain = me.game.gain_experience(*amount, &data);
                me.game.sync_info(&mut me.info, &data);
                let karma = me.game.state().karma;
                let body = self.encode(&RecoverReplyServerPacket {
                    experience: gain.experience,
                    karma,
                    level_up: gain.level_up,
                    stat_points: gain.level_up.map(|_| gain.stat_points),
                    skill_points: gain.level_up.map(|_| gain.skill_points),
                });
                self.send_to(player_id, body);
                if gain.level_up.is_some() {
                    self.show_level_up(player_id);
                }
            }
            Action::GiveItem { item, amount } => {
                if crate::rules::stats::item(&data.items.data, *item).is_none() {
                    tracing::warn!(item, "a quest gives an item the item file lacks; ignored");
                    return;
                }
                // A reward is given whatever it weighs (EOSERV does the same), up to the cap.
                let room = self
                    .config
                    .items
                    .max_item_amount
                    .saturating_sub(me.game.amount_of(*item));
                let added = me.game.add_item(*item, (*amount).min(room), &data);
                if added == 0 {
                    return;
                }
                let weight = me.game.weight_packet();
                let body = if *item == GOLD {
                    self.encode(&ItemGetServerPacket {
                        taken_item_index: 0,
                        taken_item: ThreeItem {
                            id: *item,
                            amount: added,
                        },
                        weight,
                    })
                } else {
                    self.encode(&ItemObtainServerPacket {
                        item: ThreeItem {
                            id: *item,
                            amount: added,
                        },
                        current_weight: weight.current,
                    })
                };
                self.send_to(player_id, body);
            }
            Action::RemoveItem { item, amount } => {
                if me.game.remove_item(*item, *amount, &data) == 0 {
                    return;
                }
                let left = me.game.amount_of(*item);
                let current_weight = me.game.weight_packet().current;
                let body = self.encode(&ItemKickServerPacket {
                    item: Item {
                        id: *item,
                        amount: left,
                    },
                    current_weight,
                });
                self.send_to(player_id, body);
            }
            Action::SetClass(class) => {
                self.change_stat(player_id, Stat::Class, |_| i64::from(*class))
            }
            Action::SetRace(race) => self.change_stat(player_id, Stat::Race, |_| i64::from(*race)),
            Action::GiveKarma(n) => self.change_stat(player_id, Stat::Karma, |k| k + i64::from(*n)),
            Action::RemoveKarma(n) => {
                self.change_stat(player_id, Stat::Karma, |k| k - i64::from(*n));
            }
            Action::SetStat { stat, value } => self.change_stat(player_id, *stat, |_| *value),
            Action::GiveStat { stat, value } => {
                self.change_stat(player_id, *stat, |v| v.saturating_add(*value))
            }
            Action::RemoveStat { stat, value } => {
                self.change_stat(player_id, *stat, |v| v.saturating_sub(*value));
            }
            Action::SetTitle(text) => {
                me.game.update(&data, |s| s.title.clone_from(text));
                me.player
                    .listing_changed(text.clone(), me.game.state().class);
            }
            Action::SetFiance(text) => me.game.update(&data, |s| s.fiance.clone_from(text)),
            Action::SetPartner(text) => me.game.update(&data, |s| s.partner.clone_from(text)),
            Action::SetHome(text) => me.game.update(&data, |s| s.home.clone_from(text)),
            // The state and dialog actions are run by `quest_action`.
            Action::SetState(_)
            | Action::Reset
            | Action::ResetDaily
            | Action::End
            | Action::StartQuest { .. }
            | Action::ResetQuest(_)
            | Action::SetQuestState { .. }
            | Action::AddNpcText { .. }
            | Action::AddNpcInput { .. }
            | Action::AddNpcChat { .. }
            | Action::Roll(_) => {}
        }
    }

    /// Sets a stat to `change(its value)`, kept within its limits, and shows the change.
    fn change_stat(&mut self, player_id: u16, stat: Stat, change: impl FnOnce(i64) -> i64) {
        let data = Arc::clone(&self.data);
        let limits = &data.formulas.limits;
        let rules = &data.formulas.experience;
        let classes = data.classes.data.classes.len();
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let now = super::rules::stat_value(me, self.id, stat);
        let wanted = change(now);
        let fit = |max: i64| -> i64 { wanted.clamp(0, max) };
        let max_points = i64::from(rules.max_level) * i64::from(rules.stat_points_per_level);
        let max_skill = i64::from(rules.max_level) * i64::from(rules.skill_points_per_level);
        let max_stat = i64::from(limits.max_stat);
        let to_u16 = |v: i64| u16::try_from(v).unwrap_or(u16::MAX);
        let to_u8 = |v: i64| u8::try_from(v).unwrap_or(u8::MAX);
        let shown = {
            let mut shown = Shown::Later;
            me.game.update(&data, |s| match stat {
                Stat::Level => {
                    s.level = to_u8(fit(i64::from(rules.max_level)));
                    shown = Shown::Experience { level_up: true };
                }
                Stat::Experience => {
                    s.experience = u32::try_from(fit(i64::from(u32::MAX))).unwrap_or(u32::MAX);
                    shown = Shown::Experience { level_up: false };
                }
                Stat::Str => s.base.str = to_u16(fit(max_stat)),
                Stat::Int => s.base.intl = to_u16(fit(max_stat)),
                Stat::Wis => s.base.wis = to_u16(fit(max_stat)),
                Stat::Agi => s.base.agi = to_u16(fit(max_stat)),
                Stat::Con => s.base.con = to_u16(fit(max_stat)),
                Stat::Cha => s.base.cha = to_u16(fit(max_stat)),
                Stat::StatPoints => s.stat_points = to_u16(fit(max_points)),
                Stat::SkillPoints => s.skill_points = to_u16(fit(max_skill)),
                Stat::Karma => {
                    s.karma = to_u16(fit(MAX_KARMA));
                    shown = Shown::Experience { level_up: false };
                }
                Stat::Class => {
                    s.class = to_u8(fit(i64::try_from(classes).unwrap_or(0).saturating_sub(1)));
                }
                Stat::Gender => {
                    s.gender = to_u8(fit(1));
                    shown = Shown::Body;
                }
                Stat::Race => {
                    s.race = to_u8(fit(i64::from(crate::rules::look::MAX_SKIN)));
                    shown = Shown::Body;
                }
                Stat::HairStyle => {
                    s.hair_style = to_u8(fit(i64::from(crate::rules::look::MAX_HAIR_STYLE)));
                    shown = Shown::Hair;
                }
                Stat::HairColor => {
                    s.hair_color = to_u8(fit(i64::from(crate::rules::look::MAX_HAIR_COLOR)));
                    shown = Shown::Hair;
                }
                // Derived or positional: the parser refuses them in Set/Give/RemoveStat.
                _ => {}
            });
            if matches!(
                stat,
                Stat::Str
                    | Stat::Int
                    | Stat::Wis
                    | Stat::Agi
                    | Stat::Con
                    | Stat::Cha
                    | Stat::StatPoints
                    | Stat::SkillPoints
                    | Stat::Class
            ) {
                shown = Shown::Stats;
            }
            shown
        };
        me.game.sync_info(&mut me.info, &data);
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let state = me.game.state().clone();
        let stats = me.game.stats_update();
        match shown {
            Shown::Experience { level_up } => {
                let level = level_up.then_some(state.level);
                let body = self.encode(&RecoverReplyServerPacket {
                    experience: state.experience,
                    karma: state.karma,
                    level_up: level,
                    stat_points: level.map(|_| state.stat_points),
                    skill_points: level.map(|_| state.skill_points),
                });
                self.send_to(player_id, body);
            }
            Shown::Stats => {
                let body = self.encode(&RecoverListServerPacket {
                    class_id: u16::from(state.class),
                    stats,
                });
                self.send_to(player_id, body);
                if stat == Stat::Class {
                    me.player.listing_changed(state.title.clone(), state.class);
                }
            }
            Shown::Body => {
                let (x, y) = me.tile();
                me.player.warp(self.id, x, y);
            }
            Shown::Hair => {
                let change = AvatarChange {
                    player_id,
                    change_type: AvatarChangeType::Hair,
                    sound: false,
                    change_type_data: Some(AvatarChangeChangeTypeData::Hair(
                        AvatarChangeChangeTypeDataHair {
                            hair_style: state.hair_style,
                            hair_color: state.hair_color,
                        },
                    )),
                };
                if let Some(body) =
                    self.encode(&eo_protocol::net::server::AvatarAgreeServerPacket {
                        change: change.clone(),
                    })
                {
                    self.send_to(player_id, Some(body));
                }
                self.show_avatar(player_id, change);
            }
            Shown::Later => {}
        }
    }
}
