//! Builds the bundled world (`fixtures/world`) into the binary, so `eo-server` started from any
//! folder, or installed with `cargo install`, serves it when `[world] data_dir` is not set
//! (`server/src/data/bundled.rs`).

use std::path::{Path, PathBuf};

fn main() {
    let world = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
    println!("cargo:rerun-if-changed={}", world.display());
    let mut files = Vec::new();
    collect(&world, &world, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The bundled world's files: (path under the world folder, contents).\n\
         pub const FILES: &[(&str, &[u8])] = &[\n",
    );
    for (relative, absolute) in &files {
        println!("cargo:rerun-if-changed={}", absolute.display());
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("bundled_world.rs"), code).expect("OUT_DIR is writable");
}

/// Every file under `dir`, with its path relative to `root` (`/`-separated).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((relative, path.canonicalize().unwrap_or(path)));
        }
    }
}
