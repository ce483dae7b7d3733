//! `arena` and `board` (EOSERV's) with real clients: an arena launched at once, even for one
//! player (the bundled Mossbrook Ring, map 4, launches every 30 seconds and needs two); any
//! board opened and used from anywhere, the admin board for its level only. Refused below each
//! command's level.

mod common;

use common::admin::{player_at_level, say, server_line};
use common::{Control, TestServer, edited_player, expect};
use eo_protocol::net::client::{BoardCreateClientPacket, BoardTakeClientPacket};
use eo_protocol::net::server::{ServerPacket, WarpType};
use serde_json::json;

#[tokio::test]
async fn arena_launches_the_givers_arena_now_even_for_one() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    // Alone on a launch pad of the ring: its own launches would wait for a second player.
    let (mut alder, _, _) = edited_player(&server, "alder", |c| {
        (c.map, c.x, c.y) = (4, 2, 2);
    })
    .await;
    let (mut guide, _, _) = edited_player(&server, "guide", |c| {
        (c.map, c.x, c.y) = (4, 5, 9);
    })
    .await;
    let (mut spy, _, _) = edited_player(&server, "spyglass", |c| {
        (c.map, c.x, c.y) = (4, 5, 10);
    })
    .await;
    control
        .ok("promote", json!({"name": "guide", "level": 2}))
        .await;
    control
        .ok("promote", json!({"name": "spyglass", "level": 1}))
        .await;

    say(&mut spy, "$arena").await;
    assert_eq!(server_line(&mut spy).await, "You may not use $arena.");
    say(&mut guide, "$a").await;
    let went = expect(&mut alder, |p| match p {
        ServerPacket::ArenaUse(u) => Some(u.players_count),
        _ => None,
    })
    .await;
    assert_eq!(went, 1);
    let request = expect(&mut alder, |p| match p {
        ServerPacket::WarpRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!((request.warp_type, request.map_id), (WarpType::Local, 4));
    assert_eq!(
        server_line(&mut guide).await,
        "The arena of map 4 launched: 1 player(s) went in."
    );
    // The operator names the map; a map without an arena says so.
    let result = control.ok("arena", json!({"map": 4})).await;
    assert_eq!(result, json!({"map": 4, "launched": 0}));
    let reply = control.call("arena", json!({"map": 1})).await;
    assert_eq!(reply["error"]["message"], "map 1 has no arena");
    let reply = control.call("arena", json!({})).await;
    assert_eq!(reply["error"]["code"], "bad_request");
    server.stop().await;
}

#[tokio::test]
async fn board_opens_any_board_from_anywhere() {
    let server = TestServer::start(|c| {
        c.boards.date_posts = false;
        c.boards.admin_board = 8;
        c.boards.admin_level = 3;
    })
    .await;
    let mut control = Control::connect(&server.socket).await;
    // Far from Mossbrook's board (Board1 at (12, 8)): on the jail map.
    let (mut gm, _, _) = edited_player(&server, "master", |c| {
        (c.map, c.x, c.y) = (6, 5, 6);
    })
    .await;
    control
        .ok("promote", json!({"name": "master", "level": 4}))
        .await;
    let mut guide = player_at_level(&server, &mut control, "guide", 2).await;
    let mut spy = player_at_level(&server, &mut control, "spyglass", 1).await;

    say(&mut gm, "$board 1").await;
    let listing = expect(&mut gm, |p| match p {
        ServerPacket::BoardOpen(open) => Some(open.board_id),
        _ => None,
    })
    .await;
    assert_eq!(listing, 0);
    assert_eq!(server_line(&mut gm).await, "Board 1 is open.");
    // Posted and read from where it stands.
    gm.send(&BoardCreateClientPacket {
        board_id: 0,
        post_subject: "From afar".into(),
        post_body: "Hello from the jail.".into(),
    })
    .await;
    let posts = expect(&mut gm, |p| match p {
        ServerPacket::BoardOpen(open) => Some(open.posts),
        _ => None,
    })
    .await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].subject, "From afar");
    gm.send(&BoardTakeClientPacket {
        board_id: 0,
        post_id: posts[0].post_id,
    })
    .await;
    let body = expect(&mut gm, |p| match p {
        ServerPacket::BoardPlayer(post) => Some(post.post_body),
        _ => None,
    })
    .await;
    assert_eq!(body, "Hello from the jail.");

    // Without a number: the admin board, for `[boards] admin_level` (3) only.
    say(&mut gm, "$board").await;
    let listing = expect(&mut gm, |p| match p {
        ServerPacket::BoardOpen(open) => Some(open.board_id),
        _ => None,
    })
    .await;
    assert_eq!(listing, 7);
    say(&mut guide, "$board").await;
    assert_eq!(
        server_line(&mut guide).await,
        "board 8 is the admin board: it needs admin level 3"
    );
    say(&mut spy, "$board 1").await;
    assert_eq!(server_line(&mut spy).await, "You may not use $board.");
    // The operator has no client to open it in.
    let reply = control.call("board", json!({"board": 1})).await;
    assert_eq!(reply["error"]["code"], "bad_request");
    server.stop().await;
}
