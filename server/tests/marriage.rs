//! Marriage with real clients in Mossbrook: Magistrate Orla (NPC 11, Lawyer, at (17, 15))
//! approves a fiancé and divorces for a fee; Mother Ysolde (NPC 12, Priest, at (23, 15)) weds
//! two approved players dressed for it (items 21 and 22), with her timed lines, their "I do"s
//! and a Wedding Ring (item 23) each. Every refusal changes nothing.

mod common;

use common::{
    TestClient, TestServer, edited_player, enter_game_reply, expect, map_barrier, npc_index,
    saved_character,
};
use eo_protocol::net::client::{
    MarriageOpenClientPacket, MarriageRequestClientPacket, MarriageRequestType,
    PaperdollRequestClientPacket, PriestAcceptClientPacket, PriestOpenClientPacket,
    PriestRequestClientPacket, PriestUseClientPacket,
};
use eo_protocol::net::server::{
    MarriageReply, MarriageReplyServerPacketReplyCodeData as Paid, PriestReply, ServerPacket,
    WelcomeReplyServerPacketWelcomeCodeDataEnterGame as Entered,
};
use eo_server::config::Config;

const LAWYER: u16 = 11;
const PRIEST: u16 = 12;
const SUIT: u16 = 21;
const GOWN: u16 = 22;
const RING: u16 = 23;

fn quick(c: &mut Config) {
    c.marriage.start_delay_secs = 0;
    c.marriage.line_secs = 0;
}

fn gold(c: &eo_server::db::Character) -> u32 {
    c.inventory
        .iter()
        .find(|(id, _)| *id == 1)
        .map_or(0, |(_, n)| *n)
}

async fn lawyer(client: &mut TestClient, entered: &Entered) -> u32 {
    let npc_index = u16::from(npc_index(client, entered, LAWYER).await);
    client.send(&MarriageOpenClientPacket { npc_index }).await;
    expect(client, |p| match p {
        ServerPacket::MarriageOpen(open) => Some(open.session_id),
        _ => None,
    })
    .await
}

async fn marriage_reply(client: &mut TestClient) -> (MarriageReply, Option<u32>) {
    expect(client, |p| match p {
        ServerPacket::MarriageReply(r) => Some((
            r.reply_code,
            r.reply_code_data.map(|Paid::Success(s)| s.gold_amount),
        )),
        _ => None,
    })
    .await
}

async fn priest_reply(client: &mut TestClient) -> PriestReply {
    expect(client, |p| match p {
        ServerPacket::PriestReply(r) => Some(r.reply_code),
        _ => None,
    })
    .await
}

async fn ask(client: &mut TestClient, session: u32, kind: MarriageRequestType, name: &str) {
    client
        .send(&MarriageRequestClientPacket {
            request_type: kind,
            session_id: session,
            name: name.into(),
        })
        .await;
}

#[tokio::test]
async fn the_lawyer_approves_a_fiance_for_its_fee_and_refuses_the_rest() {
    let server = TestServer::start(quick).await;
    let (mut alice, alice_id, entered) = edited_player(&server, "alice", |c| {
        (c.map, c.x, c.y) = (1, 17, 13);
        c.inventory = vec![(1, 600)];
    })
    .await;
    let session = lawyer(&mut alice, &entered).await;
    // A wrong session: nothing.
    ask(
        &mut alice,
        session + 1,
        MarriageRequestType::MarriageApproval,
        "bobby",
    )
    .await;
    assert!(
        !map_barrier(&mut alice)
            .await
            .iter()
            .any(|p| matches!(p, ServerPacket::MarriageReply(_)))
    );
    ask(&mut alice, session, MarriageRequestType::Divorce, "bobby").await;
    assert_eq!(
        marriage_reply(&mut alice).await.0,
        MarriageReply::NotMarried
    );
    ask(
        &mut alice,
        session,
        MarriageRequestType::MarriageApproval,
        "bobby",
    )
    .await;
    assert_eq!(
        marriage_reply(&mut alice).await,
        (MarriageReply::Success, Some(100))
    );
    // 100 gold left: not enough for another approval.
    ask(
        &mut alice,
        session,
        MarriageRequestType::MarriageApproval,
        "carol",
    )
    .await;
    assert_eq!(
        marriage_reply(&mut alice).await.0,
        MarriageReply::NotEnoughGold
    );
    drop(alice);
    let mut again = TestClient::connected(server.addr).await;
    enter_game_reply(&mut again, "alice").await;
    let saved = saved_character(&server, alice_id).await;
    assert_eq!((saved.fiance.as_str(), gold(&saved)), ("bobby", 100));
    server.stop().await;
}

#[tokio::test]
async fn two_approved_players_dressed_for_it_are_wed_then_divorced() {
    let server = TestServer::start(quick).await;
    let bride = |c: &mut eo_server::db::Character| {
        (c.map, c.x, c.y) = (1, 22, 13);
        (c.level, c.gender) = (5, 0);
        c.equipment.armor = GOWN;
        c.fiance = "bobby".into();
    };
    let (mut alice, alice_id, entered) = edited_player(&server, "alice", bride).await;
    let (mut bobby, bobby_id, bobby_entered) = edited_player(&server, "bobby", |c| {
        (c.map, c.x, c.y) = (1, 24, 13);
        (c.level, c.gender) = (5, 1);
        c.equipment.armor = SUIT;
        c.fiance = "alice".into();
        c.inventory = vec![(1, 10_000)];
    })
    .await;
    // Not dressed, too low a level: refused at the priest.
    let (mut carol, _, carol_entered) = edited_player(&server, "carol", |c| {
        (c.map, c.x, c.y) = (1, 23, 13);
        c.level = 5;
        c.fiance = "bobby".into();
    })
    .await;
    let priest = npc_index(&mut carol, &carol_entered, PRIEST).await;
    carol
        .send(&PriestOpenClientPacket {
            npc_index: u32::from(priest),
        })
        .await;
    assert_eq!(priest_reply(&mut carol).await, PriestReply::NotDressed);
    let (mut dave, _, _) = edited_player(&server, "dave", |c| {
        (c.map, c.x, c.y) = (1, 21, 13);
        (c.level, c.gender) = (4, 1);
        c.equipment.armor = SUIT;
        c.fiance = "carol".into();
    })
    .await;
    dave.send(&PriestOpenClientPacket {
        npc_index: u32::from(priest),
    })
    .await;
    assert_eq!(priest_reply(&mut dave).await, PriestReply::LowLevel);

    let alice_priest = npc_index(&mut alice, &entered, PRIEST).await;
    alice
        .send(&PriestOpenClientPacket {
            npc_index: u32::from(alice_priest),
        })
        .await;
    let session = expect(&mut alice, |p| match p {
        ServerPacket::PriestOpen(open) => Some(open.session_id),
        _ => None,
    })
    .await;
    // Not her fiancé: no permission; nobody of that name here: not present.
    alice
        .send(&PriestRequestClientPacket {
            session_id: session,
            name: "dave".into(),
        })
        .await;
    assert_eq!(priest_reply(&mut alice).await, PriestReply::NoPermission);
    alice
        .send(&PriestRequestClientPacket {
            session_id: session,
            name: "nobody".into(),
        })
        .await;
    assert_eq!(
        priest_reply(&mut alice).await,
        PriestReply::PartnerNotPresent
    );
    alice
        .send(&PriestRequestClientPacket {
            session_id: session,
            name: "bobby".into(),
        })
        .await;
    let asked = expect(&mut bobby, |p| match p {
        ServerPacket::PriestRequest(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(asked.partner_name, "alice");
    bobby
        .send(&PriestAcceptClientPacket {
            session_id: asked.session_id,
        })
        .await;
    // The priest speaks, then asks each in turn.
    let line = expect(&mut alice, |p| match p {
        ServerPacket::NpcPlayer(n) => n.chats.into_iter().next().map(|c| c.message),
        _ => None,
    })
    .await;
    assert!(line.contains("alice") && line.contains("bobby"), "{line}");
    assert_eq!(priest_reply(&mut alice).await, PriestReply::DoYou);
    // Bobby answering out of turn does nothing.
    bobby
        .send(&PriestUseClientPacket {
            session_id: session,
        })
        .await;
    alice
        .send(&PriestUseClientPacket {
            session_id: session,
        })
        .await;
    assert_eq!(priest_reply(&mut bobby).await, PriestReply::DoYou);
    bobby
        .send(&PriestUseClientPacket {
            session_id: session,
        })
        .await;
    let effects = expect(&mut alice, |p| match p {
        ServerPacket::EffectPlayer(e) => Some(e.effects),
        _ => None,
    })
    .await;
    assert_eq!(effects.len(), 2);
    // A ring at each one's feet.
    let ring = expect(&mut alice, |p| match p {
        ServerPacket::ItemAdd(add) if add.item_id == RING => Some(add.coords),
        _ => None,
    })
    .await;
    assert!(ring.x == 22 || ring.x == 24);
    bobby
        .send(&PaperdollRequestClientPacket {
            player_id: alice.player_id,
        })
        .await;
    let doll = expect(&mut bobby, |p| match p {
        ServerPacket::PaperdollReply(r) => Some(r.details),
        _ => None,
    })
    .await;
    assert_eq!(doll.partner, "bobby");

    // The divorce: the wrong name, then the right one; alice is told.
    let session = lawyer(&mut bobby, &bobby_entered).await;
    ask(&mut bobby, session, MarriageRequestType::Divorce, "carol").await;
    assert_eq!(marriage_reply(&mut bobby).await.0, MarriageReply::WrongName);
    ask(
        &mut bobby,
        session,
        MarriageRequestType::MarriageApproval,
        "carol",
    )
    .await;
    assert_eq!(
        marriage_reply(&mut bobby).await.0,
        MarriageReply::AlreadyMarried
    );
    ask(&mut bobby, session, MarriageRequestType::Divorce, "Alice").await;
    assert_eq!(
        marriage_reply(&mut bobby).await,
        (MarriageReply::Success, Some(0))
    );
    assert_eq!(
        marriage_reply(&mut alice).await.0,
        MarriageReply::DivorceNotification
    );
    drop((alice, bobby, carol, dave));
    for (name, id) in [("alice", alice_id), ("bobby", bobby_id)] {
        let mut again = TestClient::connected(server.addr).await;
        enter_game_reply(&mut again, name).await;
        let saved = saved_character(&server, id).await;
        assert_eq!(
            (saved.partner.as_str(), saved.fiance.as_str()),
            ("", ""),
            "{name}"
        );
    }
    server.stop().await;
}
