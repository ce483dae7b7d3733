//! Decode / encode throughput on the captured-packet mix: this crate against eolib 3.3.2, in
//! the same run.
//!
//! The mix is every capture in `fixtures/captured-packets/{client,server}` once (what the
//! official v28 client and server sent). For each capture both crates get the same work:
//!
//! * decode: payload bytes -> an owned typed value of that capture's packet type (dropped
//!   afterwards, in the timed loop, for both). Both read the same `bytes::Bytes`, built once
//!   before the loop: ours borrows it (`T::from_shared(&bytes)`, whose blobs, the file
//!   contents, are slices of it), eolib takes a clone per packet (a reference-count
//!   increment, no copy; `T::deserialize(&EoReader::new(bytes))`), since that is the input
//!   its reader takes.
//! * encode: the typed value (decoded once, before the loop) -> bytes in a fresh writer,
//!   whose buffer is taken out (`into_inner` for ours, `to_byte_array` for eolib) and dropped.
//! * encode-presized: the same into a writer created with the payload's length as its
//!   capacity (`with_capacity`, both crates), which takes the buffer's growth out of the
//!   comparison and leaves the serialization code alone.
//! * roundtrip: decode then encode (fresh writer).
//!
//! Both crates are called through the same harness: one function pointer (decode) or one
//! trait-object call (encode) per capture, so the per-packet dispatch cost is the same. The
//! `ours-dispatch` rows decode through `ClientPacket::decode` / `ServerPacket::decode` (the
//! server's real path: a match on family and action) and encode through `serialize_payload`,
//! for information; eolib has no such enum.
//!
//! Throughput is in payload bytes of the mix. After criterion's groups, a timed loop of
//! interleaved short rounds (ours, eolib, ours, eolib, ...) prints MB/s and packets/s from the
//! best round of each, and the ratio (eolib's time over ours), so the ratio comes from the
//! same run and is robust to other load on the machine. The same summary follows for the mix
//! without the five `Init_Init` file transfers (pub and map files: 93 % of the mix's bytes,
//! mostly a byte copy for both crates) and for the client packets alone.
//!
//! `PACKETS_ONLY=decode-ours:20000` (any `{decode,encode,encode-presized,roundtrip}-{ours,
//! eolib}`, `-ours-dispatch` for decode and encode, a `-game` suffix for the mix without the
//! file transfers) runs just that loop, for `valgrind --tool=callgrind` or `perf`.

#[path = "../tests/generated/all_types.rs"]
#[macro_use]
mod all_types;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use criterion::{Criterion, Throughput};
use eo_protocol::net::client::{ALL_CLIENT_PACKETS, ClientPacket};
use eo_protocol::net::server::{ALL_SERVER_PACKETS, ServerPacket};
use eo_protocol::net::{PacketAction, PacketFamily};

/// Encoding a pre-decoded value into a fresh writer; one implementation per crate.
trait Encode {
    /// Into `EoWriter::new()`.
    fn encode(&self);
    /// Into `EoWriter::with_capacity(capacity)`.
    fn encode_presized(&self, capacity: usize);
}

struct Ours<T>(T);
struct Eolib<T>(T);

impl<T: eo_protocol::EoSerialize> Encode for Ours<T> {
    #[inline(never)]
    fn encode(&self) {
        let mut writer = eo_protocol::EoWriter::new();
        let result = self.0.serialize(&mut writer);
        black_box(result.is_ok());
        black_box(writer.into_inner());
    }

    #[inline(never)]
    fn encode_presized(&self, capacity: usize) {
        let mut writer = eo_protocol::EoWriter::with_capacity(capacity);
        let result = self.0.serialize(&mut writer);
        black_box(result.is_ok());
        black_box(writer.into_inner());
    }
}

impl<T: eolib::data::EoSerialize> Encode for Eolib<T> {
    #[inline(never)]
    fn encode(&self) {
        let mut writer = eolib::data::EoWriter::new();
        let result = self.0.serialize(&mut writer);
        black_box(result.is_ok());
        black_box(writer.to_byte_array());
    }

    #[inline(never)]
    fn encode_presized(&self, capacity: usize) {
        let mut writer = eolib::data::EoWriter::with_capacity(capacity);
        let result = self.0.serialize(&mut writer);
        black_box(result.is_ok());
        black_box(writer.to_byte_array());
    }
}

#[inline(never)]
fn ours_decode<T: eo_protocol::EoSerialize>(payload: &Bytes) {
    let _ = black_box(T::from_shared(black_box(payload)));
}

#[inline(never)]
fn eolib_decode<T: eolib::data::EoSerialize>(payload: &Bytes) {
    let reader = eolib::data::EoReader::new(black_box(payload.clone()));
    let _ = black_box(T::deserialize(&reader));
}

#[inline(never)]
fn ours_roundtrip<T: eo_protocol::EoSerialize>(payload: &Bytes) {
    if let Ok(value) = T::from_shared(black_box(payload)) {
        let mut writer = eo_protocol::EoWriter::new();
        black_box(value.serialize(&mut writer).is_ok());
        black_box(writer.into_inner());
    }
}

#[inline(never)]
fn eolib_roundtrip<T: eolib::data::EoSerialize>(payload: &Bytes) {
    let reader = eolib::data::EoReader::new(black_box(payload.clone()));
    if let Ok(value) = T::deserialize(&reader) {
        let mut writer = eolib::data::EoWriter::new();
        black_box(value.serialize(&mut writer).is_ok());
        black_box(writer.to_byte_array());
    }
}

/// Which side sent the capture.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

/// The decoded packet as our dispatching enums hold it. (Built once per capture and only
/// borrowed in the timed loops, so the size of `ServerPacket` does not matter here.)
#[allow(clippy::large_enum_variant)]
enum Dispatched {
    Client(ClientPacket),
    Server(ServerPacket),
}

/// One capture, with both crates' functions for its packet type.
struct Case {
    file: String,
    side: Side,
    family: PacketFamily,
    action: PacketAction,
    payload: Vec<u8>,
    shared: Bytes,
    ours_decode: fn(&Bytes),
    eolib_decode: fn(&Bytes),
    ours_roundtrip: fn(&Bytes),
    eolib_roundtrip: fn(&Bytes),
    ours_value: Box<dyn Encode>,
    eolib_value: Box<dyn Encode>,
    dispatched: Dispatched,
}

/// The per-type parts of a [`Case`], checked: both crates decode the payload and re-encode
/// it to the same bytes.
struct TypeParts {
    ours_decode: fn(&Bytes),
    eolib_decode: fn(&Bytes),
    ours_roundtrip: fn(&Bytes),
    eolib_roundtrip: fn(&Bytes),
    ours_value: Box<dyn Encode>,
    eolib_value: Box<dyn Encode>,
}

fn parts<O, E>(payload: &[u8]) -> Result<TypeParts, String>
where
    O: eo_protocol::EoSerialize + 'static,
    E: eolib::data::EoSerialize + 'static,
{
    let ours = O::from_bytes(payload).map_err(|e| format!("ours: {e}"))?;
    let ours_bytes = ours.to_bytes().map_err(|e| format!("ours: {e}"))?;
    if ours_bytes[..] != payload[..] {
        return Err("ours re-encodes different bytes".into());
    }
    let reader = eolib::data::EoReader::new(Bytes::copy_from_slice(payload));
    let theirs = E::deserialize(&reader).map_err(|e| format!("eolib: {e}"))?;
    let mut writer = eolib::data::EoWriter::new();
    theirs
        .serialize(&mut writer)
        .map_err(|e| format!("eolib: {e}"))?;
    if writer.to_byte_array()[..] != payload[..] {
        return Err("eolib re-encodes different bytes".into());
    }
    Ok(TypeParts {
        ours_decode: ours_decode::<O>,
        eolib_decode: eolib_decode::<E>,
        ours_roundtrip: ours_roundtrip::<O>,
        eolib_roundtrip: eolib_roundtrip::<E>,
        ours_value: Box::new(Ours(ours)),
        eolib_value: Box::new(Eolib(theirs)),
    })
}

/// The parts for the type named `name` (both crates use the spec's names).
fn parts_for(name: &str, payload: &[u8]) -> Option<Result<TypeParts, String>> {
    macro_rules! arm {
        ([$($ours:ident)*] [$($theirs:ident)*] $ty:ident) => {
            if name == stringify!($ty) {
                return Some(parts::<
                    eo_protocol::$($ours::)*$ty,
                    eolib::protocol::$($theirs::)*$ty,
                >(payload));
            }
        };
    }
    for_each_generated_type!(arm);
    None
}

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/captured-packets")
}

fn load_side(side: Side, cases: &mut Vec<Case>) {
    let (dir, suffix, table) = match side {
        Side::Client => ("client", "ClientPacket", ALL_CLIENT_PACKETS),
        Side::Server => ("server", "ServerPacket", ALL_SERVER_PACKETS),
    };
    let dir = captures_dir().join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let payload = base64::engine::general_purpose::STANDARD
            .decode(json["expected"].as_str().unwrap())
            .unwrap();
        let name = format!(
            "{}{}{suffix}",
            json["family"].as_str().unwrap(),
            json["action"].as_str().unwrap()
        );
        let &(family, action, _) = table
            .iter()
            .find(|(_, _, n)| *n == name)
            .unwrap_or_else(|| panic!("{file}: we have no packet type {name}"));
        let parts = parts_for(&name, &payload)
            .unwrap_or_else(|| panic!("{file}: no type {name} in all_types.rs"))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let dispatched = match side {
            Side::Client => {
                Dispatched::Client(ClientPacket::decode(family, action, &payload).unwrap())
            }
            Side::Server => {
                Dispatched::Server(ServerPacket::decode(family, action, &payload).unwrap())
            }
        };
        cases.push(Case {
            file,
            side,
            family,
            action,
            shared: Bytes::copy_from_slice(&payload),
            payload,
            ours_decode: parts.ours_decode,
            eolib_decode: parts.eolib_decode,
            ours_roundtrip: parts.ours_roundtrip,
            eolib_roundtrip: parts.eolib_roundtrip,
            ours_value: parts.ours_value,
            eolib_value: parts.eolib_value,
            dispatched,
        });
    }
}

fn load() -> Vec<Case> {
    let mut cases = Vec::new();
    load_side(Side::Client, &mut cases);
    load_side(Side::Server, &mut cases);
    assert!(!cases.is_empty(), "no captures found");
    cases
}

// One pass over the mix, per crate and operation. These are what both criterion and the
// summary time.

fn decode_ours(mix: &[&Case]) {
    for case in mix {
        (case.ours_decode)(&case.shared);
    }
}

fn decode_eolib(mix: &[&Case]) {
    for case in mix {
        (case.eolib_decode)(&case.shared);
    }
}

fn decode_ours_dispatch(mix: &[&Case]) {
    for case in mix {
        let payload = black_box(&case.shared);
        match case.side {
            Side::Client => {
                let _ = black_box(ClientPacket::decode_shared(
                    case.family,
                    case.action,
                    payload,
                ));
            }
            Side::Server => {
                let _ = black_box(ServerPacket::decode_shared(
                    case.family,
                    case.action,
                    payload,
                ));
            }
        }
    }
}

fn encode_ours(mix: &[&Case]) {
    for case in mix {
        case.ours_value.encode();
    }
}

fn encode_eolib(mix: &[&Case]) {
    for case in mix {
        case.eolib_value.encode();
    }
}

fn encode_ours_dispatch(mix: &[&Case]) {
    for case in mix {
        let mut writer = eo_protocol::EoWriter::new();
        let result = match &case.dispatched {
            Dispatched::Client(packet) => packet.serialize_payload(&mut writer),
            Dispatched::Server(packet) => packet.serialize_payload(&mut writer),
        };
        black_box(result.is_ok());
        black_box(writer.into_inner());
    }
}

fn encode_presized_ours(mix: &[&Case]) {
    for case in mix {
        case.ours_value
            .encode_presized(black_box(case.payload.len()));
    }
}

fn encode_presized_eolib(mix: &[&Case]) {
    for case in mix {
        case.eolib_value
            .encode_presized(black_box(case.payload.len()));
    }
}

fn roundtrip_ours(mix: &[&Case]) {
    for case in mix {
        (case.ours_roundtrip)(&case.shared);
    }
}

fn roundtrip_eolib(mix: &[&Case]) {
    for case in mix {
        (case.eolib_roundtrip)(&case.shared);
    }
}

type MixFn = fn(&[&Case]);

/// The operations compared: name, ours, eolib, and ours through the dispatching enums.
const OPERATIONS: &[(&str, MixFn, MixFn, Option<MixFn>)] = &[
    (
        "decode",
        decode_ours,
        decode_eolib,
        Some(decode_ours_dispatch),
    ),
    (
        "encode",
        encode_ours,
        encode_eolib,
        Some(encode_ours_dispatch),
    ),
    (
        "encode-presized",
        encode_presized_ours,
        encode_presized_eolib,
        None,
    ),
    ("roundtrip", roundtrip_ours, roundtrip_eolib, None),
];

fn total_bytes(mix: &[&Case]) -> u64 {
    mix.iter().map(|c| c.payload.len() as u64).sum()
}

/// The five `Init_Init` replies that carry a pub or map file.
fn is_file_transfer(case: &Case) -> bool {
    case.side == Side::Server
        && case.family == PacketFamily::Init
        && case.action == PacketAction::Init
        && case.payload.len() > 500
}

fn criterion_groups(c: &mut Criterion, mix: &[&Case]) {
    for &(op, ours, eolib, dispatch) in OPERATIONS {
        let mut group = c.benchmark_group(format!("{op}-mix"));
        group.throughput(Throughput::Bytes(total_bytes(mix)));
        group.bench_function("ours", |b| b.iter(|| ours(black_box(mix))));
        group.bench_function("eolib", |b| b.iter(|| eolib(black_box(mix))));
        if let Some(dispatch) = dispatch {
            group.bench_function("ours-dispatch", |b| b.iter(|| dispatch(black_box(mix))));
        }
        group.finish();
    }
}

/// Seconds per pass of `f` over `mix`, timed over `passes` passes.
fn time_passes(f: MixFn, mix: &[&Case], passes: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..passes {
        f(black_box(mix));
    }
    start.elapsed().as_secs_f64() / f64::from(passes)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds per pass of each of `fs`: the best and the median of interleaved rounds (ours,
/// eolib, ours-dispatch, ours, eolib, ...). Other load on the machine only ever adds time, so
/// the best round is the closest to the code's own speed; rounds are short (a few
/// milliseconds) so that some of them run undisturbed.
fn compare(fs: &[MixFn], mix: &[&Case], budget: Duration) -> Vec<(f64, f64)> {
    const ROUNDS: usize = 201;
    let probe = fs
        .iter()
        .map(|&f| time_passes(f, mix, 3))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let per_round = budget.as_secs_f64() / ROUNDS as f64 / fs.len() as f64;
    let passes = ((per_round / probe) as u32).max(1);
    let mut times = vec![Vec::with_capacity(ROUNDS); fs.len()];
    for _ in 0..ROUNDS {
        for (i, &f) in fs.iter().enumerate() {
            times[i].push(time_passes(f, mix, passes));
        }
    }
    times
        .into_iter()
        .map(|t| (t.iter().copied().fold(f64::INFINITY, f64::min), median(t)))
        .collect()
}

fn summary(title: &str, mix: &[&Case]) {
    let bytes = total_bytes(mix) as f64;
    let packets = mix.len() as f64;
    println!(
        "\n{title}: {} packets, {} payload bytes per pass (best of interleaved rounds; \
         ratio = eolib time / our time, median-round ratio in brackets)",
        mix.len(),
        total_bytes(mix)
    );
    for &(op, ours, eolib, dispatch) in OPERATIONS {
        let mut fs = vec![ours, eolib];
        fs.extend(dispatch);
        let secs = compare(&fs, mix, Duration::from_secs(3));
        let rate = |(best, _): (f64, f64)| {
            format!(
                "{:.1} MB/s ({:.2} M packets/s)",
                bytes / best / 1e6,
                packets / best / 1e6
            )
        };
        let ratio = |theirs: (f64, f64), ours: (f64, f64)| {
            format!("{:.2} [{:.2}]", theirs.0 / ours.0, theirs.1 / ours.1)
        };
        let mut line = format!(
            "{op}: ours {}, eolib {}, ratio {}",
            rate(secs[0]),
            rate(secs[1]),
            ratio(secs[1], secs[0])
        );
        if let Some(&dispatched) = secs.get(2) {
            line.push_str(&format!(
                "; ours-dispatch {}, ratio {}",
                rate(dispatched),
                ratio(secs[1], dispatched)
            ));
        }
        println!("{line}");
    }
}

fn profile_only(spec: &str, mix: &[&Case], game: &[&Case]) {
    let (what, passes) = spec.split_once(':').unwrap_or((spec, "1000"));
    let passes: u32 = passes.parse().expect("PACKETS_ONLY=op-crate[:passes]");
    let (what, mix) = match what.strip_suffix("-game") {
        Some(w) => (w, game),
        None => (what, mix),
    };
    let f = OPERATIONS
        .iter()
        .flat_map(|&(op, ours, eolib, dispatch)| {
            let mut v = vec![(format!("{op}-ours"), ours), (format!("{op}-eolib"), eolib)];
            v.extend(dispatch.map(|d| (format!("{op}-ours-dispatch"), d)));
            v
        })
        .find(|(name, _)| name == what)
        .map(|(_, f)| f)
        .unwrap_or_else(|| panic!("unknown operation {what}"));
    println!(
        "size_of: ClientPacket {} bytes, ServerPacket {} bytes",
        std::mem::size_of::<ClientPacket>(),
        std::mem::size_of::<ServerPacket>()
    );
    let secs = time_passes(f, mix, passes);
    println!(
        "{what}: {passes} passes, {:.2} us per pass, {:.1} MB/s",
        secs * 1e6,
        total_bytes(mix) as f64 / secs / 1e6
    );
}

fn main() {
    let cases = load();
    let mix: Vec<&Case> = cases.iter().collect();
    let game: Vec<&Case> = cases.iter().filter(|c| !is_file_transfer(c)).collect();
    let files: Vec<&str> = cases
        .iter()
        .filter(|c| is_file_transfer(c))
        .map(|c| c.file.as_str())
        .collect();
    assert_eq!(files.len(), 5, "file transfers: {files:?}");

    // Profiling hook: `PACKETS_ONLY=decode-ours:20000` runs one operation on the mix that many
    // times and exits (for `valgrind --tool=callgrind` or `perf`), skipping criterion.
    if let Ok(only) = std::env::var("PACKETS_ONLY") {
        profile_only(&only, &mix, &game);
        return;
    }

    let mut c = Criterion::default().configure_from_args();
    criterion_groups(&mut c, &mix);
    c.final_summary();

    // `--list` and `--test` (cargo test --benches) only check that the benchmarks run.
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    summary("mix (every capture once)", &mix);
    summary("mix without the 5 file transfers", &game);
    let client: Vec<&Case> = cases.iter().filter(|c| c.side == Side::Client).collect();
    summary("client packets only (what a server decodes)", &client);
}
