//! A trading bot for the crash tests: a real client that logs in, enters the game and then,
//! until its connection dies, drops random amounts of what it holds at its feet, picks up the
//! piles the others drop, and walks its own short lane of tiles, writing down everything the
//! server acknowledged and when. Include it with `#[path = "common/trader.rs"] mod trader;`
//! next to `mod common;` (it uses `crate::common`).

#![allow(dead_code)] // each test file uses a part

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

use eo_protocol::net::client::{
    ByteCoords, ConnectionPingClientPacket, ItemDropClientPacket, ItemGetClientPacket, WalkAction,
    WalkPlayerClientPacket,
};
use eo_protocol::net::server::ServerPacket;
use eo_protocol::net::{PacketAction, PacketFamily, ThreeItem};
use eo_protocol::sequence::ping_sequence_start;
use eo_protocol::{Coords, Direction};
use futures_util::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::{Instant, MissedTickBehavior};

use crate::common::{TestClient, enter_character};

/// Where a trader stands: its own column of three tiles, `x` and `TOP_ROW..=TOP_ROW + 2`, so
/// no trader ever blocks another's step and neighbouring columns stay within the pick-up
/// distance (2) most of the time.
pub const TOP_ROW: u8 = 10;
/// The column of trader `index` (Mossbrook's open square east of the pond: x 15 and up, rows
/// 10 to 12, is plain floor away from the spawn point 16,9 and from the fenced-in NPCs).
pub fn column(index: usize) -> u8 {
    15 + u8::try_from(index).expect("a handful of traders")
}

/// Time between two actions (a drop or a pick-up) of one trader: 40 a second, under the
/// test's `flood.packets_per_sec`.
pub const ACTION_EVERY: Duration = Duration::from_millis(25);
/// Time between two steps: longer than the server's walk pace (flood.walk_ms = 360).
const STEP_EVERY_MS: std::ops::Range<u64> = 400..900;
/// How far (|dx| + |dy|) a pile may be for a pick-up (items.drop_distance).
const PICK_UP_DISTANCE: u32 = 2;

/// One trader's instructions.
pub struct Trader {
    pub addr: SocketAddr,
    pub name: String,
    pub password: String,
    pub character_id: i32,
    /// Its column (see [`column`]).
    pub x: u8,
    /// The row its character was saved on before the server started.
    pub start_row: u8,
    /// Waits this long before connecting (spreads the connections over time, as players'
    /// are).
    pub connect_after: Duration,
}

/// What a trader was told, with when. Positions are where the character may have stood from
/// an instant on: a step counts from when it was sent (the server may take it, and save it,
/// before the answer arrives), a refusal from when the answer came.
#[derive(Debug, Default)]
pub struct Report {
    pub name: String,
    pub entered_at: Option<Instant>,
    /// Where the server put the character on entering.
    pub entered_on: Option<(u8, u8)>,
    pub positions: Vec<(Instant, (u8, u8))>,
    /// Piles of others this trader was given (Item_Get acknowledged), and the amount.
    pub taken_from_others: u32,
    pub amount_taken_from_others: u64,
    pub drops: u32,
    pub steps: u32,
    /// When and why the connection ended.
    pub ended_at: Option<Instant>,
    pub ended: String,
}

/// Runs one trader until its connection ends. Tells `entered` (with the trader's index) once
/// it is in the game.
pub async fn trade(
    trader: Trader,
    index: usize,
    entered: tokio::sync::mpsc::UnboundedSender<(usize, Instant)>,
) -> Report {
    let mut report = Report {
        name: trader.name.clone(),
        ..Report::default()
    };
    tokio::time::sleep(trader.connect_after).await;
    let mut client = TestClient::connected(trader.addr).await;
    let login = client.login(&trader.name, &trader.password).await;
    assert_eq!(
        login.reply_code,
        eo_protocol::net::server::LoginReply::Ok,
        "{}",
        trader.name
    );
    let welcome = enter_character(&mut client, trader.character_id).await;
    let now = Instant::now();
    report.entered_at = Some(now);
    let me = client.player_id;
    let at = welcome
        .enter
        .nearby
        .characters
        .iter()
        .find(|c| c.player_id == me)
        .map(|c| (c.coords.x as u8, c.coords.y as u8));
    report.entered_on = at;
    let mut at = at.unwrap_or((trader.x, trader.start_row));
    report.positions.push((now, at));
    let _ = entered.send((index, now));

    let mut state = State {
        inventory: welcome
            .enter
            .items
            .iter()
            .map(|i| (i.id, i.amount))
            .collect(),
        ..State::default()
    };
    for pile in &welcome.enter.nearby.items {
        state.piles.insert(pile.uid, (pile.coords.x, pile.coords.y));
    }
    let mut rng = StdRng::from_os_rng();
    let plan = Plan::new(trader.start_row, &mut rng);
    let mut actions = tokio::time::interval(ACTION_EVERY);
    actions.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut next_step = Instant::now();
    report.ended = loop {
        tokio::select! {
            biased;
            received = receive(&mut client) => match received {
                Err(why) => break why,
                Ok(packet) => state.take(packet, me, &mut at, &mut report),
            },
            _ = actions.tick() => {
                // A step first when one is due (so the trader leaves its first tile at once),
                // then a pile of someone else's in reach, else a drop.
                let sent = if state.walking.is_none()
                    && Instant::now() >= next_step
                    && let Some(direction) = plan.next(at)
                {
                    let to = step(at, direction);
                    let timestamp = client.next_walk_stamp();
                    let walk = WalkPlayerClientPacket {
                        walk_action: WalkAction {
                            direction,
                            timestamp,
                            coords: Coords { x: to.0, y: to.1 },
                        },
                    };
                    state.walking = Some(to);
                    report.positions.push((Instant::now(), to));
                    report.steps += 1;
                    next_step = Instant::now()
                        + Duration::from_millis(rng.random_range(STEP_EVERY_MS));
                    client.try_send(&walk).await
                } else if let Some(uid) = state.pile_in_reach(at) {
                    state.asked.insert(uid);
                    state.piles.remove(&uid);
                    client.try_send(&ItemGetClientPacket { item_index: uid }).await
                } else if let Some((id, amount)) = state.something_to_drop(&mut rng) {
                    report.drops += 1;
                    client
                        .try_send(&ItemDropClientPacket {
                            item: ThreeItem { id, amount },
                            coords: ByteCoords { x: 255, y: 255 },
                        })
                        .await
                } else {
                    true
                };
                if !sent {
                    break "a send failed".to_owned();
                }
            }
        }
    };
    report.ended_at = Some(Instant::now());
    report
}

/// What a trader knows.
#[derive(Default)]
struct State {
    inventory: HashMap<u16, u32>,
    /// Others' piles in view, by index, with where they lie.
    piles: HashMap<u16, (u8, u8)>,
    /// This trader's own piles (not to be picked up: that moves nothing between characters).
    mine: HashSet<u16>,
    /// Piles of others asked for, not yet answered.
    asked: HashSet<u16>,
    /// The tile a step was sent to, until the answer.
    walking: Option<(u8, u8)>,
}

impl State {
    fn take(&mut self, packet: ServerPacket, me: u16, at: &mut (u8, u8), report: &mut Report) {
        match packet {
            ServerPacket::ItemAdd(add) if !self.mine.contains(&add.item_index) => {
                self.piles
                    .insert(add.item_index, (add.coords.x, add.coords.y));
            }
            ServerPacket::ItemRemove(gone) => {
                self.piles.remove(&gone.item_index);
                self.mine.remove(&gone.item_index);
                self.asked.remove(&gone.item_index);
            }
            ServerPacket::ItemDrop(dropped) => {
                self.mine.insert(dropped.item_index);
                self.inventory
                    .insert(dropped.dropped_item.id, dropped.remaining_amount);
            }
            ServerPacket::ItemGet(got) => {
                let amount = got.taken_item.amount;
                *self.inventory.entry(got.taken_item.id).or_default() += amount;
                if self.asked.remove(&got.taken_item_index) {
                    report.taken_from_others += 1;
                    report.amount_taken_from_others += u64::from(amount);
                }
            }
            ServerPacket::WalkReply(_) => {
                if let Some(to) = self.walking.take() {
                    *at = to;
                }
            }
            // A refused step: the server says where the character stands.
            ServerPacket::RefreshReply(refresh) => {
                self.walking = None;
                if let Some(c) = refresh.nearby.characters.iter().find(|c| c.player_id == me) {
                    *at = (c.coords.x as u8, c.coords.y as u8);
                    report.positions.push((Instant::now(), *at));
                }
            }
            _ => {}
        }
    }

    /// An other's pile within reach, if any.
    fn pile_in_reach(&self, at: (u8, u8)) -> Option<u16> {
        self.piles
            .iter()
            .find(|(_, (x, y))| {
                u32::from(x.abs_diff(at.0)) + u32::from(y.abs_diff(at.1)) <= PICK_UP_DISTANCE
            })
            .map(|(uid, _)| *uid)
    }

    /// A random item held and a random amount of it.
    fn something_to_drop(&self, rng: &mut impl Rng) -> Option<(u16, u32)> {
        let held: Vec<(u16, u32)> = self
            .inventory
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(id, n)| (*id, *n))
            .collect();
        if held.is_empty() {
            return None;
        }
        let (id, n) = held[rng.random_range(0..held.len())];
        Some((id, rng.random_range(1..=n)))
    }
}

/// How a trader walks its column: off the row it started on at once, and never back to it
/// (so a character found there after the kill was not saved since it entered). From an end
/// row it goes to the middle and then steps to the far end and back; from the middle it goes
/// to one end and stays.
struct Plan {
    start_row: u8,
    /// The middle row's other neighbour, for a start at an end.
    far_row: Option<u8>,
    /// Where a start in the middle goes.
    end_row: u8,
}

impl Plan {
    fn new(start_row: u8, rng: &mut impl Rng) -> Plan {
        let middle = TOP_ROW + 1;
        let far_row = match start_row.cmp(&middle) {
            std::cmp::Ordering::Less => Some(middle + 1),
            std::cmp::Ordering::Greater => Some(middle - 1),
            std::cmp::Ordering::Equal => None,
        };
        let end_row = if rng.random_bool(0.5) {
            TOP_ROW
        } else {
            TOP_ROW + 2
        };
        Plan {
            start_row,
            far_row,
            end_row,
        }
    }

    /// The next step from `at`, if any.
    fn next(&self, at: (u8, u8)) -> Option<Direction> {
        let middle = TOP_ROW + 1;
        let to_row = match self.far_row {
            Some(far) if at.1 == middle => far,
            Some(_) => middle,
            None if at.1 == self.start_row => self.end_row,
            None => return None,
        };
        match to_row.cmp(&at.1) {
            std::cmp::Ordering::Greater => Some(Direction::Down),
            std::cmp::Ordering::Less => Some(Direction::Up),
            std::cmp::Ordering::Equal => None,
        }
    }
}

fn step(at: (u8, u8), direction: Direction) -> (u8, u8) {
    match direction {
        Direction::Down => (at.0, at.1 + 1),
        Direction::Up => (at.0, at.1 - 1),
        Direction::Left => (at.0 - 1, at.1),
        _ => (at.0 + 1, at.1),
    }
}

/// The next server packet (pings answered on the way), or why there is none: the connection
/// closed, or the server sent something that is not a valid packet.
async fn receive(client: &mut TestClient) -> Result<ServerPacket, String> {
    loop {
        let body = match client.framed.next().await {
            None => return Err("closed".into()),
            Some(Err(error)) => return Err(format!("closed: {error}")),
            Some(Ok(body)) => body,
        };
        let (Some(action), Some(family), Some(payload)) =
            (body.first(), body.get(1), body.get(2..))
        else {
            return Err(format!("a frame too short: {body:?}"));
        };
        let action = PacketAction::from_u32(u32::from(*action));
        let family = PacketFamily::from_u32(u32::from(*family));
        let packet = ServerPacket::decode_strict(family, action, payload)
            .map_err(|error| format!("an invalid {family:?}_{action:?}: {error}"))?;
        if let ServerPacket::ConnectionPlayer(ping) = &packet {
            client
                .sequencer
                .set_start(ping_sequence_start(ping.seq1, ping.seq2));
            if !client.try_send(&ConnectionPingClientPacket).await {
                return Err("closed while answering a ping".into());
            }
            continue;
        }
        return Ok(packet);
    }
}
