//! The book with real clients: Book_Request about a character on the same map shows its
//! details, with its partner, guild and rank, and the quests it finished (none yet: there are
//! no quests). A character elsewhere, or nobody, gets no answer.

mod common;

use common::{TestServer, edited_player, expect, map_barrier};
use eo_protocol::net::client::BookRequestClientPacket;
use eo_protocol::net::server::ServerPacket;
use eo_server::db::{Db, GuildOp, GuildOpOutcome, NewGuild};

#[tokio::test]
async fn a_book_shows_the_partner_the_guild_and_no_quests() {
    let server = TestServer::start(|_| {}).await;
    // Alice is married and leads a guild before she enters.
    let (mut alice, alice_id, _) = edited_player(&server, "alice", |c| {
        c.partner = "bobby".into();
    })
    .await;
    drop(alice);
    let db = Db::open(&server.dir.path().join("test.db")).await.unwrap();
    let character = db
        .load_character(i64::from(alice_id))
        .await
        .unwrap()
        .unwrap();
    let founded = GuildOp::Create(Box::new(NewGuild {
        character_id: character.id,
        cost: 0,
        tag: "BK".into(),
        name: "Bookish".into(),
        description: String::new(),
        ranks: std::array::from_fn(|i| format!("R{}", i + 1)),
        members: Vec::new(),
        now: 0,
    }));
    let (_, outcome) = db
        .save_with_guild_ops(vec![character], vec![founded])
        .await
        .unwrap();
    assert!(matches!(outcome[..], [GuildOpOutcome::Created(_)]));
    (alice, _, _) = edited_player(&server, "alice", |_| {}).await;
    let (mut bobby, _, entered) = edited_player(&server, "bobby", |_| {}).await;
    let alice_player = entered
        .nearby
        .characters
        .iter()
        .find(|c| c.name == "alice")
        .map(|c| c.player_id)
        .unwrap();
    bobby
        .send(&BookRequestClientPacket {
            player_id: alice_player,
        })
        .await;
    let book = expect(&mut bobby, |p| match p {
        ServerPacket::BookReply(book) => Some(book),
        _ => None,
    })
    .await;
    let d = &book.details;
    assert_eq!(
        (d.partner.as_str(), d.guild.as_str(), d.guild_rank.as_str()),
        ("bobby", "Bookish", "R1")
    );
    assert!(book.quest_names.is_empty());
    alice
        .send(&BookRequestClientPacket { player_id: 64_000 })
        .await;
    assert!(
        !map_barrier(&mut alice)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::BookReply(_)))
    );
    server.stop().await;
}
