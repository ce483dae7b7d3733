//! `eo-server --check-config`, the real binary: a good configuration and world pass (exit 0,
//! with what was found); a broken world or a spawn point off it fail (exit 2, naming what is
//! wrong), and nothing is started (no database, no socket).

use std::path::{Path, PathBuf};
use std::process::Command;

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world")
}

/// Runs `eo-server --check-config` with `config` (TOML) in a fresh directory; its exit code,
/// standard output and standard error, and whether it left a database or a socket behind.
fn check(config: &str) -> (i32, String, String, bool) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("eo-server.toml");
    std::fs::write(&file, config).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_eo-server"))
        .arg("--config")
        .arg(&file)
        .arg("--check-config")
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let left_behind = std::fs::read_dir(dir.path()).unwrap().count() > 1;
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        left_behind,
    )
}

fn world_config(data_dir: &Path, extra: &str) -> String {
    format!(
        "[world]\ndata_dir = {:?}\n{extra}\n[database]\npath = \"should-not-exist.db\"\n",
        data_dir.display().to_string()
    )
}

/// A copy of the bundled world to break.
fn copy_of_bundled() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for folder in ["maps", "pub"] {
        std::fs::create_dir(copy.path().join(folder)).unwrap();
        for entry in std::fs::read_dir(bundled().join(folder)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(
                entry.path(),
                copy.path().join(folder).join(entry.file_name()),
            )
            .unwrap();
        }
    }
    copy
}

#[test]
fn a_good_configuration_and_world_pass() {
    let (code, out, err, left) = check(&world_config(&bundled(), ""));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("are fine: 6 maps"), "{out}");
    assert!(!left, "nothing is started");
}

#[test]
fn a_broken_quest_file_is_named_and_the_world_still_passes() {
    let world = copy_of_bundled();
    let quests = world.path().join("quests");
    std::fs::create_dir(&quests).unwrap();
    std::fs::copy(bundled().join("quests/00001.eqf"), quests.join("00001.eqf")).unwrap();
    std::fs::write(
        quests.join("00007.eqf"),
        "Main { questname \"Broken\" }\nstate Begin {\n  action GiveItem(1, 2, 3)\n}\n",
    )
    .unwrap();
    let (code, out, err, _) = check(&world_config(world.path(), ""));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 quests"), "{out}");
    assert!(
        err.contains("00007.eqf: line 3: expected 1 to 2 argument(s); found 3 (in giveitem)"),
        "{err}"
    );
}

#[test]
fn without_a_world_folder_the_bundled_world_is_checked() {
    let (code, out, err, left) = check("[server]\nmax_players = 10\n");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("the bundled world are fine: 6 maps"), "{out}");
    assert!(!left);
}

#[test]
fn a_broken_world_or_a_bad_spawn_point_fail_naming_the_problem() {
    let (code, _, err, left) = check(&world_config(&bundled(), "spawn_map = 9"));
    assert_eq!((code, left), (2, false), "{err}");
    assert!(
        err.contains("world.spawn_map: map 9 does not exist"),
        "{err}"
    );

    let (code, _, err, _) = check(&world_config(&bundled(), "spawn_x = 0\nspawn_y = 0"));
    assert_eq!(code, 2);
    assert!(err.contains("not a walkable tile"), "{err}");

    let broken = copy_of_bundled();
    std::fs::write(broken.path().join("maps/00002.emf"), b"not a map").unwrap();
    let (code, _, err, _) = check(&world_config(broken.path(), ""));
    assert_eq!(code, 2);
    assert!(err.contains("00002.emf"), "{err}");

    let missing = copy_of_bundled();
    std::fs::remove_file(missing.path().join("pub/dtn001.enf")).unwrap();
    let (code, _, err, _) = check(&world_config(missing.path(), ""));
    assert_eq!(code, 2);
    assert!(err.contains("dtn001.enf"), "{err}");

    let (code, _, err, _) = check("[server]\nmax_players = \"many\"\n");
    assert_eq!(code, 2);
    assert!(err.contains("server.max_players"), "{err}");
}
