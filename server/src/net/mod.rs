//! The network edge: the listener with its connection limits and offender log, and packet
//! encoding helpers.

pub mod address;
pub mod limits;
pub mod listener;
pub mod offenders;
pub mod packet;
pub mod proxy;
pub mod websocket;
