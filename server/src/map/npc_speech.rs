//! NPCs speaking, as in the official game: every `[npcs] speech_ms` each living NPC of the
//! talk file (`crate::data::talk_file`) that has a character within its see distance takes
//! its chance to say one of its lines, picked at random. What they say joins the tick's other
//! NPC events and reaches each viewer in that tick's one Npc_Player (map/npc_broadcast.rs).
//! An NPC nobody is near says nothing, so an empty map costs nothing.

use eo_protocol::net::server::NpcUpdateChat;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::SEE_DISTANCE;
use super::actor::MapActor;
use super::npcs::NpcEvents;
use super::pathfinding::distance;
use crate::config::NpcConfig;

/// When the map's NPCs speak, and their dice.
pub(super) struct SpeechClock {
    /// Ticks between two chances to speak; `None`: never.
    every: Option<u64>,
    rng: StdRng,
}

impl SpeechClock {
    pub fn new(config: &NpcConfig, map_id: u16) -> Self {
        let seed = match config.seed {
            0 => rand::random(),
            seed => seed ^ u64::from(map_id).wrapping_mul(0xA24B_AED4_963E_E407),
        };
        SpeechClock {
            every: (config.speech_ms > 0).then(|| config.ticks(config.speech_ms)),
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl MapActor {
    /// On the ticks the speech interval comes round, the NPCs near a character speak (each
    /// with its chance) into `events`.
    pub(super) fn npc_speech(&mut self, events: &mut NpcEvents) {
        let Some(every) = self.speech.every else {
            return;
        };
        if !self.npcs.now().is_multiple_of(every) || self.data.speech.is_empty() {
            return;
        }
        for index in 0..=u8::MAX {
            let Some(npc) = self.npcs.alive(index) else {
                continue;
            };
            let Some(lines) = self.data.speech.of(npc.id) else {
                continue;
            };
            let at = npc.at;
            let watched = self
                .characters
                .values()
                .any(|c| distance(c.tile(), at) <= SEE_DISTANCE);
            if !watched || self.speech.rng.random_range(0..100) >= lines.chance {
                continue;
            }
            if let Some(message) = lines.lines.choose(&mut self.speech.rng) {
                events.chats.push((
                    NpcUpdateChat {
                        npc_index: index,
                        message: message.clone(),
                    },
                    at,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_whole_ticks_and_zero_silences() {
        let mut config = NpcConfig {
            speech_ms: 250,
            ..NpcConfig::default()
        };
        assert_eq!(SpeechClock::new(&config, 1).every, Some(2));
        config.speech_ms = 0;
        assert_eq!(SpeechClock::new(&config, 1).every, None);
        config.speech_ms = NpcConfig::default().speech_ms;
        assert_eq!(
            SpeechClock::new(&config, 1).every,
            Some(300),
            "reoserv's 300 ticks"
        );
    }
}
