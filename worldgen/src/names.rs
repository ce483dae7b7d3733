//! Enum values in the sources are written by name, the protocol crate's variant names
//! (`"Weapon"`, `"Aggressive"`, `"ChairDown"`). This module turns names into values.

use std::fmt::Debug;

use eo_protocol::map::{MapMusicControl, MapTileSpec, MapTimedEffect, MapType};
use eo_protocol::pubs::{
    Element, ItemSize, ItemSpecial, ItemSubtype, ItemType, NpcType, SkillNature,
    SkillTargetRestrict, SkillTargetType, SkillType,
};
use toml::Spanned;

use crate::error::{Error, SourceFile};

/// A protocol enum that can be named in a source file.
pub(crate) trait Named: Copy + Debug + Sized {
    /// What the value is, for messages ("item type").
    const WHAT: &'static str;
    /// Every raw value the spec names.
    fn known() -> &'static [u32];
    /// The enum for a raw value.
    fn from_raw(value: u32) -> Self;

    /// The name a source file uses for this value (`None` for reserved values, which cannot
    /// be named).
    fn source_name(self) -> Option<String> {
        let name = format!("{self:?}");
        if name.starts_with("Reserved") || name.starts_with("Unrecognized") {
            return None;
        }
        Some(
            name.strip_prefix("Size")
                .map_or(name.clone(), str::to_string),
        )
    }

    /// All names a source file may use.
    fn names() -> Vec<String> {
        Self::known()
            .iter()
            .filter_map(|v| Self::from_raw(*v).source_name())
            .collect()
    }

    /// The value with this name.
    fn by_name(name: &str) -> Option<Self> {
        Self::known()
            .iter()
            .map(|v| Self::from_raw(*v))
            .find(|e| e.source_name().as_deref() == Some(name))
    }
}

macro_rules! named {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl Named for $ty {
            const WHAT: &'static str = $what;
            fn known() -> &'static [u32] {
                <$ty>::KNOWN
            }
            fn from_raw(value: u32) -> Self {
                <$ty>::from_u32(value)
            }
        }
    )*};
}

named! {
    MapType => "map type",
    MapTimedEffect => "timed effect",
    MapMusicControl => "music control",
    MapTileSpec => "tile spec",
    Element => "element",
    ItemType => "item type",
    ItemSubtype => "item subtype",
    ItemSpecial => "item special",
    ItemSize => "item size",
    NpcType => "NPC type",
    SkillNature => "spell nature",
    SkillType => "spell type",
    SkillTargetRestrict => "spell target restriction",
    SkillTargetType => "spell target type",
}

/// Reads a named value, or gives an error at its line listing the allowed names.
pub(crate) fn parse<E: Named>(file: &SourceFile, name: &Spanned<String>) -> Result<E, Error> {
    E::by_name(name.get_ref()).ok_or_else(|| {
        file.error_at(
            name.span(),
            format!(
                "unknown {} {:?}; expected one of: {}",
                E::WHAT,
                name.get_ref(),
                E::names().join(", ")
            ),
        )
    })
}

/// Like [`parse`], with a default when the field is absent.
pub(crate) fn parse_or<E: Named>(
    file: &SourceFile,
    name: Option<&Spanned<String>>,
    default: E,
) -> Result<E, Error> {
    name.map_or(Ok(default), |name| parse(file, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_reserved_values_have_none() {
        assert!(matches!(
            ItemType::by_name("Weapon"),
            Some(ItemType::Weapon)
        ));
        assert!(ItemType::by_name("Reserved5").is_none());
        assert!(!ItemType::names().iter().any(|n| n.starts_with("Reserved")));
        assert!(matches!(ItemSize::by_name("2x4"), Some(ItemSize::Size2x4)));
        assert!(matches!(
            MapTileSpec::by_name("ChairUpLeft"),
            Some(MapTileSpec::ChairUpLeft)
        ));
        assert!(matches!(NpcType::by_name("Shop"), Some(NpcType::Shop)));
    }
}
