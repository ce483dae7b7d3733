//! What the server pub files (drops, inns, NPC speech) share: where they are and how their two
//! layouts are read.
//!
//! Each kind has two names in `<data_dir>/pub/`: the standard one (`dtd001.edf`, `din001.eid`,
//! `ttd001.etf`), in the layout of the eo-protocol spec (`xml/pub/server`: the magic, then
//! records to the end of the file), and the name of the official server's files that reoserv
//! also reads (`serv_drops.epf`, `serv_inns.epf`, `serv_chats.epf`), in the official layout: the
//! magic, a rid (two shorts), the record count (a short), one byte, then the records, laid out
//! a little differently from the spec's (each loader reads its own). The standard name is read
//! when it exists; the other only when it does not (both present: a warning says which one is
//! ignored).

use std::path::{Path, PathBuf};

use bytes::Bytes;
use eo_protocol::EoReader;
use eo_protocol::data_file::DataFile;

use super::DataError;

/// How a server pub file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// The eo-protocol spec's layout (`dtd001.edf`, ...).
    Spec,
    /// The official server's layout (`serv_drops.epf`, ...), as reoserv reads it.
    Official,
}

/// A server pub file found in the world's `pub/` folder.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub path: PathBuf,
    pub bytes: Bytes,
    pub layout: Layout,
}

impl Found {
    /// An error about this file.
    pub fn error(&self, problem: impl Into<String>) -> DataError {
        DataError {
            path: self.path.clone(),
            problem: problem.into(),
        }
    }
}

/// Reads `pub_dir/standard`, or else `pub_dir/official`; `None` if neither exists.
pub(super) fn find(
    pub_dir: &Path,
    standard: &str,
    official: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<Found>, DataError> {
    let standard_path = pub_dir.join(standard);
    let official_path = pub_dir.join(official);
    let (path, layout) = match (standard_path.exists(), official_path.exists()) {
        (true, also) => {
            if also {
                warnings.push(format!(
                    "{}: ignored, {} is read instead",
                    official_path.display(),
                    standard_path.display()
                ));
            }
            (standard_path, Layout::Spec)
        }
        (false, true) => (official_path, Layout::Official),
        (false, false) => return Ok(None),
    };
    let bytes = std::fs::read(&path)
        .map(Bytes::from)
        .map_err(|e| DataError {
            path: path.clone(),
            problem: e.to_string(),
        })?;
    Ok(Some(Found {
        path,
        bytes,
        layout,
    }))
}

/// Decodes a whole file of the spec's layout: its magic checked, nothing cut short.
pub(super) fn decode_spec<T: DataFile>(found: &Found) -> Result<T, DataError> {
    check_magic(found, T::MAGIC)?;
    let mut reader = EoReader::new(&found.bytes);
    let file = T::deserialize(&mut reader).map_err(|e| found.error(e.to_string()))?;
    if reader.ran_out() {
        return Err(found.error(format!("{} is cut short", T::WHAT)));
    }
    Ok(file)
}

fn check_magic(found: &Found, magic: &[u8; 3]) -> Result<(), DataError> {
    if found.bytes.get(..3) != Some(magic.as_slice()) {
        return Err(found.error(format!(
            "not a {} file (it does not start with {:?})",
            String::from_utf8_lossy(magic),
            String::from_utf8_lossy(magic)
        )));
    }
    Ok(())
}

/// Bytes before the first record of a file of the official layout: the magic (3), the rid
/// (4), the record count (2) and one byte whose meaning is unknown.
const OFFICIAL_HEADER: usize = 10;

/// A reader at the first record of a file of the official layout, and its record count.
pub(super) fn official_records<'a>(
    found: &'a Found,
    magic: &[u8; 3],
) -> Result<(EoReader<'a>, u16), DataError> {
    check_magic(found, magic)?;
    if found.bytes.len() < OFFICIAL_HEADER {
        return Err(found.error("the header is cut short"));
    }
    let mut reader = EoReader::new(&found.bytes);
    let _magic_and_rid = reader.get_bytes(7);
    let count = reader.get_short();
    let _unknown = reader.get_byte();
    Ok((reader, count))
}

/// Fails if reading the official layout went past the end of the file.
pub(super) fn finish(found: &Found, reader: &EoReader<'_>) -> Result<(), DataError> {
    if reader.ran_out() {
        return Err(found.error("the file is cut short (its record count says more)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_name_wins_and_the_other_is_named_as_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut warnings = Vec::new();
        assert!(
            find(dir.path(), "dtd001.edf", "serv_drops.epf", &mut warnings)
                .unwrap()
                .is_none()
        );
        std::fs::write(dir.path().join("serv_drops.epf"), b"EDF").unwrap();
        let found = find(dir.path(), "dtd001.edf", "serv_drops.epf", &mut warnings)
            .unwrap()
            .unwrap();
        assert_eq!(found.layout, Layout::Official);
        assert!(warnings.is_empty());
        std::fs::write(dir.path().join("dtd001.edf"), b"EDF").unwrap();
        let found = find(dir.path(), "dtd001.edf", "serv_drops.epf", &mut warnings)
            .unwrap()
            .unwrap();
        assert_eq!(found.layout, Layout::Spec);
        assert!(found.path.ends_with("dtd001.edf"));
        assert!(
            warnings[0].contains("serv_drops.epf: ignored"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_wrong_magic_or_a_short_header_is_refused() {
        let found = |bytes: &'static [u8]| Found {
            path: "w/pub/serv_inns.epf".into(),
            bytes: Bytes::from_static(bytes),
            layout: Layout::Official,
        };
        let error = official_records(&found(b"EIFxxxxxxxxx"), b"EID").unwrap_err();
        assert!(error.to_string().contains("not a EID file"), "{error}");
        let error = official_records(&found(b"EID\x01"), b"EID").unwrap_err();
        assert!(error.to_string().contains("cut short"), "{error}");
    }
}
