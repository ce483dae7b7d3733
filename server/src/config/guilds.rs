//! `[guilds]`: creating guilds, their limits, their bank, and what each rank may do.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Guild ranks run from 1 (leader) to this (new member).
const RANKS: u8 = 9;

/// `[guilds]`. The defaults are reoserv's `[guild]` and EOSERV's guild keys: a guild needs
/// `required_members` characters to be created, the founder included (reoserv's
/// `min_players`; EOSERV's GuildCreateMembers), costs `create_cost` gold from the founder
/// and `recruit_cost` from the guild bank per recruit. A deposit is at least `min_deposit`
/// and the bank holds at most `max_bank`. Each `*_rank` key is the largest rank number (1
/// leader ... 9 new member) that may do that; EOSERV's defaults: edit, kick and rank changes
/// rank 1, recruiting ranks 1 and 2 (reoserv lets only rank 1 recruit), disbanding the
/// leader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuildsConfig {
    pub required_members: u32,
    pub create_cost: u32,
    pub recruit_cost: u32,
    pub min_tag_length: u32,
    pub max_tag_length: u32,
    pub max_name_length: u32,
    pub max_description_length: u32,
    pub max_rank_name_length: u32,
    pub min_deposit: u32,
    pub max_bank: u32,
    pub max_members: u32,
    pub edit_rank: u8,
    pub kick_rank: u8,
    pub promote_rank: u8,
    pub recruit_rank: u8,
    pub disband_rank: u8,
    /// The names of ranks 1 to 9 a new guild starts with.
    pub default_ranks: Vec<String>,
}

impl Default for GuildsConfig {
    fn default() -> Self {
        GuildsConfig {
            required_members: 10,
            create_cost: 50_000,
            recruit_cost: 1_000,
            min_tag_length: 2,
            max_tag_length: 3,
            max_name_length: 24,
            max_description_length: 240,
            max_rank_name_length: 16,
            min_deposit: 1_000,
            max_bank: 2_000_000_000,
            max_members: 5_000,
            edit_rank: 1,
            kick_rank: 1,
            promote_rank: 1,
            recruit_rank: 2,
            disband_rank: 1,
            default_ranks: ["Leader", "Recruiter", "", "", "", "", "", "", "New Member"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl GuildsConfig {
    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.required_members < 1 {
            return Err(ConfigError::new(
                "guilds.required_members",
                "a guild needs at least its founder (1)",
            ));
        }
        if self.min_tag_length < 1 || self.min_tag_length > self.max_tag_length {
            return Err(ConfigError::new(
                "guilds.min_tag_length",
                "must be 1 or more and at most max_tag_length",
            ));
        }
        if self.max_tag_length > 3 {
            return Err(ConfigError::new(
                "guilds.max_tag_length",
                "a tag is at most 3 letters (the protocol's)",
            ));
        }
        if self.max_bank > i32::MAX as u32 {
            return Err(ConfigError::new(
                "guilds.max_bank",
                format!(
                    "{} is more than the database holds (2147483647)",
                    self.max_bank
                ),
            ));
        }
        for (key, rank) in [
            ("guilds.edit_rank", self.edit_rank),
            ("guilds.kick_rank", self.kick_rank),
            ("guilds.promote_rank", self.promote_rank),
            ("guilds.recruit_rank", self.recruit_rank),
            ("guilds.disband_rank", self.disband_rank),
        ] {
            if !(1..=RANKS).contains(&rank) {
                return Err(ConfigError::new(
                    key,
                    format!("{rank} is not a rank (1 to 9)"),
                ));
            }
        }
        if self.default_ranks.len() != usize::from(RANKS) {
            return Err(ConfigError::new(
                "guilds.default_ranks",
                format!(
                    "{} names given; a guild has 9 ranks",
                    self.default_ranks.len()
                ),
            ));
        }
        Ok(())
    }

    /// The names of ranks 1 to 9 for a new guild.
    pub fn starting_ranks(&self) -> [String; 9] {
        std::array::from_fn(|i| self.default_ranks.get(i).cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn the_defaults_are_eoservs_and_reoservs() {
        let g = Config::default().guilds;
        assert_eq!(
            (g.required_members, g.create_cost, g.recruit_cost),
            (10, 50_000, 1_000)
        );
        assert_eq!((g.recruit_rank, g.kick_rank), (2, 1));
        assert_eq!(g.starting_ranks()[8], "New Member");
    }

    #[test]
    fn impossible_values_are_refused() {
        assert_eq!(
            invalid(|c: &mut Config| c.guilds.recruit_rank = 0).key,
            "guilds.recruit_rank"
        );
        assert_eq!(
            invalid(|c: &mut Config| c.guilds.max_tag_length = 4).key,
            "guilds.max_tag_length"
        );
        assert_eq!(
            invalid(|c: &mut Config| {
                c.guilds.default_ranks.pop();
            })
            .key,
            "guilds.default_ranks"
        );
        assert_eq!(
            invalid(|c: &mut Config| c.guilds.max_bank = u32::MAX).key,
            "guilds.max_bank"
        );
        assert_eq!(
            invalid(|c: &mut Config| c.guilds.required_members = 0).key,
            "guilds.required_members"
        );
    }
}
