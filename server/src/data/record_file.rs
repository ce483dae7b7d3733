//! Reading the server-side record files (shops, skill masters) in their two layouts, record by
//! record, so that a damaged file is refused naming the record where it goes wrong.
//!
//! - [`Layout::Standard`]: the server pub files of the protocol spec (`xml/pub/server`),
//!   `dts001.esf` and `dsm001.emf`: the three-letter magic, then records up to the end of the
//!   file. `eo-worldgen` writes these.
//! - [`Layout::Epf`]: the official server's `serv_shops.epf` and `serv_trainers.epf`, as
//!   reoserv reads them: the magic, a rid (two shorts), the record count (a short) and one
//!   more char, then that many records; their levels are shorts where the standard layout has
//!   chars, and a skill's price is a three where it has an int.
//!
//! The generated decoders of the spec stop quietly where the bytes end, so a cut-short file
//! would load with its last records half empty; these readers check every record was whole.

use std::path::{Path, PathBuf};

use eo_protocol::EoReader;

use super::DataError;

/// The layout of a record file (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    Standard,
    Epf,
}

/// The fields of the record being read, in the file's layout.
pub(super) struct Fields<'a> {
    reader: EoReader<'a>,
    layout: Layout,
}

impl Fields<'_> {
    pub fn char(&mut self) -> u8 {
        self.reader.get_char()
    }

    pub fn short(&mut self) -> u16 {
        self.reader.get_short()
    }

    pub fn three(&mut self) -> u32 {
        self.reader.get_three()
    }

    /// A string after its length (a char).
    pub fn string(&mut self) -> String {
        let len = usize::from(self.reader.get_char());
        self.reader.get_fixed_string(len, false)
    }

    /// A level: a char in the standard layout, a short in `.epf` files.
    pub fn level(&mut self, what: &str) -> Result<u8, String> {
        match self.layout {
            Layout::Standard => Ok(self.reader.get_char()),
            Layout::Epf => {
                let level = self.reader.get_short();
                u8::try_from(level).map_err(|_| format!("{what} {level} is above 255"))
            }
        }
    }

    /// A skill's price: an int in the standard layout, a three in `.epf` files.
    pub fn price(&mut self) -> u32 {
        match self.layout {
            Layout::Standard => self.reader.get_int(),
            Layout::Epf => self.reader.get_three(),
        }
    }
}

/// One record as read, with where it came from for later errors.
#[derive(Debug, Clone)]
pub(super) struct Read<R> {
    pub path: PathBuf,
    /// 1-based, in file order.
    pub number: usize,
    pub record: R,
}

/// Reads the record file `path` in `layout` with `record` reading one record; `None` if there
/// is no such file. Each error names the file and, past the header, the record.
pub(super) fn read<R>(
    path: &Path,
    layout: Layout,
    magic: &[u8; 3],
    mut record: impl FnMut(&mut Fields<'_>) -> Result<R, String>,
) -> Result<Option<Vec<Read<R>>>, DataError> {
    let fail = |problem: String| DataError {
        path: path.to_owned(),
        problem,
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(e.to_string())),
    };
    let Some(body) = bytes.strip_prefix(magic.as_slice()) else {
        return Err(fail(format!(
            "not a {} file: it does not start with {:?}",
            String::from_utf8_lossy(magic),
            String::from_utf8_lossy(magic)
        )));
    };
    let mut fields = Fields {
        reader: EoReader::new(body),
        layout,
    };
    let declared = match layout {
        Layout::Standard => None,
        Layout::Epf => {
            let _rid = (fields.short(), fields.short());
            let count = fields.short();
            let _ = fields.char();
            if fields.reader.ran_out() {
                return Err(fail("the header is cut short".into()));
            }
            Some(usize::from(count))
        }
    };
    let mut records = Vec::new();
    loop {
        let more = match declared {
            Some(count) => records.len() < count,
            None => fields.reader.remaining() > 0,
        };
        if !more {
            break;
        }
        let number = records.len() + 1;
        let at = 3 + fields.reader.position();
        let read = record(&mut fields).map_err(|why| fail(format!("record {number}: {why}")))?;
        if fields.reader.ran_out() {
            return Err(fail(format!(
                "record {number} (from byte {at}) is cut short: the file ends inside it"
            )));
        }
        records.push(Read {
            path: path.to_owned(),
            number,
            record: read,
        });
    }
    let left = fields.reader.remaining();
    if left > 0 {
        tracing::warn!(
            path = %path.display(),
            "{left} bytes after the last of the {} records declared are ignored",
            records.len()
        );
    }
    Ok(Some(records))
}

/// The records of every file read, by key (a behavior id). A key twice in one file is an
/// error; a key in two files (the standard file and the `.epf` one) must have the same record
/// in both, else it is an error naming both. `describe` names a record in errors.
pub(super) fn by_key<R: PartialEq>(
    reads: Vec<Read<R>>,
    key: impl Fn(&R) -> u16,
    describe: impl Fn(&R) -> String,
) -> Result<std::collections::HashMap<u16, R>, DataError> {
    let mut seen: std::collections::HashMap<u16, Read<R>> = std::collections::HashMap::new();
    for read in reads {
        let id = key(&read.record);
        if let Some(first) = seen.get(&id) {
            let problem = if first.path == read.path {
                format!(
                    "record {} ({}) has the behavior id of record {}",
                    read.number,
                    describe(&read.record),
                    first.number
                )
            } else if first.record != read.record {
                format!(
                    "record {} ({}) differs from record {} of {} with the same behavior id; \
                     keep one of the two files, or make them agree",
                    read.number,
                    describe(&read.record),
                    first.number,
                    first.path.display()
                )
            } else {
                continue;
            };
            return Err(DataError {
                path: read.path,
                problem,
            });
        }
        seen.insert(id, read);
    }
    Ok(seen
        .into_iter()
        .map(|(id, read)| (id, read.record))
        .collect())
}

/// How many real records a pub file has: its last record is the "eof" marker.
pub(super) fn real_records(len: usize) -> usize {
    len.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &mut Fields<'_>) -> Result<(u16, String), String> {
        Ok((fields.short(), fields.string()))
    }

    fn encoded(numbers: &[u32], widths: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, w) in numbers.iter().zip(widths) {
            out.extend_from_slice(&eo_protocol::number::encode_number(*n).unwrap()[..*w]);
        }
        out
    }

    #[test]
    fn records_are_read_whole_and_a_cut_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.esf");
        let mut bytes = b"ESF".to_vec();
        for (id, name) in [(1u32, "ab"), (2, "cde")] {
            bytes.extend(encoded(&[id, name.len() as u32], &[2, 1]));
            bytes.extend_from_slice(name.as_bytes());
        }
        std::fs::write(&path, &bytes).unwrap();
        let read = read(&path, Layout::Standard, b"ESF", pairs)
            .unwrap()
            .unwrap();
        let got: Vec<_> = read.iter().map(|r| (r.number, r.record.clone())).collect();
        assert_eq!(got, [(1, (1, "ab".into())), (2, (2, "cde".into()))]);

        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let error = super::read(&path, Layout::Standard, b"ESF", pairs).unwrap_err();
        assert!(error.to_string().contains("record 2"), "{error}");
        assert!(error.to_string().contains("x.esf"), "{error}");

        std::fs::write(&path, b"EIF").unwrap();
        let error = super::read(&path, Layout::Standard, b"ESF", pairs).unwrap_err();
        assert!(error.to_string().contains("not a ESF file"), "{error}");
        assert!(
            super::read(&dir.path().join("none"), Layout::Standard, b"ESF", pairs)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn an_epf_file_reads_its_declared_count_and_wide_levels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serv_x.epf");
        let mut bytes = b"EMF".to_vec();
        bytes.extend(encoded(&[7, 8, 2, 0], &[2, 2, 2, 1]));
        bytes.extend(encoded(&[40, 300], &[2, 2]));
        std::fs::write(&path, &bytes).unwrap();
        let level = |f: &mut Fields<'_>| f.level("min_level");
        let read = read(&path, Layout::Epf, b"EMF", level).unwrap_err();
        // The first record's level fits; the second's (300) does not.
        assert!(
            read.to_string().contains("record 2: min_level 300"),
            "{read}"
        );
    }
}
