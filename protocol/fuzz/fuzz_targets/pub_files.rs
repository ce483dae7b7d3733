//! Any bytes as a pub file; the first byte picks EIF, ENF, ESF, ECF or a server pub file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eo_protocol_fuzz::pub_files(data));
