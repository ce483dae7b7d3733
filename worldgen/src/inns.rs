//! `inns.toml` (optional): the inns, built into the server pub file `pub/din001.eid` (the
//! spec's `InnFile`). See `fixtures/world-src/README.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use eo_protocol::EoSerialize;
use eo_protocol::pubs::NpcType;
use eo_protocol::pubs::server::{InnFile, InnQuestionRecord, InnRecord};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, SourceFile};
use crate::maps::MapDraft;
use crate::pubs::{Pubs, check_text};

/// The source file, in the source folder.
const SOURCE: &str = "inns.toml";
/// The built file, in the output folder.
pub(crate) const OUTPUT: &str = "pub/din001.eid";
/// Questions each inn asks (the file has room for exactly three).
const QUESTIONS: usize = 3;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InnsFile {
    #[serde(default)]
    inn: Vec<Spanned<InnSrc>>,
}

/// One `[[inn]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InnSrc {
    behavior_id: u16,
    name: String,
    spawn: Spanned<PlaceSrc>,
    sleep: Option<Spanned<PlaceSrc>>,
    alternate_spawn: Option<Spanned<PlaceSrc>>,
    questions: Vec<QuestionSrc>,
}

/// A tile of a map.
#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct PlaceSrc {
    map: u16,
    x: u8,
    y: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionSrc {
    question: String,
    answer: String,
}

/// Builds `pub/din001.eid` from `src/inns.toml`; nothing when the source is absent.
pub(crate) fn build(
    src: &Path,
    pubs: &Pubs,
    maps: &BTreeMap<u16, MapDraft>,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let path = src.join(SOURCE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let file = SourceFile::read(path)?;
    let parsed: InnsFile = file.parse()?;
    let mut behaviors = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut inns = Vec::with_capacity(parsed.inn.len());
    for entry in parsed.inn {
        let span = entry.span();
        let inn = entry.into_inner();
        let what = format!("inn {:?}", inn.name);
        check_text(&file, &span, &format!("{what} name"), &inn.name, 1, 252)?;
        if !names.insert(inn.name.to_ascii_lowercase()) {
            return Err(file.error_at(span, format!("{what}: the name is used twice")));
        }
        if !behaviors.insert(inn.behavior_id) {
            return Err(file.error_at(
                span,
                format!("{what}: behavior_id {} is used twice", inn.behavior_id),
            ));
        }
        let runs_it =
            pubs.npcs.entries.iter().any(|n| {
                n.record.r#type == NpcType::Inn && n.record.behavior_id == inn.behavior_id
            });
        if inn.behavior_id != 0 && !runs_it {
            return Err(file.error_at(
                span,
                format!(
                    "{what}: no NPC of type Inn has behavior_id {} (0 is the default inn)",
                    inn.behavior_id
                ),
            ));
        }
        if inn.questions.len() != QUESTIONS {
            return Err(file.error_at(
                span,
                format!(
                    "{what}: {} questions; an inn asks exactly {QUESTIONS}",
                    inn.questions.len()
                ),
            ));
        }
        for (i, q) in inn.questions.iter().enumerate() {
            let at = format!("{what} question {}", i + 1);
            check_text(&file, &span, &at, &q.question, 1, 252)?;
            check_text(&file, &span, &format!("{at} answer"), &q.answer, 1, 252)?;
        }
        let spawn = landing(&file, maps, &what, "spawn", &inn.spawn)?;
        let sleep = match &inn.sleep {
            Some(place) => landing(&file, maps, &what, "sleep", place)?,
            None => PlaceSrc { map: 0, x: 0, y: 0 },
        };
        let alternate = match &inn.alternate_spawn {
            Some(place) => Some(landing(&file, maps, &what, "alternate_spawn", place)?),
            None => None,
        };
        inns.push(InnRecord {
            behavior_id: inn.behavior_id,
            name: inn.name,
            spawn_map: spawn.map,
            spawn_x: spawn.x,
            spawn_y: spawn.y,
            sleep_map: sleep.map,
            sleep_x: sleep.x,
            sleep_y: sleep.y,
            alternate_spawn_enabled: alternate.is_some(),
            alternate_spawn_map: alternate.map_or(0, |p| p.map),
            alternate_spawn_x: alternate.map_or(0, |p| p.x),
            alternate_spawn_y: alternate.map_or(0, |p| p.y),
            questions: inn
                .questions
                .into_iter()
                .map(|q| InnQuestionRecord {
                    question: q.question,
                    answer: q.answer,
                })
                .collect(),
        });
    }
    let bytes = InnFile { inns }
        .to_bytes()
        .map_err(|e| file.error_line(None, format!("cannot encode: {e}")))?;
    Ok(vec![(OUTPUT.into(), bytes.to_vec())])
}

/// The place if a character can be put there, else an error at its line.
fn landing(
    file: &SourceFile,
    maps: &BTreeMap<u16, MapDraft>,
    what: &str,
    field: &str,
    place: &Spanned<PlaceSrc>,
) -> Result<PlaceSrc, Error> {
    let p = *place.get_ref();
    let problem = match maps.get(&p.map) {
        None => Some(format!("map {} does not exist", p.map)),
        Some(map) => map.landing_problem(p.x, p.y),
    };
    match problem {
        Some(problem) => Err(file.error_at(place.span(), format!("{what}: {field}: {problem}"))),
        None => Ok(p),
    }
}
