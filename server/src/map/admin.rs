//! What commands do on a map (operators' `$sitem`, `$ditem`, `$quake`, and a player's
//! `#autopickup` after each step): one message,
//! [`MapMessage::Admin`](super::actor::MapMessage), decided here so the actor's loop only
//! passes it on. Items go through the map, which owns the inventory: the amount is checked
//! against what the character can carry before anything moves.

use std::time::Duration;

use eo_protocol::net::Spell;
use eo_protocol::net::ThreeItem;
use eo_protocol::net::server::{
    EffectUseServerPacket, EffectUseServerPacketEffectData, EffectUseServerPacketEffectDataQuake,
    ItemGetServerPacket, MapEffect, NpcKilledData, NpcSpecServerPacket,
    StatSkillAcceptServerPacket, StatSkillTakeServerPacket, TalkServerServerPacket,
};
use eo_protocol::{Coords, Direction};

use super::actor::MapActor;

/// The highest karma (EO's scale: 0 to 2000, 1000 neutral).
pub const MAX_KARMA: u16 = 2000;

/// An operator's action on this map.
#[derive(Debug, Clone)]
pub enum AdminAction {
    /// `amount` of item `item` into the character's inventory.
    SpawnItem {
        player_id: u16,
        item: u16,
        amount: u32,
    },
    /// `amount` of item `item` on the ground at the character's feet, for anyone.
    DropItem {
        player_id: u16,
        item: u16,
        amount: u32,
    },
    /// Every screen on the map quakes with `strength`.
    Quake { strength: u8 },
    /// Tells everyone on the map (Talk_Server): `$evacuate`'s countdown.
    Notify { message: String },
    /// What the character carries (`$inventory`) and wears (`$paperdoll`).
    Holdings { player_id: u16 },
    /// `$snpc`: `amount` NPCs of ENF `npc` around the character.
    SummonNpcs {
        player_id: u16,
        npc: u16,
        amount: u8,
    },
    /// `$dnpc`: the summoned NPCs of the map go.
    DismissNpcs,
    /// `$set`: one of the character's fields (map/set.rs), the value checked.
    Set {
        player_id: u16,
        field: eo_control::SetField,
        value: super::set::SetTo,
    },
    /// `$learn`: the character knows spell `spell` (at `level`, if given).
    Learn {
        player_id: u16,
        spell: u16,
        level: Option<u16>,
    },
    /// `$strip`: everything the character wears goes into its inventory (a cursed item stays,
    /// as it does for the player).
    Strip { player_id: u16 },
    /// `#autopickup`: the character takes the piles on its tile it may take, as if it had
    /// picked each up (the same checks: protection, weight, stack size).
    PickUpHere { player_id: u16 },
    /// `$qstate`: the character's quest `quest` goes to state `state` (map/quests/).
    QuestState {
        player_id: u16,
        quest: u16,
        state: String,
    },
    /// `$dress`, `$dress2`: `graphic` shows in `slot` of the character's look (map/dress.rs);
    /// `$undress`: `graphic` is `None` (no slot: every slot).
    Dress {
        player_id: u16,
        slot: Option<eo_control::DressSlot>,
        graphic: Option<u16>,
        /// An armor's: the gender it is made for (refused on the other, as worn armor is).
        for_gender: Option<u8>,
    },
    /// `$arena`: the map's arena launches now (map/arena.rs).
    ArenaLaunch,
}

/// What an action did: where (the character's tile for items), and how many it reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminDone {
    pub x: u8,
    pub y: u8,
    /// Characters shown the quake or told; the items' amount otherwise.
    pub count: u32,
    /// `Holdings`: the inventory, `(item id, amount)`.
    pub inventory: Vec<(u16, u32)>,
    /// `Holdings`: the equipment, in paperdoll order (0: an empty slot).
    pub equipment: Vec<u16>,
    /// `SummonNpcs`, `DismissNpcs`: the NPCs' indexes.
    pub npcs: Vec<u8>,
    /// `Set` of a text: the text in force.
    pub text: String,
}

impl AdminDone {
    pub(super) fn at(x: u8, y: u8, count: u32) -> Self {
        AdminDone {
            x,
            y,
            count,
            inventory: Vec::new(),
            equipment: Vec::new(),
            npcs: Vec::new(),
            text: String::new(),
        }
    }
}

impl MapActor {
    /// Carries out an operator's action, or says why not.
    pub(super) fn admin(&mut self, action: AdminAction) -> Result<AdminDone, String> {
        match action {
            AdminAction::SpawnItem {
                player_id,
                item,
                amount,
            } => self.spawn_item(player_id, item, amount),
            AdminAction::DropItem {
                player_id,
                item,
                amount,
            } => {
                let me = self.characters.get(&player_id).ok_or("not on this map")?;
                let (x, y) = me.at();
                let at = (
                    u8::try_from(x).map_err(|_| "off the map")?,
                    u8::try_from(y).map_err(|_| "off the map")?,
                );
                self.put_on_ground(item, amount, at, 0, Duration::ZERO, None)
                    .ok_or("the items could not be put down")?;
                Ok(AdminDone::at(at.0, at.1, amount))
            }
            AdminAction::PickUpHere { player_id } => {
                let (x, y) = self
                    .characters
                    .get(&player_id)
                    .ok_or("not on this map")?
                    .tile();
                let piles = self.ground.uids_at(x, y);
                let count = u32::try_from(piles.len()).unwrap_or(u32::MAX);
                for uid in piles {
                    self.get_item(player_id, uid);
                }
                Ok(AdminDone::at(x, y, count))
            }
            AdminAction::Notify { message } => {
                let body = self
                    .encode(&TalkServerServerPacket { message })
                    .ok_or("the message could not be encoded")?;
                Ok(AdminDone::at(0, 0, self.send_to_all(&body)))
            }
            AdminAction::Holdings { player_id } => {
                let me = self.characters.get(&player_id).ok_or("not on this map")?;
                let (x, y) = me.tile();
                let state = me.game.state();
                let mut done = AdminDone::at(x, y, 0);
                done.inventory = state.inventory.clone();
                done.equipment = state.equipment.to_array().to_vec();
                Ok(done)
            }
            AdminAction::SummonNpcs {
                player_id,
                npc,
                amount,
            } => {
                let (x, y) = self
                    .characters
                    .get(&player_id)
                    .ok_or("not on this map")?
                    .tile();
                let given = self.npcs.summon(npc, (x, y), amount)?;
                let mut done = AdminDone::at(x, y, u32::try_from(given.len()).unwrap_or(0));
                done.npcs = given;
                Ok(done)
            }
            AdminAction::DismissNpcs => {
                let gone = self.npcs.dismiss_summoned();
                for index in &gone {
                    // Shown as a death nobody caused, with no drop.
                    let at = self.npcs.get(*index).map_or((0, 0), |npc| npc.at);
                    let body = self.encode(&NpcSpecServerPacket {
                        npc_killed_data: NpcKilledData {
                            killer_id: 0,
                            killer_direction: Direction::Down,
                            npc_index: u16::from(*index),
                            drop_index: 0,
                            drop_id: 0,
                            drop_coords: Coords { x: at.0, y: at.1 },
                            drop_amount: 0,
                            damage: 0,
                        },
                        experience: None,
                    });
                    if let Some(body) = body {
                        self.send_to_all(&body);
                    }
                }
                let mut done = AdminDone::at(0, 0, u32::try_from(gone.len()).unwrap_or(0));
                done.npcs = gone;
                Ok(done)
            }
            AdminAction::Set {
                player_id,
                field,
                value,
            } => self.set_field(player_id, field, &value),
            AdminAction::Learn {
                player_id,
                spell,
                level,
            } => self.learn(player_id, spell, level),
            AdminAction::Strip { player_id } => {
                let worn = self
                    .characters
                    .get(&player_id)
                    .ok_or("not on this map")?
                    .game
                    .state()
                    .equipment
                    .to_array();
                // Paired slots (rings, armlets, bracers) are 9..15, the second of each odd.
                for (slot, item) in worn.iter().enumerate().filter(|(_, item)| **item != 0) {
                    let sub_loc = u8::from(slot >= 9 && slot % 2 == 0);
                    self.unequip(player_id, *item, sub_loc);
                }
                let me = self.characters.get(&player_id).ok_or("not on this map")?;
                let left = me.game.state().equipment.to_array();
                let taken = worn
                    .iter()
                    .zip(&left)
                    .filter(|(before, after)| **before != 0 && **after == 0)
                    .count();
                let (x, y) = me.tile();
                let mut done = AdminDone::at(x, y, u32::try_from(taken).unwrap_or(0));
                done.equipment = left.to_vec();
                Ok(done)
            }
            AdminAction::QuestState {
                player_id,
                quest,
                state,
            } => {
                let name = self.quest_to_state(player_id, quest, &state)?;
                let (x, y) = self
                    .characters
                    .get(&player_id)
                    .ok_or("not on this map")?
                    .tile();
                let mut done = AdminDone::at(x, y, u32::from(quest));
                done.text = name;
                Ok(done)
            }
            AdminAction::Dress {
                player_id,
                slot,
                graphic,
                for_gender,
            } => self.dress(player_id, slot, graphic, for_gender),
            AdminAction::ArenaLaunch => self
                .arena_force_launch()
                .map(|sent| AdminDone::at(0, 0, sent)),
            AdminAction::Quake { strength } => {
                let body = self
                    .encode(&EffectUseServerPacket {
                        effect: MapEffect::Quake,
                        effect_data: Some(EffectUseServerPacketEffectData::Quake(
                            EffectUseServerPacketEffectDataQuake {
                                quake_strength: strength,
                            },
                        )),
                    })
                    .ok_or("the quake could not be encoded")?;
                Ok(AdminDone::at(0, 0, self.send_to_all(&body)))
            }
        }
    }

    /// `$sitem`: all of `amount` into the inventory, or nothing (more than the character can
    /// carry, or a stack past `items.max_item_amount`, is refused). The client adds it as a
    /// pick-up of no pile (Item_Get with index 0, as EOSERV does).
    fn spawn_item(&mut self, player_id: u16, item: u16, amount: u32) -> Result<AdminDone, String> {
        let data = std::sync::Arc::clone(&self.data);
        let items = &self.config.items;
        let (max_amount, ignore_weight) = (items.max_item_amount, !items.enforce_weight);
        let me = self
            .characters
            .get_mut(&player_id)
            .ok_or("not on this map")?;
        let can = me
            .game
            .can_take(item, amount, max_amount, ignore_weight, &data);
        if can < amount {
            return Err(format!(
                "{} can take only {can} of item {item} (its weight, or a stack of at most {max_amount})",
                me.info.name
            ));
        }
        let added = me.game.add_item(item, amount, &data);
        let weight = me.game.weight_packet();
        let (x, y) = me.at();
        let body = self.encode(&ItemGetServerPacket {
            taken_item_index: 0,
            taken_item: ThreeItem {
                id: item,
                amount: added,
            },
            weight,
        });
        self.send_to(player_id, body);
        Ok(AdminDone::at(
            u8::try_from(x).unwrap_or(u8::MAX),
            u8::try_from(y).unwrap_or(u8::MAX),
            added,
        ))
    }

    /// `$learn`: a spell the ESF has, to a character that does not know it yet and has room
    /// (`skill_masters.max_spells`), at level 0 (as a skill master teaches it) or `level` (up
    /// to the spell's highest); a spell it knows takes `level`. Free of charge. The client is
    /// told as by a skill master (StatSkill_Take), and of a level as of a skill point spent
    /// (StatSkill_Accept). The answer's `count` is the spell's level.
    fn learn(
        &mut self,
        player_id: u16,
        spell: u16,
        level: Option<u16>,
    ) -> Result<AdminDone, String> {
        let data = std::sync::Arc::clone(&self.data);
        let record = usize::from(spell)
            .checked_sub(1)
            .and_then(|i| data.spells.data.skills.get(i))
            .filter(|record| !record.name.eq_ignore_ascii_case("eof"))
            .ok_or_else(|| format!("there is no spell {spell}"))?;
        let max_level = record.max_skill_level;
        if let Some(level) = level
            && level > max_level
        {
            return Err(format!("spell {spell}'s highest level is {max_level}"));
        }
        let max_spells = usize::from(self.config.skill_masters.max_spells);
        let me = self
            .characters
            .get_mut(&player_id)
            .ok_or("not on this map")?;
        let name = me.info.name.clone();
        let known = me.game.state().spells.iter().any(|(id, _)| *id == spell);
        let learned = match (known, level) {
            (true, None) => return Err(format!("{name} knows spell {spell} already")),
            (false, _) if me.game.state().spells.len() >= max_spells => {
                return Err(format!("{name} knows {max_spells} spells, the most it may"));
            }
            (known, level) => {
                let level = level.unwrap_or(0);
                me.game.update(&data, |state| {
                    match state.spells.iter_mut().find(|(id, _)| *id == spell) {
                        Some((_, at)) => *at = level,
                        None => state.spells.push((spell, level)),
                    }
                });
                (!known, level)
            }
        };
        let (x, y) = me.tile();
        let take = StatSkillTakeServerPacket {
            spell_id: spell,
            gold_amount: me.game.amount_of(crate::data::GOLD),
        };
        let accept = StatSkillAcceptServerPacket {
            skill_points: me.game.state().skill_points,
            spell: Spell {
                id: spell,
                level: learned.1,
            },
        };
        if learned.0 {
            let body = self.encode(&take);
            self.send_to(player_id, body);
        }
        if learned.1 > 0 || !learned.0 {
            let body = self.encode(&accept);
            self.send_to(player_id, body);
        }
        Ok(AdminDone::at(x, y, u32::from(learned.1)))
    }
}
