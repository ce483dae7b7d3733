//! Differential property tests against the `eolib` 3.3.2 crate, for every struct and packet
//! of the spec.
//!
//! For each type, random *valid* values (the generated `arbitrary` impls) go:
//!   ours: value -> bytes -> value'           value' must equal value (our own round trip)
//!   eolib: bytes -> eolib value -> bytes'    bytes' must equal bytes (eolib reads our bytes as
//!                                            the same fields: had it split them differently, it
//!                                            could not write the same bytes back)
//!   ours: bytes' -> value''                  value'' must equal value (what eolib writes, we
//!                                            read as the same values)
//!
//! `PROPTEST_CASES` sets the number of values per type (default 64).

#[path = "generated/all_types.rs"]
#[macro_use]
mod all_types;

use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};
use eo_protocol::EoSerialize;
use eo_protocol::reflect::{Reflect, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Types where eolib 3.3.2 knowingly writes different bytes from the spec, with the reason.
/// The check is skipped for them (our own round trip still runs).
const EOLIB_DEVIATIONS: &[(&str, &str)] = &[(
    "ChestCloseServerPacket",
    "eolib always writes the dummy \"N\" after the optional key; the spec writes a dummy only \
     when the packet would otherwise be empty (elements.md, <dummy>), and so do we",
)];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn exceeds_i32(value: &Value) -> bool {
    match value {
        Value::Int(i) => *i > i64::from(i32::MAX),
        Value::Array(items) => items.iter().any(exceeds_i32),
        Value::Struct(fields) => fields.iter().any(|(_, v)| exceeds_i32(v)),
        _ => false,
    }
}

fn has_non_ascii(value: &Value) -> bool {
    match value {
        Value::Str(s) => !s.is_ascii(),
        Value::Array(items) => items.iter().any(has_non_ascii),
        Value::Struct(fields) => fields.iter().any(|(_, v)| has_non_ascii(v)),
        _ => false,
    }
}

fn check_type<T, E>(name: &str, failures: &mut Vec<String>)
where
    T: EoSerialize + Reflect + for<'a> Arbitrary<'a> + PartialEq + Debug,
    E: eolib::data::EoSerialize,
{
    let skip_eolib = EOLIB_DEVIATIONS.iter().any(|(n, _)| *n == name);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(any::<u8>(), 0..2048), |seed| {
        let mut u = Unstructured::new(&seed);
        let Ok(value) = T::arbitrary(&mut u) else {
            return Ok(());
        };
        let bytes = value
            .to_bytes()
            .map_err(|e| TestCaseError::fail(format!("encoding a valid value failed: {e}")))?;
        let back = T::from_bytes(&bytes)
            .map_err(|e| TestCaseError::fail(format!("decoding our bytes failed: {e}")))?;
        prop_assert_eq!(&back, &value, "our round trip, bytes {:?}", &bytes[..]);
        // eolib holds EO ints in an i32 (brief section 1): values above i32::MAX wrap, and its
        // writer then rejects them or (for some) panics. Those values are ours alone.
        if skip_eolib || exceeds_i32(&value.reflect()) {
            return Ok(());
        }
        let reader = eolib::data::EoReader::new(bytes::Bytes::copy_from_slice(&bytes));
        let theirs = E::deserialize(&reader)
            .map_err(|e| TestCaseError::fail(format!("eolib could not decode our bytes: {e}")))?;
        // eolib pads the 24-character map name by subtracting its UTF-8 length from 24, which
        // underflows (a panic) for a full-length name with characters outside ASCII.
        let serialized = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut writer = eolib::data::EoWriter::new();
            theirs
                .serialize(&mut writer)
                .map(|()| writer.to_byte_array())
        }));
        let theirs_bytes = match serialized {
            Ok(result) => result
                .map_err(|e| TestCaseError::fail(format!("eolib could not re-encode: {e}")))?,
            Err(_) if has_non_ascii(&value.reflect()) => return Ok(()),
            Err(_) => return Err(TestCaseError::fail("eolib panicked re-encoding ASCII data")),
        };
        // eolib writes a string's length field as its UTF-8 byte count; the wire carries
        // Windows-1252, one byte per character, so for names with characters outside ASCII
        // eolib's length is too large. We write the Windows-1252 count.
        if theirs_bytes[..] != bytes[..] && has_non_ascii(&value.reflect()) {
            return Ok(());
        }
        prop_assert_eq!(
            &theirs_bytes[..],
            &bytes[..],
            "eolib re-encoded our bytes differently; value {:?}",
            &value
        );
        let from_theirs = T::from_bytes(&theirs_bytes)
            .map_err(|e| TestCaseError::fail(format!("decoding eolib's bytes failed: {e}")))?;
        prop_assert_eq!(&from_theirs, &value);
        Ok(())
    });
    if let Err(e) = result {
        failures.push(format!("{name}: {e}"));
    }
}

#[test]
fn every_type_round_trips_and_agrees_with_eolib() {
    let mut failures = Vec::new();
    let mut checked = 0usize;
    macro_rules! run {
        ([$($ours:ident)*] [$($theirs:ident)*] $name:ident) => {
            check_type::<eo_protocol::$($ours::)*$name, eolib::protocol::$($theirs::)*$name>(
                stringify!($name),
                &mut failures,
            );
            checked += 1;
        };
    }
    for_each_generated_type!(run);
    assert_eq!(
        checked, 422,
        "every struct and packet of the spec is checked"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} types failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
