//! The talk file: what NPCs say now and then. `pub/ttd001.etf` (the spec's `TalkFile`), or
//! else reoserv's `pub/serv_chats.epf` (the official layout). Each NPC listed has a chance in
//! percent to say one of its lines, picked at random, each time its map's speech interval
//! comes round (`[npcs] speech_ms`, `crate::map` runs it).
//!
//! An NPC the ENF file lacks, or listed again, and an NPC without lines are skipped with a
//! warning; empty lines are left out; a chance above 100 counts as 100.

use std::collections::HashMap;
use std::path::Path;

use eo_protocol::pubs::Enf;
use eo_protocol::pubs::server::TalkFile;

use super::DataError;
use super::server_pub::{self, Found, Layout};

/// The standard name, in the world's `pub/` folder.
pub const TALK_FILE: &str = "ttd001.etf";
/// reoserv's name for the official server's file.
pub const OFFICIAL_TALK_FILE: &str = "serv_chats.epf";

/// What one NPC says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lines {
    /// The chance, in percent, that it speaks when the interval comes round.
    pub chance: u8,
    /// At least one; each at most 252 bytes (a char gives its length).
    pub lines: Vec<String>,
}

/// What every NPC that speaks says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Speech {
    by_npc: HashMap<u16, Lines>,
}

impl Speech {
    /// Reads the talk file of `pub_dir` (none: NPCs say nothing), checking its NPC ids
    /// against `enf`; what had to be skipped goes to `warnings`.
    pub fn load(
        pub_dir: &Path,
        enf: &Enf,
        warnings: &mut Vec<String>,
    ) -> Result<Speech, DataError> {
        let Some(found) = server_pub::find(pub_dir, TALK_FILE, OFFICIAL_TALK_FILE, warnings)?
        else {
            return Ok(Speech::default());
        };
        let raw = match found.layout {
            Layout::Spec => {
                let file: TalkFile = server_pub::decode_spec(&found)?;
                file.npcs
                    .into_iter()
                    .map(|r| {
                        let lines = r.messages.into_iter().map(|m| m.message).collect();
                        (r.npc_id, r.rate, lines)
                    })
                    .collect()
            }
            Layout::Official => read_official(&found)?,
        };
        Ok(Speech::checked(&found.path, raw, enf, warnings))
    }

    fn checked(
        path: &Path,
        raw: Vec<(u16, u8, Vec<String>)>,
        enf: &Enf,
        warnings: &mut Vec<String>,
    ) -> Speech {
        let npc_count = enf.npcs.len().saturating_sub(1);
        let mut warn = |what: String| warnings.push(format!("{}: {what}", path.display()));
        let mut by_npc = HashMap::new();
        for (npc, chance, lines) in raw {
            if npc == 0 || usize::from(npc) > npc_count {
                warn(format!(
                    "NPC {npc} does not exist (the ENF file has 1 to {npc_count}); skipped"
                ));
                continue;
            }
            if by_npc.contains_key(&npc) {
                warn(format!(
                    "NPC {npc} is listed again; its first entry is used"
                ));
                continue;
            }
            let lines: Vec<String> = lines
                .into_iter()
                .filter(|line| !line.trim().is_empty())
                .collect();
            if lines.is_empty() {
                warn(format!("NPC {npc} has no lines; skipped"));
                continue;
            }
            if chance > 100 {
                warn(format!("NPC {npc}: a chance of {chance}% counts as 100%"));
            }
            by_npc.insert(
                npc,
                Lines {
                    chance: chance.min(100),
                    lines,
                },
            );
        }
        Speech { by_npc }
    }

    /// What NPC `id` says, if it speaks.
    pub fn of(&self, id: u16) -> Option<&Lines> {
        self.by_npc.get(&id)
    }

    /// Whether no NPC speaks.
    pub fn is_empty(&self) -> bool {
        self.by_npc.is_empty()
    }
}

/// The official layout: NPC id (short), a byte reoserv skips, the chance (char), a line count
/// (char) and that many lines (char lengths).
fn read_official(found: &Found) -> Result<Vec<(u16, u8, Vec<String>)>, DataError> {
    let (mut reader, count) = server_pub::official_records(found, b"ETF")?;
    let mut npcs = Vec::new();
    for _ in 0..count {
        let npc = reader.get_short();
        let _unknown = reader.get_char();
        let chance = reader.get_char();
        let said = reader.get_char();
        let mut lines = Vec::new();
        for _ in 0..said {
            let length = usize::from(reader.get_char());
            lines.push(reader.get_fixed_string(length, false));
        }
        server_pub::finish(found, &reader)?;
        npcs.push((npc, chance, lines));
    }
    Ok(npcs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_protocol::EoWriter;
    use eo_protocol::pubs::EnfRecord;
    use eo_protocol::pubs::server::{TalkMessageRecord, TalkRecord};

    fn enf() -> Enf {
        Enf {
            npcs: vec![EnfRecord::default(); 5],
            ..Enf::default()
        }
    }

    fn load_from(name: &str, bytes: &[u8]) -> (Result<Speech, DataError>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let mut warnings = Vec::new();
        let speech = Speech::load(dir.path(), &enf(), &mut warnings);
        (speech, warnings)
    }

    fn record(npc_id: u16, rate: u8, lines: &[&str]) -> TalkRecord {
        TalkRecord {
            npc_id,
            rate,
            messages: lines
                .iter()
                .map(|m| TalkMessageRecord {
                    message: (*m).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_spec_talk_file_reads_and_what_cannot_speak_is_skipped() {
        use eo_protocol::EoSerialize;
        let bytes = TalkFile {
            npcs: vec![
                record(2, 20, &["Welcome!", "", "Rooms upstairs."]),
                record(3, 150, &["Gold is safe here."]),
                record(1, 50, &[]),
                record(5, 50, &["Who am I?"]),
                record(2, 50, &["Again"]),
            ],
        }
        .to_bytes()
        .unwrap();
        let (speech, warnings) = load_from(TALK_FILE, &bytes);
        let speech = speech.unwrap();
        let tobin = speech.of(2).unwrap();
        assert_eq!(tobin.chance, 20);
        assert_eq!(tobin.lines, ["Welcome!", "Rooms upstairs."]);
        assert_eq!(speech.of(3).unwrap().chance, 100);
        assert!(speech.of(1).is_none() && speech.of(5).is_none());
        let all = warnings.join("\n");
        for expected in [
            "NPC 3: a chance of 150% counts as 100%",
            "NPC 1 has no lines",
            "NPC 5 does not exist",
            "NPC 2 is listed again",
        ] {
            assert!(all.contains(expected), "{expected}: {all}");
        }
    }

    #[test]
    fn the_official_layout_reads_its_chance_after_a_skipped_byte() {
        let mut w = EoWriter::new();
        w.add_string("ETF");
        w.add_short(3).unwrap();
        w.add_short(3).unwrap();
        w.add_short(1).unwrap(); // one NPC
        w.add_byte(1);
        w.add_short(4).unwrap();
        w.add_char(9).unwrap(); // skipped
        w.add_char(35).unwrap(); // the chance
        w.add_char(2).unwrap();
        for line in ["Hop!", "Hop hop."] {
            w.add_char(u8::try_from(line.len()).unwrap()).unwrap();
            w.add_string(line);
        }
        let (speech, _) = load_from(OFFICIAL_TALK_FILE, w.as_slice());
        let hopper = speech.unwrap().of(4).cloned().unwrap();
        assert_eq!(hopper.chance, 35);
        assert_eq!(hopper.lines, ["Hop!", "Hop hop."]);
    }
}
