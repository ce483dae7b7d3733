//! A valid value of an input-chosen struct or packet (first 2 bytes) survives encode -> decode.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eo_protocol_fuzz::structured_roundtrip(data));
