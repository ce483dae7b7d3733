//! Guilds with real clients at Guildmaster Hale (NPC 10, type Guild, at (20, 12) in
//! Mossbrook): founding with the required members, the tag others see, guild chat, the bank
//! and its cap, joining through a recruiter, ranks, kicks of offline members, and membership
//! across a restart. Every refusal changes nothing.

mod common;

use common::{
    TestClient, TestServer, edited_player, enter_game_reply, expect, map_barrier, npc_index,
    saved_character,
};
use eo_protocol::net::client::{
    GuildAcceptClientPacket, GuildBuyClientPacket, GuildCreateClientPacket, GuildInfoType,
    GuildKickClientPacket, GuildOpenClientPacket, GuildPlayerClientPacket, GuildRankClientPacket,
    GuildReportClientPacket, GuildRequestClientPacket, GuildTakeClientPacket,
    GuildTellClientPacket, GuildUseClientPacket, RefreshRequestClientPacket,
    TalkRequestClientPacket,
};
use eo_protocol::net::server::{
    GuildReply, GuildReplyServerPacketReplyCodeData as Data, ServerPacket,
    WelcomeReplyServerPacketWelcomeCodeDataEnterGame as Entered,
};
use eo_server::config::Config;

const GUILD_MASTER: u16 = 10;

fn gold(c: &eo_server::db::Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

/// A player near the guild master with `gold`.
async fn near_master(
    server: &TestServer,
    name: &str,
    x: u8,
    gold: u32,
) -> (TestClient, i32, Entered) {
    edited_player(server, name, |c| {
        (c.map, c.x, c.y) = (1, x, 11);
        c.inventory = vec![(1, gold)];
    })
    .await
}

/// Opens the guild master; its session.
async fn open(client: &mut TestClient, entered: &Entered) -> u32 {
    let index = npc_index(client, entered, GUILD_MASTER).await;
    client
        .send(&GuildOpenClientPacket {
            npc_index: u16::from(index),
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::GuildOpen(open) => Some(open.session_id),
        _ => None,
    })
    .await
}

async fn guild_reply(client: &mut TestClient) -> (GuildReply, Option<Data>) {
    expect(client, |p| match p {
        ServerPacket::GuildReply(r) => Some((r.reply_code, r.reply_code_data)),
        _ => None,
    })
    .await
}

/// Founds `tag` / `name` alone (the config needs one member): the gold left.
async fn found_alone(client: &mut TestClient, session: u32, tag: &str, name: &str) -> u32 {
    client
        .send(&GuildRequestClientPacket {
            session_id: session,
            guild_tag: tag.into(),
            guild_name: name.into(),
        })
        .await;
    assert_eq!(guild_reply(client).await.0, GuildReply::CreateBegin);
    client
        .send(&GuildCreateClientPacket {
            session_id: session,
            guild_tag: tag.into(),
            guild_name: name.into(),
            description: "Alone".into(),
        })
        .await;
    expect(client, |p| match p {
        ServerPacket::GuildCreate(c) => Some(c.gold_amount),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_guild_is_founded_with_the_required_members_its_tag_shown_and_its_chat_heard() {
    let server = TestServer::start(|c| {
        c.guilds.required_members = 3;
        c.guilds.create_cost = 100;
    })
    .await;
    let (mut lead, lead_id, entered) = near_master(&server, "founder", 18, 500).await;
    let (mut ann, ann_id, _) = near_master(&server, "annie", 19, 0).await;
    let session = open(&mut lead, &entered).await;

    // A wrong session, a bad tag, a bad name: nothing or NotApproved.
    lead.send(&GuildRequestClientPacket {
        session_id: session + 1,
        guild_tag: "TST".into(),
        guild_name: "Testers".into(),
    })
    .await;
    assert!(
        !map_barrier(&mut lead)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::GuildReply(_)))
    );
    for (tag, name) in [("T1", "Testers"), ("TOOLONG", "Testers"), ("TST", "Bad!")] {
        lead.send(&GuildRequestClientPacket {
            session_id: session,
            guild_tag: tag.into(),
            guild_name: name.into(),
        })
        .await;
        assert_eq!(
            guild_reply(&mut lead).await.0,
            GuildReply::NotApproved,
            "{tag} {name}"
        );
    }
    // Three members needed, only one other guildless character on the map.
    lead.send(&GuildRequestClientPacket {
        session_id: session,
        guild_tag: "tst".into(),
        guild_name: "Testers".into(),
    })
    .await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::NoCandidates);
    let (mut bob, bob_id, _) = near_master(&server, "bobby", 21, 0).await;
    lead.send(&GuildRequestClientPacket {
        session_id: session,
        guild_tag: "tst".into(),
        guild_name: "Testers".into(),
    })
    .await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::CreateBegin);
    for invitee in [&mut ann, &mut bob] {
        let invitation = expect(invitee, |p| match p {
            ServerPacket::GuildRequest(r) => Some(r),
            _ => None,
        })
        .await;
        assert_eq!(invitation.guild_identity, "Testers (TST)");
        assert_eq!(invitation.player_id, lead.player_id);
    }
    // Confirming too early: refused.
    lead.send(&GuildCreateClientPacket {
        session_id: session,
        guild_tag: "TST".into(),
        guild_name: "Testers".into(),
        description: "We test".into(),
    })
    .await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::NotApproved);
    ann.send(&GuildAcceptClientPacket {
        inviter_player_id: lead.player_id,
    })
    .await;
    assert!(matches!(
        guild_reply(&mut lead).await,
        (GuildReply::CreateAdd, Some(Data::CreateAdd(a))) if a.name == "annie"
    ));
    bob.send(&GuildAcceptClientPacket {
        inviter_player_id: lead.player_id,
    })
    .await;
    assert!(matches!(
        guild_reply(&mut lead).await,
        (GuildReply::CreateAddConfirm, Some(Data::CreateAddConfirm(a))) if a.name == "bobby"
    ));
    lead.send(&GuildCreateClientPacket {
        session_id: session,
        guild_tag: "TST".into(),
        guild_name: "Testers".into(),
        description: "We test".into(),
    })
    .await;
    let created = expect(&mut lead, |p| match p {
        ServerPacket::GuildCreate(c) => Some(c),
        _ => None,
    })
    .await;
    assert_eq!(
        (created.guild_tag.as_str(), created.rank_name.as_str()),
        ("TST", "Leader")
    );
    assert_eq!(created.gold_amount, 400);
    for member in [&mut ann, &mut bob] {
        let agreed = expect(member, |p| match p {
            ServerPacket::GuildAgree(a) => Some(a),
            _ => None,
        })
        .await;
        assert_eq!(
            (agreed.guild_tag.as_str(), agreed.rank_name.as_str()),
            ("TST", "New Member")
        );
    }
    // The cost and the guild were written together.
    let saved = saved_character(&server, lead_id).await;
    assert_eq!(gold(&saved), 400);
    assert_eq!(saved.guild.as_ref().map(|g| g.rank), Some(1));
    for id in [ann_id, bob_id] {
        assert_eq!(
            saved_character(&server, id).await.guild.map(|g| g.tag),
            Some("TST".into())
        );
    }

    // Others see the tag.
    ann.send(&RefreshRequestClientPacket).await;
    let nearby = expect(&mut ann, |p| match p {
        ServerPacket::RefreshReply(r) => Some(r.nearby),
        _ => None,
    })
    .await;
    let shown = nearby
        .characters
        .iter()
        .find(|c| c.name == "founder")
        .map(|c| c.guild_tag.clone());
    assert_eq!(shown.as_deref(), Some("TST"));

    // Guild chat reaches the members, not an outsider.
    let (mut outsider, _, _) = near_master(&server, "outsider", 22, 0).await;
    bob.send(&TalkRequestClientPacket {
        message: "hello guild".into(),
    })
    .await;
    for member in [&mut lead, &mut ann] {
        let heard = expect(member, |p| match p {
            ServerPacket::TalkRequest(t) => Some(t),
            _ => None,
        })
        .await;
        assert_eq!(
            (heard.player_name.as_str(), heard.message.as_str()),
            ("bobby", "hello guild")
        );
    }
    assert!(
        !map_barrier(&mut outsider)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::TalkRequest(_)))
    );

    // Info: the member list and the report.
    lead.send(&GuildTellClientPacket {
        session_id: session,
        guild_identity: "Testers".into(),
    })
    .await;
    let members = expect(&mut lead, |p| match p {
        ServerPacket::GuildTell(t) => Some(t.members),
        _ => None,
    })
    .await;
    let names: Vec<_> = members.iter().map(|m| (m.rank, m.name.as_str())).collect();
    assert_eq!(names, [(1, "founder"), (9, "annie"), (9, "bobby")]);
    lead.send(&GuildReportClientPacket {
        session_id: session,
        guild_identity: "NOPE".into(),
    })
    .await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::NotFound);
    lead.send(&GuildReportClientPacket {
        session_id: session,
        guild_identity: "tst".into(),
    })
    .await;
    let report = expect(&mut lead, |p| match p {
        ServerPacket::GuildReport(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(
        (report.name.as_str(), report.description.as_str()),
        ("Testers", "We test")
    );
    assert_eq!(report.staff.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn deposits_reach_the_bank_and_one_past_its_cap_is_refused_with_the_gold_kept() {
    let server = TestServer::start(|c: &mut Config| {
        c.guilds.required_members = 1;
        c.guilds.create_cost = 0;
        c.guilds.max_bank = 5000;
        c.guilds.min_deposit = 1000;
    })
    .await;
    let (mut lead, lead_id, entered) = near_master(&server, "banker", 18, 7000).await;
    let session = open(&mut lead, &entered).await;
    assert_eq!(
        found_alone(&mut lead, session, "BNK", "Bankers").await,
        7000
    );

    let deposit = |gold_amount| GuildBuyClientPacket {
        session_id: session,
        gold_amount,
    };
    lead.send(&deposit(3000)).await;
    let left = expect(&mut lead, |p| match p {
        ServerPacket::GuildBuy(b) => Some(b.gold_amount),
        _ => None,
    })
    .await;
    assert_eq!(left, 4000);
    // Below the minimum, and past the cap: nothing happens, nothing is taken.
    for refused in [999, 3000] {
        lead.send(&deposit(refused)).await;
        assert!(
            !map_barrier(&mut lead)
                .await
                .iter()
                .any(|p| matches!(p, ServerPacket::GuildBuy(_))),
            "{refused}"
        );
    }
    lead.send(&GuildTakeClientPacket {
        session_id: session,
        info_type: GuildInfoType::Bank,
        guild_tag: "BNK".into(),
    })
    .await;
    let bank = expect(&mut lead, |p| match p {
        ServerPacket::GuildSell(s) => Some(s.gold_amount),
        _ => None,
    })
    .await;
    assert_eq!(bank, 3000);
    // The refused 3000 came back: 4000 held, 2000 more fits exactly.
    lead.send(&deposit(2000)).await;
    let left = expect(&mut lead, |p| match p {
        ServerPacket::GuildBuy(b) => Some(b.gold_amount),
        _ => None,
    })
    .await;
    assert_eq!(left, 2000);
    drop(lead);
    // After the logout's save: the character's gold and the bank add up to what it had.
    let mut relog = TestClient::connected(server.addr).await;
    let _ = enter_game_reply(&mut relog, "banker").await;
    let saved = saved_character(&server, lead_id).await;
    assert_eq!(gold(&saved), 2000);
    server.stop().await;
}

#[tokio::test]
async fn recruits_join_ranks_change_and_offline_members_are_kicked_after_a_restart() {
    let server = TestServer::start(|c: &mut Config| {
        c.guilds.required_members = 1;
        c.guilds.create_cost = 0;
        c.guilds.recruit_cost = 0;
    })
    .await;
    let (mut lead, _, entered) = near_master(&server, "leader", 18, 0).await;
    let (mut joiner, joiner_id, joiner_entered) = near_master(&server, "joiner", 19, 0).await;
    let session = open(&mut lead, &entered).await;
    found_alone(&mut lead, session, "KEP", "Keepers").await;
    let joiner_session = open(&mut joiner, &joiner_entered).await;

    let ask = |recruiter: &str, tag: &str| GuildPlayerClientPacket {
        session_id: joiner_session,
        guild_tag: tag.into(),
        recruiter_name: recruiter.into(),
    };
    joiner.send(&ask("nobody", "KEP")).await;
    assert_eq!(
        guild_reply(&mut joiner).await.0,
        GuildReply::RecruiterOffline
    );
    joiner.send(&ask("leader", "ABC")).await;
    assert_eq!(
        guild_reply(&mut joiner).await.0,
        GuildReply::RecruiterWrongGuild
    );
    joiner.send(&ask("leader", "KEP")).await;
    let (code, data) = guild_reply(&mut lead).await;
    assert_eq!(code, GuildReply::JoinRequest);
    assert!(matches!(data, Some(Data::JoinRequest(j)) if j.name == "joiner"));
    lead.send(&GuildUseClientPacket {
        player_id: joiner.player_id,
    })
    .await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::Accepted);
    let agreed = expect(&mut joiner, |p| match p {
        ServerPacket::GuildAgree(a) => Some(a),
        _ => None,
    })
    .await;
    assert_eq!(agreed.guild_name, "Keepers");
    // Now a member: asking again is refused.
    joiner.send(&ask("leader", "KEP")).await;
    assert_eq!(guild_reply(&mut joiner).await.0, GuildReply::AlreadyMember);
    // A new member may not kick its leader.
    joiner
        .send(&GuildKickClientPacket {
            session_id: joiner_session,
            member_name: "leader".into(),
        })
        .await;
    assert!(
        !map_barrier(&mut joiner)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::GuildReply(_)))
    );
    drop((lead, joiner));

    // The server stops; its database stays for the next one.
    server.shutdown.cancel();
    server.task.await.unwrap();
    let db = server.dir.path().join("test.db");
    let restarted = TestServer::start(|c| {
        c.database.path = db;
    })
    .await;
    let mut lead = TestClient::connected(restarted.addr).await;
    let (_, entered) = enter_game_reply(&mut lead, "leader").await;
    let _ = entered;
    let session = open(&mut lead, &entered).await;
    let rank = |rank, name: &str| GuildRankClientPacket {
        session_id: session,
        rank,
        member_name: name.into(),
    };
    // The offline joiner is re-ranked, then kicked; a leader cannot be.
    lead.send(&rank(1, "joiner")).await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::RankingLeader);
    lead.send(&rank(3, "nobody")).await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::RankingNotMember);
    lead.send(&rank(3, "joiner")).await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::Updated);
    let reopened = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let membership = reopened
        .guild_membership(i64::from(joiner_id))
        .await
        .unwrap();
    assert_eq!(membership.map(|m| m.rank), Some(3));
    lead.send(&GuildKickClientPacket {
        session_id: session,
        member_name: "leader".into(),
    })
    .await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::RemoveLeader);
    lead.send(&GuildKickClientPacket {
        session_id: session,
        member_name: "joiner".into(),
    })
    .await;
    assert_eq!(guild_reply(&mut lead).await.0, GuildReply::Removed);
    assert_eq!(
        reopened
            .guild_membership(i64::from(joiner_id))
            .await
            .unwrap(),
        None
    );
    restarted.stop().await;
}
