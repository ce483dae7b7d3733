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
    /// The class (an ECF id).
    Class,
    /// The skin (EOSERV's `race`, reoserv's `skin`).
    #[value(alias = "skin")]
    #[serde(alias = "skin")]
    Race,
    /// 0 female, 1 male.
    Gender,
    #[value(alias = "hair")]
    #[serde(alias = "hair")]
    Hairstyle,
    Haircolor,
    /// A text: the title others see in the paperdoll.
    Title,
    /// A text: the inn the character is a citizen of.
    Home,
    /// A text: the character it may marry.
    Fiance,
    /// A text: the character it is married to.
    Partner,
    /// Its rank in its guild, 1 (leader) to 9.
    Guildrank,
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
            SetField::Class => "class",
            SetField::Race => "race",
            SetField::Gender => "gender",
            SetField::Hairstyle => "hairstyle",
            SetField::Haircolor => "haircolor",
            SetField::Title => "title",
            SetField::Home => "home",
            SetField::Fiance => "fiance",
            SetField::Partner => "partner",
            SetField::Guildrank => "guildrank",
        }
    }

    /// Whether its value is a text (the others are numbers).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            SetField::Title | SetField::Home | SetField::Fiance | SetField::Partner
        )
    }
}

/// `set`'s value: words on the command line (a title may have several), a number or a string
/// on the socket. A lone number is written as a JSON number, anything else as a string; the
/// server reads numbers from either.
mod set_value {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(words: &[String], serializer: S) -> Result<S::Ok, S::Error> {
        match words {
            [word] if word.parse::<u32>().is_ok_and(|n| n.to_string() == *word) => {
                serializer.serialize_u32(word.parse().unwrap_or_default())
            }
            _ => serializer.serialize_str(&words.join(" ")),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Value {
        Number(u64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<String>, D::Error> {
        Ok(match Option::<Value>::deserialize(deserializer)? {
            Some(Value::Number(n)) => vec![n.to_string()],
            Some(Value::Text(text)) if text.is_empty() => Vec::new(),
            Some(Value::Text(text)) => vec![text],
            None => Vec::new(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct SetArgs {
    /// The character (in the game or not).
    pub name: String,
    /// What to set.
    #[arg(value_enum)]
    pub field: SetField,
    /// The new value: a number, or for title, home, fiance and partner a text (the words are
    /// joined with spaces; none clears it).
    #[arg(num_args = 0.., value_name = "VALUE", allow_hyphen_values = true)]
    #[serde(default, with = "set_value")]
    pub value: Vec<String>,
}

impl SetArgs {
    /// The value as typed: the words joined with spaces.
    pub fn text(&self) -> String {
        self.value.join(" ")
    }

    /// The words as one value, as the socket carries it.
    pub(crate) fn normalize(mut self) -> Self {
        if self.value.len() > 1 {
            self.value = vec![self.text()];
        }
        self
    }
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

/// `qstate`: a character's quest goes to a state of its quest file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct QstateArgs {
    /// The character (in the game).
    pub name: String,
    /// The quest's id (its file's number).
    pub quest: u16,
    /// The state's name, as in the quest file (or `end`, `done`).
    pub state: String,
}

/// A paperdoll slot `dress2` and `undress` name (the five others see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DressSlot {
    Hat,
    Armor,
    Boots,
    Weapon,
    Shield,
}

impl DressSlot {
    /// Its name, as typed.
    pub fn name(self) -> &'static str {
        match self {
            DressSlot::Hat => "hat",
            DressSlot::Armor => "armor",
            DressSlot::Boots => "boots",
            DressSlot::Weapon => "weapon",
            DressSlot::Shield => "shield",
        }
    }

    fn parse(word: &str) -> Option<DressSlot> {
        use clap::ValueEnum;
        DressSlot::from_str(word, true).ok()
    }
}

/// The giver's own character unless a name comes first: `dress [NAME] ITEM` is EOSERV's order,
/// which clap cannot say with an optional positional before a required one. The words are read
/// by `normalize`.
fn who_and_rest(mut words: Vec<String>, rest: usize) -> (Option<String>, Vec<String>) {
    if words.len() > rest {
        let name = words.remove(0);
        (Some(name), words)
    } else {
        (None, words)
    }
}

/// `dress`: the character looks as if it wore an item (others see it) without having it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct DressArgs {
    /// [NAME] ITEM: the character (the giver itself in the game when left out), and the item
    /// (its EIF id: a hat, armor, boots, weapon or shield).
    #[arg(value_name = "WORDS", num_args = 1..=2, required = true)]
    #[serde(skip)]
    pub words: Vec<String>,
    #[arg(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[arg(skip)]
    pub item: u16,
}

impl DressArgs {
    pub(crate) fn normalize(mut self) -> Result<Self, String> {
        if self.words.is_empty() {
            return Ok(self);
        }
        let (name, rest) = who_and_rest(std::mem::take(&mut self.words), 1);
        let item = rest.first().map(String::as_str).unwrap_or_default();
        self.item = item
            .parse()
            .map_err(|_| format!("{item:?} is not an item id"))?;
        self.name = name;
        Ok(self)
    }
}

/// `dress2`: as `dress`, a graphic (a doll graphic id) in a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct Dress2Args {
    /// [NAME] SLOT GRAPHIC: the character (the giver itself when left out), the slot (hat,
    /// armor, boots, weapon, shield) and the graphic's id (0 shows nothing there).
    #[arg(value_name = "WORDS", num_args = 2..=3, required = true)]
    #[serde(skip)]
    pub words: Vec<String>,
    #[arg(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[arg(skip = DressSlot::Hat)]
    pub slot: DressSlot,
    #[arg(skip)]
    pub graphic: u16,
}

impl Dress2Args {
    pub(crate) fn normalize(mut self) -> Result<Self, String> {
        if self.words.is_empty() {
            return Ok(self);
        }
        let (name, rest) = who_and_rest(std::mem::take(&mut self.words), 2);
        let (slot, graphic) = match rest.as_slice() {
            [slot, graphic] => (slot.as_str(), graphic.as_str()),
            _ => return Err("give [NAME] SLOT GRAPHIC".into()),
        };
        self.slot = DressSlot::parse(slot).ok_or_else(|| {
            format!("{slot:?} is not a slot (hat, armor, boots, weapon or shield)")
        })?;
        self.graphic = graphic
            .parse()
            .map_err(|_| format!("{graphic:?} is not a graphic id"))?;
        self.name = name;
        Ok(self)
    }
}

/// `undress`: takes off what `dress` put on: one slot, or all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct UndressArgs {
    /// [NAME] [SLOT]: the character (the giver itself when left out) and the slot (hat,
    /// armor, boots, weapon, shield; every slot when left out or `all`). A lone word is the
    /// slot if it names one, else the character.
    #[arg(value_name = "WORDS", num_args = 0..=2)]
    #[serde(skip)]
    pub words: Vec<String>,
    #[arg(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Every slot when left out.
    #[arg(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<DressSlot>,
}

impl UndressArgs {
    pub(crate) fn normalize(mut self) -> Result<Self, String> {
        let words = std::mem::take(&mut self.words);
        let slot_of = |word: &str| -> Result<Option<DressSlot>, String> {
            if word.eq_ignore_ascii_case("all") {
                return Ok(None);
            }
            DressSlot::parse(word).map(Some).ok_or_else(|| {
                format!("{word:?} is not a slot (hat, armor, boots, weapon, shield or all)")
            })
        };
        match words.as_slice() {
            [] => {}
            [one] if one.eq_ignore_ascii_case("all") || DressSlot::parse(one).is_some() => {
                self.slot = slot_of(one)?;
            }
            [one] => self.name = Some(one.clone()),
            [name, slot] => {
                self.name = Some(name.clone());
                self.slot = slot_of(slot)?;
            }
            _ => return Err("give [NAME] [SLOT]".into()),
        }
        Ok(self)
    }
}

/// `duty`: the giver switches to the other character of its account that is an admin, or back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct DutyArgs {
    /// `here`: the character switched to takes the giver's place (else it goes back where it
    /// was last).
    #[arg(value_name = "here", value_parser = ["here"])]
    #[serde(skip)]
    pub here_word: Option<String>,
    /// As `here`.
    #[arg(long)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub here: bool,
}

impl DutyArgs {
    pub(crate) fn normalize(mut self) -> Self {
        if self.here_word.take().is_some() {
            self.here = true;
        }
        self
    }
}

/// `board`: opens a board in the giver's client, wherever it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct BoardArgs {
    /// The board, 1 to 8 (the admin board, `[boards] admin_board`, when left out).
    #[arg(value_parser = clap::value_parser!(u8).range(1..=8))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<u8>,
}
