//! Test builds only (feature `fault-injection`): a public chat line that makes the handler
//! panic, so tests can show that a panic closes only that connection and releases what it
//! held, while the server goes on.

use eo_protocol::net::client::ClientPacket;

/// Said aloud (Talk_Report), this line panics its player's handler.
pub const PANIC_LINE: &str = "#fault-injection: panic";

/// Panics if `packet` is the fault line.
pub(super) fn inject(packet: &ClientPacket) {
    if let ClientPacket::TalkReport(talk) = packet
        && talk.message == PANIC_LINE
    {
        panic!("fault injection: {PANIC_LINE:?} was said");
    }
}
