//! One client connection, as the official client speaks: the framing codec with its
//! encryption, the client sequencer, and pings answered as they come.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use eo_protocol::EoWriter;
use eo_protocol::codec::{EoCodec, Role};
use eo_protocol::crypt::server_verification_hash;
use eo_protocol::net::Version;
use eo_protocol::net::client::{
    ConnectionAcceptClientPacket, ConnectionPingClientPacket, InitInitClientPacket,
};
use eo_protocol::net::server::{
    ConnectionPlayerServerPacket, InitInitServerPacketReplyCodeData, ServerPacket,
};
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::sequence::{ClientSequencer, encode_sequence, ping_sequence_start};
use eo_protocol::serialize::{EoSerialize, Packet};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

/// How long a bot waits for an answer it needs (a reply in the login sequence).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a bot stopped or a step failed. `kind` groups them in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotError {
    /// Connecting, reading or writing failed.
    Io(String),
    /// The server closed the connection.
    Closed,
    /// No answer in time.
    Timeout(&'static str),
    /// The server sent something that does not decode, or not what the step expects.
    Protocol(String),
    /// The server refused a step (a login, a character).
    Refused(String),
}

impl BotError {
    /// A short name for counting errors by kind.
    pub fn kind(&self) -> String {
        match self {
            BotError::Io(what) => format!("io: {what}"),
            BotError::Closed => "closed by the server".into(),
            BotError::Timeout(what) => format!("timeout: {what}"),
            BotError::Protocol(what) => format!("protocol: {what}"),
            BotError::Refused(what) => format!("refused: {what}"),
        }
    }
}

impl std::fmt::Display for BotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.kind())
    }
}

pub type Result<T> = std::result::Result<T, BotError>;

/// A received frame's id, read from its first two bytes without decoding the rest.
pub fn packet_id(body: &[u8]) -> (PacketFamily, PacketAction) {
    let action = PacketAction::from_u32(u32::from(body.first().copied().unwrap_or(0)));
    let family = PacketFamily::from_u32(u32::from(body.get(1).copied().unwrap_or(0)));
    (family, action)
}

/// Decodes a whole server packet.
pub fn decode(body: &[u8]) -> Result<ServerPacket> {
    let (family, action) = packet_id(body);
    ServerPacket::decode(family, action, body.get(2..).unwrap_or(&[]))
        .map_err(|e| BotError::Protocol(format!("{family:?}_{action:?}: {e}")))
}

/// A connection that has finished the handshake.
pub struct Conn {
    framed: Framed<TcpStream, EoCodec>,
    sequencer: ClientSequencer,
    pub player_id: u16,
    /// Frames received, pings included.
    pub received: u64,
}

impl Conn {
    /// Connects to `addr` and does the handshake (Init_Init, Connection_Accept).
    pub async fn open(addr: SocketAddr) -> Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| BotError::Io(format!("connect: {}", e.kind())))?;
        let _ = stream.set_nodelay(true);
        let mut conn = Conn {
            framed: Framed::new(stream, EoCodec::new(Role::Client)),
            sequencer: ClientSequencer::new(0),
            player_id: 0,
            received: 0,
        };
        let challenge = rand::random_range(1..=1_000_000);
        conn.send(&InitInitClientPacket {
            challenge,
            version: Version {
                major: 0,
                minor: 0,
                patch: 28,
            },
            hdid: "0123456789".into(),
        })
        .await?;
        let reply = conn
            .expect("Init_Init", |packet| match packet {
                ServerPacket::InitInit(reply) => Some(reply),
                _ => None,
            })
            .await?;
        let Some(InitInitServerPacketReplyCodeData::Ok(ok)) = reply.reply_code_data else {
            return Err(BotError::Refused(format!(
                "Init_Init {:?}",
                reply.reply_code
            )));
        };
        if ok.challenge_response != server_verification_hash(challenge) {
            return Err(BotError::Protocol("wrong challenge response".into()));
        }
        conn.framed
            .codec_mut()
            .set_multiples(ok.server_encryption_multiple, ok.client_encryption_multiple);
        conn.sequencer = ClientSequencer::from_init_reply(ok.seq1, ok.seq2);
        conn.player_id = ok.player_id;
        conn.send(&ConnectionAcceptClientPacket {
            client_encryption_multiple: u16::from(ok.client_encryption_multiple),
            server_encryption_multiple: u16::from(ok.server_encryption_multiple),
            player_id: ok.player_id,
        })
        .await?;
        Ok(conn)
    }

    /// Sends a packet: id, sequence (not for Init), payload.
    pub async fn send<P: Packet>(&mut self, packet: &P) -> Result<()> {
        let mut body = BytesMut::with_capacity(16);
        body.put_u8(P::ACTION.to_u32() as u8);
        body.put_u8(P::FAMILY.to_u32() as u8);
        if P::FAMILY != PacketFamily::Init {
            let (bytes, width) = encode_sequence(self.sequencer.next())
                .map_err(|e| BotError::Protocol(format!("sequence: {e}")))?;
            body.extend_from_slice(bytes.get(..width).unwrap_or(&bytes));
        }
        let mut writer = EoWriter::from_buf(body);
        packet
            .serialize(&mut writer)
            .map_err(|e| BotError::Protocol(format!("encode: {e}")))?;
        self.framed
            .send(writer.into_inner().freeze())
            .await
            .map_err(|e| BotError::Io(format!("write: {e}")))
    }

    /// The next frame's body; a ping is answered on the way and returned too (callers skip it).
    pub async fn recv(&mut self) -> Result<BytesMut> {
        let body = match self.framed.next().await {
            Some(Ok(body)) => body,
            Some(Err(e)) => return Err(BotError::Io(format!("read: {e}"))),
            None => return Err(BotError::Closed),
        };
        self.received += 1;
        if packet_id(&body) == (PacketFamily::Connection, PacketAction::Player) {
            let mut reader = eo_protocol::EoReader::new(body.get(2..).unwrap_or(&[]));
            let ping = ConnectionPlayerServerPacket::deserialize(&mut reader)
                .map_err(|e| BotError::Protocol(format!("Connection_Player: {e}")))?;
            self.sequencer
                .set_start(ping_sequence_start(ping.seq1, ping.seq2));
            self.send(&ConnectionPingClientPacket).await?;
        }
        Ok(body)
    }

    /// Sets the sequence start an Account_Reply gives.
    pub fn set_sequence_start(&mut self, start: u32) {
        self.sequencer.set_start(start);
    }

    /// Waits for the packet `pick` accepts, skipping others (what other players do meanwhile).
    pub async fn expect<T>(
        &mut self,
        what: &'static str,
        mut pick: impl FnMut(ServerPacket) -> Option<T>,
    ) -> Result<T> {
        let deadline = tokio::time::Instant::now() + REPLY_TIMEOUT;
        loop {
            let body = tokio::time::timeout_at(deadline, self.recv())
                .await
                .map_err(|_| BotError::Timeout(what))??;
            let (family, action) = packet_id(&body);
            if (family, action) == (PacketFamily::Connection, PacketAction::Player) {
                continue;
            }
            // Broadcasts of the crowd arrive between the replies: skip them undecoded.
            if is_broadcast(family, action) {
                continue;
            }
            if let Some(found) = pick(decode(&body)?) {
                return Ok(found);
            }
        }
    }
}

/// Packets the crowd sends to everyone in range, which a bot in the login steps skips.
fn is_broadcast(family: PacketFamily, action: PacketAction) -> bool {
    matches!(
        (family, action),
        (PacketFamily::Walk, PacketAction::Player)
            | (PacketFamily::Talk, PacketAction::Player)
            | (PacketFamily::Players, PacketAction::Agree)
            | (PacketFamily::Avatar, PacketAction::Remove)
            | (PacketFamily::Face, PacketAction::Player)
    )
}
