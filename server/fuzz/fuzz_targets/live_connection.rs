//! Byte streams into a live server connection. One real server (`eo_server::server::run_with` on
//! 127.0.0.1:0, a temporary database, the bundled world) runs inside the fuzz process; each
//! input is one TCP connection to it.
//!
//! Input layout: the first byte picks how far the connection gets before the fuzzer's packets:
//! 0 nowhere (the rest of the input is written raw, as garbage before any handshake),
//! 1 through the handshake, 2 logged in (to one of the accounts made at start-up), 3 in the
//! game with that account's character. Then, until the input runs out (at most
//! `MAX_PACKETS`), packets chosen by the input:
//! - a tag byte; its low 2 bits: 0-1 a packet of the spec (the next byte, modulo their count,
//!   picks one of `ALL_CLIENT_PACKETS`), 2 any family and action bytes (the next two), 3 raw
//!   bytes into the stream (breaking the framing); bit 2 set sends the packet without its
//!   sequence number;
//! - a length byte and that many payload bytes (fewer if the input ends).
//!
//! `cargo run --example seed` writes seed inputs in this layout (see `examples/seed.rs`).
//!
//! The connection's write side is then shut: the server sees the end of the stream only after
//! every packet before it, so when it closes the connection every packet has been handled
//! and the connection's end (leaving the map, saving) is done. A server that has not closed it
//! within `CLOSE_TIMEOUT` is reported as a crash (a hang).
//!
//! Any panic anywhere in the process (a player task, a map, the world, the database thread)
//! aborts it through libFuzzer's panic hook, even those the server would catch and survive.

#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Unstructured;
use bytes::{BufMut, BytesMut};
use eo_protocol::EoWriter;
use eo_protocol::codec::{EoCodec, Role};
use eo_protocol::net::client::{
    ALL_CLIENT_PACKETS, AccountCreateClientPacket, AccountRequestClientPacket,
    CharacterCreateClientPacket, CharacterRequestClientPacket, ConnectionAcceptClientPacket,
    InitInitClientPacket, LoginRequestClientPacket, WelcomeMsgClientPacket,
    WelcomeRequestClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, AccountReplyServerPacketReplyCodeData, CharacterReply,
    CharacterReplyServerPacketReplyCodeData, InitInitServerPacketReplyCodeData, LoginReply,
    LoginReplyServerPacketReplyCodeData, ServerPacket, WelcomeReplyServerPacketWelcomeCodeData,
};
use eo_protocol::net::{PacketAction, PacketFamily, Version};
use eo_protocol::sequence::{ClientSequencer, encode_sequence, ping_sequence_start};
use eo_protocol::serialize::Packet;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

/// Packets per input at most (the default flood limits drop a client past 60 at once anyway).
const MAX_PACKETS: usize = 64;
/// Accounts (each with a character) made at start-up; inputs take turns with them, so one
/// whose last connection is still being released is rarely wanted again at once.
const ACCOUNTS: usize = 16;
const PASSWORD: &str = "secret1";
/// How long the server may take to close a connection whose client has finished.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a start-up or preamble reply may take.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

struct Harness {
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

static HARNESS: OnceLock<Harness> = OnceLock::new();
static NEXT_ACCOUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn account_name(i: usize) -> String {
    // Character names are letters only.
    format!("fuzz{}", char::from(b'a' + i as u8))
}

fn harness() -> &'static Harness {
    HARNESS.get_or_init(|| {
        // SAFETY: setting a signal's disposition to "ignore" touches no memory of ours, and it
        // happens once, before the harness starts any thread of its own.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
        // To see what the server does with an input: EO_FUZZ_LOG=debug (a tracing filter).
        if let Ok(filter) = std::env::var("EO_FUZZ_LOG") {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_writer(std::io::stderr)
                .init();
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = eo_server::config::Config::default();
        config.database.path = dir.path().join("fuzz.db");
        config.control.socket = dir.path().join("control.sock");
        config.world.data_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/world");
        config.server.max_connections_per_ip = 0;
        config.server.ip_reconnect_limit_secs = 0;
        config.server.max_connections = 1000;
        config.server.max_players = 1000;
        config.validate().expect("a valid config");
        let addr = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let hasher = eo_server::auth::PasswordHasher::with_cost(
                1,
                64,
                eo_server::auth::HashCost::insecure_fast(),
            )
            .unwrap();
            let shutdown = tokio_util::sync::CancellationToken::new();
            tokio::spawn(async move {
                let options = eo_server::server::RunOptions {
                    hasher: Some(hasher),
                    ..Default::default()
                };
                eo_server::server::run_with(config, listener, shutdown, options)
                    .await
                    .expect("the server runs");
            });
            for i in 0..ACCOUNTS {
                make_account(addr, &account_name(i)).await;
            }
            addr
        });
        Harness {
            runtime,
            addr,
            _dir: dir,
        }
    })
}

/// A client of the harness: the codec, and the sequence it stamps packets with.
struct Client {
    framed: Framed<TcpStream, EoCodec>,
    sequencer: ClientSequencer,
    player_id: u16,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Option<Client> {
        let stream = TcpStream::connect(addr).await.ok()?;
        let _ = stream.set_nodelay(true);
        Some(Client {
            framed: Framed::new(stream, EoCodec::new(Role::Client)),
            sequencer: ClientSequencer::new(0),
            player_id: 0,
        })
    }

    fn body(&mut self, family: u8, action: u8, payload: &[u8], sequenced: bool) -> BytesMut {
        let mut body = BytesMut::with_capacity(payload.len() + 4);
        body.put_u8(action);
        body.put_u8(family);
        if sequenced && family != PacketFamily::Init.to_u32() as u8 {
            if let Ok((bytes, width)) = encode_sequence(self.sequencer.next()) {
                body.extend_from_slice(&bytes[..width]);
            }
        }
        body.extend_from_slice(payload);
        body
    }

    async fn send<P: Packet>(&mut self, packet: &P) -> Option<()> {
        let mut writer = EoWriter::new();
        packet.serialize(&mut writer).ok()?;
        let body = self.body(
            P::FAMILY.to_u32() as u8,
            P::ACTION.to_u32() as u8,
            writer.as_slice(),
            true,
        );
        self.framed.send(body).await.ok()
    }

    /// The next packet (pings answered on the way).
    async fn recv(&mut self) -> Option<ServerPacket> {
        loop {
            let body = tokio::time::timeout(REPLY_TIMEOUT, self.framed.next())
                .await
                .ok()??
                .ok()?;
            let action = PacketAction::from_u32(u32::from(*body.first()?));
            let family = PacketFamily::from_u32(u32::from(*body.get(1)?));
            let packet = ServerPacket::decode(family, action, body.get(2..)?).ok()?;
            if let ServerPacket::ConnectionPlayer(ping) = &packet {
                self.sequencer
                    .set_start(ping_sequence_start(ping.seq1, ping.seq2));
                self.send(&eo_protocol::net::client::ConnectionPingClientPacket)
                    .await?;
                continue;
            }
            return Some(packet);
        }
    }

    /// The next packet `pick` takes, skipping others.
    async fn expect<T>(&mut self, pick: impl Fn(ServerPacket) -> Option<T>) -> Option<T> {
        for _ in 0..64 {
            if let Some(found) = pick(self.recv().await?) {
                return Some(found);
            }
        }
        None
    }

    async fn handshake(&mut self) -> Option<()> {
        self.send(&InitInitClientPacket {
            challenge: 12345,
            version: Version {
                major: 0,
                minor: 0,
                patch: 28,
            },
            hdid: "1234567890".into(),
        })
        .await?;
        let reply = self
            .expect(|p| match p {
                ServerPacket::InitInit(reply) => Some(reply),
                _ => None,
            })
            .await?;
        let Some(InitInitServerPacketReplyCodeData::Ok(ok)) = reply.reply_code_data else {
            return None;
        };
        self.framed
            .codec_mut()
            .set_multiples(ok.server_encryption_multiple, ok.client_encryption_multiple);
        self.sequencer = ClientSequencer::from_init_reply(ok.seq1, ok.seq2);
        self.player_id = ok.player_id;
        self.send(&ConnectionAcceptClientPacket {
            client_encryption_multiple: u16::from(ok.client_encryption_multiple),
            server_encryption_multiple: u16::from(ok.server_encryption_multiple),
            player_id: ok.player_id,
        })
        .await
    }

    /// Logs in; the character list.
    async fn login(&mut self, name: &str) -> Option<Vec<u32>> {
        self.send(&LoginRequestClientPacket {
            username: name.into(),
            password: PASSWORD.into(),
        })
        .await?;
        let reply = self
            .expect(|p| match p {
                ServerPacket::LoginReply(reply) => Some(reply),
                _ => None,
            })
            .await?;
        match (reply.reply_code, reply.reply_code_data) {
            (LoginReply::Ok, Some(LoginReplyServerPacketReplyCodeData::Ok(list))) => {
                Some(list.characters.iter().map(|c| c.id).collect())
            }
            _ => None,
        }
    }

    async fn enter_game(&mut self, character_id: u32) -> Option<()> {
        self.send(&WelcomeRequestClientPacket { character_id })
            .await?;
        let select = self
            .expect(|p| match p {
                ServerPacket::WelcomeReply(reply) => match reply.welcome_code_data {
                    Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(s)) => Some(s),
                    _ => None,
                },
                _ => None,
            })
            .await?;
        self.send(&WelcomeMsgClientPacket {
            session_id: u32::from(select.session_id),
            character_id,
        })
        .await?;
        self.expect(|p| match p {
            ServerPacket::WelcomeReply(reply) => match reply.welcome_code_data {
                Some(WelcomeReplyServerPacketWelcomeCodeData::EnterGame(_)) => Some(()),
                _ => None,
            },
            _ => None,
        })
        .await
    }
}

/// Creates an account named `name` with a character of the same name (start-up only).
async fn make_account(addr: SocketAddr, name: &str) {
    let made = async {
        let mut client = Client::connect(addr).await?;
        client.handshake().await?;
        client
            .send(&AccountRequestClientPacket {
                username: name.into(),
            })
            .await?;
        let reply = client
            .expect(|p| match p {
                ServerPacket::AccountReply(reply) => Some(reply),
                _ => None,
            })
            .await?;
        let AccountReply::Unrecognized(session) = reply.reply_code else {
            return None;
        };
        if let Some(AccountReplyServerPacketReplyCodeData::Default(data)) = reply.reply_code_data {
            client.sequencer.set_start(u32::from(data.sequence_start));
        }
        client
            .send(&AccountCreateClientPacket {
                session_id: session as u16,
                username: name.into(),
                password: PASSWORD.into(),
                full_name: "Fuzz".into(),
                location: "Here".into(),
                email: "fuzz@example.org".into(),
                computer: "FUZZ".into(),
                hdid: "1234567890".into(),
            })
            .await?;
        client
            .expect(|p| match p {
                ServerPacket::AccountReply(reply) if reply.reply_code == AccountReply::Created => {
                    Some(())
                }
                _ => None,
            })
            .await?;
        client.login(name).await?;
        client.send(&CharacterRequestClientPacket).await?;
        let CharacterReply::Unrecognized(session) = client
            .expect(|p| match p {
                ServerPacket::CharacterReply(reply) => Some(reply.reply_code),
                _ => None,
            })
            .await?
        else {
            return None;
        };
        client
            .send(&CharacterCreateClientPacket {
                session_id: session as u16,
                gender: eo_protocol::Gender::Female,
                hair_style: 1,
                hair_color: 0,
                skin: 0,
                name: name.into(),
            })
            .await?;
        client
            .expect(|p| match p {
                ServerPacket::CharacterReply(reply) => match reply.reply_code_data {
                    Some(CharacterReplyServerPacketReplyCodeData::Ok(_)) => Some(()),
                    _ => None,
                },
                _ => None,
            })
            .await
    };
    made.await
        .unwrap_or_else(|| panic!("the harness could not make the account {name}"));
}

/// Reads (and discards) until the server closes the connection.
async fn until_closed(stream: &mut TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    let closed = tokio::time::timeout(CLOSE_TIMEOUT, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    if closed.is_err() {
        panic!("the server did not close a finished connection within {CLOSE_TIMEOUT:?}");
    }
}

async fn run(addr: SocketAddr, data: &[u8]) {
    let mut u = Unstructured::new(data);
    let stage = u.arbitrary::<u8>().unwrap_or(0) % 4;
    if stage == 0 {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            return;
        };
        let _ = stream.write_all(u.take_rest()).await;
        let _ = stream.shutdown().await;
        until_closed(&mut stream).await;
        return;
    }
    let Some(mut client) = Client::connect(addr).await else {
        return;
    };
    // A preamble that fails (a login racing the release of the account's last connection)
    // leaves the connection where it got to; the input goes on from there.
    let preamble = async {
        client.handshake().await?;
        if stage >= 2 {
            let account =
                NEXT_ACCOUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % ACCOUNTS;
            let characters = client.login(&account_name(account)).await?;
            if stage >= 3 {
                client.enter_game(*characters.first()?).await?;
            }
        }
        Some(())
    };
    let _ = preamble.await;

    let mut packets = Vec::new();
    while !u.is_empty() && packets.len() < MAX_PACKETS {
        let Ok(tag) = u.arbitrary::<u8>() else { break };
        let sequenced = tag & 0b100 == 0;
        let body = match tag & 0b11 {
            0 | 1 => {
                let Ok(index) = u.arbitrary::<u8>() else {
                    break;
                };
                let (family, action, _) =
                    ALL_CLIENT_PACKETS[usize::from(index) % ALL_CLIENT_PACKETS.len()];
                let payload = payload(&mut u);
                Some(client.body(
                    family.to_u32() as u8,
                    action.to_u32() as u8,
                    payload,
                    sequenced,
                ))
            }
            2 => {
                let (Ok(family), Ok(action)) = (u.arbitrary::<u8>(), u.arbitrary::<u8>()) else {
                    break;
                };
                let payload = payload(&mut u);
                Some(client.body(family, action, payload, sequenced))
            }
            _ => {
                // Raw bytes into the stream, outside the codec's framing.
                let raw = payload(&mut u).to_vec();
                packets.push(Err(raw));
                None
            }
        };
        if let Some(body) = body {
            packets.push(Ok(body));
        }
    }
    for packet in packets {
        let sent = match packet {
            Ok(body) => client.framed.feed(body).await.is_ok(),
            Err(raw) => {
                let flushed = SinkExt::<BytesMut>::flush(&mut client.framed).await.is_ok();
                flushed && client.framed.get_mut().write_all(&raw).await.is_ok()
            }
        };
        if !sent {
            break;
        }
    }
    let _ = SinkExt::<BytesMut>::flush(&mut client.framed).await;
    let stream = client.framed.get_mut();
    let _ = stream.shutdown().await;
    until_closed(stream).await;
}

fn payload<'a>(u: &mut Unstructured<'a>) -> &'a [u8] {
    let len = u.arbitrary::<u8>().unwrap_or(0) as usize;
    u.bytes(len.min(u.len())).unwrap_or(&[])
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let harness = harness();
    harness.runtime.block_on(run(harness.addr, data));
});
