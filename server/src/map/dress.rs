//! `$dress`, `$dress2`, `$undress` on a character on this map: its cosmetic clothes
//! (`rules::look::Dressed`) change, and it and everyone in view see its new look at once
//! (Avatar_Agree with the equipment others see, as EOSERV sends it).

use eo_control::DressSlot;
use eo_protocol::net::server::AvatarAgreeServerPacket;

use super::actor::MapActor;
use super::admin::AdminDone;

impl MapActor {
    /// Shows `graphic` in `slot` of the character's look (`None` in `slot`: what it wears
    /// there again; no slot: every slot). An armor's graphic `for_gender` is refused on a
    /// character of the other gender, as the armor itself would be. The answer's `count` is
    /// how many slots show a cosmetic graphic now.
    pub(super) fn dress(
        &mut self,
        player_id: u16,
        slot: Option<DressSlot>,
        graphic: Option<u16>,
        for_gender: Option<u8>,
    ) -> Result<AdminDone, String> {
        let data = std::sync::Arc::clone(&self.data);
        let me = self
            .characters
            .get_mut(&player_id)
            .ok_or("not on this map")?;
        if let Some(gender) = for_gender
            && me.game.state().gender != gender
        {
            return Err(format!(
                "that armor is made for the other gender than {}'s",
                me.info.name
            ));
        }
        me.game.update(&data, |state| match slot {
            Some(slot) => state.dressed.set(slot, graphic),
            None => state.dressed.clear(),
        });
        let count = me.game.state().dressed.count();
        let (x, y) = me.tile();
        let change = self.equipment_avatar(player_id).ok_or("not on this map")?;
        let body = self.encode(&AvatarAgreeServerPacket {
            change: change.clone(),
        });
        self.send_to(player_id, body);
        self.show_avatar(player_id, change);
        Ok(AdminDone::at(x, y, u32::try_from(count).unwrap_or(0)))
    }
}
