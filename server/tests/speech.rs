//! NPC speech with real clients: NPCs of the talk file say their lines in Npc_Player, heard by
//! the players near them only; an NPC whose chance is 0 never speaks.

mod common;

use std::collections::HashMap;

use common::world::{added_npc, world};
use common::{TestClient, TestServer, edited_player};
use eo_protocol::net::server::ServerPacket;

const CHATTY_LINES: [&str; 2] = ["Lovely weather.", "Have you seen my cat?"];

/// Collects what `client` hears NPCs say until `enough` holds: lines by NPC index.
async fn listen(
    client: &mut TestClient,
    enough: impl Fn(&HashMap<u8, Vec<String>>) -> bool,
) -> HashMap<u8, Vec<String>> {
    let mut heard: HashMap<u8, Vec<String>> = HashMap::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !enough(&heard) {
        let packet = tokio::time::timeout_at(deadline, client.recv())
            .await
            .unwrap_or_else(|_| panic!("NPCs did not speak enough: {heard:?}"));
        if let ServerPacket::NpcPlayer(update) = packet {
            for chat in update.chats {
                heard.entry(chat.npc_index).or_default().push(chat.message);
            }
        }
    }
    heard
}

#[tokio::test]
async fn npcs_say_their_lines_to_the_players_near_them() {
    // Chatty (always speaks) and Mute (chance 0) stand by the spawn point (16, 9); Far Chatty
    // (always speaks) stands at (3, 10), out of sight of it.
    let (chatty_id, mute_id, far_chatty_id) = (added_npc(1), added_npc(2), added_npc(3));
    let world = world()
        .append(
            "npcs.toml",
            &format!(
                "[[npc]]\nid = {chatty_id}\nname = \"Chatty\"\ntype = \"Friendly\"\nhp = 10\n\n\
                 [[npc]]\nid = {mute_id}\nname = \"Mute\"\ntype = \"Friendly\"\nhp = 10\n\n\
                 [[npc]]\nid = {far_chatty_id}\nname = \"Far Chatty\"\ntype = \"Friendly\"\nhp = 10\n"
            ),
        )
        .append(
            "maps/00001.toml",
            &format!(
                "[[npc]]\nx = 18\ny = 9\nnpc = {chatty_id}\nspawn_type = 7\nspawn_time = 0\n\n\
                 [[npc]]\nx = 16\ny = 7\nnpc = {mute_id}\nspawn_type = 7\nspawn_time = 0\n\n\
                 [[npc]]\nx = 3\ny = 10\nnpc = {far_chatty_id}\nspawn_type = 7\nspawn_time = 0\n"
            ),
        )
        .append(
            "speech.toml",
            &format!(
                "[[npc]]\nid = {chatty_id}\nchance = 100\nlines = [\"Lovely weather.\", \"Have you seen my cat?\"]\n\n\
                 [[npc]]\nid = {mute_id}\nchance = 0\nlines = [\"You will never hear this.\"]\n\n\
                 [[npc]]\nid = {far_chatty_id}\nchance = 100\nlines = [\"Over here!\"]\n"
            ),
        )
        .build();
    let data_dir = world.data_dir.clone();
    let server = TestServer::start(move |c| {
        c.world.data_dir = data_dir;
        c.npcs.speech_ms = 250;
    })
    .await;
    let (mut alice, _, entered) = edited_player(&server, "alice", |_| {}).await;
    let index_of = |id: u16| {
        entered
            .nearby
            .npcs
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.index)
    };
    let (chatty, mute) = (index_of(chatty_id).unwrap(), index_of(mute_id).unwrap());
    assert_eq!(index_of(far_chatty_id), None, "out of sight");
    // Bob stands by Far Chatty.
    let (mut bob, _, bob_entered) = edited_player(&server, "bobby", |c| (c.x, c.y) = (3, 12)).await;
    let far = bob_entered
        .nearby
        .npcs
        .iter()
        .find(|n| n.id == far_chatty_id)
        .unwrap()
        .index;

    // Alice hears Chatty again and again, and nobody else.
    let heard = listen(&mut alice, |h| h.get(&chatty).is_some_and(|l| l.len() >= 4)).await;
    assert_eq!(
        heard.keys().copied().collect::<Vec<_>>(),
        [chatty],
        "{heard:?}"
    );
    assert!(!heard.contains_key(&mute) && !heard.contains_key(&far));
    assert!(
        heard[&chatty]
            .iter()
            .all(|line| CHATTY_LINES.contains(&line.as_str())),
        "{heard:?}"
    );
    // Bob hears Far Chatty, whom Alice never heard.
    let heard = listen(&mut bob, |h| h.contains_key(&far)).await;
    assert_eq!(heard[&far][0], "Over here!");
    assert!(!heard.contains_key(&chatty), "{heard:?}");
    server.stop().await;
}
