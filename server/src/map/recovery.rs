//! HP and TP regeneration on the map's tick: every `[recovery] interval_secs` of the formulas
//! file each living character on the map regains what the formulas give (more while sitting)
//! and is told its new HP and TP (Recover_Player); every `npc_interval_secs` each living NPC
//! regains `npc_hp`.

use eo_protocol::net::server::{RecoverPlayerServerPacket, SitState};

use super::actor::MapActor;
use crate::rules::combat::{npc_recovery, recovery};

impl MapActor {
    /// Whether this tick is one of those every `secs` seconds on the map's clock.
    fn is_tick_every(&self, secs: u64) -> bool {
        let every = self.config.npcs.ticks(secs.saturating_mul(1000));
        self.npcs.now().is_multiple_of(every)
    }

    /// Regenerates every NPC if this tick is an NPC recovery tick.
    pub(super) fn recover_npcs_if_due(&mut self) {
        if !self.is_tick_every(self.data.formulas.recovery.npc_interval_secs) {
            return;
        }
        let formulas = &self.data.formulas;
        self.npcs
            .recover(|hp, max_hp| npc_recovery(formulas, hp, max_hp));
    }

    /// Regenerates every character if this tick is a recovery tick.
    pub(super) fn recover_if_due(&mut self) {
        if !self.is_tick_every(self.data.formulas.recovery.interval_secs) {
            return;
        }
        let formulas = &self.data.formulas;
        for (player_id, c) in self.characters.iter_mut() {
            if self.combat.is_dead(*player_id) {
                continue;
            }
            let state = c.game.state();
            let derived = c.game.derived();
            let (hp, tp) = recovery(
                formulas,
                (state.hp, derived.max_hp),
                (state.tp, derived.max_tp),
                state.level,
                c.info.sit_state != SitState::Stand,
            );
            if hp == 0 && tp == 0 {
                continue;
            }
            c.game.heal(u32::from(hp), u32::from(tp));
            let state = c.game.state();
            c.info.hp = state.hp;
            c.info.tp = state.tp;
            if let Ok(body) = crate::net::packet::encode(&RecoverPlayerServerPacket {
                hp: state.hp,
                tp: state.tp,
            }) {
                c.player.send(body);
            }
        }
    }
}
