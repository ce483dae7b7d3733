//! Experience and levels: what a gain of experience does to a character's level and points.

use super::formulas::{ExperienceRules, PROTOCOL_MAX_EXPERIENCE};

/// A character's experience, level and unspent points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub experience: u32,
    pub level: u8,
    pub stat_points: u16,
    pub skill_points: u16,
}

/// Adds `amount` experience (saturating at what the protocol can send) and the levels it
/// reaches, each with its stat and skill points. Returns the new progress and how many
/// levels were gained.
pub fn gain(rules: &ExperienceRules, progress: Progress, amount: u32) -> (Progress, u8) {
    let mut next = progress;
    next.experience = progress
        .experience
        .saturating_add(amount)
        .min(PROTOCOL_MAX_EXPERIENCE);
    let mut gained = 0u8;
    while next.level < rules.max_level {
        let Some(needed) = rules.to_reach.get(usize::from(next.level) + 1) else {
            break;
        };
        if next.experience < *needed {
            break;
        }
        next.level += 1;
        gained += 1;
        next.stat_points = next.stat_points.saturating_add(rules.stat_points_per_level);
        next.skill_points = next
            .skill_points
            .saturating_add(rules.skill_points_per_level);
    }
    (next, gained)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Formulas;

    #[test]
    fn levels_follow_the_table() {
        let f = Formulas::default();
        let rules = &f.experience;
        let start = Progress::default();
        // Level 1 needs 133, level 2 1065.
        assert_eq!(
            gain(rules, start, 132),
            (
                Progress {
                    experience: 132,
                    ..start
                },
                0
            )
        );
        let (one, gained) = gain(rules, start, 133);
        assert_eq!(
            (one.level, gained, one.stat_points, one.skill_points),
            (1, 1, 3, 4)
        );
        let (two, gained) = gain(rules, start, 1065);
        assert_eq!((two.level, gained, two.stat_points), (2, 2, 6));
        // The top level stops it; experience saturates.
        let (top, _) = gain(rules, start, u32::MAX);
        assert_eq!(top.level, 250);
        assert_eq!(top.experience, PROTOCOL_MAX_EXPERIENCE);
        let (same, gained) = gain(rules, top, 1000);
        assert_eq!((same, gained), (top, 0));
    }
}
