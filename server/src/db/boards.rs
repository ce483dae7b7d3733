//! The `board_posts` table: the posts of the eight town boards, kept across restarts.
//!
//! A post's id on its board is what clients see and send back (an EO short): each new post
//! takes the id after the board's newest, wrapping past [`MAX_POST_ID`] and skipping ids still
//! in use (a board holds at most a few hundred posts, so one is always free). Each call is one
//! job on the database thread, so a post's limits are checked and the post stored atomically:
//! two posts sent at once cannot both slip under a limit.

use super::conn::{Conn, params};
use super::{Db, DbError};

/// The largest post id: post ids travel as EO shorts.
pub const MAX_POST_ID: u16 = 64_008;

/// A post as a board lists it, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardPost {
    pub post_id: u16,
    /// The author's character name.
    pub author: String,
    pub subject: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A post to store (subject and body already cut to their limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBoardPost {
    /// 1 to 8.
    pub board: u8,
    pub character_id: i64,
    pub subject: String,
    pub body: String,
    /// Unix seconds.
    pub now: i64,
}

/// What a character may post on a board, and how many posts the board keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostLimits {
    /// Posts the board keeps; the oldest beyond go.
    pub keep: u32,
    /// The author's posts on the board, at most.
    pub max_user_posts: u32,
    /// The author's posts on the board made after `recent_since` (Unix seconds), at most.
    pub max_recent_posts: u32,
    pub recent_since: i64,
}

/// What became of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    /// Stored with this id.
    Stored(u16),
    /// The author has `max_user_posts` on the board already.
    TooMany,
    /// The author has `max_recent_posts` recent ones.
    TooManyRecent,
}

impl Db {
    /// The newest `keep` posts of `board`, newest first.
    pub async fn board_posts(&self, board: u8, keep: u32) -> Result<Vec<BoardPost>, DbError> {
        self.call(move |conn| {
            Ok(conn.query(
                "SELECT p.post_id, c.name, p.subject, p.created_at
                 FROM board_posts p JOIN characters c ON c.id = p.character_id
                 WHERE p.board = ?1 ORDER BY p.id DESC LIMIT ?2",
                params![board, keep],
                |row| {
                    Ok(BoardPost {
                        post_id: row.get(0)?,
                        author: row.get(1)?,
                        subject: row.get(2)?,
                        created_at: row.get(3)?,
                    })
                },
            )?)
        })
        .await
    }

    /// The body of post `post_id` on `board`, if it is there.
    pub async fn board_post_body(
        &self,
        board: u8,
        post_id: u16,
    ) -> Result<Option<String>, DbError> {
        self.call(move |conn| {
            Ok(conn.query_opt(
                "SELECT body FROM board_posts WHERE board = ?1 AND post_id = ?2",
                params![board, post_id],
                |row| row.get(0),
            )?)
        })
        .await
    }

    /// Stores a post if its author is within `limits`, then removes the board's oldest posts
    /// beyond what it keeps; all in one transaction, synced to disk (the author sees it
    /// listed at once).
    pub async fn add_board_post(
        &self,
        post: NewBoardPost,
        limits: PostLimits,
    ) -> Result<Posted, DbError> {
        self.call_durable(move |conn| {
            let mut tx = conn.transaction()?;
            let (mine, recent): (u32, u32) = tx.query_row(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE created_at > ?3) FROM board_posts
                 WHERE board = ?1 AND character_id = ?2",
                params![post.board, post.character_id, limits.recent_since],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            if mine >= limits.max_user_posts {
                return Ok(Posted::TooMany);
            }
            if recent >= limits.max_recent_posts {
                return Ok(Posted::TooManyRecent);
            }
            let post_id = free_post_id(&mut tx, post.board)?;
            tx.execute(
                "INSERT INTO board_posts (board, post_id, character_id, subject, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    post.board,
                    post_id,
                    post.character_id,
                    post.subject,
                    post.body,
                    post.now,
                ],
            )?;
            tx.execute(
                "DELETE FROM board_posts WHERE board = ?1 AND id NOT IN
                 (SELECT id FROM board_posts WHERE board = ?1 ORDER BY id DESC LIMIT ?2)",
                params![post.board, limits.keep],
            )?;
            tx.commit()?;
            Ok(Posted::Stored(post_id))
        })
        .await
    }

    /// Removes post `post_id` from `board` for the character `by`: its own post, or, if `by`
    /// has at least `moderator_level`, a post whose author's admin level is below its own.
    /// Whether it was removed.
    pub async fn remove_board_post(
        &self,
        board: u8,
        post_id: u16,
        by: i64,
        moderator_level: u8,
    ) -> Result<bool, DbError> {
        self.call_durable(move |conn| {
            let mut tx = conn.transaction()?;
            let found: Option<(i64, u8, u8)> = tx.query_opt(
                "SELECT p.character_id, a.admin_level, r.admin_level
                 FROM board_posts p
                 JOIN characters a ON a.id = p.character_id
                 JOIN characters r ON r.id = ?3
                 WHERE p.board = ?1 AND p.post_id = ?2",
                params![board, post_id, by],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            let Some((author, author_level, remover_level)) = found else {
                return Ok(false);
            };
            let moderates = remover_level >= moderator_level && author_level < remover_level;
            if author != by && !moderates {
                return Ok(false);
            }
            tx.execute(
                "DELETE FROM board_posts WHERE board = ?1 AND post_id = ?2",
                params![board, post_id],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}

/// The id a new post on `board` takes: the one after the newest post's, wrapping, skipping
/// those in use.
fn free_post_id(conn: &mut Conn, board: u8) -> Result<u16, DbError> {
    let newest: Option<u16> = conn.query_opt(
        "SELECT post_id FROM board_posts WHERE board = ?1 ORDER BY id DESC LIMIT 1",
        params![board],
        |row| row.get(0),
    )?;
    let mut candidate = newest.unwrap_or(0);
    for _ in 0..MAX_POST_ID {
        candidate = if candidate >= MAX_POST_ID {
            1
        } else {
            candidate + 1
        };
        let taken: bool = conn.query_value(
            "SELECT EXISTS (SELECT 1 FROM board_posts WHERE board = ?1 AND post_id = ?2)",
            params![board, candidate],
        )?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(DbError::Invalid(format!(
        "board {board} has no free post id"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::NewCharacter;
    use crate::db::conn::params;
    use crate::db::testing::{account, on_both_backends};

    async fn character(db: &Db, name: &str) -> i64 {
        let account = account(db, &format!("acc{name}")).await;
        db.create_character(
            account,
            NewCharacter {
                name: name.into(),
                ..NewCharacter::default()
            },
            3,
        )
        .await
        .unwrap()
    }

    fn post(board: u8, by: i64, subject: &str, now: i64) -> NewBoardPost {
        NewBoardPost {
            board,
            character_id: by,
            subject: subject.into(),
            body: format!("body of {subject}"),
            now,
        }
    }

    const ROOMY: PostLimits = PostLimits {
        keep: 20,
        max_user_posts: 100,
        max_recent_posts: 100,
        recent_since: 0,
    };

    async fn posts_are_listed_newest_first_and_read_by_id(db: Db) {
        let alice = character(&db, "Alice").await;
        assert_eq!(
            db.add_board_post(post(1, alice, "first", 100), ROOMY).await,
            Ok(Posted::Stored(1))
        );
        assert_eq!(
            db.add_board_post(post(1, alice, "second", 100), ROOMY)
                .await,
            Ok(Posted::Stored(2))
        );
        assert_eq!(
            db.add_board_post(post(2, alice, "elsewhere", 100), ROOMY)
                .await,
            Ok(Posted::Stored(1))
        );
        let listed = db.board_posts(1, 20).await.unwrap();
        let subjects: Vec<_> = listed.iter().map(|p| p.subject.as_str()).collect();
        assert_eq!(subjects, ["second", "first"]);
        assert_eq!(listed[0].author, "Alice");
        assert_eq!(
            db.board_post_body(1, 1).await.unwrap().as_deref(),
            Some("body of first")
        );
        assert_eq!(db.board_post_body(3, 1).await.unwrap(), None);
    }

    async fn a_board_keeps_its_newest_posts_and_ids_wrap(db: Db) {
        let alice = character(&db, "Alice").await;
        let keep_two = PostLimits { keep: 2, ..ROOMY };
        for subject in ["a", "b", "c"] {
            db.add_board_post(post(1, alice, subject, 1), keep_two)
                .await
                .unwrap();
        }
        let subjects: Vec<_> = db
            .board_posts(1, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.subject)
            .collect();
        assert_eq!(subjects, ["c", "b"]);
        // The newest post has the last id: the next wraps to 1, and skips one in use.
        db.call(|conn| {
            conn.execute(
                "UPDATE board_posts SET post_id = 64008 WHERE subject = 'c'",
                params![],
            )?;
            conn.execute(
                "UPDATE board_posts SET post_id = 1 WHERE subject = 'b'",
                params![],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(
            db.add_board_post(post(1, alice, "d", 1), ROOMY).await,
            Ok(Posted::Stored(2))
        );
    }

    async fn an_author_is_held_to_the_limits_on_each_board(db: Db) {
        let alice = character(&db, "Alice").await;
        let limits = PostLimits {
            keep: 20,
            max_user_posts: 3,
            max_recent_posts: 2,
            recent_since: 1000,
        };
        // Two old posts and one recent: a second recent one is fine, a third post too many.
        db.add_board_post(post(1, alice, "old1", 10), limits)
            .await
            .unwrap();
        db.add_board_post(post(1, alice, "recent", 2000), limits)
            .await
            .unwrap();
        assert_eq!(
            db.add_board_post(post(1, alice, "recent2", 2000), limits)
                .await,
            Ok(Posted::Stored(3))
        );
        assert_eq!(
            db.add_board_post(post(1, alice, "more", 2000), limits)
                .await,
            Ok(Posted::TooMany)
        );
        let roomier = PostLimits {
            max_user_posts: 10,
            ..limits
        };
        assert_eq!(
            db.add_board_post(post(1, alice, "more", 2000), roomier)
                .await,
            Ok(Posted::TooManyRecent)
        );
        // Another board counts apart.
        assert_eq!(
            db.add_board_post(post(2, alice, "there", 2000), limits)
                .await,
            Ok(Posted::Stored(1))
        );
        assert_eq!(db.board_posts(1, 20).await.unwrap().len(), 3);
    }

    async fn authors_remove_their_posts_and_moderators_those_below_them(db: Db) {
        let alice = character(&db, "Alice").await;
        let bob = character(&db, "Bob").await;
        let guide = character(&db, "Guide").await;
        let master = character(&db, "Master").await;
        db.set_admin_level("Guide", 2).await.unwrap();
        db.set_admin_level("Master", 4).await.unwrap();
        for (by, subject) in [(alice, "a1"), (alice, "a2"), (master, "m1")] {
            db.add_board_post(post(1, by, subject, 1), ROOMY)
                .await
                .unwrap();
        }
        // Not bob's, and bob is no moderator.
        assert_eq!(db.remove_board_post(1, 1, bob, 2).await, Ok(false));
        // Alice's own.
        assert_eq!(db.remove_board_post(1, 1, alice, 2).await, Ok(true));
        assert_eq!(
            db.remove_board_post(1, 1, alice, 2).await,
            Ok(false),
            "gone"
        );
        // The guide moderates a player's post, not a higher admin's.
        assert_eq!(db.remove_board_post(1, 3, guide, 2).await, Ok(false));
        assert_eq!(
            db.remove_board_post(1, 2, guide, 3).await,
            Ok(false),
            "below moderator_level"
        );
        assert_eq!(db.remove_board_post(1, 2, guide, 2).await, Ok(true));
        let left: Vec<_> = db
            .board_posts(1, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.subject)
            .collect();
        assert_eq!(left, ["m1"]);
    }

    async fn posts_go_with_their_author(db: Db) {
        let alice = character(&db, "Alice").await;
        db.add_board_post(post(1, alice, "a", 1), ROOMY)
            .await
            .unwrap();
        db.call(move |conn| {
            conn.execute("DELETE FROM characters WHERE id = ?1", params![alice])?;
            Ok(())
        })
        .await
        .unwrap();
        assert!(db.board_posts(1, 20).await.unwrap().is_empty());
    }

    on_both_backends!(
        posts_are_listed_newest_first_and_read_by_id,
        a_board_keeps_its_newest_posts_and_ids_wrap,
        an_author_is_held_to_the_limits_on_each_board,
        authors_remove_their_posts_and_moderators_those_below_them,
        posts_go_with_their_author,
    );
}
