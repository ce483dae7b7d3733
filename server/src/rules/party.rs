//! How a party splits the experience of a kill among its members on the killer's map
//! (`[parties] share_mode`, EOSERV's PartyShareMode).

use crate::config::ShareMode;

/// Splits `experience` among `members` (`(player id, level)`, each once): by level, each gets
/// `ceil(experience * level / sum of levels)` (a level-0 member counting as level 1, so it
/// still gets a share); evenly, `ceil(experience / members)`. Rounding up, as EOSERV does, a
/// party may get a few points more than the kill gave, never fewer.
pub fn share_in_party(experience: u32, mode: ShareMode, members: &[(u16, u8)]) -> Vec<(u16, u32)> {
    let weight = |level: u8| match mode {
        ShareMode::Level => u64::from(level.max(1)),
        ShareMode::Even => 1,
    };
    let total: u64 = members.iter().map(|(_, level)| weight(*level)).sum();
    if total == 0 {
        return Vec::new();
    }
    members
        .iter()
        .map(|(id, level)| {
            // At most u32::MAX * 255 before the division: no overflow in u64.
            let share = (u64::from(experience) * weight(*level)).div_ceil(total);
            (*id, u32::try_from(share).unwrap_or(u32::MAX))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_level_each_gets_its_share_of_the_levels_rounded_up() {
        // Levels 10 and 20 share 90: 30 and 60.
        assert_eq!(
            share_in_party(90, ShareMode::Level, &[(1, 10), (2, 20)]),
            [(1, 30), (2, 60)]
        );
        // 100 by levels 1, 1, 1: 34 each (rounded up).
        assert_eq!(
            share_in_party(100, ShareMode::Level, &[(1, 1), (2, 1), (3, 1)]),
            [(1, 34), (2, 34), (3, 34)]
        );
        // A level-0 member counts as level 1.
        assert_eq!(
            share_in_party(30, ShareMode::Level, &[(1, 0), (2, 2)]),
            [(1, 10), (2, 20)]
        );
    }

    #[test]
    fn evenly_each_gets_the_same_and_nobody_more_than_the_kill() {
        assert_eq!(
            share_in_party(90, ShareMode::Even, &[(1, 10), (2, 20), (3, 1)]),
            [(1, 30), (2, 30), (3, 30)]
        );
        // Unlike reoserv's formula, three members never each get more than a solo kill.
        for mode in [ShareMode::Level, ShareMode::Even] {
            let shares = share_in_party(1000, mode, &[(1, 5), (2, 5), (3, 5)]);
            assert!(shares.iter().all(|(_, s)| *s < 1000), "{shares:?}");
        }
        assert_eq!(
            share_in_party(u32::MAX, ShareMode::Level, &[(1, 252)]),
            [(1, u32::MAX)]
        );
        assert!(share_in_party(10, ShareMode::Even, &[]).is_empty());
    }
}
