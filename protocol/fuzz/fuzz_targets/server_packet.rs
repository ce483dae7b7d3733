//! Any bytes as a server packet: family byte, action byte, payload. Decoding and re-encoding never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eo_protocol_fuzz::server_packet(data));
