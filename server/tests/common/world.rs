//! Test worlds: the bundled world's sources plus what a test adds (maps, NPCs, formulas, drop
//! tables), built by the worldgen crate into a temporary directory the server then loads.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// Starts a server on the world in `data_dir` whose new characters start on `map` at (x, y);
/// `adjust` may change more of the configuration.
pub async fn serve_world(
    data_dir: PathBuf,
    (map, x, y): (u16, u8, u8),
    adjust: impl FnOnce(&mut eo_server::config::Config),
) -> super::TestServer {
    super::TestServer::start(move |config| {
        config.world.data_dir = data_dir;
        (
            config.world.spawn_map,
            config.world.spawn_x,
            config.world.spawn_y,
        ) = (map, x, y);
        adjust(config);
    })
    .await
}

impl TestWorld {
    /// [`serve_world`] on this world.
    pub async fn serve(
        &self,
        spawn: (u16, u8, u8),
        adjust: impl FnOnce(&mut eo_server::config::Config),
    ) -> super::TestServer {
        serve_world(self.data_dir.clone(), spawn, adjust).await
    }
}

/// A built world in a temporary directory (removed when dropped).
pub struct TestWorld {
    pub dir: TempDir,
    /// The built world: `maps/`, `pub/` and the data files; for `[world] data_dir`.
    pub data_dir: PathBuf,
    /// The id the first added map got.
    pub first_new_map: u16,
}

/// What a test changes in the bundled world.
#[derive(Default)]
pub struct WorldBuilder {
    /// (a path under `world-src`, text appended to it)
    appended: Vec<(String, String)>,
    /// Map sources (the README's format), numbered after the bundled maps.
    maps: Vec<String>,
    /// (a file name, its text) written into the built world folder, over the bundled ones
    /// (`formulas.toml`, `drops.toml`).
    data_files: Vec<(String, String)>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
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

impl WorldBuilder {
    /// Appends `text` to the source file `path` (e.g. `npcs.toml`: more NPCs after the
    /// bundled ones, whose ids continue theirs: write them with [`added_npc`], never as
    /// numbers, so the test survives a new bundled NPC).
    pub fn append(mut self, path: &str, text: &str) -> Self {
        self.appended.push((path.to_owned(), text.to_owned()));
        self
    }

    /// Adds a map after the bundled ones.
    pub fn map(mut self, text: &str) -> Self {
        self.maps.push(text.to_owned());
        self
    }

    /// Writes a data file (`formulas.toml`, `drops.toml`) into the built world.
    pub fn data_file(mut self, name: &str, text: &str) -> Self {
        self.data_files.push((name.to_owned(), text.to_owned()));
        self
    }

    pub fn build(self) -> TestWorld {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        copy_dir(&workspace().join("fixtures/world-src"), &src);
        for (path, text) in &self.appended {
            let path = src.join(path);
            let mut all = std::fs::read_to_string(&path).unwrap();
            all.push('\n');
            all.push_str(text);
            std::fs::write(path, all).unwrap();
        }
        let maps = src.join("maps");
        let first_new_map = std::fs::read_dir(&maps).unwrap().count() as u16 + 1;
        for (i, text) in self.maps.iter().enumerate() {
            let id = first_new_map + i as u16;
            std::fs::write(maps.join(format!("{id:05}.toml")), text).unwrap();
        }
        let world = eo_worldgen::build(&src).unwrap_or_else(|e| panic!("test world: {e}"));
        let data_dir = dir.path().join("world");
        world.write(&data_dir).unwrap();
        // The bundled world's data files (formulas, drops), then the test's own.
        for entry in std::fs::read_dir(workspace().join("fixtures/world")).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), data_dir.join(entry.file_name())).unwrap();
            }
        }
        for (name, text) in &self.data_files {
            std::fs::write(data_dir.join(name), text).unwrap();
        }
        TestWorld {
            dir,
            data_dir,
            first_new_map,
        }
    }
}

/// The id the first record a test appends to the bundled source `source` (its `[[table]]`s,
/// e.g. `npcs.toml` and `npc`) gets. Ids run 1, 2, 3, ... in file order, so this is one past
/// the bundled records, counted now: a test that builds its ids from it keeps working when
/// the bundled world grows.
pub fn next_id(source: &str, table: &str) -> u16 {
    let path = workspace().join("fixtures/world-src").join(source);
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let count = parsed
        .get(table)
        .and_then(|records| records.as_array())
        .map_or(0, Vec::len);
    u16::try_from(count + 1).unwrap()
}

/// The id of the `n`-th NPC (from 1) a test appends to `npcs.toml`: after the bundled NPCs,
/// however many there are.
pub fn added_npc(n: u16) -> u16 {
    next_id("npcs.toml", "npc") + n - 1
}

/// A builder of a world from the bundled one.
pub fn world() -> WorldBuilder {
    WorldBuilder::default()
}

/// The bundled world with `new_maps` added after its maps.
pub fn build(new_maps: &[&str]) -> TestWorld {
    new_maps
        .iter()
        .fold(world(), |builder, map| builder.map(map))
        .build()
}
