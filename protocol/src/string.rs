//! EO strings: the Windows-1252 character set and the "encoded string" byte transform.
//!
//! See BRIEF.md §2 and eo-protocol `docs/encoding.md`.

use bytes::BytesMut;
use encoding_rs::{CoderResult, WINDOWS_1252};

/// Decodes Windows-1252 bytes into a `String`.
///
/// Pure-ASCII input (the usual case) is copied straight across; only input holding a byte
/// `>= 0x80` goes through `encoding_rs`. There is no BOM sniffing: `EF BB BF` is "ï»¿" and
/// `FF FE` is "ÿþ", as Windows-1252 says. (eolib 3.3.2 calls `Encoding::decode`, which does
/// sniff a BOM and would decode such strings as UTF-8/UTF-16; we deliberately do not.)
#[must_use]
#[inline]
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    // One ASCII scan, then a copy: UTF-8 validation (`str::from_utf8`) or `encoding_rs`'s
    // Latin-1 pass would scan again, and that scan is most of the cost of the short strings
    // packets carry (callgrind: 9% of decoding the captured game packets). Non-ASCII input
    // is rare on the wire and goes through `encoding_rs`.
    if bytes.is_ascii() {
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        return unsafe { String::from_utf8_unchecked(bytes.to_vec()) };
    }
    decode_slow(bytes)
}

/// As [`decode_windows_1252`], reusing `bytes`' allocation when it is ASCII.
#[inline]
pub(crate) fn decode_windows_1252_owned(bytes: Vec<u8>) -> String {
    if bytes.is_ascii() {
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        return unsafe { String::from_utf8_unchecked(bytes) };
    }
    decode_slow(&bytes)
}

#[cold]
fn decode_slow(bytes: &[u8]) -> String {
    // Every byte has a mapping in WHATWG windows-1252, so this never replaces anything.
    WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

/// Encodes `s` as Windows-1252 and appends the bytes to `out`.
///
/// Characters Windows-1252 cannot represent become HTML decimal numeric character references
/// (`&#NNNN;`), exactly as `encoding_rs`'s encoder for `WINDOWS_1252` writes them. ASCII input
/// is appended directly.
#[inline]
pub fn encode_windows_1252(s: &str, out: &mut BytesMut) {
    if s.is_ascii() {
        out.extend_from_slice(s.as_bytes());
    } else {
        encode_slow(s, out);
    }
}

#[cold]
fn encode_slow(s: &str, out: &mut BytesMut) {
    /// Room for the longest numeric character reference, "&#1114111;".
    const NCR_ROOM: usize = 10;
    let mut encoder = WINDOWS_1252.new_encoder();
    let mut src = s;
    loop {
        let start = out.len();
        // One output byte per input byte is always enough for what can be mapped
        // (Windows-1252 is single-byte and UTF-8 is at least one byte per character);
        // the extra room lets at least one reference through per round.
        let room = src.len().saturating_add(NCR_ROOM);
        out.resize(start.saturating_add(room), 0);
        let (result, read, written) = match out.get_mut(start..) {
            Some(dst) => {
                let (result, read, written, _) = encoder.encode_from_utf8(src, dst, true);
                (result, read, written)
            }
            None => (CoderResult::InputEmpty, 0, 0),
        };
        out.truncate(start.saturating_add(written));
        src = src.get(read..).unwrap_or("");
        // The second test only guards against a non-progressing encoder (cannot happen).
        if result == CoderResult::InputEmpty || (read == 0 && written == 0) {
            break;
        }
    }
}

/// Bytes in this range are changed by the invert step; everything else is left alone.
///
/// NOTE: the eo-protocol spec (`encoding.md`) and eolib-ts/-java/-python write the range as
/// `0x22..=0x7E`, but that makes 0x7E ('~') map to 0x21 or 0x4F, which do not map back, so the
/// transform would not round-trip. eolib 3.3.2 (Rust) uses `0x22..=0x7D` (34..=125), which
/// is a true mirror (BRIEF.md §2: "mirror within 0x22..0x7D"). We follow eolib 3.3.2 so that
/// encode/decode are inverses and agree with the crate we interoperate with. The two rules
/// differ only for a 0x7E byte.
const INVERT_LO: u8 = 0x22;
const INVERT_HI: u8 = 0x7D;

/// The invert step: walk the bytes with a flag that starts true for an odd length and
/// toggles after each byte. Bytes in `0x22..=0x7D` are mirrored: within the whole range when
/// the flag is false (`0x9F - c`), within `0x22..=0x4F` or `0x50..=0x7D` when it is true.
#[inline]
fn invert(bytes: &mut [u8]) {
    let mut flippy = bytes.len() % 2 == 1;
    for b in bytes.iter_mut() {
        let c = *b;
        if (INVERT_LO..=INVERT_HI).contains(&c) {
            // No overflow: c is in 0x22..=0x7D, so each result stays in that range.
            *b = if !flippy {
                0x9F - c
            } else if c < 0x50 {
                0x9F - 0x2E - c
            } else {
                0x9F + 0x2E - c
            };
        }
        flippy = !flippy;
    }
}

/// The EO string encoding, in place: invert, then reverse.
#[inline]
pub fn encode_string(bytes: &mut [u8]) {
    invert(bytes);
    bytes.reverse();
}

/// The EO string decoding, in place: reverse, then invert. The inverse of [`encode_string`].
#[inline]
pub fn decode_string(bytes: &mut [u8]) {
    bytes.reverse();
    invert(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// BRIEF.md §2 "Encoded-string vectors".
    const VECTORS: &[(&[u8], &[u8])] = &[
        (b"Void", &[0x69, 0x36, 0x5E, 0x49]),
        (b"Hello", &[0x5E, 0x33, 0x61, 0x3A, 0x29]),
        (b"abc", &[0x6A, 0x3D, 0x6C]),
        (b"Aeven!", &[0x21, 0x31, 0x68, 0x29, 0x68, 0x5E]),
        (b"a b", &[0x6B, 0x20, 0x6C]),
    ];

    #[test]
    fn encoded_string_vectors() {
        for &(plain, encoded) in VECTORS {
            let mut buf = plain.to_vec();
            encode_string(&mut buf);
            assert_eq!(
                buf,
                encoded,
                "encoding {:?}",
                String::from_utf8_lossy(plain)
            );
            decode_string(&mut buf);
            assert_eq!(buf, plain);
            let mut buf = encoded.to_vec();
            decode_string(&mut buf);
            assert_eq!(buf, plain);
        }
        assert_eq!(VECTORS[0].1, b"i6^I");
    }

    #[test]
    fn untouched_bytes() {
        // Space, 0xFF, high bytes and controls are left alone (only moved by the reverse).
        let mut buf = vec![0x20, 0xFF, 0x80, 0x00, 0x21, 0x7E];
        encode_string(&mut buf);
        assert_eq!(buf, vec![0x7E, 0x21, 0x00, 0x80, 0xFF, 0x20]);
        let mut empty: [u8; 0] = [];
        encode_string(&mut empty);
        decode_string(&mut empty);
    }

    #[test]
    fn padded_encoding_keeps_padding() {
        // Pad with 0xFF before encoding: the 0xFFs survive (at the front after the reverse).
        let mut buf = b"Void".to_vec();
        buf.extend_from_slice(&[0xFF; 4]);
        encode_string(&mut buf);
        assert_eq!(&buf[..4], &[0xFF; 4]);
        decode_string(&mut buf);
        assert_eq!(&buf[..4], b"Void");
        assert_eq!(&buf[4..], &[0xFF; 4]);
    }

    #[test]
    fn windows_1252_ascii() {
        assert_eq!(decode_windows_1252(b"hello"), "hello");
        assert_eq!(decode_windows_1252(b""), "");
        let mut out = BytesMut::new();
        encode_windows_1252("hello", &mut out);
        assert_eq!(&out[..], b"hello");
    }

    #[test]
    fn windows_1252_high_bytes() {
        assert_eq!(
            decode_windows_1252(&[0x80, 0xE9, 0xFF]),
            "\u{20AC}\u{E9}\u{FF}"
        );
        // No BOM sniffing.
        assert_eq!(
            decode_windows_1252(&[0xEF, 0xBB, 0xBF, b'A']),
            "\u{EF}\u{BB}\u{BF}A"
        );
        assert_eq!(decode_windows_1252(&[0xFF, 0xFE, b'A']), "\u{FF}\u{FE}A");
        let mut out = BytesMut::new();
        encode_windows_1252("€é ÿ", &mut out);
        assert_eq!(&out[..], &[0x80, 0xE9, 0x20, 0xFF]);
    }

    #[test]
    fn windows_1252_unmappable_is_ncr() {
        let mut out = BytesMut::from(&b"x"[..]);
        encode_windows_1252("a\u{3042}b\u{1F600}", &mut out);
        assert_eq!(&out[..], b"xa&#12354;b&#128512;");
        // Many references in a row (the encoder loop must grow the buffer repeatedly).
        let s: String = std::iter::repeat_n('\u{1F600}', 50).collect();
        let mut out = BytesMut::new();
        encode_windows_1252(&s, &mut out);
        assert_eq!(out.len(), 50 * "&#128512;".len());
        assert_eq!(&out[..], &WINDOWS_1252.encode(&s).0[..]);
    }

    #[test]
    fn owned_decode_matches() {
        assert_eq!(decode_windows_1252_owned(b"abc".to_vec()), "abc");
        assert_eq!(decode_windows_1252_owned(vec![b'a', 0x80]), "a\u{20AC}");
        assert_eq!(decode_windows_1252_owned(Vec::new()), "");
    }

    #[test]
    fn all_bytes_round_trip_through_windows_1252() {
        let all: Vec<u8> = (0..=255u8).collect();
        let s = decode_windows_1252(&all);
        let mut out = BytesMut::new();
        encode_windows_1252(&s, &mut out);
        assert_eq!(&out[..], &all[..]);
    }

    proptest! {
        #[test]
        fn string_transform_is_an_involution_pair(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut buf = bytes.clone();
            encode_string(&mut buf);
            prop_assert_eq!(buf.len(), bytes.len());
            decode_string(&mut buf);
            prop_assert_eq!(&buf, &bytes);
            decode_string(&mut buf);
            encode_string(&mut buf);
            prop_assert_eq!(&buf, &bytes);
        }

        #[test]
        fn differential_eolib_string_transform(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut ours = bytes.clone();
            let mut theirs = bytes.clone();
            encode_string(&mut ours);
            eolib::data::encode_string(&mut theirs);
            prop_assert_eq!(&ours, &theirs);
            let mut ours = bytes.clone();
            let mut theirs = bytes.clone();
            decode_string(&mut ours);
            eolib::data::decode_string(&mut theirs);
            prop_assert_eq!(&ours, &theirs);
        }

        #[test]
        fn windows_1252_matches_encoding_rs(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let s = decode_windows_1252(&bytes);
            prop_assert_eq!(&s, &WINDOWS_1252.decode_without_bom_handling(&bytes).0);
            prop_assert_eq!(&decode_windows_1252_owned(bytes.clone()), &s);
            let mut out = BytesMut::new();
            encode_windows_1252(&s, &mut out);
            prop_assert_eq!(&out[..], &bytes[..]);
        }

        #[test]
        fn windows_1252_encoder_matches_encoding_rs(s in any::<String>()) {
            let mut out = BytesMut::new();
            encode_windows_1252(&s, &mut out);
            prop_assert_eq!(&out[..], &WINDOWS_1252.encode(&s).0[..]);
        }
    }
}
