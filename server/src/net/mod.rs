//! The network edge: the listener with its connection limits, and packet encoding helpers.

pub mod limits;
pub mod listener;
pub mod packet;
pub mod websocket;
