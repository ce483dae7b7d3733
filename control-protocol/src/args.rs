//! The commands' arguments: one struct per shape. Fields the socket reads are serialized;
//! fields that exist only as another spelling on the command line (`#[serde(skip)]`) are
//! folded into them by `normalize`.

use std::str::FromStr;

use clap::Args;
use serde::{Deserialize, Serialize};

/// A length of time: seconds, or text such as "90s", "30m", "12h", "7d", "2w", "permanent"
/// (the server reads the text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DurationArg {
    Secs(u64),
    Text(String),
}

impl FromStr for DurationArg {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text.parse::<u64>() {
            Ok(secs) => DurationArg::Secs(secs),
            Err(_) => DurationArg::Text(text.to_owned()),
        })
    }
}

/// A text given as words on the command line and as one string on the socket.
mod words {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(words: &[String], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&words.join(" "))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<String>, D::Error> {
        Ok(vec![String::deserialize(deserializer)?])
    }
}

/// As `words`, for a text that may be left out (an empty list).
mod optional_words {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(words: &[String], serializer: S) -> Result<S::Ok, S::Error> {
        if words.is_empty() {
            serializer.serialize_none()
        } else {
            serializer.serialize_str(&words.join(" "))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<String>, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// A command on one character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct NameArgs {
    /// The character.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct KickArgs {
    /// The character.
    pub name: String,
    /// Why (written to the server's log).
    #[arg(long)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct BanArgs {
    /// The character or account (or, with --ip, the duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How long (permanent when left out).
    #[arg(value_name = "DURATION")]
    #[serde(skip)]
    pub duration_word: Option<String>,
    /// Ban this IP address instead of an account.
    #[arg(long, value_name = "ADDR")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// How long (permanent when left out).
    #[arg(long, value_name = "D")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<DurationArg>,
    /// Why (stored with the ban).
    #[arg(long)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl BanArgs {
    pub(crate) fn normalize(mut self) -> Result<Self, String> {
        // With --ip the first word is the duration.
        let word = match (&self.ip, self.name.take(), self.duration_word.take()) {
            (Some(_), None, None) => None,
            (Some(_), Some(duration), None) => Some(duration),
            (Some(_), Some(_), Some(_)) => {
                return Err("with --ip, give at most a DURATION".into());
            }
            (None, Some(name), duration) => {
                self.name = Some(name);
                duration
            }
            (_, None, Some(_)) | (None, None, None) => {
                return Err("give NAME [DURATION] or --ip ADDR [DURATION]".into());
            }
        };
        if let Some(word) = word {
            if self.duration.is_some() {
                return Err("give the duration once: bare or with --duration".into());
            }
            self.duration = word.parse().ok();
        }
        Ok(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct UnbanArgs {
    /// The character or account.
    #[arg(required_unless_present = "ip", conflicts_with = "ip")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lift the bans on this IP address instead.
    #[arg(long, value_name = "ADDR")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct BansArgs {
    /// Expired bans too.
    #[arg(long)]
    #[serde(default)]
    pub all: bool,
}

/// A command with a text (the words are joined with spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct TextArgs {
    /// The message (the words are joined with spaces).
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    #[serde(with = "words")]
    pub message: Vec<String>,
}

impl TextArgs {
    /// The text, words joined with spaces.
    pub fn text(&self) -> String {
        self.message.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct MessageArgs {
    /// The character.
    pub name: String,
    /// The message (the words are joined with spaces).
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    #[serde(with = "words")]
    pub message: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct PromoteArgs {
    /// The character.
    pub name: String,
    /// The admin level, 0 to 5.
    #[arg(value_parser = clap::value_parser!(u8).range(0..=5))]
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct MuteArgs {
    /// The character.
    pub name: String,
    /// How long: seconds, or a number with s, m, h, d or w (5m when left out; 0 lifts a
    /// mute).
    #[arg(value_name = "DURATION", conflicts_with = "duration")]
    #[serde(skip)]
    pub duration_word: Option<DurationArg>,
    /// How long (as DURATION).
    #[arg(long, value_name = "D")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<DurationArg>,
}

impl MuteArgs {
    pub(crate) fn normalize(mut self) -> Result<Self, String> {
        if let Some(word) = self.duration_word.take() {
            if self.duration.is_some() {
                return Err("give the duration once: bare or with --duration".into());
            }
            self.duration = Some(word);
        }
        Ok(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct WarpArgs {
    /// The character.
    pub name: String,
    /// The map id.
    pub map: u16,
    /// The tile's x.
    pub x: u8,
    /// The tile's y.
    pub y: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct GiveArgs {
    /// The character.
    pub name: String,
    /// The item's id (its record number in the EIF).
    pub item: u16,
    /// How many (1 when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u32>,
}

/// `sitem` and `ditem`: an item, how many, and whose (the giver's own when left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct ItemArgs {
    /// The item's id (its record number in the EIF).
    pub item: u16,
    /// How many (1 when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u32>,
    /// The character (the giver itself in the game when left out).
    #[arg(long = "to", value_name = "NAME")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `snpc`: an NPC, how many, and near whom (the giver itself when left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct NpcArgs {
    /// The NPC's id (its record number in the ENF).
    pub npc: u16,
    /// How many (1 when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u8>,
    /// The character they appear around (the giver itself in the game when left out).
    #[arg(long = "near", value_name = "NAME")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A command on a map: the giver's own in the game when left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct MapArgs {
    /// The map (the giver's own in the game when left out).
    #[arg(long)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct QuakeArgs {
    /// How strong, 1 to 8 (5 when left out).
    #[arg(value_parser = clap::value_parser!(u8).range(1..=8))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<u8>,
    /// The map (the giver's own in the game when left out).
    #[arg(long)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct EvacuateArgs {
    /// Seconds of warning before the warp-out (30 when left out).
    #[arg(value_name = "SECS")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secs: Option<u64>,
    /// The map (the giver's own in the game when left out).
    #[arg(long)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct ShutdownArgs {
    /// Seconds to wait first (0 when left out).
    #[arg(value_name = "SECS", conflicts_with = "delay_flag")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_secs: Option<u64>,
    /// The announcement (a default one when there is a delay).
    #[arg(value_name = "TEXT", conflicts_with = "message_flag")]
    #[serde(
        default,
        with = "optional_words",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub message: Vec<String>,
    /// Seconds to wait first.
    #[arg(long = "delay", id = "delay_flag", value_name = "SECS")]
    #[serde(skip)]
    pub delay_flag: Option<u64>,
    /// The announcement.
    #[arg(long = "message", id = "message_flag", value_name = "TEXT")]
    #[serde(skip)]
    pub message_flag: Option<String>,
}

impl ShutdownArgs {
    pub(crate) fn normalize(mut self) -> Self {
        if let Some(delay) = self.delay_flag.take() {
            self.delay_secs = Some(delay);
        }
        if let Some(message) = self.message_flag.take() {
            self.message = vec![message];
        }
        self
    }

    /// The announcement, if one was given.
    pub fn text(&self) -> Option<String> {
        (!self.message.is_empty()).then(|| self.message.join(" "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct AuditArgs {
    /// How many (20 when left out).
    #[arg(value_name = "N", conflicts_with = "limit_flag")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// How many.
    #[arg(long = "limit", id = "limit_flag", value_name = "N")]
    #[serde(skip)]
    pub limit_flag: Option<usize>,
}

impl AuditArgs {
    pub(crate) fn normalize(mut self) -> Self {
        if let Some(limit) = self.limit_flag.take() {
            self.limit = Some(limit);
        }
        self
    }
}

/// What `set` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SetField {
    Level,
    Exp,
    Str,
    Int,
    Wis,
    Agi,
    Con,
    Cha,
    Statpoints,
    Skillpoints,
    Karma,
}

impl SetField {
    /// Its name, as typed.
    pub fn name(self) -> &'static str {
        match self {
            SetField::Level => "level",
            SetField::Exp => "exp",
            SetField::Str => "str",
            SetField::Int => "int",
            SetField::Wis => "wis",
            SetField::Agi => "agi",
            SetField::Con => "con",
            SetField::Cha => "cha",
            SetField::Statpoints => "statpoints",
            SetField::Skillpoints => "skillpoints",
            SetField::Karma => "karma",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct SetArgs {
    /// The character (in the game).
    pub name: String,
    /// What to set.
    #[arg(value_enum)]
    pub field: SetField,
    /// The new value.
    pub value: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct LearnArgs {
    /// The character (in the game).
    pub name: String,
    /// The spell's id (its record number in the ESF).
    pub spell: u16,
    /// Its level (0 when left out, as a skill master teaches it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u16>,
}

/// `remap`: the map whose file is reread (the giver's own in the game when left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct RemapArgs {
    /// The map (the giver's own in the game when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<u16>,
}

/// `repub`: whether the players in the game are told to log in again for the new files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct RepubArgs {
    /// Tell everyone in the game to log in again when a file their client holds changed.
    #[arg(long, conflicts_with = "announce_word")]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub announce: bool,
    /// EOSERV's spelling of --announce: `$repub announce`.
    #[arg(value_name = "announce", id = "announce_word", value_parser = ["announce"])]
    #[serde(skip)]
    pub announce_word: Option<String>,
}

impl RepubArgs {
    pub(crate) fn normalize(mut self) -> Self {
        if self.announce_word.take().is_some() {
            self.announce = true;
        }
        self
    }
}
