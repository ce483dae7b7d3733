//! `[skill_masters]`: how many spells a character may learn at skill master NPCs.

use serde::{Deserialize, Serialize};

/// `[skill_masters]`: a character knowing `max_spells` spells learns no more until it forgets
/// one (EOSERV's MaxSkills; any value is valid, 0 teaches nobody).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkillMastersConfig {
    pub max_spells: u16,
}

impl Default for SkillMastersConfig {
    fn default() -> Self {
        SkillMastersConfig { max_spells: 48 }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn the_default_is_eoservs() {
        let c = Config::from_toml_str("[skill_masters]\nmax_spells = 10\n").unwrap();
        assert_eq!(c.skill_masters.max_spells, 10);
        assert_eq!(Config::default().skill_masters.max_spells, 48);
    }
}
