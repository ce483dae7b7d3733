//! The actions and rules EO+ knows, with the arguments each takes (EOSERV's counts, reoserv's
//! additions): a call in a quest file becomes a typed [`Action`] or [`Rule`], or an error naming
//! the line and what was expected. Names are compared without regard to case (the lexer lowers
//! them).

use super::ParseError;
use super::ast::{Action, Rule, Stat};

/// The number types arguments become, with their largest value for messages.
trait Limit: TryFrom<i64> {
    const MAX: u64;
}

impl Limit for u8 {
    const MAX: u64 = u8::MAX as u64;
}

impl Limit for u16 {
    const MAX: u64 = u16::MAX as u64;
}

impl Limit for u32 {
    const MAX: u64 = u32::MAX as u64;
}

/// An argument as written: EOSERV converts freely between strings and numbers, so `"5"` is a
/// number where one is expected and `5` a string where a text is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Str(String),
    Int(i64),
}

/// A call as written: `name(args)` on `line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub name: String,
    pub args: Vec<Arg>,
    pub line: u32,
}

impl Call {
    fn error(&self, what: impl std::fmt::Display) -> ParseError {
        ParseError::new(self.line, format!("{what} (in {})", self.name))
    }

    /// Checks the argument count is in `min..=max`.
    fn arity(&self, min: usize, max: usize) -> Result<(), ParseError> {
        let n = self.args.len();
        if n < min || n > max {
            let wanted = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(self.error(format!("{wanted} argument(s); found {n}")));
        }
        Ok(())
    }

    fn int(&self, i: usize) -> Result<i64, ParseError> {
        match self.args.get(i) {
            Some(Arg::Int(n)) => Ok(*n),
            Some(Arg::Str(s)) => s
                .trim()
                .parse()
                .map_err(|_| self.error(format!("a number as argument {}; found \"{s}\"", i + 1))),
            None => Err(self.error(format!("argument {}", i + 1))),
        }
    }

    /// Argument `i` as a number that fits `T`.
    fn num<T: Limit>(&self, i: usize) -> Result<T, ParseError> {
        let n = self.int(i)?;
        T::try_from(n).map_err(|_| {
            self.error(format!(
                "argument {} between 0 and {}; found {n}",
                i + 1,
                T::MAX
            ))
        })
    }

    /// Argument `i` as a number that fits `T`, or `default` when there is none.
    fn num_or<T: Limit>(&self, i: usize, default: T) -> Result<T, ParseError> {
        if self.args.len() > i {
            self.num(i)
        } else {
            Ok(default)
        }
    }

    fn text(&self, i: usize) -> Result<String, ParseError> {
        match self.args.get(i) {
            Some(Arg::Str(s)) => Ok(s.clone()),
            Some(Arg::Int(n)) => Ok(n.to_string()),
            None => Err(self.error(format!("argument {}", i + 1))),
        }
    }

    fn stat(&self, i: usize) -> Result<Stat, ParseError> {
        let name = self.text(i)?;
        Stat::named(&name).ok_or_else(|| self.error(format!("a stat name; found \"{name}\"")))
    }

    fn settable_stat(&self, i: usize) -> Result<Stat, ParseError> {
        let stat = self.stat(i)?;
        if !stat.settable() {
            return Err(self.error("a stat a quest may change"));
        }
        Ok(stat)
    }

    /// A quake's strength: 1..=8, 5 when not given (EOSERV clamps the same way).
    fn strength(&self) -> Result<u8, ParseError> {
        self.arity(0, 1)?;
        let n = if self.args.is_empty() {
            5
        } else {
            self.int(0)?
        };
        Ok(u8::try_from(n.clamp(1, 8)).unwrap_or(5))
    }
}

/// The action `call` names.
pub fn action(call: &Call) -> Result<Action, ParseError> {
    let c = call;
    Ok(match c.name.as_str() {
        "setstate" => {
            c.arity(1, 1)?;
            Action::SetState(c.text(0)?.to_ascii_lowercase())
        }
        "reset" => {
            c.arity(0, 0)?;
            Action::Reset
        }
        "resetdaily" => {
            c.arity(0, 0)?;
            Action::ResetDaily
        }
        "end" => {
            c.arity(0, 0)?;
            Action::End
        }
        "startquest" => {
            c.arity(1, 2)?;
            Action::StartQuest {
                quest: c.num(0)?,
                state: if c.args.len() > 1 {
                    Some(c.text(1)?.to_ascii_lowercase())
                } else {
                    None
                },
            }
        }
        "resetquest" => {
            c.arity(1, 1)?;
            Action::ResetQuest(c.num(0)?)
        }
        "setqueststate" => {
            c.arity(2, 2)?;
            Action::SetQuestState {
                quest: c.num(0)?,
                state: c.text(1)?.to_ascii_lowercase(),
            }
        }
        "addnpctext" => {
            c.arity(2, 2)?;
            Action::AddNpcText {
                npc: c.num(0)?,
                text: c.text(1)?,
            }
        }
        "addnpcinput" => {
            c.arity(3, 3)?;
            Action::AddNpcInput {
                npc: c.num(0)?,
                link: c.num(1)?,
                text: c.text(2)?,
            }
        }
        "addnpcchat" => {
            c.arity(2, 2)?;
            Action::AddNpcChat {
                npc: c.num(0)?,
                text: c.text(1)?,
            }
        }
        "showhint" => {
            c.arity(1, 1)?;
            Action::ShowHint(c.text(0)?)
        }
        "quake" => Action::Quake(c.strength()?),
        "quakeworld" => Action::QuakeWorld(c.strength()?),
        "setmap" | "setcoord" => {
            c.arity(3, 3)?;
            Action::SetCoord {
                map: c.num(0)?,
                x: c.num(1)?,
                y: c.num(2)?,
            }
        }
        "playsound" => {
            c.arity(1, 1)?;
            Action::PlaySound(c.num(0)?)
        }
        "playmusic" => {
            c.arity(1, 1)?;
            Action::PlayMusic(c.num(0)?)
        }
        "effectonplayer" => {
            c.arity(1, 1)?;
            Action::EffectOnPlayer(c.num(0)?)
        }
        "effectoncoord" => {
            c.arity(3, 3)?;
            Action::EffectOnCoord {
                effect: c.num(0)?,
                x: c.num(1)?,
                y: c.num(2)?,
            }
        }
        "giveexp" => {
            c.arity(1, 1)?;
            Action::GiveExp(c.num(0)?)
        }
        "giveitem" => {
            c.arity(1, 2)?;
            Action::GiveItem {
                item: c.num(0)?,
                amount: c.num_or(1, 1)?,
            }
        }
        "removeitem" => {
            c.arity(1, 2)?;
            Action::RemoveItem {
                item: c.num(0)?,
                amount: c.num_or(1, 1)?,
            }
        }
        "setclass" => {
            c.arity(1, 1)?;
            Action::SetClass(c.num(0)?)
        }
        "setrace" => {
            c.arity(1, 1)?;
            Action::SetRace(c.num(0)?)
        }
        "givekarma" => {
            c.arity(1, 1)?;
            Action::GiveKarma(c.num(0)?)
        }
        "removekarma" => {
            c.arity(1, 1)?;
            Action::RemoveKarma(c.num(0)?)
        }
        "settitle" => {
            c.arity(1, 1)?;
            Action::SetTitle(c.text(0)?)
        }
        "setfiance" => {
            c.arity(1, 1)?;
            Action::SetFiance(c.text(0)?)
        }
        "setpartner" => {
            c.arity(1, 1)?;
            Action::SetPartner(c.text(0)?)
        }
        "sethome" => {
            c.arity(1, 1)?;
            Action::SetHome(c.text(0)?)
        }
        "setstat" | "givestat" | "removestat" => {
            c.arity(2, 2)?;
            let stat = c.settable_stat(0)?;
            let value = c.int(1)?;
            match c.name.as_str() {
                "setstat" => Action::SetStat { stat, value },
                "givestat" => Action::GiveStat { stat, value },
                _ => Action::RemoveStat { stat, value },
            }
        }
        "roll" => {
            c.arity(1, 1)?;
            let sides: u32 = c.num(0)?;
            if sides == 0 {
                return Err(c.error("a roll of 1 or more"));
            }
            Action::Roll(sides)
        }
        other => {
            return Err(ParseError::new(
                c.line,
                format!("an action EO+ knows; '{other}' is none"),
            ));
        }
    })
}

/// The rule `call` names.
pub fn rule(call: &Call) -> Result<Rule, ParseError> {
    let c = call;
    Ok(match c.name.as_str() {
        "always" => {
            c.arity(0, 0)?;
            Rule::Always
        }
        "talkedtonpc" => {
            c.arity(1, 1)?;
            Rule::TalkedToNpc(c.num(0)?)
        }
        "inputnpc" => {
            c.arity(1, 1)?;
            Rule::InputNpc(c.num(0)?)
        }
        "killednpcs" => {
            c.arity(1, 2)?;
            Rule::KilledNpcs {
                npc: c.num(0)?,
                amount: c.num_or(1, 1)?,
            }
        }
        "killedplayers" => {
            c.arity(1, 1)?;
            Rule::KilledPlayers(c.num(0)?)
        }
        "gotitems" | "lostitems" | "useditem" => {
            c.arity(1, 2)?;
            let item = c.num(0)?;
            let amount = c.num_or(1, 1)?;
            match c.name.as_str() {
                "gotitems" => Rule::GotItems { item, amount },
                "lostitems" => Rule::LostItems { item, amount },
                _ => Rule::UsedItem { item, amount },
            }
        }
        "equippeditem" => {
            c.arity(1, 1)?;
            Rule::EquippedItem(c.num(0)?)
        }
        "unequippeditem" => {
            c.arity(1, 1)?;
            Rule::UnequippedItem(c.num(0)?)
        }
        "iswearing" => {
            c.arity(1, 1)?;
            Rule::IsWearing(c.num(0)?)
        }
        "gotspell" => {
            c.arity(1, 2)?;
            Rule::GotSpell {
                spell: c.num(0)?,
                level: c.num_or(1, 0)?,
            }
        }
        "lostspell" => {
            c.arity(1, 1)?;
            Rule::LostSpell(c.num(0)?)
        }
        "usedspell" => {
            c.arity(1, 2)?;
            Rule::UsedSpell {
                spell: c.num(0)?,
                amount: c.num_or(1, 1)?,
            }
        }
        "entermap" => {
            c.arity(1, 1)?;
            Rule::EnterMap(c.num(0)?)
        }
        "leavemap" => {
            c.arity(1, 1)?;
            Rule::LeaveMap(c.num(0)?)
        }
        "entercoord" | "leavecoord" => {
            c.arity(3, 3)?;
            let (map, x, y) = (c.num(0)?, c.num(1)?, c.num(2)?);
            if c.name == "entercoord" {
                Rule::EnterCoord { map, x, y }
            } else {
                Rule::LeaveCoord { map, x, y }
            }
        }
        "isgender" => {
            c.arity(1, 1)?;
            Rule::IsGender(c.num(0)?)
        }
        "isclass" => {
            c.arity(1, 1)?;
            Rule::IsClass(c.num(0)?)
        }
        "israce" => {
            c.arity(1, 1)?;
            Rule::IsRace(c.num(0)?)
        }
        "citizenof" => {
            c.arity(1, 1)?;
            Rule::CitizenOf(c.text(0)?)
        }
        "statis" | "statnot" | "statgreater" | "statless" => {
            c.arity(2, 2)?;
            let stat = c.stat(0)?;
            let value = c.int(1)?;
            match c.name.as_str() {
                "statis" => Rule::StatIs { stat, value },
                "statnot" => Rule::StatNot { stat, value },
                "statgreater" => Rule::StatGreater { stat, value },
                _ => Rule::StatLess { stat, value },
            }
        }
        "statbetween" => {
            c.arity(3, 3)?;
            Rule::StatBetween {
                stat: c.stat(0)?,
                low: c.int(1)?,
                high: c.int(2)?,
            }
        }
        "statrpn" => {
            c.arity(1, 1)?;
            let expression = c.text(0)?;
            super::rpn::check(&expression).map_err(|e| c.error(e))?;
            Rule::StatRpn(expression)
        }
        "rolled" => {
            c.arity(1, 2)?;
            let low = c.num(0)?;
            Rule::Rolled {
                low,
                high: c.num_or(1, low)?,
            }
        }
        "donedaily" => {
            c.arity(1, 1)?;
            Rule::DoneDaily(c.num(0)?)
        }
        other => {
            return Err(ParseError::new(
                c.line,
                format!("a rule EO+ knows; '{other}' is none"),
            ));
        }
    })
}
