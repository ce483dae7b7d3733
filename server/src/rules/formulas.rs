//! `formulas.toml`: loading, checking and compiling the formulas and rates.
//!
//! The defaults are the bundled world's file, built into the server. A world folder's
//! `formulas.toml` overrides any of its keys (and may leave the rest out); an unknown section
//! or key, a value of the wrong type, or a formula that does not compile stops start-up with
//! an error naming the file and the key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::expr::{Expr, to_bounded};
use crate::data::DataError;

/// The defaults: the bundled world's formulas file.
pub const DEFAULT_FORMULAS: &str = include_str!("../../../fixtures/world/formulas.toml");
/// The file name looked for in the world data folder.
pub const FORMULAS_FILE: &str = "formulas.toml";

/// The highest level the protocol can send (a char).
pub const PROTOCOL_MAX_LEVEL: u8 = 252;
/// The most experience the protocol can send (an int).
pub const PROTOCOL_MAX_EXPERIENCE: u32 = 4_097_152_080;
/// The largest weight the protocol can send (a char).
pub const PROTOCOL_MAX_WEIGHT: u8 = 252;
/// The largest short the protocol can send (stats, HP, TP).
pub const PROTOCOL_MAX_SHORT: u16 = 64_008;

/// Variables of the [stats] and [stat_groups] formulas, in this order.
pub const STAT_VARIABLES: &[&str] = &[
    "level", "str", "int", "wis", "agi", "con", "cha", "base_str", "base_int", "base_wis",
    "base_agi", "base_con", "base_cha",
];
/// Variables of `combat.hit_rate` and `combat.critical_rate`, in this order.
pub const HIT_VARIABLES: &[&str] = &[
    "accuracy",
    "target_evade",
    "target_sitting",
    "level",
    "target_level",
];
/// Variables of `combat.damage` and `combat.spell_damage`, in this order.
pub const DAMAGE_VARIABLES: &[&str] = &["damage", "target_armor", "critical"];
/// Variables of `experience.to_reach_level`.
pub const EXPERIENCE_VARIABLES: &[&str] = &["level"];
/// Variables of the [recovery] formulas, in this order.
pub const RECOVERY_VARIABLES: &[&str] = &["max_hp", "max_tp", "hp", "tp", "level", "sitting"];
/// Variables of `recovery.npc_hp`, in this order.
pub const NPC_RECOVERY_VARIABLES: &[&str] = &["max_hp", "hp"];

/// The stat group names, in ECF `stat_group` order.
pub const STAT_GROUPS: [&str; 5] = ["melee", "rogue", "caster", "archer", "peasant"];
/// The group of characters without a class (and of unknown stat groups).
pub const CLASSLESS_GROUP: usize = 4;

/// What a class's stat group adds.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFormulas {
    pub damage: Expr,
    pub accuracy: Expr,
    pub evade: Expr,
    pub armor: Expr,
}

/// Experience and levels.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperienceRules {
    /// `to_reach[level]`: the total experience needed for that level (0 for level 0).
    pub to_reach: Vec<u32>,
    pub max_level: u8,
    pub stat_points_per_level: u16,
    pub skill_points_per_level: u16,
}

/// HP and TP regeneration.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryRules {
    pub interval_secs: u64,
    pub hp: Expr,
    pub tp: Expr,
    pub npc_interval_secs: u64,
    pub npc_hp: Expr,
}

/// Upper bounds on derived values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_stat: u16,
    pub max_hp_tp: u16,
    pub max_weight: u8,
}

/// Every formula and rate, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Formulas {
    pub max_hp: Expr,
    pub max_tp: Expr,
    pub max_sp: Expr,
    pub max_weight: Expr,
    /// Indexed by ECF stat_group (see [`STAT_GROUPS`]).
    pub stat_groups: [GroupFormulas; 5],
    pub hit_rate: Expr,
    pub critical_rate: Expr,
    pub damage: Expr,
    /// The damage of an attack spell (the same variables as `damage`; the rolled damage
    /// includes the spell's own).
    pub spell_damage: Expr,
    pub experience: ExperienceRules,
    pub recovery: RecoveryRules,
    pub limits: Limits,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    stats: RawStats,
    stat_groups: RawGroups,
    combat: RawCombat,
    experience: RawExperience,
    recovery: RawRecovery,
    limits: Limits,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStats {
    max_hp: String,
    max_tp: String,
    max_sp: String,
    max_weight: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroups {
    melee: RawGroup,
    rogue: RawGroup,
    caster: RawGroup,
    archer: RawGroup,
    peasant: RawGroup,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    damage: String,
    accuracy: String,
    evade: String,
    armor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCombat {
    hit_rate: String,
    critical_rate: String,
    damage: String,
    spell_damage: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExperience {
    to_reach_level: String,
    max_level: u8,
    stat_points_per_level: u16,
    skill_points_per_level: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecovery {
    interval_secs: u64,
    hp: String,
    tp: String,
    npc_interval_secs: u64,
    npc_hp: String,
}

impl Default for Formulas {
    /// The built-in defaults.
    fn default() -> Self {
        Formulas::from_text(None, Path::new(FORMULAS_FILE))
            .expect("the built-in formulas are valid") // ok: a unit test loads them
    }
}

impl Formulas {
    /// Loads `<dir>/formulas.toml` over the defaults (just the defaults if there is none).
    pub fn load(dir: &Path) -> Result<Formulas, DataError> {
        let path = dir.join(FORMULAS_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Formulas::from_text(Some(&text), &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Formulas::from_text(None, &path),
            Err(e) => Err(DataError {
                path,
                problem: e.to_string(),
            }),
        }
    }

    /// The defaults with `overrides` (the text of a formulas file) laid over them; errors
    /// name `path`.
    pub fn from_text(overrides: Option<&str>, path: &Path) -> Result<Formulas, DataError> {
        let fail = |problem: String| DataError {
            path: PathBuf::from(path),
            problem,
        };
        let mut table: toml::Table = toml::from_str(DEFAULT_FORMULAS)
            .map_err(|e| fail(format!("built-in defaults: {e}")))?;
        if let Some(text) = overrides {
            let given: toml::Table =
                toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_owned()))?;
            merge(&mut table, given, "").map_err(fail)?;
        }
        let raw: RawFile = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| fail(e.message().to_owned()))?;
        compile(raw).map_err(fail)
    }
}

/// Lays `given` over `base`, refusing keys `base` lacks and values of another kind.
fn merge(base: &mut toml::Table, given: toml::Table, prefix: &str) -> Result<(), String> {
    for (key, value) in given {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(slot) = base.get_mut(&key) else {
            let known: Vec<&str> = base.keys().map(String::as_str).collect();
            return Err(format!(
                "{name}: unknown key (known here: {})",
                known.join(", ")
            ));
        };
        match (slot, value) {
            (toml::Value::Table(inner), toml::Value::Table(given)) => {
                merge(inner, given, &name)?;
            }
            (slot, value) if slot.same_type(&value) => *slot = value,
            (slot, value) => {
                return Err(format!(
                    "{name}: expected a {}, found a {}",
                    slot.type_str(),
                    value.type_str()
                ));
            }
        }
    }
    Ok(())
}

fn expr(key: &str, text: &str, variables: &[&str]) -> Result<Expr, String> {
    Expr::compile(text, variables).map_err(|e| format!("{key}: {e}"))
}

fn group(name: &str, raw: &RawGroup) -> Result<GroupFormulas, String> {
    let key = |field: &str| format!("stat_groups.{name}.{field}");
    Ok(GroupFormulas {
        damage: expr(&key("damage"), &raw.damage, STAT_VARIABLES)?,
        accuracy: expr(&key("accuracy"), &raw.accuracy, STAT_VARIABLES)?,
        evade: expr(&key("evade"), &raw.evade, STAT_VARIABLES)?,
        armor: expr(&key("armor"), &raw.armor, STAT_VARIABLES)?,
    })
}

fn compile(raw: RawFile) -> Result<Formulas, String> {
    let limits = raw.limits;
    if limits.max_weight > PROTOCOL_MAX_WEIGHT {
        return Err(format!(
            "limits.max_weight: {} is more than the protocol's {PROTOCOL_MAX_WEIGHT}",
            limits.max_weight
        ));
    }
    for (key, value) in [
        ("limits.max_stat", limits.max_stat),
        ("limits.max_hp_tp", limits.max_hp_tp),
    ] {
        if value > PROTOCOL_MAX_SHORT || value == 0 {
            return Err(format!(
                "{key}: {value} must be between 1 and the protocol's {PROTOCOL_MAX_SHORT}"
            ));
        }
    }
    let e = &raw.experience;
    if e.max_level == 0 || e.max_level > PROTOCOL_MAX_LEVEL {
        return Err(format!(
            "experience.max_level: {} must be between 1 and {PROTOCOL_MAX_LEVEL}",
            e.max_level
        ));
    }
    let to_reach_level = expr(
        "experience.to_reach_level",
        &e.to_reach_level,
        EXPERIENCE_VARIABLES,
    )?;
    let mut to_reach = vec![0u32];
    for level in 1..=e.max_level {
        let needed = to_bounded(
            to_reach_level.eval(&[f64::from(level)]),
            PROTOCOL_MAX_EXPERIENCE,
        );
        let previous = to_reach.last().copied().unwrap_or(0);
        if needed <= previous {
            return Err(format!(
                "experience.to_reach_level: level {level} needs {needed}, not more than level {}'s {previous} (the table must grow)",
                level - 1
            ));
        }
        to_reach.push(needed);
    }
    if raw.recovery.interval_secs == 0 {
        return Err("recovery.interval_secs: must be at least 1".into());
    }
    if raw.recovery.npc_interval_secs == 0 {
        return Err("recovery.npc_interval_secs: must be at least 1".into());
    }
    let g = &raw.stat_groups;
    Ok(Formulas {
        max_hp: expr("stats.max_hp", &raw.stats.max_hp, STAT_VARIABLES)?,
        max_tp: expr("stats.max_tp", &raw.stats.max_tp, STAT_VARIABLES)?,
        max_sp: expr("stats.max_sp", &raw.stats.max_sp, STAT_VARIABLES)?,
        max_weight: expr("stats.max_weight", &raw.stats.max_weight, STAT_VARIABLES)?,
        stat_groups: [
            group("melee", &g.melee)?,
            group("rogue", &g.rogue)?,
            group("caster", &g.caster)?,
            group("archer", &g.archer)?,
            group("peasant", &g.peasant)?,
        ],
        hit_rate: expr("combat.hit_rate", &raw.combat.hit_rate, HIT_VARIABLES)?,
        critical_rate: expr(
            "combat.critical_rate",
            &raw.combat.critical_rate,
            HIT_VARIABLES,
        )?,
        damage: expr("combat.damage", &raw.combat.damage, DAMAGE_VARIABLES)?,
        spell_damage: expr(
            "combat.spell_damage",
            &raw.combat.spell_damage,
            DAMAGE_VARIABLES,
        )?,
        experience: ExperienceRules {
            to_reach,
            max_level: e.max_level,
            stat_points_per_level: e.stat_points_per_level,
            skill_points_per_level: e.skill_points_per_level,
        },
        recovery: RecoveryRules {
            interval_secs: raw.recovery.interval_secs,
            hp: expr("recovery.hp", &raw.recovery.hp, RECOVERY_VARIABLES)?,
            tp: expr("recovery.tp", &raw.recovery.tp, RECOVERY_VARIABLES)?,
            npc_interval_secs: raw.recovery.npc_interval_secs,
            npc_hp: expr(
                "recovery.npc_hp",
                &raw.recovery.npc_hp,
                NPC_RECOVERY_VARIABLES,
            )?,
        },
        limits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Formulas, String> {
        Formulas::from_text(Some(text), Path::new("world/formulas.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_defaults_load_and_follow_eoserv() {
        let f = Formulas::default();
        assert_eq!(f.experience.to_reach[1], 133);
        assert_eq!(f.experience.to_reach[2], 1065);
        assert_eq!(f.experience.to_reach.len(), 251);
        assert_eq!(f.experience.stat_points_per_level, 3);
        assert_eq!(f.recovery.interval_secs, 90);
        assert_eq!(f.recovery.npc_interval_secs, 105);
        assert_eq!(f.limits.max_weight, 250);
        assert_eq!(
            Formulas::load(Path::new("/nonexistent")).unwrap(),
            f,
            "no file: the defaults"
        );
        // The bundled world's file is the defaults.
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world");
        assert_eq!(Formulas::load(&bundled).unwrap(), f);
    }

    #[test]
    fn a_file_overrides_some_keys() {
        let f = load("[combat]\nhit_rate = \"1\"\n[experience]\nmax_level = 10\n").unwrap();
        assert_eq!(f.hit_rate.eval(&[]), 1.0);
        assert_eq!(f.experience.to_reach.len(), 11);
        assert_eq!(f.max_hp, Formulas::default().max_hp);
    }

    #[test]
    fn errors_name_the_file_and_key() {
        let error = load("[stats]\nmax_hp = \"10 + conn\"\n").unwrap_err();
        assert!(
            error.starts_with("world/formulas.toml: stats.max_hp:"),
            "{error}"
        );
        assert!(error.contains("unknown variable `conn`"), "{error}");
        let error = load("[stats]\nmax_hpp = \"1\"\n").unwrap_err();
        assert!(error.contains("stats.max_hpp: unknown key"), "{error}");
        let error = load("[experience]\nmax_level = \"ten\"\n").unwrap_err();
        assert!(
            error.contains("experience.max_level: expected a integer"),
            "{error}"
        );
        let error = load("[experience]\nto_reach_level = \"5\"\n").unwrap_err();
        assert!(error.contains("the table must grow"), "{error}");
        let error = load("[limits]\nmax_weight = 253\n").unwrap_err();
        assert!(error.contains("limits.max_weight"), "{error}");
        let error = load("[recovery]\ninterval_secs = 0\n").unwrap_err();
        assert!(error.contains("recovery.interval_secs"), "{error}");
        let error = load("[recovery]\nnpc_interval_secs = 0\n").unwrap_err();
        assert!(error.contains("recovery.npc_interval_secs"), "{error}");
        let error = load("[recovery]\nnpc_hp = \"tp\"\n").unwrap_err();
        assert!(error.contains("recovery.npc_hp"), "{error}");
        let error = load("not toml").unwrap_err();
        assert!(error.starts_with("world/formulas.toml:"), "{error}");
    }
}
