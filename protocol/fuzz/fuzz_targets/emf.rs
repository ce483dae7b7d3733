//! Any bytes as an EMF map file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eo_protocol_fuzz::emf(data));
