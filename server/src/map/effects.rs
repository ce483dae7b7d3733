//! A map's timed effects, from its EMF: an HP or TP drain (`timed_effect` HpDrain, TpDrain),
//! quakes (Quake1 to Quake4), timed spikes (TimedSpikes tiles) striking on their clock, and
//! spikes (Spikes, HiddenSpikes) hurting whoever steps on them. Intervals and damage come
//! from `[map_effects]`; a death to spikes is the death of combat (map/combat.rs).
//!
//! Hidden characters (`$hide`) and the dead waiting for their respawn warp are left alone,
//! as EOSERV leaves its hidden and "nowhere" characters.

use std::time::Duration;

use eo_protocol::map::{MapTileSpec, MapTimedEffect};
use eo_protocol::net::server::{
    EffectAdminServerPacket, EffectReportServerPacket, EffectSpecServerPacket,
    EffectSpecServerPacketMapDamageTypeData, EffectSpecServerPacketMapDamageTypeDataSpikes,
    EffectSpecServerPacketMapDamageTypeDataTpDrain, EffectTargetOtherServerPacket,
    EffectUseServerPacket, EffectUseServerPacketEffectData, EffectUseServerPacketEffectDataQuake,
    MapDamageType, MapDrainDamageOther, MapEffect,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::Instant;

use super::actor::{MapActor, in_range};
use crate::config::Config;
use crate::data::MapData;

/// A quake's timing and strength: it comes after `steps` of `[map_effects] quake_ms` (a
/// random number in the range) and shakes with a random strength in `strength`.
struct Quake {
    steps: (u32, u32),
    strength: (u8, u8),
}

/// Quake1 to Quake4: the later, the more often and the harder. reoserv's table, with the
/// weakest strengths raised to 1 (a quake of strength 0 shows nothing).
const QUAKES: [Quake; 4] = [
    Quake {
        steps: (3, 29),
        strength: (1, 2),
    },
    Quake {
        steps: (3, 22),
        strength: (1, 3),
    },
    Quake {
        steps: (3, 15),
        strength: (4, 6),
    },
    Quake {
        steps: (2, 8),
        strength: (6, 8),
    },
];

fn quake_of(effect: MapTimedEffect) -> Option<&'static Quake> {
    match effect {
        MapTimedEffect::Quake1 => QUAKES.first(),
        MapTimedEffect::Quake2 => QUAKES.get(1),
        MapTimedEffect::Quake3 => QUAKES.get(2),
        MapTimedEffect::Quake4 => QUAKES.get(3),
        _ => None,
    }
}

/// When each of the map's timed effects comes next (`None`: the map has no such effect, or
/// it is turned off).
pub(super) struct MapEffects {
    effect: MapTimedEffect,
    spike_every: Option<Duration>,
    drain_every: Option<Duration>,
    quake_step: Option<Duration>,
    next_spike: Option<Instant>,
    next_drain: Option<Instant>,
    next_quake: Option<(Instant, u8)>,
    rng: StdRng,
}

/// Moves `next` one `every` on once it is due; whether it was due. A clock that fell far
/// behind (a stalled map) starts again from now instead of striking many times at once.
fn due(next: &mut Option<Instant>, every: Option<Duration>, now: Instant) -> bool {
    let (Some(at), Some(every)) = (*next, every) else {
        return false;
    };
    if now < at {
        return false;
    }
    let following = at + every;
    *next = Some(if following <= now {
        now + every
    } else {
        following
    });
    true
}

impl MapEffects {
    pub fn new(config: &Config, map: Option<&MapData>, map_id: u16) -> Self {
        let effects = &config.map_effects;
        let effect = map.map_or(MapTimedEffect::None, |m| m.emf.timed_effect);
        let has_timed_spikes =
            map.is_some_and(|m| m.tiles_of(MapTileSpec::TimedSpikes).next().is_some());
        let spike_every = effects.spike_interval().filter(|_| has_timed_spikes);
        let drain_every = effects
            .drain_interval()
            .filter(|_| matches!(effect, MapTimedEffect::HpDrain | MapTimedEffect::TpDrain));
        let quake_step = effects
            .quake_interval()
            .filter(|_| quake_of(effect).is_some());
        let seed = match config.npcs.seed {
            0 => rand::random(),
            seed => seed ^ u64::from(map_id).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        };
        let now = Instant::now();
        let mut effects = MapEffects {
            effect,
            spike_every,
            drain_every,
            quake_step,
            next_spike: spike_every.map(|every| now + every),
            next_drain: drain_every.map(|every| now + every),
            next_quake: None,
            rng: StdRng::seed_from_u64(seed),
        };
        effects.schedule_quake(now);
        effects
    }

    /// Picks the next quake's time and strength.
    fn schedule_quake(&mut self, now: Instant) {
        let (Some(step), Some(quake)) = (self.quake_step, quake_of(self.effect)) else {
            return;
        };
        let steps = self.rng.random_range(quake.steps.0..=quake.steps.1);
        let strength = self.rng.random_range(quake.strength.0..=quake.strength.1);
        self.next_quake = Some((now + step.saturating_mul(steps), strength));
    }
}

impl MapActor {
    /// The timed effects due on this tick.
    pub(super) fn timed_effects(&mut self) {
        let now = Instant::now();
        let effects = &mut self.effects;
        if due(&mut effects.next_spike, effects.spike_every, now) {
            self.timed_spikes();
        }
        let effects = &mut self.effects;
        if due(&mut effects.next_drain, effects.drain_every, now) {
            match effects.effect {
                MapTimedEffect::HpDrain => self.drain_hp(),
                MapTimedEffect::TpDrain => self.drain_tp(),
                _ => {}
            }
        }
        if let Some((at, strength)) = self.effects.next_quake
            && now >= at
        {
            self.effects.schedule_quake(now);
            self.quake(strength);
        }
    }

    /// Whether the map's effects pass this character by: hidden, or dead and not yet back.
    fn spared(&self, player_id: u16) -> bool {
        self.combat.is_dead(player_id)
            || self
                .characters
                .get(&player_id)
                .is_none_or(|c| c.info.invisible)
    }

    /// Everyone on the map feels the quake (Effect_Use).
    pub(super) fn quake(&self, strength: u8) {
        let Some(body) = self.encode(&EffectUseServerPacket {
            effect: MapEffect::Quake,
            effect_data: Some(EffectUseServerPacketEffectData::Quake(
                EffectUseServerPacketEffectDataQuake {
                    quake_strength: strength,
                },
            )),
        }) else {
            return;
        };
        self.send_to_all(&body);
    }

    /// The timed spikes strike: whoever stands on one is hurt; everyone else hears them
    /// (Effect_Report), as EOSERV does.
    fn timed_spikes(&mut self) {
        let Some(map) = self.map() else {
            return;
        };
        let mut hurt = Vec::new();
        let report = self.encode(&EffectReportServerPacket);
        for (id, c) in &self.characters {
            if self.spared(*id) {
                continue;
            }
            let (x, y) = c.tile();
            if map.spec(x, y) == Some(MapTileSpec::TimedSpikes) {
                hurt.push(*id);
            } else if let Some(body) = &report {
                c.player.send(body.clone());
            }
        }
        for id in hurt {
            self.spike(id);
        }
    }

    /// A step onto (x, y): spikes there (not the timed ones, which strike on their clock)
    /// hurt the walker.
    pub(super) fn stepped_on(&mut self, player_id: u16, (x, y): (u8, u8)) {
        let spikes = self
            .map()
            .and_then(|m| m.spec(x, y))
            .is_some_and(|spec| matches!(spec, MapTileSpec::Spikes | MapTileSpec::HiddenSpikes));
        if spikes && !self.spared(player_id) {
            self.spike(player_id);
        }
    }

    /// A spike takes `[map_effects] spike_damage_percent` of the maximum HP: the victim gets
    /// Effect_Spec, those who see it Effect_Admin; at 0 HP it dies.
    fn spike(&mut self, player_id: u16) {
        let percent = u32::from(self.config.map_effects.spike_damage_percent);
        if percent == 0 {
            return;
        }
        let Some(c) = self.characters.get_mut(&player_id) else {
            return;
        };
        let max_hp = c.game.derived().max_hp;
        let taken = c.game.damage(u32::from(max_hp) * percent / 100);
        c.info.hp = c.game.state().hp;
        let (hp, died, at) = (c.game.state().hp, c.game.is_dead(), c.at());
        let hp_percentage = c.game.hp_percentage();
        let damage = u16::try_from(taken).unwrap_or(u16::MAX);
        if let Some(body) = self.encode(&EffectSpecServerPacket {
            map_damage_type: MapDamageType::Spikes,
            map_damage_type_data: Some(EffectSpecServerPacketMapDamageTypeData::Spikes(
                EffectSpecServerPacketMapDamageTypeDataSpikes {
                    hp_damage: damage,
                    hp,
                    max_hp,
                },
            )),
        }) && let Some(c) = self.characters.get(&player_id)
        {
            c.player.send(body);
        }
        if let Some(body) = self.encode(&EffectAdminServerPacket {
            player_id,
            hp_percentage,
            died,
            damage: taken,
        }) {
            self.broadcast(at, player_id, &body);
        }
        if died {
            self.kill_player(player_id);
        }
    }

    /// An HP drain takes `[map_effects] drain_hp_percent` of each character's maximum HP,
    /// never its last point; each is told its own loss and those of the others it sees
    /// (Effect_TargetOther).
    fn drain_hp(&mut self) {
        let percent = u32::from(self.config.map_effects.drain_hp_percent);
        if percent == 0 {
            return;
        }
        let ids: Vec<u16> = self.characters.keys().copied().collect();
        let mut drained = Vec::new();
        for id in ids {
            if self.spared(id) {
                continue;
            }
            let Some(c) = self.characters.get_mut(&id) else {
                continue;
            };
            let hp = c.game.state().hp;
            let amount = (u32::from(c.game.derived().max_hp) * percent / 100)
                .min(u32::from(hp.saturating_sub(1)));
            let taken = c.game.damage(amount);
            c.info.hp = c.game.state().hp;
            drained.push(MapDrainDamageOther {
                player_id: id,
                hp_percentage: c.game.hp_percentage(),
                damage: u16::try_from(taken).unwrap_or(u16::MAX),
            });
        }
        for mine in &drained {
            let Some(me) = self.characters.get(&mine.player_id) else {
                continue;
            };
            let others = drained
                .iter()
                .filter(|other| other.player_id != mine.player_id)
                .filter(|other| {
                    self.characters
                        .get(&other.player_id)
                        .is_some_and(|c| in_range(me.at(), c.at()))
                })
                .cloned()
                .collect();
            if let Some(body) = self.encode(&EffectTargetOtherServerPacket {
                damage: mine.damage,
                hp: me.game.state().hp,
                max_hp: me.game.derived().max_hp,
                others,
            }) {
                me.player.send(body);
            }
        }
    }

    /// A TP drain takes `[map_effects] drain_tp_percent` of each character's maximum TP
    /// (Effect_Spec to each).
    fn drain_tp(&mut self) {
        let percent = u32::from(self.config.map_effects.drain_tp_percent);
        if percent == 0 {
            return;
        }
        let ids: Vec<u16> = self.characters.keys().copied().collect();
        for id in ids {
            if self.spared(id) {
                continue;
            }
            let Some(c) = self.characters.get_mut(&id) else {
                continue;
            };
            let (hp, tp) = (c.game.state().hp, c.game.state().tp);
            let max_tp = c.game.derived().max_tp;
            let taken = u16::try_from(u32::from(max_tp) * percent / 100)
                .unwrap_or(u16::MAX)
                .min(tp);
            c.game.set_hp_tp(hp, tp - taken); // ok: taken <= tp
            c.info.tp = c.game.state().tp;
            let body = self.encode(&EffectSpecServerPacket {
                map_damage_type: MapDamageType::TpDrain,
                map_damage_type_data: Some(EffectSpecServerPacketMapDamageTypeData::TpDrain(
                    EffectSpecServerPacketMapDamageTypeDataTpDrain {
                        tp_damage: taken,
                        tp: tp - taken, // ok: taken <= tp
                        max_tp,
                    },
                )),
            });
            if let (Some(body), Some(c)) = (body, self.characters.get(&id)) {
                c.player.send(body);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_strikes_once_when_due_and_restarts_after_a_stall() {
        let start = Instant::now();
        let every = Some(Duration::from_secs(1));
        let mut next = Some(start + Duration::from_secs(1));
        assert!(!due(&mut next, every, start));
        assert!(due(&mut next, every, start + Duration::from_secs(1)));
        assert_eq!(next, Some(start + Duration::from_secs(2)));
        // Ten seconds late: one strike, then a full interval from now.
        let late = start + Duration::from_secs(12);
        assert!(due(&mut next, every, late));
        assert_eq!(next, Some(late + Duration::from_secs(1)));
        assert!(!due(&mut next, every, late));
        let mut off = None;
        assert!(!due(&mut off, every, late));
    }

    #[test]
    fn each_quake_kind_has_a_table_row_and_other_effects_none() {
        assert_eq!(
            quake_of(MapTimedEffect::Quake4).map(|q| q.strength),
            Some((6, 8))
        );
        assert!(quake_of(MapTimedEffect::HpDrain).is_none());
        for quake in &QUAKES {
            assert!(quake.steps.0 >= 1 && quake.steps.0 <= quake.steps.1);
            assert!(quake.strength.0 >= 1 && quake.strength.0 <= quake.strength.1);
        }
    }
}
