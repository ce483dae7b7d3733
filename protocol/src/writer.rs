//! A writer of EO data into a `BytesMut`.
//!
//! Numbers are range-checked against their type's exclusive limit (unlike eolib 3.3.2, which
//! accepts `add_char(253)` and friends; BRIEF.md §10.9). Strings are written as Windows-1252.

use bytes::BytesMut;

use crate::error::EncodeError;
use crate::number::{CHAR_MAX, INT_MAX, PAD, SHORT_MAX, THREE_MAX, encode_unchecked};
use crate::string::{encode_string, encode_windows_1252};

/// The break / padding byte.
const BREAK: u8 = 0xFF;
/// What sanitization turns a 0xFF inside a string into ('ÿ' becomes 'y').
const SANITIZED: u8 = b'y';

/// What [`EoWriter::new`] reserves: most packets fit, so writing one takes a single
/// allocation instead of growing the buffer from empty (8, 16, 32, ... bytes).
const DEFAULT_CAPACITY: usize = 64;

/// Writes EO values into a growable buffer.
#[derive(Debug, Clone)]
pub struct EoWriter {
    buf: BytesMut,
    string_sanitization: bool,
}

#[inline]
fn too_large(kind: &'static str, value: u32, limit: u32) -> EncodeError {
    EncodeError::NumberTooLarge {
        field: "",
        kind,
        value: u64::from(value),
        max: u64::from(limit) - 1,
    }
}

impl Default for EoWriter {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

impl EoWriter {
    /// An empty writer, with room for a typical packet (64 bytes) reserved.
    #[must_use]
    #[inline]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// An empty writer with room for `n` bytes.
    #[must_use]
    #[inline]
    pub fn with_capacity(n: usize) -> Self {
        Self::from_buf(BytesMut::with_capacity(n))
    }

    /// A writer that appends to `buf` (whatever it already holds is kept).
    #[must_use]
    #[inline]
    pub fn from_buf(buf: BytesMut) -> Self {
        Self {
            buf,
            string_sanitization: false,
        }
    }

    /// Bytes in the buffer.
    #[must_use]
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether the buffer is empty.
    #[must_use]
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes written so far.
    #[must_use]
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// The buffer.
    #[must_use]
    #[inline]
    pub fn into_inner(self) -> BytesMut {
        self.buf
    }

    /// Whether string sanitization is on.
    #[must_use]
    #[inline]
    pub fn string_sanitization(&self) -> bool {
        self.string_sanitization
    }

    /// When on (inside `<chunked>` sections), every 0xFF byte of a string's content written
    /// by the `add_*string` methods is written as `y` (0x79) instead, so it cannot be taken
    /// for a break. The 0xFF *padding* of padded fixed strings is not touched.
    #[inline]
    pub fn set_string_sanitization(&mut self, on: bool) {
        self.string_sanitization = on;
    }

    /// A raw byte.
    #[inline]
    pub fn add_byte(&mut self, v: u8) {
        self.buf.extend_from_slice(&[v]);
    }

    /// Raw bytes (never sanitized).
    #[inline]
    pub fn add_bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }

    /// A 1-byte EO number; at most 252.
    #[inline]
    pub fn add_char(&mut self, v: u8) -> Result<(), EncodeError> {
        if u32::from(v) >= CHAR_MAX {
            return Err(too_large("char", u32::from(v), CHAR_MAX));
        }
        self.buf.extend_from_slice(&[v + 1]);
        Ok(())
    }

    /// A 2-byte EO number; at most 64 008.
    #[inline]
    pub fn add_short(&mut self, v: u16) -> Result<(), EncodeError> {
        let v = u32::from(v);
        if v >= SHORT_MAX {
            return Err(too_large("short", v, SHORT_MAX));
        }
        // Both digits are at most 252, so the casts are exact.
        let bytes = if v >= CHAR_MAX {
            [(v % CHAR_MAX + 1) as u8, (v / CHAR_MAX + 1) as u8]
        } else {
            [(v + 1) as u8, PAD]
        };
        self.buf.extend_from_slice(&bytes);
        Ok(())
    }

    /// A 3-byte EO number; at most 16 194 276.
    #[inline]
    pub fn add_three(&mut self, v: u32) -> Result<(), EncodeError> {
        if v >= THREE_MAX {
            return Err(too_large("three", v, THREE_MAX));
        }
        let [a, b, c, _] = encode_unchecked(v);
        self.buf.extend_from_slice(&[a, b, c]);
        Ok(())
    }

    /// A 4-byte EO number; at most 4 097 152 080.
    #[inline]
    pub fn add_int(&mut self, v: u32) -> Result<(), EncodeError> {
        if v >= INT_MAX {
            return Err(too_large("int", v, INT_MAX));
        }
        self.buf.extend_from_slice(&encode_unchecked(v));
        Ok(())
    }

    /// Encodes `s` as Windows-1252 onto the end of the buffer, sanitizing it if asked, and
    /// returns where it starts.
    #[inline]
    fn push_string(&mut self, s: &str) -> usize {
        let start = self.buf.len();
        if s.is_ascii() {
            // ASCII is its own Windows-1252 form and holds no 0xFF: nothing to sanitize.
            self.buf.extend_from_slice(s.as_bytes());
        } else {
            encode_windows_1252(s, &mut self.buf);
            if self.string_sanitization {
                sanitize(self.buf.get_mut(start..).unwrap_or_default());
            }
        }
        start
    }

    /// Writes `s`, then pads it with 0xFF to `len` bytes if `padded`; on a length mismatch
    /// removes it again and reports the error. Returns where it starts.
    #[inline]
    fn push_fixed_string(
        &mut self,
        s: &str,
        len: usize,
        padded: bool,
    ) -> Result<usize, EncodeError> {
        let start = self.push_string(s);
        let actual = self.buf.len().saturating_sub(start);
        if actual > len || (!padded && actual != len) {
            self.buf.truncate(start);
            return Err(EncodeError::WrongLength {
                field: "",
                expected: len,
                actual,
            });
        }
        self.buf.resize(start.saturating_add(len), BREAK);
        Ok(start)
    }

    /// A Windows-1252 string.
    #[inline]
    pub fn add_string(&mut self, s: &str) {
        self.push_string(s);
    }

    /// A Windows-1252 string of exactly `len` bytes, or (if `padded`) of at most `len` bytes
    /// followed by 0xFF up to `len`. The check is on the Windows-1252 byte length. On error
    /// nothing is written.
    #[inline]
    pub fn add_fixed_string(
        &mut self,
        s: &str,
        len: usize,
        padded: bool,
    ) -> Result<(), EncodeError> {
        self.push_fixed_string(s, len, padded).map(|_| ())
    }

    /// A Windows-1252 string put through [`encode_string`](crate::string::encode_string)
    /// (after sanitization, if on).
    #[inline]
    pub fn add_encoded_string(&mut self, s: &str) {
        let start = self.push_string(s);
        if let Some(written) = self.buf.get_mut(start..) {
            encode_string(written);
        }
    }

    /// As [`add_fixed_string`](Self::add_fixed_string), then the whole `len` bytes, padding
    /// included, are put through [`encode_string`](crate::string::encode_string).
    #[inline]
    pub fn add_fixed_encoded_string(
        &mut self,
        s: &str,
        len: usize,
        padded: bool,
    ) -> Result<(), EncodeError> {
        let start = self.push_fixed_string(s, len, padded)?;
        if let Some(written) = self.buf.get_mut(start..) {
            encode_string(written);
        }
        Ok(())
    }
}

/// Replaces every 0xFF with `y`.
#[inline]
fn sanitize(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == BREAK) {
        *b = SANITIZED;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::{decode_number, encode_number};
    use crate::reader::EoReader;
    use proptest::prelude::*;

    fn err(kind: &'static str, value: u64, max: u64) -> Result<(), EncodeError> {
        Err(EncodeError::NumberTooLarge {
            field: "",
            kind,
            value,
            max,
        })
    }

    #[test]
    fn numbers_worked_examples() {
        let mut w = EoWriter::new();
        w.add_char(0).unwrap();
        w.add_char(1).unwrap();
        w.add_char(252).unwrap();
        w.add_short(0).unwrap();
        w.add_short(253).unwrap();
        w.add_short(64_008).unwrap();
        w.add_three(64_009).unwrap();
        w.add_three(16_194_276).unwrap();
        w.add_int(533).unwrap();
        w.add_int(16_194_277).unwrap();
        w.add_int(4_097_152_080).unwrap();
        assert_eq!(
            w.as_slice(),
            &[
                0x01, 0x02, 0xFD, // chars
                0x01, 0xFE, 0x01, 0x02, 0xFD, 0xFD, // shorts
                0x01, 0x01, 0x02, 0xFD, 0xFD, 0xFD, // threes
                28, 3, 254, 254, 1, 1, 1, 2, 253, 253, 253, 253, // ints
            ]
        );
    }

    #[test]
    fn limits_are_enforced() {
        let mut w = EoWriter::new();
        assert_eq!(w.add_char(252), Ok(()));
        assert_eq!(w.add_char(253), err("char", 253, 252));
        assert_eq!(w.add_char(255), err("char", 255, 252));
        assert_eq!(w.add_short(64_008), Ok(()));
        assert_eq!(w.add_short(64_009), err("short", 64_009, 64_008));
        assert_eq!(w.add_short(u16::MAX), err("short", 65_535, 64_008));
        assert_eq!(w.add_three(16_194_276), Ok(()));
        assert_eq!(
            w.add_three(16_194_277),
            err("three", 16_194_277, 16_194_276)
        );
        assert_eq!(w.add_int(4_097_152_080), Ok(()));
        assert_eq!(
            w.add_int(4_097_152_081),
            err("int", 4_097_152_081, 4_097_152_080)
        );
        assert_eq!(
            w.add_int(u32::MAX),
            err("int", u64::from(u32::MAX), 4_097_152_080)
        );
        // Rejected values write nothing.
        assert_eq!(w.len(), 1 + 2 + 3 + 4);
    }

    #[test]
    fn bytes_and_buffer_access() {
        let mut w = EoWriter::with_capacity(16);
        assert!(w.is_empty());
        w.add_byte(0xFF);
        w.add_bytes(&[0x00, 0xFF]);
        assert_eq!(w.len(), 3);
        assert_eq!(w.as_slice(), &[0xFF, 0x00, 0xFF]);
        let mut w = EoWriter::from_buf(w.into_inner());
        w.add_byte(7);
        assert_eq!(&w.into_inner()[..], &[0xFF, 0x00, 0xFF, 7]);
    }

    #[test]
    fn strings() {
        let mut w = EoWriter::new();
        w.add_string("hi");
        w.add_string("\u{E9}\u{20AC}");
        w.add_encoded_string("Void");
        w.add_encoded_string("Hello");
        assert_eq!(
            w.as_slice(),
            &[
                b'h', b'i', 0xE9, 0x80, 0x69, 0x36, 0x5E, 0x49, 0x5E, 0x33, 0x61, 0x3A, 0x29
            ]
        );
    }

    #[test]
    fn fixed_strings() {
        let mut w = EoWriter::new();
        w.add_fixed_string("abc", 3, false).unwrap();
        w.add_fixed_string("ab", 4, true).unwrap();
        w.add_fixed_string("abcd", 4, true).unwrap();
        assert_eq!(w.as_slice(), b"abcab\xFF\xFFabcd");

        let mut w = EoWriter::new();
        let wrong = |expected, actual| {
            Err(EncodeError::WrongLength {
                field: "",
                expected,
                actual,
            })
        };
        assert_eq!(w.add_fixed_string("ab", 3, false), wrong(3, 2));
        assert_eq!(w.add_fixed_string("abcd", 3, false), wrong(3, 4));
        assert_eq!(w.add_fixed_string("abcd", 3, true), wrong(3, 4));
        assert_eq!(w.add_fixed_encoded_string("abcd", 3, true), wrong(3, 4));
        assert_eq!(w.add_fixed_encoded_string("ab", 3, false), wrong(3, 2));
        assert!(w.is_empty(), "a rejected string writes nothing");

        // The check is on the Windows-1252 length: "é€" is 5 UTF-8 bytes but 2 here.
        assert_eq!(w.add_fixed_string("\u{E9}\u{20AC}", 2, false), Ok(()));
        // An unmappable character is written as an 8-byte reference, "&#12354;".
        assert_eq!(w.add_fixed_string("\u{3042}", 2, true), wrong(2, 8));
        assert_eq!(w.as_slice(), &[0xE9, 0x80]);
    }

    #[test]
    fn fixed_encoded_string_pads_before_encoding() {
        let mut w = EoWriter::new();
        w.add_fixed_encoded_string("Void", 8, true).unwrap();
        let mut expected = b"Void\xFF\xFF\xFF\xFF".to_vec();
        encode_string(&mut expected);
        assert_eq!(w.as_slice(), &expected[..]);
        assert_eq!(&w.as_slice()[..4], &[0xFF; 4]);
        let mut r = EoReader::new(w.as_slice());
        assert_eq!(r.get_fixed_encoded_string(8, true), "Void");

        let mut w = EoWriter::new();
        w.add_fixed_encoded_string("Void", 4, false).unwrap();
        assert_eq!(w.as_slice(), &[0x69, 0x36, 0x5E, 0x49]);
    }

    #[test]
    fn sanitization() {
        let mut w = EoWriter::new();
        assert!(!w.string_sanitization());
        w.add_string("\u{FF}");
        w.set_string_sanitization(true);
        assert!(w.string_sanitization());
        w.add_string("a\u{FF}b");
        w.add_fixed_string("\u{FF}", 3, true).unwrap();
        w.add_byte(0xFF); // raw bytes are not strings: untouched
        w.add_bytes(&[0xFF]);
        assert_eq!(w.as_slice(), b"\xFFayby\xFF\xFF\xFF\xFF");

        // Encoded strings are sanitized before encoding: "ÿ" is encoded as "y" would be.
        let mut w = EoWriter::new();
        w.set_string_sanitization(true);
        w.add_encoded_string("\u{FF}ab");
        w.add_fixed_encoded_string("\u{FF}", 2, true).unwrap();
        let mut first = b"yab".to_vec();
        encode_string(&mut first);
        let mut second = b"y\xFF".to_vec();
        encode_string(&mut second);
        first.extend_from_slice(&second);
        assert_eq!(w.as_slice(), &first[..]);

        w.set_string_sanitization(false);
        w.add_string("\u{FF}");
        assert_eq!(w.as_slice().last(), Some(&0xFF));
    }

    /// BRIEF.md §2: Login_Request("captureacc", "captureaccpw") in a chunked section.
    #[test]
    fn login_request_vector() {
        let mut w = EoWriter::new();
        w.set_string_sanitization(true);
        w.add_string("captureacc");
        w.add_byte(0xFF);
        w.add_string("captureaccpw");
        w.add_byte(0xFF);
        let mut expected = vec![99, 97, 112, 116, 117, 114, 101, 97, 99, 99, 255];
        expected.extend_from_slice(&[99, 97, 112, 116, 117, 114, 101, 97, 99, 99, 112, 119, 255]);
        assert_eq!(w.as_slice(), &expected[..]);
    }

    proptest! {
        #[test]
        fn char_round_trip(v in 0u8..=252) {
            let mut w = EoWriter::new();
            w.add_char(v).unwrap();
            prop_assert_eq!(w.as_slice(), &encode_number(u32::from(v)).unwrap()[..1]);
            prop_assert_eq!(EoReader::new(w.as_slice()).get_char(), v);
        }

        #[test]
        fn char_rejected(v in 253u8..=255) {
            prop_assert!(EoWriter::new().add_char(v).is_err());
        }

        #[test]
        fn short_round_trip(v in 0u16..64_009) {
            let mut w = EoWriter::new();
            w.add_short(v).unwrap();
            prop_assert_eq!(w.as_slice(), &encode_number(u32::from(v)).unwrap()[..2]);
            prop_assert_eq!(EoReader::new(w.as_slice()).get_short(), v);
        }

        #[test]
        fn short_rejected(v in 64_009u16..=u16::MAX) {
            prop_assert!(EoWriter::new().add_short(v).is_err());
        }

        #[test]
        fn three_round_trip(v in 0..THREE_MAX) {
            let mut w = EoWriter::new();
            w.add_three(v).unwrap();
            prop_assert_eq!(w.as_slice(), &encode_number(v).unwrap()[..3]);
            prop_assert_eq!(EoReader::new(w.as_slice()).get_three(), v);
        }

        #[test]
        fn three_rejected(v in THREE_MAX..=u32::MAX) {
            prop_assert!(EoWriter::new().add_three(v).is_err());
        }

        #[test]
        fn int_round_trip(v in 0..INT_MAX) {
            let mut w = EoWriter::new();
            w.add_int(v).unwrap();
            prop_assert_eq!(decode_number(w.as_slice()), v);
            prop_assert_eq!(EoReader::new(w.as_slice()).get_int(), v);
        }

        #[test]
        fn int_rejected(v in INT_MAX..=u32::MAX) {
            prop_assert!(EoWriter::new().add_int(v).is_err());
        }

        #[test]
        fn strings_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..40), pad in 0usize..5) {
            // Any Windows-1252 string survives each string form.
            let s = crate::string::decode_windows_1252(&bytes);
            let mut w = EoWriter::new();
            w.add_string(&s);
            w.add_encoded_string(&s);
            w.add_fixed_string(&s, bytes.len(), false).unwrap();
            w.add_fixed_encoded_string(&s, bytes.len(), false).unwrap();
            let mut r = EoReader::new(w.as_slice());
            prop_assert_eq!(r.get_fixed_string(bytes.len(), false), s.clone());
            prop_assert_eq!(r.get_fixed_encoded_string(bytes.len(), false), s.clone());
            prop_assert_eq!(r.get_fixed_string(bytes.len(), false), s.clone());
            prop_assert_eq!(r.get_encoded_string(), s.clone());
            prop_assert!(!r.ran_out());

            // Padded forms give back the string up to its first 0xFF.
            let cut = crate::string::decode_windows_1252(
                bytes.split(|&b| b == 0xFF).next().unwrap_or(&[]),
            );
            let len = bytes.len() + pad;
            let mut w = EoWriter::new();
            w.add_fixed_string(&s, len, true).unwrap();
            w.add_fixed_encoded_string(&s, len, true).unwrap();
            prop_assert_eq!(w.len(), 2 * len);
            let mut r = EoReader::new(w.as_slice());
            prop_assert_eq!(r.get_fixed_string(len, true), cut.clone());
            prop_assert_eq!(r.get_fixed_encoded_string(len, true), cut);
        }

        #[test]
        fn sanitized_strings_hold_no_break(s in any::<String>(), len in 0usize..64) {
            let mut w = EoWriter::new();
            w.set_string_sanitization(true);
            w.add_string(&s);
            w.add_encoded_string(&s);
            let _ = w.add_fixed_string(&s, len, false);
            let _ = w.add_fixed_encoded_string(&s, len, false);
            prop_assert!(!w.as_slice().contains(&0xFF));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in any::<String>(), len in 0usize..64, padded in any::<bool>()) {
            let mut w = EoWriter::new();
            let before = w.len();
            match w.add_fixed_string(&s, len, padded) {
                Ok(()) => prop_assert_eq!(w.len(), before + len),
                Err(_) => prop_assert_eq!(w.len(), before),
            }
            let before = w.len();
            match w.add_fixed_encoded_string(&s, len, padded) {
                Ok(()) => prop_assert_eq!(w.len(), before + len),
                Err(_) => prop_assert_eq!(w.len(), before),
            }
        }
    }
}
