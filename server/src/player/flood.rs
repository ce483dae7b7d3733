//! Flood control for one connection: the rate of every packet, and the pace of walks, attacks,
//! faces and chat (`[flood]` in the config).
//!
//! An action that comes sooner than its pace allows is *refused*: dropped, and a walker is put
//! back where the map has it. EOSERV instead queues early actions and runs them late; we drop
//! them because a queue makes an honest client's next action wait behind its flood, holds
//! memory per connection, and needs a timer per player, while dropping costs two timestamps
//! per kind and the client is corrected at once (reoserv and goeoserv drop too). Refusals are
//! forgiven at one a second; a client with more than `max_refused` unforgiven refusals, or
//! sending more packets than `packets_per_sec` past a burst of `packet_burst`, is disconnected
//! (one log line, by the connection's end).
//!
//! Walks and attacks are checked twice: by the timestamps the client puts in them (hundredths
//! of a second since midnight, as EOSERV's EnforceTimestamps checks them), which network
//! jitter cannot bend, and by their arrival, which a client faking its timestamps cannot
//! bend beyond `action_burst`.

use std::time::Duration;

use eo_protocol::net::PacketFamily;
use eo_protocol::net::client::ClientPacket;
use tokio::time::Instant;

use crate::config::FloodConfig;

/// Client timestamps count hundredths of a second and wrap at midnight.
const STAMPS_PER_DAY: u32 = 24 * 60 * 60 * 100;
/// How fast refusals are forgiven.
const FORGIVE_EVERY: Duration = Duration::from_secs(1);

/// Why a flooding client is disconnected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Flood {
    #[error("more than {rate} packets a second (flood.packets_per_sec, burst flood.packet_burst)")]
    Packets { rate: u32 },
    #[error(
        "too many actions refused as too fast (flood.max_refused): {refused} in all, the last a {kind}"
    )]
    Refused { refused: u32, kind: ActionKind },
}

/// The kinds of action that have a pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Walk,
    Attack,
    Face,
    Chat,
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ActionKind::Walk => "walk",
            ActionKind::Attack => "attack",
            ActionKind::Face => "face",
            ActionKind::Chat => "chat",
        })
    }
}

/// What to do with one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Allow,
    /// Drop it (a walk: put the walker back); the client stays.
    Refuse(ActionKind),
    /// Disconnect the client.
    Disconnect(Flood),
}

/// At most one event per `interval` on average, and `burst` at once: the generic cell rate
/// algorithm, which keeps one instant instead of a queue or a window of times.
#[derive(Debug, Clone)]
struct Pace {
    interval: Duration,
    /// How far ahead of `now` the schedule may run: `(burst - 1) * interval`; `None` when
    /// not even one event is allowed.
    tolerance: Option<Duration>,
    /// When the next event would be on schedule.
    next: Option<Instant>,
}

impl Pace {
    /// A pace of one per `interval` (zero: no limit) with `burst` at once.
    fn new(interval: Duration, burst: u32) -> Self {
        let tolerance = burst
            .checked_sub(1)
            .map(|extra| interval.checked_mul(extra).unwrap_or(Duration::MAX));
        Pace {
            interval,
            tolerance,
            next: None,
        }
    }

    fn per_second(rate: u32, burst: u32) -> Self {
        let interval = if rate == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(1) / rate
        };
        Pace::new(interval, burst)
    }

    /// Counts an event at `now` if the pace allows it; whether it did.
    fn allow(&mut self, now: Instant) -> bool {
        if self.interval.is_zero() {
            return true;
        }
        let Some(tolerance) = self.tolerance else {
            return false;
        };
        let scheduled = self.next.map_or(now, |next| next.max(now));
        if scheduled.saturating_duration_since(now) > tolerance {
            return false;
        }
        self.next = Some(scheduled.checked_add(self.interval).unwrap_or(scheduled));
        true
    }
}

/// The client-stamped pace of one kind: the least gap between two accepted stamps.
#[derive(Debug, Clone)]
struct StampPace {
    min_gap: u32,
    last: Option<u32>,
}

impl StampPace {
    fn new(pace_ms: u64) -> Self {
        StampPace {
            min_gap: u32::try_from(pace_ms / 10).unwrap_or(u32::MAX),
            last: None,
        }
    }

    /// Whether `stamp` is far enough after the last accepted one (across midnight too).
    fn allows(&self, stamp: u32) -> bool {
        match self.last {
            Some(last) if self.min_gap > 0 => {
                let (stamp, last) = (stamp % STAMPS_PER_DAY, last % STAMPS_PER_DAY);
                let gap = (stamp + STAMPS_PER_DAY - last) % STAMPS_PER_DAY;
                gap >= self.min_gap
            }
            _ => true,
        }
    }
}

/// One connection's flood state.
#[derive(Debug, Clone)]
pub struct FloodGuard {
    packet_rate: u32,
    packets: Pace,
    walk: (Pace, StampPace),
    attack: (Pace, StampPace),
    face: Pace,
    chat: Pace,
    refused: Pace,
    /// Refusals on this connection so far, for the log line.
    refused_total: u32,
}

impl FloodGuard {
    pub fn new(config: &FloodConfig) -> Self {
        let pace = |ms: u64| Pace::new(Duration::from_millis(ms), config.action_burst);
        FloodGuard {
            packet_rate: config.packets_per_sec,
            packets: Pace::per_second(config.packets_per_sec, config.packet_burst),
            walk: (pace(config.walk_ms), StampPace::new(config.walk_ms)),
            attack: (pace(config.attack_ms), StampPace::new(config.attack_ms)),
            face: pace(config.face_ms),
            chat: pace(config.chat_ms),
            refused: Pace::new(FORGIVE_EVERY, config.max_refused),
            refused_total: 0,
        }
    }

    /// Counts any packet (frame) received at `now`; `Err` if the client sends too many.
    pub fn packet(&mut self, now: Instant) -> Result<(), Flood> {
        if self.packets.allow(now) {
            Ok(())
        } else {
            Err(Flood::Packets {
                rate: self.packet_rate,
            })
        }
    }

    /// Whether the decoded `packet`, received at `now`, keeps its kind's pace.
    pub fn action(&mut self, packet: &ClientPacket, now: Instant) -> Verdict {
        let (kind, allowed) = match packet {
            ClientPacket::WalkPlayer(p) => (
                ActionKind::Walk,
                stamped(&mut self.walk, p.walk_action.timestamp, now),
            ),
            ClientPacket::WalkSpec(p) => (
                ActionKind::Walk,
                stamped(&mut self.walk, p.walk_action.timestamp, now),
            ),
            ClientPacket::WalkAdmin(p) => (
                ActionKind::Walk,
                stamped(&mut self.walk, p.walk_action.timestamp, now),
            ),
            ClientPacket::AttackUse(p) => (
                ActionKind::Attack,
                stamped(&mut self.attack, p.timestamp, now),
            ),
            ClientPacket::FacePlayer(_) => (ActionKind::Face, self.face.allow(now)),
            // An in-game `$` command is not said aloud: only the packet rate applies.
            ClientPacket::TalkReport(talk) if talk.message.starts_with('$') => {
                return Verdict::Allow;
            }
            other if other.family() == PacketFamily::Talk => {
                (ActionKind::Chat, self.chat.allow(now))
            }
            _ => return Verdict::Allow,
        };
        if allowed {
            return Verdict::Allow;
        }
        self.refused_total = self.refused_total.saturating_add(1);
        if self.refused.allow(now) {
            Verdict::Refuse(kind)
        } else {
            Verdict::Disconnect(Flood::Refused {
                refused: self.refused_total,
                kind,
            })
        }
    }
}

/// A stamped action keeps its pace if both its stamp and its arrival do; only then is the
/// stamp remembered and the arrival counted.
fn stamped(pace: &mut (Pace, StampPace), stamp: u32, now: Instant) -> bool {
    let (arrival, stamps) = pace;
    if !stamps.allows(stamp) || !arrival.allow(now) {
        return false;
    }
    stamps.last = Some(stamp);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_protocol::net::client::{
        FacePlayerClientPacket, RefreshRequestClientPacket, TalkReportClientPacket, WalkAction,
        WalkPlayerClientPacket,
    };
    use eo_protocol::{Coords, Direction};

    fn walk(timestamp: u32) -> ClientPacket {
        ClientPacket::WalkPlayer(WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: Direction::Down,
                timestamp,
                coords: Coords { x: 1, y: 1 },
            },
        })
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_pace_allows_its_burst_then_one_per_interval() {
        let t0 = Instant::now();
        let mut pace = Pace::new(ms(100), 3);
        assert!(pace.allow(t0) && pace.allow(t0) && pace.allow(t0));
        assert!(!pace.allow(t0), "a fourth at once");
        assert!(!pace.allow(t0 + ms(99)));
        assert!(pace.allow(t0 + ms(100)));
        assert!(!pace.allow(t0 + ms(150)));
        // Idle long enough and the whole burst is back, never more.
        let later = t0 + ms(10_000);
        assert!(pace.allow(later) && pace.allow(later) && pace.allow(later));
        assert!(!pace.allow(later));
        // Off, and never.
        let mut off = Pace::new(Duration::ZERO, 1);
        assert!((0..1000).all(|_| off.allow(t0)));
        let mut never = Pace::new(ms(100), 0);
        assert!(!never.allow(t0));
        let mut rate = Pace::per_second(10, 1);
        assert!(rate.allow(t0) && !rate.allow(t0 + ms(50)) && rate.allow(t0 + ms(100)));
    }

    #[test]
    fn walk_stamps_must_keep_the_clients_own_pace_across_midnight() {
        let mut stamps = StampPace::new(360);
        assert!(stamps.allows(500), "the first walk");
        stamps.last = Some(500);
        assert!(!stamps.allows(535));
        assert!(stamps.allows(536));
        stamps.last = Some(STAMPS_PER_DAY - 10);
        assert!(!stamps.allows(20), "30 hundredths across midnight");
        assert!(stamps.allows(26));
        // A clock set back is not held against the client (as EOSERV).
        stamps.last = Some(10_000);
        assert!(stamps.allows(9_000));
        assert!(StampPace::new(0).allows(0));
    }

    #[test]
    fn early_walks_are_refused_until_the_client_is_disconnected() {
        let config = FloodConfig {
            max_refused: 3,
            ..FloodConfig::default()
        };
        let mut guard = FloodGuard::new(&config);
        let t0 = Instant::now();
        assert_eq!(guard.action(&walk(100), t0), Verdict::Allow);
        // Stamped 10 hundredths later: too soon by the client's own clock.
        assert_eq!(
            guard.action(&walk(110), t0 + ms(400)),
            Verdict::Refuse(ActionKind::Walk)
        );
        assert_eq!(guard.action(&walk(136), t0 + ms(400)), Verdict::Allow);
        // Honest stamps, but five arriving at once: the burst of 4 passes, then refusals.
        let t1 = t0 + ms(5_000);
        for i in 0..4 {
            assert_eq!(
                guard.action(&walk(1000 + 40 * i), t1),
                Verdict::Allow,
                "walk {i}"
            );
        }
        // The first refusal was forgiven by now; three more are tolerated, not a fourth.
        for i in 0..3 {
            assert_eq!(
                guard.action(&walk(2000 + 40 * i), t1),
                Verdict::Refuse(ActionKind::Walk)
            );
        }
        assert_eq!(
            guard.action(&walk(3000), t1),
            Verdict::Disconnect(Flood::Refused {
                refused: 5,
                kind: ActionKind::Walk
            })
        );
    }

    #[test]
    fn refusals_are_forgiven_with_time() {
        let config = FloodConfig {
            max_refused: 2,
            face_ms: 1_000,
            action_burst: 1,
            ..FloodConfig::default()
        };
        let face = ClientPacket::FacePlayer(FacePlayerClientPacket {
            direction: Direction::Up,
        });
        let mut guard = FloodGuard::new(&config);
        let t0 = Instant::now();
        // One refusal a second, forever: never disconnected.
        for s in 0..30 {
            let at = t0 + Duration::from_secs(s);
            assert_eq!(guard.action(&face, at), Verdict::Allow);
            assert_eq!(
                guard.action(&face, at + ms(10)),
                Verdict::Refuse(ActionKind::Face)
            );
        }
    }

    #[test]
    fn chat_has_a_pace_and_other_packets_only_the_packet_rate() {
        let config = FloodConfig {
            packets_per_sec: 10,
            packet_burst: 5,
            ..FloodConfig::default()
        };
        let mut guard = FloodGuard::new(&config);
        let t0 = Instant::now();
        let talk = ClientPacket::TalkReport(TalkReportClientPacket {
            message: "hi".into(),
        });
        for _ in 0..4 {
            assert_eq!(guard.action(&talk, t0), Verdict::Allow);
        }
        assert_eq!(guard.action(&talk, t0), Verdict::Refuse(ActionKind::Chat));
        let command = ClientPacket::TalkReport(TalkReportClientPacket {
            message: "$info someone".into(),
        });
        assert_eq!(
            guard.action(&command, t0),
            Verdict::Allow,
            "a $ command is no chat"
        );
        let refresh = ClientPacket::RefreshRequest(RefreshRequestClientPacket);
        assert!((0..100).all(|_| guard.action(&refresh, t0) == Verdict::Allow));
        // Five packets at once pass the packet rate, the sixth does not.
        assert!((0..5).all(|_| guard.packet(t0).is_ok()));
        assert_eq!(guard.packet(t0), Err(Flood::Packets { rate: 10 }));
        assert!(guard.packet(t0 + ms(100)).is_ok());
    }

    #[test]
    fn zero_turns_each_check_off() {
        let config = FloodConfig {
            walk_ms: 0,
            packets_per_sec: 0,
            ..FloodConfig::default()
        };
        let mut guard = FloodGuard::new(&config);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(guard.packet(t0).is_ok());
            assert_eq!(guard.action(&walk(0), t0), Verdict::Allow);
        }
    }
}
