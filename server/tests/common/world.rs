//! Test worlds: the bundled world's sources plus maps (or replaced source files) a test
//! writes, built by the worldgen crate into a temporary directory the server then loads.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A built world in a temporary directory (removed when dropped).
pub struct TestWorld {
    pub dir: TempDir,
    /// The built world: `maps/`, `pub/` and the data files; for `[world] data_dir`.
    pub data_dir: PathBuf,
    /// The id the first added map got.
    pub first_new_map: u16,
}

fn sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world-src")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The bundled world with `replaced` source files (a path under `world-src`, its new text)
/// and `new_maps` (map sources in the README's format) appended after the bundled maps.
pub fn build(replaced: &[(&str, &str)], new_maps: &[&str]) -> TestWorld {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    copy_dir(&sources(), &src);
    for (path, text) in replaced {
        std::fs::write(src.join(path), text).unwrap();
    }
    let maps = src.join("maps");
    let first_new_map = std::fs::read_dir(&maps).unwrap().count() as u16 + 1;
    for (i, text) in new_maps.iter().enumerate() {
        let id = first_new_map + i as u16;
        std::fs::write(maps.join(format!("{id:05}.toml")), text).unwrap();
    }
    let world = eo_worldgen::build(&src).unwrap_or_else(|e| panic!("test world: {e}"));
    let data_dir = dir.path().join("world");
    world.write(&data_dir).unwrap();
    TestWorld {
        dir,
        data_dir,
        first_new_map,
    }
}
