//! `[spells]`: how often a character may cast.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The longest cooldown accepted (a minute): longer is certainly a typo.
pub const MAX_SPELL_COOLDOWN_MS: u64 = 60_000;

/// `[spells]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpellsConfig {
    /// After a spell is cast, the caster's next cast sooner than this (by the server's clock)
    /// does nothing (EOSERV's SpellCastCooldown, 600 ms; reoserv has none). 0 = none.
    pub cooldown_ms: u64,
}

impl Default for SpellsConfig {
    fn default() -> Self {
        SpellsConfig { cooldown_ms: 600 }
    }
}

impl SpellsConfig {
    /// The cooldown between two casts.
    pub fn cooldown(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.cooldown_ms)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.cooldown_ms > MAX_SPELL_COOLDOWN_MS {
            return Err(ConfigError::new(
                "spells.cooldown_ms",
                format!(
                    "{} is more than {MAX_SPELL_COOLDOWN_MS} (a minute)",
                    self.cooldown_ms
                ),
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
    fn the_default_is_eoservs_cooldown() {
        assert_eq!(Config::default().spells.cooldown_ms, 600);
        let c = Config::from_toml_str("[spells]\ncooldown_ms = 0\n").unwrap();
        assert_eq!(c.spells.cooldown(), std::time::Duration::ZERO);
        assert_eq!(
            invalid(|c: &mut Config| c.spells.cooldown_ms = MAX_SPELL_COOLDOWN_MS + 1).key,
            "spells.cooldown_ms"
        );
    }
}
