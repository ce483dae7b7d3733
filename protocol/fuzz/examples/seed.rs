//! Writes the seed corpora of the fuzz targets: `cargo run --example seed -- CORPUS_DIR`
//! (`seed.sh` runs it). Seeds are named `seed-*`; other files in the corpora (what fuzzing
//! found) are left alone.
//!
//! * packet targets: the captured packets (fixtures/captured-packets), behind their family and
//!   action bytes;
//! * codec_stream: those packets framed as each end sends them, with and without encryption;
//! * emf, pub_files: files built from valid random values (fixtures/ has no EMF or pub file);
//! * structured_roundtrip: a type index and random bytes for every struct and packet.

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine as _;
use bytes::BytesMut;
use eo_protocol::EoSerialize;
use eo_protocol::codec::{EoCodec, Role};
use eo_protocol::map::Emf;
use eo_protocol::net::client::ALL_CLIENT_PACKETS;
use eo_protocol::net::server::ALL_SERVER_PACKETS;
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::pubs::server::{DropFile, InnFile, ShopFile, SkillMasterFile, TalkFile};
use eo_protocol::pubs::{Ecf, Eif, Enf, Esf};
use eo_protocol_fuzz::{TYPE_COUNT, stream_input_bytes, type_names};
use tokio_util::codec::Encoder;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A captured packet: its family and action bytes and its payload.
struct Capture {
    name: String,
    family: u8,
    action: u8,
    payload: Vec<u8>,
}

fn load(
    dir: &Path,
    suffix: &str,
    table: &[(PacketFamily, PacketAction, &str)],
) -> Result<Vec<Capture>> {
    let mut out = Vec::new();
    for dir in [dir.to_path_buf(), dir.join("original")] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
            let field = |k: &str| json[k].as_str().unwrap_or_default().to_owned();
            let type_name = format!("{}{}{suffix}Packet", field("family"), field("action"));
            let Some((f, a, _)) = table.iter().find(|(_, _, n)| *n == type_name) else {
                return Err(format!("{}: no packet type {type_name}", path.display()).into());
            };
            let payload = base64::engine::general_purpose::STANDARD.decode(field("expected"))?;
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            let original = if dir.ends_with("original") {
                "-original"
            } else {
                ""
            };
            out.push(Capture {
                name: format!("{suffix}-{stem}{original}"),
                family: u8::try_from(f.to_u32())?,
                action: u8::try_from(a.to_u32())?,
                payload,
            });
        }
    }
    Ok(out)
}

/// Deterministic bytes for `arbitrary` (SplitMix64).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// The encodings of a few valid values of `T`.
fn valid_files<T>(seeds: u64, len: usize) -> Vec<Vec<u8>>
where
    T: EoSerialize + for<'a> Arbitrary<'a>,
{
    (0..seeds)
        .filter_map(|seed| {
            let bytes = noise(seed, len);
            let value = T::arbitrary(&mut Unstructured::new(&bytes)).ok()?;
            value.to_bytes().ok().map(|b| b.to_vec())
        })
        .collect()
}

struct Corpus {
    root: PathBuf,
}

impl Corpus {
    fn write(&self, target: &str, name: &str, data: &[u8]) -> Result<()> {
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("seed-{name}")), data)?;
        Ok(())
    }
}

/// A body as its sender writes it: action, family, a sequence byte for client packets
/// (except Init), the payload.
fn body(cap: &Capture, client: bool) -> Vec<u8> {
    let mut body = vec![cap.action, cap.family];
    if client && cap.family != 0xFF {
        body.push(0x05);
    }
    body.extend_from_slice(&cap.payload);
    body
}

/// Frames `bodies` as `sender` writes them.
fn frames(sender: Role, multiples: Option<(u8, u8)>, bodies: &[Vec<u8>]) -> Result<Vec<u8>> {
    let mut codec = EoCodec::new(sender);
    if let Some((server, client)) = multiples {
        codec.set_multiples(server, client);
    }
    let mut wire = BytesMut::new();
    for body in bodies {
        codec.encode(&body[..], &mut wire)?;
    }
    Ok(wire.to_vec())
}

fn main() -> Result<()> {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: seed CORPUS_DIR")?;
    let corpus = Corpus { root };
    let captures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/captured-packets");
    let client = load(&captures.join("client"), "Client", ALL_CLIENT_PACKETS)?;
    let server = load(&captures.join("server"), "Server", ALL_SERVER_PACKETS)?;
    let mut count = 0usize;

    for (side, caps) in [("client_packet", &client), ("server_packet", &server)] {
        for cap in caps.iter() {
            let data = [&[cap.family, cap.action][..], &cap.payload].concat();
            corpus.write(side, &cap.name, &data)?;
            corpus.write("roundtrip", &cap.name, &data)?;
            count += 2;
        }
    }

    // Frames: every packet alone (plain, and encrypted with the captured multiples 6 and 12),
    // and each side's packets in one stream read in small pieces.
    let multiples = Some((6, 12));
    for (sender, caps, is_client) in [
        (Role::Client, &client, true),
        (Role::Server, &server, false),
    ] {
        let bodies: Vec<Vec<u8>> = caps.iter().map(|c| body(c, is_client)).collect();
        for (cap, body) in caps.iter().zip(&bodies) {
            let plain = frames(sender, None, std::slice::from_ref(body))?;
            corpus.write(
                "codec_stream",
                &format!("{}-plain", cap.name),
                &stream_input_bytes(None, &[], &plain),
            )?;
            let encrypted = frames(sender, multiples, std::slice::from_ref(body))?;
            corpus.write(
                "codec_stream",
                &format!("{}-encrypted", cap.name),
                &stream_input_bytes(multiples, &[0, 2, 6], &encrypted),
            )?;
            count += 2;
        }
        let side = if is_client { "client" } else { "server" };
        let all = frames(sender, multiples, &bodies)?;
        corpus.write(
            "codec_stream",
            &format!("all-{side}"),
            &stream_input_bytes(multiples, &[0, 16, 200, 3], &all),
        )?;
        count += 1;
    }

    for (i, file) in valid_files::<Emf>(8, 4096).iter().enumerate() {
        corpus.write("emf", &format!("valid-{i}"), file)?;
        count += 1;
    }

    let pubs: [(&str, Vec<Vec<u8>>); 9] = [
        ("eif", valid_files::<Eif>(4, 2048)),
        ("enf", valid_files::<Enf>(4, 2048)),
        ("esf", valid_files::<Esf>(4, 2048)),
        ("ecf", valid_files::<Ecf>(4, 2048)),
        ("drops", valid_files::<DropFile>(4, 1024)),
        ("inns", valid_files::<InnFile>(4, 1024)),
        ("skill-masters", valid_files::<SkillMasterFile>(4, 1024)),
        ("shops", valid_files::<ShopFile>(4, 1024)),
        ("talk", valid_files::<TalkFile>(4, 1024)),
    ];
    for (kind, (name, files)) in pubs.iter().enumerate() {
        for (i, file) in files.iter().enumerate() {
            let data = [&[kind as u8][..], file].concat();
            corpus.write("pub_files", &format!("{name}-{i}"), &data)?;
            count += 1;
        }
    }

    let names = type_names();
    assert_eq!(names.len(), TYPE_COUNT);
    for (index, name) in names.iter().enumerate() {
        let index = u16::try_from(index)?;
        let data = [&index.to_le_bytes()[..], &noise(u64::from(index), 256)].concat();
        corpus.write("structured_roundtrip", name, &data)?;
        count += 1;
    }

    println!("{count} seeds written to {}", corpus.root.display());
    Ok(())
}
