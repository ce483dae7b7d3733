//! Whole EO data files: maps (EMF), pub files (EIF, ENF, ESF, ECF) and the server pub files
//! (EDF drops, EID inns, ETF NPC speech), read with a check of their magic, written back, and
//! the rid ("revision id") of those that have one (the server pub files have none).
//!
//! The layouts themselves are generated from the spec ([`crate::map::Emf`],
//! [`crate::pubs::Eif`], ...); this module adds what a file needs beyond its layout.
//!
//! The rid is opaque to clients: they compare the rid (and size or record count) that the
//! server announces with the header of their cached copy and download the file when they
//! differ. So a server announces the rid found in the file it serves ([`header_rid`]), and a
//! tool that writes a file stamps a checksum of its content there ([`stamp_rid`]).

use bytes::BytesMut;
use nom::IResult;
use nom::Parser;
use nom::bytes::complete::take;

use crate::map::Emf;
use crate::number::{INT_MAX, decode_number, encode_number};
use crate::pubs::server::{DropFile, InnFile, TalkFile};
use crate::pubs::{Ecf, Eif, Enf, Esf};
use crate::{DecodeError, EncodeError, EoSerialize};

/// Bytes before a data file's rid (the magic).
const MAGIC_LEN: usize = 3;
/// The rid: two EO shorts.
const RID_LEN: usize = 4;

/// A data file with a three-letter magic at its start.
pub trait DataFile: EoSerialize {
    /// The magic, e.g. `b"EIF"`.
    const MAGIC: &'static [u8; 3];
    /// What the file is, for errors.
    const WHAT: &'static str;

    /// Decodes a whole file, checking its magic first.
    fn read(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (_, magic) = magic(bytes).map_err(|_: nom::Err<nom::error::Error<&[u8]>>| {
            DecodeError::Truncated {
                what: Self::WHAT,
                offset: bytes.len(),
            }
        })?;
        if magic != Self::MAGIC {
            let mut found = [0u8; 3];
            found.copy_from_slice(magic);
            return Err(DecodeError::BadMagic {
                what: Self::WHAT,
                expected: magic_str(Self::MAGIC),
                found,
            });
        }
        Self::from_bytes(bytes)
    }

    /// Encodes a whole file.
    fn write(&self) -> Result<BytesMut, EncodeError> {
        self.to_bytes()
    }
}

fn magic_str(magic: &'static [u8; 3]) -> &'static str {
    match magic {
        b"EMF" => "EMF",
        b"EIF" => "EIF",
        b"ENF" => "ENF",
        b"ESF" => "ESF",
        b"ECF" => "ECF",
        b"EDF" => "EDF",
        b"EID" => "EID",
        b"ETF" => "ETF",
        _ => "???",
    }
}

impl DataFile for Emf {
    const MAGIC: &'static [u8; 3] = b"EMF";
    const WHAT: &'static str = "EMF map file";
}
impl DataFile for Eif {
    const MAGIC: &'static [u8; 3] = b"EIF";
    const WHAT: &'static str = "EIF item file";
}
impl DataFile for Enf {
    const MAGIC: &'static [u8; 3] = b"ENF";
    const WHAT: &'static str = "ENF NPC file";
}
impl DataFile for Esf {
    const MAGIC: &'static [u8; 3] = b"ESF";
    const WHAT: &'static str = "ESF spell file";
}
impl DataFile for Ecf {
    const MAGIC: &'static [u8; 3] = b"ECF";
    const WHAT: &'static str = "ECF class file";
}
// The server pub files: their magic, then records to the end (no rid).
impl DataFile for DropFile {
    const MAGIC: &'static [u8; 3] = b"EDF";
    const WHAT: &'static str = "EDF drop file";
}
impl DataFile for InnFile {
    const MAGIC: &'static [u8; 3] = b"EID";
    const WHAT: &'static str = "EID inn file";
}
impl DataFile for TalkFile {
    const MAGIC: &'static [u8; 3] = b"ETF";
    const WHAT: &'static str = "ETF talk file";
}

fn magic(input: &[u8]) -> IResult<&[u8], &[u8]> {
    take(MAGIC_LEN).parse(input)
}

/// magic, then the rid's two shorts.
fn header(input: &[u8]) -> IResult<&[u8], [u16; 2]> {
    let (rest, (_, first, second)) = (magic, take(2usize), take(2usize)).parse(input)?;
    Ok((rest, [decode_short(first), decode_short(second)]))
}

fn decode_short(bytes: &[u8]) -> u16 {
    // Two bytes decode to at most 254 + 254 * 253, which fits a u16.
    u16::try_from(decode_number(bytes)).unwrap_or(u16::MAX)
}

/// The rid stored in a data file's header (bytes 3..7), as a server announces it in
/// Welcome_Reply and Warp_Request. `None` if the file is shorter than its header.
#[must_use]
pub fn header_rid(file: &[u8]) -> Option<[u16; 2]> {
    header(file).ok().map(|(_, rid)| rid)
}

/// A checksum of a data file's content (everything after the rid): the CRC-32 of those
/// bytes, reduced below the largest EO int, EO-encoded as 4 bytes and read back as two
/// shorts. The same content always gets the same rid; any change almost surely another.
#[must_use]
pub fn compute_rid(file: &[u8]) -> [u16; 2] {
    let content = file.get(MAGIC_LEN + RID_LEN..).unwrap_or(&[]);
    let crc = crc32fast::hash(content) % INT_MAX;
    // `crc` is below INT_MAX, so encoding cannot fail; all four bytes are then digits or 0xFE.
    let bytes = encode_number(crc).unwrap_or([0xFE; 4]);
    [decode_short(&bytes[..2]), decode_short(&bytes[2..])]
}

/// Writes [`compute_rid`] into a file's header in place. Files shorter than a header are
/// left as they are.
pub fn stamp_rid(file: &mut [u8]) {
    let rid = compute_rid(file);
    let mut encoded = [0u8; RID_LEN];
    for (i, value) in rid.iter().enumerate() {
        if let Ok(bytes) = encode_number(u32::from(*value)) {
            encoded[i * 2..i * 2 + 2].copy_from_slice(&bytes[..2]);
        }
    }
    if let Some(slot) = file.get_mut(MAGIC_LEN..MAGIC_LEN + RID_LEN) {
        slot.copy_from_slice(&encoded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pubs::EifRecord;

    fn sample_eif() -> Eif {
        Eif {
            rid: [0, 0],
            total_items_count: 2,
            version: 1,
            items: vec![
                EifRecord {
                    name: "Gold".into(),
                    graphic_id: 1,
                    ..Default::default()
                },
                EifRecord {
                    name: "eof".into(),
                    ..Default::default()
                },
            ],
        }
    }

    #[test]
    fn a_written_file_reads_back_and_its_magic_is_checked() {
        let eif = sample_eif();
        let bytes = eif.write().unwrap();
        assert_eq!(&bytes[..3], b"EIF");
        assert_eq!(Eif::read(&bytes).unwrap(), eif);
        assert!(matches!(
            Enf::read(&bytes),
            Err(DecodeError::BadMagic { found, .. }) if &found == b"EIF"
        ));
        assert!(matches!(
            Eif::read(b"EI"),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn the_rid_is_stamped_into_the_header_and_follows_the_content() {
        let mut bytes = sample_eif().write().unwrap().to_vec();
        stamp_rid(&mut bytes);
        let rid = header_rid(&bytes).unwrap();
        assert_eq!(rid, compute_rid(&bytes));
        assert_eq!(Eif::read(&bytes).unwrap().rid, rid);
        // Stamping does not change the content, so it is stable.
        let before = bytes.clone();
        stamp_rid(&mut bytes);
        assert_eq!(bytes, before);
        // A change of content changes the rid.
        let mut other = sample_eif();
        other.items[0].name = "Gold!".into();
        let mut other_bytes = other.write().unwrap().to_vec();
        stamp_rid(&mut other_bytes);
        assert_ne!(header_rid(&other_bytes), Some(rid));
        assert!(rid.iter().all(|short| *short <= 64_008));
    }

    #[test]
    fn the_server_pub_files_read_back_by_their_magic() {
        use crate::pubs::server::{DropNpcRecord, TalkMessageRecord, TalkRecord};
        let drops = DropFile {
            npcs: vec![DropNpcRecord {
                npc_id: 4,
                drops: Vec::new(),
            }],
        };
        let bytes = drops.write().unwrap();
        assert_eq!(&bytes[..3], b"EDF");
        assert_eq!(DropFile::read(&bytes).unwrap(), drops);
        assert!(matches!(
            InnFile::read(&bytes),
            Err(DecodeError::BadMagic {
                expected: "EID",
                ..
            })
        ));
        let talk = TalkFile {
            npcs: vec![TalkRecord {
                npc_id: 2,
                rate: 20,
                messages: vec![TalkMessageRecord {
                    message: "Welcome!".into(),
                }],
            }],
        };
        assert_eq!(TalkFile::read(&talk.write().unwrap()).unwrap(), talk);
    }

    #[test]
    fn short_files_have_no_rid_and_are_not_stamped() {
        assert_eq!(header_rid(b"EIF\x01"), None);
        let mut tiny = *b"EI";
        stamp_rid(&mut tiny);
        assert_eq!(&tiny, b"EI");
    }
}
