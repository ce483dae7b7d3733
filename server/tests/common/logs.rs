//! The log lines of a test binary, captured once for all its tests (the tracing subscriber is
//! process-wide). Only the server crate's tests use it: include it with
//! `#[path = "common/logs.rs"] mod logs;`.

#![allow(dead_code)] // each test file uses a part

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Everything logged at `info` and above since the first call, by any test of this binary.
pub fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        #[derive(Clone)]
        struct Capture(Arc<Mutex<Vec<u8>>>);
        impl Write for Capture {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let capture = Capture(Arc::clone(&buffer));
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_env_filter("info")
            .with_writer(move || capture.clone())
            .init();
        buffer
    }))
}

/// The captured log as text.
pub fn text(logs: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&logs.lock().unwrap()).into_owned()
}
