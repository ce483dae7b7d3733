//! One task per connection: it owns the socket, the sequencer and the connection's state, and
//! runs the handlers of the packets it receives.

mod actor;
mod connect;
mod disconnect;
mod flood;
mod handle;
mod handlers;
mod restraints;
mod state;

pub use actor::{Dropped, PlayerContext, run_connection};
pub use connect::{Opened, open};
pub use handle::{CloseReason, DutySwitch, PlayerHandle};
#[cfg(feature = "fault-injection")]
pub use handlers::fault::PANIC_LINE as FAULT_PANIC_LINE;
pub(crate) use handlers::{account_name, character_name};
pub use restraints::Restraint;
