//! The NPCs of one map, owned by its actor: spawning from the map file's spawn list,
//! respawning after death, bosses and their children, and what each NPC does when its turn
//! comes on the map's tick (wander, chase a player along a real path, give up when bored).
//!
//! Nothing here sends packets: a tick records what happened in [`NpcEvents`], and the map
//! actor sends each viewer one packet of each kind for the whole tick.
//!
//! Here are the NPCs' state and the tick; where they come from is in `npcs/spawning.rs`,
//! what each does with its turn in `npcs/behaviour.rs`.
//!
//! Time is counted in ticks of the map's clock (`[npcs] tick_ms`); every configured time is
//! converted to ticks once, here.

use std::collections::HashSet;
use std::sync::Arc;

use eo_protocol::net::server::{NpcMapInfo, NpcUpdateAttack, NpcUpdateChat};
use eo_protocol::pubs::{EnfRecord, NpcType};
use eo_protocol::{Coords, Direction};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tracing::warn;

use super::SEE_DISTANCE;
use super::pathfinding::{Tile, distance};
use crate::config::NpcConfig;
use crate::data::{GameData, MapData};

mod behaviour;
mod reload;
mod spawning;

/// NPC indexes are EO chars: a map holds at most this many NPCs.
pub const MAX_NPCS: usize = 253;
/// The most NPCs one list (Npc_Agree's count is a char) may carry.
pub const MAX_NPC_LIST: usize = 252;
/// Spawn type 7 stands still, facing the direction in its spawn time's two low bits.
const STANDING: u8 = 7;
/// The respawn time of the spawn of NPCs an operator summoned (`$snpc`): never, in effect (a
/// kill adds it to the clock, so it is far from `u64::MAX`).
const SUMMONED: u64 = u64::MAX / 4;
/// How summoned NPCs move: a middling wander.
const SUMMONED_SPAWN_TYPE: u8 = 3;
/// Tries at a random free tile around the spawn point before falling back to a scan.
const SPAWN_TRIES: usize = 200;

/// A character as the NPCs see it during one tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Seen {
    pub player_id: u16,
    pub at: Tile,
    /// Hidden admins are not noticed (but still take up their tile).
    pub hidden: bool,
}

/// What NPCs did in one tick, for the map actor to carry out (attacks) and send.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct NpcEvents {
    /// Indexes of NPCs that (re)spawned.
    pub appeared: Vec<u8>,
    /// Steps taken.
    pub moved: Vec<NpcMove>,
    /// NPCs next to the player they go for, about to strike (the map actor, which owns the
    /// characters, decides the blow).
    pub strikes: Vec<Strike>,
    /// The blows struck, as clients are told of them, with where the NPC stands.
    pub attacks: Vec<(NpcUpdateAttack, Tile)>,
    /// What NPCs said (map/npc_speech.rs), with where each stands.
    pub chats: Vec<(NpcUpdateChat, Tile)>,
}

impl NpcEvents {
    pub fn is_empty(&self) -> bool {
        self.appeared.is_empty()
            && self.moved.is_empty()
            && self.attacks.is_empty()
            && self.chats.is_empty()
    }
}

/// An NPC about to strike the player next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Strike {
    pub index: u8,
    pub player_id: u16,
    pub direction: Direction,
}

/// What a player's blow did to an NPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hurt {
    /// HP it took (never more than the NPC had).
    pub taken: u32,
    /// HP left; 0 means the blow killed it (the caller then calls [`Npcs::kill`]).
    pub hp: u32,
    pub max_hp: u32,
}

impl Hurt {
    /// HP left as a percentage, for HP bars.
    pub fn hp_percentage(&self) -> u16 {
        (u64::from(self.hp) * 100 / u64::from(self.max_hp.max(1))).min(100) as u16 // ok: <= 100
    }
}

/// One NPC's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NpcMove {
    pub index: u8,
    pub from: Tile,
    pub to: Tile,
    pub direction: Direction,
}

/// A player who hit an NPC: how hard in all, and when last (in ticks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Opponent {
    pub player_id: u16,
    pub damage: u64,
    pub last_hit: u64,
}

/// Whom an NPC is chasing, and when it last hit or was hit by them (or stood next to them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chase {
    player_id: u16,
    last_contact: u64,
}

/// One entry of the map file's spawn list, with its times in ticks.
#[derive(Debug, Clone)]
struct Spawn {
    at: Tile,
    spawn_type: u8,
    /// Ticks from death to respawn.
    respawn: u64,
    /// The facing of a standing NPC.
    direction: Direction,
}

/// One NPC of the map.
#[derive(Debug, Clone)]
pub(super) struct Npc {
    pub index: u8,
    /// Its ENF record id (1-based).
    pub id: u16,
    spawn: usize,
    pub at: Tile,
    pub direction: Direction,
    pub alive: bool,
    pub hp: u32,
    pub max_hp: u32,
    pub boss: bool,
    pub child: bool,
    pub kind: NpcType,
    /// The tick of its next action.
    next_act: u64,
    /// The tick it respawns at, while dead.
    respawn_at: u64,
    /// Acts left to stand idle while wandering.
    idle_acts: u8,
    chase: Option<Chase>,
    /// Players it gave up on, until when.
    bored_of: Vec<(u16, u64)>,
    pub opponents: Vec<Opponent>,
}

impl Npc {
    /// NPC `id` of `record`, numbered `index`, from spawn `spawn`, not yet on the map: the
    /// tick at `respawn_at` places it at `at` and shows it.
    fn waiting(
        index: u8,
        (id, record): (u16, &EnfRecord),
        spawn: usize,
        at: Tile,
        respawn_at: u64,
    ) -> Npc {
        Npc {
            index,
            id,
            spawn,
            at,
            direction: Direction::Down,
            alive: false,
            hp: record.hp,
            max_hp: record.hp,
            boss: record.boss,
            child: record.child,
            kind: record.r#type,
            next_act: 0,
            respawn_at,
            idle_acts: 0,
            chase: None,
            bored_of: Vec::new(),
            opponents: Vec::new(),
        }
    }

    /// What clients are told of it.
    pub fn info(&self) -> NpcMapInfo {
        NpcMapInfo {
            index: self.index,
            id: self.id,
            coords: Coords {
                x: self.at.0,
                y: self.at.1,
            },
            direction: self.direction,
        }
    }

    /// Whether players may fight it (shopkeepers and the like may not).
    pub fn attackable(&self) -> bool {
        matches!(self.kind, NpcType::Passive | NpcType::Aggressive)
    }
}

/// The configured times, in ticks.
#[derive(Debug, Clone)]
struct Timing {
    speeds: [u64; 7],
    bored: u64,
    chase_distance: u32,
    path_limit: u32,
    spawn_radius: u8,
}

/// The NPCs of one map.
pub(super) struct Npcs {
    data: Arc<GameData>,
    map_id: u16,
    list: Vec<Npc>,
    spawns: Vec<Spawn>,
    timing: Timing,
    rng: StdRng,
    /// Ticks since the map started.
    now: u64,
}

impl Npcs {
    /// The NPCs the map file spawns, all dead, to spawn on the first tick.
    pub fn new(data: Arc<GameData>, map_id: u16, config: &NpcConfig) -> Self {
        let seed = if config.seed == 0 {
            rand::random()
        } else {
            config.seed ^ u64::from(map_id).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        };
        let timing = Timing {
            speeds: config.speeds_ms.map(|ms| config.ticks(ms)),
            bored: config.ticks(config.bored_ms),
            chase_distance: u32::from(config.chase_distance),
            path_limit: config.path_limit,
            spawn_radius: config.spawn_radius,
        };
        let mut npcs = Npcs {
            data: Arc::clone(&data),
            map_id,
            list: Vec::new(),
            spawns: Vec::new(),
            timing,
            rng: StdRng::seed_from_u64(seed),
            now: 0,
        };
        let Some(map) = data.maps.get(&map_id) else {
            return npcs;
        };
        for spawn in &map.emf.npcs {
            let Some(record) = npcs.record(spawn.id) else {
                warn!(
                    map = map_id,
                    npc = spawn.id,
                    "a spawn of an NPC the ENF file lacks is skipped"
                );
                continue;
            };
            let record = record.clone();
            let standing = spawn.spawn_type >= STANDING;
            let seconds = if standing { 0 } else { spawn.spawn_time };
            let ms = (f64::from(seconds) * 1000.0 * config.respawn_rate) as u64;
            let spawn_index = npcs.spawns.len();
            npcs.spawns.push(Spawn {
                at: (spawn.coords.x, spawn.coords.y),
                spawn_type: spawn.spawn_type.min(STANDING),
                respawn: if ms == 0 { 0 } else { config.ticks(ms) },
                direction: Direction::from(u32::from(spawn.spawn_time & 3)),
            });
            for _ in 0..spawn.amount {
                let Ok(index) = u8::try_from(npcs.list.len()) else {
                    break;
                };
                if npcs.list.len() >= MAX_NPCS {
                    break;
                }
                npcs.list.push(Npc::waiting(
                    index,
                    (spawn.id, &record),
                    spawn_index,
                    (spawn.coords.x, spawn.coords.y),
                    0,
                ));
            }
        }
        let wanted: usize = map.emf.npcs.iter().map(|s| usize::from(s.amount)).sum();
        if wanted > npcs.list.len() {
            warn!(
                map = map_id,
                wanted,
                spawned = npcs.list.len(),
                "the map spawns more NPCs than one map can index (253)"
            );
        }
        npcs
    }

    /// The ENF record of NPC id `id`.
    pub fn record(&self, id: u16) -> Option<&EnfRecord> {
        self.data
            .npcs
            .data
            .npcs
            .get(usize::from(id).checked_sub(1)?)
    }

    fn map(&self) -> Option<&MapData> {
        self.data.map(self.map_id)
    }

    /// The NPC of `index`, alive or dead.
    pub fn get(&self, index: u8) -> Option<&Npc> {
        self.list.get(usize::from(index))
    }

    /// The living NPC of `index`.
    /// How many are alive.
    pub fn living(&self) -> usize {
        self.list.iter().filter(|npc| npc.alive).count()
    }

    pub fn alive(&self, index: u8) -> Option<&Npc> {
        self.get(index).filter(|npc| npc.alive)
    }

    /// Whether a living NPC stands on `tile`.
    pub fn occupies(&self, tile: Tile) -> bool {
        self.alive_at(tile).is_some()
    }

    /// The index of the living NPC on `tile`.
    pub fn alive_at(&self, tile: Tile) -> Option<u8> {
        self.list
            .iter()
            .find(|npc| npc.alive && npc.at == tile)
            .map(|npc| npc.index)
    }

    /// Every living NPC below its maximum HP regains what `gain(hp, max_hp)` gives (bounded
    /// to its maximum). Clients are not told: they see an NPC's HP only in the bar of a blow.
    pub fn recover(&mut self, gain: impl Fn(u32, u32) -> u32) {
        for npc in self.list.iter_mut().filter(|n| n.alive && n.hp < n.max_hp) {
            let gained = gain(npc.hp, npc.max_hp);
            npc.hp = npc.hp.saturating_add(gained).min(npc.max_hp);
        }
    }

    /// Ticks since the map started.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// `player_id` strikes NPC `index` for `damage` (0 for a miss): it loses up to its HP,
    /// remembers the player as an opponent (so it fights back) and counts the damage for
    /// sharing its experience. `None` if the NPC is dead or cannot be fought.
    pub fn hurt(&mut self, index: u8, player_id: u16, damage: u32) -> Option<Hurt> {
        let now = self.now;
        let npc = self
            .list
            .get_mut(usize::from(index))
            .filter(|n| n.alive && n.attackable())?;
        let taken = damage.min(npc.hp);
        npc.hp -= taken;
        match npc.opponents.iter_mut().find(|o| o.player_id == player_id) {
            Some(opponent) => {
                opponent.damage = opponent.damage.saturating_add(u64::from(taken));
                opponent.last_hit = now;
            }
            None => npc.opponents.push(Opponent {
                player_id,
                damage: u64::from(taken),
                last_hit: now,
            }),
        }
        if let Some(chase) = npc.chase.as_mut().filter(|c| c.player_id == player_id) {
            chase.last_contact = now;
        }
        Some(Hurt {
            taken,
            hp: npc.hp,
            max_hp: npc.max_hp,
        })
    }

    /// Who hit NPC `index` and for how much in all: `(player id, damage)`.
    pub fn damage_by(&self, index: u8) -> Vec<(u16, u64)> {
        self.get(index)
            .map(|npc| {
                npc.opponents
                    .iter()
                    .map(|o| (o.player_id, o.damage))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The living NPCs seen from `at`, at most what a list can hold.
    pub fn seen_from(&self, at: Tile) -> Vec<NpcMapInfo> {
        self.list
            .iter()
            .filter(|npc| npc.alive && distance(npc.at, at) <= SEE_DISTANCE)
            .take(MAX_NPC_LIST)
            .map(Npc::info)
            .collect()
    }

    /// The living NPCs seen from `to` but not from `from` (what a step brings into view).
    pub fn newly_seen(&self, from: Tile, to: Tile) -> Vec<NpcMapInfo> {
        self.list
            .iter()
            .filter(|npc| {
                npc.alive
                    && distance(npc.at, to) <= SEE_DISTANCE
                    && distance(npc.at, from) > SEE_DISTANCE
            })
            .take(MAX_NPC_LIST)
            .map(Npc::info)
            .collect()
    }

    /// Kills NPC `index`: it respawns after its spawn's time. A boss takes the children of
    /// its map with it when no other boss is left alive; the ENF ids of the children that died
    /// are returned (each once), for Npc_Junk.
    pub fn kill(&mut self, index: u8) -> Vec<u16> {
        let now = self.now;
        let Some(npc) = self.list.get(usize::from(index)).filter(|n| n.alive) else {
            return Vec::new();
        };
        let respawn = self.spawns.get(npc.spawn).map_or(0, |s| s.respawn);
        let boss = npc.boss;
        let npc = &mut self.list[usize::from(index)];
        npc.alive = false;
        npc.respawn_at = now + respawn;
        npc.opponents.clear();
        npc.chase = None;
        if !boss || self.list.iter().any(|n| n.boss && n.alive) {
            return Vec::new();
        }
        let mut children = Vec::new();
        for child in self.list.iter_mut().filter(|n| n.child && n.alive) {
            child.alive = false;
            child.opponents.clear();
            child.chase = None;
            // It comes back with the next boss.
            child.respawn_at = u64::MAX;
            if !children.contains(&child.id) {
                children.push(child.id);
            }
        }
        children
    }

    /// Advances the clock one tick: NPCs whose time has come respawn, and, when someone is on
    /// the map to see it, NPCs whose turn it is act. `players` is only called when something
    /// is due.
    pub fn tick(&mut self, players: impl FnOnce() -> Vec<Seen>, events: &mut NpcEvents) {
        self.now += 1;
        let now = self.now;
        let respawn_due = self.list.iter().any(|n| !n.alive && n.respawn_at <= now);
        let act_due = self.list.iter().any(|n| n.alive && n.next_act <= now);
        if !respawn_due && !act_due {
            return;
        }
        let players = players();
        let mut occupied: HashSet<Tile> = players.iter().map(|p| p.at).collect();
        occupied.extend(self.list.iter().filter(|n| n.alive).map(|n| n.at));
        if respawn_due {
            self.respawn(&mut occupied, events);
        }
        if act_due && !players.is_empty() {
            self.act(&players, &mut occupied, events);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::pathfinding::facing;

    fn bundled() -> Arc<GameData> {
        Arc::new(crate::data::bundled_for_tests())
    }

    fn config() -> NpcConfig {
        NpcConfig {
            seed: 42,
            ..NpcConfig::default()
        }
    }

    #[test]
    fn the_town_spawns_its_npcs_on_the_first_tick() {
        let mut npcs = Npcs::new(bundled(), 1, &config());
        assert_eq!(
            npcs.list.len(),
            15,
            "3 townsfolk, 3 hoppers, 1 boar, the skill master, the barber, the guild master, \
             the lawyer, the priest, 3 quest givers"
        );
        let mut events = NpcEvents::default();
        npcs.tick(Vec::new, &mut events);
        assert_eq!(events.appeared, (0..15).collect::<Vec<u8>>());
        // The trader stands where the map puts her, facing the way her spawn time says.
        let trader = npcs.alive(0).unwrap();
        assert_eq!((trader.id, trader.at), (1, (7, 1)));
        assert_eq!(
            trader.direction,
            Direction::Down,
            "spawn time 0: facing down"
        );
        // The hoppers land within two tiles of (4, 16), on free tiles inside the pen.
        let data = bundled();
        let town = &data.maps[&1];
        let mut tiles = HashSet::new();
        for npc in npcs.list.iter().filter(|n| n.id == 4) {
            assert!(distance(npc.at, (4, 16)) <= 4, "{:?}", npc.at);
            assert!(town.is_npc_walkable(npc.at.0, npc.at.1));
            assert!(tiles.insert(npc.at), "two on one tile");
        }
    }

    #[test]
    fn nobody_on_the_map_means_nobody_moves() {
        let mut npcs = Npcs::new(bundled(), 1, &config());
        let mut events = NpcEvents::default();
        for _ in 0..200 {
            npcs.tick(Vec::new, &mut events);
        }
        assert!(events.moved.is_empty());
    }

    #[test]
    fn wanderers_stay_inside_the_pen_and_never_share_a_tile() {
        let data = bundled();
        let mut npcs = Npcs::new(Arc::clone(&data), 1, &config());
        let far = Seen {
            player_id: 1,
            at: (20, 8),
            hidden: false,
        };
        let mut events = NpcEvents::default();
        for _ in 0..2000 {
            npcs.tick(|| vec![far], &mut events);
            let alive: Vec<Tile> = npcs.list.iter().filter(|n| n.alive).map(|n| n.at).collect();
            let unique: HashSet<&Tile> = alive.iter().collect();
            assert_eq!(unique.len(), alive.len());
        }
        let hopper_moves = events.moved.iter().filter(|m| m.index >= 3 && m.index <= 5);
        assert!(hopper_moves.count() > 20, "the hoppers wander");
        for m in &events.moved {
            assert_eq!(distance(m.from, m.to), 1);
            assert!(data.maps[&1].is_npc_walkable(m.to.0, m.to.1));
            // The pen: x 1..8, y 14..18.
            assert!(
                (1..=8).contains(&m.to.0) && (14..=18).contains(&m.to.1),
                "{m:?}"
            );
        }
        assert!(
            !events.moved.iter().any(|m| m.index < 3),
            "standing NPCs stand"
        );
    }

    #[test]
    fn the_aggressive_boar_comes_for_a_player_in_the_pen() {
        let mut npcs = Npcs::new(bundled(), 1, &config());
        let boar = 6;
        let player = Seen {
            player_id: 9,
            at: (1, 14),
            hidden: false,
        };
        let mut events = NpcEvents::default();
        for _ in 0..400 {
            npcs.tick(|| vec![player], &mut events);
        }
        let at = npcs.alive(boar).unwrap().at;
        assert_eq!(
            distance(at, player.at),
            1,
            "the boar stands next to the player"
        );
        assert_eq!(
            npcs.list[usize::from(boar)].direction,
            facing(at, player.at)
        );
    }

    #[test]
    fn in_the_bundled_field_a_boar_goes_round_the_rock_wall() {
        // Gravemaw Hollow: boars spawn south of the rock wall at y = 18 (x 6 to 17); a player
        // on the path north of it.
        let mut npcs = Npcs::new(bundled(), 2, &config());
        let player = Seen {
            player_id: 9,
            at: (12, 15),
            hidden: false,
        };
        let mut events = NpcEvents::default();
        let boars: Vec<usize> = (0..npcs.list.len())
            .filter(|i| npcs.list[*i].id == 5)
            .collect();
        for _ in 0..3000 {
            npcs.tick(|| vec![player], &mut events);
            if boars
                .iter()
                .any(|i| distance(npcs.list[*i].at, player.at) == 1)
            {
                break;
            }
        }
        let arrived = boars
            .iter()
            .find(|i| distance(npcs.list[**i].at, player.at) == 1)
            .map(|i| npcs.list[*i].index);
        let arrived = arrived.expect("a boar reached the player");
        let path: Vec<Tile> = events
            .moved
            .iter()
            .filter(|m| m.index == arrived)
            .map(|m| m.to)
            .collect();
        assert!(
            path.iter().any(|(x, y)| *y == 18 && (*x <= 5 || *x >= 18)),
            "round an end of the wall: {path:?}"
        );
    }

    #[test]
    fn a_passive_npc_hit_long_ago_stops_chasing_but_remembers_the_damage() {
        let config = NpcConfig {
            bored_ms: 1000,
            ..config()
        };
        let mut npcs = Npcs::new(bundled(), 1, &config);
        let mut events = NpcEvents::default();
        npcs.tick(Vec::new, &mut events);
        let hopper = npcs.list.iter().find(|n| n.id == 4).unwrap().index;
        let player = Seen {
            player_id: 9,
            at: (2, 15),
            hidden: false,
        };
        npcs.hurt(hopper, 9, 3).unwrap();
        let npc = npcs.alive(hopper).unwrap();
        assert_eq!(
            npcs.target(npc, &[player]),
            Some((9, player.at)),
            "hit: it fights back"
        );
        for _ in 0..20 {
            npcs.tick(Vec::new, &mut events);
        }
        let npc = npcs.alive(hopper).unwrap();
        assert_eq!(
            npcs.target(npc, &[player]),
            None,
            "a second later it has forgotten"
        );
        assert_eq!(
            npcs.damage_by(hopper),
            vec![(9, 3)],
            "the damage still counts"
        );
    }

    #[test]
    fn a_hidden_player_is_not_noticed() {
        let mut npcs = Npcs::new(bundled(), 1, &config());
        let hidden = Seen {
            player_id: 9,
            at: (1, 14),
            hidden: true,
        };
        let mut events = NpcEvents::default();
        npcs.tick(|| vec![hidden], &mut events);
        let boar = npcs.alive(6).unwrap();
        assert_eq!(npcs.target(boar, &[hidden]), None);
    }

    #[test]
    fn an_unreachable_player_bores_the_npc_which_gives_up() {
        // The boar cannot leave the pen (its fence is an NPC boundary); a player just outside
        // is in chase distance but out of reach.
        let config = NpcConfig {
            bored_ms: 2000,
            ..config()
        };
        let mut npcs = Npcs::new(bundled(), 1, &config);
        let outside = Seen {
            player_id: 9,
            at: (12, 16),
            hidden: false,
        };
        let mut events = NpcEvents::default();
        let boar = 6;
        let mut gave_up = false;
        for _ in 0..400 {
            npcs.tick(|| vec![outside], &mut events);
            if npcs.list[boar].bored_of.iter().any(|(id, _)| *id == 9) {
                gave_up = true;
                break;
            }
        }
        assert!(gave_up, "the boar gives up on the player it cannot reach");
        assert_eq!(npcs.list[boar].chase, None);
    }

    #[test]
    fn a_boss_brings_its_children_and_takes_them_when_it_dies() {
        let mut npcs = Npcs::new(bundled(), 2, &config());
        let mut events = NpcEvents::default();
        npcs.tick(Vec::new, &mut events);
        let boss = npcs.list.iter().position(|n| n.boss).unwrap() as u8;
        let children: Vec<u8> = npcs
            .list
            .iter()
            .filter(|n| n.child)
            .map(|n| n.index)
            .collect();
        assert_eq!(children.len(), 3);
        assert!(children.iter().all(|i| npcs.alive(*i).is_some()));
        // A child killed while the boss lives comes back after its spawn time (120 s).
        assert!(npcs.kill(children[0]).is_empty());
        assert!(npcs.alive(children[0]).is_none());
        for _ in 0..npcs.timing_respawn(children[0]) {
            npcs.tick(Vec::new, &mut events);
        }
        assert!(npcs.alive(children[0]).is_some(), "respawned");
        // The boss takes its children with it, and they do not come back on their own.
        assert_eq!(npcs.kill(boss), vec![7]);
        assert!(children.iter().all(|i| npcs.alive(*i).is_none()));
        assert!(npcs.kill(boss).is_empty(), "a dead NPC cannot die again");
        let boss_respawn = npcs.timing_respawn(boss);
        assert_eq!(boss_respawn, 300 * 8, "300 s of 125 ms ticks");
        for _ in 1..boss_respawn {
            npcs.tick(Vec::new, &mut events);
        }
        assert!(npcs.alive(boss).is_none() && children.iter().all(|i| npcs.alive(*i).is_none()));
        // With the boss back, so are they.
        npcs.tick(Vec::new, &mut events);
        assert!(npcs.alive(boss).is_some());
        assert!(children.iter().all(|i| npcs.alive(*i).is_some()));
    }

    impl Npcs {
        fn timing_respawn(&self, index: u8) -> u64 {
            self.spawns[self.list[usize::from(index)].spawn].respawn
        }
    }
}
