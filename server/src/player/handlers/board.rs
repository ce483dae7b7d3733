//! The town boards (Board1 to Board8 map tiles): Board_Open lists a board's posts, Board_Take
//! reads one, Board_Create posts, Board_Remove takes a post down; `[boards]` sets the limits.
//!
//! A board's posts are the world's, not a map's: board 1 is the same board in every town, as
//! in EOSERV and reoserv, and its posts live in the database (db/boards.rs), so they outlast a
//! restart. The player task handles these packets itself: it asks its map only where the
//! character stands (a board must be within the see distance, as an NPC service must), and
//! the database for the rest, each change in one transaction. The admin level in force is the
//! database's (`$promote` writes it there first).
//!
//! Packets clients send are 0-based (`board_id` 0 is the Board1 tile); the config's
//! `admin_board` is 1-based, as EOSERV's. A packet for a board out of reach, or the admin
//! board from a character below `boards.admin_level`, is ignored; so is a post past a limit,
//! except that the board is listed again, so the client shows it as it is (as EOSERV does).

use eo_protocol::map::MapTileSpec;
use eo_protocol::net::client::{
    BoardCreateClientPacket, BoardOpenClientPacket, BoardRemoveClientPacket, BoardTakeClientPacket,
};
use eo_protocol::net::server::{BoardOpenServerPacket, BoardPlayerServerPacket, BoardPostListing};
use tracing::{debug, warn};

use crate::config::{BOARD_COUNT, BoardsConfig};
use crate::db::{DbError, NewBoardPost, PostLimits, Posted, unix_now};
use crate::map::SEE_DISTANCE;
use crate::player::actor::{Disconnect, Player, State};

/// The character's id and name, and the board (1 to 8) the packet names, if the character
/// may use it now: a board tile of that number within its reach, and the admin board only
/// for admins.
async fn usable_board(
    player: &Player,
    board_id: u16,
    config: &BoardsConfig,
) -> Result<Option<(i64, String, u8)>, Disconnect> {
    let (State::InGame(game), Some(player_id)) = (&player.state, player.player_id) else {
        return Err(Disconnect::Closed("a board packet outside the game"));
    };
    let Some(board) = u8::try_from(board_id)
        .ok()
        .and_then(|id| id.checked_add(1))
        .filter(|board| (1..=BOARD_COUNT).contains(board))
    else {
        return Ok(None);
    };
    let Some(at) = game.map.position(player_id).await else {
        return Ok(None);
    };
    let data = player.context.data.get();
    let Some(map) = data.maps.get(&game.map.id) else {
        return Ok(None);
    };
    let near = map.tiles_of(board_tile(board)).any(|(x, y)| {
        u32::from(at.0.abs_diff(u16::from(x))) + u32::from(at.1.abs_diff(u16::from(y)))
            <= SEE_DISTANCE
    });
    if !near {
        debug!(addr = %player.addr, board, "a board out of reach; ignored");
        return Ok(None);
    }
    if config.is_admin_board(board) {
        let level = match player.context.db.admin_level_of(&game.name).await {
            Ok(Some((_, level))) => level,
            Ok(None) => 0,
            Err(error) => return Ok(failed(player, &error)),
        };
        if level < config.admin_level {
            debug!(addr = %player.addr, board, "the admin board, for a player; ignored");
            return Ok(None);
        }
    }
    Ok(Some((game.character_id, game.name.clone(), board)))
}

fn board_tile(board: u8) -> MapTileSpec {
    match board {
        1 => MapTileSpec::Board1,
        2 => MapTileSpec::Board2,
        3 => MapTileSpec::Board3,
        4 => MapTileSpec::Board4,
        5 => MapTileSpec::Board5,
        6 => MapTileSpec::Board6,
        7 => MapTileSpec::Board7,
        _ => MapTileSpec::Board8,
    }
}

/// A database failure: logged; the packet is dropped (the player is not at fault).
fn failed<T>(player: &Player, error: &DbError) -> Option<T> {
    warn!(addr = %player.addr, %error, "a board could not be read or written");
    None
}

/// Board_Open: the board's posts, newest first.
pub(super) async fn open(
    player: &mut Player,
    packet: BoardOpenClientPacket,
) -> Result<(), Disconnect> {
    let config = player.context.config.get();
    let Some((_, _, board)) = usable_board(player, packet.board_id, &config.boards).await? else {
        return Ok(());
    };
    list(player, board, &config.boards).await
}

/// Sends the list of `board`'s posts (Board_Open).
async fn list(player: &mut Player, board: u8, config: &BoardsConfig) -> Result<(), Disconnect> {
    let posts = match player
        .context
        .db
        .board_posts(board, config.keeps(board))
        .await
    {
        Ok(posts) => posts,
        Err(error) => {
            failed::<()>(player, &error);
            return Ok(());
        }
    };
    let now = unix_now();
    let posts = posts
        .into_iter()
        .map(|post| BoardPostListing {
            post_id: post.post_id,
            author: post.author,
            subject: if config.date_posts {
                format!(
                    "{} ({})",
                    post.subject,
                    age(now.saturating_sub(post.created_at))
                )
            } else {
                post.subject
            },
        })
        .collect();
    player
        .send(&BoardOpenServerPacket {
            board_id: board - 1,
            posts,
        })
        .await
}

/// How long ago something was, in `secs`, as the listing shows it.
fn age(secs: i64) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    match secs.max(0) {
        s if s < MINUTE => "just now".to_owned(),
        s if s < HOUR => format!("{} min ago", s / MINUTE),
        s if s < 2 * DAY => format!("{} h ago", s / HOUR),
        s => format!("{} days ago", s / DAY),
    }
}

/// Board_Take: one post's body (Board_Player); nothing for a post that is not there.
pub(super) async fn take(
    player: &mut Player,
    packet: BoardTakeClientPacket,
) -> Result<(), Disconnect> {
    let config = player.context.config.get();
    let Some((_, _, board)) = usable_board(player, packet.board_id, &config.boards).await? else {
        return Ok(());
    };
    match player
        .context
        .db
        .board_post_body(board, packet.post_id)
        .await
    {
        Ok(Some(post_body)) => {
            player
                .send(&BoardPlayerServerPacket {
                    post_id: packet.post_id,
                    post_body,
                })
                .await
        }
        Ok(None) => Ok(()),
        Err(error) => {
            failed::<()>(player, &error);
            Ok(())
        }
    }
}

/// Cuts `text` to `most` characters (the limits count characters, as the client does).
fn cut(text: &str, most: u32) -> String {
    text.chars()
        .take(usize::try_from(most).unwrap_or(usize::MAX))
        .collect()
}

/// Board_Create: a new post, within the limits; then the board is listed again.
pub(super) async fn create(
    player: &mut Player,
    packet: BoardCreateClientPacket,
) -> Result<(), Disconnect> {
    let config = player.context.config.get();
    let boards = &config.boards;
    let Some((character_id, name, board)) = usable_board(player, packet.board_id, boards).await?
    else {
        return Ok(());
    };
    let subject = cut(packet.post_subject.trim(), boards.max_subject_length);
    let body = cut(&packet.post_body, boards.max_post_length);
    if subject.is_empty() || body.trim().is_empty() {
        debug!(addr = %player.addr, board, "an empty post; not posted");
        return list(player, board, boards).await;
    }
    let now = unix_now();
    let recent = i64::try_from(boards.recent_post_secs).unwrap_or(i64::MAX);
    let limits = PostLimits {
        keep: boards.keeps(board),
        max_user_posts: boards.max_user_posts,
        max_recent_posts: boards.max_recent_posts,
        recent_since: now.saturating_sub(recent),
    };
    let post = NewBoardPost {
        board,
        character_id,
        subject,
        body,
        now,
    };
    match player.context.db.add_board_post(post, limits).await {
        Ok(Posted::Stored(post_id)) => debug!(character = %name, board, post_id, "posted"),
        Ok(refused) => debug!(character = %name, board, ?refused, "a post past the limits"),
        Err(error) => {
            failed::<()>(player, &error);
        }
    }
    list(player, board, boards).await
}

/// Board_Remove: the character's own post, or, for a moderator, another's; then the board is
/// listed again.
pub(super) async fn remove(
    player: &mut Player,
    packet: BoardRemoveClientPacket,
) -> Result<(), Disconnect> {
    let config = player.context.config.get();
    let boards = &config.boards;
    let Some((character_id, name, board)) = usable_board(player, packet.board_id, boards).await?
    else {
        return Ok(());
    };
    let removed = player
        .context
        .db
        .remove_board_post(board, packet.post_id, character_id, boards.moderator_level)
        .await;
    match removed {
        Ok(removed) => {
            debug!(character = %name, board, post_id = packet.post_id, removed, "remove a post")
        }
        Err(error) => {
            failed::<()>(player, &error);
        }
    }
    list(player, board, boards).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_the_listing_shows_them() {
        assert_eq!(age(-5), "just now");
        assert_eq!(age(59), "just now");
        assert_eq!(age(60), "1 min ago");
        assert_eq!(age(3599), "59 min ago");
        assert_eq!(age(3600), "1 h ago");
        assert_eq!(age(47 * 3600), "47 h ago");
        assert_eq!(age(3 * 86_400), "3 days ago");
    }

    #[test]
    fn text_is_cut_by_characters() {
        assert_eq!(cut("héllo", 2), "hé");
        assert_eq!(cut("hi", 32), "hi");
    }

    #[test]
    fn boards_one_to_eight_have_their_tiles() {
        assert_eq!(board_tile(1), MapTileSpec::Board1);
        assert_eq!(board_tile(8), MapTileSpec::Board8);
    }
}
