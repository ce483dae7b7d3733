//! `set` on a character: the values each field takes ([`check`], the same for a character in
//! the game and one that is not), what a value changes in a game state ([`apply`]), and, for a
//! character in the game, what its client and the others in view are told
//! ([`MapActor::set_field`]).
//!
//! How a change shows: numbers as a stat point spent and a recovery (StatSkill_Player,
//! Recover_Reply), the class as Recover_List, hair as Avatar_Agree (to the character and those
//! in view, as a barber's cut). Gender and skin have no packet of their own: the character is
//! offered a warp onto its own tile (as EOSERV does after `$setrace`), which takes it off the
//! screens in view and brings it back with its new look, on its own screen too. A title, home,
//! fiance or partner shows in the paperdoll when it is next opened.

use eo_control::SetField;
use eo_protocol::net::server::{
    AvatarAgreeServerPacket, AvatarChange, AvatarChangeChangeTypeData,
    AvatarChangeChangeTypeDataHair, AvatarChangeType, RecoverListServerPacket,
    RecoverReplyServerPacket, StatSkillPlayerServerPacket,
};

use super::actor::MapActor;
use super::admin::{AdminDone, MAX_KARMA};
use super::character::GameState;
use crate::data::GameData;
use crate::rules::look;

/// The longest title, in characters (EOSERV's column holds 32).
pub const MAX_TITLE_CHARS: usize = 32;
/// The highest guild rank number (the newest members'); 1 is a leader.
const LOWEST_GUILD_RANK: u32 = crate::db::GUILD_RANKS as u32; // ok: 9 fits

/// A `set` value, checked against the game's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetTo {
    Number(u32),
    Text(String),
}

impl SetTo {
    /// The number, 0 for a text.
    pub fn number(&self) -> u32 {
        match self {
            SetTo::Number(n) => *n,
            SetTo::Text(_) => 0,
        }
    }
}

/// Reads `text` as the value of `field` and checks it: numbers within the game's limits
/// (the formulas' `max_level` and `max_stat`, karma to 2000, a class the ECF has, a skin, hair
/// and gender the client draws, a guild rank 1 to 9), a title of at most
/// [`MAX_TITLE_CHARS`] plain characters, a home that is an inn of the world (its name as the
/// inn file spells it). Fiance and partner are names: whether such a character exists is
/// the database's to say (the command asks it). An empty text clears a text field.
pub fn check(field: SetField, text: &str, data: &GameData) -> Result<SetTo, String> {
    let text = text.trim();
    let name = field.name();
    if field.is_text() {
        return match field {
            SetField::Title => {
                if text.chars().count() > MAX_TITLE_CHARS {
                    return Err(format!("a title is at most {MAX_TITLE_CHARS} characters"));
                }
                // 0xFF ends a string in EO packets; control characters draw as boxes.
                if text.chars().any(|c| c.is_control() || c == 'ÿ') {
                    return Err("a title is plain text".to_owned());
                }
                Ok(SetTo::Text(text.to_owned()))
            }
            SetField::Home if text.is_empty() => Ok(SetTo::Text(String::new())),
            SetField::Home => match data.inns.named_ignoring_case(text) {
                Some(inn) => Ok(SetTo::Text(inn.name.clone())),
                None if data.inns.is_empty() => {
                    Err("this world has no inns, so no home but none (\"\")".to_owned())
                }
                None => Err(format!(
                    "there is no inn named {text:?} (the inns: {})",
                    data.inns.names().collect::<Vec<_>>().join(", ")
                )),
            },
            _ => Ok(SetTo::Text(text.to_owned())),
        };
    }
    let value: u32 = text
        .parse()
        .map_err(|_| format!("{name} takes a number, not {text:?}"))?;
    let rules = &data.formulas.experience;
    let (least, most) = match field {
        SetField::Level => (0, u32::from(rules.max_level)),
        SetField::Str
        | SetField::Int
        | SetField::Wis
        | SetField::Agi
        | SetField::Con
        | SetField::Cha => (0, u32::from(data.formulas.limits.max_stat)),
        SetField::Statpoints | SetField::Skillpoints => (0, u32::from(u16::MAX)),
        SetField::Karma => (0, u32::from(MAX_KARMA)),
        SetField::Race => (0, u32::from(look::MAX_SKIN)),
        SetField::Gender => (0, 1),
        SetField::Hairstyle => (1, u32::from(look::MAX_HAIR_STYLE)),
        SetField::Haircolor => (0, u32::from(look::MAX_HAIR_COLOR)),
        SetField::Guildrank => (1, LOWEST_GUILD_RANK),
        SetField::Class => {
            if value != 0 && class_name(data, value).is_none() {
                return Err(format!("there is no class {value}"));
            }
            (0, u32::MAX)
        }
        _ => (0, u32::MAX),
    };
    if value > most && least == 0 {
        return Err(format!("{name} is at most {most}"));
    }
    if !(least..=most).contains(&value) {
        return Err(format!("{name} is {least} to {most}"));
    }
    Ok(SetTo::Number(value))
}

/// The name of class `id` in the ECF (ids from 1), if it has one.
fn class_name(data: &GameData, id: u32) -> Option<&str> {
    let index = usize::try_from(id).ok()?.checked_sub(1)?;
    data.classes
        .data
        .classes
        .get(index)
        .map(|class| class.name.as_str())
        .filter(|name| !name.eq_ignore_ascii_case("eof"))
}

/// Puts a checked value into a game state: a level brings the experience it needs, an
/// experience the level it reaches. Answers the value in force (the level or experience set,
/// the value otherwise). A guild rank is not the game state's (db/guilds.rs): it is left as
/// it is.
pub fn apply(state: &mut GameState, field: SetField, value: &SetTo, data: &GameData) -> SetTo {
    let rules = &data.formulas.experience;
    let number = value.number();
    let small = u16::try_from(number).unwrap_or(u16::MAX);
    let tiny = u8::try_from(number).unwrap_or(u8::MAX);
    let text = match value {
        SetTo::Text(text) => text.clone(),
        SetTo::Number(_) => String::new(),
    };
    match field {
        SetField::Level => {
            state.level = tiny;
            if let Some(needed) = rules.to_reach.get(usize::from(tiny)) {
                state.experience = *needed;
            }
            return SetTo::Number(u32::from(state.level));
        }
        SetField::Exp => {
            let reached = rules
                .to_reach
                .iter()
                .take(usize::from(rules.max_level) + 1)
                .take_while(|needed| **needed <= number)
                .count();
            state.experience = number;
            state.level = u8::try_from(reached.saturating_sub(1)).unwrap_or(rules.max_level);
        }
        SetField::Str => state.base.str = small,
        SetField::Int => state.base.intl = small,
        SetField::Wis => state.base.wis = small,
        SetField::Agi => state.base.agi = small,
        SetField::Con => state.base.con = small,
        SetField::Cha => state.base.cha = small,
        SetField::Statpoints => state.stat_points = small,
        SetField::Skillpoints => state.skill_points = small,
        SetField::Karma => state.karma = small,
        SetField::Class => state.class = tiny,
        SetField::Race => state.race = tiny,
        SetField::Gender => state.gender = tiny,
        SetField::Hairstyle => state.hair_style = tiny,
        SetField::Haircolor => state.hair_color = tiny,
        SetField::Title => state.title = text,
        SetField::Home => state.home = text,
        SetField::Fiance => state.fiance = text,
        SetField::Partner => state.partner = text,
        SetField::Guildrank => {}
    }
    value.clone()
}

impl MapActor {
    /// `$set` on a character on this map: `value` (checked by [`check`]) goes into its game
    /// state, and its client and those in view are told as the module documentation says.
    /// The quests' rules are checked again (a quest may wait for a level or a class). The
    /// answer's `count` is the number in force (0 for a text).
    pub(super) fn set_field(
        &mut self,
        player_id: u16,
        field: SetField,
        value: &SetTo,
    ) -> Result<AdminDone, String> {
        let data = std::sync::Arc::clone(&self.data);
        let me = self
            .characters
            .get_mut(&player_id)
            .ok_or("not on this map")?;
        let before = me.game.state().level;
        let mut now = value.clone();
        me.game
            .update(&data, |state| now = apply(state, field, value, &data));
        me.game.sync_info(&mut me.info, &data);
        let (x, y) = me.tile();
        let state = me.game.state().clone();
        let stats = me.game.stats_update();
        let player = me.player.clone();
        let changed_level = state.level != before;
        match field {
            SetField::Level
            | SetField::Exp
            | SetField::Str
            | SetField::Int
            | SetField::Wis
            | SetField::Agi
            | SetField::Con
            | SetField::Cha
            | SetField::Statpoints
            | SetField::Skillpoints
            | SetField::Karma => {
                if changed_level {
                    // The world's online list shows levels: the player task tells it.
                    player.level_changed(state.level);
                }
                let stats = self.encode(&StatSkillPlayerServerPacket {
                    stat_points: state.stat_points,
                    stats,
                });
                let recover = self.encode(&RecoverReplyServerPacket {
                    experience: state.experience,
                    karma: state.karma,
                    level_up: changed_level.then_some(state.level),
                    stat_points: changed_level.then_some(state.stat_points),
                    skill_points: changed_level.then_some(state.skill_points),
                });
                self.send_to(player_id, stats);
                self.send_to(player_id, recover);
            }
            SetField::Class => {
                let body = self.encode(&RecoverListServerPacket {
                    class_id: u16::from(state.class),
                    stats,
                });
                self.send_to(player_id, body);
            }
            SetField::Hairstyle | SetField::Haircolor => {
                let change = AvatarChange {
                    player_id,
                    change_type: AvatarChangeType::Hair,
                    sound: false,
                    change_type_data: Some(AvatarChangeChangeTypeData::Hair(
                        AvatarChangeChangeTypeDataHair {
                            hair_style: state.hair_style,
                            hair_color: state.hair_color,
                        },
                    )),
                };
                let body = self.encode(&AvatarAgreeServerPacket {
                    change: change.clone(),
                });
                self.send_to(player_id, body);
                self.show_avatar(player_id, change);
            }
            SetField::Race | SetField::Gender => player.warp(self.id, x, y),
            SetField::Title
            | SetField::Home
            | SetField::Fiance
            | SetField::Partner
            | SetField::Guildrank => {}
        }
        self.quests_check(player_id);
        let mut done = AdminDone::at(x, y, now.number());
        if let SetTo::Text(text) = now {
            done.text = text;
        }
        if matches!(field, SetField::Title | SetField::Class) {
            // The online list shows both: the command tells the world.
            done.text = state.title;
            done.count = u32::from(state.class);
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::bundled_for_tests as bundled;

    #[test]
    fn values_are_checked_against_the_world() {
        let data = bundled();
        let ok = |field, text: &str| check(field, text, &data);
        assert_eq!(ok(SetField::Level, "5"), Ok(SetTo::Number(5)));
        assert_eq!(
            ok(SetField::Level, "251").unwrap_err(),
            "level is at most 250"
        );
        assert!(ok(SetField::Level, "five").unwrap_err().contains("number"));
        assert_eq!(ok(SetField::Class, "4"), Ok(SetTo::Number(4)));
        assert_eq!(ok(SetField::Class, "0"), Ok(SetTo::Number(0)));
        assert_eq!(ok(SetField::Class, "5").unwrap_err(), "there is no class 5");
        assert_eq!(ok(SetField::Race, "6"), Ok(SetTo::Number(6)));
        assert_eq!(ok(SetField::Race, "7").unwrap_err(), "race is at most 6");
        assert_eq!(
            ok(SetField::Gender, "2").unwrap_err(),
            "gender is at most 1"
        );
        assert_eq!(
            ok(SetField::Hairstyle, "0").unwrap_err(),
            "hairstyle is 1 to 20"
        );
        assert_eq!(ok(SetField::Haircolor, "9"), Ok(SetTo::Number(9)));
        assert_eq!(
            ok(SetField::Guildrank, "10").unwrap_err(),
            "guildrank is 1 to 9"
        );
        assert_eq!(
            ok(SetField::Title, " the Brave "),
            Ok(SetTo::Text("the Brave".into()))
        );
        assert!(ok(SetField::Title, &"x".repeat(33)).is_err());
        assert!(ok(SetField::Title, "a\u{7}b").is_err());
        assert_eq!(
            ok(SetField::Home, "mossbrook"),
            Ok(SetTo::Text("Mossbrook".into()))
        );
        assert!(
            ok(SetField::Home, "Atlantis")
                .unwrap_err()
                .contains("Mossbrook")
        );
        assert_eq!(ok(SetField::Home, ""), Ok(SetTo::Text(String::new())));
    }

    #[test]
    fn a_level_brings_its_experience_and_an_experience_its_level() {
        let data = bundled();
        let mut state = GameState::default();
        let now = apply(&mut state, SetField::Level, &SetTo::Number(5), &data);
        assert_eq!(now, SetTo::Number(5));
        assert_eq!(state.experience, data.formulas.experience.to_reach[5]);
        let exp = data.formulas.experience.to_reach[7] + 1;
        apply(&mut state, SetField::Exp, &SetTo::Number(exp), &data);
        assert_eq!((state.level, state.experience), (7, exp));
        apply(&mut state, SetField::Race, &SetTo::Number(3), &data);
        apply(
            &mut state,
            SetField::Title,
            &SetTo::Text("Sir".into()),
            &data,
        );
        assert_eq!((state.race, state.title.as_str()), (3, "Sir"));
    }
}
