//! The eo-server library: everything the `eo-server` binary runs, exposed so integration tests
//! can start a real server on 127.0.0.1.

pub mod auth;
pub mod config;
pub mod db;
