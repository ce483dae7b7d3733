//! The map actor's state and message loop.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use eo_protocol::Direction;
use eo_protocol::map::MapTileSpec;
use eo_protocol::net::server::{
    AvatarRemoveServerPacket, ChairCloseServerPacket, ChairPlayerServerPacket,
    ChairRemoveServerPacket, ChairReplyServerPacket, CharacterMapInfo, EmotePlayerServerPacket,
    FacePlayerServerPacket, NearbyInfo, PlayersAgreeServerPacket, SitCloseServerPacket,
    SitPlayerServerPacket, SitRemoveServerPacket, SitReplyServerPacket, SitState,
    TalkPlayerServerPacket, WalkPlayerServerPacket, WalkReplyServerPacket,
};
use eo_protocol::serialize::Packet;
use tokio::sync::{mpsc, oneshot};
use tracing::warn;

use super::handle::WalkOutcome;
use super::visibility::Visibility;
use super::{MAX_NEARBY_CHARACTERS, SEE_DISTANCE};
use crate::data::{GameData, MapData};
use crate::net::packet;
use crate::player::PlayerHandle;

pub(super) enum MapMessage {
    Enter {
        character: Box<CharacterMapInfo>,
        player: PlayerHandle,
        reply: oneshot::Sender<NearbyInfo>,
    },
    Leave {
        player_id: u16,
        reply: oneshot::Sender<(u8, u8, Direction)>,
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
    SetHidden {
        player_id: u16,
        hidden: bool,
        reply: oneshot::Sender<bool>,
    },
}

struct OnMap {
    info: CharacterMapInfo,
    player: PlayerHandle,
}

impl OnMap {
    fn at(&self) -> (u16, u16) {
        (self.info.coords.x, self.info.coords.y)
    }
}

fn in_range(a: (u16, u16), b: (u16, u16)) -> bool {
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

pub(super) struct MapActor {
    data: Arc<GameData>,
    id: u16,
    rx: mpsc::Receiver<MapMessage>,
    characters: HashMap<u16, OnMap>,
    /// Where `characters` stand, for range and blocking queries: every change of a
    /// character's coords (or its arrival or departure) goes through `place` or the index.
    index: Visibility,
}

impl MapActor {
    pub(super) fn new(data: Arc<GameData>, id: u16, rx: mpsc::Receiver<MapMessage>) -> Self {
        Self {
            data,
            id,
            rx,
            characters: HashMap::new(),
            index: Visibility::default(),
        }
    }

    /// Moves a character on the map to `to` (keeping the index in step); whether it is here.
    fn place(&mut self, player_id: u16, to: (u16, u16)) -> bool {
        let Some(me) = self.characters.get_mut(&player_id) else {
            return false;
        };
        let from = me.at();
        me.info.coords.x = to.0;
        me.info.coords.y = to.1;
        self.index.moved(player_id, from, to);
        true
    }

    /// The characters within the see distance of `at` (from the index's cells, checked).
    fn in_range_of(&self, at: (u16, u16)) -> impl Iterator<Item = (u16, &OnMap)> + '_ {
        let reach = u16::try_from(SEE_DISTANCE).unwrap_or(u16::MAX);
        self.index
            .around(at, reach)
            .filter_map(move |id| self.characters.get(&id).map(|c| (id, c)))
            .filter(move |(_, c)| in_range(at, c.at()))
    }

    fn map(&self) -> Option<&MapData> {
        self.data.maps.get(&self.id)
    }

    pub(super) async fn run(mut self) {
        while let Some(message) = self.rx.recv().await {
            match message {
                MapMessage::Enter {
                    character,
                    player,
                    reply,
                } => {
                    let nearby = self.enter(*character, player);
                    let _ = reply.send(nearby);
                }
                MapMessage::Leave { player_id, reply } => {
                    if let Some(at) = self.leave(player_id) {
                        let _ = reply.send(at);
                    }
                }
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
            }
        }
    }

    /// Encodes a packet once; `None` (and a log line) if it cannot be encoded.
    fn encode<P: Packet>(&self, packet: &P) -> Option<Bytes> {
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
    fn broadcast(&self, at: (u16, u16), except: u16, body: &Bytes) {
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
    fn nearby_of(&self, viewer: u16, at: (u16, u16)) -> NearbyInfo {
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
            npcs: Vec::new(),
            items: Vec::new(),
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

    fn enter(&mut self, mut info: CharacterMapInfo, player: PlayerHandle) -> NearbyInfo {
        info.map_id = self.id;
        let player_id = info.player_id;
        let at = (info.coords.x, info.coords.y);
        if !info.invisible
            && let Some(body) = self.appear_packet(&info)
        {
            self.broadcast(at, player_id, &body);
        }
        if let Some(old) = self.characters.insert(player_id, OnMap { info, player }) {
            self.index.remove(player_id, old.at()); // entered twice: keep one
        }
        self.index.insert(player_id, at);
        self.nearby_of(player_id, at)
    }

    fn leave(&mut self, player_id: u16) -> Option<(u8, u8, Direction)> {
        if let Some(body) = self.encode(&AvatarRemoveServerPacket {
            player_id,
            warp_effect: None,
        }) && let Some(me) = self.characters.get(&player_id)
        {
            self.broadcast(me.at(), player_id, &body);
        }
        let gone = self.characters.remove(&player_id)?;
        self.index.remove(player_id, gone.at());
        let x = u8::try_from(gone.info.coords.x).unwrap_or(0);
        let y = u8::try_from(gone.info.coords.y).unwrap_or(0);
        Some((x, y, gone.info.direction))
    }

    fn walk(&mut self, player_id: u16, direction: Direction) -> WalkOutcome {
        let Some(me) = self.characters.get(&player_id) else {
            return WalkOutcome::Blocked;
        };
        let from = me.at();
        let Some((x, y)) = step(from.0, from.1, direction) else {
            return WalkOutcome::Blocked;
        };
        let to = (u16::from(x), u16::from(y));
        let Some(map) = self.map() else {
            return WalkOutcome::Blocked;
        };
        let warp = map.warp(x, y).cloned();
        if !map.is_walkable(x, y) || self.index.occupied(to) {
            return WalkOutcome::Blocked;
        }
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
            .filter_map(|id| self.characters.get(&id).map(|c| (id, c)));
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
            npc_indexes: Vec::new(),
            items: Vec::new(),
        }) {
            me.player.send(body);
        }
        for info in newly_seen {
            if let Some(body) = self.appear_packet(&info) {
                me.player.send(body);
            }
        }
        match warp {
            Some(warp) if warp.door == 0 => WalkOutcome::Warp(warp, x, y),
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
