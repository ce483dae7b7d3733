//! Turning protocol packets into the bodies player tasks send.

use bytes::{BufMut, Bytes, BytesMut};
use eo_protocol::serialize::Packet;
use eo_protocol::{EncodeError, EoWriter};

/// A server packet's plain body: action, family, payload. Encoded once and shared (`Bytes`) by
/// every player it is sent to; each player's codec encrypts its own copy on the way out.
pub fn encode<P: Packet>(packet: &P) -> Result<Bytes, EncodeError> {
    let mut buf = BytesMut::with_capacity(32);
    buf.put_u8(P::ACTION.to_u32() as u8);
    buf.put_u8(P::FAMILY.to_u32() as u8);
    let mut writer = EoWriter::from_buf(buf);
    packet.serialize(&mut writer)?;
    Ok(writer.into_inner().freeze())
}
