//! The bundled world, built into the binary (`server/build.rs` embeds `fixtures/world`): what
//! the server serves when `[world] data_dir` is not set, from any working directory.

mod files {
    include!(concat!(env!("OUT_DIR"), "/bundled_world.rs"));
}

use std::path::Path;

pub use files::FILES;

/// Writes the bundled world into `dir` (which must exist), as `world.data_dir` would hold it.
pub fn write_to(dir: &Path) -> std::io::Result<()> {
    for (relative, contents) in FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, contents)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_world_is_the_fixtures_world() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
        assert!(FILES.iter().any(|(name, _)| *name == "maps/00001.emf"));
        assert!(FILES.iter().any(|(name, _)| *name == "pub/dat001.eif"));
        for (name, contents) in FILES {
            assert_eq!(
                std::fs::read(fixtures.join(name)).unwrap(),
                *contents,
                "{name}"
            );
        }
    }
}
