//! Counting failures per key (an account, an address) in windows, and locking a key that
//! reaches its limit. Plain data, owned by the login guard's task.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// The limits one count is checked against (from `[login]`, read at each failure so a reload
/// applies at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limit {
    /// Failures within `window` that lock the key; 0 = never.
    pub failures: u32,
    pub window: Duration,
    pub lockout: Duration,
}

#[derive(Debug, Clone)]
struct Entry {
    /// When the current window began (its first failure).
    window_start: Instant,
    failures: u32,
    locked_until: Option<Instant>,
}

impl Entry {
    fn locked(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// Neither locked nor inside a window: forgetting it changes nothing.
    fn expired(&self, now: Instant, window: Duration) -> bool {
        !self.locked(now) && now.saturating_duration_since(self.window_start) >= window
    }
}

/// Failures per key, and the keys locked. At most `capacity` keys are remembered: when full,
/// the expired ones are forgotten, then the unlocked one whose window began first; when every
/// key is locked, a new key is not counted (the locks stand, which is what matters).
#[derive(Debug)]
pub(super) struct Lockouts<K> {
    entries: HashMap<K, Entry>,
    capacity: usize,
}

impl<K: Hash + Eq + Copy> Lockouts<K> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// Whether `key` is locked at `now`.
    pub fn locked(&self, key: K, now: Instant) -> bool {
        self.entries
            .get(&key)
            .is_some_and(|entry| entry.locked(now))
    }

    /// Counts a failure of `key` at `now`; true when it locks the key (once per lock: failures
    /// while locked are not counted).
    pub fn fail(&mut self, key: K, now: Instant, limit: Limit) -> bool {
        if limit.failures == 0 {
            return false;
        }
        if !self.entries.contains_key(&key) && !self.make_room(now, limit.window) {
            return false;
        }
        let entry = self.entries.entry(key).or_insert(Entry {
            window_start: now,
            failures: 0,
            locked_until: None,
        });
        if entry.locked(now) {
            return false;
        }
        if entry.locked_until.is_some()
            || now.saturating_duration_since(entry.window_start) >= limit.window
        {
            // A lock that ended, or a window that passed: count afresh.
            *entry = Entry {
                window_start: now,
                failures: 0,
                locked_until: None,
            };
        }
        entry.failures = entry.failures.saturating_add(1);
        if entry.failures < limit.failures {
            return false;
        }
        entry.locked_until = Some(now.checked_add(limit.lockout).unwrap_or(now));
        true
    }

    /// Forgets the keys that are neither locked nor inside a window.
    pub fn prune(&mut self, now: Instant, window: Duration) {
        self.entries.retain(|_, entry| !entry.expired(now, window));
    }

    /// Whether a new key may be added, making room if needed.
    fn make_room(&mut self, now: Instant, window: Duration) -> bool {
        if self.entries.len() < self.capacity {
            return true;
        }
        self.prune(now, window);
        if self.entries.len() < self.capacity {
            return true;
        }
        let oldest = self
            .entries
            .iter()
            .filter(|(_, entry)| !entry.locked(now))
            .min_by_key(|(_, entry)| entry.window_start)
            .map(|(key, _)| *key);
        match oldest {
            Some(key) => {
                self.entries.remove(&key);
                true
            }
            None => false,
        }
    }

    /// Keys remembered now.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit {
        failures: 3,
        window: Duration::from_secs(60),
        lockout: Duration::from_secs(100),
    };

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn the_limit_within_the_window_locks_once_until_the_lockout_ends() {
        let mut lockouts = Lockouts::new(10);
        let t0 = Instant::now();
        assert!(!lockouts.fail(1, t0, LIMIT));
        assert!(!lockouts.fail(1, t0 + secs(10), LIMIT));
        assert!(!lockouts.locked(1, t0 + secs(10)));
        assert!(lockouts.fail(1, t0 + secs(20), LIMIT), "the third locks");
        assert!(lockouts.locked(1, t0 + secs(20)));
        assert!(!lockouts.locked(2, t0 + secs(20)), "other keys are free");
        // Failures while locked do not lock again (one log line per lock).
        assert!(!lockouts.fail(1, t0 + secs(30), LIMIT));
        assert!(lockouts.locked(1, t0 + secs(119)));
        assert!(!lockouts.locked(1, t0 + secs(120)));
        // After the lock, counting starts afresh.
        assert!(!lockouts.fail(1, t0 + secs(121), LIMIT));
        assert!(!lockouts.fail(1, t0 + secs(122), LIMIT));
        assert!(lockouts.fail(1, t0 + secs(123), LIMIT));
    }

    #[test]
    fn failures_spread_over_more_than_a_window_do_not_lock() {
        let mut lockouts = Lockouts::new(10);
        let t0 = Instant::now();
        for i in 0..10 {
            assert!(!lockouts.fail("a", t0 + secs(i * 40), LIMIT), "failure {i}");
        }
        assert!(!lockouts.locked("a", t0 + secs(400)));
        let off = Limit {
            failures: 0,
            ..LIMIT
        };
        assert!((0..100).all(|_| !lockouts.fail("b", t0, off)));
        assert!(!lockouts.locked("b", t0));
    }

    #[test]
    fn memory_is_bounded_and_locks_are_kept_first() {
        let mut lockouts = Lockouts::new(3);
        let t0 = Instant::now();
        // Key 0 is locked; 1 and 2 have one failure each.
        for _ in 0..3 {
            lockouts.fail(0, t0, LIMIT);
        }
        lockouts.fail(1, t0 + secs(1), LIMIT);
        lockouts.fail(2, t0 + secs(2), LIMIT);
        assert_eq!(lockouts.len(), 3);
        // A fourth key pushes out the oldest unlocked one (1), never the lock.
        lockouts.fail(3, t0 + secs(3), LIMIT);
        assert_eq!(lockouts.len(), 3);
        assert!(lockouts.locked(0, t0 + secs(3)));
        assert!(!lockouts.entries.contains_key(&1));
        // Every key locked: a newcomer is not counted, and the locks stand.
        for key in [2, 3] {
            lockouts.fail(key, t0 + secs(4), LIMIT);
            lockouts.fail(key, t0 + secs(4), LIMIT);
        }
        assert!(!lockouts.fail(4, t0 + secs(5), LIMIT));
        assert!((0..4).all(|key| key == 1 || lockouts.locked(key, t0 + secs(5))));
        // Once windows and locks are over, pruning forgets everything.
        lockouts.prune(t0 + secs(200), LIMIT.window);
        assert_eq!(lockouts.len(), 0);
    }
}
