//! Keeps the log readable under a connect storm or a flood: refused and dropped connections are
//! logged at most once per address per interval (`log.offender_interval_secs`); the rest are
//! counted, and the count goes into the address's next line, or into a summary line once its
//! interval has passed quietly. Owned by the listener task.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Entry {
    /// When the address's last line was logged.
    logged_at: Instant,
    /// Events since then that were not logged.
    suppressed: u64,
}

/// Which offender lines to log now.
#[derive(Debug)]
pub struct OffenderLog {
    interval: Duration,
    by_address: HashMap<IpAddr, Entry>,
}

impl OffenderLog {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            by_address: HashMap::new(),
        }
    }

    /// A new interval (a config reload), for lines from now on.
    pub fn set_interval(&mut self, interval: Duration) {
        self.interval = interval;
    }

    /// An event about `ip` at `now`: `Some(n)` if it is to be logged, `n` being how many
    /// events of the address were not logged before it; `None` if it is only counted.
    pub fn event(&mut self, ip: IpAddr, now: Instant) -> Option<u64> {
        let ip = super::address::address_group(ip);
        match self.by_address.get_mut(&ip) {
            Some(entry) if now.saturating_duration_since(entry.logged_at) < self.interval => {
                entry.suppressed = entry.suppressed.saturating_add(1);
                None
            }
            Some(entry) => {
                let before = std::mem::take(&mut entry.suppressed);
                entry.logged_at = now;
                Some(before)
            }
            None => {
                self.by_address.insert(
                    ip,
                    Entry {
                        logged_at: now,
                        suppressed: 0,
                    },
                );
                Some(0)
            }
        }
    }

    /// The addresses whose interval has passed, with how many events were not logged (only
    /// those with some); they are forgotten, so the map holds only recent offenders.
    pub fn expire(&mut self, now: Instant) -> Vec<(IpAddr, u64)> {
        let interval = self.interval;
        let mut summaries = Vec::new();
        self.by_address.retain(|ip, entry| {
            if now.saturating_duration_since(entry.logged_at) < interval {
                return true;
            }
            if entry.suppressed > 0 {
                summaries.push((*ip, entry.suppressed));
            }
            false
        });
        summaries
    }

    /// Every count not logged yet (at shutdown).
    pub fn drain(&mut self) -> Vec<(IpAddr, u64)> {
        self.by_address
            .drain()
            .filter(|(_, entry)| entry.suppressed > 0)
            .map(|(ip, entry)| (ip, entry.suppressed))
            .collect()
    }

    /// Addresses remembered now.
    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_address_per_interval_and_the_rest_counted() {
        let mut log = OffenderLog::new(Duration::from_secs(10));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert_eq!(log.event(a, t0), Some(0));
        assert_eq!(
            log.event(b, t0),
            Some(0),
            "another address has its own line"
        );
        for i in 1..=99u64 {
            assert_eq!(log.event(a, t0 + Duration::from_millis(i * 50)), None);
        }
        // Still within the interval: nothing expires.
        assert!(log.expire(t0 + Duration::from_secs(9)).is_empty());
        // A storm that goes on: the next line carries the count.
        assert_eq!(log.event(a, t0 + Duration::from_secs(10)), Some(99));
        assert_eq!(log.event(a, t0 + Duration::from_secs(11)), None);
        // It stops: once its interval has passed quietly, a summary, and it is forgotten.
        let summaries = log.expire(t0 + Duration::from_secs(21));
        assert_eq!(summaries, vec![(a, 1)], "b had nothing unlogged");
        assert!(log.is_empty());
        assert_eq!(log.event(a, t0 + Duration::from_secs(22)), Some(0));
        assert_eq!(log.event(a, t0 + Duration::from_secs(23)), None);
        assert_eq!(log.drain(), vec![(a, 1)]);
        assert_eq!(log.len(), 0);
    }
}
