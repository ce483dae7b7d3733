//! The server binary. The game server itself is built in the server-core issue;
//! for now the binary only proves the workspace links the protocol crate.
fn main() {
    println!("eo-server {} (protocol crate only so far)", env!("CARGO_PKG_VERSION"));
}
