//! A real server on 127.0.0.1 with a temporary database, and a test client built on the
//! protocol crate that speaks the v28 protocol as the official client does.

#![allow(dead_code)] // each test file uses a part

pub mod admin;
pub mod world;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use eo_protocol::EoWriter;
use eo_protocol::codec::{EoCodec, Role};
use eo_protocol::crypt::server_verification_hash;
use eo_protocol::net::Version;
use eo_protocol::net::client::{
    AccountCreateClientPacket, AccountRequestClientPacket, ConnectionAcceptClientPacket,
    ConnectionPingClientPacket, InitInitClientPacket, LoginRequestClientPacket,
};
use eo_protocol::net::server::{
    AccountReply, InitInitServerPacketReplyCodeData, LoginReplyServerPacket, ServerPacket,
};
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::sequence::{ClientSequencer, encode_sequence, ping_sequence_start};
use eo_protocol::serialize::Packet;
use eo_server::auth::{HashCost, PasswordHasher};
use eo_server::config::Config;
use eo_server::net::websocket::FrameTransport;
use futures_util::{SinkExt, StreamExt};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::codec::Framed;
use tokio_util::sync::CancellationToken;

/// How long a test waits for a packet before it fails.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(5);

pub struct TestServer {
    pub addr: SocketAddr,
    /// The control socket, in the temporary directory.
    pub socket: std::path::PathBuf,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<()>,
    pub dir: TempDir,
    /// A world folder of the test's own, if it has one.
    pub world: Option<TempDir>,
}

impl TestServer {
    /// Starts a server with the default configuration, except for the listen address and the
    /// database (a file in a temporary directory); `adjust` may change more.
    pub async fn start(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let hasher = PasswordHasher::with_cost(2, 64, HashCost::insecure_fast()).unwrap();
        TestServer::start_with_hasher(hasher, adjust).await
    }

    /// [`TestServer::start`] with a password hasher of the test's own (e.g. a slow one with a
    /// short queue, to make logins contend for it).
    pub async fn start_with_hasher(
        hasher: PasswordHasher,
        adjust: impl FnOnce(&mut Config),
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.database.path = dir.path().join("test.db");
        config.control.socket = dir.path().join("control.sock");
        config.world.data_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
        config.server.ip_reconnect_limit_secs = 0;
        config.server.max_connections_per_ip = 0;
        // Every test client comes from 127.0.0.1 unless it says otherwise.
        config.login.max_hashing_per_address = 0;
        adjust(&mut config);
        config.validate().unwrap();
        // The configuration is also written to a file, which `reload` rereads (tests change
        // it with `TestServer::config_file`).
        let config_file = dir.path().join("eo-server.toml");
        std::fs::write(&config_file, config.to_toml_string()).unwrap();
        let socket = config.control.socket.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let task = tokio::spawn(async move {
            let options = eo_server::server::RunOptions {
                hasher: Some(hasher),
                config_source: Some(eo_server::reload::ConfigSource {
                    path: Some(config_file),
                    ..Default::default()
                }),
                ..Default::default()
            };
            eo_server::server::run_with(config, listener, token, options)
                .await
                .unwrap();
        });
        // The control socket is bound in the server's task: wait until it answers.
        for _ in 0..500 {
            if tokio::net::UnixStream::connect(&socket).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        TestServer {
            addr,
            socket,
            shutdown,
            task,
            dir,
            world: None,
        }
    }

    /// The configuration file `reload` rereads.
    pub fn config_file(&self) -> std::path::PathBuf {
        self.dir.path().join("eo-server.toml")
    }

    /// Starts a server on a copy of the bundled world with `formulas` as its formulas.toml
    /// (e.g. a sure hit rate for a deterministic test).
    pub async fn start_with_formulas(
        formulas: &str,
        adjust: impl FnOnce(&mut Config),
    ) -> TestServer {
        let world = tempfile::tempdir().unwrap();
        let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
        for folder in ["maps", "pub"] {
            std::fs::create_dir(world.path().join(folder)).unwrap();
            for entry in std::fs::read_dir(bundled.join(folder)).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(
                    entry.path(),
                    world.path().join(folder).join(entry.file_name()),
                )
                .unwrap();
            }
        }
        std::fs::write(world.path().join("formulas.toml"), formulas).unwrap();
        let path = world.path().to_owned();
        let mut server = TestServer::start(|config| {
            config.world.data_dir = path;
            adjust(config);
        })
        .await;
        server.world = Some(world);
        server
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stops within 10 s")
            .unwrap();
    }
}

/// A client over TCP (`TestClient`) or another carrier of EO frames (`TestClient<WsFrames<..>>`
/// for WebSocket).
pub struct TestClient<T = Framed<TcpStream, EoCodec>> {
    pub framed: T,
    pub sequencer: ClientSequencer,
    pub player_id: u16,
    /// The clock this client stamps its walks with (hundredths of a second), see
    /// [`TestClient::next_walk_stamp`].
    pub walk_clock: u32,
}

/// How far a test client's walk clock moves per walk (or attack: it stamps both): 0.5 s, more
/// than the server's default paces (flood.walk_ms = 360, attack_ms = 480), so walks and attacks
/// are never refused for their stamps.
pub const WALK_STAMP_STEP: u32 = 50;

impl TestClient {
    pub async fn connect(addr: SocketAddr) -> TestClient {
        let stream = TcpStream::connect(addr).await.unwrap();
        TestClient::on(stream)
    }

    /// A client on a stream already connected (e.g. with socket options of its own).
    pub fn on(stream: TcpStream) -> TestClient {
        stream.set_nodelay(true).unwrap();
        TestClient::over(Framed::new(stream, EoCodec::new(Role::Client)))
    }

    /// A connected client that has finished the handshake.
    pub async fn connected(addr: SocketAddr) -> TestClient {
        let mut client = TestClient::connect(addr).await;
        client.handshake().await;
        client
    }
}

/// A WebSocket client, as eoweb connects.
pub type WsTestClient = TestClient<eo_server::net::websocket::WsFrames<TcpStream>>;

impl WsTestClient {
    /// Connects with a WebSocket handshake and then the EO handshake.
    pub async fn connected_ws(addr: SocketAddr) -> WsTestClient {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (ws, _) = tokio_tungstenite::client_async(format!("ws://{addr}/"), stream)
            .await
            .unwrap();
        let mut client =
            TestClient::over(eo_server::net::websocket::WsFrames::new(ws, Role::Client));
        client.handshake().await;
        client
    }
}

impl<T: FrameTransport> TestClient<T> {
    /// A client on frames already connected.
    pub fn over(framed: T) -> TestClient<T> {
        TestClient {
            framed,
            sequencer: ClientSequencer::new(0),
            player_id: 0,
            walk_clock: 0,
        }
    }

    /// The timestamp for this client's next walk. The official client stamps walks with the
    /// time of day and the server refuses walks stamped closer than its walk pace; this clock
    /// moves [`WALK_STAMP_STEP`] per walk, so a test may walk at once (the server still
    /// counts arrivals: more than `flood.action_burst` walks at once are refused).
    pub fn next_walk_stamp(&mut self) -> u32 {
        self.walk_clock += WALK_STAMP_STEP;
        self.walk_clock
    }

    /// Sends Walk_Player: one step in `direction`, to `(x, y)` as the client believes.
    pub async fn walk(&mut self, direction: eo_protocol::Direction, x: u8, y: u8) {
        let timestamp = self.next_walk_stamp();
        self.send(&eo_protocol::net::client::WalkPlayerClientPacket {
            walk_action: eo_protocol::net::client::WalkAction {
                direction,
                timestamp,
                coords: eo_protocol::Coords { x, y },
            },
        })
        .await;
    }

    /// Sends a packet as the official client would: id, sequence (not for Init), payload.
    pub async fn send<P: Packet>(&mut self, packet: &P) {
        let body = body(&mut self.sequencer, packet);
        self.send_body(&body).await;
    }

    /// Sends a body (action, family, ...) as it is, encrypted by the codec.
    pub async fn send_body(&mut self, body: &[u8]) {
        self.framed
            .send(bytes::Bytes::copy_from_slice(body))
            .await
            .unwrap();
    }

    /// Like [`Self::send`], for a connection that may be gone: whether it was written.
    pub async fn try_send<P: Packet>(&mut self, packet: &P) -> bool {
        let body = body(&mut self.sequencer, packet);
        self.framed.send(body.freeze()).await.is_ok()
    }

    /// Like [`Self::recv`] (pings answered), for a connection that may be gone: `None` if it
    /// closes or nothing valid arrives within `within`.
    pub async fn try_recv(&mut self, within: Duration) -> Option<ServerPacket> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let body = tokio::time::timeout_at(deadline, self.framed.next())
                .await
                .ok()??
                .ok()?;
            let action = PacketAction::from_u32(u32::from(*body.first()?));
            let family = PacketFamily::from_u32(u32::from(*body.get(1)?));
            let packet = ServerPacket::decode_strict(family, action, body.get(2..)?).ok()?;
            if let ServerPacket::ConnectionPlayer(ping) = &packet {
                self.sequencer
                    .set_start(ping_sequence_start(ping.seq1, ping.seq2));
                if !self.try_send(&ConnectionPingClientPacket).await {
                    return None;
                }
                continue;
            }
            return Some(packet);
        }
    }

    /// The next server packet; answers pings on the way (as the official client does).
    pub async fn recv(&mut self) -> ServerPacket {
        loop {
            let packet = self.recv_raw().await;
            if let ServerPacket::ConnectionPlayer(ping) = &packet {
                self.sequencer
                    .set_start(ping_sequence_start(ping.seq1, ping.seq2));
                self.send(&ConnectionPingClientPacket).await;
                continue;
            }
            return packet;
        }
    }

    /// Like [`Self::recv`] but returns `None` instead of failing when nothing arrives.
    pub async fn recv_any(&mut self) -> Option<ServerPacket> {
        let body = self.framed.next().await?.ok()?;
        let action = PacketAction::from_u32(u32::from(*body.first()?));
        let family = PacketFamily::from_u32(u32::from(*body.get(1)?));
        let packet = ServerPacket::decode_strict(family, action, body.get(2..)?).ok()?;
        if let ServerPacket::ConnectionPlayer(ping) = &packet {
            self.sequencer
                .set_start(ping_sequence_start(ping.seq1, ping.seq2));
            self.send(&ConnectionPingClientPacket).await;
        }
        Some(packet)
    }

    /// The next server packet, pings included.
    pub async fn recv_raw(&mut self) -> ServerPacket {
        let body = tokio::time::timeout(RECV_TIMEOUT, self.framed.next())
            .await
            .expect("a packet within the timeout")
            .expect("the connection is open")
            .expect("a valid frame");
        let action = PacketAction::from_u32(u32::from(body[0]));
        let family = PacketFamily::from_u32(u32::from(body[1]));
        ServerPacket::decode_strict(family, action, &body[2..]).expect("a valid server packet")
    }

    /// Whether the server closes this connection within `within` (reading and discarding
    /// anything it sends before).
    pub async fn is_closed_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.framed.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn handshake(&mut self) {
        if let Err(problem) = self.try_handshake().await {
            panic!("handshake: {problem}");
        }
    }

    /// Init_Init and Connection_Accept; what went wrong, if anything.
    pub async fn try_handshake(&mut self) -> Result<(), String> {
        let challenge = 123_456;
        let sent = self
            .try_send(&InitInitClientPacket {
                challenge,
                version: Version {
                    major: 0,
                    minor: 0,
                    patch: 28,
                },
                hdid: "1234567890".into(),
            })
            .await;
        if !sent {
            return Err("the connection is closed".into());
        }
        let reply = match self.try_recv(RECV_TIMEOUT).await {
            Some(ServerPacket::InitInit(reply)) => reply,
            other => return Err(format!("expected Init_Init, got {other:?}")),
        };
        let Some(InitInitServerPacketReplyCodeData::Ok(ok)) = reply.reply_code_data else {
            return Err(format!("expected Init OK, got {reply:?}"));
        };
        if ok.challenge_response != server_verification_hash(challenge) {
            return Err("a wrong challenge response".into());
        }
        self.framed
            .codec_mut()
            .set_multiples(ok.server_encryption_multiple, ok.client_encryption_multiple);
        self.sequencer = ClientSequencer::from_init_reply(ok.seq1, ok.seq2);
        self.player_id = ok.player_id;
        let accepted = self
            .try_send(&ConnectionAcceptClientPacket {
                client_encryption_multiple: u16::from(ok.client_encryption_multiple),
                server_encryption_multiple: u16::from(ok.server_encryption_multiple),
                player_id: ok.player_id,
            })
            .await;
        if accepted {
            Ok(())
        } else {
            Err("the connection is closed".into())
        }
    }

    /// Account_Request then Account_Create; returns the final reply code.
    pub async fn create_account(&mut self, name: &str, password: &str) -> AccountReply {
        self.send(&AccountRequestClientPacket {
            username: name.into(),
        })
        .await;
        let ServerPacket::AccountReply(reply) = self.recv().await else {
            panic!("expected Account_Reply");
        };
        let AccountReply::Unrecognized(session) = reply.reply_code else {
            return reply.reply_code;
        };
        if let Some(eo_protocol::net::server::AccountReplyServerPacketReplyCodeData::Default(
            data,
        )) = reply.reply_code_data
        {
            self.sequencer.set_start(u32::from(data.sequence_start));
        }
        self.send(&AccountCreateClientPacket {
            session_id: session as u16,
            username: name.into(),
            password: password.into(),
            full_name: "Test Person".into(),
            location: "Here".into(),
            email: "test@example.org".into(),
            computer: "TESTBOX".into(),
            hdid: "1234567890".into(),
        })
        .await;
        let ServerPacket::AccountReply(reply) = self.recv().await else {
            panic!("expected Account_Reply");
        };
        reply.reply_code
    }

    pub async fn login(&mut self, name: &str, password: &str) -> LoginReplyServerPacket {
        self.send(&LoginRequestClientPacket {
            username: name.into(),
            password: password.into(),
        })
        .await;
        let ServerPacket::LoginReply(reply) = self.recv().await else {
            panic!("expected Login_Reply");
        };
        reply
    }
}

/// A packet's body as a client writes it: id, sequence from `sequencer` (not for Init),
/// payload. (For a client whose socket is split between tasks.)
pub fn body<P: Packet>(sequencer: &mut ClientSequencer, packet: &P) -> BytesMut {
    let mut body = BytesMut::new();
    body.put_u8(P::ACTION.to_u32() as u8);
    body.put_u8(P::FAMILY.to_u32() as u8);
    if P::FAMILY != PacketFamily::Init {
        let (bytes, width) = encode_sequence(sequencer.next()).unwrap();
        body.extend_from_slice(&bytes[..width]);
    }
    let mut writer = EoWriter::from_buf(body);
    packet.serialize(&mut writer).unwrap();
    writer.into_inner()
}

/// A TCP connection to `addr` from the loopback address `from` (127.0.0.2 and so on: Linux
/// routes all of 127/8 to the loopback), so a test can play several clients' addresses.
pub async fn connect_from(addr: SocketAddr, from: std::net::IpAddr) -> TcpStream {
    let socket = match from {
        std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4().unwrap(),
        std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6().unwrap(),
    };
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Creates an account and a character (the same name for both), logs in and enters the game
/// without downloading files (as a client with them cached). Returns the character's id.
pub async fn enter_game<T: FrameTransport>(client: &mut TestClient<T>, name: &str) -> i32 {
    let id = create_character(client, name).await;
    enter_character(client, id).await;
    id
}

/// [`enter_game`], also returning the server's Welcome_Reply for entering the game.
pub async fn enter_game_reply<T: FrameTransport>(
    client: &mut TestClient<T>,
    name: &str,
) -> (
    i32,
    eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
) {
    let id = create_character(client, name).await;
    let entered = enter_character(client, id).await;
    (id, entered.enter)
}

/// The two Welcome_Reply packets of entering the game.
pub struct Entered {
    pub select: eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataSelectCharacter,
    pub enter: eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
}

/// Creates an account and a character (the same name for both, if they do not exist yet) and
/// logs in, stopping at the character list. Returns the character's id.
pub async fn create_character<T: FrameTransport>(client: &mut TestClient<T>, name: &str) -> i32 {
    use eo_protocol::net::client::{CharacterCreateClientPacket, CharacterRequestClientPacket};
    use eo_protocol::net::server::{
        CharacterReply, CharacterReplyServerPacketReplyCodeData, LoginReply,
        LoginReplyServerPacketReplyCodeData,
    };
    let _ = client.create_account(name, "secret1").await;
    // Logging in again right after a disconnect: the old connection's logout (saved first)
    // may still be on its way, so "logged in" is retried for a while.
    let deadline = tokio::time::Instant::now() + RECV_TIMEOUT;
    let mut login = client.login(name, "secret1").await;
    while login.reply_code == LoginReply::LoggedIn && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
        login = client.login(name, "secret1").await;
    }
    assert_eq!(login.reply_code, LoginReply::Ok);
    let Some(LoginReplyServerPacketReplyCodeData::Ok(list)) = login.reply_code_data else {
        panic!("no character list")
    };
    let mut characters = list.characters;
    if characters.is_empty() {
        client.send(&CharacterRequestClientPacket).await;
        let ServerPacket::CharacterReply(reply) = client.recv().await else {
            panic!("expected Character_Reply")
        };
        let CharacterReply::Unrecognized(session) = reply.reply_code else {
            panic!("expected a session")
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
            .await;
        let ServerPacket::CharacterReply(reply) = client.recv().await else {
            panic!("expected Character_Reply")
        };
        let Some(CharacterReplyServerPacketReplyCodeData::Ok(list)) = reply.reply_code_data else {
            panic!("no character list")
        };
        characters = list.characters;
    }
    characters.iter().find(|c| c.name == name).unwrap().id as i32
}

/// Enters the game with a character of the logged-in account (without downloading files);
/// returns both Welcome_Reply packets.
pub async fn enter_character<T: FrameTransport>(client: &mut TestClient<T>, id: i32) -> Entered {
    use eo_protocol::net::client::{WelcomeMsgClientPacket, WelcomeRequestClientPacket};
    use eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeData;
    let id = id as u32;
    client
        .send(&WelcomeRequestClientPacket { character_id: id })
        .await;
    let ServerPacket::WelcomeReply(reply) = client.recv().await else {
        panic!("expected Welcome_Reply")
    };
    let Some(WelcomeReplyServerPacketWelcomeCodeData::SelectCharacter(select)) =
        reply.welcome_code_data
    else {
        panic!("expected SelectCharacter")
    };
    client
        .send(&WelcomeMsgClientPacket {
            session_id: u32::from(select.session_id),
            character_id: id,
        })
        .await;
    let ServerPacket::WelcomeReply(reply) = client.recv().await else {
        panic!("expected Welcome_Reply")
    };
    let Some(WelcomeReplyServerPacketWelcomeCodeData::EnterGame(enter)) = reply.welcome_code_data
    else {
        panic!("expected EnterGame")
    };
    Entered { select, enter }
}

/// A player in the game at the spawn point, its saved character edited first: the client, the
/// character's id, and what entering the game told it.
pub async fn edited_player(
    server: &TestServer,
    name: &str,
    edit: impl FnOnce(&mut eo_server::db::Character),
) -> (
    TestClient,
    i32,
    eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
) {
    let mut client = TestClient::connected(server.addr).await;
    let id = create_character(&mut client, name).await;
    edit_character(server, id, edit).await;
    let entered = enter_character(&mut client, id).await;
    (client, id, entered.enter)
}

/// The map index of the NPC `npc_id` the client sees: from entering, else from a refresh
/// (the map may not have spawned it yet when the client entered).
pub async fn npc_index(
    client: &mut TestClient,
    entered: &eo_protocol::net::server::WelcomeReplyServerPacketWelcomeCodeDataEnterGame,
    npc_id: u16,
) -> u8 {
    use eo_protocol::net::server::NpcMapInfo;
    let find = |npcs: &[NpcMapInfo]| npcs.iter().find(|n| n.id == npc_id).map(|n| n.index);
    if let Some(index) = find(&entered.nearby.npcs) {
        return index;
    }
    for _ in 0..50 {
        client
            .send(&eo_protocol::net::client::RefreshRequestClientPacket)
            .await;
        let npcs = expect(client, |p| match p {
            ServerPacket::RefreshReply(r) => Some(r.nearby.npcs),
            _ => None,
        })
        .await;
        if let Some(index) = find(&npcs) {
            return index;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("NPC {npc_id} is not in view");
}

/// What the map sends the client before it answers one more request: the map handles a
/// player's requests in order and queues its answers in order, so an Item_Use of an item
/// nobody has (answered with Item_Agree) comes after everything it sent before. A test that
/// wants to see that a request changed nothing sends it, then this.
pub async fn map_barrier(client: &mut TestClient) -> Vec<ServerPacket> {
    const NOBODY_HAS: u16 = 64_000;
    client
        .send(&eo_protocol::net::client::ItemUseClientPacket {
            item_id: NOBODY_HAS,
        })
        .await;
    let mut before = Vec::new();
    loop {
        match client.recv().await {
            ServerPacket::ItemAgree(reply) if reply.item_id == NOBODY_HAS => return before,
            other => before.push(other),
        }
    }
}

/// Changes a saved character in the server's database (while it is not in the game).
pub async fn edit_character(
    server: &TestServer,
    id: i32,
    change: impl FnOnce(&mut eo_server::db::Character),
) {
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    let mut character = db.load_character(i64::from(id)).await.unwrap().unwrap();
    change(&mut character);
    db.save_characters(vec![character]).await.unwrap();
}

/// A saved character as the server's database has it.
pub async fn saved_character(server: &TestServer, id: i32) -> eo_server::db::Character {
    let db = eo_server::db::Db::open(&server.dir.path().join("test.db"))
        .await
        .unwrap();
    db.load_character(i64::from(id)).await.unwrap().unwrap()
}

/// Waits for a packet `pick` accepts, skipping others.
pub async fn expect<T, C: FrameTransport>(
    client: &mut TestClient<C>,
    pick: impl Fn(ServerPacket) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let packet = tokio::time::timeout_at(deadline, client.recv())
            .await
            .expect("the expected packet in time");
        if let Some(found) = pick(packet) {
            return found;
        }
    }
}

/// The online list as the client gets it (Players_Request).
pub async fn online_list<C: FrameTransport>(
    client: &mut TestClient<C>,
) -> Vec<eo_protocol::net::server::OnlinePlayer> {
    client
        .send(&eo_protocol::net::client::PlayersRequestClientPacket)
        .await;
    expect(client, |p| match p {
        ServerPacket::InitInit(init) => match init.reply_code_data {
            Some(eo_protocol::net::server::InitInitServerPacketReplyCodeData::PlayersList(
                list,
            )) => Some(list.players_list.players),
            _ => None,
        },
        _ => None,
    })
    .await
}

/// A client of the control socket speaking the JSON-lines protocol.
pub struct Control {
    reader: tokio::io::BufReader<tokio::net::unix::OwnedReadHalf>,
    writer: tokio::net::unix::OwnedWriteHalf,
}

impl Control {
    pub async fn connect(path: &std::path::Path) -> Control {
        let stream = tokio::net::UnixStream::connect(path).await.unwrap();
        let (read, writer) = stream.into_split();
        Control {
            reader: tokio::io::BufReader::new(read),
            writer,
        }
    }

    /// Sends raw bytes (a line must end with `\n`).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        self.writer.write_all(bytes).await.unwrap();
    }

    /// The next reply line as JSON.
    pub async fn recv(&mut self) -> serde_json::Value {
        use tokio::io::AsyncBufReadExt;
        let mut line = String::new();
        tokio::time::timeout(RECV_TIMEOUT, self.reader.read_line(&mut line))
            .await
            .expect("a reply within the timeout")
            .unwrap();
        serde_json::from_str(&line).unwrap()
    }

    /// Sends a request and returns the whole reply.
    pub async fn call(&mut self, command: &str, args: serde_json::Value) -> serde_json::Value {
        let request = serde_json::json!({ "id": command, "command": command, "args": args });
        self.send_raw(format!("{request}\n").as_bytes()).await;
        let reply = self.recv().await;
        assert_eq!(reply["id"], command);
        reply
    }

    /// Sends a request that must succeed; returns its result.
    pub async fn ok(&mut self, command: &str, args: serde_json::Value) -> serde_json::Value {
        let reply = self.call(command, args).await;
        assert_eq!(reply["ok"], true, "{command}: {reply}");
        reply["result"].clone()
    }
}
