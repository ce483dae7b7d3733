//! The map actor's state and message loop.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use eo_protocol::Direction;
use eo_protocol::map::MapTileSpec;
use eo_protocol::net::client::StatId;
use eo_protocol::net::server::{
    AvatarRemoveServerPacket, ChairCloseServerPacket, ChairPlayerServerPacket,
    ChairRemoveServerPacket, ChairReplyServerPacket, CharacterMapInfo, EmotePlayerServerPacket,
    FacePlayerServerPacket, NearbyInfo, NpcAgreeServerPacket, PlayersAgreeServerPacket,
    RangeReplyServerPacket, SitCloseServerPacket, SitPlayerServerPacket, SitRemoveServerPacket,
    SitReplyServerPacket, SitState, TalkPlayerServerPacket, WalkPlayerServerPacket,
    WalkReplyServerPacket,
};
use eo_protocol::net::{Item, ThreeItem};
use eo_protocol::serialize::Packet;
use tokio::sync::{mpsc, oneshot};
use tokio::time::sleep_until;
use tracing::{error, warn};

use super::character::{CharacterGame, GameState};
use super::combat::Combat;
use super::handle::WalkOutcome;
use super::items::Ground;
use super::npcs::{NpcEvents, Npcs, Seen};
use super::views::map_info;
use super::visibility::Visibility;
use super::{MAX_NEARBY_CHARACTERS, SEE_DISTANCE, npc_broadcast};
use crate::config::Config;
use crate::data::{GameData, MapData};
use crate::db::Character;
use crate::net::packet;
use crate::player::PlayerHandle;
use crate::save::SaveQueue;

pub(super) enum MapMessage {
    /// The character comes onto the map: from now on the map owns it (map/persistence.rs).
    Enter {
        player_id: u16,
        character: Box<Character>,
        player: PlayerHandle,
        reply: oneshot::Sender<NearbyInfo>,
    },
    /// The character leaves the map, saved on its way out; `None` if it is not here.
    Leave {
        player_id: u16,
        reply: oneshot::Sender<Option<Character>>,
    },
    /// Paperdoll_Request: the character's paperdoll, sent to `to`.
    Paperdoll {
        player_id: u16,
        to: PlayerHandle,
    },
    /// An operator changed the character's admin level (its paperdoll shows it).
    SetAdminLevel {
        player_id: u16,
        level: u8,
    },
    /// The character's client is on the map now (the game entered, or a warp agreed): quests
    /// may speak to it (map/quests/).
    Arrived {
        player_id: u16,
        login: bool,
    },
    /// Queue the save of everyone on the map now; answers how many that is.
    SaveAll {
        reply: oneshot::Sender<usize>,
    },
    /// A packet of a feature that lives on the map (map/services.rs).
    Packet {
        player_id: u16,
        packet: Box<eo_protocol::net::client::ClientPacket>,
    },
    Walk {
        player_id: u16,
        direction: Direction,
        reply: oneshot::Sender<WalkOutcome>,
    },
    Face {
        player_id: u16,
        direction: Direction,
    },
    Talk {
        player_id: u16,
        message: String,
    },
    Nearby {
        player_id: u16,
        reply: oneshot::Sender<NearbyInfo>,
    },
    Emote {
        player_id: u16,
        emote: eo_protocol::Emote,
    },
    Sit {
        player_id: u16,
        sit: bool,
    },
    Chair {
        player_id: u16,
        seat: Option<(u8, u8)>,
        reply: oneshot::Sender<Option<(u8, u8, Direction)>>,
    },
    Positions {
        reply: oneshot::Sender<Vec<(u16, u16, u16)>>,
    },
    /// Where one character stands, if it is here.
    Position {
        player_id: u16,
        reply: oneshot::Sender<Option<(u16, u16)>>,
    },
    SetHidden {
        player_id: u16,
        hidden: bool,
        reply: oneshot::Sender<bool>,
    },
    NpcRange {
        player_id: u16,
        indexes: Vec<u8>,
    },
    /// Attack_Use (map/combat.rs).
    Attack {
        player_id: u16,
        direction: Direction,
    },
    Range {
        player_id: u16,
        player_ids: Vec<u16>,
        npc_indexes: Vec<u8>,
    },
    /// The item packets (map/items.rs).
    Item {
        player_id: u16,
        action: ItemAction,
    },
    /// What a player task asks for a guild action (map/guild.rs).
    Guild(super::guild::GuildRequest),
    /// The character's partner divorced it (map/marriage.rs).
    Divorced {
        player_id: u16,
        by: String,
    },
    /// The world's view of a party changed, or a member warped here (map/party.rs).
    PartyView(super::party::PartyView),
    /// Party_Request: whether `target` is in reach of `player_id`, with both HP percentages.
    Reachable {
        player_id: u16,
        target: u16,
        reply: oneshot::Sender<Option<(u8, u8)>>,
    },
    /// An operator's gift: a pile at the character's feet, for it alone for a while.
    Give {
        player_id: u16,
        item_id: u16,
        amount: u32,
        reply: oneshot::Sender<Option<(u8, u8)>>,
    },
    /// An operator's action (map/admin.rs).
    Admin {
        action: super::admin::AdminAction,
        reply: oneshot::Sender<Result<super::admin::AdminDone, String>>,
    },
    /// The game data in force from now on (`remap`, `repub`: map/reload.rs).
    NewData {
        data: Arc<GameData>,
        change: super::reload::DataChange,
        reply: oneshot::Sender<super::reload::DataSwapped>,
    },
}

impl MapMessage {
    /// The message's name, for the line a panic while handling it logs.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            MapMessage::Enter { .. } => "enter",
            MapMessage::Leave { .. } => "leave",
            MapMessage::Paperdoll { .. } => "paperdoll",
            MapMessage::SetAdminLevel { .. } => "set admin level",
            MapMessage::Arrived { .. } => "arrived",
            MapMessage::SaveAll { .. } => "save all",
            MapMessage::Packet { packet, .. } => packet.name(),
            MapMessage::Walk { .. } => "walk",
            MapMessage::Face { .. } => "face",
            MapMessage::Talk { .. } => "talk",
            MapMessage::Nearby { .. } => "nearby",
            MapMessage::Emote { .. } => "emote",
            MapMessage::Sit { .. } => "sit",
            MapMessage::Chair { .. } => "chair",
            MapMessage::Positions { .. } => "positions",
            MapMessage::Position { .. } => "position",
            MapMessage::SetHidden { .. } => "set hidden",
            MapMessage::NpcRange { .. } => "npc range",
            MapMessage::Attack { .. } => "attack",
            MapMessage::Range { .. } => "range",
            MapMessage::Item { action, .. } => action.kind(),
            MapMessage::Give { .. } => "give",
            MapMessage::Admin { .. } => "admin",
            MapMessage::NewData { .. } => "new data",
            MapMessage::Guild(_) => "guild",
            MapMessage::Divorced { .. } => "divorced",
            MapMessage::PartyView(_) => "party view",
            MapMessage::Reachable { .. } => "reachable",
        }
    }
}

/// What a player does with items, stats and equipment (each decided in map/items.rs).
#[derive(Debug, Clone)]
pub(super) enum ItemAction {
    Drop { item: ThreeItem, at: (u8, u8) },
    Get { uid: u16 },
    Junk { item: Item },
    Use { item_id: u16 },
    Equip { item_id: u16, sub_loc: u8 },
    Unequip { item_id: u16, sub_loc: u8 },
    SpendStat { stat: StatId },
    SpendSkill { spell_id: u16 },
}

impl ItemAction {
    fn kind(&self) -> &'static str {
        match self {
            ItemAction::Drop { .. } => "item drop",
            ItemAction::Get { .. } => "item get",
            ItemAction::Junk { .. } => "item junk",
            ItemAction::Use { .. } => "item use",
            ItemAction::Equip { .. } => "equip",
            ItemAction::Unequip { .. } => "unequip",
            ItemAction::SpendStat { .. } => "spend stat point",
            ItemAction::SpendSkill { .. } => "spend skill point",
        }
    }
}

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

fn tile((x, y): (u16, u16)) -> (u8, u8) {
    (
        u8::try_from(x).unwrap_or(u8::MAX),
        u8::try_from(y).unwrap_or(u8::MAX),
    )
}

pub(super) fn in_range(a: (u16, u16), b: (u16, u16)) -> bool {
    u32::from(a.0.abs_diff(b.0)) + u32::from(a.1.abs_diff(b.1)) <= SEE_DISTANCE
}

/// The tile one step from (x, y) in `direction`, if it is on the u8 grid.
fn step(x: u16, y: u16, direction: Direction) -> Option<(u8, u8)> {
    let (x, y) = (u8::try_from(x).ok()?, u8::try_from(y).ok()?);
    match direction {
        Direction::Down => Some((x, y.checked_add(1)?)),
        Direction::Left => Some((x.checked_sub(1)?, y)),
        Direction::Up => Some((x, y.checked_sub(1)?)),
        Direction::Right => Some((x.checked_add(1)?, y)),
        Direction::Unrecognized(_) => None,
    }
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
    /// The items on the ground (map/items.rs).
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
    /// the giver before they give (map/items.rs), so what a panic can cut short loses at most
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

    /// The characters `viewer` sees in range of `at` (at most what the protocol can count):
    /// the viewer itself first, so a crowd larger than the list never hides a player's own
    /// character from its client; then the others in range that are not hidden.
    pub(super) fn nearby_of(&self, viewer: u16, at: (u16, u16)) -> NearbyInfo {
        let own = self.characters.get(&viewer).map(|c| c.info.clone());
        let others = self
            .in_range_of(at)
            .filter(|(id, c)| *id != viewer && !c.info.invisible);
        let characters = own
            .into_iter()
            .chain(others.map(|(_, c)| c.info.clone()))
            .take(MAX_NEARBY_CHARACTERS)
            .collect();
        NearbyInfo {
            characters,
            npcs: self.npcs.seen_from(tile(at)),
            items: self.ground.in_view(at),
        }
    }

    fn appear_packet(&self, info: &CharacterMapInfo) -> Option<Bytes> {
        self.encode(&PlayersAgreeServerPacket {
            nearby: NearbyInfo {
                characters: vec![info.clone()],
                npcs: Vec::new(),
                items: Vec::new(),
            },
        })
    }

    /// A character comes onto the map (others in range see it appear); what it sees.
    fn enter(
        &mut self,
        player_id: u16,
        mut character: Character,
        player: PlayerHandle,
    ) -> NearbyInfo {
        character.map = self.id;
        let mut info = map_info(player_id, &character);
        let game = CharacterGame::new(GameState::of(&character), &self.data);
        game.sync_info(&mut info, &self.data);
        let at = (info.coords.x, info.coords.y);
        if !info.invisible
            && let Some(body) = self.appear_packet(&info)
        {
            self.broadcast(at, player_id, &body);
        }
        let record = Box::new(character);
        if let Some(old) = self.characters.insert(
            player_id,
            OnMap {
                info,
                player,
                game,
                record,
                interaction: None,
                object: None,
            },
        ) {
            // Entered twice without leaving (never expected): the newer copy stays.
            warn!(map = self.id, player_id, name = %old.record.name, "a character entered twice; the earlier copy is dropped");
            self.index.remove(player_id, old.at());
        }
        self.index.insert(player_id, at);
        self.metrics.players.set(self.characters.len() as i64);
        self.nearby_of(player_id, at)
    }

    /// A character leaves the map (others in range see it go). It is queued for saving, with
    /// every character whose holdings changed, before it is gone (map/persistence.rs).
    /// Returns the whole character and its player's handle; `None` if it is not here.
    fn leave(&mut self, player_id: u16) -> Option<(Character, PlayerHandle)> {
        self.trade_leave(player_id);
        let character = self.queue_departure(player_id)?;
        if let Some(body) = self.encode(&AvatarRemoveServerPacket {
            player_id,
            warp_effect: None,
        }) && let Some(me) = self.characters.get(&player_id)
        {
            self.broadcast(me.at(), player_id, &body);
        }
        self.combat.forget(player_id);
        self.parties.left(player_id);
        self.casting.forget(player_id);
        let gone = self.characters.remove(&player_id)?;
        self.index.remove(player_id, gone.at());
        self.metrics.players.set(self.characters.len() as i64);
        Some((character, gone.player))
    }

    /// A character whose departure its player task no longer waited for comes back where it
    /// was: the task still counts it as here.
    fn come_back(&mut self, player_id: u16, character: Character, player: PlayerHandle) {
        let _ = self.enter(player_id, character, player);
    }

    fn walk(&mut self, player_id: u16, direction: Direction) -> WalkOutcome {
        let Some(me) = self.characters.get(&player_id) else {
            return WalkOutcome::Blocked;
        };
        if me.game.overweight() || self.combat.is_dead(player_id) {
            return WalkOutcome::Blocked;
        }
        let level = me.game.state().level;
        let from = me.at();
        let Some((x, y)) = step(from.0, from.1, direction) else {
            return WalkOutcome::Blocked;
        };
        let to = (u16::from(x), u16::from(y));
        let Some(map) = self.map() else {
            return WalkOutcome::Blocked;
        };
        let warp = map.warp(x, y).cloned();
        if !map.is_walkable(x, y)
            || self.index.occupied(to)
            || self.npcs.occupies((x, y))
            || self.door_closed((x, y))
        {
            return WalkOutcome::Blocked;
        }
        let newly_seen_npcs = self.npcs.newly_seen(tile(from), (x, y));
        // Who sees the walker before and after the step.
        let mut newly_seen = Vec::new();
        let walk = self.encode(&WalkPlayerServerPacket {
            player_id,
            direction,
            coords: eo_protocol::Coords { x, y },
        });
        self.place(player_id, to);
        if let Some(me) = self.characters.get_mut(&player_id) {
            me.info.direction = direction;
        }
        let Some(me) = self.characters.get(&player_id) else {
            return WalkOutcome::Blocked;
        };
        let appear_me = self.appear_packet(&me.info);
        let hidden = me.info.invisible;
        // Everyone who saw the walker before the step or sees it after: within the see
        // distance of `from` or of `to`, so within one step more of `to`.
        let reach = u16::try_from(SEE_DISTANCE + 1).unwrap_or(u16::MAX);
        let around = self
            .index
            .around(to, reach)
            .filter(|(_, tile)| in_range(from, *tile) || in_range(to, *tile))
            .filter_map(|(id, _)| self.characters.get(&id).map(|c| (id, c)));
        for (id, other) in around {
            if id == player_id {
                continue;
            }
            if hidden {
                if !in_range(from, other.at()) && in_range(to, other.at()) && !other.info.invisible
                {
                    newly_seen.push(other.info.clone());
                }
                continue;
            }
            let saw = in_range(from, other.at());
            let sees = in_range(to, other.at());
            if sees && !saw {
                if let Some(body) = &appear_me {
                    other.player.send(body.clone());
                }
                if !other.info.invisible {
                    newly_seen.push(other.info.clone());
                }
            } else if (saw || sees)
                && let Some(body) = &walk
            {
                other.player.send(body.clone());
            }
        }
        // The walker is told who came into view (Walk_Reply lists them, as the official
        // server does), then shown each of them.
        if let Some(body) = self.encode(&WalkReplyServerPacket {
            player_ids: newly_seen.iter().map(|info| info.player_id).collect(),
            npc_indexes: newly_seen_npcs.iter().map(|npc| npc.index).collect(),
            items: self.ground.newly_in_view(from, to),
        }) {
            me.player.send(body);
        }
        for info in newly_seen {
            if let Some(body) = self.appear_packet(&info) {
                me.player.send(body);
            }
        }
        if !newly_seen_npcs.is_empty()
            && let Some(body) = self.encode(&NpcAgreeServerPacket {
                npcs: newly_seen_npcs,
            })
        {
            me.player.send(body);
        }
        // A door is passed only open (checked above); one that leads to its own tile (a door
        // within the map) is then an ordinary step.
        self.stepped_on(player_id, (x, y));
        match warp {
            Some(warp)
                if level >= warp.level_required
                    && !super::doors::leads_to_itself(&warp, self.id, (x, y)) =>
            {
                WalkOutcome::Warp(warp, x, y)
            }
            _ => WalkOutcome::Moved { x, y },
        }
    }

    fn face(&mut self, player_id: u16, direction: Direction) {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        me.info.direction = direction;
        let at = me.at();
        if let Some(body) = self.encode(&FacePlayerServerPacket {
            player_id,
            direction,
        }) {
            self.broadcast(at, player_id, &body);
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

    /// Floor sitting: the sitter gets Sit_Reply / Sit_Close, the others Sit_Player /
    /// Sit_Remove. Sitting again while seated, or standing while standing, does nothing.
    fn sit(&mut self, player_id: u16, sit: bool) {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        let seated = me.info.sit_state != SitState::Stand;
        if sit == seated {
            return;
        }
        me.info.sit_state = if sit {
            SitState::Floor
        } else {
            SitState::Stand
        };
        let at = me.at();
        let coords = eo_protocol::Coords {
            x: u8::try_from(at.0).unwrap_or(0),
            y: u8::try_from(at.1).unwrap_or(0),
        };
        let direction = me.info.direction;
        let (to_me, to_others) = if sit {
            (
                self.encode(&SitReplyServerPacket {
                    player_id,
                    coords: coords.clone(),
                    direction,
                }),
                self.encode(&SitPlayerServerPacket {
                    player_id,
                    coords,
                    direction,
                }),
            )
        } else {
            (
                self.encode(&SitCloseServerPacket {
                    player_id,
                    coords: coords.clone(),
                }),
                self.encode(&SitRemoveServerPacket { player_id, coords }),
            )
        };
        self.notify(player_id, at, to_me, to_others);
    }

    /// Chairs: a standing character next to a free chair moves onto it, facing the way the
    /// chair faces; the sitter gets Chair_Reply, the others Chair_Player. Standing up sends
    /// Chair_Close and Chair_Remove.
    fn chair(&mut self, player_id: u16, seat: Option<(u8, u8)>) -> Option<(u8, u8, Direction)> {
        let me = self.characters.get(&player_id)?;
        let at = me.at();
        let current = me.info.direction;
        let (x, y) = (u8::try_from(at.0).ok()?, u8::try_from(at.1).ok()?);
        let Some((cx, cy)) = seat else {
            if me.info.sit_state != SitState::Chair {
                return None;
            }
            let coords = eo_protocol::Coords { x, y };
            let to_me = self.encode(&ChairCloseServerPacket {
                player_id,
                coords: coords.clone(),
            });
            let to_others = self.encode(&ChairRemoveServerPacket { player_id, coords });
            self.characters.get_mut(&player_id)?.info.sit_state = SitState::Stand;
            self.notify(player_id, at, to_me, to_others);
            return Some((x, y, current));
        };
        let spec = self.map()?.spec(cx, cy)?;
        let facing = match spec {
            MapTileSpec::ChairDown => Direction::Down,
            MapTileSpec::ChairUp => Direction::Up,
            MapTileSpec::ChairLeft => Direction::Left,
            MapTileSpec::ChairRight => Direction::Right,
            MapTileSpec::ChairDownRight | MapTileSpec::ChairUpLeft | MapTileSpec::ChairAll => {
                current
            }
            _ => return None,
        };
        let next_to = u32::from(x.abs_diff(cx)) + u32::from(y.abs_diff(cy)) == 1;
        let seat_at = (u16::from(cx), u16::from(cy));
        if !next_to || me.info.sit_state != SitState::Stand || self.index.occupied(seat_at) {
            return None;
        }
        self.place(player_id, seat_at);
        let me = self.characters.get_mut(&player_id)?;
        me.info.direction = facing;
        me.info.sit_state = SitState::Chair;
        let coords = eo_protocol::Coords { x: cx, y: cy };
        let to_me = self.encode(&ChairReplyServerPacket {
            player_id,
            coords: coords.clone(),
            direction: facing,
        });
        let to_others = self.encode(&ChairPlayerServerPacket {
            player_id,
            coords,
            direction: facing,
        });
        self.notify(player_id, seat_at, to_me, to_others);
        Some((cx, cy, facing))
    }

    /// `$hide` / `$show`: the others in range see the character leave or appear; whether the
    /// state changed.
    fn set_hidden(&mut self, player_id: u16, hidden: bool) -> bool {
        let Some(me) = self.characters.get(&player_id) else {
            return false;
        };
        if me.info.invisible == hidden {
            return false;
        }
        let at = me.at();
        let body = if hidden {
            self.encode(&AvatarRemoveServerPacket {
                player_id,
                warp_effect: None,
            })
        } else {
            let mut info = me.info.clone();
            info.invisible = false;
            self.appear_packet(&info)
        };
        // Shown while still visible (hiding) or once visible again (showing).
        if !hidden && let Some(me) = self.characters.get_mut(&player_id) {
            me.info.invisible = false;
        }
        if let Some(body) = body {
            self.broadcast(at, player_id, &body);
        }
        if let Some(me) = self.characters.get_mut(&player_id) {
            me.info.invisible = hidden;
            // Kept with the game state, so warps and the next login keep it.
            me.game.update(&self.data, |state| state.hidden = hidden);
        }
        true
    }

    /// Sends one body to a player and another to those in range of it.
    fn notify(
        &self,
        player_id: u16,
        at: (u16, u16),
        to_me: Option<Bytes>,
        to_others: Option<Bytes>,
    ) {
        if let (Some(me), Some(body)) = (self.characters.get(&player_id), to_me) {
            me.player.send(body);
        }
        if let Some(body) = to_others {
            self.broadcast(at, player_id, &body);
        }
    }
}
