//! The eo-server library: everything the `eo-server` binary runs, exposed so integration tests
//! can start a real server on 127.0.0.1 (see [`server::run`]).

pub mod auth;
pub mod config;
pub mod control;
pub mod data;
pub mod db;
pub mod map;
pub mod metrics;
pub mod net;
pub mod player;
pub mod process;
pub mod quest;
pub mod reload;
pub mod rules;
pub mod save;
pub mod server;
pub mod supervise;
pub mod world;

pub use server::run;
