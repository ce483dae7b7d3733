//! Any bytes as a frame stream through EoCodec, both roles, split into input-chosen reads (see `eo_protocol_fuzz::parse_stream_input` for the layout).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eo_protocol_fuzz::codec_stream(data));
