//! Fighting on a map, decided by its actor: players striking NPCs (melee, or ranged with a
//! bow and arrows) and each other on PK maps, NPCs striking back, kills with their drop and
//! shared experience, and death with the respawn that follows.
//!
//! Blows on NPCs are gathered and sent on the map's tick: each viewer gets one Npc_Reply per
//! NPC hit in the tick (the last attacker, the tick's damage, the HP left), not one per blow,
//! so a crowd fighting one NPC does not flood the map. A kill is one event: each viewer gets
//! one Npc_Spec (Npc_Accept for whoever levelled up) when it happens.

use std::collections::{BTreeMap, HashMap, HashSet};

use eo_protocol::net::server::{
    AttackPlayerServerPacket, AvatarRemoveServerPacket, AvatarReplyServerPacket,
    CastAcceptServerPacket, CastSpecServerPacket, LevelUpStats, NpcAcceptServerPacket,
    NpcJunkServerPacket, NpcKillStealProtectionState, NpcKilledData, NpcReplyServerPacket,
    NpcSpecServerPacket, NpcUpdateAttack, PlayerKilledState, RecoverPlayerServerPacket, SitState,
};
use eo_protocol::pubs::ItemSubtype;
use eo_protocol::{Coords, Direction};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::actor::MapActor;
use super::character::ExperienceGain;
use super::npcs::{NpcEvents, Strike};
use super::pathfinding::{Tile, distance, step};
use crate::config::Config;
use crate::rules::combat::{self, Attacker, Target};
use crate::rules::loot::share_experience;
use crate::rules::stats;

/// The blows one NPC took since the last tick.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TickHits {
    /// Who struck.
    attackers: HashSet<u16>,
    /// The last to strike, and the way it faced.
    last: (u16, Direction),
    damage: u32,
    hp_percentage: u16,
}

/// What killed an NPC: a player's blow, or its spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Blow {
    Melee,
    Spell { spell_id: u16 },
}

/// A kill, as each viewer is told it.
struct KillReport {
    killed: NpcKilledData,
    blow: Blow,
    killer: u16,
}

impl KillReport {
    /// The kill packet for one viewer: `to` is the viewer and its TP when it fought or gets
    /// experience, `gain` its experience (None: the packet carries none). The killer of a
    /// spell's kill gets Cast_Spec (Cast_Accept on a level up) with its TP; everyone else who
    /// fought gets Npc_Spec (Npc_Accept) with their experience; watchers get the kill alone,
    /// as the killer's blow shows it.
    fn encode(
        &self,
        map: &MapActor,
        to: Option<(u16, u16)>,
        gain: Option<ExperienceGain>,
    ) -> Option<bytes::Bytes> {
        let killed = self.killed.clone();
        let level_up = gain.and_then(|gain| {
            gain.level_up.map(|level| LevelUpStats {
                level,
                stat_points: gain.stat_points,
                skill_points: gain.skill_points,
                max_hp: gain.max_hp,
                max_tp: gain.max_tp,
                max_sp: gain.max_sp,
            })
        });
        let experience = gain.map(|gain| gain.experience);
        match (self.blow, to) {
            (Blow::Spell { spell_id }, Some((viewer, tp))) if viewer == self.killer => {
                match level_up {
                    Some(level_up) => map.encode(&CastAcceptServerPacket {
                        spell_id,
                        npc_killed_data: killed,
                        caster_tp: Some(tp),
                        experience,
                        level_up: Some(level_up),
                    }),
                    None => map.encode(&CastSpecServerPacket {
                        spell_id,
                        npc_killed_data: killed,
                        caster_tp: Some(tp),
                        experience,
                    }),
                }
            }
            (Blow::Spell { spell_id }, None) => map.encode(&CastSpecServerPacket {
                spell_id,
                npc_killed_data: killed,
                caster_tp: None,
                experience: None,
            }),
            (_, _) => match level_up {
                Some(level_up) => map.encode(&NpcAcceptServerPacket {
                    npc_killed_data: killed,
                    experience,
                    level_up: Some(level_up),
                }),
                None => map.encode(&NpcSpecServerPacket {
                    npc_killed_data: killed,
                    experience,
                }),
            },
        }
    }
}

/// The map's fighting state.
pub(super) struct Combat {
    rng: StdRng,
    /// Blows on NPCs waiting for the tick, by NPC index.
    hits: BTreeMap<u8, TickHits>,
    /// Characters that died and wait to take their respawn warp: out of sight, out of reach,
    /// and unable to fight.
    dead: HashSet<u16>,
}

impl Combat {
    pub fn new(config: &Config, map_id: u16) -> Self {
        let seed = match config.npcs.seed {
            0 => rand::random(),
            seed => seed ^ u64::from(map_id).wrapping_mul(0xD1B5_4A32_D192_ED03),
        };
        Combat {
            rng: StdRng::seed_from_u64(seed),
            hits: BTreeMap::new(),
            dead: HashSet::new(),
        }
    }

    /// The character left the map: whatever it was here ends.
    pub fn forget(&mut self, player_id: u16) {
        self.dead.remove(&player_id);
    }

    /// The map's NPCs were replaced (`remap`): blows waiting for the tick were aimed at NPCs
    /// that are gone, and are dropped.
    pub fn forget_npc_hits(&mut self) {
        self.hits.clear();
    }

    /// Whether the character died and has not yet taken its respawn warp.
    pub fn is_dead(&self, player_id: u16) -> bool {
        self.dead.contains(&player_id)
    }

    /// The map's fighting dice (seeded from `[npcs] seed`), for spells too.
    pub(super) fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }
}

fn tile_of((x, y): (u16, u16)) -> Tile {
    (
        u8::try_from(x).unwrap_or(u8::MAX),
        u8::try_from(y).unwrap_or(u8::MAX),
    )
}

impl MapActor {
    /// Whether players may fight each other here. Never on an arena's map (map/arena.rs):
    /// there the knock-out rule is the only fight between players, as in EOSERV.
    pub(super) fn is_pk(&self) -> bool {
        if self.arena.is_some() {
            return false;
        }
        self.map()
            .is_some_and(|m| m.emf.r#type == eo_protocol::map::MapType::Pk)
            || self.config.combat.pk_maps.contains(&self.id)
    }

    /// How many tiles the character's weapon reaches: 1, or the ranged distance for a bow
    /// with arrows worn; `None` for a bow without arrows (it cannot attack).
    fn reach(&self, player_id: u16) -> Option<u8> {
        let me = self.characters.get(&player_id)?;
        let equipment = &me.game.state().equipment;
        let items = &self.data.items.data;
        let subtype = |id| stats::item(items, id).map(|record| record.subtype);
        if subtype(equipment.weapon) != Some(ItemSubtype::Ranged) {
            return Some(1);
        }
        (subtype(equipment.shield) == Some(ItemSubtype::Arrows))
            .then_some(self.config.combat.ranged_distance)
    }

    /// Attack_Use: the character faces `direction` and strikes (others see the swing); the
    /// first NPC (or, on a PK map, character) within its weapon's reach takes the blow.
    pub(super) fn attack(&mut self, player_id: u16, direction: Direction) {
        if self.combat.is_dead(player_id) || matches!(direction, Direction::Unrecognized(_)) {
            return;
        }
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if me.info.sit_state != SitState::Stand {
            return;
        }
        me.info.direction = direction;
        let from = me.at();
        if let Some(body) = self.encode(&AttackPlayerServerPacket {
            player_id,
            direction,
        }) {
            self.broadcast(from, player_id, &body);
        }
        if self.arena_blow(player_id, direction) {
            return;
        }
        let Some(reach) = self.reach(player_id) else {
            return;
        };
        let mut at = tile_of(from);
        for _ in 0..reach {
            let Some(next) = step(at, direction) else {
                return;
            };
            at = next;
            if let Some(index) = self.npcs.alive_at(at) {
                if self.npcs.alive(index).is_some_and(|npc| npc.attackable()) {
                    self.strike_npc(player_id, direction, index);
                }
                return;
            }
            // Who stands there, from the visibility index: not a scan of every character on
            // the map for each tile of the blow's reach.
            let spot = (u16::from(at.0), u16::from(at.1));
            let victim = self.index.on_tile(spot).find(|id| {
                *id != player_id
                    && !self.combat.is_dead(*id)
                    && self.characters.get(id).is_some_and(|c| !c.info.invisible)
            });
            if let Some(victim) = victim {
                if self.is_pk() {
                    self.strike_player(player_id, direction, victim);
                }
                return;
            }
            if !self.map().is_some_and(|m| m.is_walkable(at.0, at.1)) {
                return;
            }
        }
    }

    /// A player's blow on NPC `index`: rolled from the formulas, then either kept for the
    /// tick's Npc_Reply or, if it killed, the kill.
    fn strike_npc(&mut self, player_id: u16, direction: Direction, index: u8) {
        let (Some(me), Some(npc)) = (self.characters.get(&player_id), self.npcs.alive(index))
        else {
            return;
        };
        let Some(record) = self.npcs.record(npc.id) else {
            return;
        };
        let target = Target {
            evade: record.evade,
            armor: record.armor,
            sitting: false,
            level: record.level,
        };
        let swing = combat::swing(
            &self.data.formulas,
            me.game.attacker(),
            target,
            &mut self.combat.rng,
        );
        let damage = swing.damage();
        let Some(hurt) = self.npcs.hurt(index, player_id, damage) else {
            return;
        };
        if hurt.hp == 0 {
            self.kill_npc(index, player_id, direction, hurt.taken, Blow::Melee);
            return;
        }
        let hits = self.combat.hits.entry(index).or_insert_with(|| TickHits {
            attackers: HashSet::new(),
            last: (player_id, direction),
            damage: 0,
            hp_percentage: 100,
        });
        hits.attackers.insert(player_id);
        hits.last = (player_id, direction);
        hits.damage = hits.damage.saturating_add(hurt.taken);
        hits.hp_percentage = hurt.hp_percentage();
    }

    /// NPC `index` died of `killer`'s blow of `damage`: its drop lands for the killer, its
    /// experience is shared by damage (what a party member earned, by its party: see
    /// map/party.rs), everyone who sees it (or fought it) is told, a boss's children die with
    /// it, and it respawns in time. A spell's kill is told as one (Cast_Spec, Cast_Accept).
    pub(super) fn kill_npc(
        &mut self,
        index: u8,
        killer: u16,
        direction: Direction,
        damage: u32,
        blow: Blow,
    ) {
        let Some(npc) = self.npcs.alive(index) else {
            return;
        };
        let (id, at) = (npc.id, npc.at);
        let experience = self.npcs.record(id).map_or(0, |r| r.experience);
        let fought: Vec<(u16, u64)> = self
            .npcs
            .damage_by(index)
            .into_iter()
            .filter(|(player, _)| self.characters.contains_key(player))
            .collect();
        let children = self.npcs.kill(index);
        self.combat.hits.remove(&index);

        let drop = self
            .data
            .drops
            .roll(id, &mut self.combat.rng)
            .and_then(|(item, amount)| {
                let (uid, amount) = self.drop_npc_loot(item, amount, at, killer)?;
                Some((uid, item, amount))
            });
        let rewards = share_experience(experience, self.config.combat.exp_rate, &fought);
        let (direct, shared) = self.party_shares(rewards);
        let mut gains: HashMap<u16, ExperienceGain> = HashMap::new();
        for (player, reward) in direct {
            if let Some(c) = self.characters.get_mut(&player) {
                let gain = c.game.gain_experience(reward, &self.data);
                c.game.sync_info(&mut c.info, &self.data);
                gains.insert(player, gain);
            }
        }
        let killed = NpcKilledData {
            killer_id: killer,
            killer_direction: direction,
            npc_index: u16::from(index),
            drop_index: drop.map_or(0, |(uid, _, _)| uid),
            drop_id: drop.map_or(0, |(_, item, _)| item),
            drop_coords: Coords { x: at.0, y: at.1 },
            drop_amount: drop.map_or(0, |(_, _, amount)| amount),
            damage,
        };
        let kill = KillReport {
            killed,
            blow,
            killer,
        };
        // Those who only watched share one body; fighters get their own experience, party
        // members theirs in Party_TargetGroup.
        let watched = kill.encode(self, None, None);
        let fighters: HashSet<u16> = fought.iter().map(|(player, _)| *player).collect();
        // Who may be told: those in view (from the visibility index), the fighters and those
        // who gained, wherever they stand on the map; not a scan of every character.
        let mut told: Vec<u16> = self
            .in_range_of((u16::from(at.0), u16::from(at.1)))
            .map(|(id, _)| id)
            .chain(fighters.iter().copied())
            .chain(gains.keys().copied())
            .collect();
        told.sort_unstable();
        told.dedup();
        for player_id in &told {
            let Some(c) = self.characters.get(player_id) else {
                continue;
            };
            let state = c.game.state();
            let body = match gains.get(player_id).copied() {
                Some(gain) => kill.encode(self, Some((*player_id, state.tp)), Some(gain)),
                None if shared.contains_key(player_id)
                    && (fighters.contains(player_id)
                        || distance(tile_of(c.at()), at) <= super::SEE_DISTANCE) =>
                {
                    kill.encode(self, Some((*player_id, state.tp)), None)
                }
                None if fighters.contains(player_id) => kill.encode(
                    self,
                    Some((*player_id, state.tp)),
                    Some(ExperienceGain {
                        experience: state.experience,
                        level_up: None,
                        stat_points: 0,
                        skill_points: 0,
                        max_hp: 0,
                        max_tp: 0,
                        max_sp: 0,
                    }),
                ),
                None if distance(tile_of(c.at()), at) <= super::SEE_DISTANCE => watched.clone(),
                None => None,
            };
            if let Some(body) = body {
                c.player.send(body);
            }
        }
        for (player, gain) in &gains {
            if gain.level_up.is_some() {
                self.show_level_up(*player);
            }
        }
        self.give_party_shares(&shared);
        for child in children {
            if let Some(body) = self.encode(&NpcJunkServerPacket { npc_id: child }) {
                self.send_to_all(&body);
            }
        }
        self.quest_event(killer, super::quests::QuestEvent::KilledNpc(id));
    }

    /// A blow from one player on another (PK maps only): everyone who sees the victim gets
    /// Avatar_Reply; a victim brought to 0 HP dies.
    fn strike_player(&mut self, player_id: u16, direction: Direction, victim: u16) {
        let (Some(me), Some(them)) = (
            self.characters.get(&player_id),
            self.characters.get(&victim),
        ) else {
            return;
        };
        let target = them.game.target(them.info.sit_state != SitState::Stand);
        let swing = combat::swing(
            &self.data.formulas,
            me.game.attacker(),
            target,
            &mut self.combat.rng,
        );
        let damage = swing.damage();
        let Some(them) = self.characters.get_mut(&victim) else {
            return;
        };
        let taken = them.game.damage(damage);
        them.info.hp = them.game.state().hp;
        let dead = them.game.is_dead();
        let at = them.at();
        let hp_percentage = them.game.hp_percentage();
        if let Some(body) = self.encode(&AvatarReplyServerPacket {
            player_id,
            victim_id: victim,
            damage: taken,
            direction,
            hp_percentage,
            dead,
        }) {
            for (_, c) in self.in_range_of(at) {
                c.player.send(body.clone());
            }
        }
        if dead {
            self.kill_player(victim);
            self.quest_event(player_id, super::quests::QuestEvent::KilledPlayer);
        }
    }

    /// A player brought to 0 HP (by another, a spell, or the map's spikes) dies: its new HP
    /// first, then the way to its respawn point.
    pub(super) fn kill_player(&mut self, victim: u16) {
        self.revive(victim);
        if let Some(c) = self.characters.get(&victim) {
            let state = c.game.state();
            if let Some(body) = self.encode(&RecoverPlayerServerPacket {
                hp: state.hp,
                tp: state.tp,
            }) {
                c.player.send(body);
            }
        }
        self.respawn(victim);
    }

    /// The blows NPCs strike this tick, against the characters next to them; recorded in
    /// `events` for the tick's Npc_Player. Returns who died.
    pub(super) fn npc_strikes(&mut self, strikes: &[Strike], events: &mut NpcEvents) -> Vec<u16> {
        let mut died = Vec::new();
        for strike in strikes {
            let Some(npc) = self.npcs.alive(strike.index) else {
                continue;
            };
            let Some(record) = self.npcs.record(npc.id) else {
                continue;
            };
            let npc_at = npc.at;
            let attacker = Attacker {
                min_damage: record.min_damage,
                max_damage: record.max_damage,
                accuracy: record.accuracy,
                level: record.level,
            };
            // Killed earlier in this tick: revived already, but not struck again (it would
            // die twice and be offered two respawn warps).
            if self.combat.is_dead(strike.player_id) || died.contains(&strike.player_id) {
                continue;
            }
            let Some(target) = self.characters.get_mut(&strike.player_id) else {
                continue;
            };
            if target.info.invisible || distance(tile_of(target.at()), npc_at) > 1 {
                continue;
            }
            let sitting = target.info.sit_state != SitState::Stand;
            let swing = combat::swing(
                &self.data.formulas,
                attacker,
                target.game.target(sitting),
                &mut self.combat.rng,
            );
            let damage = swing.damage();
            let taken = target.game.damage(damage);
            target.info.hp = target.game.state().hp;
            let killed = target.game.is_dead();
            events.attacks.push((
                NpcUpdateAttack {
                    npc_index: strike.index,
                    killed: if killed {
                        PlayerKilledState::Killed
                    } else {
                        PlayerKilledState::Alive
                    },
                    direction: strike.direction,
                    player_id: strike.player_id,
                    damage: taken,
                    hp_percentage: target.game.hp_percentage(),
                },
                npc_at,
            ));
            if killed {
                // As EOSERV does, the victim is told its new HP in the same packet.
                self.revive(strike.player_id);
                died.push(strike.player_id);
            }
        }
        died
    }

    /// Back to the configured share of the maximum HP after dying, standing.
    fn revive(&mut self, player_id: u16) {
        let percent = u32::from(self.config.combat.death_hp_percent);
        let Some(c) = self.characters.get_mut(&player_id) else {
            return;
        };
        let max_hp = u32::from(c.game.derived().max_hp);
        let hp = (max_hp * percent / 100).max(1);
        let tp = c.game.state().tp;
        c.game.set_hp_tp(u16::try_from(hp).unwrap_or(u16::MAX), tp);
        c.info.hp = c.game.state().hp;
        c.info.sit_state = SitState::Stand;
    }

    /// Where a character who died here comes back: its home inn's spawn point (map/inns.rs),
    /// or else this map's relog point, or the world's spawn point when the map has none or
    /// `[combat] respawn_home` says so.
    fn respawn_point(&self, player_id: u16) -> (u16, u8, u8) {
        if let Some(home) = self.home_spawn(player_id) {
            return home;
        }
        let world = &self.config.world;
        let home = (world.spawn_map, world.spawn_x, world.spawn_y);
        if self.config.combat.respawn_home {
            return home;
        }
        match self.map() {
            Some(map) if (map.emf.relog_x, map.emf.relog_y) != (0, 0) => {
                (self.id, map.emf.relog_x, map.emf.relog_y)
            }
            _ => home,
        }
    }

    /// A dead character leaves the others' sight and is offered the warp to its respawn
    /// point (until it takes it, it can neither fight nor be fought). On this map it is moved
    /// there at once, so it is saved there even if it never takes the warp.
    pub(super) fn respawn(&mut self, player_id: u16) {
        let (map, x, y) = self.respawn_point(player_id);
        let Some(c) = self.characters.get(&player_id) else {
            return;
        };
        if !c.info.invisible
            && let Some(body) = self.encode(&AvatarRemoveServerPacket {
                player_id,
                warp_effect: None,
            })
        {
            self.broadcast(c.at(), player_id, &body);
        }
        if map == self.id {
            self.place(player_id, (u16::from(x), u16::from(y)));
        }
        let Some(c) = self.characters.get_mut(&player_id) else {
            return;
        };
        c.info.invisible = true;
        c.player.warp(map, x, y);
        self.combat.dead.insert(player_id);
    }

    /// Sends the blows on NPCs gathered since the last tick: per NPC hit, one Npc_Reply to
    /// each viewer (with the kill-steal flag for those who struck it).
    pub(super) fn send_hits(&mut self) {
        let hits = std::mem::take(&mut self.combat.hits);
        for (index, hits) in hits {
            let Some(npc) = self.npcs.alive(index) else {
                continue;
            };
            let at = npc.at;
            let reply = |flag| NpcReplyServerPacket {
                player_id: hits.last.0,
                player_direction: hits.last.1,
                npc_index: u16::from(index),
                damage: hits.damage,
                hp_percentage: hits.hp_percentage,
                kill_steal_protection: flag,
            };
            let to_watchers = self.encode(&reply(None));
            let to_attackers = self.encode(&reply(Some(NpcKillStealProtectionState::Unprotected)));
            // Those in view (from the visibility index), then the attackers out of view.
            let at = (u16::from(at.0), u16::from(at.1));
            for (player_id, c) in self.in_range_of(at) {
                let body = if hits.attackers.contains(&player_id) {
                    &to_attackers
                } else {
                    &to_watchers
                };
                if let Some(body) = body {
                    c.player.send(body.clone());
                }
            }
            for player_id in &hits.attackers {
                if let (Some(c), Some(body)) = (self.characters.get(player_id), &to_attackers)
                    && !super::actor::in_range(at, c.at())
                {
                    c.player.send(body.clone());
                }
            }
        }
    }
}
