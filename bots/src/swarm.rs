//! What every bot shares: the address, the rates, the counters and timings, the maps already
//! downloaded, the observers' inboxes, and the phase of the run.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use crate::grid::MapCache;
use crate::stats::{Counters, Errors, Samples};

/// Where the run is. Bots read socket traffic in every phase; they walk and chat only while
/// playing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Bots are logging in; those in the game wait.
    Login,
    /// Walk and chat until then.
    Play { until: tokio::time::Instant },
    /// Disconnect now.
    Stop,
}

/// What a bot tells the observers about one walk it sent, so they can time its broadcast.
#[derive(Debug, Clone, Copy)]
pub enum WalkNote {
    /// The walk to (x, y) was written to the socket at `at`.
    Sent {
        player_id: u16,
        x: u8,
        y: u8,
        at: Instant,
    },
    /// The server refused the walk to (x, y): no broadcast will come.
    Refused { player_id: u16, x: u8, y: u8 },
}

pub struct Swarm {
    pub addr: SocketAddr,
    pub password: String,
    /// Time between two walks (or chats) of one bot; `None` when off.
    pub walk_every: Option<Duration>,
    pub chat_every: Option<Duration>,
    pub counters: Counters,
    pub errors: Errors,
    /// From connecting to the Welcome_Reply that enters the game.
    pub login_latency: Samples,
    /// From a bot's send to an observer's receipt of the broadcast.
    pub walk_latency: Samples,
    pub chat_latency: Samples,
    pub maps: MapCache,
    /// The clock chat messages carry (microseconds since then).
    pub epoch: Instant,
    pub observers: Vec<mpsc::Sender<WalkNote>>,
    pub phase: watch::Receiver<Phase>,
}

impl Swarm {
    /// Tells every observer; a full inbox (an observer falling behind) is counted.
    pub fn note(&self, note: WalkNote) {
        for observer in &self.observers {
            if observer.try_send(note).is_err() {
                Counters::add(&self.counters.observer_overflow, 1);
            }
        }
    }
}

/// A chat line carrying its send time: `swarm <microseconds since the epoch>`.
pub fn chat_line(epoch: Instant) -> String {
    format!("{CHAT_MARK}{}", epoch.elapsed().as_micros())
}

/// The send time a chat line carries, if it is one of ours.
pub fn chat_sent_at(line: &str) -> Option<u64> {
    line.strip_prefix(CHAT_MARK)?.parse().ok()
}

const CHAT_MARK: &str = "swarm ";

/// The EO client's walk timestamp: hundredths of a second since midnight (UTC here).
pub fn walk_timestamp() -> u32 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    ((now.as_millis() / 10) % 8_640_000) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_lines_carry_their_time() {
        let epoch = Instant::now() - Duration::from_secs(2);
        let line = chat_line(epoch);
        let at = chat_sent_at(&line).unwrap();
        assert!((2_000_000..3_000_000).contains(&at), "{line}");
        assert_eq!(chat_sent_at("hello there"), None);
        assert!(walk_timestamp() < 8_640_000);
    }
}
