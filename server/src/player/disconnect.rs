//! Why a connection ends: the reasons (each logged as the one line about an offending or
//! dropped client, and counted by kind in `eo_dropped_total`), and what the listener logs.

use eo_protocol::codec::FrameError;
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::sequence::SequenceMismatch;
use eo_protocol::{DecodeError, EncodeError};

use super::flood::Flood;
use super::handle::CloseReason;
use super::state::State;

/// A connection that ended for a reason worth a log line (bad input, a timeout, a flood): the
/// listener logs it, at most once per address per `log.offender_interval_secs`.
#[derive(Debug)]
pub struct Dropped {
    /// Where the connection was (`State::name`).
    pub state: &'static str,
    /// The kind of reason, for the metrics (`Disconnect::kind`).
    pub kind: &'static str,
    pub reason: String,
}

impl Dropped {
    pub(super) fn new(state: &State, reason: &Disconnect) -> Self {
        Dropped {
            state: state.name(),
            kind: reason.kind(),
            reason: reason.to_string(),
        }
    }
}

/// Why a connection ended. Every variant but `PeerClosed` is logged as the one line about an
/// offending or dropped client.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Disconnect {
    #[error("closed by the client")]
    PeerClosed,
    #[error("bad frame: {0}")]
    Frame(FrameError),
    #[error("{0}")]
    Sequence(#[from] SequenceMismatch),
    #[error("undecodable packet: {0}")]
    Decode(#[from] DecodeError),
    #[error("unknown packet: family {family}, action {action}")]
    UnknownPacket { family: u8, action: u8 },
    #[error("{family:?}_{action:?} is not allowed while {state}")]
    NotAllowed {
        family: PacketFamily,
        action: PacketAction,
        state: &'static str,
    },
    #[error("the handshake was not finished in time")]
    HandshakeTimeout,
    #[error("the last ping was not answered")]
    PingTimeout,
    #[error("bad handshake: {0}")]
    BadHandshake(&'static str),
    #[error("bad WebSocket handshake: {0}")]
    BadWebSocket(String),
    #[error("closed: {0}")]
    Closed(&'static str),
    /// Refused and closed for a reason logged once elsewhere (a login lock): not an offense
    /// to log again at each attempt.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("{0} wrong passwords (login.max_attempts)")]
    WrongPasswords(u32),
    /// The database could not say whether the client is banned: it is refused, not let in.
    #[error("refused: the bans could not be checked ({0})")]
    BanCheckFailed(String),
    #[error("closed by the server: {0:?}")]
    ClosedByServer(CloseReason),
    #[error("writing timed out (slow reader)")]
    WriteTimeout,
    #[error("server packet could not be encoded: {0}")]
    Encode(#[from] EncodeError),
    #[error("flooding: {0}")]
    Flood(#[from] Flood),
    #[error("its map: {0}")]
    Map(#[from] crate::map::MapError),
    #[error("{0}")]
    Proxy(#[from] crate::net::proxy::ProxyError),
}

impl Disconnect {
    /// The kind of reason, as the metrics label dropped connections (`eo_dropped_total`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Disconnect::PeerClosed => "peer_closed",
            Disconnect::Frame(_) => "bad_frame",
            Disconnect::Sequence(_) => "bad_sequence",
            Disconnect::Decode(_) => "undecodable",
            Disconnect::UnknownPacket { .. } => "unknown_packet",
            Disconnect::NotAllowed { .. } => "not_allowed",
            Disconnect::HandshakeTimeout => "handshake_timeout",
            Disconnect::PingTimeout => "ping_timeout",
            Disconnect::BadHandshake(_) => "bad_handshake",
            Disconnect::BadWebSocket(_) => "bad_websocket",
            Disconnect::Closed(_) => "closed",
            Disconnect::Refused(_) => "refused",
            Disconnect::WrongPasswords(_) => "wrong_passwords",
            Disconnect::BanCheckFailed(_) => "ban_check_failed",
            Disconnect::ClosedByServer(CloseReason::SlowReader) => "slow_reader",
            Disconnect::ClosedByServer(_) => "closed_by_server",
            Disconnect::WriteTimeout => "write_timeout",
            Disconnect::Encode(_) => "encode",
            Disconnect::Flood(_) => "flood",
            Disconnect::Map(_) => "map",
            Disconnect::Proxy(_) => "proxy",
        }
    }
}

impl From<FrameError> for Disconnect {
    /// A client that resets or aborts its connection, or is gone when the server writes to
    /// it, has left (a killed game window does that): no offense to log. Any other failure
    /// of the frames is.
    fn from(error: FrameError) -> Self {
        match &error {
            FrameError::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::BrokenPipe
                ) =>
            {
                Disconnect::PeerClosed
            }
            _ => Disconnect::Frame(error),
        }
    }
}
