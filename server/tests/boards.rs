//! The town boards with real clients on Mossbrook's board (Board1 at (12, 8), within reach of
//! the spawn point (16, 9)): posts are listed, read, limited, removed, kept across a restart;
//! the admin board is for admins; a board out of reach or not on the map answers nothing.

mod common;

use common::{Control, TestClient, TestServer, edited_player, enter_game, expect, map_barrier};
use eo_protocol::net::client::{
    BoardCreateClientPacket, BoardOpenClientPacket, BoardRemoveClientPacket, BoardTakeClientPacket,
};
use eo_protocol::net::server::{BoardPostListing, ServerPacket};

/// Board1: clients send boards 0-based.
const BOARD: u16 = 0;

fn post(subject: &str, body: &str) -> BoardCreateClientPacket {
    BoardCreateClientPacket {
        board_id: BOARD,
        post_subject: subject.into(),
        post_body: body.into(),
    }
}

/// The next board listing the client gets: (board id, posts).
async fn listing(client: &mut TestClient) -> (u8, Vec<BoardPostListing>) {
    expect(client, |p| match p {
        ServerPacket::BoardOpen(open) => Some((open.board_id, open.posts)),
        _ => None,
    })
    .await
}

async fn open(client: &mut TestClient) -> Vec<BoardPostListing> {
    client
        .send(&BoardOpenClientPacket { board_id: BOARD })
        .await;
    let (board, posts) = listing(client).await;
    assert_eq!(board, 0);
    posts
}

fn subjects(posts: &[BoardPostListing]) -> Vec<&str> {
    posts.iter().map(|p| p.subject.as_str()).collect()
}

/// Sets a character's admin level (as an operator does: `promote` on the control socket).
async fn promote(server: &TestServer, name: &str, level: u8) {
    let mut control = Control::connect(&server.socket).await;
    control
        .ok("promote", serde_json::json!({"name": name, "level": level}))
        .await;
}

/// Nothing about boards comes before the map barrier.
async fn no_board_answer(client: &mut TestClient) {
    let seen = map_barrier(client).await;
    assert!(
        !seen
            .iter()
            .any(|p| matches!(p, ServerPacket::BoardOpen(_) | ServerPacket::BoardPlayer(_))),
        "{seen:?}"
    );
}

#[tokio::test]
async fn posts_are_listed_read_by_others_and_kept_across_a_restart() {
    let server = TestServer::start(|c| c.boards.date_posts = false).await;
    let (mut alice, _, _) = edited_player(&server, "alice", |_| {}).await;
    let (mut bobby, _, _) = edited_player(&server, "bobby", |_| {}).await;
    assert!(open(&mut alice).await.is_empty());

    alice
        .send(&post("Lost cat", "Grey, answers to Mittens."))
        .await;
    let (_, posts) = listing(&mut alice).await;
    assert_eq!(subjects(&posts), ["Lost cat"]);
    assert_eq!(posts[0].author, "alice");
    alice.send(&post("Selling wood", "Cheap.")).await;
    let (_, posts) = listing(&mut alice).await;
    assert_eq!(
        subjects(&posts),
        ["Selling wood", "Lost cat"],
        "newest first"
    );

    // Another player sees and reads them.
    let posts = open(&mut bobby).await;
    assert_eq!(subjects(&posts), ["Selling wood", "Lost cat"]);
    let cat = posts[1].post_id;
    bobby
        .send(&BoardTakeClientPacket {
            board_id: BOARD,
            post_id: cat,
        })
        .await;
    let read = expect(&mut bobby, |p| match p {
        ServerPacket::BoardPlayer(read) => Some(read),
        _ => None,
    })
    .await;
    assert_eq!(
        (read.post_id, read.post_body.as_str()),
        (cat, "Grey, answers to Mittens.")
    );
    // A post that is not there: no answer.
    bobby
        .send(&BoardTakeClientPacket {
            board_id: BOARD,
            post_id: 999,
        })
        .await;
    no_board_answer(&mut bobby).await;
    drop((alice, bobby));
    // The server stops; its folder (and database) stays for the next one.
    server.shutdown.cancel();
    server.task.await.unwrap();

    // A restart keeps them.
    let db = server.dir.path().join("test.db");
    let restarted = TestServer::start(|c| {
        c.database.path = db;
        c.boards.date_posts = false;
    })
    .await;
    let mut carol = TestClient::connected(restarted.addr).await;
    enter_game(&mut carol, "carol").await;
    assert_eq!(
        subjects(&open(&mut carol).await),
        ["Selling wood", "Lost cat"]
    );
    restarted.stop().await;
}

#[tokio::test]
async fn posts_are_held_to_the_limits_and_the_board_keeps_the_newest() {
    let server = TestServer::start(|c| {
        c.boards.date_posts = false;
        c.boards.max_subject_length = 5;
        c.boards.max_post_length = 8;
        c.boards.max_user_posts = 3;
        c.boards.max_recent_posts = 2;
        c.boards.max_posts = 3;
    })
    .await;
    let (mut alice, _, _) = edited_player(&server, "alice", |_| {}).await;
    let (mut bobby, _, _) = edited_player(&server, "bobby", |_| {}).await;

    // Subject and body are cut to their lengths.
    alice
        .send(&post("Much too long", "A body far too long"))
        .await;
    let (_, posts) = listing(&mut alice).await;
    assert_eq!(subjects(&posts), ["Much "]);
    alice
        .send(&BoardTakeClientPacket {
            board_id: BOARD,
            post_id: posts[0].post_id,
        })
        .await;
    let read = expect(&mut alice, |p| match p {
        ServerPacket::BoardPlayer(read) => Some(read.post_body),
        _ => None,
    })
    .await;
    assert_eq!(read, "A body f");

    // An empty subject or body is no post; the board is listed as it is.
    alice.send(&post("   ", "body")).await;
    assert_eq!(subjects(&listing(&mut alice).await.1), ["Much "]);
    alice.send(&post("Subj", "  ")).await;
    assert_eq!(subjects(&listing(&mut alice).await.1), ["Much "]);

    // Two recent posts at most: the third within the half hour is refused.
    alice.send(&post("two", "second")).await;
    assert_eq!(subjects(&listing(&mut alice).await.1), ["two", "Much "]);
    alice.send(&post("three", "third")).await;
    assert_eq!(subjects(&listing(&mut alice).await.1), ["two", "Much "]);

    // Others post on; the board keeps its 3 newest.
    bobby.send(&post("b1", "x")).await;
    listing(&mut bobby).await;
    bobby.send(&post("b2", "y")).await;
    assert_eq!(subjects(&listing(&mut bobby).await.1), ["b2", "b1", "two"]);
    server.stop().await;
}

#[tokio::test]
async fn a_character_may_have_so_many_posts_on_a_board() {
    let server = TestServer::start(|c| {
        c.boards.date_posts = false;
        c.boards.max_user_posts = 2;
        c.boards.max_recent_posts = 10;
    })
    .await;
    let (mut alice, _, _) = edited_player(&server, "alice", |_| {}).await;
    for subject in ["one", "two", "three"] {
        alice.send(&post(subject, "text")).await;
        listing(&mut alice).await;
    }
    assert_eq!(subjects(&open(&mut alice).await), ["two", "one"]);
    server.stop().await;
}

#[tokio::test]
async fn the_listing_shows_each_posts_age() {
    let server = TestServer::start(|_| {}).await;
    let (mut alice, _, _) = edited_player(&server, "alice", |_| {}).await;
    alice.send(&post("Hello", "there")).await;
    let (_, posts) = listing(&mut alice).await;
    assert_eq!(subjects(&posts), ["Hello (just now)"]);
    server.stop().await;
}

#[tokio::test]
async fn authors_remove_their_posts_and_moderators_those_of_lower_levels() {
    let server = TestServer::start(|c| {
        c.boards.date_posts = false;
        c.boards.moderator_level = 2;
    })
    .await;
    let (mut alice, _, _) = edited_player(&server, "alice", |_| {}).await;
    let (mut bobby, _, _) = edited_player(&server, "bobby", |_| {}).await;
    let (mut guide, _, _) = edited_player(&server, "guide", |_| {}).await;
    let (mut master, _, _) = edited_player(&server, "master", |_| {}).await;
    promote(&server, "guide", 2).await;
    promote(&server, "master", 4).await;
    for subject in ["a1", "a2"] {
        alice.send(&post(subject, "text")).await;
        listing(&mut alice).await;
    }
    master.send(&post("m1", "text")).await;
    listing(&mut master).await;
    let posts = open(&mut bobby).await;
    let id = |subject: &str| {
        posts
            .iter()
            .find(|p| p.subject == subject)
            .map(|p| p.post_id)
            .unwrap()
    };
    let remove = |post_id| BoardRemoveClientPacket {
        board_id: BOARD,
        post_id,
    };
    // Bobby removes nothing of alice's.
    bobby.send(&remove(id("a1"))).await;
    assert_eq!(subjects(&listing(&mut bobby).await.1), ["m1", "a2", "a1"]);
    // Alice removes her own.
    alice.send(&remove(id("a1"))).await;
    assert_eq!(subjects(&listing(&mut alice).await.1), ["m1", "a2"]);
    // The guide (level 2) removes alice's, not the master's (level 4).
    guide.send(&remove(id("m1"))).await;
    assert_eq!(subjects(&listing(&mut guide).await.1), ["m1", "a2"]);
    guide.send(&remove(id("a2"))).await;
    assert_eq!(subjects(&listing(&mut guide).await.1), ["m1"]);
    server.stop().await;
}

#[tokio::test]
async fn the_admin_board_is_for_admins_only() {
    // Mossbrook's board is the admin board here.
    let server = TestServer::start(|c| {
        c.boards.admin_board = 1;
        c.boards.admin_level = 2;
        c.boards.date_posts = false;
    })
    .await;
    let (mut player, _, _) = edited_player(&server, "player", |_| {}).await;
    let (mut admin, _, _) = edited_player(&server, "admin", |_| {}).await;
    promote(&server, "player", 1).await;
    promote(&server, "admin", 2).await;
    admin.send(&post("Staff only", "Meeting at noon.")).await;
    let (_, posts) = listing(&mut admin).await;
    assert_eq!(subjects(&posts), ["Staff only"]);
    let staff = posts[0].post_id;

    player
        .send(&BoardOpenClientPacket { board_id: BOARD })
        .await;
    player.send(&post("Let me in", "please")).await;
    player
        .send(&BoardTakeClientPacket {
            board_id: BOARD,
            post_id: staff,
        })
        .await;
    player
        .send(&BoardRemoveClientPacket {
            board_id: BOARD,
            post_id: staff,
        })
        .await;
    no_board_answer(&mut player).await;
    assert_eq!(subjects(&open(&mut admin).await), ["Staff only"]);
    server.stop().await;
}

#[tokio::test]
async fn a_board_out_of_reach_or_not_on_the_map_answers_nothing() {
    let server = TestServer::start(|_| {}).await;
    // (3, 17) is 13 steps from the board at (12, 8).
    let (mut far, _, _) = edited_player(&server, "faraway", |c| {
        c.x = 3;
        c.y = 17;
    })
    .await;
    far.send(&BoardOpenClientPacket { board_id: BOARD }).await;
    far.send(&post("From afar", "text")).await;
    no_board_answer(&mut far).await;

    let (mut near, _, _) = edited_player(&server, "nearby", |_| {}).await;
    // Mossbrook has no Board2; boards run 0 to 7.
    for board_id in [1, 8, 64_000] {
        near.send(&BoardOpenClientPacket { board_id }).await;
    }
    no_board_answer(&mut near).await;
    // Nothing was posted from afar.
    assert!(open(&mut near).await.is_empty());
    server.stop().await;
}
