//! What the swarm counts while it runs, and the percentiles of what it timed.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

/// Counters shared by every bot (relaxed atomics: they are only read for reports).
#[derive(Debug, Default)]
pub struct Counters {
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub accounts_created: AtomicU64,
    pub characters_created: AtomicU64,
    pub maps_downloaded: AtomicU64,
    pub in_game: AtomicU64,
    pub walks_sent: AtomicU64,
    pub walks_refused: AtomicU64,
    pub chats_sent: AtomicU64,
    /// Frames received by all bots during play (observers not included).
    pub received: AtomicU64,
    /// Frames received by the bots in the game before play began (the crowd arriving).
    pub received_before_play: AtomicU64,
    pub walks_received: AtomicU64,
    pub chats_received: AtomicU64,
    /// Frames received during play by kind ("Family_Action"), to see what the traffic is.
    pub received_kinds: Mutex<BTreeMap<String, u64>>,
    /// Bots whose connection closed before the end.
    pub disconnects: AtomicU64,
    /// Walks the observers were told of but could not keep (their queue was full).
    pub observer_overflow: AtomicU64,
    /// Walk_Player packets the observers got and could not match to a bot's walk.
    pub unmatched: AtomicU64,
}

impl Counters {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Timings in microseconds, and the position up to which the progress line has shown them.
#[derive(Debug, Default)]
pub struct Samples {
    inner: Mutex<(Vec<u32>, usize)>,
}

impl Samples {
    pub fn push(&self, micros: u64) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.0.push(u32::try_from(micros).unwrap_or(u32::MAX));
        }
    }

    /// Every sample so far, sorted.
    pub fn all(&self) -> Vec<u32> {
        let mut all = self.inner.lock().map(|i| i.0.clone()).unwrap_or_default();
        all.sort_unstable();
        all
    }

    /// The samples since the last call, sorted.
    pub fn since_last(&self) -> Vec<u32> {
        let Ok(mut inner) = self.inner.lock() else {
            return Vec::new();
        };
        let (samples, shown) = &mut *inner;
        let mut recent = samples.get(*shown..).unwrap_or(&[]).to_vec();
        *shown = samples.len();
        recent.sort_unstable();
        recent
    }
}

/// Errors by kind.
#[derive(Debug, Default)]
pub struct Errors {
    kinds: Mutex<BTreeMap<String, u64>>,
}

impl Errors {
    pub fn add(&self, kind: String) {
        if let Ok(mut kinds) = self.kinds.lock() {
            *kinds.entry(kind).or_insert(0) += 1;
        }
    }

    pub fn total(&self) -> u64 {
        self.kinds.lock().map(|k| k.values().sum()).unwrap_or(0)
    }

    pub fn by_kind(&self) -> BTreeMap<String, u64> {
        self.kinds.lock().map(|k| k.clone()).unwrap_or_default()
    }
}

/// The p-th percentile (0 < p <= 100) of sorted samples: the smallest sample that at least
/// p% of the samples do not exceed.
pub fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// p50, p95, p99 and max of microsecond samples, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(sorted: &[u32]) -> Option<Summary> {
        let ms = |p| percentile(sorted, p).map_or(0.0, |us| f64::from(us) / 1000.0);
        (!sorted.is_empty()).then(|| Summary {
            count: sorted.len(),
            p50: ms(50.0),
            p95: ms(95.0),
            p99: ms(99.0),
            max: ms(100.0),
        })
    }

    pub fn json(summary: Option<Summary>) -> Value {
        match summary {
            None => json!({"samples": 0}),
            Some(s) => json!({
                "samples": s.count,
                "p50": round(s.p50),
                "p95": round(s.p95),
                "p99": round(s.p99),
                "max": round(s.max),
            }),
        }
    }

    /// `p50 1.20 ms, p95 .., p99 .., max .. (N samples)`, or `no samples`.
    pub fn line(summary: Option<Summary>) -> String {
        match summary {
            None => "no samples".into(),
            Some(s) => format!(
                "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
                s.p50, s.p95, s.p99, s.max, s.count
            ),
        }
    }
}

/// Three decimals are plenty for milliseconds.
pub fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), Some(50));
        assert_eq!(percentile(&samples, 99.0), Some(99));
        assert_eq!(percentile(&samples, 100.0), Some(100));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        let s = Summary::of(&[1000, 2000, 3000, 4000]).unwrap();
        assert_eq!((s.p50, s.max, s.count), (2.0, 4.0, 4));
    }

    #[test]
    fn samples_since_last_are_the_new_ones() {
        let samples = Samples::default();
        samples.push(5);
        samples.push(3);
        assert_eq!(samples.since_last(), [3, 5]);
        samples.push(1);
        assert_eq!(samples.since_last(), [1]);
        assert_eq!(samples.all(), [1, 3, 5]);
    }
}
