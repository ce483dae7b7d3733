//! `[jukebox]`: the jukebox (a Jukebox map tile) and the bard's instruments.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, MAX_ITEM_AMOUNT, at_least_one, at_most_a_year};

/// Tracks and notes travel as EO chars and shorts; the client's jukebox lists at most this many.
pub const MAX_TRACKS: u16 = 252;
/// Notes travel as an EO char.
pub const MAX_NOTE: u8 = 252;

/// `[jukebox]`, with reoserv's defaults (EOSERV's JukeboxTimer is the same 90 seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JukeboxConfig {
    /// Gold a track costs.
    pub cost: u32,
    /// The tracks on offer: 1 to this (the official client lists 20).
    pub max_track_id: u16,
    /// Seconds the jukebox is busy after a track is picked; 0 = never busy.
    pub track_secs: u64,
    /// The doll graphics (a weapon's EIF spec1) that make a weapon an instrument a bard plays.
    pub instruments: Vec<u32>,
    /// Notes a bard plays: 1 to this.
    pub max_note_id: u8,
}

impl Default for JukeboxConfig {
    fn default() -> Self {
        JukeboxConfig {
            cost: 25,
            max_track_id: 20,
            track_secs: 90,
            instruments: vec![49, 50],
            max_note_id: 36,
        }
    }
}

impl JukeboxConfig {
    pub fn track_time(&self) -> Duration {
        Duration::from_secs(self.track_secs)
    }

    /// Checks the rules the types cannot express; each error names the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.cost > MAX_ITEM_AMOUNT {
            return Err(ConfigError::new(
                "jukebox.cost",
                "is more gold than a character can hold",
            ));
        }
        at_least_one("jukebox.max_track_id", u64::from(self.max_track_id))?;
        if self.max_track_id > MAX_TRACKS {
            return Err(ConfigError::new(
                "jukebox.max_track_id",
                format!("{} is more than {MAX_TRACKS}", self.max_track_id),
            ));
        }
        at_least_one("jukebox.max_note_id", u64::from(self.max_note_id))?;
        if self.max_note_id > MAX_NOTE {
            return Err(ConfigError::new(
                "jukebox.max_note_id",
                format!("{} is more than {MAX_NOTE}", self.max_note_id),
            ));
        }
        at_most_a_year("jukebox.track_secs", self.track_secs)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::invalid;

    #[test]
    fn tracks_notes_and_costs_past_their_limits_are_refused() {
        for (change, key) in [
            (
                (|c: &mut Config| c.jukebox.max_track_id = 0) as fn(&mut Config),
                "jukebox.max_track_id",
            ),
            (|c| c.jukebox.max_track_id = 253, "jukebox.max_track_id"),
            (|c| c.jukebox.max_note_id = 0, "jukebox.max_note_id"),
            (|c| c.jukebox.max_note_id = 253, "jukebox.max_note_id"),
            (|c| c.jukebox.cost = u32::MAX, "jukebox.cost"),
            (|c| c.jukebox.track_secs = u64::MAX, "jukebox.track_secs"),
        ] {
            assert_eq!(invalid(change).key, key);
        }
    }
}
