//! Test builds only (feature `fault-injection`): a global chat line that makes the world actor
//! panic while handling it, so tests can show that the world goes on.

use super::actor::WorldMessage;

/// Said on the global channel (Talk_Msg), this line panics the world actor's handler.
pub const WORLD_PANIC_LINE: &str = "#fault-injection: world panic";

/// Panics if `message` is the fault line said globally.
pub(super) fn inject(message: &WorldMessage) {
    if let WorldMessage::Chat { message, .. } = message
        && message == WORLD_PANIC_LINE
    {
        panic!("fault injection: {WORLD_PANIC_LINE:?} was said");
    }
}
