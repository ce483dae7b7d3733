//! Skill masters: the spells each skill master NPC (ENF type Trainer) teaches and what
//! learning one takes, keyed by the NPC's ENF `behavior_id`. Read at start-up from the world's
//! `pub/` folder:
//!
//! - `dsm001.emf`, the standard server pub file (SkillMasterFile, "EMF", of the protocol
//!   spec); `eo-worldgen` writes it from `trainers.toml`;
//! - `serv_trainers.epf`, the official server's file, as reoserv reads it (see
//!   [`super::record_file`] for how its layout differs).
//!
//! Either, both or neither may be there. A behavior id in both must have the same record in
//! both. Every record is checked against the spell and class files; a bad one stops start-up
//! naming the file and the record.

use std::collections::HashMap;
use std::path::Path;

use eo_protocol::pubs::server::{SkillMasterRecord, SkillMasterSkillRecord};
use eo_protocol::pubs::{Ecf, Esf};

use super::DataError;
use super::record_file::{self, Fields, Layout, Read, real_records};

/// The standard skill master file, in `pub/`.
pub const SKILL_MASTER_FILE: &str = "dsm001.emf";
/// The official server's skill master file, in `pub/`.
pub const EPF_SKILL_MASTER_FILE: &str = "serv_trainers.epf";
const MAGIC: &[u8; 3] = b"EMF";
/// A skill lists four prerequisite slots (an unused one is spell 0).
const PREREQUISITE_SLOTS: usize = 4;

/// Every skill master, by the behavior id of the NPCs that teach as it.
#[derive(Debug, Clone, Default)]
pub struct SkillMasters {
    by_behavior: HashMap<u16, SkillMasterRecord>,
}

impl SkillMasters {
    /// Reads and checks the skill master files in `pub_dir` (see the module documentation).
    pub fn load(pub_dir: &Path, spells: &Esf, classes: &Ecf) -> Result<SkillMasters, DataError> {
        let mut all = Vec::new();
        for (name, layout) in [
            (SKILL_MASTER_FILE, Layout::Standard),
            (EPF_SKILL_MASTER_FILE, Layout::Epf),
        ] {
            let path = pub_dir.join(name);
            if let Some(read) = record_file::read(&path, layout, MAGIC, read_master)? {
                all.extend(read);
            }
        }
        let spells = real_records(spells.skills.len());
        let classes = real_records(classes.classes.len());
        for read in &all {
            check(read, spells, classes)?;
        }
        let by_behavior = record_file::by_key(all, |m| m.behavior_id, describe)?;
        Ok(SkillMasters { by_behavior })
    }

    /// The skill master of NPCs of `behavior_id`.
    pub fn get(&self, behavior_id: u16) -> Option<&SkillMasterRecord> {
        self.by_behavior.get(&behavior_id)
    }

    pub fn len(&self) -> usize {
        self.by_behavior.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_behavior.is_empty()
    }
}

/// Whether a character of `level` may use `master` (0 = no limit); its class is checked on
/// its own, since a wrong class has a reply of its own.
pub fn serves_level(master: &SkillMasterRecord, level: u8) -> bool {
    level >= master.min_level && (master.max_level == 0 || level <= master.max_level)
}

fn describe(master: &SkillMasterRecord) -> String {
    format!("behavior id {}, {:?}", master.behavior_id, master.name)
}

fn read_master(f: &mut Fields<'_>) -> Result<SkillMasterRecord, String> {
    let behavior_id = f.short();
    let name = f.string();
    let min_level = f.level("min_level")?;
    let max_level = f.level("max_level")?;
    let class_requirement = f.char();
    let count = usize::from(f.short());
    let mut skills = Vec::with_capacity(count.min(64));
    for n in 1..=count {
        let skill_id = f.short();
        let level_requirement = f.level(&format!("skill {n}: level_requirement"))?;
        skills.push(SkillMasterSkillRecord {
            skill_id,
            level_requirement,
            class_requirement: f.char(),
            price: f.price(),
            skill_requirements: [f.short(), f.short(), f.short(), f.short()],
            str_requirement: f.short(),
            int_requirement: f.short(),
            wis_requirement: f.short(),
            agi_requirement: f.short(),
            con_requirement: f.short(),
            cha_requirement: f.short(),
        });
    }
    Ok(SkillMasterRecord {
        behavior_id,
        name,
        min_level,
        max_level,
        class_requirement,
        skills,
    })
}

/// Checks one skill master against the spell and class files; the error names the file and
/// the record.
fn check(read: &Read<SkillMasterRecord>, spells: usize, classes: usize) -> Result<(), DataError> {
    let master = &read.record;
    let fail = |why: String| DataError {
        path: read.path.clone(),
        problem: format!("record {} ({}): {why}", read.number, describe(master)),
    };
    let class = |id: u8, what: &str| {
        if usize::from(id) > classes {
            Err(fail(format!(
                "{what}class {id} does not exist (the class file has 1 to {classes})"
            )))
        } else {
            Ok(())
        }
    };
    let spell = |id: u16, what: &str| {
        if id == 0 || usize::from(id) > spells {
            Err(fail(format!(
                "{what}spell {id} does not exist (the spell file has 1 to {spells})"
            )))
        } else {
            Ok(())
        }
    };
    if master.max_level != 0 && master.min_level > master.max_level {
        return Err(fail(format!(
            "min_level {} is above max_level {}",
            master.min_level, master.max_level
        )));
    }
    class(master.class_requirement, "")?;
    for (n, skill) in master.skills.iter().enumerate() {
        let what = format!("skill {}: ", n + 1);
        spell(skill.skill_id, &what)?;
        class(skill.class_requirement, &what)?;
        for required in skill.skill_requirements.iter().take(PREREQUISITE_SLOTS) {
            if *required == 0 {
                continue;
            }
            spell(*required, &format!("{what}the required "))?;
            if *required == skill.skill_id {
                return Err(fail(format!(
                    "{what}spell {required} requires itself (it could never be learned)"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_protocol::EoSerialize;
    use eo_protocol::pubs::server::SkillMasterFile;

    fn bundled() -> (Esf, Ecf) {
        let data = super::super::GameData::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world"),
        )
        .unwrap();
        (data.spells.data.clone(), data.classes.data.clone())
    }

    fn skill(skill_id: u16) -> SkillMasterSkillRecord {
        SkillMasterSkillRecord {
            skill_id,
            level_requirement: 2,
            class_requirement: 0,
            price: 70_000,
            skill_requirements: [0; 4],
            str_requirement: 1,
            int_requirement: 2,
            wis_requirement: 3,
            agi_requirement: 4,
            con_requirement: 5,
            cha_requirement: 6,
        }
    }

    fn master(behavior_id: u16) -> SkillMasterRecord {
        SkillMasterRecord {
            behavior_id,
            name: "Wren".into(),
            min_level: 0,
            max_level: 0,
            class_requirement: 0,
            skills: vec![skill(1), skill(2)],
        }
    }

    fn write_standard(dir: &Path, skill_masters: Vec<SkillMasterRecord>) {
        let bytes = SkillMasterFile { skill_masters }.to_bytes().unwrap();
        std::fs::write(dir.join(SKILL_MASTER_FILE), bytes).unwrap();
    }

    /// The official layout: rid, count and a char, then records with short levels and
    /// three-byte prices.
    fn write_epf(dir: &Path, masters: &[SkillMasterRecord]) {
        let mut w = eo_protocol::EoWriter::new();
        w.add_string("EMF");
        w.add_short(3).unwrap();
        w.add_short(4).unwrap();
        w.add_short(masters.len() as u16).unwrap();
        w.add_char(0).unwrap();
        for m in masters {
            w.add_short(m.behavior_id).unwrap();
            w.add_char(m.name.len() as u8).unwrap();
            w.add_string(&m.name);
            w.add_short(u16::from(m.min_level)).unwrap();
            w.add_short(u16::from(m.max_level)).unwrap();
            w.add_char(m.class_requirement).unwrap();
            w.add_short(m.skills.len() as u16).unwrap();
            for s in &m.skills {
                w.add_short(s.skill_id).unwrap();
                w.add_short(u16::from(s.level_requirement)).unwrap();
                w.add_char(s.class_requirement).unwrap();
                w.add_three(s.price).unwrap();
                for r in s.skill_requirements {
                    w.add_short(r).unwrap();
                }
                for stat in [
                    s.str_requirement,
                    s.int_requirement,
                    s.wis_requirement,
                    s.agi_requirement,
                    s.con_requirement,
                    s.cha_requirement,
                ] {
                    w.add_short(stat).unwrap();
                }
            }
        }
        std::fs::write(dir.join(EPF_SKILL_MASTER_FILE), w.into_inner()).unwrap();
    }

    #[test]
    fn both_layouts_load_the_same_records() {
        let (spells, classes) = bundled();
        let dir = tempfile::tempdir().unwrap();
        assert!(
            SkillMasters::load(dir.path(), &spells, &classes)
                .unwrap()
                .is_empty()
        );
        write_epf(dir.path(), &[master(1), master(2)]);
        let from_epf = SkillMasters::load(dir.path(), &spells, &classes).unwrap();
        assert_eq!(from_epf.get(2), Some(&master(2)));
        write_standard(dir.path(), vec![master(2), master(5)]);
        let both = SkillMasters::load(dir.path(), &spells, &classes).unwrap();
        assert_eq!(both.len(), 3);
        assert_eq!(both.get(5), Some(&master(5)));
        std::fs::remove_file(dir.path().join(EPF_SKILL_MASTER_FILE)).unwrap();
        let standard = SkillMasters::load(dir.path(), &spells, &classes).unwrap();
        assert_eq!(standard.get(2), from_epf.get(2));
    }

    #[test]
    fn a_bad_record_is_refused_naming_the_file_and_record() {
        let (spells, classes) = bundled();
        let mut unknown = master(1);
        unknown.skills[1].skill_id = 40;
        let mut prerequisite = master(1);
        prerequisite.skills[0].skill_requirements = [0, 41, 0, 0];
        let mut itself = master(1);
        itself.skills[0].skill_requirements[0] = 1;
        let mut class = master(1);
        class.skills[1].class_requirement = 30;
        let cases = [
            (unknown, "skill 2: spell 40 does not exist"),
            (
                prerequisite,
                "skill 1: the required spell 41 does not exist",
            ),
            (itself, "spell 1 requires itself"),
            (class, "skill 2: class 30 does not exist"),
        ];
        for (bad, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            write_standard(dir.path(), vec![master(3), bad]);
            let error = SkillMasters::load(dir.path(), &spells, &classes)
                .unwrap_err()
                .to_string();
            assert!(error.contains(SKILL_MASTER_FILE), "{error}");
            assert!(error.contains("record 2 (behavior id 1"), "{error}");
            assert!(error.contains(expected), "{expected}: {error}");
        }
        // A file cut inside its second record.
        let dir = tempfile::tempdir().unwrap();
        write_epf(dir.path(), &[master(1), master(2)]);
        let path = dir.path().join(EPF_SKILL_MASTER_FILE);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let error = SkillMasters::load(dir.path(), &spells, &classes)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("record 2") && error.contains("cut short"),
            "{error}"
        );
    }

    #[test]
    fn the_level_limits_apply() {
        let mut limited = master(1);
        assert!(serves_level(&limited, 0));
        limited.min_level = 3;
        limited.max_level = 3;
        assert!(!serves_level(&limited, 2) && serves_level(&limited, 3));
        assert!(!serves_level(&limited, 4));
    }
}
