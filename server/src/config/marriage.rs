//! `[marriage]`: the lawyer's fees and the priest's wedding.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// `[marriage]`. The fees are etheos's and reoserv's (MarriagePrice 500, DivorcePrice 10 000),
/// and so is the level needed to wed (5). The outfits a wedding needs (armor worn by each
/// partner, by gender) and the ring each partner gets are item ids of the world's data: the
/// defaults are the bundled world's (items 21, 22 and 23); on the official data etheos and
/// reoserv use 133 (male), 163 (female) and 374 (the ring). The ceremony starts
/// `start_delay_secs` after the partner agrees (reoserv: 20), the priest speaks every
/// `line_secs`, and each partner has `answer_secs` to say "I do".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarriageConfig {
    pub approval_cost: u32,
    pub divorce_cost: u32,
    pub min_level: u8,
    pub male_outfit: u16,
    pub female_outfit: u16,
    /// 0: no ring.
    pub ring: u16,
    pub start_delay_secs: u64,
    pub line_secs: u64,
    pub answer_secs: u64,
}

impl Default for MarriageConfig {
    fn default() -> Self {
        MarriageConfig {
            approval_cost: 500,
            divorce_cost: 10_000,
            min_level: 5,
            male_outfit: 21,
            female_outfit: 22,
            ring: 23,
            start_delay_secs: 20,
            line_secs: 5,
            answer_secs: 30,
        }
    }
}

impl MarriageConfig {
    /// The outfit a character of `gender` (0 female, 1 male) must wear to wed.
    pub fn outfit(&self, gender: u8) -> u16 {
        if gender == 1 {
            self.male_outfit
        } else {
            self.female_outfit
        }
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (key, secs) in [
            ("marriage.start_delay_secs", self.start_delay_secs),
            ("marriage.line_secs", self.line_secs),
            ("marriage.answer_secs", self.answer_secs),
        ] {
            super::at_most_a_year(key, secs)?;
        }
        if self.answer_secs == 0 {
            return Err(ConfigError::new(
                "marriage.answer_secs",
                "0 leaves no time to say \"I do\"",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn the_defaults_are_etheos_and_reoservs_with_the_bundled_worlds_items() {
        let m = Config::default().marriage;
        assert_eq!(
            (m.approval_cost, m.divorce_cost, m.min_level),
            (500, 10_000, 5)
        );
        assert_eq!((m.outfit(1), m.outfit(0), m.ring), (21, 22, 23));
    }

    #[test]
    fn no_time_to_answer_is_refused() {
        assert_eq!(
            invalid(|c: &mut Config| c.marriage.answer_secs = 0).key,
            "marriage.answer_secs"
        );
        assert_eq!(
            invalid(|c: &mut Config| c.marriage.line_secs = u64::MAX).key,
            "marriage.line_secs"
        );
    }
}
