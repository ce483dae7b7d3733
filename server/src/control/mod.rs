//! Administration: the control socket (`socket.rs`) and the admin commands (`commands.rs`).
//!
//! The commands are implemented once, in [`Admin::execute`], which takes a command name, its
//! arguments as JSON and the [`Source`] that gave it. The control socket is one source; in-game
//! `$` commands are another, parsing chat text into the same name and arguments. A character's
//! command (in the game, or on the socket `as` a character) is limited by its admin level
//! (`commands/hierarchy.rs`). Every action that changes something is recorded in the database's
//! `audit` table with its source, who gave it, its arguments and how it went.
//!
//! The socket protocol (one JSON object per line each way) is described in
//! docs/admin-protocol.md.

pub mod commands;
pub mod socket;

pub use commands::{Admin, CommandError, ErrorCode, Reloading, Source, describe_uptime};
pub use socket::ControlSocket;
