//! The map actor's state and message loop. What it is asked is in `message.rs`; how a
//! character moves (walk, face, sit) in `movement.rs`; how one arrives, leaves or hides in
//! `presence.rs`; each feature in a file of its own beside them.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use eo_protocol::net::server::{
    CharacterMapInfo, EmotePlayerServerPacket, NearbyInfo, NpcAgreeServerPacket,
    RangeReplyServerPacket, TalkPlayerServerPacket,
};
use eo_protocol::serialize::Packet;
use tokio::sync::mpsc;
use tokio::time::sleep_until;
use tracing::{error, warn};

use super::character::CharacterGame;
use super::combat::Combat;
use super::ground::Ground;
use super::npcs::{NpcEvents, Npcs, Seen};
use super::visibility::Visibility;
use super::{MAX_NEARBY_CHARACTERS, SEE_DISTANCE, npc_broadcast};
use crate::config::Config;
use crate::data::{GameData, MapData};
use crate::db::Character;
use crate::net::packet;
use crate::player::PlayerHandle;
use crate::save::SaveQueue;

pub(super) use super::message::{ItemAction, MapMessage};

pub(super) struct OnMap {
    pub(super) info: CharacterMapInfo,
    pub(super) player: PlayerHandle,
    /// The character's game state (see `map/character.rs`).
    pub(super) game: CharacterGame,
    /// The whole character as it was last queued for saving (map/persistence.rs); what is
    /// live (position, game state) is in `info` and `game`.
    pub(super) record: Box<Character>,
    /// The NPC service it has open (map/services.rs).
    pub(super) interaction: Option<super::services::Interaction>,
    /// The locker or chest it has open (map/objects.rs).
    pub(super) object: Option<super::objects::OpenObject>,
}

impl OnMap {
    pub(super) fn at(&self) -> (u16, u16) {
        (self.info.coords.x, self.info.coords.y)
    }

    /// Its tile on the u8 grid NPCs use (characters are never placed off it).
    pub(super) fn tile(&self) -> (u8, u8) {
        tile(self.at())
    }
}

pub(super) fn tile((x, y): (u16, u16)) -> (u8, u8) {
    (
        u8::try_from(x).unwrap_or(u8::MAX),
        u8::try_from(y).unwrap_or(u8::MAX),
    )
}

pub(super) fn in_range(a: (u16, u16), b: (u16, u16)) -> bool {
    u32::from(a.0.abs_diff(b.0)) + u32::from(a.1.abs_diff(b.1)) <= SEE_DISTANCE
}

/// This map's instruments (see `crate::metrics`).
struct MapMetrics {
    players: prometheus_client::metrics::gauge::Gauge,
    npcs: prometheus_client::metrics::gauge::Gauge,
    tick: prometheus_client::metrics::histogram::Histogram,
}

impl MapMetrics {
    fn new(metrics: &crate::metrics::Metrics, map: u16) -> Self {
        let label = crate::metrics::MapLabel { map };
        Self {
            players: metrics.players_in_game.get_or_create_owned(&label),
            npcs: metrics.npcs_alive.get_or_create_owned(&label),
            tick: metrics.map_tick(map),
        }
    }
}

pub(super) struct MapActor {
    pub(super) data: Arc<GameData>,
    pub(super) id: u16,
    rx: mpsc::Receiver<MapMessage>,
    /// The characters on the map. Their coords change only through `place` (or `enter` and
    /// `leave`), which keep `index` in step: writing `info.coords` directly would leave the
    /// character where the index last saw it, out of others' broadcasts.
    pub(super) characters: HashMap<u16, OnMap>,
    /// Where `characters` stand, by cell and tile (map/visibility.rs).
    pub(super) index: Visibility,
    pub(super) npcs: Npcs,
    /// When the NPCs speak (map/npc_speech.rs).
    pub(super) speech: super::npc_speech::SpeechClock,
    tick: std::time::Duration,
    /// Blows waiting for the tick, and the dead (map/combat.rs).
    pub(super) combat: Combat,
    pub(super) config: Arc<Config>,
    /// The items on the ground (map/ground.rs).
    pub(super) ground: Ground,
    /// Where the characters on the map are saved (map/persistence.rs).
    pub(super) saves: SaveQueue,
    /// What the map counts: its players, its living NPCs, its ticks' durations.
    metrics: MapMetrics,
    /// The track the map's jukebox plays (map/jukebox.rs).
    pub(super) jukebox: super::jukebox::Jukebox,
    /// The doors that are open (map/doors.rs).
    pub(super) doors: super::doors::Doors,
    /// The chests and what is in them (map/chests.rs).
    pub(super) chests: super::chests::Chests,
    /// The parties of the characters here (map/party.rs).
    pub(super) parties: super::party::Parties,
    /// The characters' chants and cooldowns (map/spells.rs).
    pub(super) casting: super::spells::Casting,
    /// The trades asked for and open (map/trade/).
    pub(super) trades: super::trade::Trades,
    /// The map's timed effects: drains, quakes, timed spikes (map/effects.rs).
    pub(super) effects: super::effects::MapEffects,
    /// The arena on this map, if it has one, and its round (map/arena.rs).
    pub(super) arena: Option<super::arena::ArenaState>,
    /// Wedding proposals and ceremonies (map/marriage.rs).
    pub(super) weddings: super::marriage::Weddings,
    /// Test builds: the map handles nothing until then (map/fault.rs).
    #[cfg(feature = "fault-injection")]
    stalled_until: Option<tokio::time::Instant>,
}

impl MapActor {
    pub(super) fn new(
        data: Arc<GameData>,
        id: u16,
        rx: mpsc::Receiver<MapMessage>,
        config: Arc<Config>,
        services: super::MapServices,
    ) -> Self {
        let super::MapServices { saves, metrics } = services;
        Self {
            npcs: Npcs::new(Arc::clone(&data), id, &config.npcs),
            speech: super::npc_speech::SpeechClock::new(&config.npcs, id),
            tick: config.npcs.tick(),
            combat: Combat::new(&config, id),
            doors: super::doors::Doors::default(),
            chests: super::chests::Chests::new(data.map(id), &data, &config.chests),
            trades: Default::default(),
            effects: super::effects::MapEffects::new(&config, data.map(id), id),
            arena: data.arenas.on(id).map(super::arena::ArenaState::new),
            weddings: Default::default(),
            data,
            id,
            rx,
            characters: HashMap::new(),
            config,
            ground: Ground::default(),
            index: Visibility::default(),
            saves,
            metrics: MapMetrics::new(&metrics, id),
            jukebox: Default::default(),
            parties: Default::default(),
            casting: Default::default(),
            #[cfg(feature = "fault-injection")]
            stalled_until: None,
        }
    }

    /// Moves a character on the map to `to` (keeping the index in step); whether it is here.
    pub(super) fn place(&mut self, player_id: u16, to: (u16, u16)) -> bool {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return false;
        };
        let from = me.at();
        me.info.coords.x = to.0;
        me.info.coords.y = to.1;
        self.index.moved(player_id, from, to);
        self.trade_moved(player_id);
        true
    }

    /// The characters within the see distance of `at` (from the index's cells, checked).
    pub(super) fn in_range_of(&self, at: (u16, u16)) -> impl Iterator<Item = (u16, &OnMap)> + '_ {
        let reach = u16::try_from(SEE_DISTANCE).unwrap_or(u16::MAX);
        self.index
            .around(at, reach)
            .filter(move |(_, tile)| in_range(at, *tile))
            .filter_map(move |(id, _)| self.characters.get(&id).map(|c| (id, c)))
    }

    /// The players gauge follows the characters on the map.
    pub(super) fn count_players(&self) {
        self.metrics.players.set(self.characters.len() as i64);
    }

    pub(super) fn map(&self) -> Option<&MapData> {
        self.data.map(self.id)
    }

    pub(super) async fn run(mut self) {
        let mut ticker = tokio::time::interval(self.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let save_interval = self.config.world.save_interval();
        let mut save =
            tokio::time::interval_at(tokio::time::Instant::now() + save_interval, save_interval);
        save.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Each event is handled under `supervise`: a panic while handling one is logged and
        // the map goes on with the next, so one bad message never takes the map, and everyone
        // on it, down until a restart.
        loop {
            #[cfg(feature = "fault-injection")]
            if let Some(until) = self.stalled_until.take() {
                tokio::time::sleep_until(until).await;
            }
            // The map's own clock (NPCs act on it), its saves, and the next item on the
            // ground to expire. The actor ends when every handle is gone.
            let expiry = self.ground.next_expiry();
            tokio::select! {
                message = self.rx.recv() => match message {
                    Some(message) => {
                        let kind = message.kind();
                        self.supervise(kind, |map| map.handle(message));
                        self.supervise("party hp", Self::sync_party_hp);
                    }
                    None => break,
                },
                _ = ticker.tick() => {
                    let started = std::time::Instant::now();
                    self.supervise("tick", Self::tick);
                    self.supervise("party hp", Self::sync_party_hp);
                    self.metrics.tick.observe(started.elapsed().as_secs_f64());
                    self.metrics.npcs.set(self.npcs.living() as i64);
                }
                _ = save.tick() => self.supervise("save", Self::save_changed),
                () = async { sleep_until(expiry.unwrap_or_else(tokio::time::Instant::now)).await },
                    if expiry.is_some() => self.supervise("expire items", Self::expire_items),
            }
        }
        // The last handle is gone (the server stopped): whatever changed since the last save
        // is queued before the map goes.
        self.supervise("save", Self::save_changed);
    }

    /// Runs one event's work; a panic in it is caught and logged with what the map was
    /// doing, and the map goes on. A half-done change is kept as it is: item moves take from
    /// the giver before they give (map/ground.rs, map/trade/), so what a panic can cut short loses at most
    /// what was being moved and never doubles it.
    fn supervise(&mut self, what: &'static str, work: impl FnOnce(&mut Self)) {
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self)));
        if let Err(panic) = caught {
            error!(
                map = self.id,
                handling = what,
                "the map actor panicked ({}); the map goes on",
                crate::supervise::panic_message(panic.as_ref())
            );
        }
    }

    fn handle(&mut self, message: MapMessage) {
        #[cfg(feature = "fault-injection")]
        if let Some(stall) = super::fault::inject(&message) {
            self.stalled_until = Some(tokio::time::Instant::now() + stall);
        }
        let quest_watch = self.quest_watch(&message);
        {
            match message {
                MapMessage::Arrived { player_id, login } => self.quests_arrived(player_id, login),
                MapMessage::Enter {
                    player_id,
                    character,
                    player,
                    reply,
                } => {
                    let nearby = self.enter(player_id, *character, player);
                    // Given up on by the player task, it stays here all the same: that task
                    // leaves it when it closes.
                    let _ = reply.send(nearby);
                }
                MapMessage::Leave { player_id, reply } => {
                    // A player task that gave up waiting still counts the character as here
                    // (it leaves it again when it closes): it stays.
                    if reply.is_closed() {
                        return;
                    }
                    let Some((character, player)) = self.leave(player_id) else {
                        let _ = reply.send(None);
                        return;
                    };
                    if let Err(Some(character)) = reply.send(Some(character)) {
                        self.come_back(player_id, character, player);
                    }
                }
                MapMessage::Paperdoll { player_id, to } => self.show_paperdoll(player_id, &to),
                MapMessage::SetAdminLevel { player_id, level } => {
                    if let Some(me) = self.characters.get_mut(&player_id) {
                        me.record.admin_level = level;
                    }
                }
                MapMessage::SaveAll { reply } => {
                    let _ = reply.send(self.save_all());
                }
                MapMessage::Packet { player_id, packet } => self.packet(player_id, *packet),
                MapMessage::Walk {
                    player_id,
                    direction,
                    reply,
                } => {
                    let _ = reply.send(self.walk(player_id, direction));
                }
                MapMessage::Face {
                    player_id,
                    direction,
                } => self.face(player_id, direction),
                MapMessage::Talk { player_id, message } => self.talk(player_id, message),
                MapMessage::Emote { player_id, emote } => self.emote(player_id, emote),
                MapMessage::Sit { player_id, sit } => self.sit(player_id, sit),
                MapMessage::Chair {
                    player_id,
                    seat,
                    reply,
                } => {
                    let _ = reply.send(self.chair(player_id, seat));
                }
                MapMessage::Positions { reply } => {
                    let _ = reply.send(
                        self.characters
                            .iter()
                            .map(|(id, c)| (*id, c.info.coords.x, c.info.coords.y))
                            .collect(),
                    );
                }
                MapMessage::Position { player_id, reply } => {
                    let _ = reply.send(self.characters.get(&player_id).map(OnMap::at));
                }
                MapMessage::SetHidden {
                    player_id,
                    hidden,
                    reply,
                } => {
                    let _ = reply.send(self.set_hidden(player_id, hidden));
                }
                MapMessage::Nearby { player_id, reply } => {
                    if let Some(me) = self.characters.get(&player_id) {
                        let _ = reply.send(self.nearby_of(player_id, me.at()));
                    }
                }
                MapMessage::NpcRange { player_id, indexes } => self.npc_range(player_id, &indexes),
                MapMessage::Attack {
                    player_id,
                    direction,
                } => self.attack(player_id, direction),
                MapMessage::Range {
                    player_id,
                    player_ids,
                    npc_indexes,
                } => self.range(player_id, &player_ids, &npc_indexes),
                MapMessage::Guild(request) => self.guild(request),
                MapMessage::Divorced { player_id, by } => self.divorced(player_id, &by),
                MapMessage::Give {
                    player_id,
                    item_id,
                    amount,
                    reply,
                } => {
                    let _ = reply.send(self.give(player_id, item_id, amount));
                }
                MapMessage::Admin { action, reply } => {
                    let _ = reply.send(self.admin(action));
                }
                MapMessage::NewData {
                    data,
                    change,
                    reply,
                } => {
                    let _ = reply.send(self.new_data(data, change));
                }
                MapMessage::PartyView(view) => self.party_view(view),
                MapMessage::Reachable {
                    player_id,
                    target,
                    reply,
                } => {
                    let _ = reply.send(self.reachable(player_id, target));
                }
                // Not while trading (map/trade/).
                MapMessage::Item { player_id, action }
                    if self.item_refused_while_trading(player_id, &action) => {}
                MapMessage::Item { player_id, action } => match action {
                    ItemAction::Drop { item, at } => self.drop_item(player_id, item, at),
                    ItemAction::Get { uid } => self.get_item(player_id, uid),
                    ItemAction::Junk { item } => self.junk_item(player_id, item),
                    ItemAction::Use { item_id } => self.use_item(player_id, item_id),
                    ItemAction::Equip { item_id, sub_loc } => {
                        self.equip(player_id, item_id, sub_loc)
                    }
                    ItemAction::Unequip { item_id, sub_loc } => {
                        self.unequip(player_id, item_id, sub_loc)
                    }
                    ItemAction::SpendStat { stat } => self.spend_stat_point(player_id, stat),
                    ItemAction::SpendSkill { spell_id } => {
                        self.spend_skill_point(player_id, spell_id)
                    }
                },
            }
        }
        if let Some(watch) = quest_watch {
            self.quest_after(watch);
        }
    }

    /// One tick of the map's clock: NPCs respawn and act, and the viewers are told.
    fn tick(&mut self) {
        let mut events = NpcEvents::default();
        let (characters, combat) = (&self.characters, &self.combat);
        self.npcs.tick(
            || {
                characters
                    .iter()
                    .map(|(id, c)| Seen {
                        player_id: *id,
                        at: c.tile(),
                        hidden: c.info.invisible || combat.is_dead(*id),
                    })
                    .collect()
            },
            &mut events,
        );
        self.npc_speech(&mut events);
        let strikes = std::mem::take(&mut events.strikes);
        let died = self.npc_strikes(&strikes, &mut events);
        self.send_hits();
        let struck: std::collections::HashSet<u16> =
            events.attacks.iter().map(|(a, _)| a.player_id).collect();
        npc_broadcast::send(
            &self.npcs,
            &events,
            self.characters.iter().map(|(id, c)| npc_broadcast::Viewer {
                at: c.tile(),
                player: &c.player,
                struck: struck
                    .contains(id)
                    .then(|| (c.game.state().hp, c.game.state().tp)),
            }),
        );
        for player_id in died {
            self.respawn(player_id);
        }
        self.recover_if_due();
        self.recover_npcs_if_due();
        self.spawn_chest_items();
        self.timed_effects();
        self.arena_tick();
        self.wedding_tick();
    }

    /// NpcRange_Request: the NPCs asked about that the player can see (Npc_Agree).
    fn npc_range(&self, player_id: u16, indexes: &[u8]) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let npcs = self.npcs_asked(me.tile(), indexes);
        if let Some(body) = self.encode(&NpcAgreeServerPacket { npcs }) {
            me.player.send(body);
        }
    }

    /// Range_Request: the characters and NPCs asked about that the player can see.
    fn range(&self, player_id: u16, player_ids: &[u16], npc_indexes: &[u8]) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let mut asked = std::collections::HashSet::new();
        let characters = player_ids
            .iter()
            .filter(|id| asked.insert(**id))
            .filter_map(|id| self.characters.get(id))
            .filter(|c| {
                in_range(me.at(), c.at()) && (!c.info.invisible || c.info.player_id == player_id)
            })
            .take(MAX_NEARBY_CHARACTERS)
            .map(|c| c.info.clone())
            .collect();
        let npcs = self.npcs_asked(me.tile(), npc_indexes);
        if let Some(body) = self.encode(&RangeReplyServerPacket {
            nearby: NearbyInfo {
                characters,
                npcs,
                items: Vec::new(),
            },
        }) {
            me.player.send(body);
        }
    }

    /// The living NPCs of `indexes` seen from `at` (each once).
    fn npcs_asked(
        &self,
        at: (u8, u8),
        indexes: &[u8],
    ) -> Vec<eo_protocol::net::server::NpcMapInfo> {
        let mut seen = std::collections::HashSet::new();
        indexes
            .iter()
            .filter(|index| seen.insert(**index))
            .filter_map(|index| self.npcs.alive(*index))
            .filter(|npc| super::pathfinding::distance(npc.at, at) <= SEE_DISTANCE)
            .take(super::npcs::MAX_NPC_LIST)
            .map(|npc| npc.info())
            .collect()
    }

    /// Encodes a packet once; `None` (and a log line) if it cannot be encoded.
    pub(super) fn encode<P: Packet>(&self, packet: &P) -> Option<Bytes> {
        match packet::encode(packet) {
            Ok(body) => Some(body),
            Err(error) => {
                warn!(map = self.id, %error, "a broadcast could not be encoded");
                None
            }
        }
    }

    /// Sends `body` to every character on the map (a quake, an arena's call, a jukebox's
    /// track, an admin's map-wide message); how many.
    pub(super) fn send_to_all(&self, body: &Bytes) -> u32 {
        for character in self.characters.values() {
            character.player.send(body.clone());
        }
        u32::try_from(self.characters.len()).unwrap_or(u32::MAX)
    }

    /// Sends `body` to every character in range of `at` but `except`. What a hidden character
    /// does is not shown to the others.
    pub(super) fn broadcast(&self, at: (u16, u16), except: u16, body: &Bytes) {
        if self
            .characters
            .get(&except)
            .is_some_and(|c| c.info.invisible)
        {
            return;
        }
        for (id, other) in self.in_range_of(at) {
            if id != except {
                other.player.send(body.clone());
            }
        }
    }

    fn talk(&self, player_id: u16, message: String) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        if let Some(body) = self.encode(&TalkPlayerServerPacket { player_id, message }) {
            self.broadcast(me.at(), player_id, &body);
        }
    }

    fn emote(&self, player_id: u16, emote: eo_protocol::Emote) {
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        if let Some(body) = self.encode(&EmotePlayerServerPacket { player_id, emote }) {
            self.broadcast(me.at(), player_id, &body);
        }
    }
}
