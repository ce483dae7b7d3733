//! EO+ quest files (`quests/NNNNN.eqf` in the sources): hand-written in EO+ itself, the
//! format operators already share between servers, so they are copied into the world as they
//! are. The server parses them (and its tests load the bundled ones); here only the names are
//! checked: five digits, the quest's id.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;

/// The quest files of `src/quests` by output path (none without the folder).
pub fn build(src: &Path) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let dir = src.join("quests");
    let mut files = BTreeMap::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let valid = name.len() == 9
            && name.ends_with(".eqf")
            && name.bytes().take(5).all(|b| b.is_ascii_digit());
        if !valid {
            return Err(Error::Source {
                file: path,
                line: None,
                message: "a quest file is named by its id in five digits: 00012.eqf".into(),
            });
        }
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        files.insert(format!("quests/{name}"), bytes);
    }
    Ok(files)
}
