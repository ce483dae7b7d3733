//! WebSocket clients (the browser client eoweb) on the game port.
//!
//! eoweb speaks the same EO protocol, but over WebSocket: each binary message carries exactly
//! one EO frame, its 2-byte length prefix included, encrypted as over TCP. So a WebSocket
//! connection is a different framing of the same frames: [`WsFrames`] turns each message into
//! one frame through the same [`EoCodec`] (which decrypts it) and each frame sent into one
//! message, and the player task cannot tell the two apart.
//!
//! A connection is a WebSocket one when its first byte is `G` (of `GET`, the handshake's
//! request line). No EO client can start that way: its first bytes are the length of Init_Init
//! (about 12 bytes, a first byte near 0x0D), never 70.

use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use eo_protocol::codec::{EoCodec, FrameError, LENGTH_BYTES, MAX_BODY_LEN, Role};
use futures_util::{Sink, Stream};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::codec::{Decoder, Encoder, Framed};

/// The largest message accepted: one whole frame.
const MAX_MESSAGE: usize = LENGTH_BYTES + MAX_BODY_LEN;

/// The frames of one connection, whatever carries them: what the player task reads and writes.
///
/// An empty item is a message that carried no EO frame (a WebSocket ping, pong or other
/// control frame): the player task counts it against the packet rate like any frame, so a
/// client cannot flood with them, and otherwise ignores it. EO over TCP never yields one (a
/// frame's body is at least two bytes).
pub trait FrameTransport:
    Stream<Item = Result<BytesMut, FrameError>> + Sink<Bytes, Error = FrameError> + Unpin + Send + Sync
{
    /// The codec, to turn encryption on once the multiples are agreed.
    fn codec_mut(&mut self) -> &mut EoCodec;
}

impl FrameTransport for Framed<TcpStream, EoCodec> {
    fn codec_mut(&mut self) -> &mut EoCodec {
        Framed::codec_mut(self)
    }
}

/// A connection's frames, boxed so TCP and WebSocket connections run the same player task.
pub type Transport = Box<dyn FrameTransport>;

/// Whether a connection that starts with `first` is a WebSocket handshake.
pub fn is_websocket(first: u8) -> bool {
    first == b'G'
}

/// The first byte a client sends, without consuming it; `None` if it closes first or sends
/// nothing within `within`.
pub async fn first_byte(stream: &TcpStream, within: Duration) -> Option<u8> {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(within, stream.peek(&mut byte)).await {
        Ok(Ok(1)) => Some(byte[0]),
        _ => None,
    }
}

/// Accepts a WebSocket handshake on `stream` (within `within`) and returns the frames it
/// carries, and the addresses its `X-Forwarded-For` headers list, in order (for a connection
/// from a trusted proxy, net/proxy.rs; a malformed entry ends the list).
pub async fn accept(
    stream: TcpStream,
    within: Duration,
) -> Result<(WsFrames<TcpStream>, Vec<IpAddr>), FrameError> {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let forwarded = std::sync::Mutex::new(Vec::new());
    // tungstenite's callback type fixes the error type; it is never returned here.
    #[allow(clippy::result_large_err)]
    let read_forwarded = |request: &Request, response: Response| {
        let listed = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map_while(|entry| entry.trim().parse::<IpAddr>().ok());
        if let Ok(mut forwarded) = forwarded.lock() {
            forwarded.extend(listed);
        }
        Ok(response)
    };
    let handshake =
        tokio_tungstenite::accept_hdr_async_with_config(stream, read_forwarded, Some(config));
    match tokio::time::timeout(within, handshake).await {
        Ok(Ok(ws)) => {
            let forwarded = forwarded.into_inner().unwrap_or_default();
            Ok((WsFrames::new(ws, Role::Server), forwarded))
        }
        Ok(Err(error)) => Err(ws_error(error)),
        Err(_) => Err(FrameError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the WebSocket handshake was not finished in time",
        ))),
    }
}

/// A WebSocket failure as a frame error. A browser that closes its tab or is killed drops the
/// TCP connection without the closing handshake: that is a client leaving, reported as a reset
/// (as over TCP), not as an offense.
fn ws_error(error: tokio_tungstenite::tungstenite::Error) -> FrameError {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::error::ProtocolError;
    match error {
        Error::Io(io) => FrameError::Io(io),
        Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => FrameError::Io(
            std::io::Error::new(std::io::ErrorKind::ConnectionReset, "websocket: reset"),
        ),
        other => FrameError::Io(std::io::Error::other(format!("websocket: {other}"))),
    }
}

fn bad_message(what: &str) -> FrameError {
    FrameError::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("websocket: {what}"),
    ))
}

/// EO frames over a WebSocket: one frame per binary message each way.
pub struct WsFrames<S> {
    ws: WebSocketStream<S>,
    codec: EoCodec,
}

impl<S> WsFrames<S> {
    pub fn new(ws: WebSocketStream<S>, role: Role) -> Self {
        Self {
            ws,
            codec: EoCodec::new(role),
        }
    }

    /// The WebSocket itself (for tests that send what no EO client would).
    pub fn websocket_mut(&mut self) -> &mut WebSocketStream<S> {
        &mut self.ws
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Stream for WsFrames<S> {
    type Item = Result<BytesMut, FrameError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let message = match ready!(Pin::new(&mut self.ws).poll_next(cx)) {
            None => return Poll::Ready(None),
            Some(Err(error)) => return Poll::Ready(Some(Err(ws_error(error)))),
            Some(Ok(message)) => message,
        };
        let data = match message {
            Message::Binary(data) => data,
            // Control messages: tungstenite answers pings itself; each is yielded as an empty
            // item so it counts toward flood control (see `FrameTransport`).
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {
                return Poll::Ready(Some(Ok(BytesMut::new())));
            }
            Message::Close(_) => return Poll::Ready(None),
            Message::Text(_) => return Poll::Ready(Some(Err(bad_message("a text message")))),
        };
        let mut buffer = BytesMut::from(&data[..]);
        let frame = match self.codec.decode(&mut buffer) {
            Ok(Some(frame)) if buffer.is_empty() => Ok(frame),
            Ok(Some(_)) => Err(bad_message("a message holding more than one EO frame")),
            Ok(None) => Err(bad_message("a message holding part of an EO frame")),
            Err(error) => Err(error),
        };
        Poll::Ready(Some(frame))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Sink<Bytes> for WsFrames<S> {
    type Error = FrameError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), FrameError>> {
        Pin::new(&mut self.ws).poll_ready(cx).map_err(ws_error)
    }

    fn start_send(mut self: Pin<&mut Self>, body: Bytes) -> Result<(), FrameError> {
        let mut frame = BytesMut::with_capacity(LENGTH_BYTES + body.len());
        self.codec.encode(body, &mut frame)?;
        Pin::new(&mut self.ws)
            .start_send(Message::Binary(frame.freeze()))
            .map_err(ws_error)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), FrameError>> {
        Pin::new(&mut self.ws).poll_flush(cx).map_err(ws_error)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), FrameError>> {
        Pin::new(&mut self.ws).poll_close(cx).map_err(ws_error)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + Sync> FrameTransport for WsFrames<S> {
    fn codec_mut(&mut self) -> &mut EoCodec {
        &mut self.codec
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::protocol::Role as WsRole;

    use super::*;

    async fn pair() -> (
        WsFrames<tokio::io::DuplexStream>,
        WebSocketStream<tokio::io::DuplexStream>,
    ) {
        let (server, client) = tokio::io::duplex(1 << 17);
        let server = WebSocketStream::from_raw_socket(server, WsRole::Server, None).await;
        let client = WebSocketStream::from_raw_socket(client, WsRole::Client, None).await;
        (WsFrames::new(server, Role::Server), client)
    }

    #[tokio::test]
    async fn one_frame_per_message_each_way() {
        let (mut server, mut client) = pair().await;
        // An Init body (FF FF ...) passes the codec unencrypted: length 4 = 05 FE.
        let frame = Bytes::from_static(&[0x05, 0xFE, 0xFF, 0xFF, 1, 2]);
        client.send(Message::Binary(frame)).await.unwrap();
        let body = server.next().await.unwrap().unwrap();
        assert_eq!(&body[..], &[0xFF, 0xFF, 1, 2]);

        server
            .send(Bytes::from_static(&[0xFF, 0xFF, 9]))
            .await
            .unwrap();
        server
            .send(Bytes::from_static(&[0xFF, 0xFF, 8]))
            .await
            .unwrap();
        for last in [9, 8] {
            let Message::Binary(data) = client.next().await.unwrap().unwrap() else {
                panic!("a binary message")
            };
            assert_eq!(&data[..], &[0x04, 0xFE, 0xFF, 0xFF, last]);
        }
    }

    #[tokio::test]
    async fn a_message_that_is_not_exactly_one_frame_is_an_error() {
        for bad in [
            &[0x05, 0xFE, 0xFF, 0xFF][..], // part of a frame
            &[0x03, 0xFE, 0xFF, 0xFF, 0x03, 0xFE, 0xFF, 0xFF][..], // two frames
            &[0x00, 0x01][..],             // a bad length
        ] {
            let (mut server, mut client) = pair().await;
            client
                .send(Message::Binary(Bytes::copy_from_slice(bad)))
                .await
                .unwrap();
            assert!(server.next().await.unwrap().is_err(), "{bad:?}");
        }
        let (mut server, mut client) = pair().await;
        client.send(Message::Text("hello".into())).await.unwrap();
        assert!(server.next().await.unwrap().is_err());
    }

    #[tokio::test]
    async fn a_ping_is_an_empty_item_and_a_close_ends_the_stream() {
        let (mut server, mut client) = pair().await;
        client
            .send(Message::Ping(Bytes::from_static(b"hi")))
            .await
            .unwrap();
        client
            .send(Message::Binary(Bytes::from_static(&[
                0x04, 0xFE, 0xFF, 0xFF, 7,
            ])))
            .await
            .unwrap();
        assert!(server.next().await.unwrap().unwrap().is_empty(), "the ping");
        assert_eq!(&server.next().await.unwrap().unwrap()[..], &[0xFF, 0xFF, 7]);
        client.close(None).await.unwrap();
        assert!(server.next().await.is_none());
    }

    #[test]
    fn only_a_handshake_starts_with_g() {
        assert!(is_websocket(b'G'));
        // Init_Init's length prefix: a body of 12 is 0D FE.
        assert!(!is_websocket(0x0D));
    }
}
