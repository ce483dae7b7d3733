//! A zero-copy reader of EO data, with the spec's chunked ("break") reading mode.
//!
//! Reading never fails and never panics: a read past the end of the data (or, in chunked
//! mode, past the end of the current chunk) returns what is there, with missing raw bytes
//! reading as 0x00, missing number bytes as 0xFE and strings truncated, and sets
//! [`EoReader::ran_out`]. See BRIEF.md §2 and eo-protocol `docs/chunks.md`.

use crate::error::DecodeError;
use crate::number::{PAD, decode_number};
use crate::string::{decode_string, decode_windows_1252, decode_windows_1252_owned};

/// The break byte of chunked mode.
const BREAK: u8 = 0xFF;

/// Reads EO values from a byte slice.
///
/// Invariants: `position <= data.len()`; `next_break`, once computed, is `<= data.len()`; `end`
/// is `next_break` in chunked mode and `data.len()` otherwise.
#[derive(Debug, Clone)]
pub struct EoReader<'a> {
    data: &'a [u8],
    /// The buffer `data` views, when the reader was made from one: blobs are then slices of
    /// it (a reference count, no copy).
    shared: Option<&'a bytes::Bytes>,
    position: usize,
    /// Where reads stop: the end of the current chunk in chunked mode, otherwise the end of
    /// the data. Kept up to date by the mode and chunk changes so reads need not work it out.
    end: usize,
    chunked: bool,
    chunk_start: usize,
    /// The index of the 0xFF ending the current chunk, or `data.len()` if there is none.
    /// `None` until chunked mode is first enabled.
    next_break: Option<usize>,
    ran_out: bool,
}

impl<'a> EoReader<'a> {
    /// A reader at the start of `data`, not in chunked mode.
    #[must_use]
    #[inline]
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            shared: None,
            position: 0,
            end: data.len(),
            chunked: false,
            chunk_start: 0,
            next_break: None,
            ran_out: false,
        }
    }

    /// A reader at the start of `data`, whose blobs ([`get_blob`](Self::get_blob)) share
    /// `data`'s buffer instead of copying it.
    #[must_use]
    #[inline]
    pub fn new_shared(data: &'a bytes::Bytes) -> Self {
        Self {
            shared: Some(data),
            ..Self::new(data)
        }
    }

    /// Bytes that can still be read: up to the next break in chunked mode (0 if the position
    /// is already past it), otherwise up to the end of the data.
    #[must_use]
    #[inline]
    pub fn remaining(&self) -> usize {
        self.end.saturating_sub(self.position)
    }

    /// The current offset into the data.
    #[must_use]
    #[inline]
    pub fn position(&self) -> usize {
        self.position
    }

    /// True once the position is at the end of the whole input (whatever the chunks).
    #[must_use]
    #[inline]
    pub fn is_exhausted(&self) -> bool {
        self.position >= self.data.len()
    }

    /// True once any read asked for more bytes than [`remaining`](Self::remaining) offered.
    #[must_use]
    #[inline]
    pub fn ran_out(&self) -> bool {
        self.ran_out
    }

    /// Whether chunked reading mode is on.
    #[must_use]
    #[inline]
    pub fn chunked_reading_mode(&self) -> bool {
        self.chunked
    }

    /// Turns chunked reading mode on or off.
    ///
    /// The first time it is turned on, the end of the current chunk is found by searching for
    /// the first 0xFF from `chunk_start`, which is still 0 then: that is, from the *start of
    /// the data*, not from the current position. This is the spec's "double-read" rule
    /// (chunks.md: "seek to the first 0xFF byte in the input data"): fields read before
    /// chunking started may have run over the first break (`PLAYERS_AGREE` reads the leading
    /// 0xFF as its count), and the first `next_chunk` then lands just after that first break,
    /// possibly moving the position backwards.
    ///
    /// Known deviation: eolib 3.3.2 searches from the current position instead. With
    /// chunks.md's double-read example (`FF 7C CA 31` read as an int, then chunked), eolib's
    /// first `next_chunk` finds no break ahead and goes to the end of the data, so the char
    /// and short after it read as 0; the official client (and this reader) read 123 and 12345.
    ///
    /// Later calls keep the chunk boundary already found.
    #[inline]
    pub fn set_chunked_reading_mode(&mut self, enabled: bool) {
        self.chunked = enabled;
        let len = self.data.len();
        self.end = if enabled {
            let brk = match self.next_break {
                Some(brk) => brk,
                None => self.find_break(self.chunk_start),
            };
            self.next_break = Some(brk);
            brk.min(len)
        } else {
            len
        };
    }

    /// Moves to the start of the next chunk: just past the 0xFF that ends the current one
    /// (skipping any unread bytes of the current chunk), or to the end of the data if the
    /// current chunk is the last.
    ///
    /// # Errors
    ///
    /// [`DecodeError::NotChunked`] outside chunked reading mode (a caller bug, not bad input);
    /// the reader is then unchanged.
    pub fn next_chunk(&mut self) -> Result<(), DecodeError> {
        if !self.chunked {
            return Err(DecodeError::NotChunked {
                what: "break",
                offset: self.position,
            });
        }
        let len = self.data.len();
        let brk = self.next_break.unwrap_or(len).min(len);
        self.position = if brk < len { brk + 1 } else { len };
        self.chunk_start = self.position;
        let brk = self.find_break(self.position);
        self.next_break = Some(brk);
        self.end = brk;
        Ok(())
    }

    /// The index of the first 0xFF at or after `from`, or `data.len()`.
    #[inline]
    fn find_break(&self, from: usize) -> usize {
        self.data
            .get(from..)
            .and_then(find_ff)
            .map_or(self.data.len(), |i| from.saturating_add(i))
    }

    /// Takes up to `len` bytes (no more than [`remaining`](Self::remaining)) and advances
    /// past them. Sets `ran_out` if fewer than `len` were available.
    #[inline]
    fn take(&mut self, len: usize) -> &'a [u8] {
        let available = self.remaining();
        let n = if len > available {
            self.ran_out = true;
            available
        } else {
            len
        };
        let start = self.position;
        let end = start.saturating_add(n);
        match self.data.get(start..end) {
            Some(bytes) => {
                self.position = end;
                bytes
            }
            None => &[],
        }
    }

    /// Takes one byte, if one is left (otherwise sets `ran_out`).
    #[inline]
    fn take_one(&mut self) -> Option<u8> {
        if self.position < self.end {
            let byte = self.data.get(self.position).copied();
            if byte.is_some() {
                self.position += 1;
            }
            byte
        } else {
            self.ran_out = true;
            None
        }
    }

    /// Takes the `N` bytes of a number, missing bytes reading as 0xFE (which `decode_number`
    /// treats as the end of the number, as it does a short slice). The usual case, all `N`
    /// bytes there, is a fixed-size copy the number decoding can unroll.
    #[inline]
    fn take_number<const N: usize>(&mut self) -> [u8; N] {
        let start = self.position;
        let end = start.checked_add(N).filter(|&end| end <= self.end);
        if let Some((end, Ok(bytes))) =
            end.and_then(|end| Some((end, <[u8; N]>::try_from(self.data.get(start..end)?))))
        {
            self.position = end;
            return bytes;
        }
        self.take_number_short()
    }

    /// [`take_number`](Self::take_number) when fewer than `N` bytes are left.
    #[inline(never)]
    fn take_number_short<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [PAD; N];
        for (slot, &byte) in out.iter_mut().zip(self.take(N)) {
            *slot = byte;
        }
        out
    }

    /// A raw byte; 0x00 if none is left.
    #[inline]
    pub fn get_byte(&mut self) -> u8 {
        self.take_one().unwrap_or(0)
    }

    /// Up to `len` raw bytes, borrowed from the input.
    #[inline]
    pub fn get_bytes(&mut self, len: usize) -> &'a [u8] {
        self.take(len)
    }

    /// Up to `len` bytes as an owned [`bytes::Bytes`]: a slice of the shared buffer for a
    /// reader made by [`new_shared`](Self::new_shared), otherwise a copy.
    #[inline]
    pub fn get_blob(&mut self, len: usize) -> bytes::Bytes {
        let start = self.position;
        let taken = self.take(len);
        let end = start.saturating_add(taken.len());
        match self.shared {
            Some(shared) if end <= shared.len() => shared.slice(start..end),
            _ => bytes::Bytes::copy_from_slice(taken),
        }
    }

    /// A 1-byte EO number. A missing byte reads as 0xFE, that is 0.
    #[inline]
    pub fn get_char(&mut self) -> u8 {
        // decode_number of one byte b is b - 1 (wrapping), and 0xFE stops at 0.
        match self.take_one() {
            Some(b) if b != PAD => b.wrapping_sub(1),
            _ => 0,
        }
    }

    /// A 2-byte EO number (truncated to `u16` if malformed bytes give a larger value).
    #[inline]
    pub fn get_short(&mut self) -> u16 {
        decode_number(&self.take_number::<2>()) as u16
    }

    /// A 3-byte EO number.
    #[inline]
    pub fn get_three(&mut self) -> u32 {
        decode_number(&self.take_number::<3>())
    }

    /// A 4-byte EO number.
    #[inline]
    pub fn get_int(&mut self) -> u32 {
        decode_number(&self.take_number::<4>())
    }

    /// All remaining bytes (the rest of the chunk in chunked mode) as a Windows-1252 string.
    #[inline]
    pub fn get_string(&mut self) -> String {
        let len = self.remaining();
        decode_windows_1252(self.take(len))
    }

    /// A string of `len` bytes (fewer if the data or chunk ends first). If `padded`, the
    /// string ends at the first 0xFF (the whole `len` bytes are consumed regardless).
    #[inline]
    pub fn get_fixed_string(&mut self, len: usize, padded: bool) -> String {
        let bytes = self.take(len);
        let bytes = if padded { cut_at_break(bytes) } else { bytes };
        decode_windows_1252(bytes)
    }

    /// All remaining bytes as an encoded string: decoded with
    /// [`decode_string`](crate::string::decode_string), then as Windows-1252.
    #[inline]
    pub fn get_encoded_string(&mut self) -> String {
        let len = self.remaining();
        self.get_fixed_encoded_string(len, false)
    }

    /// An encoded string of `len` bytes (fewer if the data or chunk ends first): the bytes
    /// are decoded first, then, if `padded`, cut at the first 0xFF.
    pub fn get_fixed_encoded_string(&mut self, len: usize, padded: bool) -> String {
        let mut buf = self.take(len).to_vec();
        decode_string(&mut buf);
        if padded {
            let end = buf.iter().position(|&b| b == BREAK).unwrap_or(buf.len());
            buf.truncate(end);
        }
        decode_windows_1252_owned(buf)
    }
}

/// The index of the first 0xFF in `hay`.
///
/// Chunks are short (names, a few numbers), so this looks at 8 bytes per step with the usual
/// "has a zero byte" bit trick on the inverted word (0xFF bytes become 0x00), which is well
/// ahead of a byte loop for typical chunk lengths, and finishes the tail byte by byte.
#[inline]
fn find_ff(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut words = hay.chunks_exact(8);
    let mut base = 0usize;
    for word in &mut words {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break; // cannot happen: chunks_exact yields 8-byte slices
        };
        let x = !u64::from_le_bytes(word);
        // The lowest set bit marks the first zero byte of x (borrows only reach higher bytes).
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == BREAK)
        .map(|i| base + i)
}

/// `bytes` up to (not including) the first 0xFF.
#[inline]
fn cut_at_break(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == BREAK) {
        Some(end) => bytes.get(..end).unwrap_or(bytes),
        None => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_reads() {
        let data = [
            0x05, // byte
            0x0C, // char 11
            0x1C, 0x03, // short 533
            0x64, 0xE1, 0x0E, // three 888888
            0x0F, 0xBD, 0x2C, 0x02, // int 18994242
            b'h', b'i',
        ];
        let mut r = EoReader::new(&data);
        assert_eq!(r.remaining(), 13);
        assert_eq!(r.get_byte(), 5);
        assert_eq!(r.get_char(), 11);
        assert_eq!(r.get_short(), 533);
        assert_eq!(r.get_three(), 888_888);
        assert_eq!(r.get_int(), 18_994_242);
        assert_eq!(r.position(), 11);
        assert!(!r.is_exhausted());
        assert_eq!(r.get_string(), "hi");
        assert!(r.is_exhausted());
        assert!(!r.ran_out());
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn worked_number_vectors_through_reader() {
        let mut r = EoReader::new(&[0x1C, 0xFE, 0x03, 0x03]);
        assert_eq!(r.get_int(), 27);
        let mut r = EoReader::new(&[0xFE, 0x03, 0x03, 0x03]);
        assert_eq!(r.get_int(), 0);
        let mut r = EoReader::new(&[0xFF, 0x7C, 0xCA, 0x31]);
        assert_eq!(r.get_int(), 790_222_478);
        let mut r = EoReader::new(&[0xFD, 0xFD, 0xFD, 0xFD]);
        assert_eq!(r.get_int(), 4_097_152_080);
        let mut r = EoReader::new(&[0xFD, 0xFD]);
        assert_eq!(r.get_short(), 64_008);
        let mut r = EoReader::new(&[0xFF, 0x00]);
        assert_eq!(r.get_char(), 254);
        assert_eq!(r.get_char(), 255); // 0x00 is digit -1, wrapping
    }

    #[test]
    fn over_read_at_end_of_data() {
        let mut r = EoReader::new(&[0x02]);
        assert_eq!(r.get_short(), 1); // 02 + missing (0xFE)
        assert!(r.ran_out());
        assert!(r.is_exhausted());
        assert_eq!(r.get_byte(), 0);
        assert_eq!(r.get_char(), 0);
        assert_eq!(r.get_int(), 0);
        assert_eq!(r.get_bytes(3), &[] as &[u8]);
        assert_eq!(r.get_string(), "");
        assert_eq!(r.get_fixed_string(4, false), "");
        assert_eq!(r.position(), 1);

        let mut r = EoReader::new(b"abc");
        assert_eq!(r.get_fixed_string(2, false), "ab");
        assert!(!r.ran_out());
        assert_eq!(r.get_fixed_string(5, false), "c");
        assert!(r.ran_out());

        // get_string never runs out: it asks only for what is there.
        let mut r = EoReader::new(b"");
        assert_eq!(r.get_string(), "");
        assert_eq!(r.get_encoded_string(), "");
        assert!(!r.ran_out());
    }

    #[test]
    fn get_blob_shares_a_shared_buffer_and_copies_otherwise() {
        let data = bytes::Bytes::from_static(&[1, 2, 3, 4, 5]);
        let mut shared = EoReader::new_shared(&data);
        shared.get_byte();
        let blob = shared.get_blob(10);
        assert_eq!(&blob[..], &[2, 3, 4, 5]);
        assert!(shared.ran_out());
        assert!(std::ptr::eq(blob.as_ptr(), data[1..].as_ptr()));

        let mut plain = EoReader::new(&data);
        plain.get_byte();
        let copy = plain.get_blob(2);
        assert_eq!(&copy[..], &[2, 3]);
        assert!(!std::ptr::eq(copy.as_ptr(), data[1..].as_ptr()));
        assert_eq!(plain.position(), 3);
    }

    #[test]
    fn get_bytes_is_borrowed() {
        let data = [1u8, 2, 3, 4];
        let bytes;
        {
            let mut r = EoReader::new(&data);
            r.get_byte();
            bytes = r.get_bytes(2);
        }
        assert_eq!(bytes, &[2, 3]);
        assert!(std::ptr::eq(bytes.as_ptr(), data[1..].as_ptr()));
    }

    #[test]
    fn fixed_strings_padded() {
        let mut r = EoReader::new(b"ab\xFF\xFFcd");
        assert_eq!(r.get_fixed_string(4, true), "ab");
        assert_eq!(r.position(), 4);
        assert_eq!(r.get_fixed_string(2, true), "cd");
        let mut r = EoReader::new(b"ab\xFF\xFF");
        assert_eq!(r.get_fixed_string(4, false), "ab\u{FF}\u{FF}");
    }

    #[test]
    fn encoded_strings() {
        let mut r = EoReader::new(&[0x69, 0x36, 0x5E, 0x49]);
        assert_eq!(r.get_encoded_string(), "Void");
        let mut r = EoReader::new(&[0x5E, 0x33, 0x61, 0x3A, 0x29, 0x6A, 0x3D, 0x6C]);
        assert_eq!(r.get_fixed_encoded_string(5, false), "Hello");
        assert_eq!(r.get_fixed_encoded_string(3, true), "abc");

        // "Void" padded with 0xFF to 8 bytes, then encoded: 0xFFs come first on the wire.
        let mut padded = b"Void\xFF\xFF\xFF\xFF".to_vec();
        crate::string::encode_string(&mut padded);
        let mut r = EoReader::new(&padded);
        assert_eq!(r.get_fixed_encoded_string(8, true), "Void");
        assert!(r.is_exhausted());
        let mut r = EoReader::new(&padded);
        assert_eq!(
            r.get_fixed_encoded_string(8, false),
            "Void\u{FF}\u{FF}\u{FF}\u{FF}"
        );
    }

    #[test]
    fn windows_1252_in_strings() {
        let mut r = EoReader::new(&[b'c', 0xE9, 0x80]);
        assert_eq!(r.get_string(), "c\u{E9}\u{20AC}");
    }

    #[test]
    fn next_chunk_outside_chunked_mode_is_an_error() {
        let mut r = EoReader::new(&[1, 0xFF, 2]);
        r.get_byte();
        assert_eq!(
            r.next_chunk(),
            Err(DecodeError::NotChunked {
                what: "break",
                offset: 1
            })
        );
        assert_eq!(r.position(), 1);
    }

    /// BRIEF.md §2: Login_Request("captureacc", "captureaccpw").
    #[test]
    fn login_request_chunks() {
        let mut data = b"captureacc".to_vec();
        data.push(0xFF);
        data.extend_from_slice(b"captureaccpw");
        data.push(0xFF);
        let mut r = EoReader::new(&data);
        r.set_chunked_reading_mode(true);
        assert_eq!(r.remaining(), 10);
        assert_eq!(r.get_string(), "captureacc");
        assert_eq!(r.remaining(), 0);
        r.next_chunk().unwrap();
        assert_eq!(r.get_string(), "captureaccpw");
        r.next_chunk().unwrap();
        assert!(r.is_exhausted());
        assert!(!r.ran_out());
        // Further chunks are empty.
        r.next_chunk().unwrap();
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.get_string(), "");
    }

    /// chunks.md "Under-read": unread bytes of a chunk are skipped at the break.
    #[test]
    fn under_read_garbage_is_skipped() {
        let mut data = vec![0x7C];
        data.extend_from_slice(b"garbage");
        data.extend_from_slice(&[0xFF, 0xCA, 0x31]);
        let mut r = EoReader::new(&data);
        r.set_chunked_reading_mode(true);
        assert_eq!(r.get_char(), 123);
        r.next_chunk().unwrap();
        assert_eq!(r.get_short(), 12345);
        assert!(!r.ran_out());
        assert!(r.is_exhausted());
    }

    /// chunks.md "Over-read": reading past the chunk end gives 0 / empty, the 0xFF stays.
    #[test]
    fn over_read_stops_at_the_break() {
        let data = [0xFF, 0x7C];
        let mut r = EoReader::new(&data);
        r.set_chunked_reading_mode(true);
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.get_int(), 0);
        assert!(r.ran_out());
        assert_eq!(r.position(), 0);
        assert_eq!(r.get_byte(), 0);
        assert_eq!(r.get_string(), "");
        assert_eq!(r.get_fixed_string(3, false), "");
        assert_eq!(r.get_bytes(3), &[] as &[u8]);
        r.next_chunk().unwrap();
        assert_eq!(r.get_short(), 123);
        assert!(r.is_exhausted());

        // A string over-read is truncated at the break.
        let mut r = EoReader::new(b"ab\xFFcd");
        r.set_chunked_reading_mode(true);
        assert_eq!(r.get_fixed_string(4, false), "ab");
        assert!(r.ran_out());
        assert_eq!(r.get_byte(), 0);
        r.next_chunk().unwrap();
        assert_eq!(r.get_string(), "cd");
    }

    /// chunks.md "Double-read": `FF 7C CA 31` read as an int, then chunked.
    #[test]
    fn double_read() {
        let data = [0xFF, 0x7C, 0xCA, 0x31];
        let mut r = EoReader::new(&data);
        assert_eq!(r.get_int(), 790_222_478);
        assert!(r.is_exhausted());
        r.set_chunked_reading_mode(true);
        // The break is searched for from the start of the data, so it is behind us.
        assert_eq!(r.remaining(), 0);
        r.next_chunk().unwrap();
        assert_eq!(r.position(), 1);
        assert_eq!(r.get_char(), 123);
        assert_eq!(r.get_short(), 12345);
        assert!(!r.ran_out());
    }

    /// The documented deviation: eolib 3.3.2 searches for the first break from the current
    /// position, so it loses the double-read example's bar and baz.
    #[test]
    fn double_read_differs_from_eolib() {
        let data = [0xFF, 0x7C, 0xCA, 0x31];
        let theirs = eolib::data::EoReader::new(bytes::Bytes::copy_from_slice(&data));
        assert_eq!(theirs.get_int() as u32, 790_222_478);
        theirs.set_chunked_reading_mode(true);
        theirs.next_chunk().unwrap();
        assert_eq!((theirs.get_char(), theirs.get_short()), (0, 0));

        let mut ours = EoReader::new(&data);
        ours.get_int();
        ours.set_chunked_reading_mode(true);
        ours.next_chunk().unwrap();
        assert_eq!((ours.get_char(), ours.get_short()), (123, 12345));
    }

    /// chunks.md "A practical example": PLAYERS_AGREE as the official server sends it,
    /// `break, CharacterMapInfo, break, char 1`, read as the client expects it.
    #[test]
    fn players_agree_leading_break() {
        let mut record = vec![b'n', b'a', b'm', b'e'];
        record.extend_from_slice(&[0x02; 38]); // 42-byte stand-in record
        let mut data = vec![0xFF];
        data.extend_from_slice(&record);
        data.push(0xFF);
        data.push(0x02); // char 1
        let mut r = EoReader::new(&data);
        // characters_count is read before chunking and swallows the break: 254.
        let count = r.get_char();
        assert_eq!(count, 254);
        r.set_chunked_reading_mode(true);
        r.next_chunk().unwrap(); // discards the (empty) first chunk
        let mut records = Vec::new();
        for _ in 0..count {
            if r.remaining() >= 42 {
                records.push(r.get_bytes(42));
            }
            r.next_chunk().unwrap();
        }
        assert_eq!(records, vec![&record[..]]);
        // NPC and item chunks are empty.
        assert_eq!(r.remaining(), 0);
        r.next_chunk().unwrap();
        assert_eq!(r.remaining(), 0);
        assert!(r.is_exhausted());
    }

    #[test]
    fn chunked_mode_toggles_keep_the_boundary() {
        let data = [0x02, 0x03, 0xFF, 0x04, 0xFF, 0x05];
        let mut r = EoReader::new(&data);
        r.set_chunked_reading_mode(true);
        assert!(r.chunked_reading_mode());
        assert_eq!(r.get_char(), 1);
        r.set_chunked_reading_mode(false);
        assert_eq!(r.remaining(), 5);
        r.set_chunked_reading_mode(true);
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.get_char(), 2);
        r.next_chunk().unwrap();
        assert_eq!(r.get_char(), 3);
        r.next_chunk().unwrap();
        assert_eq!(r.get_char(), 4);
        assert!(r.is_exhausted());
        // Disabling before any enable computes nothing; later enable still searches from 0.
        let mut r = EoReader::new(&data);
        r.set_chunked_reading_mode(false);
        r.get_bytes(4);
        r.set_chunked_reading_mode(true);
        r.next_chunk().unwrap();
        assert_eq!(r.position(), 3);
    }

    #[test]
    fn find_ff_matches_a_byte_search() {
        for len in 0..40 {
            for at in 0..=len {
                let mut hay = vec![0xFEu8; len];
                if let Some(b) = hay.get_mut(at) {
                    *b = 0xFF;
                }
                let expected = hay.iter().position(|&b| b == 0xFF);
                assert_eq!(find_ff(&hay), expected, "len {len} at {at}");
                // Bytes after the first 0xFF do not matter.
                hay.iter_mut().skip(at + 1).for_each(|b| *b = 0xFF);
                assert_eq!(find_ff(&hay), expected);
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Byte,
        Bytes(usize),
        Char,
        Short,
        Three,
        Int,
        String,
        FixedString(usize, bool),
        EncodedString,
        FixedEncodedString(usize, bool),
        SetChunked(bool),
        NextChunk,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Byte),
            (0usize..8).prop_map(Op::Bytes),
            Just(Op::Char),
            Just(Op::Short),
            Just(Op::Three),
            Just(Op::Int),
            Just(Op::String),
            (0usize..8, any::<bool>()).prop_map(|(n, p)| Op::FixedString(n, p)),
            Just(Op::EncodedString),
            (0usize..8, any::<bool>()).prop_map(|(n, p)| Op::FixedEncodedString(n, p)),
            any::<bool>().prop_map(Op::SetChunked),
            Just(Op::NextChunk),
            // Huge lengths must not overflow anything.
            Just(Op::Bytes(usize::MAX)),
            Just(Op::FixedString(usize::MAX, true)),
            Just(Op::FixedEncodedString(usize::MAX, false)),
        ]
    }

    fn data() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![3 => any::<u8>(), 1 => Just(0xFFu8), 1 => Just(0xFEu8)],
            0..32,
        )
    }

    proptest! {
        #[test]
        fn arbitrary_calls_never_panic(data in data(), ops in proptest::collection::vec(op(), 0..40)) {
            let mut r = EoReader::new(&data);
            for op in ops {
                let before = r.position();
                let remaining = r.remaining();
                let ran_out = r.ran_out();
                // How many bytes the op asks for (None: not a read).
                let wanted = match op {
                    Op::Byte => { r.get_byte(); Some(1) }
                    Op::Char => { r.get_char(); Some(1) }
                    Op::Bytes(n) => { let b = r.get_bytes(n); prop_assert_eq!(b.len(), n.min(remaining)); Some(n) }
                    Op::Short => { r.get_short(); Some(2) }
                    Op::Three => { r.get_three(); Some(3) }
                    Op::Int => { r.get_int(); Some(4) }
                    Op::String => { r.get_string(); Some(remaining) }
                    Op::FixedString(n, p) => { r.get_fixed_string(n, p); Some(n) }
                    Op::EncodedString => { r.get_encoded_string(); Some(remaining) }
                    Op::FixedEncodedString(n, p) => { r.get_fixed_encoded_string(n, p); Some(n) }
                    Op::SetChunked(on) => { r.set_chunked_reading_mode(on); None }
                    Op::NextChunk => {
                        let result = r.next_chunk();
                        prop_assert_eq!(result.is_ok(), r.chunked_reading_mode());
                        None
                    }
                };
                prop_assert!(r.position() <= data.len());
                if let Some(n) = wanted {
                    prop_assert_eq!(r.position(), before + n.min(remaining));
                    prop_assert_eq!(r.ran_out(), ran_out || n > remaining);
                }
                prop_assert_eq!(r.is_exhausted(), r.position() >= data.len());
            }
        }

        #[test]
        fn numbers_match_decode_number(data in proptest::collection::vec(any::<u8>(), 0..8)) {
            let mut r = EoReader::new(&data);
            prop_assert_eq!(r.get_int(), decode_number(&data));
            let mut r = EoReader::new(&data);
            prop_assert_eq!(r.get_three(), decode_number(data.get(..3).unwrap_or(&data)));
            let mut r = EoReader::new(&data);
            prop_assert_eq!(r.get_short(), decode_number(data.get(..2).unwrap_or(&data)) as u16);
            let mut r = EoReader::new(&data);
            prop_assert_eq!(r.get_char(), decode_number(data.get(..1).unwrap_or(&data)) as u8);
        }

        #[test]
        fn find_ff_agrees(hay in proptest::collection::vec(
            prop_oneof![4 => any::<u8>(), 1 => Just(0xFFu8), 1 => Just(0x00u8), 1 => Just(0x7Fu8), 1 => Just(0x80u8)],
            0..80,
        )) {
            prop_assert_eq!(find_ff(&hay), hay.iter().position(|&b| b == 0xFF));
        }

        /// Chunked reading of arbitrary data yields exactly the 0xFF-separated pieces.
        #[test]
        fn chunks_are_the_split_pieces(data in data()) {
            let mut r = EoReader::new(&data);
            r.set_chunked_reading_mode(true);
            let mut pieces = Vec::new();
            loop {
                let len = r.remaining();
                pieces.push(r.get_bytes(len));
                if r.is_exhausted() {
                    break;
                }
                r.next_chunk().unwrap();
            }
            let expected: Vec<&[u8]> = data.split(|&b| b == 0xFF).collect();
            prop_assert_eq!(pieces, expected);
        }
    }
}
