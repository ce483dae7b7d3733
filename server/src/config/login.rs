//! `[login]`: how many wrong passwords are tolerated, and how the password hashing queue is
//! shared between addresses.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, at_least_one, at_most_a_year};

/// `[login]`: limits on guessing passwords (Login_Request, and the old password of
/// Account_Agree) and on one address's share of the password hashing threads. A limit of 0
/// turns that check off.
///
/// The defaults: an honest player who forgot a password tries a handful before giving up or
/// asking, and several players behind one address (a family, a café) mistype now and then, so
/// 10 per account and 20 per address in 10 minutes never stop them; a guesser gets 10 tries per
/// account per 20 minutes (10 failures, then 10 minutes locked): about 700 a day, nothing
/// against any list of passwords worth trying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Wrong passwords one connection may send; the reply to the last is followed by closing
    /// the connection (EOSERV's MaxLoginAttempts, reoserv's max_login_attempts).
    pub max_attempts: u32,
    /// Wrong passwords for one account within `failure_window_secs`, from anywhere, before the
    /// account is locked for `lockout_secs`.
    pub max_account_failures: u32,
    /// Failed logins (a wrong password or an unknown account) from one address within
    /// `failure_window_secs` before the address is locked for `lockout_secs`.
    pub max_address_failures: u32,
    /// The window failures are counted in, from the first failure.
    pub failure_window_secs: u64,
    /// How long a lock lasts. A locked account or address is refused (Login_Reply Busy)
    /// without its password being checked; an account's lock lets in the address that logged
    /// into it last.
    pub lockout_secs: u64,
    /// Password checks and hashes one address may have queued or running at once; beyond it
    /// that address is answered Busy while the others' still get through.
    pub max_hashing_per_address: u32,
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            max_attempts: 3,
            max_account_failures: 10,
            max_address_failures: 20,
            failure_window_secs: 600,
            lockout_secs: 600,
            // Each connection hashes one password at a time, so this is the connections of one
            // address that may be checking a password together: with the default
            // server.max_connections_per_ip (3) it never binds; it matters when that is raised
            // or off, where it keeps one address from filling the whole queue.
            max_hashing_per_address: 4,
        }
    }
}

impl LoginConfig {
    /// The window failures are counted in.
    pub fn failure_window(&self) -> Duration {
        Duration::from_secs(self.failure_window_secs)
    }

    /// How long a lock lasts.
    pub fn lockout(&self) -> Duration {
        Duration::from_secs(self.lockout_secs)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (key, secs) in [
            ("login.failure_window_secs", self.failure_window_secs),
            ("login.lockout_secs", self.lockout_secs),
        ] {
            at_least_one(key, secs)?;
            at_most_a_year(key, secs)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn validation_rules() {
        assert_eq!(
            invalid(|c| c.login.failure_window_secs = 0).key,
            "login.failure_window_secs"
        );
        assert_eq!(
            invalid(|c| c.login.lockout_secs = 0).key,
            "login.lockout_secs"
        );
        let e = invalid(|c| c.login.lockout_secs = u64::MAX);
        assert_eq!(e.key, "login.lockout_secs");
        assert!(e.problem.contains("one year"), "{e}");

        // Zero is allowed where it means "off".
        let mut c = Config::default();
        c.login.max_attempts = 0;
        c.login.max_account_failures = 0;
        c.login.max_address_failures = 0;
        c.login.max_hashing_per_address = 0;
        c.validate().unwrap();
    }
}
