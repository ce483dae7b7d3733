//! The drop file of an existing EO world: `pub/dtd001.edf` (the spec's `DropFile`), or else
//! reoserv's `pub/serv_drops.epf` (the official layout), read beside `drops.toml`.
//!
//! Both sources are used: an NPC listed in one of them drops what that one says. An NPC listed
//! in both must have the same drops in both (in the same order, the chances equal within the
//! drop file's precision), else start-up stops naming both files and the NPC, since either
//! choice would silently drop what the other says.
//!
//! A drop file comes from outside (an existing world), so what cannot work is skipped with a
//! warning rather than refused: an NPC or item the pub files lack, an amount of 0, a maximum
//! below the minimum; a chance above 100% counts as 100%, and an NPC listed again keeps its
//! first entry.

use std::path::{Path, PathBuf};

use eo_protocol::pubs::server::DropFile;
use eo_protocol::pubs::{Eif, Enf};

use super::DataError;
use super::server_pub::{self, Layout};
use crate::rules::loot::{Drop, Drops, MAX_DROP_AMOUNT};

/// The standard name, in the world's `pub/` folder.
pub const DROP_FILE: &str = "dtd001.edf";
/// reoserv's name for the official server's file.
pub const OFFICIAL_DROP_FILE: &str = "serv_drops.epf";

/// The spec's rate is "x in 64,000".
const SPEC_RATE_PER_PERCENT: f64 = 640.0;
/// The official layout's rate is in hundredths of a percent (reoserv's reading).
const OFFICIAL_RATE_PER_PERCENT: f64 = 100.0;

/// A drop file, read and checked against the pub files.
#[derive(Debug, Clone, PartialEq)]
pub struct DropFileTable {
    pub path: PathBuf,
    /// Half a step of the file's rates, in percent: a chance in `drops.toml` this close to
    /// one here is the same chance.
    tolerance: f64,
    /// Each NPC's drops, in file order.
    pub npcs: Vec<(u16, Vec<Drop>)>,
}

/// One drop as a file stores it: item, amounts and the rate in the file's unit.
type RawDrop = (u16, u32, u32, u32);

/// Reads the drop file of `pub_dir` if there is one; what had to be skipped goes to
/// `warnings`.
pub fn load(
    pub_dir: &Path,
    enf: &Enf,
    eif: &Eif,
    warnings: &mut Vec<String>,
) -> Result<Option<DropFileTable>, DataError> {
    let Some(found) = server_pub::find(pub_dir, DROP_FILE, OFFICIAL_DROP_FILE, warnings)? else {
        return Ok(None);
    };
    let (raw, per_percent) = match found.layout {
        Layout::Spec => {
            let file: DropFile = server_pub::decode_spec(&found)?;
            let raw = file
                .npcs
                .into_iter()
                .map(|npc| {
                    let drops = npc
                        .drops
                        .into_iter()
                        .map(|d| (d.item_id, d.min_amount, d.max_amount, u32::from(d.rate)))
                        .collect();
                    (npc.npc_id, drops)
                })
                .collect();
            (raw, SPEC_RATE_PER_PERCENT)
        }
        Layout::Official => (read_official(&found)?, OFFICIAL_RATE_PER_PERCENT),
    };
    let npcs = check(&found.path, raw, per_percent, enf, eif, warnings);
    Ok(Some(DropFileTable {
        path: found.path,
        tolerance: 0.5 / per_percent,
        npcs,
    }))
}

/// The official layout: per NPC its id, a count (short) and that many drops of item (short),
/// min and max (three each) and rate (short).
fn read_official(found: &server_pub::Found) -> Result<Vec<(u16, Vec<RawDrop>)>, DataError> {
    let (mut reader, count) = server_pub::official_records(found, b"EDF")?;
    let mut npcs = Vec::new();
    for _ in 0..count {
        let npc = reader.get_short();
        let drops = reader.get_short();
        let mut list = Vec::new();
        for _ in 0..drops {
            let item = reader.get_short();
            let min = reader.get_three();
            let max = reader.get_three();
            let rate = u32::from(reader.get_short());
            list.push((item, min, max, rate));
        }
        server_pub::finish(found, &reader)?;
        npcs.push((npc, list));
    }
    Ok(npcs)
}

/// Keeps the entries that can work (see the module documentation), as drops.
fn check(
    path: &Path,
    raw: Vec<(u16, Vec<RawDrop>)>,
    per_percent: f64,
    enf: &Enf,
    eif: &Eif,
    warnings: &mut Vec<String>,
) -> Vec<(u16, Vec<Drop>)> {
    // The last record of a pub file is its "eof" marker, not a real one.
    let npc_count = enf.npcs.len().saturating_sub(1);
    let item_count = eif.items.len().saturating_sub(1);
    let mut warn = |what: String| warnings.push(format!("{}: {what}", path.display()));
    let mut npcs: Vec<(u16, Vec<Drop>)> = Vec::new();
    for (npc, drops) in raw {
        if npc == 0 || usize::from(npc) > npc_count {
            warn(format!(
                "NPC {npc} does not exist (the ENF file has 1 to {npc_count}); skipped"
            ));
            continue;
        }
        if npcs.iter().any(|(id, _)| *id == npc) {
            warn(format!(
                "NPC {npc} is listed again; its first entry is used"
            ));
            continue;
        }
        let mut kept = Vec::new();
        for (n, (item, min, max, rate)) in drops.into_iter().enumerate() {
            let at = format!("NPC {npc}, drop {}", n + 1);
            if item == 0 || usize::from(item) > item_count {
                warn(format!(
                    "{at}: item {item} does not exist (the EIF file has 1 to {item_count}); skipped"
                ));
                continue;
            }
            if min == 0 || min > max || max > MAX_DROP_AMOUNT {
                warn(format!("{at}: amounts {min} to {max} cannot drop; skipped"));
                continue;
            }
            let mut chance = f64::from(rate) / per_percent;
            if chance > 100.0 {
                warn(format!("{at}: a chance of {chance}% counts as 100%"));
                chance = 100.0;
            }
            kept.push(Drop {
                item,
                min,
                max,
                chance,
            });
        }
        npcs.push((npc, kept));
    }
    npcs
}

/// `drops.toml` (read from `toml_path`) with the drop file's NPCs added; an NPC both list
/// differently stops start-up.
pub fn merge(
    mut toml: Drops,
    toml_path: &Path,
    file: Option<DropFileTable>,
    enf: &Enf,
) -> Result<Drops, DataError> {
    let Some(file) = file else {
        return Ok(toml);
    };
    for (npc, drops) in file.npcs {
        if let Some(listed) = toml.listed(npc) {
            if !same(listed, &drops, file.tolerance) {
                let name = enf
                    .npcs
                    .get(usize::from(npc).saturating_sub(1))
                    .map_or("", |r| r.name.as_str());
                return Err(DataError {
                    path: toml_path.to_owned(),
                    problem: format!(
                        "NPC {npc} ({name}) has other drops in {}; list its drops in one of \
                         the two files (or the same drops in both)",
                        file.path.display()
                    ),
                });
            }
            continue;
        }
        toml.set(npc, drops);
    }
    Ok(toml)
}

/// Whether two lists of drops say the same, chances within `tolerance` percent.
fn same(a: &[Drop], b: &[Drop], tolerance: f64) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            (a.item, a.min, a.max) == (b.item, b.min, b.max)
                && (a.chance - b.chance).abs() <= tolerance + 1e-9
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_protocol::EoWriter;
    use eo_protocol::pubs::server::{DropNpcRecord, DropRecord};
    use eo_protocol::pubs::{EifRecord, EnfRecord};

    fn pubs() -> (Enf, Eif) {
        let enf = Enf {
            npcs: vec![
                EnfRecord {
                    name: "Hopper".into(),
                    ..EnfRecord::default()
                };
                4
            ],
            ..Enf::default()
        };
        let eif = Eif {
            items: vec![EifRecord::default(); 11],
            ..Eif::default()
        };
        (enf, eif)
    }

    fn record(npc: u16, drops: &[(u16, u32, u32, u16)]) -> DropNpcRecord {
        DropNpcRecord {
            npc_id: npc,
            drops: drops
                .iter()
                .map(|&(item_id, min_amount, max_amount, rate)| DropRecord {
                    item_id,
                    min_amount,
                    max_amount,
                    rate,
                })
                .collect(),
        }
    }

    fn load_from(
        name: &str,
        bytes: &[u8],
    ) -> (Result<Option<DropFileTable>, DataError>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let (enf, eif) = pubs();
        let mut warnings = Vec::new();
        let table = load(dir.path(), &enf, &eif, &mut warnings);
        (table, warnings)
    }

    fn spec_file(npcs: Vec<DropNpcRecord>) -> Vec<u8> {
        use eo_protocol::EoSerialize;
        DropFile { npcs }.to_bytes().unwrap().to_vec()
    }

    #[test]
    fn a_spec_drop_file_reads_with_its_rates_as_percentages() {
        let bytes = spec_file(vec![
            record(2, &[(1, 5, 10, 32_000), (10, 1, 1, 640)]),
            record(3, &[]),
        ]);
        let (table, warnings) = load_from(DROP_FILE, &bytes);
        let table = table.unwrap().unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(table.npcs.len(), 2);
        let (npc, drops) = &table.npcs[0];
        assert_eq!(*npc, 2);
        assert_eq!((drops[0].item, drops[0].min, drops[0].max), (1, 5, 10));
        assert_eq!(drops[0].chance, 50.0);
        assert_eq!(drops[1].chance, 1.0);
        assert!(
            table.npcs[1].1.is_empty(),
            "an NPC listed without drops drops nothing"
        );
    }

    #[test]
    fn the_official_layout_reads_with_its_header_and_rates_in_hundredths() {
        let mut w = EoWriter::new();
        w.add_string("EDF");
        w.add_short(7).unwrap();
        w.add_short(9).unwrap();
        w.add_short(1).unwrap(); // one NPC
        w.add_byte(1); // the byte of unknown meaning
        w.add_short(3).unwrap(); // NPC 3
        w.add_short(1).unwrap(); // one drop
        w.add_short(10).unwrap();
        w.add_three(2).unwrap();
        w.add_three(3).unwrap();
        w.add_short(2_500).unwrap(); // 25%
        let (table, _) = load_from(OFFICIAL_DROP_FILE, w.as_slice());
        let table = table.unwrap().unwrap();
        assert_eq!(table.npcs.len(), 1);
        let drop = &table.npcs[0].1[0];
        assert_eq!(
            (table.npcs[0].0, drop.item, drop.min, drop.max, drop.chance),
            (3, 10, 2, 3, 25.0)
        );
        // A record count past the end of the file is refused.
        let mut cut = w.as_slice().to_vec();
        cut.truncate(cut.len() - 4);
        let (error, _) = load_from(OFFICIAL_DROP_FILE, &cut);
        assert!(error.unwrap_err().to_string().contains("cut short"));
    }

    #[test]
    fn what_cannot_work_is_skipped_with_a_warning() {
        let bytes = spec_file(vec![
            record(9, &[(1, 1, 1, 100)]),
            record(0, &[(1, 1, 1, 100)]),
            record(
                1,
                &[
                    (99, 1, 1, 100),
                    (1, 0, 0, 100),
                    (1, 5, 2, 100),
                    (2, 1, 1, 64_008),
                ],
            ),
            record(1, &[(3, 1, 1, 100)]),
        ]);
        let (table, warnings) = load_from(DROP_FILE, &bytes);
        let table = table.unwrap().unwrap();
        assert_eq!(table.npcs.len(), 1);
        let drops = &table.npcs[0].1;
        assert_eq!(drops.len(), 1);
        assert_eq!((drops[0].item, drops[0].chance), (2, 100.0));
        let all = warnings.join("\n");
        for expected in [
            "NPC 9 does not exist",
            "NPC 0 does not exist",
            "item 99 does not exist",
            "amounts 0 to 0",
            "amounts 5 to 2",
            "counts as 100%",
            "NPC 1 is listed again",
        ] {
            assert!(all.contains(expected), "{expected}: {all}");
        }
        assert!(all.contains("dtd001.edf"));
    }

    #[test]
    fn a_file_of_another_kind_is_refused() {
        let (error, _) = load_from(DROP_FILE, b"EIF\x01\x01");
        assert!(error.unwrap_err().to_string().contains("not a EDF file"));
    }

    #[test]
    fn both_sources_are_merged_and_a_difference_names_both_files_and_the_npc() {
        let (enf, eif) = pubs();
        let path = Path::new("w/drops.toml");
        let toml = |text: &str| Drops::from_text(text, path, &enf, &eif).unwrap();
        let file = |npcs: Vec<(u16, Vec<Drop>)>| DropFileTable {
            path: "w/pub/dtd001.edf".into(),
            tolerance: 0.5 / SPEC_RATE_PER_PERCENT,
            npcs,
        };
        let drop = |item, chance| Drop {
            item,
            min: 1,
            max: 1,
            chance,
        };
        // Each NPC from the file that lists it.
        let merged = merge(
            toml("[[npc]]\nid = 1\ndrops = [{ item = 3, chance = 12.5 }]\n"),
            path,
            Some(file(vec![(2, vec![drop(4, 50.0)])])),
            &enf,
        )
        .unwrap();
        assert_eq!(merged.of(1)[0].item, 3);
        assert_eq!(merged.of(2)[0].item, 4);
        // The same drops in both (12.34% is 7897.6 in 64,000ths; the file has 7898).
        let merged = merge(
            toml("[[npc]]\nid = 1\ndrops = [{ item = 3, chance = 12.34 }]\n"),
            path,
            Some(file(vec![(1, vec![drop(3, 7898.0 / 640.0)])])),
            &enf,
        )
        .unwrap();
        assert_eq!(merged.of(1).len(), 1);
        // Different drops, and an NPC the TOML lists with none while the file gives some.
        for (text, drops) in [
            (
                "[[npc]]\nid = 1\ndrops = [{ item = 3, chance = 12 }]\n",
                vec![drop(3, 13.0)],
            ),
            (
                "[[npc]]\nid = 1\ndrops = [{ item = 3, chance = 12 }]\n",
                vec![drop(5, 12.0)],
            ),
            ("[[npc]]\nid = 1\n", vec![drop(3, 12.0)]),
        ] {
            let error = merge(toml(text), path, Some(file(vec![(1, drops)])), &enf)
                .unwrap_err()
                .to_string();
            assert!(error.starts_with("w/drops.toml: NPC 1 (Hopper)"), "{error}");
            assert!(error.contains("w/pub/dtd001.edf"), "{error}");
        }
    }
}
