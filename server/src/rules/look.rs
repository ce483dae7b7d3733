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
