//! Test builds only (feature `fault-injection`): a public chat line that makes the map actor
//! panic while handling it, so tests can show that the map goes on.

use super::actor::MapMessage;

/// Said aloud (Talk_Report), this line panics the map actor's handler.
pub const MAP_PANIC_LINE: &str = "#fault-injection: map panic";

/// Panics if `message` is the fault line said aloud.
pub(super) fn inject(message: &MapMessage) {
    if let MapMessage::Talk { message, .. } = message
        && message == MAP_PANIC_LINE
    {
        panic!("fault injection: {MAP_PANIC_LINE:?} was said");
    }
}
