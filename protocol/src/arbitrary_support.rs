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
