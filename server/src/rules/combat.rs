//! One attack's outcome from the attacker's and the target's stats: hit or miss, critical, and
//! damage, from the [combat] formulas. The caller passes the random source (seeded from config
//! in tests, so outcomes are reproducible).

use rand::Rng;

use super::expr::to_bounded;
use super::formulas::Formulas;

/// The attacker's side of an attack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attacker {
    pub min_damage: u16,
    pub max_damage: u16,
    pub accuracy: u16,
    pub level: u8,
}

/// The target's side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub evade: u16,
    pub armor: u16,
    pub sitting: bool,
    pub level: u8,
}

/// What an attack did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swing {
    Miss,
    Hit { damage: u32, critical: bool },
}

impl Swing {
    /// The damage dealt: 0 for a miss.
    pub fn damage(self) -> u32 {
        match self {
            Swing::Miss => 0,
            Swing::Hit { damage, .. } => damage,
        }
    }
}

/// The most damage one hit may do (the protocol's three-byte number).
pub const MAX_HIT_DAMAGE: u32 = 16_194_276;

/// Rolls one attack.
pub fn swing(formulas: &Formulas, attacker: Attacker, target: Target, rng: &mut impl Rng) -> Swing {
    swing_with(formulas, &formulas.damage, attacker, target, rng)
}

/// Rolls one attack spell: `attacker` is the caster's stats with the spell's damage and
/// accuracy added; the hit and critical rolls are an attack's, the damage `spell_damage`'s.
pub fn spell_swing(
    formulas: &Formulas,
    attacker: Attacker,
    target: Target,
    rng: &mut impl Rng,
) -> Swing {
    swing_with(formulas, &formulas.spell_damage, attacker, target, rng)
}

/// Rolls one attack whose damage is `damage_formula`'s.
fn swing_with(
    formulas: &Formulas,
    damage_formula: &super::expr::Expr,
    attacker: Attacker,
    target: Target,
    rng: &mut impl Rng,
) -> Swing {
    let hit_values = [
        f64::from(attacker.accuracy),
        f64::from(target.evade),
        if target.sitting { 1.0 } else { 0.0 },
        f64::from(attacker.level),
        f64::from(target.level),
    ];
    let hit_rate = formulas.hit_rate.eval(&hit_values);
    // A NaN rate never hits.
    let hits = rng.random::<f64>() < hit_rate;
    if !hits {
        return Swing::Miss;
    }
    let critical = rng.random::<f64>() < formulas.critical_rate.eval(&hit_values);
    let (low, high) = (
        attacker.min_damage.min(attacker.max_damage),
        attacker.max_damage.max(attacker.min_damage),
    );
    let rolled = rng.random_range(low..=high);
    let damage = damage_formula.eval(&[
        f64::from(rolled),
        f64::from(target.armor),
        if critical { 1.0 } else { 0.0 },
    ]);
    Swing::Hit {
        damage: to_bounded(damage, MAX_HIT_DAMAGE),
        critical,
    }
}

/// How much HP and TP a character regains in one recovery interval.
pub fn recovery(
    formulas: &Formulas,
    (hp, max_hp): (u16, u16),
    (tp, max_tp): (u16, u16),
    level: u8,
    sitting: bool,
) -> (u16, u16) {
    let values = [
        f64::from(max_hp),
        f64::from(max_tp),
        f64::from(hp),
        f64::from(tp),
        f64::from(level),
        if sitting { 1.0 } else { 0.0 },
    ];
    let r = &formulas.recovery;
    let hp_gain = to_bounded(r.hp.eval(&values), u32::from(max_hp.saturating_sub(hp)));
    let tp_gain = to_bounded(r.tp.eval(&values), u32::from(max_tp.saturating_sub(tp)));
    (hp_gain as u16, tp_gain as u16) // ok: bounded by a u16 difference
}

/// What an NPC with `hp` of `max_hp` regains on an NPC recovery tick (never past its maximum).
pub fn npc_recovery(formulas: &Formulas, hp: u32, max_hp: u32) -> u32 {
    let values = [f64::from(max_hp), f64::from(hp)];
    to_bounded(
        formulas.recovery.npc_hp.eval(&values),
        max_hp.saturating_sub(hp),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::path::Path;

    #[test]
    fn a_sure_hit_does_the_formula_damage() {
        let f = Formulas::from_text(
            Some("[combat]\nhit_rate = \"1\"\ncritical_rate = \"0\"\n"),
            Path::new("t"),
        )
        .unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        let attacker = Attacker {
            min_damage: 4,
            max_damage: 4,
            ..Attacker::default()
        };
        // Armour 0: the rolled damage as it is.
        assert_eq!(
            swing(&f, attacker, Target::default(), &mut rng),
            Swing::Hit {
                damage: 4,
                critical: false
            }
        );
        // Armour 4: 4 < 8, so 4 * (4 / 8)^2 = 1.
        let armored = Target {
            armor: 4,
            ..Target::default()
        };
        assert_eq!(
            swing(&f, attacker, armored, &mut rng),
            Swing::Hit {
                damage: 1,
                critical: false
            }
        );
        let never =
            Formulas::from_text(Some("[combat]\nhit_rate = \"0\"\n"), Path::new("t")).unwrap();
        assert_eq!(
            swing(&never, attacker, Target::default(), &mut rng),
            Swing::Miss
        );
        let always_critical = Formulas::from_text(
            Some("[combat]\nhit_rate = \"1\"\ncritical_rate = \"1\"\n"),
            Path::new("t"),
        )
        .unwrap();
        assert_eq!(
            swing(&always_critical, attacker, Target::default(), &mut rng),
            Swing::Hit {
                damage: 6,
                critical: true
            }
        );
    }

    #[test]
    fn a_spell_rolls_its_damage_by_the_spell_formula() {
        let f = Formulas::from_text(
            Some(
                "[combat]\nhit_rate = \"1\"\ncritical_rate = \"0\"\ndamage = \"1\"\nspell_damage = \"damage * 3\"\n",
            ),
            Path::new("t"),
        )
        .unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        let caster = Attacker {
            min_damage: 5,
            max_damage: 5,
            ..Attacker::default()
        };
        assert_eq!(
            spell_swing(&f, caster, Target::default(), &mut rng).damage(),
            15
        );
        assert_eq!(swing(&f, caster, Target::default(), &mut rng).damage(), 1);
        // The default spell damage is the default damage.
        let d = Formulas::default();
        assert_eq!(d.spell_damage, d.damage);
    }

    #[test]
    fn the_default_hit_rate_stays_between_half_and_four_fifths() {
        let f = Formulas::default();
        let rate =
            |accuracy, evade, sitting| f.hit_rate.eval(&[accuracy, evade, sitting, 0.0, 0.0]);
        assert_eq!(rate(0.0, 0.0, 0.0), 0.5);
        assert_eq!(rate(100.0, 1.0, 0.0), 0.8);
        assert_eq!(rate(1.0, 100.0, 0.0), 0.5);
        assert_eq!(rate(1.0, 100.0, 1.0), 1.0);
    }

    #[test]
    fn sitting_recovers_faster_and_never_past_the_maximum() {
        let f = Formulas::default();
        assert_eq!(recovery(&f, (0, 100), (0, 50), 1, false), (11, 6));
        assert_eq!(recovery(&f, (0, 100), (0, 50), 1, true), (21, 11));
        assert_eq!(recovery(&f, (95, 100), (50, 50), 1, true), (5, 0));
    }
}
