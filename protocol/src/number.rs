//! EO numbers: little-endian base-253 digits, each written as `digit + 1`, with 0xFE as padding.
//!
//! See BRIEF.md §1 and eo-protocol `docs/encoding.md`. The limits below are *exclusive*: the
//! largest value of each type is one less.

use crate::error::EncodeError;

/// Exclusive limit of an EO `char` (1 byte): 253.
pub const CHAR_MAX: u32 = 253;
/// Exclusive limit of an EO `short` (2 bytes): 253².
pub const SHORT_MAX: u32 = CHAR_MAX * CHAR_MAX;
/// Exclusive limit of an EO `three` (3 bytes): 253³.
pub const THREE_MAX: u32 = SHORT_MAX * CHAR_MAX;
/// Exclusive limit of an EO `int` (4 bytes): 253⁴. Larger than `i32::MAX`, hence `u32`.
pub const INT_MAX: u32 = 4_097_152_081;

// 253⁴ must fit in a u32 (it does: 4 097 152 081 < 4 294 967 296).
const _: () = assert!(INT_MAX as u64 == THREE_MAX as u64 * CHAR_MAX as u64);

/// The padding byte written after the significant digits; a terminator when decoding.
pub(crate) const PAD: u8 = 0xFE;

/// The weight of the digit in each of the four positions.
const WEIGHTS: [u32; 4] = [1, CHAR_MAX, SHORT_MAX, THREE_MAX];

/// EO-encodes `value` into its 4-byte form. Positions past the significant digits are 0xFE.
///
/// A field of N bytes writes the first N of them.
///
/// # Errors
///
/// [`EncodeError::NumberTooLarge`] (kind `"int"`) for values `>= INT_MAX`.
#[inline]
pub fn encode_number(value: u32) -> Result<[u8; 4], EncodeError> {
    if value >= INT_MAX {
        return Err(EncodeError::NumberTooLarge {
            field: "",
            kind: "int",
            value: u64::from(value),
            max: u64::from(INT_MAX - 1),
        });
    }
    Ok(encode_unchecked(value))
}

/// Encodes a value known to be below [`INT_MAX`]. Every digit is at most 252, so every
/// byte is at most 253 and the `as u8` casts are exact.
#[inline]
pub(crate) fn encode_unchecked(value: u32) -> [u8; 4] {
    let mut out = [PAD; 4];
    let mut rest = value;
    if value >= THREE_MAX {
        out[3] = (rest / THREE_MAX + 1) as u8;
        rest %= THREE_MAX;
    }
    if value >= SHORT_MAX {
        out[2] = (rest / SHORT_MAX + 1) as u8;
        rest %= SHORT_MAX;
    }
    if value >= CHAR_MAX {
        out[1] = (rest / CHAR_MAX + 1) as u8;
        rest %= CHAR_MAX;
    }
    out[0] = (rest + 1) as u8;
    out
}

/// Decodes up to the first 4 bytes of `bytes`.
///
/// * 0xFE ends the number (it is padding, never a digit); missing bytes count as 0xFE.
/// * Any other byte `b` adds `(b - 1) * 253^i`, so 0xFF is the digit 254.
/// * The sum is computed in wrapping `u32` arithmetic: a 0x00 byte (never written by an
///   encoder) contributes `-253^i mod 2^32`. This is bit-for-bit eolib 3.3.2's wrapping
///   `i32` result reinterpreted as `u32`.
#[must_use]
#[inline]
pub fn decode_number(bytes: &[u8]) -> u32 {
    let mut result: u32 = 0;
    for (&byte, &weight) in bytes.iter().zip(WEIGHTS.iter()) {
        if byte == PAD {
            break;
        }
        result = result.wrapping_add(u32::from(byte).wrapping_sub(1).wrapping_mul(weight));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// BRIEF.md §1 "Worked examples": value and its 4-byte form.
    const TABLE: &[(u32, [u8; 4])] = &[
        (0, [1, 254, 254, 254]),
        (1, [2, 254, 254, 254]),
        (252, [253, 254, 254, 254]),
        (253, [1, 2, 254, 254]),
        (254, [2, 2, 254, 254]),
        (533, [28, 3, 254, 254]),
        (64_008, [253, 253, 254, 254]),
        (64_009, [1, 1, 2, 254]),
        (888_888, [100, 225, 14, 254]),
        (16_194_276, [253, 253, 253, 254]),
        (16_194_277, [1, 1, 1, 2]),
        (18_994_242, [15, 189, 44, 2]),
        (4_097_152_080, [253, 253, 253, 253]),
    ];

    #[test]
    fn limits() {
        assert_eq!(CHAR_MAX, 253);
        assert_eq!(SHORT_MAX, 64_009);
        assert_eq!(THREE_MAX, 16_194_277);
        assert_eq!(INT_MAX, 4_097_152_081);
    }

    #[test]
    fn worked_examples_encode() {
        for &(value, bytes) in TABLE {
            assert_eq!(encode_number(value), Ok(bytes), "value {value}");
        }
    }

    #[test]
    fn worked_examples_decode() {
        for &(value, bytes) in TABLE {
            assert_eq!(decode_number(&bytes), value, "bytes {bytes:?}");
        }
    }

    #[test]
    fn narrow_field_forms() {
        // "As char / short / three" column: the first N bytes, decoded on their own.
        assert_eq!(&encode_number(0).unwrap()[..1], &[0x01]);
        assert_eq!(&encode_number(0).unwrap()[..2], &[0x01, 0xFE]);
        assert_eq!(&encode_number(0).unwrap()[..3], &[0x01, 0xFE, 0xFE]);
        assert_eq!(&encode_number(1).unwrap()[..2], &[0x02, 0xFE]);
        assert_eq!(&encode_number(252).unwrap()[..1], &[0xFD]);
        assert_eq!(&encode_number(253).unwrap()[..2], &[0x01, 0x02]);
        assert_eq!(&encode_number(64_008).unwrap()[..2], &[0xFD, 0xFD]);
        assert_eq!(&encode_number(64_009).unwrap()[..3], &[0x01, 0x01, 0x02]);
        assert_eq!(
            &encode_number(16_194_276).unwrap()[..3],
            &[0xFD, 0xFD, 0xFD]
        );
        assert_eq!(decode_number(&[0xFD]), 252);
        assert_eq!(decode_number(&[0x01, 0x02]), 253);
        assert_eq!(decode_number(&[0x01, 0x01, 0x02]), 64_009);
    }

    #[test]
    fn decoding_checks() {
        assert_eq!(decode_number(&[0xFE, 0xFE]), 0);
        assert_eq!(decode_number(&[0x01, 0xFE]), 0);
        assert_eq!(decode_number(&[0x1C, 0xFE, 0x03, 0x03]), 27);
        assert_eq!(decode_number(&[0xFE, 0x03, 0x03, 0x03]), 0);
        assert_eq!(decode_number(&[0xFF, 0x7C, 0xCA, 0x31]), 790_222_478);
    }

    #[test]
    fn decoding_edge_cases() {
        assert_eq!(decode_number(&[]), 0);
        // Only the first four bytes count.
        assert_eq!(decode_number(&[2, 1, 1, 1, 5, 5]), 1);
        // 0xFF is digit 254.
        assert_eq!(decode_number(&[0xFF]), 254);
        // 0x00 is digit -1 (wrapping), as in eolib 3.3.2.
        assert_eq!(decode_number(&[0x00]), u32::MAX);
        assert_eq!(decode_number(&[0x01, 0x00]), 0u32.wrapping_sub(253));
        // Largest possible sum wraps rather than panicking.
        let _ = decode_number(&[0xFF, 0xFF, 0xFF, 0xFF]);
        let _ = decode_number(&[0x00, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn encode_rejects_int_max() {
        assert_eq!(
            encode_number(INT_MAX),
            Err(EncodeError::NumberTooLarge {
                field: "",
                kind: "int",
                value: u64::from(INT_MAX),
                max: u64::from(INT_MAX - 1),
            })
        );
        assert!(encode_number(u32::MAX).is_err());
        assert!(encode_number(INT_MAX - 1).is_ok());
    }

    #[test]
    fn exhaustive_round_trip_below_short_max_and_around_limits() {
        for value in 0..SHORT_MAX + 2 * CHAR_MAX {
            assert_eq!(decode_number(&encode_unchecked(value)), value);
        }
        for limit in [CHAR_MAX, SHORT_MAX, THREE_MAX, INT_MAX] {
            for value in limit.saturating_sub(300)..limit {
                let bytes = encode_number(value).unwrap();
                assert_eq!(decode_number(&bytes), value);
            }
        }
    }

    /// Encodes `value` with eolib 3.3.2, whose `encode_number` takes an `i32` and maps a
    /// negative `n` to `|n| + i32::MAX`. Values above `i32::MAX` are reached through that
    /// mapping, so every `u32` below `INT_MAX` can be compared.
    fn eolib_encode(value: u32) -> [u8; 4] {
        let arg = match i32::try_from(value) {
            Ok(v) => v,
            Err(_) => -i32::try_from(value - i32::MAX as u32).unwrap(),
        };
        eolib::data::encode_number(arg).unwrap()
    }

    #[test]
    fn differential_eolib_exhaustive_short_slices() {
        for a in 0..=255u8 {
            let one = [a];
            assert_eq!(decode_number(&one), eolib::data::decode_number(&one) as u32);
            for b in 0..=255u8 {
                let two = [a, b];
                assert_eq!(decode_number(&two), eolib::data::decode_number(&two) as u32);
            }
        }
        assert_eq!(decode_number(&[]), eolib::data::decode_number(&[]) as u32);
    }

    #[test]
    fn differential_eolib_limits() {
        for value in [
            0,
            1,
            252,
            253,
            64_008,
            64_009,
            16_194_276,
            16_194_277,
            i32::MAX as u32,
        ]
        .into_iter()
        .chain([i32::MAX as u32 + 1, INT_MAX - 1])
        {
            assert_eq!(
                encode_number(value).unwrap(),
                eolib_encode(value),
                "value {value}"
            );
        }
    }

    proptest! {
        #[test]
        fn round_trip_char(v in 0..CHAR_MAX) {
            let bytes = encode_number(v).unwrap();
            prop_assert_eq!(&bytes[1..], &[PAD; 3]);
            prop_assert_eq!(decode_number(&bytes[..1]), v);
        }

        #[test]
        fn round_trip_short(v in 0..SHORT_MAX) {
            let bytes = encode_number(v).unwrap();
            prop_assert_eq!(&bytes[2..], &[PAD; 2]);
            prop_assert_eq!(decode_number(&bytes[..2]), v);
        }

        #[test]
        fn round_trip_three(v in 0..THREE_MAX) {
            let bytes = encode_number(v).unwrap();
            prop_assert_eq!(bytes[3], PAD);
            prop_assert_eq!(decode_number(&bytes[..3]), v);
        }

        #[test]
        fn round_trip_int(v in 0..INT_MAX) {
            let bytes = encode_number(v).unwrap();
            // Significant bytes are always 1..=253; never 0xFE, 0xFF or 0x00 mid-number.
            let significant = bytes.iter().take_while(|&&b| b != PAD).count();
            prop_assert!(significant >= 1);
            prop_assert!(bytes[..significant].iter().all(|&b| (1..=253).contains(&b)));
            prop_assert!(bytes[significant..].iter().all(|&b| b == PAD));
            prop_assert_eq!(decode_number(&bytes), v);
        }

        #[test]
        fn encode_rejects_everything_from_int_max(v in INT_MAX..=u32::MAX) {
            prop_assert!(encode_number(v).is_err());
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..8)) {
            let _ = decode_number(&bytes);
        }

        #[test]
        fn differential_eolib_encode(v in 0..INT_MAX) {
            prop_assert_eq!(encode_number(v).unwrap(), eolib_encode(v));
        }

        #[test]
        fn differential_eolib_decode(bytes in proptest::collection::vec(any::<u8>(), 1..=4)) {
            prop_assert_eq!(decode_number(&bytes), eolib::data::decode_number(&bytes) as u32);
        }

        #[test]
        fn differential_eolib_decode_biased(
            bytes in proptest::collection::vec(
                prop_oneof![Just(0u8), Just(1u8), Just(0xFDu8), Just(0xFEu8), Just(0xFFu8), any::<u8>()],
                1..=4,
            )
        ) {
            prop_assert_eq!(decode_number(&bytes), eolib::data::decode_number(&bytes) as u32);
        }
    }
}
