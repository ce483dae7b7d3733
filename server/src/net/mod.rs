//! The network edge: the listener with its connection limits and offender log, and packet
//! encoding helpers.

pub mod limits;
pub mod listener;
pub mod offenders;
pub mod packet;
pub mod websocket;
