//! Any bytes as a client packet: family byte, action byte, payload. Decoding and re-encoding never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eo_protocol_fuzz::client_packet(data));
