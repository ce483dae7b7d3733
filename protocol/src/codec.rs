//! A tokio-util codec for EO frames (feature `codec`).
//!
//! A frame on the wire is `[len: EO short (2 bytes)][body: len bytes]`. The length counts the
//! body only and never covers itself; the body is action, family, the sequence (client packets
//! only) and the payload. The largest body is 64 008 bytes (the largest short), the smallest a
//! bare packet id (2 bytes).
//!
//! [`EoCodec`] decrypts what it decodes and encrypts what it encodes (see [`crate::crypt`]) once
//! [`EoCodec::set_multiples`] has been called; before that, and for Init bodies (`FF FF ...`)
//! always, bodies pass unchanged. The direction matters (brief §4 and §10.4): a server decrypts
//! with the *client* multiple and encrypts with the *server* multiple; a client the reverse.
//!
//! The decoder handles frames split over any number of reads and several frames per read. It
//! rejects a bad length prefix as soon as the 2 prefix bytes are there, so it never buffers more
//! than 2 + 64 008 bytes for one frame.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::crypt::{decrypt, encrypt};

/// The largest body a frame can carry (the largest EO short).
pub const MAX_BODY_LEN: usize = 64_008;
/// The smallest body a frame can carry: action and family.
pub const MIN_BODY_LEN: usize = 2;
/// The length prefix's size.
pub const LENGTH_BYTES: usize = 2;

/// Which end of the connection a codec serves; it decides which multiple is used which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Decrypts with the client multiple, encrypts with the server multiple.
    Server,
    /// Decrypts with the server multiple, encrypts with the client multiple.
    Client,
}

/// A framing error. After one, the stream is out of step and must be closed.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The body (declared by a length prefix, or given to the encoder) is longer than
    /// [`MAX_BODY_LEN`].
    #[error("frame body of {len} bytes is longer than the {MAX_BODY_LEN} allowed")]
    TooLong { len: usize },
    /// The body (declared by a length prefix, or given to the encoder) is shorter than the
    /// 2-byte packet id.
    #[error("frame body of {len} bytes is shorter than the {MIN_BODY_LEN}-byte packet id")]
    TooShort { len: usize },
    /// The length prefix is not an EO short at all: a 0x00 byte, or 0xFF as the low digit.
    #[error("invalid frame length prefix {:02X} {:02X}", prefix[0], prefix[1])]
    InvalidLength { prefix: [u8; 2] },
    /// The transport failed, or the stream ended in the middle of a frame.
    #[error("frame i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// Decodes a length prefix (spec decoding: 0xFE ends the number, 0xFF is the digit 254) and
/// checks the body length it declares.
fn body_length(prefix: [u8; 2]) -> Result<usize, FrameError> {
    let [lo, hi] = prefix;
    match lo {
        0x00 | 0xFF => return Err(FrameError::InvalidLength { prefix }),
        // A terminator first: the number is 0, whatever follows.
        0xFE => return Err(FrameError::TooShort { len: 0 }),
        _ => {}
    }
    let high_digit = match hi {
        0x00 => return Err(FrameError::InvalidLength { prefix }),
        0xFE => 0,
        hi => usize::from(hi) - 1,
    };
    let len = usize::from(lo) - 1 + high_digit * 253;
    if len < MIN_BODY_LEN {
        Err(FrameError::TooShort { len })
    } else if len > MAX_BODY_LEN {
        Err(FrameError::TooLong { len })
    } else {
        Ok(len)
    }
}

/// The EO short for a body length already known to be at most [`MAX_BODY_LEN`].
fn length_prefix(len: usize) -> [u8; 2] {
    // len <= 64_008, so both digits are at most 252 and each byte at most 253.
    if len < 253 {
        [len as u8 + 1, 0xFE]
    } else {
        [(len % 253) as u8 + 1, (len / 253) as u8 + 1]
    }
}

/// The EO frame codec: a [`Decoder`] yielding decrypted bodies and an [`Encoder`] of plain
/// bodies.
#[derive(Debug, Clone)]
pub struct EoCodec {
    role: Role,
    /// The multiple this end encrypts with (0: not negotiated).
    encrypt_multiple: u8,
    /// The multiple this end decrypts with (0: not negotiated).
    decrypt_multiple: u8,
}

impl EoCodec {
    /// A codec for one end of a connection. Nothing is encrypted until
    /// [`set_multiples`](Self::set_multiples).
    pub fn new(role: Role) -> Self {
        Self {
            role,
            encrypt_multiple: 0,
            decrypt_multiple: 0,
        }
    }

    /// Sets the multiples negotiated in Init_Init OK, given in the order that packet sends
    /// them: the server's (the server encrypts with it) and the client's (the client encrypts
    /// with it). `(0, 0)` turns encryption off again.
    pub fn set_multiples(&mut self, server_multiple: u8, client_multiple: u8) {
        (self.encrypt_multiple, self.decrypt_multiple) = match self.role {
            Role::Server => (server_multiple, client_multiple),
            Role::Client => (client_multiple, server_multiple),
        };
    }

    /// Which end this codec serves.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The multiple outgoing bodies are encrypted with (0: none yet).
    pub fn encrypt_multiple(&self) -> u8 {
        self.encrypt_multiple
    }

    /// The multiple incoming bodies are decrypted with (0: none yet).
    pub fn decrypt_multiple(&self) -> u8 {
        self.decrypt_multiple
    }

    /// Writes the length prefix and the encrypted body.
    fn encode_body(&self, body: &[u8], dst: &mut BytesMut) -> Result<(), FrameError> {
        let len = body.len();
        if len > MAX_BODY_LEN {
            return Err(FrameError::TooLong { len });
        }
        if len < MIN_BODY_LEN {
            return Err(FrameError::TooShort { len });
        }
        dst.reserve(LENGTH_BYTES + len);
        dst.extend_from_slice(&length_prefix(len));
        let at = dst.len();
        dst.extend_from_slice(body);
        if let Some(written) = dst.get_mut(at..) {
            encrypt(written, self.encrypt_multiple);
        }
        Ok(())
    }
}

impl Decoder for EoCodec {
    /// The decrypted body: action, family, then the rest.
    type Item = BytesMut;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, FrameError> {
        let prefix = match src.get(..LENGTH_BYTES) {
            Some(&[lo, hi]) => [lo, hi],
            _ => return Ok(None),
        };
        let len = body_length(prefix)?;
        let frame_len = LENGTH_BYTES + len;
        if src.len() < frame_len {
            // Room for the rest of this frame only; the caller reads more.
            src.reserve(frame_len - src.len());
            return Ok(None);
        }
        src.advance(LENGTH_BYTES);
        let mut body = src.split_to(len);
        decrypt(&mut body, self.decrypt_multiple);
        Ok(Some(body))
    }
}

impl Encoder<&[u8]> for EoCodec {
    type Error = FrameError;

    /// Encodes a plain body (action, family, sequence if any, payload).
    fn encode(&mut self, body: &[u8], dst: &mut BytesMut) -> Result<(), FrameError> {
        self.encode_body(body, dst)
    }
}

impl Encoder<Bytes> for EoCodec {
    type Error = FrameError;

    fn encode(&mut self, body: Bytes, dst: &mut BytesMut) -> Result<(), FrameError> {
        self.encode_body(&body, dst)
    }
}

impl Encoder<BytesMut> for EoCodec {
    type Error = FrameError;

    fn encode(&mut self, body: BytesMut, dst: &mut BytesMut) -> Result<(), FrameError> {
        self.encode_body(&body, dst)
    }
}

impl Encoder<Vec<u8>> for EoCodec {
    type Error = FrameError;

    fn encode(&mut self, body: Vec<u8>, dst: &mut BytesMut) -> Result<(), FrameError> {
        self.encode_body(&body, dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{SinkExt, StreamExt};
    use proptest::prelude::*;
    use tokio_util::codec::Framed;

    const CLIENT_INIT_WIRE: [u8; 22] = [
        0x15, 0xFE, 0xFF, 0xFF, 0x98, 0xAA, 0x05, 0x01, 0x01, 0x1D, 0x71, 0x0B, 0x31, 0x37, 0x38,
        0x33, 0x31, 0x38, 0x36, 0x30, 0x39, 0x30,
    ];
    const SERVER_INIT_OK_WIRE: [u8; 14] = [
        0x0D, 0xFE, 0xFF, 0xFF, 0x02, 0x05, 0x00, 0x06, 0x0C, 0x40, 0x02, 0x79, 0x44, 0x06,
    ];
    const ACCEPT_WIRE: [u8; 11] = [
        0x0A, 0xFE, 0x82, 0x82, 0x81, 0xC0, 0x98, 0x7E, 0x8D, 0x87, 0x7E,
    ];
    const ACCEPT_PLAIN: [u8; 9] = [0x02, 0x01, 0x18, 0x0D, 0xFE, 0x07, 0xFE, 0x40, 0x02];

    fn negotiated(role: Role) -> EoCodec {
        let mut codec = EoCodec::new(role);
        // The captured Init OK: server multiple 6, client multiple 12.
        codec.set_multiples(6, 12);
        codec
    }

    fn decode_all(codec: &mut EoCodec, wire: &[u8]) -> Vec<Vec<u8>> {
        let mut buf = BytesMut::from(wire);
        let mut out = Vec::new();
        while let Some(body) = codec.decode(&mut buf).unwrap() {
            out.push(body.to_vec());
        }
        assert!(buf.is_empty());
        out
    }

    #[test]
    fn directions() {
        let server = negotiated(Role::Server);
        assert_eq!(
            (server.encrypt_multiple(), server.decrypt_multiple()),
            (6, 12)
        );
        let client = negotiated(Role::Client);
        assert_eq!(
            (client.encrypt_multiple(), client.decrypt_multiple()),
            (12, 6)
        );
        assert_eq!(client.role(), Role::Client);
        let fresh = EoCodec::new(Role::Server);
        assert_eq!((fresh.encrypt_multiple(), fresh.decrypt_multiple()), (0, 0));
    }

    #[test]
    fn init_vectors() {
        // Before negotiation, and after it too: Init bodies are never encrypted.
        for mut server in [EoCodec::new(Role::Server), negotiated(Role::Server)] {
            let bodies = decode_all(&mut server, &CLIENT_INIT_WIRE);
            assert_eq!(bodies, vec![CLIENT_INIT_WIRE[2..].to_vec()]);
            let mut wire = BytesMut::new();
            server.encode(&SERVER_INIT_OK_WIRE[2..], &mut wire).unwrap();
            assert_eq!(&wire[..], &SERVER_INIT_OK_WIRE);
        }
        for mut client in [EoCodec::new(Role::Client), negotiated(Role::Client)] {
            let bodies = decode_all(&mut client, &SERVER_INIT_OK_WIRE);
            assert_eq!(bodies, vec![SERVER_INIT_OK_WIRE[2..].to_vec()]);
            let mut wire = BytesMut::new();
            client.encode(&CLIENT_INIT_WIRE[2..], &mut wire).unwrap();
            assert_eq!(&wire[..], &CLIENT_INIT_WIRE);
        }
    }

    #[test]
    fn connection_accept_vector() {
        let mut server = negotiated(Role::Server);
        assert_eq!(
            decode_all(&mut server, &ACCEPT_WIRE),
            vec![ACCEPT_PLAIN.to_vec()]
        );

        let mut client = negotiated(Role::Client);
        let mut wire = BytesMut::new();
        client.encode(&ACCEPT_PLAIN[..], &mut wire).unwrap();
        assert_eq!(&wire[..], &ACCEPT_WIRE);

        // Swapped directions (reoserv issue #1) garble a body with a run of multiples of 6
        // that are not all multiples of 12. (The Accept vector itself has no such run.)
        let plain = [0x02, 0x01, 0x18, 0x06, 0x0C, 0x07, 0x40, 0x02];
        let mut wire = BytesMut::new();
        client.encode(&plain[..], &mut wire).unwrap();
        let mut right = negotiated(Role::Server);
        assert_eq!(decode_all(&mut right, &wire), vec![plain.to_vec()]);
        let mut wrong = EoCodec::new(Role::Server);
        wrong.set_multiples(12, 6);
        assert_ne!(decode_all(&mut wrong, &wire), vec![plain.to_vec()]);
    }

    #[test]
    fn byte_by_byte() {
        let mut wire = Vec::new();
        wire.extend_from_slice(&CLIENT_INIT_WIRE);
        wire.extend_from_slice(&ACCEPT_WIRE);
        wire.extend_from_slice(&ACCEPT_WIRE);
        let mut server = negotiated(Role::Server);
        let mut buf = BytesMut::new();
        let mut bodies = Vec::new();
        for &byte in &wire {
            buf.extend_from_slice(&[byte]);
            while let Some(body) = server.decode(&mut buf).unwrap() {
                bodies.push(body.to_vec());
            }
        }
        assert!(buf.is_empty());
        assert_eq!(
            bodies,
            vec![
                CLIENT_INIT_WIRE[2..].to_vec(),
                ACCEPT_PLAIN.to_vec(),
                ACCEPT_PLAIN.to_vec()
            ]
        );
    }

    #[test]
    fn many_frames_in_one_buffer() {
        let mut client = negotiated(Role::Client);
        let mut wire = BytesMut::new();
        let mut expected = Vec::new();
        for i in 0..200u32 {
            let len = 2 + (i as usize * 37) % 700;
            let body: Vec<u8> = (0..len).map(|j| (i as usize * 13 + j * 7) as u8).collect();
            let body = if body.starts_with(&[0xFF, 0xFF]) {
                vec![1, 2]
            } else {
                body
            };
            client.encode(&body[..], &mut wire).unwrap();
            expected.push(body);
        }
        let mut server = negotiated(Role::Server);
        assert_eq!(decode_all(&mut server, &wire), expected);
    }

    #[test]
    fn length_prefix_matches_number_encoding() {
        for len in 0..=MAX_BODY_LEN {
            let four = crate::number::encode_number(len as u32).unwrap();
            assert_eq!(length_prefix(len), [four[0], four[1]], "{len}");
            assert_eq!(
                crate::number::decode_number(&length_prefix(len)) as usize,
                len
            );
            if len >= MIN_BODY_LEN {
                assert_eq!(body_length(length_prefix(len)).unwrap(), len);
            }
        }
    }

    #[test]
    fn bad_prefixes() {
        let cases: [([u8; 2], &str); 9] = [
            ([0x00, 0xFE], "invalid"),
            ([0x05, 0x00], "invalid"),
            ([0xFF, 0xFE], "invalid"),
            ([0xFE, 0xFE], "short 0"),
            ([0xFE, 0x05], "short 0"),
            ([0x01, 0xFE], "short 0"),
            ([0x02, 0xFE], "short 1"),
            ([0x01, 0xFF], "long"),
            ([0xFD, 0xFF], "long"),
        ];
        for (prefix, what) in cases {
            let mut codec = EoCodec::new(Role::Server);
            // The prefix alone is enough to reject: nothing more is buffered.
            let mut buf = BytesMut::from(&prefix[..]);
            let err = codec.decode(&mut buf).unwrap_err();
            match (what, &err) {
                ("invalid", FrameError::InvalidLength { prefix: p }) => assert_eq!(*p, prefix),
                ("short 0", FrameError::TooShort { len: 0 })
                | ("short 1", FrameError::TooShort { len: 1 }) => {}
                ("long", FrameError::TooLong { len }) => assert!(*len > MAX_BODY_LEN),
                _ => panic!("{prefix:02X?}: expected {what}, got {err:?}"),
            }
            assert!(!err.to_string().is_empty());
        }
        // Boundary: 64 008 is accepted and waits for its body; 2 is the smallest body.
        let mut codec = EoCodec::new(Role::Server);
        let mut buf = BytesMut::from(&[0xFD, 0xFD][..]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        assert!(buf.capacity() >= LENGTH_BYTES + MAX_BODY_LEN);
        let mut buf = BytesMut::from(&[0x03, 0xFE, 0x04][..]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&[0x01]);
        assert_eq!(
            codec.decode(&mut buf).unwrap().unwrap().to_vec(),
            vec![4, 1]
        );
        // Waiting for a prefix: 0 or 1 bytes.
        assert!(codec.decode(&mut BytesMut::new()).unwrap().is_none());
        assert!(
            codec
                .decode(&mut BytesMut::from(&[0x05][..]))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn eof_mid_frame_is_an_error() {
        let mut codec = EoCodec::new(Role::Server);
        let mut buf = BytesMut::from(&ACCEPT_WIRE[..5]);
        assert!(matches!(codec.decode_eof(&mut buf), Err(FrameError::Io(_))));
        let mut buf = BytesMut::new();
        assert!(codec.decode_eof(&mut buf).unwrap().is_none());
    }

    #[test]
    fn encoder_limits() {
        let mut codec = negotiated(Role::Server);
        let mut dst = BytesMut::new();
        assert!(matches!(
            codec.encode(&[0u8; MAX_BODY_LEN + 1][..], &mut dst),
            Err(FrameError::TooLong { len: 64_009 })
        ));
        assert!(matches!(
            codec.encode(&[7u8][..], &mut dst),
            Err(FrameError::TooShort { len: 1 })
        ));
        assert!(matches!(
            codec.encode(Vec::new(), &mut dst),
            Err(FrameError::TooShort { len: 0 })
        ));
        assert!(dst.is_empty(), "nothing written on error");

        let big: Vec<u8> = (0..MAX_BODY_LEN).map(|i| (i % 251) as u8).collect();
        codec.encode(Bytes::from(big.clone()), &mut dst).unwrap();
        assert_eq!(&dst[..2], &[0xFD, 0xFD]);
        assert_eq!(dst.len(), 2 + MAX_BODY_LEN);
        let mut client = negotiated(Role::Client);
        assert_eq!(decode_all(&mut client, &dst), vec![big]);

        // Every encoder input type writes the same bytes.
        let body = [4u8, 1, 0x12, 0x61, 0x62, 0xFF];
        let mut a = BytesMut::new();
        let mut b = BytesMut::new();
        let mut c = BytesMut::new();
        let mut d = BytesMut::new();
        codec.encode(&body[..], &mut a).unwrap();
        codec.encode(Bytes::copy_from_slice(&body), &mut b).unwrap();
        codec.encode(BytesMut::from(&body[..]), &mut c).unwrap();
        codec.encode(body.to_vec(), &mut d).unwrap();
        assert!(a == b && b == c && c == d);
    }

    /// Random bodies; the action byte is never 0x7F (no such action exists, and a body that
    /// starts and ends with 0x7F encrypts to `FF FF ...`, which reads as an Init body).
    fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), MIN_BODY_LEN..600).prop_map(|mut body| {
            if body[0] == 0x7F {
                body[0] = 0x7E;
            }
            body
        })
    }

    proptest! {
        #[test]
        fn round_trip_both_ways(
            bodies in prop::collection::vec(body_strategy(), 1..8),
            server_multiple in 0u8..=12,
            client_multiple in 0u8..=12,
            cuts in prop::collection::vec(1usize..97, 1..40),
        ) {
            for (from, to) in [(Role::Client, Role::Server), (Role::Server, Role::Client)] {
                let mut sender = EoCodec::new(from);
                sender.set_multiples(server_multiple, client_multiple);
                let mut receiver = EoCodec::new(to);
                receiver.set_multiples(server_multiple, client_multiple);

                let mut wire = BytesMut::new();
                for body in &bodies {
                    sender.encode(&body[..], &mut wire).unwrap();
                }
                let total = wire.len();
                prop_assert_eq!(total, bodies.iter().map(|b| b.len() + 2).sum::<usize>());

                // Feed the wire in arbitrary pieces.
                let mut buf = BytesMut::new();
                let mut got = Vec::new();
                let mut at = 0;
                let mut cut = cuts.iter().cycle();
                while at < total {
                    let step = (*cut.next().unwrap()).min(total - at);
                    buf.extend_from_slice(&wire[at..at + step]);
                    at += step;
                    while let Some(body) = receiver.decode(&mut buf).unwrap() {
                        got.push(body.to_vec());
                    }
                }
                prop_assert!(buf.is_empty());
                prop_assert_eq!(&got, &bodies);
            }
        }

        #[test]
        fn decoder_never_panics(wire in prop::collection::vec(any::<u8>(), 0..300), m in any::<u8>()) {
            let mut codec = EoCodec::new(Role::Server);
            codec.set_multiples(m, m);
            let mut buf = BytesMut::from(&wire[..]);
            while let Ok(Some(_)) = codec.decode(&mut buf) {}
            let mut buf = BytesMut::from(&wire[..]);
            while let Ok(Some(_)) = codec.decode_eof(&mut buf) {}
        }
    }

    #[tokio::test]
    async fn tcp_handshake_both_roles() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();

        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut framed = Framed::new(stream, EoCodec::new(Role::Server));
            // Init_Init arrives plain.
            let init = framed.next().await.unwrap().unwrap();
            assert_eq!(&init[..], &CLIENT_INIT_WIRE[2..]);
            framed.send(&SERVER_INIT_OK_WIRE[2..]).await.unwrap();
            framed.codec_mut().set_multiples(6, 12);
            // Connection_Accept arrives encrypted with the client multiple.
            let accept = framed.next().await.unwrap().unwrap();
            assert_eq!(&accept[..], &ACCEPT_PLAIN);
            // A few packets each way, including a long one.
            for i in 0..20u8 {
                let body = framed.next().await.unwrap().unwrap();
                assert_eq!(body[0], i);
                framed.send(Bytes::from(body.to_vec())).await.unwrap();
            }
            let long: Vec<u8> = (0..MAX_BODY_LEN).map(|i| (i * 31 % 256) as u8).collect();
            framed.send(long).await.unwrap();
            // The client hangs up cleanly: the stream ends.
            assert!(framed.next().await.is_none());
        });

        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut framed = Framed::new(stream, EoCodec::new(Role::Client));
        framed.send(&CLIENT_INIT_WIRE[2..]).await.unwrap();
        let reply = framed.next().await.unwrap().unwrap();
        assert_eq!(&reply[..], &SERVER_INIT_OK_WIRE[2..]);
        // The multiples as the Init OK reply carries them: server's, then client's.
        let (server_multiple, client_multiple) = (reply[5], reply[6]);
        framed
            .codec_mut()
            .set_multiples(server_multiple, client_multiple);
        framed.send(&ACCEPT_PLAIN[..]).await.unwrap();
        for i in 0..20u8 {
            let body: Vec<u8> = [i, 1]
                .into_iter()
                .chain((0..i * 9).map(|j| j ^ i))
                .collect();
            framed.send(&body[..]).await.unwrap();
            let echo = framed.next().await.unwrap().unwrap();
            assert_eq!(&echo[..], &body[..]);
        }
        let long = framed.next().await.unwrap().unwrap();
        assert_eq!(long.len(), MAX_BODY_LEN);
        assert!(
            long.iter()
                .enumerate()
                .all(|(i, &b)| b == (i * 31 % 256) as u8)
        );
        drop(framed);
        server.await.unwrap();
    }
}
