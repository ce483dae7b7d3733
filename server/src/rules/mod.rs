//! The game's pure rules: formulas, derived stats, the experience table, equipment
//! requirements and combat rolls. Plain functions and data, no actors and no I/O after
//! loading; everything here is unit-tested.
//!
//! # How to use it
//!
//! - The formulas are loaded once at start-up with the rest of the game data:
//!   [`GameData::formulas`](crate::data::GameData) (from `<world>/formulas.toml` laid over the
//!   built-in defaults, [`formulas::DEFAULT_FORMULAS`]). Every actor reaches them through its
//!   `Arc<GameData>`.
//! - [`stats::derive`] turns a character's level, class, own stats and equipment into its
//!   [`DerivedStats`] (max HP/TP/SP, max weight, damage, accuracy, evade, armour);
//!   [`stats::weight`] is what it carries; [`stats::can_equip`] checks an item's slot and
//!   requirements.
//! - [`experience::gain`] adds experience and returns the levels reached (with their stat and
//!   skill points).
//! - [`loot::Drops`] is the drop table (`<world>/drops.toml`, [`GameData::drops`](crate::data::GameData));
//!   [`loot::share_experience`] splits a killed NPC's experience by the damage each dealt;
//!   [`party::share_in_party`] splits a party's part among its members.
//! - [`combat::swing`] rolls one attack (hit or miss, critical, damage) from an [`Attacker`]
//!   and a [`Target`] ([`combat::spell_swing`] an attack spell); [`combat::recovery`] is one
//!   regeneration step.
//!
//! Map-side code does not call these directly for a character on the map: it uses the
//! character record's methods in `map/character.rs` (`damage`, `heal`, `gain_experience`,
//! `attacker`, `target`), which keep the derived stats current.

pub mod combat;
pub mod experience;
pub mod expr;
pub mod formulas;
pub mod guild;
pub mod look;
pub mod loot;
pub mod party;
pub mod stats;

pub use combat::{Attacker, Swing, Target};
pub use experience::Progress;
pub use formulas::Formulas;
pub use stats::{BaseStats, DerivedStats, EquipError, Slot};
