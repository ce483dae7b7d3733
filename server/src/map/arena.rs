//! An arena (`arenas.toml`, data/arenas.rs) on its map, as EOSERV and reoserv run one.
//!
//! Every `rate_secs` the players standing on the launch tiles are sent in, each to the tile
//! of its launch tile (Arena_Use to the map), unless `block` fighters are still in (then
//! Arena_Drop, and nobody goes). An empty arena needs two to start a round. In the arena one
//! adjacent blow between fighters knocks the victim out: it is sent to the map's relog point
//! (not killed: no HP lost, no death, nothing dropped) and the striker's kill is counted
//! (Arena_Spec to the map). When one fighter is left it wins (Arena_Accept to the map) and is
//! sent out too. Players never hurt each other on an arena's map otherwise (map/combat.rs).
//!
//! A fighter who leaves the map for good (logs out, takes a warp) is out of the round; if one
//! is left then, the round ends without a winner and that one is sent out with a word of
//! why. Because a warp within the map (the launch itself) also leaves and re-enters the map,
//! an absent fighter counts as gone only after [`AWAY_GRACE`].

use std::time::Duration;

use eo_protocol::Direction;
use eo_protocol::net::server::{
    ArenaAcceptServerPacket, ArenaDropServerPacket, ArenaSpecServerPacket, ArenaUseServerPacket,
    AvatarRemoveServerPacket, TalkServerServerPacket,
};
use tokio::time::Instant;

use super::actor::MapActor;
use super::pathfinding::step;
use crate::data::Arena;

/// How long a fighter may be off the map (between leaving and entering it again on a warp
/// within the map) before it counts as gone.
const AWAY_GRACE: Duration = Duration::from_secs(5);

/// What the server tells the last fighter when its opponents left.
const ABANDONED: &str = "The arena round is over: your last opponent left.";

/// A player sent into the arena this round.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fighter {
    player_id: u16,
    kills: u32,
    /// Since when it is not on the map (a warp within the map, or gone).
    away_since: Option<Instant>,
}

/// The arena of this map and its round.
pub(super) struct ArenaState {
    arena: Arena,
    next_launch: Instant,
    fighters: Vec<Fighter>,
}

impl ArenaState {
    pub fn new(arena: &Arena) -> Self {
        ArenaState {
            arena: arena.clone(),
            next_launch: Instant::now() + arena.rate(),
            fighters: Vec::new(),
        }
    }

    fn is_fighter(&self, player_id: u16) -> bool {
        self.fighters.iter().any(|f| f.player_id == player_id)
    }
}

impl MapActor {
    /// The arena's work on this tick: fighters who left are let go, and a launch when due.
    pub(super) fn arena_tick(&mut self) {
        let now = Instant::now();
        self.arena_let_go_of_the_gone(now);
        let Some(arena) = &mut self.arena else {
            return;
        };
        if now < arena.next_launch {
            return;
        }
        arena.next_launch = now + arena.arena.rate();
        self.arena_launch();
    }

    /// Fighters off the map for longer than the grace are out; a lone one left is sent out.
    fn arena_let_go_of_the_gone(&mut self, now: Instant) {
        let Some(arena) = &mut self.arena else {
            return;
        };
        let before = arena.fighters.len();
        for fighter in &mut arena.fighters {
            if self.characters.contains_key(&fighter.player_id) {
                fighter.away_since = None;
            } else {
                fighter.away_since.get_or_insert(now);
            }
        }
        arena
            .fighters
            .retain(|f| f.away_since.is_none_or(|since| now - since < AWAY_GRACE));
        if arena.fighters.len() == before || arena.fighters.len() != 1 {
            return;
        }
        let last: Vec<u16> = arena.fighters.drain(..).map(|f| f.player_id).collect();
        for player_id in last {
            if let Some(c) = self.characters.get(&player_id)
                && let Some(body) = self.encode(&TalkServerServerPacket {
                    message: ABANDONED.to_owned(),
                })
            {
                c.player.send(body);
            }
            self.arena_send_out(player_id);
        }
    }

    /// `$arena`: a launch now, even of one player, into an arena however full (EOSERV's
    /// forced launch); the timer starts again. How many went in.
    pub(super) fn arena_force_launch(&mut self) -> Result<u32, String> {
        let Some(arena) = &mut self.arena else {
            return Err(format!("map {} has no arena", self.id));
        };
        arena.next_launch = Instant::now() + arena.arena.rate();
        Ok(self.arena_launch_now(true))
    }

    /// The players on the launch tiles go in (each launch tile sends the first it finds
    /// there), unless the arena is full.
    fn arena_launch(&mut self) {
        self.arena_launch_now(false);
    }

    /// A launch; `forced` (`$arena`) sends in whoever stands on a launch tile, whatever the
    /// arena's `block` and however few. How many went in.
    fn arena_launch_now(&mut self, forced: bool) -> u32 {
        let Some(arena) = &self.arena else {
            return 0;
        };
        let mut going = Vec::new();
        for spawn in &arena.arena.spawns {
            let from = (u16::from(spawn.from.x), u16::from(spawn.from.y));
            let mut here: Vec<u16> = self
                .characters
                .iter()
                .filter(|(id, c)| {
                    c.at() == from
                        && !self.combat.is_dead(**id)
                        && !arena.is_fighter(**id)
                        && !going.iter().any(|(g, _)| g == *id)
                })
                .map(|(id, _)| *id)
                .collect();
            here.sort_unstable();
            if let Some(first) = here.first() {
                going.push((*first, spawn.to));
            }
        }
        if going.is_empty() {
            return 0;
        }
        if !forced && arena.fighters.len() >= usize::from(arena.arena.block) {
            if let Some(body) = self.encode(&ArenaDropServerPacket) {
                self.send_to_all(&body);
            }
            return 0;
        }
        // One alone has nobody to fight.
        if !forced && arena.fighters.is_empty() && going.len() < 2 {
            return 0;
        }
        let sent = u32::try_from(going.len()).unwrap_or(u32::MAX);
        let count = u8::try_from(going.len()).unwrap_or(u8::MAX);
        if let Some(body) = self.encode(&ArenaUseServerPacket {
            players_count: count,
        }) {
            self.send_to_all(&body);
        }
        for (player_id, to) in going {
            self.vanish(player_id);
            self.place(player_id, (u16::from(to.x), u16::from(to.y)));
            if let Some(c) = self.characters.get(&player_id) {
                c.player.warp(self.id, to.x, to.y);
            }
            if let Some(arena) = &mut self.arena {
                arena.fighters.push(Fighter {
                    player_id,
                    kills: 0,
                    away_since: None,
                });
            }
        }
        sent
    }

    /// Attack_Use by a fighter: a fighter on the next tile is knocked out. Whether the blow
    /// was the arena's (then nothing else happens to it).
    pub(super) fn arena_blow(&mut self, player_id: u16, direction: Direction) -> bool {
        let Some(arena) = &self.arena else {
            return false;
        };
        if !arena.is_fighter(player_id) {
            return false;
        }
        let Some(at) = self
            .characters
            .get(&player_id)
            .and_then(|me| step(me.tile(), direction))
        else {
            return false;
        };
        let victim = self
            .characters
            .iter()
            .find(|(id, c)| {
                **id != player_id
                    && c.tile() == at
                    && arena.is_fighter(**id)
                    && !self.combat.is_dead(**id)
            })
            .map(|(id, _)| *id);
        let Some(victim) = victim else {
            return false;
        };
        self.knock_out(player_id, victim, direction);
        true
    }

    /// `victim` is out, `striker` counts a kill; the last one standing wins.
    fn knock_out(&mut self, striker: u16, victim: u16, direction: Direction) {
        let name = |id: u16| {
            self.characters
                .get(&id)
                .map(|c| c.record.name.clone())
                .unwrap_or_default()
        };
        let (killer_name, victim_name) = (name(striker), name(victim));
        let Some(arena) = &mut self.arena else {
            return;
        };
        arena.fighters.retain(|f| f.player_id != victim);
        let Some(fighter) = arena.fighters.iter_mut().find(|f| f.player_id == striker) else {
            return;
        };
        fighter.kills = fighter.kills.saturating_add(1);
        let kills_count = fighter.kills;
        let won = arena.fighters.len() == 1;
        if won {
            arena.fighters.clear();
        }
        self.arena_send_out(victim);
        let body = if won {
            self.encode(&ArenaAcceptServerPacket {
                winner_name: killer_name.clone(),
                kills_count,
                killer_name,
                victim_name,
            })
        } else {
            self.encode(&ArenaSpecServerPacket {
                player_id: striker,
                direction,
                kills_count,
                killer_name,
                victim_name,
            })
        };
        if let Some(body) = body {
            self.send_to_all(&body);
        }
        if won {
            self.arena_send_out(striker);
        }
    }

    /// Out of the arena, to the map's relog point (the world's spawn point if the map has
    /// none): gone from sight here, moved there at once, and offered the warp.
    fn arena_send_out(&mut self, player_id: u16) {
        let (map, x, y) = match self.map() {
            Some(map) if (map.emf.relog_x, map.emf.relog_y) != (0, 0) => {
                (self.id, map.emf.relog_x, map.emf.relog_y)
            }
            _ => {
                let world = &self.config.world;
                (world.spawn_map, world.spawn_x, world.spawn_y)
            }
        };
        self.vanish(player_id);
        if map == self.id {
            self.place(player_id, (u16::from(x), u16::from(y)));
        }
        if let Some(c) = self.characters.get(&player_id) {
            c.player.warp(map, x, y);
        }
    }

    /// Those who see the character see it go (it reappears where its warp takes it).
    fn vanish(&self, player_id: u16) {
        let Some(c) = self.characters.get(&player_id) else {
            return;
        };
        if let Some(body) = self.encode(&AvatarRemoveServerPacket {
            player_id,
            warp_effect: None,
        }) {
            self.broadcast(c.at(), player_id, &body);
        }
    }
}
