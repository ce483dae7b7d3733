//! Test builds only (feature `fault-injection`): public chat lines that make the map actor
//! panic while handling them, or stop answering for a while, so tests can show that the map
//! goes on and that a map too slow to answer never leaves a character in two places.

use std::time::Duration;

use super::actor::MapMessage;

/// Said aloud (Talk_Report), this line panics the map actor's handler.
pub const MAP_PANIC_LINE: &str = "#fault-injection: map panic";
/// Said aloud with a number of milliseconds after it, this line makes the map handle nothing
/// for that long (its queue waits, as behind a slow map).
pub const MAP_STALL_LINE: &str = "#fault-injection: map stall ";

/// Panics if `message` is the panic line said aloud; the stall asked for, if it is the stall
/// line.
pub(super) fn inject(message: &MapMessage) -> Option<Duration> {
    let MapMessage::Talk { message, .. } = message else {
        return None;
    };
    if message == MAP_PANIC_LINE {
        panic!("fault injection: {MAP_PANIC_LINE:?} was said");
    }
    let millis = message.strip_prefix(MAP_STALL_LINE)?.trim().parse().ok()?;
    Some(Duration::from_millis(millis))
}
