//! Bad input on a live connection drops only that connection; a second client goes on.

mod common;

use std::time::Duration;

use common::{TestClient, TestServer};
use eo_protocol::net::client::{AccountRequestClientPacket, ConnectionPingClientPacket};
use eo_protocol::net::server::{AccountReply, LoginReply, ServerPacket};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const DROP_WITHIN: Duration = Duration::from_secs(3);

/// A bystander that is logged in before the bad client acts and must still work after.
async fn bystander(server: &TestServer) -> TestClient {
    let mut client = TestClient::connected(server.addr).await;
    assert_eq!(
        client.create_account("bystander", "secret1").await,
        AccountReply::Created
    );
    assert_eq!(
        client.login("bystander", "secret1").await.reply_code,
        LoginReply::Ok
    );
    client
}

async fn check_server_still_works(server: &TestServer) {
    let mut fresh = TestClient::connected(server.addr).await;
    fresh
        .send(&AccountRequestClientPacket {
            username: "freshname".into(),
        })
        .await;
    let ServerPacket::AccountReply(reply) = fresh.recv().await else {
        panic!("expected Account_Reply");
    };
    assert!(matches!(reply.reply_code, AccountReply::Unrecognized(_)));
}

async fn raw(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.addr).await.unwrap()
}

async fn is_closed(stream: &mut TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 256];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn garbage_and_protocol_errors_drop_only_the_offender() {
    let server = TestServer::start(|c| c.server.hangup_delay_secs = 2).await;
    let mut good = bystander(&server).await;

    // Garbage bytes before any handshake.
    let mut garbage = raw(&server).await;
    garbage
        .write_all(&[0x00, 0x13, 0x37, 0xFF, 0x00, 0x42])
        .await
        .unwrap();
    assert!(is_closed(&mut garbage, DROP_WITHIN).await, "garbage");

    // A well-framed packet before the handshake.
    let mut early = TestClient::connect(server.addr).await;
    early.send(&ConnectionPingClientPacket).await;
    assert!(
        early.is_closed_within(DROP_WITHIN).await,
        "packet before Init"
    );

    // An unknown family.
    let mut unknown = TestClient::connected(server.addr).await;
    unknown.send_body(&[1, 99, 1, 1, 2, 3]).await;
    assert!(
        unknown.is_closed_within(DROP_WITHIN).await,
        "unknown family"
    );

    // A wrong sequence.
    let mut wrong_seq = TestClient::connected(server.addr).await;
    wrong_seq.sequencer.next(); // skip one: the server expects the previous value
    wrong_seq
        .send(&AccountRequestClientPacket {
            username: "abcdef".into(),
        })
        .await;
    assert!(
        wrong_seq.is_closed_within(DROP_WITHIN).await,
        "wrong sequence"
    );

    // A truncated packet: Welcome_Request needs an int, send one byte.
    let mut truncated = TestClient::connected(server.addr).await;
    let seq = truncated.sequencer.next() as u8 + 1;
    truncated.send_body(&[1, 5, seq, 7]).await;
    assert!(
        truncated.is_closed_within(DROP_WITHIN).await,
        "truncated packet"
    );

    // Wrong multiples echoed in Connection_Accept.
    let mut liar = TestClient::connect(server.addr).await;
    liar.send(&eo_protocol::net::client::InitInitClientPacket {
        challenge: 5,
        version: eo_protocol::net::Version {
            major: 0,
            minor: 0,
            patch: 28,
        },
        hdid: "1".into(),
    })
    .await;
    let ServerPacket::InitInit(reply) = liar.recv().await else {
        panic!()
    };
    let Some(eo_protocol::net::server::InitInitServerPacketReplyCodeData::Ok(ok)) =
        reply.reply_code_data
    else {
        panic!()
    };
    liar.framed
        .codec_mut()
        .set_multiples(ok.server_encryption_multiple, ok.client_encryption_multiple);
    liar.sequencer = eo_protocol::sequence::ClientSequencer::from_init_reply(ok.seq1, ok.seq2);
    liar.send(&eo_protocol::net::client::ConnectionAcceptClientPacket {
        client_encryption_multiple: u16::from(ok.server_encryption_multiple) + 1,
        server_encryption_multiple: u16::from(ok.client_encryption_multiple),
        player_id: ok.player_id,
    })
    .await;
    assert!(liar.is_closed_within(DROP_WITHIN).await, "wrong multiples");

    // A frame length that is too large, or a huge declared length then silence.
    let mut huge = raw(&server).await;
    huge.write_all(&[0xFD, 0xFD]).await.unwrap(); // 64,008 declared, nothing follows
    assert!(
        is_closed(&mut huge, DROP_WITHIN).await,
        "huge length then silence"
    );

    // Silence: no handshake at all is closed after hangup_delay_secs.
    let mut silent = raw(&server).await;
    assert!(is_closed(&mut silent, DROP_WITHIN).await, "silent client");

    check_server_still_works(&server).await;
    // The bystander's connection is still open and answers pings.
    assert!(!good.is_closed_within(Duration::from_millis(200)).await);
    server.stop().await;
}

#[tokio::test]
async fn a_frame_split_byte_by_byte_is_read_whole() {
    let server = TestServer::start(|_| {}).await;
    let mut client = TestClient::connect(server.addr).await;
    // Client Init_Init from the brief, one byte per write.
    let wire = [
        0x15, 0xFE, 0xFF, 0xFF, 0x98, 0xAA, 0x05, 0x01, 0x01, 0x1D, 0x71, 0x0B, 0x31, 0x37, 0x38,
        0x33, 0x31, 0x38, 0x36, 0x30, 0x39, 0x30,
    ];
    let stream = client.framed.get_mut();
    for byte in wire {
        stream.write_all(&[byte]).await.unwrap();
        stream.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let ServerPacket::InitInit(reply) = client.recv().await else {
        panic!("expected Init_Init");
    };
    let Some(eo_protocol::net::server::InitInitServerPacketReplyCodeData::Ok(ok)) =
        reply.reply_code_data
    else {
        panic!("expected OK");
    };
    assert_eq!(ok.challenge_response, 337_116);
    server.stop().await;
}

#[tokio::test]
async fn pings_keep_a_client_and_an_unanswered_ping_drops_it() {
    let server = TestServer::start(|c| c.server.ping_rate_secs = 1).await;
    let mut answering = TestClient::connected(server.addr).await;
    let mut silent = TestClient::connected(server.addr).await;
    // The answering one (recv_any answers pings) keeps reading for 3.5 s: several pings.
    let answering_task = tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(3500);
        while tokio::time::Instant::now() < deadline {
            let _ = tokio::time::timeout(Duration::from_millis(100), answering.recv_any()).await;
        }
        answering
            .send(&AccountRequestClientPacket {
                username: "stillhere".into(),
            })
            .await;
        let ServerPacket::AccountReply(_) = answering.recv().await else {
            panic!("expected Account_Reply");
        };
    });
    // The silent one reads but never answers Connection_Player: dropped at the next ping.
    let mut pings = 0;
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(4), silent.framed.next()).await {
            Ok(Some(Ok(_))) => pings += 1,
            Ok(None | Some(Err(_))) => break true,
            Err(_) => break false,
        }
    };
    assert!(closed, "an unanswered ping closes the connection");
    assert!(pings >= 1);
    answering_task.await.unwrap();
    server.stop().await;
}
