//! The login guard: one task that counts failed logins per account and per address, locks
//! those that fail too often (`[login]`), and shares the password hashing threads between
//! addresses, so one address cannot keep everyone else's logins Busy.
//!
//! The player tasks ask it through a [`LoginGuard`] handle before a password is checked or
//! hashed ([`LoginGuard::check_password`], [`LoginGuard::hash_new_password`]) and tell it each
//! wrong password ([`LoginGuard::failed`]). The counts live here alone, in memory bounded by
//! [`MAX_TRACKED`] keys of each kind; the guard never waits on a player, so a player task may
//! wait on it.
//!
//! A share of the hashing threads is a [`HashSlot`]: the caller holds it while its password
//! waits in the hashing queue or is hashed, and the guard counts the slots of each address
//! alive. A player task runs one handler at a time and is never cancelled while one awaits
//! (the connection's end is seen only after the handler returns), so a slot is dropped only
//! once its hashing is over.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, watch};
use tracing::warn;

use super::lockout::{Limit, Lockouts};
use crate::config::Config;
use crate::net::address::address_group;

/// The most accounts and the most addresses whose failures are remembered at once (each a few
/// dozen bytes).
pub const MAX_TRACKED: usize = 10_000;
/// How many requests may wait for the guard.
const QUEUE_LEN: usize = 1024;
/// How often expired counts are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Why a password is not checked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The address or the account failed too often and is locked for a while.
    Locked,
    /// The address has `login.max_hashing_per_address` passwords queued or being hashed (or
    /// the guard is gone): try again later.
    Busy,
}

/// One address's share of the hashing threads, held while its password waits in the hashing
/// queue or is hashed.
#[derive(Debug)]
pub struct HashSlot {
    _held: Arc<()>,
}

/// Which locks apply to a request.
#[derive(Debug, Clone, Copy)]
struct Locks {
    address: bool,
    /// The account whose lock applies, if any.
    account: Option<i64>,
}

enum Request {
    Admit {
        ip: IpAddr,
        locks: Locks,
        reply: oneshot::Sender<Result<HashSlot, Refusal>>,
    },
    Failed {
        ip: IpAddr,
        account: Option<(i64, String)>,
    },
}

/// The handle to the login guard. Clone it freely; the guard ends when every clone is dropped.
#[derive(Clone, Debug)]
pub struct LoginGuard {
    requests: mpsc::Sender<Request>,
}

impl LoginGuard {
    /// Starts the guard; it reads `[login]` from `config` at each request, so a reload applies
    /// at once.
    pub fn spawn(config: watch::Receiver<Arc<Config>>) -> Self {
        let (requests, receiver) = mpsc::channel(QUEUE_LEN);
        tokio::spawn(run(Guard::new(config), receiver));
        Self { requests }
    }

    /// Before checking a password of `account` (`None`: no such account) from `ip`: a hashing
    /// slot, or why not. A locked address is refused; so is a locked account, unless
    /// `trusted_address` (the address that logged into it last).
    pub async fn check_password(
        &self,
        ip: IpAddr,
        account: Option<i64>,
        trusted_address: bool,
    ) -> Result<HashSlot, Refusal> {
        let locks = Locks {
            address: true,
            account: account.filter(|_| !trusted_address),
        };
        self.admit(ip, locks).await
    }

    /// Before hashing a new account's password: a hashing slot for `ip`, or `Busy`. Locks do
    /// not apply: creating an account guesses nothing.
    pub async fn hash_new_password(&self, ip: IpAddr) -> Result<HashSlot, Refusal> {
        let locks = Locks {
            address: false,
            account: None,
        };
        self.admit(ip, locks).await
    }

    async fn admit(&self, ip: IpAddr, locks: Locks) -> Result<HashSlot, Refusal> {
        let ip = address_group(ip);
        let (reply, answer) = oneshot::channel();
        let request = Request::Admit { ip, locks, reply };
        if self.requests.send(request).await.is_err() {
            return Err(Refusal::Busy); // the guard is gone: check nothing rather than everything
        }
        answer.await.unwrap_or(Err(Refusal::Busy))
    }

    /// A failed login from `ip`: a wrong password of `account` (id and name, for the log), or
    /// an account that does not exist (`None`).
    pub async fn failed(&self, ip: IpAddr, account: Option<(i64, &str)>) {
        let account = account.map(|(id, name)| (id, name.to_owned()));
        let ip = address_group(ip);
        let _ = self.requests.send(Request::Failed { ip, account }).await;
    }
}

/// What the guard's task owns.
struct Guard {
    config: watch::Receiver<Arc<Config>>,
    accounts: Lockouts<i64>,
    addresses: Lockouts<IpAddr>,
    /// Per address, the token its [`HashSlot`]s share: the slots alive are its strong count
    /// less this one.
    hashing: HashMap<IpAddr, Arc<()>>,
}

async fn run(mut guard: Guard, mut requests: mpsc::Receiver<Request>) {
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            request = requests.recv() => match request {
                Some(request) => guard.handle(request),
                None => return,
            },
            _ = prune.tick() => guard.prune(Instant::now()),
        }
    }
}

impl Guard {
    fn new(config: watch::Receiver<Arc<Config>>) -> Self {
        Self {
            config,
            accounts: Lockouts::new(MAX_TRACKED),
            addresses: Lockouts::new(MAX_TRACKED),
            hashing: HashMap::new(),
        }
    }

    fn handle(&mut self, request: Request) {
        let now = Instant::now();
        match request {
            Request::Admit { ip, locks, reply } => {
                let _ = reply.send(self.admit(ip, locks, now));
            }
            Request::Failed { ip, account } => self.failed(ip, account, now),
        }
    }

    fn admit(&mut self, ip: IpAddr, locks: Locks, now: Instant) -> Result<HashSlot, Refusal> {
        if locks.address && self.addresses.locked(ip, now) {
            return Err(Refusal::Locked);
        }
        if let Some(account) = locks.account
            && self.accounts.locked(account, now)
        {
            return Err(Refusal::Locked);
        }
        let max = self.config.borrow().login.max_hashing_per_address as usize;
        if self.hashing.len() >= MAX_TRACKED {
            self.hashing.retain(|_, token| Arc::strong_count(token) > 1);
        }
        let token = self.hashing.entry(ip).or_default();
        let in_use = Arc::strong_count(token) - 1;
        if max != 0 && in_use >= max {
            return Err(Refusal::Busy);
        }
        Ok(HashSlot {
            _held: Arc::clone(token),
        })
    }

    fn failed(&mut self, ip: IpAddr, account: Option<(i64, String)>, now: Instant) {
        let login = self.config.borrow().login.clone();
        let limit = |failures| Limit {
            failures,
            window: login.failure_window(),
            lockout: login.lockout(),
        };
        let name = account.as_ref().map_or("", |(_, name)| name.as_str());
        if self
            .addresses
            .fail(ip, now, limit(login.max_address_failures))
        {
            warn!(
                %ip,
                account = name,
                "login: address locked for {} s after {} failed logins within {} s (login.max_address_failures)",
                login.lockout_secs,
                login.max_address_failures,
                login.failure_window_secs
            );
        }
        if let Some((id, name)) = &account
            && self
                .accounts
                .fail(*id, now, limit(login.max_account_failures))
        {
            warn!(
                %ip,
                account = %name,
                "login: account locked for {} s after {} wrong passwords within {} s (login.max_account_failures)",
                login.lockout_secs,
                login.max_account_failures,
                login.failure_window_secs
            );
        }
    }

    fn prune(&mut self, now: Instant) {
        let window = self.config.borrow().login.failure_window();
        self.accounts.prune(now, window);
        self.addresses.prune(now, window);
        self.hashing.retain(|_, token| Arc::strong_count(token) > 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reload::LiveConfig;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    fn guard(adjust: impl FnOnce(&mut Config)) -> (LoginGuard, LiveConfig) {
        let mut config = Config::default();
        adjust(&mut config);
        let live = LiveConfig::new(config);
        (LoginGuard::spawn(live.subscribe()), live)
    }

    #[tokio::test]
    async fn one_address_holds_at_most_its_share_of_the_hashing_slots() {
        let (guard, _config) = guard(|c| c.login.max_hashing_per_address = 2);
        let a = guard.check_password(ip(1), Some(1), false).await.unwrap();
        let b = guard.hash_new_password(ip(1)).await.unwrap();
        assert_eq!(
            guard
                .check_password(ip(1), Some(1), false)
                .await
                .unwrap_err(),
            Refusal::Busy
        );
        // Another address is not held up by the first.
        let other = guard.check_password(ip(2), None, false).await;
        assert!(other.is_ok());
        // A slot given back is free again.
        drop(a);
        let c = guard.check_password(ip(1), Some(1), false).await;
        assert!(c.is_ok());
        drop((b, c));
    }

    #[tokio::test]
    async fn failures_lock_the_account_and_the_address_and_the_trusted_address_passes() {
        let (guard, _config) = guard(|c| {
            c.login.max_account_failures = 2;
            c.login.max_address_failures = 3;
        });
        // Two wrong passwords for account 7, from two addresses: the account is locked.
        guard.failed(ip(1), Some((7, "seven"))).await;
        guard.failed(ip(2), Some((7, "seven"))).await;
        let refused = guard.check_password(ip(3), Some(7), false).await;
        assert_eq!(refused.unwrap_err(), Refusal::Locked);
        assert!(guard.check_password(ip(3), Some(7), true).await.is_ok());
        assert!(guard.check_password(ip(3), Some(8), false).await.is_ok());
        // Three failures from one address (unknown accounts count): the address is locked, for
        // every account, trusted or not; account creation is not refused.
        guard.failed(ip(4), None).await;
        guard.failed(ip(4), None).await;
        assert!(guard.check_password(ip(4), None, false).await.is_ok());
        guard.failed(ip(4), Some((9, "nine"))).await;
        for (account, trusted) in [(None, false), (Some(8), false), (Some(8), true)] {
            let refused = guard.check_password(ip(4), account, trusted).await;
            assert_eq!(refused.unwrap_err(), Refusal::Locked);
        }
        assert!(guard.hash_new_password(ip(4)).await.is_ok());
    }

    #[tokio::test]
    async fn zero_turns_the_limits_off_and_a_reload_applies_at_once() {
        let (guard, config) = guard(|c| {
            c.login.max_account_failures = 0;
            c.login.max_address_failures = 0;
            c.login.max_hashing_per_address = 0;
        });
        for _ in 0..100 {
            guard.failed(ip(1), Some((1, "one"))).await;
        }
        let mut slots = Vec::new();
        for _ in 0..100 {
            slots.push(guard.hash_new_password(ip(1)).await.unwrap());
        }
        assert!(guard.check_password(ip(1), Some(1), false).await.is_ok());
        let mut reloaded = Config::default();
        reloaded.login.max_address_failures = 1;
        config.replace(reloaded);
        guard.failed(ip(1), None).await;
        let refused = guard.check_password(ip(1), None, false).await;
        assert_eq!(refused.unwrap_err(), Refusal::Locked);
    }
}
