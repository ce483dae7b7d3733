//! How a connection starts, before its player task runs: which frames it carries (EO over TCP,
//! or a WebSocket handshake first: eoweb), and, from a trusted proxy, whose connection it is
//! (a PROXY header, or `X-Forwarded-For` on the upgrade; see net/proxy.rs). All of it within
//! the hang-up delay.

use std::net::SocketAddr;
use std::time::Duration;

use eo_protocol::codec::{EoCodec, Role};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_util::codec::Framed;

use super::actor::{Disconnect, Dropped, PlayerContext, State};
use crate::net::address::in_any;
use crate::net::proxy;
use crate::net::websocket::{self, Transport};

/// A connection set up: its frames, and the address of its client (the peer's own, or the
/// one a trusted proxy named).
pub struct Opened {
    pub framed: Transport,
    pub client: SocketAddr,
}

/// Sets up the connection from `peer`. `Err(None)`: the client closed before sending
/// anything (nothing to log); `Err(Some(_))`: why it was dropped.
pub async fn open(
    mut stream: TcpStream,
    peer: SocketAddr,
    context: &PlayerContext,
) -> Result<Opened, Option<Dropped>> {
    let config = context.config.get();
    let within = config.server.hangup_delay();
    let started = Instant::now();
    let trusted = &config.server.trusted_proxies;
    let from_proxy = in_any(trusted, peer.ip());
    let left = |started: Instant| within.saturating_sub(started.elapsed());
    let dropped = |reason: Disconnect| Some(Dropped::new(&State::New, &reason));
    let mut client = peer;
    let mut named = false;
    if from_proxy {
        let first = first_byte(&stream, within, started).await?;
        if proxy::starts_header(first) {
            match tokio::time::timeout(left(started), proxy::read_header(&mut stream)).await {
                Ok(Ok(Some(address))) => {
                    client = address;
                    named = true;
                }
                Ok(Ok(None)) => {}
                Ok(Err(error)) => return Err(dropped(error.into())),
                Err(_) => return Err(dropped(Disconnect::HandshakeTimeout)),
            }
        }
    }
    let first = first_byte(&stream, within, started).await?;
    if !websocket::is_websocket(first) {
        return Ok(Opened {
            framed: Box::new(Framed::new(stream, EoCodec::new(Role::Server))),
            client,
        });
    }
    match websocket::accept(stream, left(started)).await {
        Ok((frames, forwarded)) => {
            // The client is the last address the proxies added that is not one of them.
            if from_proxy
                && !named
                && let Some(ip) = forwarded.iter().rev().find(|ip| !in_any(trusted, **ip))
            {
                client = SocketAddr::new(*ip, 0);
            }
            Ok(Opened {
                framed: Box::new(frames),
                client,
            })
        }
        Err(error) => Err(dropped(Disconnect::BadWebSocket(error.to_string()))),
    }
}

/// The first byte not yet read, within what is left of the hang-up delay.
async fn first_byte(
    stream: &TcpStream,
    within: Duration,
    started: Instant,
) -> Result<u8, Option<Dropped>> {
    let left = within.saturating_sub(started.elapsed());
    websocket::first_byte(stream, left).await.ok_or_else(|| {
        // Nothing came: either the client closed first or the hang-up delay passed.
        (started.elapsed() >= within)
            .then(|| Dropped::new(&State::New, &Disconnect::HandshakeTimeout))
    })
}
