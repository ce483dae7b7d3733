//! Typed errors for encoding and decoding. Each says what was wrong and where.

use thiserror::Error;

/// A value could not be written in EO form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// A number was at or above the exclusive limit of its EO type.
    #[error("{field}: {value} does not fit in an EO {kind} (largest is {max})")]
    NumberTooLarge {
        field: &'static str,
        kind: &'static str,
        value: u64,
        max: u64,
    },
    /// A fixed-length string or array had the wrong length.
    #[error("{field}: length {actual} does not match the fixed length {expected}")]
    WrongLength {
        field: &'static str,
        expected: usize,
        actual: usize,
    },
    /// A switch's data did not match the value of the field it switches on.
    #[error("{field}: the data given does not belong to the case {case_value}")]
    SwitchMismatch {
        field: &'static str,
        case_value: i64,
    },
    /// The encoded result would exceed what the protocol can carry.
    #[error("{field}: {actual} bytes is more than the {max} allowed")]
    TooLong {
        field: &'static str,
        actual: usize,
        max: usize,
    },
}

impl EncodeError {
    /// Names the field the error happened in (generated code calls this on the error path only).
    #[must_use]
    pub fn in_field(mut self, name: &'static str) -> Self {
        match &mut self {
            EncodeError::NumberTooLarge { field, .. }
            | EncodeError::WrongLength { field, .. }
            | EncodeError::SwitchMismatch { field, .. }
            | EncodeError::TooLong { field, .. } => *field = name,
        }
        self
    }
}

/// Bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The data ended while `what` was still expected.
    #[error("{what}: data ended at byte {offset}")]
    Truncated { what: &'static str, offset: usize },
    /// A value was present but not allowed.
    #[error("{what}: invalid value {value} at byte {offset}")]
    InvalidValue {
        what: &'static str,
        value: i64,
        offset: usize,
    },
    /// A data file did not start with the expected magic bytes.
    #[error("{what}: bad magic {found:?} (expected {expected:?})")]
    BadMagic {
        what: &'static str,
        expected: &'static str,
        found: [u8; 3],
    },
    /// A break was asked for outside chunked reading (a bug in the caller, not the input).
    #[error("{what}: next_chunk called outside chunked reading mode at byte {offset}")]
    NotChunked { what: &'static str, offset: usize },
    /// No packet of this family and action exists in the direction decoded.
    #[error("unknown packet: family {family}, action {action}")]
    UnknownPacket { family: u8, action: u8 },
    /// A frame's body was too short to hold the packet id.
    #[error("frame of {len} bytes is too short for a packet id")]
    ShortFrame { len: usize },
}
