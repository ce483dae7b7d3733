//! The looks a character may have, as the official client offers them (creating a character,
//! and at a barber).

/// Hair styles run from 1 to this.
pub const MAX_HAIR_STYLE: u8 = 20;
/// Hair colours run from 0 to this.
pub const MAX_HAIR_COLOR: u8 = 9;
/// Skins run from 0 to this.
pub const MAX_SKIN: u8 = 6;

/// Whether a hair style and colour are ones the client offers (packets carry them as chars or
/// shorts).
pub fn valid_hair(style: u16, color: u16) -> bool {
    (1..=u16::from(MAX_HAIR_STYLE)).contains(&style) && color <= u16::from(MAX_HAIR_COLOR)
}

/// Cosmetic clothes (`$dress`, `$dress2`, EOSERV's): a graphic shown in one of the five slots
/// others see, over what the character wears or does not. Nothing is worn (stats, the
/// paperdoll and the inventory are the real ones). Kept for the session only, as EOSERV does:
/// it travels with the character between maps and is never saved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dressed {
    /// By slot (`DressSlot` order: hat, armor, boots, weapon, shield): `None` shows what is
    /// worn; `Some(0)` shows nothing there; `Some(g)` shows graphic `g`.
    slots: [Option<u16>; 5],
}

impl Dressed {
    fn index(slot: eo_control::DressSlot) -> usize {
        use eo_control::DressSlot;
        match slot {
            DressSlot::Hat => 0,
            DressSlot::Armor => 1,
            DressSlot::Boots => 2,
            DressSlot::Weapon => 3,
            DressSlot::Shield => 4,
        }
    }

    /// Shows `graphic` in `slot` (`None`: what is worn there again).
    pub fn set(&mut self, slot: eo_control::DressSlot, graphic: Option<u16>) {
        if let Some(at) = self.slots.get_mut(Self::index(slot)) {
            *at = graphic;
        }
    }

    /// Takes every cosmetic graphic off.
    pub fn clear(&mut self) {
        self.slots = [None; 5];
    }

    /// How many slots show a cosmetic graphic.
    pub fn count(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// What others see, `worn` (the graphics of what the character wears) with the cosmetic
    /// graphics over it.
    pub fn over(
        &self,
        worn: eo_protocol::net::server::EquipmentChange,
    ) -> eo_protocol::net::server::EquipmentChange {
        let [hat, armor, boots, weapon, shield] = self.slots;
        eo_protocol::net::server::EquipmentChange {
            hat: hat.unwrap_or(worn.hat),
            armor: armor.unwrap_or(worn.armor),
            boots: boots.unwrap_or(worn.boots),
            weapon: weapon.unwrap_or(worn.weapon),
            shield: shield.unwrap_or(worn.shield),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eo_control::DressSlot;
    use eo_protocol::net::server::EquipmentChange;

    #[test]
    fn cosmetic_clothes_show_over_what_is_worn() {
        let worn = EquipmentChange {
            boots: 1,
            armor: 2,
            hat: 3,
            weapon: 4,
            shield: 5,
        };
        let mut dressed = Dressed::default();
        assert_eq!(dressed.over(worn.clone()), worn);
        dressed.set(DressSlot::Hat, Some(9));
        dressed.set(DressSlot::Shield, Some(0));
        let shown = dressed.over(worn.clone());
        assert_eq!((shown.hat, shown.shield, shown.armor), (9, 0, 2));
        assert_eq!(dressed.count(), 2);
        dressed.set(DressSlot::Hat, None);
        assert_eq!(dressed.over(worn.clone()).hat, 3);
        dressed.clear();
        assert_eq!(dressed, Dressed::default());
    }
}
