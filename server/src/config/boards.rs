//! `[boards]`: the town boards (Board1 to Board8 map tiles): how many posts they keep, what one
//! character may post, and the admin board.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, MAX_ADMIN_LEVEL, at_least_one, at_most_a_year};

/// Board tiles run Board1 to Board8.
pub const BOARD_COUNT: u8 = 8;
/// The most posts a board can list: the listing's count is an EO char.
pub const MAX_LISTED_POSTS: u32 = 252;
/// The longest subject: 252 posts of it, with their authors, still fit in one packet.
pub const MAX_SUBJECT_LENGTH: u32 = 128;
/// The longest body: it is sent whole in one packet (at most 64,008 bytes).
pub const MAX_POST_LENGTH: u32 = 60_000;

/// `[boards]`, with EOSERV's defaults (its names in brackets). Lengths count characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoardsConfig {
    /// Posts a board keeps; a new post past it removes the oldest (BoardMaxPosts).
    pub max_posts: u32,
    /// Posts one character may have on one board (BoardMaxUserPosts).
    pub max_user_posts: u32,
    /// Posts one character may have made on one board within `recent_post_secs`
    /// (BoardMaxRecentPosts, BoardRecentPostTime).
    pub max_recent_posts: u32,
    pub recent_post_secs: u64,
    /// The longest subject and body; longer ones are cut (BoardMaxSubjectLength,
    /// BoardMaxPostLength).
    pub max_subject_length: u32,
    pub max_post_length: u32,
    /// The listing shows each post's age after its subject, "(5 min ago)" (BoardDatePosts).
    pub date_posts: bool,
    /// The board (1 to 8) only admins may use, where players' reports go; 0 = none
    /// (AdminBoard).
    pub admin_board: u8,
    /// Posts the admin board keeps (AdminBoardLimit).
    pub admin_max_posts: u32,
    /// The admin level that opens the admin board and receives reports (admin.ini `reports`).
    pub admin_level: u8,
    /// The admin level that removes others' posts, except those of higher admins (admin.ini
    /// `boardmod`). Anyone removes their own.
    pub moderator_level: u8,
}

impl Default for BoardsConfig {
    fn default() -> Self {
        BoardsConfig {
            max_posts: 20,
            max_user_posts: 6,
            max_recent_posts: 2,
            recent_post_secs: 30 * 60,
            max_subject_length: 32,
            max_post_length: 2048,
            date_posts: true,
            admin_board: 8,
            admin_max_posts: 100,
            admin_level: 1,
            moderator_level: 1,
        }
    }
}

impl BoardsConfig {
    pub fn recent_post_time(&self) -> Duration {
        Duration::from_secs(self.recent_post_secs)
    }

    /// Whether `board` (1 to 8) is the admin board.
    pub fn is_admin_board(&self, board: u8) -> bool {
        self.admin_board != 0 && board == self.admin_board
    }

    /// How many posts `board` (1 to 8) keeps.
    pub fn keeps(&self, board: u8) -> u32 {
        if self.is_admin_board(board) {
            self.admin_max_posts
        } else {
            self.max_posts
        }
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let within = |key: &str, value: u32, most: u32| {
            at_least_one(key, u64::from(value))?;
            if value > most {
                return Err(ConfigError::new(
                    key,
                    format!("{value} is more than {most}"),
                ));
            }
            Ok(())
        };
        within("boards.max_posts", self.max_posts, MAX_LISTED_POSTS)?;
        within(
            "boards.admin_max_posts",
            self.admin_max_posts,
            MAX_LISTED_POSTS,
        )?;
        within("boards.max_user_posts", self.max_user_posts, u32::MAX)?;
        within("boards.max_recent_posts", self.max_recent_posts, u32::MAX)?;
        within(
            "boards.max_subject_length",
            self.max_subject_length,
            MAX_SUBJECT_LENGTH,
        )?;
        within(
            "boards.max_post_length",
            self.max_post_length,
            MAX_POST_LENGTH,
        )?;
        at_most_a_year("boards.recent_post_secs", self.recent_post_secs)?;
        if self.admin_board > BOARD_COUNT {
            return Err(ConfigError::new(
                "boards.admin_board",
                format!(
                    "{} is not a board (1 to {BOARD_COUNT}, or 0 for none)",
                    self.admin_board
                ),
            ));
        }
        for (key, level) in [
            ("boards.admin_level", self.admin_level),
            ("boards.moderator_level", self.moderator_level),
        ] {
            if level > MAX_ADMIN_LEVEL {
                return Err(ConfigError::new(
                    key,
                    format!("{level} is above the highest admin level, {MAX_ADMIN_LEVEL}"),
                ));
            }
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
    fn the_admin_board_keeps_its_own_number_of_posts() {
        let boards = BoardsConfig::default();
        assert!(boards.is_admin_board(8));
        assert!(!boards.is_admin_board(1));
        assert_eq!((boards.keeps(1), boards.keeps(8)), (20, 100));
        let none = BoardsConfig {
            admin_board: 0,
            ..BoardsConfig::default()
        };
        assert!((1..=8).all(|b| !none.is_admin_board(b)));
        assert_eq!(none.keeps(8), 20);
    }

    #[test]
    fn limits_past_what_the_protocol_carries_are_refused() {
        for (change, key) in [
            (
                (|c: &mut Config| c.boards.max_posts = 253) as fn(&mut Config),
                "boards.max_posts",
            ),
            (|c| c.boards.max_posts = 0, "boards.max_posts"),
            (|c| c.boards.admin_max_posts = 300, "boards.admin_max_posts"),
            (|c| c.boards.max_user_posts = 0, "boards.max_user_posts"),
            (|c| c.boards.max_recent_posts = 0, "boards.max_recent_posts"),
            (
                |c| c.boards.max_subject_length = 129,
                "boards.max_subject_length",
            ),
            (
                |c| c.boards.max_post_length = 60_001,
                "boards.max_post_length",
            ),
            (
                |c| c.boards.recent_post_secs = u64::MAX,
                "boards.recent_post_secs",
            ),
            (|c| c.boards.admin_board = 9, "boards.admin_board"),
            (|c| c.boards.admin_level = 6, "boards.admin_level"),
            (|c| c.boards.moderator_level = 6, "boards.moderator_level"),
        ] {
            assert_eq!(invalid(change).key, key);
        }
    }
}
