//! The Endless Online protocol: numbers, strings, every packet of the spec, the data files,
//! encryption, the sequencer and (behind the `codec` feature) the framing codec.
//!
//! Pure data and codecs: no sockets, no game rules, and no panic on any input.

pub mod crypt;
pub mod data_file;
pub mod error;
pub mod number;
pub mod reader;
pub mod reflect;
pub mod sequence;
pub mod serialize;
pub mod string;
pub mod tile;
pub mod writer;

#[rustfmt::skip]
mod generated;
pub use generated::*;

#[cfg(feature = "codec")]
pub mod codec;

#[cfg(feature = "arbitrary")]
pub mod arbitrary_support;

pub use error::{DecodeError, EncodeError};
pub use reader::EoReader;
pub use serialize::EoSerialize;
pub use writer::EoWriter;
