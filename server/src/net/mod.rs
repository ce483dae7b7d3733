//! The network edge: the listener with its connection limits, and packet encoding helpers.

pub mod fd_limit;
pub mod limits;
pub mod listener;
pub mod packet;
