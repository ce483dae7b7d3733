//! `speech.toml` (optional): what NPCs say now and then, built into the server pub file
//! `pub/ttd001.etf` (the spec's `TalkFile`). See `fixtures/world-src/README.md`.

use std::collections::BTreeSet;
use std::path::Path;

use eo_protocol::EoSerialize;
use eo_protocol::pubs::server::{TalkFile, TalkMessageRecord, TalkRecord};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, SourceFile};
use crate::pubs::{Pubs, check_text};

/// The source file, in the source folder.
const SOURCE: &str = "speech.toml";
/// The built file, in the output folder.
pub(crate) const OUTPUT: &str = "pub/ttd001.etf";
/// The most lines one NPC may have (the file counts them in a char).
const MAX_LINES: usize = 252;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeechFile {
    #[serde(default)]
    npc: Vec<Spanned<SpeakerSrc>>,
}

/// One `[[npc]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeakerSrc {
    id: u16,
    chance: u8,
    lines: Vec<String>,
}

/// Builds `pub/ttd001.etf` from `src/speech.toml`; nothing when the source is absent.
pub(crate) fn build(src: &Path, pubs: &Pubs) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let path = src.join(SOURCE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let file = SourceFile::read(path)?;
    let parsed: SpeechFile = file.parse()?;
    let mut listed = BTreeSet::new();
    let mut npcs = Vec::with_capacity(parsed.npc.len());
    for entry in parsed.npc {
        let span = entry.span();
        let speaker = entry.into_inner();
        let Some(npc) = pubs.npcs.get(speaker.id) else {
            return Err(file.error_at(
                span,
                format!(
                    "NPC {} does not exist (npcs.toml has 1 to {})",
                    speaker.id,
                    pubs.npcs.len()
                ),
            ));
        };
        let what = format!("NPC {} ({})", speaker.id, npc.name);
        if !listed.insert(speaker.id) {
            return Err(file.error_at(span, format!("{what} is listed twice")));
        }
        if speaker.chance > 100 {
            return Err(file.error_at(
                span,
                format!("{what}: chance {} is not a percentage", speaker.chance),
            ));
        }
        if speaker.lines.is_empty() || speaker.lines.len() > MAX_LINES {
            return Err(file.error_at(
                span,
                format!(
                    "{what}: {} lines; allowed: 1 to {MAX_LINES}",
                    speaker.lines.len()
                ),
            ));
        }
        for (i, line) in speaker.lines.iter().enumerate() {
            check_text(
                &file,
                &span,
                &format!("{what} line {}", i + 1),
                line,
                1,
                252,
            )?;
        }
        npcs.push(TalkRecord {
            npc_id: speaker.id,
            rate: speaker.chance,
            messages: speaker
                .lines
                .into_iter()
                .map(|message| TalkMessageRecord { message })
                .collect(),
        });
    }
    let bytes = TalkFile { npcs }
        .to_bytes()
        .map_err(|e| file.error_line(None, format!("cannot encode: {e}")))?;
    Ok(vec![(OUTPUT.into(), bytes.to_vec())])
}
