//! A bot in the game: it walks (keeping to the map's open tiles, off the tiles others stand
//! on, and following the server's refusals) and chats at its rates, follows warps, and reads everything it is sent. An
//! observer stands still and times the broadcasts of the bots' walks and chats.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eo_protocol::net::client::{
    TalkReportClientPacket, WalkAction, WalkPlayerClientPacket, WarpAcceptClientPacket,
    WarpTakeClientPacket,
};
use eo_protocol::net::server::{
    InitInitServerPacketReplyCodeData, ServerPacket, WarpRequestServerPacketWarpTypeData,
};
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::{Coords, Direction};
use rand::Rng;
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior};

use crate::conn::{BotError, decode, packet_id};
use crate::crowd::Crowd;
use crate::grid::Grid;
use crate::login::{Entered, own_position};
use crate::stats::Counters;
use crate::swarm::{Phase, Swarm, WalkNote, chat_line, chat_sent_at, walk_timestamp};

/// How often a bot adds what it counted to the shared counters.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How many of one bot's walks an observer keeps waiting for their broadcast, and how long.
const PENDING_PER_BOT: usize = 16;
const PENDING_FOR: Duration = Duration::from_secs(10);
/// The chance a walking bot keeps its heading when it can.
const KEEP_HEADING: f64 = 0.75;

/// A warp the server offered and the bot is taking.
struct PendingWarp {
    map: u16,
    session: u16,
    rid: Vec<u16>,
}

/// What one bot counted since its last flush.
#[derive(Default)]
struct Local {
    /// Whether play has begun: what came before (the crowd arriving) is counted apart, so
    /// the packets received during play are those of the play phase alone.
    playing: bool,
    received: u64,
    walks_received: u64,
    chats_received: u64,
    /// Frames by (family, action) byte, during play only.
    kinds: HashMap<(u8, u8), u64>,
}

impl Local {
    fn flush(&mut self, counters: &Counters) {
        let received = if self.playing {
            &counters.received
        } else {
            &counters.received_before_play
        };
        Counters::add(received, std::mem::take(&mut self.received));
        Counters::add(
            &counters.walks_received,
            std::mem::take(&mut self.walks_received),
        );
        Counters::add(
            &counters.chats_received,
            std::mem::take(&mut self.chats_received),
        );
        if self.kinds.is_empty() {
            return;
        }
        if let Ok(mut kinds) = counters.received_kinds.lock() {
            for ((family, action), n) in self.kinds.drain() {
                let family = PacketFamily::from_u32(u32::from(family));
                let action = PacketAction::from_u32(u32::from(action));
                *kinds.entry(format!("{family:?}_{action:?}")).or_default() += n;
            }
        }
    }
}

/// A timer with a random first tick (so the crowd does not act in step), or none.
fn timer(every: Option<Duration>) -> Option<Interval> {
    let every = every?;
    let phase = every.mul_f64(rand::random::<f64>());
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + phase, every);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    Some(interval)
}

async fn tick(timer: &mut Option<Interval>) {
    match timer {
        Some(timer) => {
            timer.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Runs a bot in the game until the run stops; `Err` if its connection ended before.
pub async fn bot(swarm: Arc<Swarm>, mut me: Entered) -> Result<(), BotError> {
    let mut phase = swarm.phase.clone();
    let mut walk = None;
    let mut chat = None;
    let mut until = None;
    let mut flush = tokio::time::interval(FLUSH_EVERY);
    let mut local = Local::default();
    let mut warp: Option<PendingWarp> = None;
    let mut last_walk: Option<(u8, u8)> = None;
    let mut crowd = Crowd::default();
    crowd.reset(&std::mem::take(&mut me.nearby), me.conn.player_id);
    let result = loop {
        tokio::select! {
            body = me.conn.recv() => {
                let body = match body {
                    Ok(body) => body,
                    Err(error) => break Err(error),
                };
                local.received += 1;
                if local.playing
                    && let [action, family, ..] = body[..]
                {
                    *local.kinds.entry((family, action)).or_default() += 1;
                }
                match packet_id(&body) {
                    (PacketFamily::Walk, PacketAction::Player) => {
                        local.walks_received += 1;
                        if let Ok(ServerPacket::WalkPlayer(walk)) = decode(&body) {
                            crowd.moved(walk.player_id, walk.coords.x, walk.coords.y);
                        }
                    }
                    (PacketFamily::Talk, PacketAction::Player) => local.chats_received += 1,
                    (PacketFamily::Players, PacketAction::Agree) => {
                        if let Ok(ServerPacket::PlayersAgree(appear)) = decode(&body) {
                            crowd.seen(&appear.nearby, me.conn.player_id);
                        }
                    }
                    (PacketFamily::Avatar, PacketAction::Remove) => {
                        if let Ok(ServerPacket::AvatarRemove(gone)) = decode(&body) {
                            crowd.left(gone.player_id);
                        }
                    }
                    (PacketFamily::Refresh, PacketAction::Reply)
                    | (PacketFamily::Warp, PacketAction::Request)
                    | (PacketFamily::Warp, PacketAction::Agree)
                    | (PacketFamily::Init, PacketAction::Init) => {
                        let followed = match decode(&body) {
                            Ok(packet) => follow(&swarm, &mut me, packet, &mut warp, &mut last_walk, &mut crowd).await,
                            Err(error) => Err(error),
                        };
                        if let Err(error) = followed {
                            break Err(error);
                        }
                    }
                    _ => {}
                }
            }
            changed = phase.changed() => {
                if changed.is_err() {
                    break Ok(());
                }
                match *phase.borrow_and_update() {
                    Phase::Login => {}
                    Phase::Play { until: end } => {
                        local.flush(&swarm.counters);
                        local.playing = true;
                        until = Some(end);
                        walk = timer(swarm.walk_every);
                        chat = timer(swarm.chat_every);
                    }
                    Phase::Stop => break Ok(()),
                }
            }
            _ = tick(&mut walk), if warp.is_none() => {
                if let Err(error) = step(&swarm, &mut me, &mut last_walk, &crowd).await {
                    break Err(error);
                }
            }
            _ = tick(&mut chat) => {
                if let Err(error) = me.conn.send(&TalkReportClientPacket { message: chat_line(swarm.epoch) }).await {
                    break Err(error);
                }
                Counters::add(&swarm.counters.chats_sent, 1);
            }
            () = async { match until { Some(end) => tokio::time::sleep_until(end).await, None => std::future::pending().await } } => break Ok(()),
            _ = flush.tick() => local.flush(&swarm.counters),
        }
    };
    local.flush(&swarm.counters);
    result
}

/// One step: ahead if the way is open (mostly), else a random open direction, never straight
/// back unless it is the only way (so a broadcast is easy to match to its walk).
async fn step(
    swarm: &Swarm,
    me: &mut Entered,
    last_walk: &mut Option<(u8, u8)>,
    crowd: &Crowd,
) -> Result<(), BotError> {
    let chosen = choose(&me.grid, crowd, me.x, me.y, me.facing);
    let Some((direction, (to_x, to_y))) = chosen else {
        return Ok(()); // walled in: wait for the next tick
    };
    swarm.note(WalkNote::Sent {
        player_id: me.conn.player_id,
        x: to_x,
        y: to_y,
        at: Instant::now(),
    });
    me.conn
        .send(&WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction,
                timestamp: walk_timestamp(),
                coords: Coords { x: to_x, y: to_y },
            },
        })
        .await?;
    // As the official client does: move at once; a refusal puts it back.
    (me.x, me.y, me.facing) = (to_x, to_y, direction);
    *last_walk = Some((to_x, to_y));
    Counters::add(&swarm.counters.walks_sent, 1);
    Ok(())
}

/// Where a bot at (x, y) facing `facing` steps next, if anywhere: an open tile nobody it
/// can see stands on.
fn choose(
    grid: &Grid,
    crowd: &Crowd,
    x: u8,
    y: u8,
    facing: Direction,
) -> Option<(Direction, (u8, u8))> {
    let mut rng = rand::rng();
    let free = |d| grid.step(x, y, d).filter(|(x, y)| !crowd.occupied(*x, *y));
    if let Some(to) = free(facing)
        && rng.random_bool(KEEP_HEADING)
    {
        return Some((facing, to));
    }
    let open: Vec<(Direction, (u8, u8))> = [
        Direction::Down,
        Direction::Left,
        Direction::Up,
        Direction::Right,
    ]
    .into_iter()
    .filter_map(|d| free(d).map(|to| (d, to)))
    .collect();
    let forward: Vec<_> = open
        .iter()
        .copied()
        .filter(|(d, _)| *d != reverse(facing))
        .collect();
    let pool = if forward.is_empty() { open } else { forward };
    if pool.is_empty() {
        return None;
    }
    pool.get(rng.random_range(0..pool.len())).copied()
}

fn reverse(direction: Direction) -> Direction {
    match direction {
        Direction::Down => Direction::Up,
        Direction::Up => Direction::Down,
        Direction::Left => Direction::Right,
        Direction::Right => Direction::Left,
        other => other,
    }
}

/// Refusals and warps: where the server says the bot is.
async fn follow(
    swarm: &Swarm,
    me: &mut Entered,
    packet: ServerPacket,
    warp: &mut Option<PendingWarp>,
    last_walk: &mut Option<(u8, u8)>,
    crowd: &mut Crowd,
) -> Result<(), BotError> {
    match packet {
        // The server refused a walk (blocked by someone) and says where the bot is.
        ServerPacket::RefreshReply(reply) => {
            if let Some((x, y, facing)) = own_position(&reply.nearby, me.conn.player_id) {
                (me.x, me.y, me.facing) = (x, y, facing);
            }
            crowd.reset(&reply.nearby, me.conn.player_id);
            if let Some((x, y)) = last_walk.take() {
                swarm.note(WalkNote::Refused {
                    player_id: me.conn.player_id,
                    x,
                    y,
                });
            }
            Counters::add(&swarm.counters.walks_refused, 1);
        }
        // Sent somewhere (an operator's warp): take it, downloading the map if it is new.
        ServerPacket::WarpRequest(request) => {
            let rid = match &request.warp_type_data {
                Some(WarpRequestServerPacketWarpTypeData::MapSwitch(switch)) => {
                    switch.map_rid.to_vec()
                }
                None => Vec::new(),
            };
            let pending = PendingWarp {
                map: request.map_id,
                session: request.session_id,
                rid,
            };
            let known =
                request.map_id == me.map || swarm.maps.get(pending.map, &pending.rid).is_some();
            if known {
                me.conn
                    .send(&WarpAcceptClientPacket {
                        map_id: pending.map,
                        session_id: pending.session,
                    })
                    .await?;
            } else {
                me.conn
                    .send(&WarpTakeClientPacket {
                        map_id: pending.map,
                        session_id: pending.session,
                    })
                    .await?;
            }
            *warp = Some(pending);
        }
        ServerPacket::InitInit(reply) => {
            if let (Some(pending), Some(InitInitServerPacketReplyCodeData::WarpMap(file))) =
                (warp.as_ref(), reply.reply_code_data)
            {
                let grid = Grid::from_emf(&file.map_file.content)
                    .ok_or_else(|| BotError::Protocol("the warp's map does not decode".into()))?;
                swarm.maps.insert(pending.map, &pending.rid, Arc::new(grid));
                Counters::add(&swarm.counters.maps_downloaded, 1);
                me.conn
                    .send(&WarpAcceptClientPacket {
                        map_id: pending.map,
                        session_id: pending.session,
                    })
                    .await?;
            }
        }
        ServerPacket::WarpAgree(agree) => {
            if let Some(pending) = warp.take() {
                if pending.map != me.map {
                    me.grid = swarm.maps.get(pending.map, &pending.rid).ok_or_else(|| {
                        BotError::Protocol("warped to a map not downloaded".into())
                    })?;
                    me.map = pending.map;
                }
                if let Some((x, y, facing)) = own_position(&agree.nearby, me.conn.player_id) {
                    (me.x, me.y, me.facing) = (x, y, facing);
                }
                crowd.reset(&agree.nearby, me.conn.player_id);
                *last_walk = None;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Runs an observer until the run stops: it times every Walk_Player it gets against the walk
/// the bot noted, and every chat line of ours against the time it carries.
pub async fn observer(
    swarm: Arc<Swarm>,
    mut me: Entered,
    mut notes: mpsc::Receiver<WalkNote>,
) -> Result<(), BotError> {
    let mut phase = swarm.phase.clone();
    let mut until = None;
    let mut pending: HashMap<u16, VecDeque<(u8, u8, Instant)>> = HashMap::new();
    loop {
        tokio::select! {
            body = me.conn.recv() => {
                let body = body?;
                let now = Instant::now();
                match packet_id(&body) {
                    (PacketFamily::Walk, PacketAction::Player) => {
                        // Every note sent before this broadcast is in the inbox by now.
                        while let Ok(note) = notes.try_recv() {
                            keep(&mut pending, note);
                        }
                        if let ServerPacket::WalkPlayer(walk) = decode(&body)? {
                            match matched(&mut pending, walk.player_id, walk.coords.x, walk.coords.y, now) {
                                Some(sent) => swarm.walk_latency.push(micros(now - sent)),
                                None => Counters::add(&swarm.counters.unmatched, 1),
                            }
                        }
                    }
                    (PacketFamily::Talk, PacketAction::Player) => {
                        if let ServerPacket::TalkPlayer(talk) = decode(&body)?
                            && let Some(sent) = chat_sent_at(&talk.message)
                        {
                            let elapsed = micros(now - swarm.epoch);
                            swarm.chat_latency.push(elapsed.saturating_sub(sent));
                        }
                    }
                    _ => {}
                }
            }
            Some(note) = notes.recv() => keep(&mut pending, note),
            changed = phase.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
                match *phase.borrow_and_update() {
                    Phase::Login => {}
                    Phase::Play { until: end } => until = Some(end),
                    Phase::Stop => return Ok(()),
                }
            }
            () = async { match until { Some(end) => tokio::time::sleep_until(end).await, None => std::future::pending().await } } => return Ok(()),
        }
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Files a bot's note: a walk to wait for, or a refusal that cancels the latest such walk.
fn keep(pending: &mut HashMap<u16, VecDeque<(u8, u8, Instant)>>, note: WalkNote) {
    match note {
        WalkNote::Sent {
            player_id,
            x,
            y,
            at,
        } => {
            let walks = pending.entry(player_id).or_default();
            walks.push_back((x, y, at));
            while walks.len() > PENDING_PER_BOT {
                walks.pop_front();
            }
        }
        WalkNote::Refused { player_id, x, y } => {
            if let Some(walks) = pending.get_mut(&player_id)
                && let Some(i) = walks.iter().rposition(|(wx, wy, _)| (*wx, *wy) == (x, y))
            {
                walks.remove(i);
            }
        }
    }
}

/// When the walk a broadcast shows was sent: the latest walk of that bot to those coords.
/// Earlier walks are dropped (broadcasts of one bot come in order; those earlier were not in
/// view), and so are walks older than [`PENDING_FOR`].
fn matched(
    pending: &mut HashMap<u16, VecDeque<(u8, u8, Instant)>>,
    player_id: u16,
    x: u8,
    y: u8,
    now: Instant,
) -> Option<Instant> {
    let walks = pending.get_mut(&player_id)?;
    while walks
        .front()
        .is_some_and(|(_, _, at)| now.duration_since(*at) > PENDING_FOR)
    {
        walks.pop_front();
    }
    let i = walks.iter().rposition(|(wx, wy, _)| (*wx, *wy) == (x, y))?;
    let (_, _, at) = walks.get(i).copied()?;
    walks.drain(..=i);
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broadcast_matches_the_latest_walk_to_its_tile_and_refusals_cancel() {
        let mut pending = HashMap::new();
        let t0 = Instant::now();
        let later = |ms| t0 + Duration::from_millis(ms);
        for (x, at) in [(1, 0), (2, 100), (1, 200), (3, 300)] {
            keep(
                &mut pending,
                WalkNote::Sent {
                    player_id: 7,
                    x,
                    y: 5,
                    at: later(at),
                },
            );
        }
        // The walk to 1 at 200 ms, not the unseen one at 0 ms; the older ones go.
        assert_eq!(matched(&mut pending, 7, 1, 5, later(210)), Some(later(200)));
        assert_eq!(pending[&7].len(), 1);
        assert_eq!(matched(&mut pending, 7, 2, 5, later(220)), None);
        keep(
            &mut pending,
            WalkNote::Refused {
                player_id: 7,
                x: 3,
                y: 5,
            },
        );
        assert_eq!(matched(&mut pending, 7, 3, 5, later(320)), None);
        assert_eq!(matched(&mut pending, 8, 3, 5, later(320)), None);
        // Too old to be waited for.
        keep(
            &mut pending,
            WalkNote::Sent {
                player_id: 7,
                x: 4,
                y: 5,
                at: later(400),
            },
        );
        assert_eq!(
            matched(&mut pending, 7, 4, 5, later(400) + PENDING_FOR * 2),
            None
        );
    }
}
