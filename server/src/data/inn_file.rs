//! The inn file: `pub/din001.eid` (the spec's `InnFile`), or else reoserv's `pub/serv_inns.epf`
//! (the official layout). Each inn is run by the Inn NPCs whose ENF `behavior_id` is the
//! inn's; its name is what a citizen's `home` holds; it has a respawn point, a point sleepers
//! wake at, and three questions a new citizen must answer. The inn with behavior id 0, if
//! any, is the default: characters without a home (or whose home names no inn) respawn at its
//! spawn point.
//!
//! The alternate spawn point applies from a level on: the official layout stores that level
//! (a short), the spec's layout only a flag, which counts as "from level 1" (as reoserv reads
//! both). The official layout's sleep price is read and not used: what sleeping costs is
//! `[inns]` (`crate::config::InnsConfig`).
//!
//! A point on a map the world lacks, off its map or on a tile nobody can stand on is dropped
//! with a warning (the inn then has no such point); an inn without a name, or with a behavior
//! id or name an earlier inn has, is skipped with a warning.

use std::path::Path;

use eo_protocol::pubs::server::InnFile;

use super::DataError;
use super::server_pub::{self, Found, Layout};

/// The standard name, in the world's `pub/` folder.
pub const INN_FILE: &str = "din001.eid";
/// reoserv's name for the official server's file.
pub const OFFICIAL_INN_FILE: &str = "serv_inns.epf";
/// Questions each inn asks.
pub const QUESTIONS: usize = 3;

/// A tile of a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub map: u16,
    pub x: u8,
    pub y: u8,
}

/// A question a new citizen answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Question {
    pub question: String,
    pub answer: String,
}

/// One inn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inn {
    pub behavior_id: u16,
    pub name: String,
    /// Where its citizens respawn.
    pub spawn: Option<Place>,
    /// Where sleepers wake.
    pub sleep: Option<Place>,
    /// Where its citizens respawn from a level on: `(point, level)`.
    pub alternate_spawn: Option<(Place, u16)>,
    pub questions: [Question; QUESTIONS],
}

impl Inn {
    /// Where a citizen of `level` respawns.
    pub fn spawn_for(&self, level: u8) -> Option<Place> {
        match self.alternate_spawn {
            Some((place, from)) if u16::from(level) >= from => Some(place),
            _ => self.spawn,
        }
    }

    /// How many of `answers` are wrong: each is compared with its question's answer, ignoring
    /// case and the spaces around it; a missing answer is wrong, and a question without an
    /// answer takes any.
    pub fn wrong_answers(&self, answers: &[String]) -> u8 {
        let mut wrong = 0;
        for (i, question) in self.questions.iter().enumerate() {
            let expected = question.answer.trim();
            if expected.is_empty() {
                continue;
            }
            let right = answers
                .get(i)
                .is_some_and(|given| given.trim().to_lowercase() == expected.to_lowercase());
            if !right {
                wrong += 1;
            }
        }
        wrong
    }
}

/// Every inn of the world.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inns {
    list: Vec<Inn>,
}

impl Inns {
    /// Reads the inn file of `pub_dir` (none: no inns), checking its points against `maps`;
    /// what had to be dropped goes to `warnings`.
    pub fn load(
        pub_dir: &Path,
        maps: &super::Maps,
        warnings: &mut Vec<String>,
    ) -> Result<Inns, DataError> {
        let Some(found) = server_pub::find(pub_dir, INN_FILE, OFFICIAL_INN_FILE, warnings)? else {
            return Ok(Inns::default());
        };
        let raw = match found.layout {
            Layout::Spec => read_spec(&found)?,
            Layout::Official => read_official(&found)?,
        };
        Ok(Inns::checked(&found.path, raw, maps, warnings))
    }

    fn checked(path: &Path, raw: Vec<Inn>, maps: &super::Maps, warnings: &mut Vec<String>) -> Inns {
        let mut warn = |what: String| warnings.push(format!("{}: {what}", path.display()));
        let mut list: Vec<Inn> = Vec::new();
        for mut inn in raw {
            let at = format!("inn {} ({:?})", inn.behavior_id, inn.name);
            if inn.name.trim().is_empty() {
                warn(format!("{at}: no name; skipped"));
                continue;
            }
            if list
                .iter()
                .any(|other| other.behavior_id == inn.behavior_id)
            {
                warn(format!("{at}: an earlier inn has its behavior id; skipped"));
                continue;
            }
            if list.iter().any(|other| other.name == inn.name) {
                warn(format!("{at}: an earlier inn has its name; skipped"));
                continue;
            }
            let mut check = |place: Option<Place>, what: &str| {
                let place = place?;
                match usable(place, maps) {
                    Ok(()) => Some(place),
                    Err(problem) => {
                        warn(format!("{at}: {what} {problem}; not used"));
                        None
                    }
                }
            };
            inn.spawn = check(inn.spawn, "spawn point");
            inn.sleep = check(inn.sleep, "sleep point");
            inn.alternate_spawn = inn.alternate_spawn.and_then(|(place, level)| {
                check(Some(place), "alternate spawn point").map(|place| (place, level))
            });
            list.push(inn);
        }
        Inns { list }
    }

    /// The inn run by NPCs of `behavior_id`.
    pub fn by_behavior(&self, behavior_id: u16) -> Option<&Inn> {
        self.list.iter().find(|inn| inn.behavior_id == behavior_id)
    }

    /// The inn named `name`.
    pub fn named(&self, name: &str) -> Option<&Inn> {
        self.list.iter().find(|inn| inn.name == name)
    }

    /// The inn a character whose home is `home` belongs to: the inn of that name, or else the
    /// default inn (behavior id 0), if there is one.
    pub fn home_of(&self, home: &str) -> Option<&Inn> {
        self.named(home).or_else(|| self.by_behavior(0))
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Why nobody could be put on `place`, if so.
fn usable(place: Place, maps: &super::Maps) -> Result<(), String> {
    let Some(map) = maps.get(&place.map) else {
        return Err(format!("is on map {}, which the world lacks", place.map));
    };
    if !map.is_walkable(place.x, place.y) {
        return Err(format!(
            "({}, {}) on map {} is off the map or not walkable",
            place.x, place.y, place.map
        ));
    }
    Ok(())
}

/// A point, or none when its map is 0.
fn place(map: u16, x: u8, y: u8) -> Option<Place> {
    (map != 0).then_some(Place { map, x, y })
}

fn read_spec(found: &Found) -> Result<Vec<Inn>, DataError> {
    let file: InnFile = server_pub::decode_spec(found)?;
    Ok(file
        .inns
        .into_iter()
        .map(|r| {
            let mut questions: [Question; QUESTIONS] = Default::default();
            for (slot, q) in questions.iter_mut().zip(r.questions) {
                *slot = Question {
                    question: q.question,
                    answer: q.answer,
                };
            }
            Inn {
                behavior_id: r.behavior_id,
                name: r.name,
                spawn: place(r.spawn_map, r.spawn_x, r.spawn_y),
                sleep: place(r.sleep_map, r.sleep_x, r.sleep_y),
                alternate_spawn: r
                    .alternate_spawn_enabled
                    .then(|| {
                        place(
                            r.alternate_spawn_map,
                            r.alternate_spawn_x,
                            r.alternate_spawn_y,
                        )
                    })
                    .flatten()
                    .map(|p| (p, 1)),
                questions,
            }
        })
        .collect())
}

/// The official layout: behavior id (short), name (char length), sleep price (three), sleep
/// point, spawn point (map short, x and y chars), the alternate spawn's level (short) and
/// point, then a question count (char) and that many questions and answers (char lengths).
fn read_official(found: &Found) -> Result<Vec<Inn>, DataError> {
    let (mut reader, count) = server_pub::official_records(found, b"EID")?;
    let mut inns = Vec::new();
    for _ in 0..count {
        let behavior_id = reader.get_short();
        let length = usize::from(reader.get_char());
        let name = reader.get_fixed_string(length, false);
        let _sleep_price = reader.get_three();
        let sleep = place(reader.get_short(), reader.get_char(), reader.get_char());
        let spawn = place(reader.get_short(), reader.get_char(), reader.get_char());
        let alternate_level = reader.get_short();
        let alternate = place(reader.get_short(), reader.get_char(), reader.get_char());
        let asked = reader.get_char();
        let mut questions: [Question; QUESTIONS] = Default::default();
        for i in 0..usize::from(asked) {
            let length = usize::from(reader.get_char());
            let question = reader.get_fixed_string(length, false);
            let length = usize::from(reader.get_char());
            let answer = reader.get_fixed_string(length, false);
            if let Some(slot) = questions.get_mut(i) {
                *slot = Question { question, answer };
            }
        }
        server_pub::finish(found, &reader)?;
        inns.push(Inn {
            behavior_id,
            name,
            spawn,
            sleep,
            alternate_spawn: alternate
                .filter(|_| alternate_level > 0)
                .map(|p| (p, alternate_level)),
            questions,
        });
    }
    Ok(inns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_protocol::EoWriter;
    use eo_protocol::pubs::server::{InnQuestionRecord, InnRecord};

    fn bundled_maps() -> super::super::Maps {
        super::super::GameData::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world"),
        )
        .unwrap()
        .maps
    }

    fn questions() -> Vec<InnQuestionRecord> {
        ["Rain", "Moss", "Brook"]
            .iter()
            .enumerate()
            .map(|(i, answer)| InnQuestionRecord {
                question: format!("Question {i}?"),
                answer: (*answer).into(),
            })
            .collect()
    }

    fn load_from(name: &str, bytes: &[u8]) -> (Result<Inns, DataError>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let mut warnings = Vec::new();
        let inns = Inns::load(dir.path(), &bundled_maps(), &mut warnings);
        (inns, warnings)
    }

    fn spec(inns: Vec<InnRecord>) -> Vec<u8> {
        use eo_protocol::EoSerialize;
        InnFile { inns }.to_bytes().unwrap().to_vec()
    }

    #[test]
    fn a_spec_inn_file_reads_and_bad_points_are_dropped() {
        let bytes = spec(vec![
            InnRecord {
                behavior_id: 0,
                name: "Wanderer".into(),
                spawn_map: 1,
                spawn_x: 16,
                spawn_y: 9,
                questions: questions(),
                ..InnRecord::default()
            },
            InnRecord {
                behavior_id: 4,
                name: "Mossbrook".into(),
                spawn_map: 1,
                spawn_x: 16,
                spawn_y: 9,
                sleep_map: 9,
                sleep_x: 1,
                sleep_y: 1,
                alternate_spawn_enabled: true,
                alternate_spawn_map: 1,
                alternate_spawn_x: 0,
                alternate_spawn_y: 0,
                questions: questions(),
            },
            InnRecord {
                behavior_id: 4,
                name: "Again".into(),
                questions: questions(),
                ..InnRecord::default()
            },
        ]);
        let (inns, warnings) = load_from(INN_FILE, &bytes);
        let inns = inns.unwrap();
        assert_eq!(inns.len(), 2);
        let inn = inns.by_behavior(4).unwrap();
        assert_eq!(
            inn.spawn,
            Some(Place {
                map: 1,
                x: 16,
                y: 9
            })
        );
        assert_eq!(inn.sleep, None, "map 9 does not exist");
        assert_eq!(inn.alternate_spawn, None, "(0, 0) is a wall");
        assert_eq!(inn.questions[1].answer, "Moss");
        assert_eq!(inns.home_of("Mossbrook").unwrap().behavior_id, 4);
        assert_eq!(
            inns.home_of("").unwrap().name,
            "Wanderer",
            "the default inn"
        );
        assert_eq!(inns.home_of("Nowhere").unwrap().behavior_id, 0);
        let all = warnings.join("\n");
        assert!(all.contains("map 9, which the world lacks"), "{all}");
        assert!(
            all.contains("alternate spawn point (0, 0) on map 1"),
            "{all}"
        );
        assert!(all.contains("an earlier inn has its behavior id"), "{all}");
    }

    #[test]
    fn answers_are_compared_ignoring_case_and_spaces_around() {
        let inn = Inn {
            behavior_id: 1,
            name: "Mossbrook".into(),
            spawn: None,
            sleep: None,
            alternate_spawn: None,
            questions: [
                Question {
                    question: "A?".into(),
                    answer: "Rain".into(),
                },
                Question {
                    question: "B?".into(),
                    answer: "Old Moss".into(),
                },
                Question::default(),
            ],
        };
        let answers = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(inn.wrong_answers(&answers(&["rAIN", " old moss ", ""])), 0);
        assert_eq!(inn.wrong_answers(&answers(&["snow", "old moss", "x"])), 1);
        assert_eq!(
            inn.wrong_answers(&answers(&["rain"])),
            1,
            "a missing answer"
        );
        assert_eq!(inn.wrong_answers(&[]), 2);
    }

    #[test]
    fn the_alternate_spawn_applies_from_its_level() {
        let at = |x| Place { map: 1, x, y: 9 };
        let inn = Inn {
            behavior_id: 1,
            name: "Mossbrook".into(),
            spawn: Some(at(16)),
            sleep: None,
            alternate_spawn: Some((at(17), 5)),
            questions: Default::default(),
        };
        assert_eq!(inn.spawn_for(4), Some(at(16)));
        assert_eq!(inn.spawn_for(5), Some(at(17)));
    }

    #[test]
    fn the_official_layout_reads_sleep_before_spawn_and_its_level() {
        let mut w = EoWriter::new();
        w.add_string("EID");
        w.add_short(1).unwrap();
        w.add_short(1).unwrap();
        w.add_short(1).unwrap(); // one inn
        w.add_byte(1);
        w.add_short(2).unwrap(); // behavior id
        w.add_char(9).unwrap();
        w.add_string("Mossbrook");
        w.add_three(150).unwrap(); // the sleep price, not used
        for (map, x, y) in [(1, 2, 1), (1, 16, 9)] {
            w.add_short(map).unwrap();
            w.add_char(x).unwrap();
            w.add_char(y).unwrap();
        }
        w.add_short(6).unwrap(); // alternate spawn from level 6
        w.add_short(1).unwrap();
        w.add_char(17).unwrap();
        w.add_char(9).unwrap();
        w.add_char(1).unwrap(); // one question
        w.add_char(3).unwrap();
        w.add_string("Who");
        w.add_char(5).unwrap();
        w.add_string("Tobin");
        let (inns, warnings) = load_from(OFFICIAL_INN_FILE, w.as_slice());
        let inns = inns.unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let inn = inns.by_behavior(2).unwrap();
        assert_eq!(inn.name, "Mossbrook");
        assert_eq!(inn.sleep, Some(Place { map: 1, x: 2, y: 1 }));
        assert_eq!(
            inn.spawn,
            Some(Place {
                map: 1,
                x: 16,
                y: 9
            })
        );
        assert_eq!(
            inn.alternate_spawn,
            Some((
                Place {
                    map: 1,
                    x: 17,
                    y: 9
                },
                6
            ))
        );
        assert_eq!(inn.questions[0].answer, "Tobin");
        assert_eq!(inn.questions[1], Question::default());
        let mut cut = w.as_slice().to_vec();
        cut.truncate(cut.len() - 3);
        assert!(load_from(OFFICIAL_INN_FILE, &cut).0.is_err());
    }
}
