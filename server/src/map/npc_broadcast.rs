//! Telling viewers what the NPCs did in one tick: each viewer gets at most one Range_Reply
//! (the NPCs that came into its view: spawned, or walked in) and one Npc_Player (every step,
//! blow and line spoken it can see; a player who was struck also gets its HP and TP in it),
//! however many NPCs acted. Viewers who see the same things share one encoding.

use std::collections::HashMap;

use bytes::Bytes;
use eo_protocol::Coords;
use eo_protocol::net::server::{
    NearbyInfo, NpcPlayerServerPacket, NpcUpdatePosition, RangeReplyServerPacket,
};
use eo_protocol::serialize::Packet;
use tracing::warn;

use super::SEE_DISTANCE;
use super::npcs::{NpcEvents, Npcs};
use super::pathfinding::{Tile, distance};
use crate::net::packet;
use crate::player::PlayerHandle;

/// What one viewer is told: the indexes of NPCs that came into view, the steps, blows and
/// lines spoken (by their place in the tick's lists) it sees, and its own HP and TP if it was
/// struck.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct View {
    appeared: Vec<u8>,
    steps: Vec<usize>,
    attacks: Vec<usize>,
    chats: Vec<usize>,
    struck: Option<(u16, u16)>,
}

impl View {
    fn is_empty(&self) -> bool {
        self.appeared.is_empty()
            && self.steps.is_empty()
            && self.attacks.is_empty()
            && self.chats.is_empty()
    }
}

/// A player who is told what happened: where it stands, its handle, and its HP and TP if an
/// NPC struck it this tick.
pub(super) struct Viewer<'a> {
    pub at: Tile,
    pub player: &'a PlayerHandle,
    pub struck: Option<(u16, u16)>,
}

fn encode<P: Packet>(packet: &P) -> Option<Bytes> {
    match packet::encode(packet) {
        Ok(body) => Some(body),
        Err(error) => {
            warn!(%error, "an NPC update could not be encoded");
            None
        }
    }
}

fn sees(viewer: Tile, tile: Tile) -> bool {
    distance(viewer, tile) <= SEE_DISTANCE
}

/// What a viewer standing on `at` is told of `events`.
fn view_of(npcs: &Npcs, events: &NpcEvents, at: Tile, struck: Option<(u16, u16)>) -> View {
    let mut appeared: Vec<u8> = events
        .appeared
        .iter()
        .copied()
        .filter(|index| npcs.alive(*index).is_some_and(|npc| sees(at, npc.at)))
        .collect();
    let mut steps = Vec::new();
    for (i, step) in events.moved.iter().enumerate() {
        let (saw, sees_now) = (sees(at, step.from), sees(at, step.to));
        if appeared.contains(&step.index) {
            continue;
        }
        if sees_now && !saw {
            appeared.push(step.index);
        } else if saw || sees_now {
            steps.push(i);
        }
    }
    let attacks = (0..events.attacks.len())
        .filter(|i| {
            events
                .attacks
                .get(*i)
                .is_some_and(|(_, from)| sees(at, *from))
        })
        .collect();
    let chats = (0..events.chats.len())
        .filter(|i| {
            events
                .chats
                .get(*i)
                .is_some_and(|(_, from)| sees(at, *from))
        })
        .collect();
    View {
        appeared,
        steps,
        attacks,
        chats,
        struck,
    }
}

/// The two bodies for one view (either may be absent).
fn bodies(npcs: &Npcs, events: &NpcEvents, view: &View) -> (Option<Bytes>, Option<Bytes>) {
    let View {
        appeared,
        steps,
        attacks,
        chats,
        struck,
    } = view;
    let appear = (!appeared.is_empty())
        .then(|| {
            let npcs = appeared
                .iter()
                .filter_map(|index| npcs.alive(*index).map(|npc| npc.info()))
                .collect();
            encode(&RangeReplyServerPacket {
                nearby: NearbyInfo {
                    characters: Vec::new(),
                    npcs,
                    items: Vec::new(),
                },
            })
        })
        .flatten();
    let moves = (!steps.is_empty() || !attacks.is_empty() || !chats.is_empty())
        .then(|| {
            let positions = steps
                .iter()
                .filter_map(|i| events.moved.get(*i))
                .map(|step| NpcUpdatePosition {
                    npc_index: step.index,
                    coords: Coords {
                        x: step.to.0,
                        y: step.to.1,
                    },
                    direction: step.direction,
                })
                .collect();
            let attacks = attacks
                .iter()
                .filter_map(|i| events.attacks.get(*i))
                .map(|(attack, _)| attack.clone())
                .collect();
            let chats = chats
                .iter()
                .filter_map(|i| events.chats.get(*i))
                .map(|(chat, _)| chat.clone())
                .collect();
            encode(&NpcPlayerServerPacket {
                positions,
                attacks,
                chats,
                hp: struck.map(|(hp, _)| hp),
                tp: struck.map(|(_, tp)| tp),
            })
        })
        .flatten();
    (appear, moves)
}

/// Sends `events` to each viewer.
pub(super) fn send<'a>(npcs: &Npcs, events: &NpcEvents, viewers: impl Iterator<Item = Viewer<'a>>) {
    if events.is_empty() {
        return;
    }
    let mut encoded: HashMap<View, (Option<Bytes>, Option<Bytes>)> = HashMap::new();
    for Viewer { at, player, struck } in viewers {
        let view = view_of(npcs, events, at, struck);
        if view.is_empty() {
            continue;
        }
        let (appear, moves) = encoded
            .entry(view)
            .or_insert_with_key(|view| bodies(npcs, events, view));
        if let Some(body) = appear {
            player.send(body.clone());
        }
        if let Some(body) = moves {
            player.send(body.clone());
        }
    }
}
