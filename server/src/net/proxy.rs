//! Real client addresses behind a proxy.
//!
//! A server behind a TLS terminator or a TCP load balancer sees every player come from the
//! proxy's address, so per-address limits, address bans and the logs would all hit the proxy.
//! A connection from one of `[server] trusted_proxies` therefore names its client: it starts
//! with a PROXY protocol header (HAProxy's v1 text or v2 binary form, parsed by the `ppp`
//! crate), or, as a WebSocket upgrade, carries `X-Forwarded-For` (net/websocket.rs). A
//! connection from any other address is taken as it is: a PROXY header from it is not
//! believed (to the EO codec it is a bad frame, and the connection is dropped), nor is its
//! `X-Forwarded-For`.
//!
//! The header is read with exact reads (the v1 line byte by byte, the v2 header by its
//! length), so the connection's own bytes after it stay in the socket for the codec.

use std::net::{IpAddr, SocketAddr};

use ppp::{HeaderResult, v1, v2};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The longest v1 header: "PROXY TCP6 " with two full IPv6 addresses, two ports and CRLF.
const MAX_V1_LEN: usize = 107;
/// The fixed part of a v2 header: the signature, version and command, family, length.
const V2_FIXED_LEN: usize = 16;
/// The longest v2 header accepted: the addresses and a few TLVs (proxies send a handful of
/// bytes of them); a longer one is refused rather than read.
const MAX_V2_LEN: usize = 1024;

/// Why a trusted proxy's connection did not name its client.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("the connection from a trusted proxy does not start with a PROXY header")]
    Missing,
    #[error("a bad PROXY header: {0}")]
    Malformed(String),
    #[error("the PROXY header is longer than {MAX_V2_LEN} bytes")]
    TooLong,
    #[error("reading the PROXY header: {0}")]
    Io(#[from] std::io::Error),
}

/// Whether a connection's first byte can start a PROXY header ("PROXY " for v1, "\r\n" for
/// v2's signature).
pub fn starts_header(first: u8) -> bool {
    first == b'P' || first == b'\r'
}

/// Reads the PROXY header off the start of `stream` and returns the client address it names;
/// `None` for a header that names none (v1 `UNKNOWN`, a v2 `LOCAL` command: the proxy's own
/// connection, such as a health check), which stays the proxy's.
pub async fn read_header(stream: &mut TcpStream) -> Result<Option<SocketAddr>, ProxyError> {
    let first = stream.read_u8().await?;
    let mut header = vec![first];
    match first {
        b'P' => {
            // v1: a text line ending in CRLF.
            while header.last() != Some(&b'\n') {
                if header.len() >= MAX_V1_LEN {
                    return Err(ProxyError::Malformed("a v1 line without its end".into()));
                }
                header.push(stream.read_u8().await?);
            }
        }
        b'\r' => {
            header.resize(V2_FIXED_LEN, 0);
            stream.read_exact(&mut header[1..]).await?;
            let length = usize::from(u16::from_be_bytes([header[14], header[15]]));
            if V2_FIXED_LEN + length > MAX_V2_LEN {
                return Err(ProxyError::TooLong);
            }
            header.resize(V2_FIXED_LEN + length, 0);
            stream.read_exact(&mut header[V2_FIXED_LEN..]).await?;
        }
        _ => return Err(ProxyError::Missing),
    }
    client_of(&header)
}

/// The client address a whole header names.
fn client_of(header: &[u8]) -> Result<Option<SocketAddr>, ProxyError> {
    if header.starts_with(v2::PROTOCOL_PREFIX) {
        return match v2::Header::try_from(header) {
            Ok(parsed) => Ok(match (parsed.command, parsed.addresses) {
                (v2::Command::Local, _) => None,
                (_, v2::Addresses::IPv4(a)) => {
                    Some(SocketAddr::new(IpAddr::V4(a.source_address), a.source_port))
                }
                (_, v2::Addresses::IPv6(a)) => {
                    Some(SocketAddr::new(IpAddr::V6(a.source_address), a.source_port))
                }
                (_, v2::Addresses::Unspecified | v2::Addresses::Unix(_)) => None,
            }),
            Err(error) => Err(ProxyError::Malformed(error.to_string())),
        };
    }
    match HeaderResult::parse(header) {
        HeaderResult::V1(Ok(parsed)) => Ok(match parsed.addresses {
            v1::Addresses::Tcp4(a) => {
                Some(SocketAddr::new(IpAddr::V4(a.source_address), a.source_port))
            }
            v1::Addresses::Tcp6(a) => {
                Some(SocketAddr::new(IpAddr::V6(a.source_address), a.source_port))
            }
            v1::Addresses::Unknown => None,
        }),
        HeaderResult::V1(Err(error)) => Err(ProxyError::Malformed(error.to_string())),
        HeaderResult::V2(Err(error)) => Err(ProxyError::Malformed(error.to_string())),
        HeaderResult::V2(Ok(_)) => Err(ProxyError::Malformed("an unexpected v2 header".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2_header(command: v2::Command, source: &str) -> Vec<u8> {
        let source: SocketAddr = source.parse().unwrap();
        let destination: SocketAddr = if source.is_ipv4() {
            "127.0.0.1:8078".parse().unwrap()
        } else {
            "[::1]:8078".parse().unwrap()
        };
        v2::Builder::with_addresses(
            v2::Version::Two | command,
            v2::Protocol::Stream,
            (source, destination),
        )
        .build()
        .unwrap()
    }

    #[test]
    fn v1_and_v2_headers_name_the_client() {
        assert_eq!(
            client_of(b"PROXY TCP4 203.0.113.7 127.0.0.1 5555 8078\r\n").unwrap(),
            Some("203.0.113.7:5555".parse().unwrap())
        );
        assert_eq!(
            client_of(b"PROXY TCP6 2001:db8::7 ::1 5555 8078\r\n").unwrap(),
            Some("[2001:db8::7]:5555".parse().unwrap())
        );
        assert_eq!(client_of(b"PROXY UNKNOWN\r\n").unwrap(), None);
        let header = v2_header(v2::Command::Proxy, "198.51.100.9:4000");
        assert_eq!(
            client_of(&header).unwrap(),
            Some("198.51.100.9:4000".parse().unwrap())
        );
        let local = v2_header(v2::Command::Local, "198.51.100.9:4000");
        assert_eq!(client_of(&local).unwrap(), None);
    }

    #[test]
    fn broken_headers_are_errors_not_panics() {
        for bad in [
            &b"PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n"[..],
            b"PROXY TCP9 1.2.3.4 1.2.3.4 1 2\r\n",
            b"PROXY\r\n",
            b"\r\n\r\n\0\r\nQUIT\n\x99\x11\0\0",
        ] {
            assert!(client_of(bad).is_err(), "{bad:?}");
        }
    }
}
