//! Builds the bundled game world, EMF maps, EIF/ENF/ESF/ECF pub files and the server pub files
//! (inns, NPC speech, shops, skill masters), and the EO+ quest files (copied as written), from
//! readable TOML sources (`fixtures/world-src`,
//! described in its README).
//!
//! ```no_run
//! let world = eo_worldgen::build(std::path::Path::new("fixtures/world-src"))?;
//! world.write(std::path::Path::new("fixtures/world"))?;
//! # Ok::<(), eo_worldgen::Error>(())
//! ```
//!
//! The output is deterministic: the same sources give the same bytes, each map and client pub
//! file with its rid stamped by [`eo_protocol::data_file::stamp_rid`] (the server pub files
//! have no rid).

mod error;
mod inns;
mod maps;
mod names;
mod pubs;
mod quests;
mod shops;
mod source;
mod speech;
mod trainers;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use error::Error;
pub use pubs::{EOF_RECORD, PUB_VERSION};

/// The folders of the output the tool owns: files in them that it does not build are stale.
const OUTPUT_DIRS: [&str; 3] = ["maps", "pub", "quests"];

/// A built world: every output file's bytes by its path relative to the output folder
/// (`maps/00001.emf`, `pub/dat001.eif`, ...), in path order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Builds the world from the sources in `src`.
///
/// # Errors
/// The first problem found in the sources, naming the file and line.
pub fn build(src: &Path) -> Result<World, Error> {
    let pubs = pubs::load(src)?;
    let drafts = maps::load_all(&src.join("maps"))?;
    maps::check_scrolls(&drafts, &pubs)?;
    let mut files = BTreeMap::new();
    files.extend(maps::build_all(&drafts, &pubs)?);
    files.extend(pubs::encode_all(&pubs)?);
    files.extend(inns::build(src, &pubs, &drafts)?);
    files.extend(speech::build(src, &pubs)?);
    files.extend(shops::build(src, &pubs)?);
    files.extend(trainers::build(src, &pubs)?);
    files.extend(quests::build(src)?);
    Ok(World { files })
}

/// How an output folder differs from a built world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A file the build makes is not in the folder.
    Missing(PathBuf),
    /// A file's bytes differ from the build's.
    Differs(PathBuf),
    /// A file in one of the tool's folders that the build does not make.
    Unexpected(PathBuf),
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Missing(p) => write!(f, "{}: missing", p.display()),
            Difference::Differs(p) => write!(f, "{}: differs from a fresh build", p.display()),
            Difference::Unexpected(p) => {
                write!(f, "{}: not made by the sources (stale)", p.display())
            }
        }
    }
}

impl World {
    /// Files in the tool's output folders of `out` that this world does not contain.
    fn stale_files(&self, out: &Path) -> Result<Vec<PathBuf>, Error> {
        let mut stale = Vec::new();
        for dir in OUTPUT_DIRS {
            let path = out.join(dir);
            let listing = match std::fs::read_dir(&path) {
                Ok(listing) => listing,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(&path, e)),
            };
            for entry in listing {
                let entry = entry.map_err(|e| Error::io(&path, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !self.files.contains_key(&format!("{dir}/{name}")) {
                    stale.push(entry.path());
                }
            }
        }
        stale.sort();
        Ok(stale)
    }

    /// Compares the files in `out` with this world; empty when they match.
    ///
    /// # Errors
    /// A file or folder that exists but cannot be read.
    pub fn compare(&self, out: &Path) -> Result<Vec<Difference>, Error> {
        let mut differences = Vec::new();
        for (name, bytes) in &self.files {
            let path = out.join(name);
            match std::fs::read(&path) {
                Ok(found) if found == *bytes => {}
                Ok(_) => differences.push(Difference::Differs(path)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    differences.push(Difference::Missing(path));
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        differences.extend(
            self.stale_files(out)?
                .into_iter()
                .map(Difference::Unexpected),
        );
        Ok(differences)
    }

    /// Writes the world into `out` (files whose bytes are unchanged are not rewritten) and
    /// removes stale files from the tool's folders `out/maps`, `out/pub` and `out/quests`.
    ///
    /// # Errors
    /// A file that cannot be written or removed.
    pub fn write(&self, out: &Path) -> Result<(), Error> {
        for (name, bytes) in &self.files {
            let path = out.join(name);
            if std::fs::read(&path).is_ok_and(|found| found == *bytes) {
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        }
        for path in self.stale_files(out)? {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }
}
