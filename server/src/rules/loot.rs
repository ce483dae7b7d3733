//! What a killed NPC gives: a drop from the world's drop table (`drops.toml`) and its
//! experience, shared among those who hit it by the damage each dealt.
//!
//! # `drops.toml`
//!
//! In the world's data folder (beside `formulas.toml`); a world without one has no drops.
//! A standard drop file (`pub/dtd001.edf`) adds the NPCs it lists (`crate::data::drop_file`).
//!
//! ```toml
//! [[npc]]
//! id = 4                                              # the NPC (its ENF id)
//! drops = [
//!   { item = 1, min = 2, max = 8, chance = 60 },      # item id, amount range, percent
//!   { item = 10, chance = 15 },                       # min and max default to 1
//! ]
//! ```
//!
//! When the NPC dies each entry is rolled on its own (`chance` percent, 0 to 100, decimals
//! allowed); of the entries that came up one is taken at random (EOSERV's default drop mode),
//! since the kill packet carries one drop. Its amount is between `min` and `max`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use eo_protocol::pubs::{Eif, Enf};
use rand::Rng;
use serde::Deserialize;

use crate::data::DataError;

/// The file the drop table is read from, in the world's data folder.
pub const DROPS_FILE: &str = "drops.toml";
/// The largest amount of one drop (a three-byte EO number).
pub const MAX_DROP_AMOUNT: u32 = 16_194_276;

/// One possible drop of an NPC.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drop {
    pub item: u16,
    #[serde(default = "one")]
    pub min: u32,
    #[serde(default = "one")]
    pub max: u32,
    /// Percent, 0 to 100.
    pub chance: f64,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NpcDrops {
    id: u16,
    #[serde(default)]
    drops: Vec<Drop>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DropsFile {
    #[serde(default)]
    npc: Vec<NpcDrops>,
}

/// The drop table: each NPC's possible drops, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drops {
    by_npc: HashMap<u16, Vec<Drop>>,
}

impl Drops {
    /// Reads `drops.toml` in `dir` (no file: no drops), checking it against the pub files.
    pub fn load(dir: &Path, enf: &Enf, eif: &Eif) -> Result<Drops, DataError> {
        let path = dir.join(DROPS_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Drops::from_text(&text, &path, enf, eif),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Drops::default()),
            Err(e) => Err(DataError {
                path,
                problem: e.to_string(),
            }),
        }
    }

    /// Parses and checks a drop table; errors name `path` and the NPC entry.
    pub fn from_text(text: &str, path: &Path, enf: &Enf, eif: &Eif) -> Result<Drops, DataError> {
        let fail = |problem: String| DataError {
            path: PathBuf::from(path),
            problem,
        };
        let file: DropsFile =
            toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_owned()))?;
        // The last record of a pub file is its "eof" marker, not a real one.
        let npcs = enf.npcs.len().saturating_sub(1);
        let items = eif.items.len().saturating_sub(1);
        let mut by_npc = HashMap::new();
        for (n, entry) in file.npc.into_iter().enumerate() {
            let at = format!("[[npc]] number {} (id {})", n + 1, entry.id);
            if entry.id == 0 || usize::from(entry.id) > npcs {
                return Err(fail(format!(
                    "{at}: no such NPC (the ENF file has 1 to {npcs})"
                )));
            }
            for (d, drop) in entry.drops.iter().enumerate() {
                let at = format!("{at}, drop {}", d + 1);
                if drop.item == 0 || usize::from(drop.item) > items {
                    return Err(fail(format!(
                        "{at}: item {} does not exist (the EIF file has 1 to {items})",
                        drop.item
                    )));
                }
                if drop.min == 0 || drop.min > drop.max || drop.max > MAX_DROP_AMOUNT {
                    return Err(fail(format!(
                        "{at}: amounts {} to {} (need 1 <= min <= max <= {MAX_DROP_AMOUNT})",
                        drop.min, drop.max
                    )));
                }
                if !(drop.chance.is_finite() && (0.0..=100.0).contains(&drop.chance)) {
                    return Err(fail(format!(
                        "{at}: chance {} is not a percentage (0 to 100)",
                        drop.chance
                    )));
                }
            }
            if by_npc.insert(entry.id, entry.drops).is_some() {
                return Err(fail(format!("{at}: the NPC is listed twice")));
            }
        }
        Ok(Drops { by_npc })
    }

    /// The possible drops of NPC `id`.
    pub fn of(&self, id: u16) -> &[Drop] {
        self.by_npc.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The drops of NPC `id` if the table lists it (possibly with none).
    pub fn listed(&self, id: u16) -> Option<&[Drop]> {
        self.by_npc.get(&id).map(Vec::as_slice)
    }

    /// Lists NPC `id` with `drops` (replacing what it had): for the drop file
    /// (`crate::data::drop_file`), which adds its NPCs to this table.
    pub fn set(&mut self, id: u16, drops: Vec<Drop>) {
        self.by_npc.insert(id, drops);
    }

    /// What NPC `id` drops this time: `(item, amount)`, or `None`.
    pub fn roll(&self, id: u16, rng: &mut impl Rng) -> Option<(u16, u32)> {
        let came_up: Vec<&Drop> = self
            .of(id)
            .iter()
            .filter(|drop| rng.random::<f64>() * 100.0 < drop.chance)
            .collect();
        if came_up.is_empty() {
            return None;
        }
        let drop = came_up[rng.random_range(0..came_up.len())]; // ok: the index is in range
        Some((drop.item, rng.random_range(drop.min..=drop.max)))
    }
}

/// Shares `experience` (times `rate`) among those who hit an NPC by the damage each dealt:
/// each gets `ceil(experience * rate * damage / total)`. `hits` is `(player id, damage)`; a
/// player with no damage gets nothing.
pub fn share_experience(experience: u32, rate: f64, hits: &[(u16, u64)]) -> Vec<(u16, u32)> {
    let total: u64 = hits.iter().map(|(_, damage)| *damage).sum();
    if total == 0 {
        return Vec::new();
    }
    hits.iter()
        .filter(|(_, damage)| *damage > 0)
        .map(|(id, damage)| {
            let share = f64::from(experience) * rate * (*damage as f64) / (total as f64);
            // Finite and at least 0; beyond u32 the cast saturates.
            (*id, share.ceil().max(0.0) as u32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_protocol::pubs::{EifRecord, EnfRecord};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn pubs() -> (Enf, Eif) {
        let enf = Enf {
            npcs: vec![EnfRecord::default(); 4],
            ..Enf::default()
        };
        let eif = Eif {
            items: vec![EifRecord::default(); 11],
            ..Eif::default()
        };
        (enf, eif)
    }

    fn parse(text: &str) -> Result<Drops, DataError> {
        let (enf, eif) = pubs();
        Drops::from_text(text, Path::new("w/drops.toml"), &enf, &eif)
    }

    #[test]
    fn a_drop_table_parses_with_defaults() {
        let drops = parse(
            "[[npc]]\nid = 2\ndrops = [{ item = 1, min = 2, max = 8, chance = 60 }, { item = 10, chance = 12.5 }]\n",
        )
        .unwrap();
        assert_eq!(drops.of(2).len(), 2);
        assert_eq!(drops.of(2)[1].min, 1);
        assert_eq!(drops.of(2)[1].max, 1);
        assert!(drops.of(3).is_empty());
    }

    #[test]
    fn mistakes_name_the_file_and_the_entry() {
        let error = |text: &str| parse(text).unwrap_err().to_string();
        assert!(
            error("[[npc]]\nid = 9\n")
                .contains("w/drops.toml: [[npc]] number 1 (id 9): no such NPC")
        );
        assert!(
            error("[[npc]]\nid = 1\ndrops = [{ item = 11, chance = 1 }]\n")
                .contains("drop 1: item 11 does not exist")
        );
        assert!(
            error("[[npc]]\nid = 1\ndrops = [{ item = 1, min = 3, max = 2, chance = 1 }]\n")
                .contains("amounts 3 to 2")
        );
        assert!(
            error("[[npc]]\nid = 1\ndrops = [{ item = 1, chance = 101 }]\n").contains("chance 101")
        );
        assert!(error("[[npc]]\nid = 1\n[[npc]]\nid = 1\n").contains("listed twice"));
        assert!(error("[[npc]]\nid = 1\nchanse = 3\n").contains("unknown field"));
    }

    #[test]
    fn a_sure_drop_always_drops_and_a_zero_chance_never() {
        let drops = parse(
            "[[npc]]\nid = 1\ndrops = [{ item = 3, min = 5, max = 7, chance = 100 }]\n[[npc]]\nid = 2\ndrops = [{ item = 3, chance = 0 }]\n",
        )
        .unwrap();
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..100 {
            let (item, amount) = drops.roll(1, &mut rng).unwrap();
            assert_eq!(item, 3);
            assert!((5..=7).contains(&amount));
            assert_eq!(drops.roll(2, &mut rng), None);
            assert_eq!(drops.roll(3, &mut rng), None);
        }
    }

    #[test]
    fn experience_is_shared_by_damage_rounding_up() {
        assert_eq!(
            share_experience(18, 1.0, &[(1, 20), (2, 10)]),
            vec![(1, 12), (2, 6)]
        );
        assert_eq!(
            share_experience(10, 1.0, &[(1, 1), (2, 2)]),
            vec![(1, 4), (2, 7)]
        );
        assert_eq!(share_experience(10, 2.0, &[(5, 7)]), vec![(5, 20)]);
        assert!(share_experience(10, 1.0, &[]).is_empty());
        assert_eq!(share_experience(10, 1.0, &[(1, 0), (2, 3)]), vec![(2, 10)]);
    }
}
