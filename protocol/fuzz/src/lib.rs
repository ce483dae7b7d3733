//! The checks behind the fuzz targets (each target in `fuzz_targets/` is a thin wrapper).
//!
//! Every check panics only when the protocol crate misbehaves: a panic inside it, or a broken
//! property (a decoded value that re-encodes to something decoding to a different value).

#[path = "../../tests/generated/all_types.rs"]
#[macro_use]
mod all_types;

use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};
use bytes::BytesMut;
use eo_protocol::codec::{EoCodec, FrameError, MAX_BODY_LEN, MIN_BODY_LEN, Role};
use eo_protocol::data_file::{DataFile, compute_rid, header_rid, stamp_rid};
use eo_protocol::map::Emf;
use eo_protocol::net::client::{ALL_CLIENT_PACKETS, ClientPacket};
use eo_protocol::net::server::{ALL_SERVER_PACKETS, ChestCloseServerPacket, ServerPacket};
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::pubs::server::{DropFile, InnFile, ShopFile, SkillMasterFile, TalkFile};
use eo_protocol::pubs::{Ecf, Eif, Enf, Esf};
use eo_protocol::reflect::Reflect;
use eo_protocol::{EoSerialize, EoWriter};
use tokio_util::codec::{Decoder, Encoder};

// ---------------------------------------------------------------------------------------------
// Packets from bytes
// ---------------------------------------------------------------------------------------------

/// Splits a packet input: family byte, action byte, payload.
pub fn split_id(data: &[u8]) -> Option<(PacketFamily, PacketAction, &[u8])> {
    match data {
        [family, action, payload @ ..] => Some((
            PacketFamily::from(*family),
            PacketAction::from(*action),
            payload,
        )),
        _ => None,
    }
}

/// What the two packet enums have in common.
pub trait AnyPacket: PartialEq + Debug + Reflect + Sized {
    fn decode(f: PacketFamily, a: PacketAction, payload: &[u8]) -> Option<Self>;
    fn ids(&self) -> (PacketFamily, PacketAction);
    fn encode(&self) -> Option<Vec<u8>>;
    /// `reread` (decoded from the encoding of `self`) differs from `self` only because the
    /// spec's layout cannot tell the two apart.
    fn inherently_ambiguous(&self, _reread: &Self) -> bool {
        false
    }
}

impl AnyPacket for ClientPacket {
    fn decode(f: PacketFamily, a: PacketAction, payload: &[u8]) -> Option<Self> {
        ClientPacket::decode(f, a, payload).ok()
    }
    fn ids(&self) -> (PacketFamily, PacketAction) {
        (self.family(), self.action())
    }
    fn encode(&self) -> Option<Vec<u8>> {
        let mut writer = EoWriter::new();
        self.serialize_payload(&mut writer).ok()?;
        Some(writer.as_slice().to_vec())
    }
}

impl AnyPacket for ServerPacket {
    fn decode(f: PacketFamily, a: PacketAction, payload: &[u8]) -> Option<Self> {
        ServerPacket::decode(f, a, payload).ok()
    }
    fn ids(&self) -> (PacketFamily, PacketAction) {
        (self.family(), self.action())
    }
    fn encode(&self) -> Option<Vec<u8>> {
        let mut writer = EoWriter::new();
        self.serialize_payload(&mut writer).ok()?;
        Some(writer.as_slice().to_vec())
    }
    fn inherently_ambiguous(&self, reread: &Self) -> bool {
        // A key-less Chest_Close is written as its dummy "N" alone, and the optional key is
        // read whenever a byte remains: "N" reads back as key 77 (see tests/no_panic.rs).
        matches!(
            (self, reread),
            (
                ServerPacket::ChestClose(ChestCloseServerPacket { key: None }),
                ServerPacket::ChestClose(ChestCloseServerPacket { key: Some(77) }),
            )
        )
    }
}

/// Decodes a payload; if that works, encodes the packet (an error is fine). With `roundtrip`,
/// also asserts that a successful encoding decodes to the same packet and re-encodes to the
/// same bytes.
pub fn check_packet<P: AnyPacket>(
    family: PacketFamily,
    action: PacketAction,
    payload: &[u8],
    roundtrip: bool,
) {
    let Some(first) = P::decode(family, action, payload) else {
        return;
    };
    assert_eq!(first.ids(), (family, action));
    let _ = first.reflect();
    let Some(bytes) = first.encode() else {
        return;
    };
    if !roundtrip {
        return;
    }
    let Some(second) = P::decode(family, action, &bytes) else {
        panic!("re-encoded bytes do not decode\n  input {payload:?}\n  re-encoded {bytes:?}");
    };
    if first.inherently_ambiguous(&second) {
        return;
    }
    assert_eq!(
        second, first,
        "decode(encode(decode(x))) != decode(x)\n  input {payload:?}\n  re-encoded {bytes:?}"
    );
    assert_eq!(second.encode(), Some(bytes), "encoding is not stable");
}

pub fn client_packet(data: &[u8]) {
    if let Some((f, a, payload)) = split_id(data) {
        check_packet::<ClientPacket>(f, a, payload, false);
    }
}

pub fn server_packet(data: &[u8]) {
    if let Some((f, a, payload)) = split_id(data) {
        check_packet::<ServerPacket>(f, a, payload, false);
    }
}

/// The same id and payload, as a client packet and as a server packet.
pub fn roundtrip(data: &[u8]) {
    if let Some((f, a, payload)) = split_id(data) {
        check_packet::<ClientPacket>(f, a, payload, true);
        check_packet::<ServerPacket>(f, a, payload, true);
    }
}

// ---------------------------------------------------------------------------------------------
// Valid values of every type
// ---------------------------------------------------------------------------------------------

/// How many structs and packets the spec has.
pub const TYPE_COUNT: usize = {
    let mut n = 0usize;
    macro_rules! one {
        ($($any:tt)*) => {
            n += 1;
        };
    }
    for_each_generated_type!(one);
    n
};

/// The names of every struct and packet, in `for_each_generated_type!` order.
pub fn type_names() -> Vec<&'static str> {
    let mut names = Vec::new();
    macro_rules! name {
        ([$($ours:ident)*] [$($theirs:ident)*] $name:ident) => {
            names.push(stringify!($name));
        };
    }
    for_each_generated_type!(name);
    names
}

/// Builds a valid value of type `T`, encodes it, decodes it: it must come back unchanged.
/// Packets also go through the packet enum of their side, by their family and action.
fn check_valid<T>(name: &str, u: &mut Unstructured<'_>)
where
    T: EoSerialize + Reflect + for<'a> Arbitrary<'a> + PartialEq + Debug,
{
    let Ok(value) = T::arbitrary(u) else {
        return;
    };
    let bytes = match value.to_bytes() {
        Ok(bytes) => bytes,
        Err(e) => panic!("{name}: a valid value does not encode: {e}\n  {value:?}"),
    };
    let back = match T::from_bytes(&bytes) {
        Ok(back) => back,
        Err(e) => panic!(
            "{name}: its encoding does not decode: {e}\n  bytes {:?}",
            &bytes[..]
        ),
    };
    assert_eq!(back, value, "{name}: round trip; bytes {:?}", &bytes[..]);

    let reflected = value.reflect();
    let mut writer = EoWriter::new();
    if let Some((f, a, _)) = ALL_CLIENT_PACKETS.iter().find(|(_, _, n)| *n == name) {
        let packet = ClientPacket::decode(*f, *a, &bytes)
            .unwrap_or_else(|e| panic!("{name}: the client packet enum cannot decode it: {e}"));
        assert_eq!(packet.name(), name);
        assert_eq!(packet.reflect(), reflected, "{name}: through ClientPacket");
        packet.serialize_payload(&mut writer).expect("re-encode");
        assert_eq!(
            writer.as_slice(),
            &bytes[..],
            "{name}: ClientPacket re-encoding"
        );
    } else if let Some((f, a, _)) = ALL_SERVER_PACKETS.iter().find(|(_, _, n)| *n == name) {
        let packet = ServerPacket::decode(*f, *a, &bytes)
            .unwrap_or_else(|e| panic!("{name}: the server packet enum cannot decode it: {e}"));
        assert_eq!(packet.name(), name);
        assert_eq!(packet.reflect(), reflected, "{name}: through ServerPacket");
        packet.serialize_payload(&mut writer).expect("re-encode");
        assert_eq!(
            writer.as_slice(),
            &bytes[..],
            "{name}: ServerPacket re-encoding"
        );
    }
}

/// The first two bytes pick a type (little-endian index, modulo the number of types); the
/// rest builds a valid value of it.
pub fn structured_roundtrip(data: &[u8]) {
    let (index, rest) = match data {
        [lo, hi, rest @ ..] => (
            usize::from(u16::from_le_bytes([*lo, *hi])) % TYPE_COUNT,
            rest,
        ),
        _ => return,
    };
    let mut u = Unstructured::new(rest);
    let mut i = 0usize;
    macro_rules! arm {
        ([$($ours:ident)*] [$($theirs:ident)*] $name:ident) => {
            if i == index {
                check_valid::<eo_protocol::$($ours::)*$name>(stringify!($name), &mut u);
                return;
            }
            i += 1;
        };
    }
    for_each_generated_type!(arm);
    let _ = i;
}

// ---------------------------------------------------------------------------------------------
// Map and pub files
// ---------------------------------------------------------------------------------------------

/// Decodes a file; if that works and it encodes, the encoding decodes to the same value.
pub fn check_file<T>(bytes: &[u8])
where
    T: EoSerialize + PartialEq + Debug + Reflect,
{
    let Ok(first) = T::from_bytes(bytes) else {
        return;
    };
    let _ = first.reflect();
    let Ok(encoded) = first.to_bytes() else {
        return;
    };
    let second = T::from_bytes(&encoded).expect("re-encoded bytes decode");
    assert_eq!(
        second,
        first,
        "decode(encode(decode(x))) != decode(x)\n  re-encoded {:?}",
        &encoded[..]
    );
    assert_eq!(
        second.to_bytes().ok(),
        Some(encoded),
        "encoding is not stable"
    );
}

/// [`check_file`], then the magic-checking reader and the rid helpers.
pub fn check_data_file<T>(bytes: &[u8])
where
    T: DataFile + PartialEq + Debug + Reflect,
{
    check_file::<T>(bytes);
    if let Ok(value) = T::read(bytes) {
        assert_eq!(bytes.get(..3), Some(&T::MAGIC[..]));
        assert_eq!(Ok(value), T::from_bytes(bytes));
    }
    let _ = header_rid(bytes);
    let _ = compute_rid(bytes);
    let mut copy = bytes.to_vec();
    stamp_rid(&mut copy);
    assert_eq!(copy.len(), bytes.len());
}

pub fn emf(data: &[u8]) {
    check_data_file::<Emf>(data);
}

/// The first byte picks the file type (modulo 9): EIF, ENF, ESF, ECF, then the server pub
/// files drops, inns, skill masters, shops, talk.
pub fn pub_files(data: &[u8]) {
    let Some((kind, rest)) = data.split_first() else {
        return;
    };
    match kind % 9 {
        0 => check_data_file::<Eif>(rest),
        1 => check_data_file::<Enf>(rest),
        2 => check_data_file::<Esf>(rest),
        3 => check_data_file::<Ecf>(rest),
        4 => check_file::<DropFile>(rest),
        5 => check_file::<InnFile>(rest),
        6 => check_file::<SkillMasterFile>(rest),
        7 => check_file::<ShopFile>(rest),
        _ => check_file::<TalkFile>(rest),
    }
}

// ---------------------------------------------------------------------------------------------
// The frame codec
// ---------------------------------------------------------------------------------------------

/// A codec_stream input, parsed.
#[derive(Debug)]
pub struct StreamInput {
    /// `Some((server, client))`: `set_multiples` is called with them.
    pub multiples: Option<(u8, u8)>,
    /// Sizes of the successive reads (cycled); `[]`: the whole stream at once.
    pub reads: Vec<usize>,
    pub stream: Vec<u8>,
}

/// Flags of the codec_stream header.
pub const SET_MULTIPLES: u8 = 1;
/// Append one long frame: its body length (2 bytes, little-endian, reduced modulo
/// `MAX_BODY_LEN + 4`) follows the read sizes, and its body is the stream's bytes repeated.
pub const LONG_FRAME: u8 = 2;

/// `[flags, server multiple, client multiple, k, k read sizes (each + 1), (long length),
/// stream...]`
pub fn parse_stream_input(data: &[u8]) -> Option<StreamInput> {
    let (&[flags, server, client, k], rest) = data.split_first_chunk::<4>()?;
    let k = usize::from(k % 16);
    let reads = rest.get(..k)?.iter().map(|&b| usize::from(b) + 1).collect();
    let mut rest = rest.get(k..)?;
    let mut long = None;
    if flags & LONG_FRAME != 0 {
        let (len, tail) = rest.split_first_chunk::<2>()?;
        long = Some(usize::from(u16::from_le_bytes(*len)) % (MAX_BODY_LEN + 4));
        rest = tail;
    }
    let mut stream = rest.to_vec();
    if let Some(len) = long {
        // The prefix as an EO short where it fits (up to 2 bytes past the limit, to hit it).
        let prefix = if len < 253 {
            [len as u8 + 1, 0xFE]
        } else {
            [(len % 253) as u8 + 1, ((len / 253) as u8).saturating_add(1)]
        };
        stream.extend_from_slice(&prefix);
        let body: Vec<u8> = if rest.is_empty() {
            vec![0x42; len]
        } else {
            rest.iter().copied().cycle().take(len).collect()
        };
        stream.extend_from_slice(&body);
    }
    Some(StreamInput {
        multiples: (flags & SET_MULTIPLES != 0).then_some((server, client)),
        reads,
        stream,
    })
}

/// The inverse of [`parse_stream_input`] for inputs without a long frame (for seeds).
pub fn stream_input_bytes(multiples: Option<(u8, u8)>, reads: &[u8], stream: &[u8]) -> Vec<u8> {
    let (flags, server, client) = match multiples {
        Some((s, c)) => (SET_MULTIPLES, s, c),
        None => (0, 0, 0),
    };
    let reads = &reads[..reads.len().min(15)];
    let mut out = vec![flags, server, client, reads.len() as u8];
    out.extend_from_slice(reads);
    out.extend_from_slice(stream);
    out
}

fn new_codec(role: Role, multiples: Option<(u8, u8)>) -> EoCodec {
    let mut codec = EoCodec::new(role);
    if let Some((server, client)) = multiples {
        codec.set_multiples(server, client);
    }
    codec
}

/// What a decoder made of a stream: the bodies, whether it stopped on an error, and (if it
/// did not) the bytes left at the end.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub bodies: Vec<Vec<u8>>,
    pub failed: bool,
    pub left: Vec<u8>,
}

/// Feeds `wire` to `codec` in reads of the given sizes (cycled; all at once if none), decoding
/// after each read as a `FramedRead` does, up to the first error.
pub fn decode_stream(codec: &mut EoCodec, wire: &[u8], reads: &[usize]) -> Outcome {
    let mut buf = BytesMut::new();
    let mut bodies = Vec::new();
    let mut at = 0;
    let mut sizes = reads.iter().cycle();
    loop {
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(body)) => {
                    assert!(
                        (MIN_BODY_LEN..=MAX_BODY_LEN).contains(&body.len()),
                        "a body of {} bytes",
                        body.len()
                    );
                    bodies.push(body.to_vec());
                }
                Ok(None) => break,
                Err(_) => {
                    return Outcome {
                        bodies,
                        failed: true,
                        left: Vec::new(),
                    };
                }
            }
        }
        if at >= wire.len() {
            break;
        }
        let step = sizes
            .next()
            .copied()
            .unwrap_or(wire.len())
            .clamp(1, wire.len() - at);
        buf.extend_from_slice(&wire[at..at + step]);
        at += step;
    }
    let left = buf.to_vec();
    let eof = codec.decode_eof(&mut buf);
    assert_eq!(
        matches!(eof, Err(FrameError::Io(_))),
        !left.is_empty(),
        "decode_eof with {} bytes left: {eof:?}",
        left.len()
    );
    Outcome {
        bodies,
        failed: false,
        left,
    }
}

/// Decodes the stream in both roles, in the input's reads and all at once (the same frames
/// either way), and re-encodes what was decoded with the other end's codec: decoding that
/// gives the same bodies again. Decoded bodies are then read as packets.
pub fn codec_stream(data: &[u8]) {
    let Some(input) = parse_stream_input(data) else {
        return;
    };
    for (role, peer) in [(Role::Server, Role::Client), (Role::Client, Role::Server)] {
        let mut codec = new_codec(role, input.multiples);
        let pieces = decode_stream(&mut codec, &input.stream, &input.reads);
        let whole = decode_stream(&mut new_codec(role, input.multiples), &input.stream, &[]);
        assert_eq!(pieces, whole, "{role:?}: reads change the frames");

        let mut sender = new_codec(peer, input.multiples);
        let mut wire = BytesMut::new();
        for body in &whole.bodies {
            sender
                .encode(&body[..], &mut wire)
                .expect("a decoded body re-encodes");
        }
        let again = decode_stream(&mut new_codec(role, input.multiples), &wire, &[]);
        assert_eq!(
            again.bodies, whole.bodies,
            "{role:?}: re-encoded frames differ"
        );
        assert!(!again.failed && again.left.is_empty());

        for body in &whole.bodies {
            let (action, family) = (body[0], body[1]);
            let (f, a) = (PacketFamily::from(family), PacketAction::from(action));
            match role {
                // Client packets carry a sequence (one byte here) except Init ones.
                Role::Server => {
                    let payload = if family == 0xFF {
                        &body[2..]
                    } else {
                        &body[3.min(body.len())..]
                    };
                    check_packet::<ClientPacket>(f, a, payload, false);
                }
                Role::Client => check_packet::<ServerPacket>(f, a, &body[2..], false),
            }
        }
    }
}
