//! `[parties]`: how large a party may grow and how it shares the experience of a kill.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The largest `max_size` accepted: a party list is sent whole in one packet to every member,
/// and every HP change goes to each of them.
pub const MAX_PARTY_SIZE: u8 = 100;

/// `[parties]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartiesConfig {
    /// The most members a party may have, its leader included (reoserv's max_party_size, 9;
    /// EOSERV has no limit).
    pub max_size: u8,
    /// How the experience of a kill is split among the members on the map (EOSERV's
    /// PartyShareMode).
    pub share_mode: ShareMode,
}

/// How a party's experience from a kill is split among its members on the killer's map. Each
/// share is rounded up, as EOSERV does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShareMode {
    /// By level: each gets `ceil(exp * level / sum of the levels)`, a level-0 member counting
    /// as level 1 (EOSERV's mode 2, its default).
    #[default]
    Level,
    /// Evenly: each gets `ceil(exp / members)` (EOSERV's mode 1).
    Even,
}

impl Default for PartiesConfig {
    fn default() -> Self {
        PartiesConfig {
            max_size: 9,
            share_mode: ShareMode::Level,
        }
    }
}

impl PartiesConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(2..=MAX_PARTY_SIZE).contains(&self.max_size) {
            return Err(ConfigError::new(
                "parties.max_size",
                format!("{} is not between 2 and {MAX_PARTY_SIZE}", self.max_size),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn the_defaults_are_reoservs_size_and_eoservs_share() {
        let c = Config::default();
        assert_eq!(c.parties.max_size, 9);
        assert_eq!(c.parties.share_mode, ShareMode::Level);
        let c = Config::from_toml_str("[parties]\nshare_mode = \"even\"\nmax_size = 3\n").unwrap();
        assert_eq!(
            (c.parties.max_size, c.parties.share_mode),
            (3, ShareMode::Even)
        );
    }

    #[test]
    fn a_party_of_fewer_than_two_or_too_many_is_refused() {
        assert_eq!(
            invalid(|c: &mut Config| c.parties.max_size = 1).key,
            "parties.max_size"
        );
        assert_eq!(
            invalid(|c: &mut Config| c.parties.max_size = MAX_PARTY_SIZE + 1).key,
            "parties.max_size"
        );
        assert!(Config::from_toml_str("[parties]\nshare_mode = \"damage\"\n").is_err());
    }
}
