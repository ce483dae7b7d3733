//! Items in a character's hands: junking, using items, and spending stat and skill points;
//! the ground is in `ground.rs` and equipment in `equipment.rs`. All of it runs inside the map
//! actor, which owns both the ground and every character's inventory, so a pile two players
//! race for goes to exactly one of them and nothing is duplicated or lost.
//!
//! For map-side code elsewhere (level ups from combat): [`MapActor::show_level_up`] shows the
//! level-up effect to the neighbours.

use bytes::Bytes;
use eo_protocol::net::client::StatId;
use eo_protocol::net::server::{
    AvatarChange, AvatarChangeChangeTypeData, AvatarChangeChangeTypeDataHairColor,
    AvatarChangeType, EffectPlayerServerPacket, ItemAcceptServerPacket, ItemAgreeServerPacket,
    ItemJunkServerPacket, ItemReplyServerPacket, ItemReplyServerPacketItemTypeData as UseData,
    ItemReplyServerPacketItemTypeDataCureCurse, ItemReplyServerPacketItemTypeDataEffectPotion,
    ItemReplyServerPacketItemTypeDataExpReward, ItemReplyServerPacketItemTypeDataHairDye,
    ItemReplyServerPacketItemTypeDataHeal, PlayerEffect, RecoverAgreeServerPacket,
    StatSkillAcceptServerPacket, StatSkillPlayerServerPacket,
};
use eo_protocol::net::{Item, Spell, ThreeItem};
use eo_protocol::pubs::{EifRecord, ItemSpecial, ItemType};

use super::actor::MapActor;
use crate::rules::stats::{self, Slot};

impl MapActor {
    pub(super) fn item_record(&self, id: u16) -> Option<&EifRecord> {
        stats::item(&self.data.items.data, id)
    }

    /// Sends `body` to every character in view of `at` but `except` (hidden or not: an item
    /// on the ground is there for everyone).
    pub(super) fn send_near(&self, at: (u16, u16), except: Option<u16>, body: &Bytes) {
        // Through the visibility index: a pile dropped on a map of thousands is shown to the
        // few dozen in view, without looking at every character.
        for (id, other) in self.in_range_of(at) {
            if Some(id) != except {
                other.player.send(body.clone());
            }
        }
    }

    /// Sends `body` to the player `player_id`.
    pub(super) fn send_to(&self, player_id: u16, body: Option<Bytes>) {
        if let (Some(me), Some(body)) = (self.characters.get(&player_id), body) {
            me.player.send(body);
        }
    }

    /// Item_Junk: destroys items from the inventory.
    pub(super) fn junk_item(&mut self, player_id: u16, item: Item) {
        if item.amount == 0 || item.amount > self.config.items.max_drop_amount {
            return;
        }
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let junked = me.game.remove_item(item.id, item.amount, &data);
        if junked == 0 {
            return;
        }
        let packet = ItemJunkServerPacket {
            junked_item: ThreeItem {
                id: item.id,
                amount: junked,
            },
            remaining_amount: me.game.amount_of(item.id),
            weight: me.game.weight_packet(),
        };
        let reply = self.encode(&packet);
        self.send_to(player_id, reply);
    }

    /// Shows the level-up effect over the character to the others in view, and has the
    /// online list show the new level. Call it after a level up.
    pub(super) fn show_level_up(&self, player_id: u16) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        me.player.level_changed(me.game.state().level);
        if let Some(body) = self.encode(&ItemAcceptServerPacket { player_id }) {
            self.broadcast(me.at(), player_id, &body);
        }
    }

    /// Item_Use: heal, teleport scroll, experience reward, hair dye, effect potion, alcohol,
    /// cure curse. One item is used up when it did something.
    pub(super) fn use_item(&mut self, player_id: u16, item_id: u16) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        if me.game.amount_of(item_id) == 0 {
            let body = self.encode(&ItemAgreeServerPacket { item_id });
            self.send_to(player_id, body);
            return;
        }
        let Some(record) = self.item_record(item_id).cloned() else {
            return;
        };
        let data = std::sync::Arc::clone(&self.data);
        let spec1 = record.spec1;
        let at = me.at();
        let type_data = match record.r#type {
            ItemType::Heal => {
                let Some(me) = self.characters.get_mut(&player_id) else {
                    return;
                };
                let (hp_gain, tp_gain) = me.game.heal(u32::from(record.hp), u32::from(record.tp));
                if hp_gain == 0 && tp_gain == 0 {
                    return;
                }
                let state = me.game.state();
                let (hp, tp) = (state.hp, state.tp);
                let percentage = me.game.hp_percentage();
                me.game.sync_info(&mut me.info, &data);
                if hp_gain > 0
                    && let Some(body) = self.encode(&RecoverAgreeServerPacket {
                        player_id,
                        heal_hp: u32::from(hp_gain),
                        hp_percentage: percentage,
                    })
                {
                    self.broadcast(at, player_id, &body);
                }
                Some(UseData::Heal(ItemReplyServerPacketItemTypeDataHeal {
                    hp_gain: u32::from(hp_gain),
                    hp,
                    tp,
                }))
            }
            ItemType::Teleport => {
                if !self.map().is_some_and(|m| m.emf.can_scroll) {
                    return;
                }
                let world = &self.config.world;
                let (map, x, y) = match u16::try_from(spec1) {
                    Ok(0) | Err(_) => (world.spawn_map, world.spawn_x, world.spawn_y),
                    Ok(map) => (map, record.spec2, record.spec3),
                };
                if !self.data.maps.contains_key(&map) {
                    return;
                }
                // The player task offers the warp (Warp_Request), as a warp tile would.
                me.player.warp(map, x, y);
                None
            }
            ItemType::ExpReward => {
                let Some(me) = self.characters.get_mut(&player_id) else {
                    return;
                };
                let gain = me.game.gain_experience(spec1, &data);
                me.game.sync_info(&mut me.info, &data);
                if gain.level_up.is_some() {
                    self.show_level_up(player_id);
                }
                Some(UseData::ExpReward(
                    ItemReplyServerPacketItemTypeDataExpReward {
                        experience: gain.experience,
                        level_up: gain.level_up.unwrap_or(0),
                        stat_points: gain.stat_points,
                        skill_points: gain.skill_points,
                        max_hp: gain.max_hp,
                        max_tp: gain.max_tp,
                        max_sp: gain.max_sp,
                    },
                ))
            }
            ItemType::HairDye => {
                let Ok(hair_color) = u8::try_from(spec1) else {
                    return;
                };
                let Some(me) = self.characters.get_mut(&player_id) else {
                    return;
                };
                me.game.update(&data, |state| state.hair_color = hair_color);
                self.show_avatar(
                    player_id,
                    AvatarChange {
                        player_id,
                        change_type: AvatarChangeType::HairColor,
                        sound: false,
                        change_type_data: Some(AvatarChangeChangeTypeData::HairColor(
                            AvatarChangeChangeTypeDataHairColor { hair_color },
                        )),
                    },
                );
                Some(UseData::HairDye(ItemReplyServerPacketItemTypeDataHairDye {
                    hair_color,
                }))
            }
            ItemType::EffectPotion => {
                let Ok(effect_id) = u16::try_from(spec1) else {
                    return;
                };
                if let Some(body) = self.encode(&EffectPlayerServerPacket {
                    effects: vec![PlayerEffect {
                        player_id,
                        effect_id: u32::from(effect_id),
                    }],
                }) {
                    self.broadcast(at, player_id, &body);
                }
                Some(UseData::EffectPotion(
                    ItemReplyServerPacketItemTypeDataEffectPotion { effect_id },
                ))
            }
            // The client makes the character drunk by itself.
            ItemType::Alcohol => None,
            ItemType::CureCurse => {
                let cursed: Vec<Slot> = (0..15)
                    .map(Slot)
                    .filter(|slot| {
                        self.item_record(slot.get(&me.game.state().equipment))
                            .is_some_and(|r| r.special == ItemSpecial::Cursed)
                    })
                    .collect();
                if cursed.is_empty() {
                    return;
                }
                let Some(me) = self.characters.get_mut(&player_id) else {
                    return;
                };
                // Cursed items are destroyed, as on the official server.
                me.game.update(&data, |state| {
                    for slot in &cursed {
                        slot.set(&mut state.equipment, 0);
                    }
                });
                let stats = me.game.stats_equipment_change();
                if cursed.iter().any(|slot| slot.is_visible())
                    && let Some(change) = self.equipment_avatar(player_id)
                {
                    self.show_avatar(player_id, change);
                }
                Some(UseData::CureCurse(
                    ItemReplyServerPacketItemTypeDataCureCurse { stats },
                ))
            }
            _ => return,
        };
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        me.game.remove_item(item_id, 1, &data);
        let packet = ItemReplyServerPacket {
            item_type: record.r#type,
            used_item: Item {
                id: item_id,
                amount: me.game.amount_of(item_id),
            },
            weight: me.game.weight_packet(),
            item_type_data: type_data,
        };
        let reply = self.encode(&packet);
        self.send_to(player_id, reply);
    }

    /// StatSkill_Add (stat): spends a stat point on one of the six stats.
    pub(super) fn spend_stat_point(&mut self, player_id: u16, stat: StatId) {
        let max_stat = self.data.formulas.limits.max_stat;
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if me.game.state().stat_points == 0 {
            return;
        }
        let mut raised = false;
        me.game.update(&data, |state| {
            let base = &mut state.base;
            let target = match stat {
                StatId::Str => &mut base.str,
                StatId::Int => &mut base.intl,
                StatId::Wis => &mut base.wis,
                StatId::Agi => &mut base.agi,
                StatId::Con => &mut base.con,
                StatId::Cha => &mut base.cha,
                StatId::Unrecognized(_) => return,
            };
            if *target < max_stat {
                *target += 1;
                state.stat_points -= 1;
                raised = true;
            }
        });
        if !raised {
            return;
        }
        me.game.sync_info(&mut me.info, &data);
        let packet = StatSkillPlayerServerPacket {
            stat_points: me.game.state().stat_points,
            stats: me.game.stats_update(),
        };
        let reply = self.encode(&packet);
        self.send_to(player_id, reply);
    }

    /// StatSkill_Add (skill): spends a skill point on a spell the character knows, up to the
    /// spell's highest level.
    pub(super) fn spend_skill_point(&mut self, player_id: u16, spell_id: u16) {
        let max_level = usize::from(spell_id)
            .checked_sub(1)
            .and_then(|i| self.data.spells.data.skills.get(i))
            .map_or(0, |s| s.max_skill_level);
        let data = std::sync::Arc::clone(&self.data);
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let mut spell = None;
        me.game.update(&data, |state| {
            if state.skill_points == 0 {
                return;
            }
            if let Some((id, level)) = state.spells.iter_mut().find(|(id, _)| *id == spell_id)
                && *level < max_level
            {
                *level += 1;
                state.skill_points -= 1;
                spell = Some(Spell {
                    id: *id,
                    level: *level,
                });
            }
        });
        let Some(spell) = spell else {
            return;
        };
        let packet = StatSkillAcceptServerPacket {
            skill_points: me.game.state().skill_points,
            spell,
        };
        let reply = self.encode(&packet);
        self.send_to(player_id, reply);
    }
}
