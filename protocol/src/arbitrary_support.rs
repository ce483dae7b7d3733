//! Helpers for the generated `arbitrary::Arbitrary` impls (feature `arbitrary`).
//!
//! They build *valid* values: numbers below their type's limit, strings that Windows-1252 can
//! hold and that contain no 0xFF (a break), switch data that matches its field. So every
//! generated value must survive encode -> decode unchanged, which the round-trip and eolib
//! differential tests and the fuzzers rely on.

use arbitrary::{Result, Unstructured};

/// Characters a generated string is made of: ASCII letters, digits, punctuation and space,
/// and a few characters outside ASCII that Windows-1252 holds. Never 'ÿ' (0xFF, a break).
const PALETTE: &[char] = &[
    'a', 'b', 'c', 'x', 'y', 'z', 'A', 'M', 'Z', '0', '5', '9', ' ', '!', '"', '#', '~', '.', '-',
    '_', '\'', 'é', 'ü', 'ñ', 'Ä', '€', '£', '©',
];

/// A string of `min..=max` characters from the palette.
pub fn string(u: &mut Unstructured<'_>, min: usize, max: usize) -> Result<String> {
    let len = u.int_in_range(min..=max.max(min))?;
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        s.push(*u.choose(PALETTE)?);
    }
    Ok(s)
}

/// A raw enum value: usually one the spec names, sometimes any value up to `max`.
pub fn pick(u: &mut Unstructured<'_>, known: &[u32], max: u32) -> Result<u32> {
    if !known.is_empty() && u.ratio(7, 8)? {
        Ok(*u.choose(known)?)
    } else {
        u.int_in_range(0..=max)
    }
}

/// An EO int: mostly below 2^31 (the range other EO libraries hold in an i32), sometimes up
/// to the largest EO int, 4,097,152,080.
pub fn int(u: &mut Unstructured<'_>) -> Result<u32> {
    if u.ratio(3, 4)? {
        u.int_in_range(0..=0x7FFF_FFFF)
    } else {
        u.int_in_range(0..=crate::number::INT_MAX - 1)
    }
}

/// Whether `value` writes at least one byte before its first break: elements of a delimited
/// array without a count are read only while their chunk has data, so only such elements can
/// round-trip there.
pub fn starts_chunk(value: &impl crate::EoSerialize) -> bool {
    match value.to_bytes() {
        Ok(bytes) => bytes.first().is_some_and(|b| *b != 0xFF),
        Err(_) => false,
    }
}
