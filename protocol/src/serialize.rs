//! The trait every generated struct and packet implements.

use crate::{DecodeError, EncodeError, EoReader, EoWriter};

/// A value with an EO wire layout: written with an [`EoWriter`], read with an [`EoReader`].
pub trait EoSerialize: Sized {
    /// Appends this value's bytes to `writer`.
    fn serialize(&self, writer: &mut EoWriter) -> Result<(), EncodeError>;
    /// Reads a value from `reader`, following the spec's chunked-reading rules.
    fn deserialize(reader: &mut EoReader<'_>) -> Result<Self, DecodeError>;

    /// Convenience: the value's bytes on their own.
    fn to_bytes(&self) -> Result<bytes::BytesMut, EncodeError> {
        let mut writer = EoWriter::new();
        self.serialize(&mut writer)?;
        Ok(writer.into_inner())
    }

    /// Convenience: decode a value from a whole byte slice.
    fn from_bytes(data: &[u8]) -> Result<Self, DecodeError> {
        Self::deserialize(&mut EoReader::new(data))
    }

    /// Convenience: decode a value from a whole shared buffer; its blobs (file contents) are
    /// slices of `data`, not copies.
    fn from_shared(data: &bytes::Bytes) -> Result<Self, DecodeError> {
        Self::deserialize(&mut EoReader::new_shared(data))
    }
}

/// A packet of the spec: its type knows the family and action it travels under.
pub trait Packet: EoSerialize {
    const FAMILY: crate::net::PacketFamily;
    const ACTION: crate::net::PacketAction;
}

/// The EO number types, for writing an enum's raw value in its underlying type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Byte,
    Char,
    Short,
    Three,
    Int,
}

/// Writes an enum's raw value as its underlying EO type, rejecting values that do not fit.
///
/// Inlined so that the `kind` each generated call site passes as a constant selects the arm
/// at compile time.
#[inline]
pub(crate) fn write_enum_value(
    writer: &mut EoWriter,
    kind: NumberKind,
    value: u32,
) -> Result<(), EncodeError> {
    let too_large = |kind: &'static str, max: u64| EncodeError::NumberTooLarge {
        field: "",
        kind,
        value: u64::from(value),
        max,
    };
    match kind {
        NumberKind::Byte => {
            let byte = u8::try_from(value).map_err(|_| too_large("byte", 255))?;
            writer.add_byte(byte);
            Ok(())
        }
        NumberKind::Char => {
            writer.add_char(u8::try_from(value).map_err(|_| too_large("char", 252))?)
        }
        NumberKind::Short => {
            writer.add_short(u16::try_from(value).map_err(|_| too_large("short", 64_008))?)
        }
        NumberKind::Three => writer.add_three(value),
        NumberKind::Int => writer.add_int(value),
    }
}

/// The Windows-1252 byte length of `s`: what a length field must hold for it.
pub(crate) fn windows_1252_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        encoding_rs::WINDOWS_1252.encode(s).0.len()
    }
}
