//! Family byte, action byte, payload, as a client and as a server packet: whatever decodes and re-encodes decodes to the same packet again.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eo_protocol_fuzz::roundtrip(data));
