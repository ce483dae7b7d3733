//! The jukebox (a Jukebox map tile) and the bard.
//!
//! Jukebox_Open, near a jukebox, shows its list (Jukebox_Open, with the name of whoever picked
//! the track playing, while the box is busy). Jukebox_Msg picks a track for `[jukebox] cost`
//! gold: the picker gets Jukebox_Agree with its gold left, everyone on the map Jukebox_Use and
//! hears it, and the box is busy for `track_secs`; while it is busy, or for a picker short of
//! gold, the answer is Jukebox_Reply and nothing is taken. One jukebox state per map: the
//! map's jukeboxes play one track at a time, as in EOSERV and reoserv.
//!
//! Jukebox_Use is the bard: a character wielding an instrument (a weapon whose doll graphic,
//! EIF spec1, is in `[jukebox] instruments` and is the instrument the packet names) and
//! knowing a Bard spell plays a note; the others in view get Jukebox_Msg and hear it.

use eo_protocol::map::MapTileSpec;
use eo_protocol::net::client::{
    ClientPacket, JukeboxMsgClientPacket, JukeboxOpenClientPacket, JukeboxUseClientPacket,
};
use eo_protocol::net::server::{
    JukeboxAgreeServerPacket, JukeboxMsgServerPacket, JukeboxOpenServerPacket,
    JukeboxReplyServerPacket, JukeboxUseServerPacket,
};
use eo_protocol::pubs::SkillType;
use tokio::time::Instant;

use super::SEE_DISTANCE;
use super::actor::MapActor;
use super::pathfinding::distance;
use crate::rules::stats;

/// Gold is item 1.
const GOLD: u16 = 1;

/// A map's jukebox: the track playing, if any.
#[derive(Debug, Default)]
pub(super) struct Jukebox {
    /// Until when it is busy, and who picked the track.
    playing: Option<(Instant, String)>,
}

impl Jukebox {
    /// Who picked the track still playing at `now`, if one is.
    fn busy(&self, now: Instant) -> Option<&str> {
        self.playing
            .as_ref()
            .filter(|(until, _)| now < *until)
            .map(|(_, name)| name.as_str())
    }
}

impl MapActor {
    /// Jukebox_Open, Jukebox_Msg and Jukebox_Use.
    pub(super) fn jukebox(&mut self, player_id: u16, packet: ClientPacket) {
        match packet {
            ClientPacket::JukeboxOpen(open) => self.jukebox_open(player_id, &open),
            ClientPacket::JukeboxMsg(pick) => self.jukebox_pick(player_id, &pick),
            ClientPacket::JukeboxUse(note) => self.bard_note(player_id, &note),
            _ => {}
        }
    }

    /// Whether the character is within the see distance of a jukebox (of the one at `at`, if
    /// given).
    fn near_jukebox(&self, player_id: u16, at: Option<(u8, u8)>) -> bool {
        let (Some(me), Some(map)) = (self.characters.get(&player_id), self.map()) else {
            return false;
        };
        let me = me.tile();
        map.tiles_of(MapTileSpec::Jukebox)
            .filter(|tile| at.is_none_or(|at| at == *tile))
            .any(|tile| distance(tile, me) <= SEE_DISTANCE)
    }

    fn jukebox_open(&mut self, player_id: u16, open: &JukeboxOpenClientPacket) {
        if !self.near_jukebox(player_id, Some((open.coords.x, open.coords.y))) {
            return;
        }
        let jukebox_player = self
            .jukebox
            .busy(Instant::now())
            .unwrap_or_default()
            .to_owned();
        let body = self.encode(&JukeboxOpenServerPacket {
            map_id: self.id,
            jukebox_player,
        });
        self.send_to(player_id, body);
    }

    /// A track (0-based from the client) for gold, if the box is free.
    fn jukebox_pick(&mut self, player_id: u16, pick: &JukeboxMsgClientPacket) {
        let config = &self.config.jukebox;
        let (cost, max_track, track_time) = (config.cost, config.max_track_id, config.track_time());
        let Some(track) = pick.track_id.checked_add(1) else {
            return;
        };
        if track > max_track || !self.near_jukebox(player_id, None) {
            return;
        }
        let now = Instant::now();
        let busy_until = now.checked_add(track_time);
        let data = std::sync::Arc::clone(&self.data);
        let busy = self.jukebox.busy(now).is_some();
        let Some(me) = self.characters.get_mut(&player_id) else {
            return;
        };
        if busy || me.game.amount_of(GOLD) < cost || me.game.remove_item(GOLD, cost, &data) != cost
        {
            let body = self.encode(&JukeboxReplyServerPacket);
            self.send_to(player_id, body);
            return;
        }
        let gold_amount = me.game.amount_of(GOLD);
        let name = me.record.name.clone();
        self.jukebox.playing = busy_until.map(|until| (until, name));
        let body = self.encode(&JukeboxAgreeServerPacket { gold_amount });
        self.send_to(player_id, body);
        if let Some(body) = self.encode(&JukeboxUseServerPacket { track_id: track }) {
            self.send_to_all(&body);
        }
    }

    /// A bard's note, heard by the others in view.
    fn bard_note(&mut self, player_id: u16, note: &JukeboxUseClientPacket) {
        let config = &self.config.jukebox;
        let instrument = u32::from(note.instrument_id);
        if note.note_id == 0
            || note.note_id > config.max_note_id
            || !config.instruments.contains(&instrument)
        {
            return;
        }
        let Some(me) = self.characters.get(&player_id) else {
            return;
        };
        let state = me.game.state();
        let wields = stats::item(&self.data.items.data, state.equipment.weapon)
            .is_some_and(|weapon| weapon.spec1 == instrument);
        let bard = state.spells.iter().any(|(id, _)| {
            usize::from(*id)
                .checked_sub(1)
                .and_then(|i| self.data.spells.data.skills.get(i))
                .is_some_and(|spell| spell.r#type == SkillType::Bard)
        });
        if !wields || !bard {
            return;
        }
        let at = me.at();
        if let Some(body) = self.encode(&JukeboxMsgServerPacket {
            player_id,
            direction: me.info.direction,
            instrument_id: note.instrument_id,
            note_id: note.note_id,
        }) {
            self.broadcast(at, player_id, &body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jukebox_is_busy_until_its_track_ends() {
        let now = Instant::now();
        let mut jukebox = Jukebox::default();
        assert_eq!(jukebox.busy(now), None);
        jukebox.playing = Some((now + std::time::Duration::from_secs(90), "alice".into()));
        assert_eq!(jukebox.busy(now), Some("alice"));
        assert_eq!(jukebox.busy(now + std::time::Duration::from_secs(90)), None);
    }
}
