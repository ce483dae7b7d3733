//! `trainers.toml` → `pub/dsm001.emf`: the skill masters, NPCs of type Trainer, keyed by
//! their `behavior_id` (the server pub file SkillMasterFile of the protocol spec; it has no
//! rid, clients never download it). No source, no file.

use std::collections::BTreeSet;
use std::path::Path;

use eo_protocol::EoSerialize;
use eo_protocol::pubs::NpcType;
use eo_protocol::pubs::server::{SkillMasterFile, SkillMasterRecord, SkillMasterSkillRecord};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, SourceFile};
use crate::pubs::Pubs;
use crate::shops::Common;

/// The source, in the source folder.
pub(crate) const SOURCE: &str = "trainers.toml";
/// The built file, in the output folder.
pub(crate) const OUTPUT: &str = "pub/dsm001.emf";
/// A skill has four prerequisite slots.
const PREREQUISITE_SLOTS: usize = 4;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainersFile {
    #[serde(default)]
    skill_master: Vec<Spanned<MasterSrc>>,
}

/// One `[[skill_master]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MasterSrc {
    behavior_id: u16,
    name: String,
    #[serde(default)]
    min_level: u8,
    #[serde(default)]
    max_level: u8,
    #[serde(default)]
    class_req: u8,
    #[serde(default)]
    skill: Vec<Spanned<SkillSrc>>,
}

/// One `[[skill_master.skill]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillSrc {
    spell: u16,
    #[serde(default)]
    price: u32,
    #[serde(default)]
    level_req: u8,
    #[serde(default)]
    class_req: u8,
    #[serde(default)]
    requires: Vec<u16>,
    #[serde(default)]
    str_req: u16,
    #[serde(default)]
    int_req: u16,
    #[serde(default)]
    wis_req: u16,
    #[serde(default)]
    agi_req: u16,
    #[serde(default)]
    con_req: u16,
    #[serde(default)]
    cha_req: u16,
}

/// Reads `trainers.toml` of `src`, if there is one, and builds the skill master file.
pub(crate) fn build(src: &Path, pubs: &Pubs) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let path = src.join(SOURCE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let file = SourceFile::read(path)?;
    let parsed: TrainersFile = file.parse()?;
    let mut behaviors = BTreeSet::new();
    let mut skill_masters = Vec::with_capacity(parsed.skill_master.len());
    for entry in parsed.skill_master {
        let span = entry.span();
        let master = entry.into_inner();
        let what = format!(
            "skill master {:?} (behavior_id {})",
            master.name, master.behavior_id
        );
        let common = Common {
            file: &file,
            span: &span,
            what: &what,
            pubs,
        };
        common.header(
            master.behavior_id,
            &master.name,
            (master.min_level, master.max_level),
            master.class_req,
            NpcType::Trainer,
            &mut behaviors,
        )?;
        let mut taught = BTreeSet::new();
        let mut skills = Vec::with_capacity(master.skill.len());
        for entry in master.skill {
            let span = entry.span();
            let s = entry.into_inner();
            let fail = |message: String| {
                Err(file.error_at(
                    span.clone(),
                    format!("{what}, skill of spell {}: {message}", s.spell),
                ))
            };
            common.spell(s.spell, &span, "spell")?;
            if !taught.insert(s.spell) {
                return fail("the spell is taught twice (the server would use the first)".into());
            }
            common.class(s.class_req, &span, "class_req")?;
            if s.requires.len() > PREREQUISITE_SLOTS {
                return fail(format!(
                    "`requires` lists at most {PREREQUISITE_SLOTS} spells"
                ));
            }
            let mut required = BTreeSet::new();
            for id in &s.requires {
                common.spell(*id, &span, "required spell")?;
                if *id == s.spell {
                    return fail("it requires itself: it could never be learned".into());
                }
                if !required.insert(*id) {
                    return fail(format!("spell {id} is required twice"));
                }
            }
            let mut skill_requirements = [0; PREREQUISITE_SLOTS];
            for (slot, id) in skill_requirements.iter_mut().zip(&s.requires) {
                *slot = *id;
            }
            skills.push(SkillMasterSkillRecord {
                skill_id: s.spell,
                level_requirement: s.level_req,
                class_requirement: s.class_req,
                price: s.price,
                skill_requirements,
                str_requirement: s.str_req,
                int_requirement: s.int_req,
                wis_requirement: s.wis_req,
                agi_requirement: s.agi_req,
                con_requirement: s.con_req,
                cha_requirement: s.cha_req,
            });
        }
        let record = SkillMasterRecord {
            behavior_id: master.behavior_id,
            name: master.name,
            min_level: master.min_level,
            max_level: master.max_level,
            class_requirement: master.class_req,
            skills,
        };
        record
            .to_bytes()
            .map_err(|e| file.error_at(span.clone(), format!("{what}: {e}")))?;
        skill_masters.push(record);
    }
    let bytes = SkillMasterFile { skill_masters }
        .to_bytes()
        .map_err(|e| file.error_line(None, format!("cannot encode: {e}")))?;
    Ok(vec![(OUTPUT.into(), bytes.to_vec())])
}
