//! EO+ quests (`.eqf` files, EOSERV's format, also read by reoserv): the parser into a typed
//! quest (quest/ast.rs) and the loading of a world's quest folder. The engine that runs them for
//! characters lives on the map (map/quests/); docs/quests.md is the operator's guide.
//!
//! Quest files are `quests/NNNNN.eqf` under the world's data folder; the number is the quest's
//! id (and the vendor id of the NPC that starts it). A file with an error is named in the log,
//! with its line and what was expected there, and skipped; the others load.

pub mod ast;
mod functions;
mod lexer;
mod parser;
pub mod rpn;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use ast::{Action, Hidden, Quest, Rule, RuleEntry, Stat, State, Step, When};
pub use parser::parse;

/// The folder of the quest files under the data folder.
pub const QUEST_DIR: &str = "quests";

/// What is wrong in a quest file: the line, and what was expected there (and found).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: expected {expected}")]
pub struct ParseError {
    pub line: u32,
    pub expected: String,
}

impl ParseError {
    pub fn new(line: u32, expected: impl Into<String>) -> Self {
        ParseError {
            line,
            expected: expected.into(),
        }
    }
}

/// A quest file that did not load.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("{}: {error}", path.display())]
    Parse { path: PathBuf, error: ParseError },
    #[error("{}: {problem}", path.display())]
    File { path: PathBuf, problem: String },
}

/// The quests of the world by id.
#[derive(Clone, Debug, Default)]
pub struct Quests {
    by_id: BTreeMap<u16, Arc<Quest>>,
}

impl Quests {
    pub fn get(&self, id: u16) -> Option<&Arc<Quest>> {
        self.by_id.get(&id)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Quest>> {
        self.by_id.values()
    }

    /// Quests from parsed files (tests and the loader).
    pub fn from_quests(quests: impl IntoIterator<Item = Quest>) -> Self {
        Quests {
            by_id: quests.into_iter().map(|q| (q.id, Arc::new(q))).collect(),
        }
    }

    /// The quests of the world `config` names: its data folder's, or the bundled world's (built
    /// into the binary).
    pub fn load_for(config: &crate::config::Config) -> (Quests, Vec<LoadError>) {
        if config.world.uses_bundled() {
            let files = crate::data::bundled::FILES
                .iter()
                .filter_map(|(name, bytes)| {
                    let name = name.strip_prefix(QUEST_DIR)?.strip_prefix('/')?;
                    Some((PathBuf::from(QUEST_DIR).join(name), bytes.to_vec()))
                })
                .collect();
            Quests::from_files(files)
        } else {
            Quests::load(&config.world.data_dir)
        }
    }

    /// Loads every `NNNNN.eqf` in `data_dir/quests` (none when the folder is missing). Files that
    /// fail are returned with why, and left out; each is also logged.
    pub fn load(data_dir: &Path) -> (Quests, Vec<LoadError>) {
        let dir = data_dir.join(QUEST_DIR);
        let mut errors = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Quests::default(), errors);
            }
            Err(e) => {
                errors.push(LoadError::File {
                    path: dir,
                    problem: e.to_string(),
                });
                return (Quests::default(), errors);
            }
        };
        let mut files = Vec::new();
        for path in entries.flatten().map(|e| e.path()) {
            let is_quest = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("eqf"));
            if !is_quest {
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => files.push((path, bytes)),
                Err(e) => {
                    let error = LoadError::File {
                        path,
                        problem: e.to_string(),
                    };
                    tracing::error!(%error, "a quest file did not load; the other quests run");
                    errors.push(error);
                }
            }
        }
        let (quests, more) = Quests::from_files(files);
        errors.extend(more);
        (quests, errors)
    }

    /// Parses quest files given as `(path, bytes)`; the id is the file's number.
    fn from_files(mut files: Vec<(PathBuf, Vec<u8>)>) -> (Quests, Vec<LoadError>) {
        files.sort();
        let mut quests: BTreeMap<u16, Quest> = BTreeMap::new();
        let mut errors = Vec::new();
        for (path, bytes) in files {
            let id = path
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u16>().ok());
            let Some(id) = id else {
                errors.push(LoadError::File {
                    path,
                    problem: "a quest file's name is its id, a number up to 65535 (00012.eqf)"
                        .into(),
                });
                continue;
            };
            if quests.contains_key(&id) {
                errors.push(LoadError::File {
                    path,
                    problem: format!("a second file for quest {id}"),
                });
                continue;
            }
            // EO+ files are single-byte text; bytes that are not UTF-8 are read as Latin-1.
            let text = String::from_utf8(bytes)
                .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect());
            match parse(id, &text) {
                Ok(quest) => {
                    quests.insert(id, quest);
                }
                Err(error) => errors.push(LoadError::Parse { path, error }),
            }
        }
        for error in &errors {
            tracing::error!(%error, "a quest file did not load; the other quests run");
        }
        (Quests::from_quests(quests.into_values()), errors)
    }
}

/// The quests in force, shared by every map: a reload swaps them whole, and a map reads the
/// set once per event, so one event never sees two versions.
#[derive(Debug, Default)]
pub struct QuestBook {
    current: std::sync::RwLock<Arc<Quests>>,
}

impl QuestBook {
    pub fn new(quests: Quests) -> Self {
        QuestBook {
            current: std::sync::RwLock::new(Arc::new(quests)),
        }
    }

    /// The quests in force now.
    pub fn current(&self) -> Arc<Quests> {
        match self.current.read() {
            Ok(quests) => Arc::clone(&quests),
            // A panic while swapping cannot leave a half-written Arc: the value is whole.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts `quests` in force.
    pub fn replace(&self, quests: Quests) {
        let mut current = match self.current.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        *current = Arc::new(quests);
    }
}

#[cfg(test)]
mod tests;
