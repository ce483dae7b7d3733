//! A parsed quest: its Main block, its states, and each state's actions and rules, typed (every
//! action and rule EO+ knows is a variant with its arguments checked at load).

/// One quest file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quest {
    /// The file's number (`00012.eqf` is quest 12).
    pub id: u16,
    /// `questname`, as written.
    pub name: String,
    /// `version`: `major << 16 | minor`, as EOSERV packs `1.2`.
    pub version: u32,
    pub hidden: Hidden,
    /// `disabled`: the quest is loaded but never runs or shows.
    pub disabled: bool,
    /// The states in file order; names lower-cased and unique.
    pub states: Vec<State>,
}

/// Whether the quest shows in the quest book and the character's book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Hidden {
    #[default]
    No,
    /// `hidden`: never shown.
    Always,
    /// `hidden_end`: shown while in progress, not once finished.
    AtEnd,
}

/// The state a quest starts in (and goes back to when it is started again).
pub const BEGIN: &str = "begin";
/// The state of a finished quest (`End()`): it shows in the history.
pub const END: &str = "end";
/// The state of a daily quest between its runs (`Reset()` of a quest with a daily count,
/// `ResetDaily()`): hidden, and talking to its NPC starts it at `begin` again.
pub const DONE: &str = "done";

impl Quest {
    /// The state called `name` (any case).
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The state the quest starts in: `begin` (EOSERV's rule), or the first state listed when
    /// there is no `begin` (reoserv's rule), so files written for either start.
    pub fn start_state(&self) -> &str {
        match self.state(BEGIN) {
            Some(state) => &state.name,
            None => self.states.first().map_or(BEGIN, |s| s.name.as_str()),
        }
    }

    /// Whether it ever shows to players once it is in `state`.
    pub fn hidden_in(&self, state: &str) -> bool {
        self.hidden == Hidden::Always
            || (self.hidden == Hidden::AtEnd && state == END)
            || state == DONE
    }
}

/// One `state Name { ... }` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Lower-cased.
    pub name: String,
    /// `desc`: what the quest book shows for it.
    pub desc: String,
    /// What entering the state does, in order (`action`, `if`, `elseif`, `else`).
    pub actions: Vec<Step>,
    /// `rule`s and `goal`s in order: the first that holds runs its action.
    pub rules: Vec<RuleEntry>,
    /// Which of `rules` is the `goal` (the progress the book shows); the first when none is.
    pub goal: Option<usize>,
}

impl State {
    /// The rule whose progress the quest book shows.
    pub fn goal_rule(&self) -> Option<&RuleEntry> {
        self.rules.get(self.goal.unwrap_or(0))
    }
}

/// An action of a state, maybe under a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub when: When,
    pub action: Action,
    pub line: u32,
}

/// The condition of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum When {
    /// `action`: always.
    Always,
    /// `if Rule(...) Action(...)`.
    If(Rule),
    /// `elseif`/`elif`: when no `if`/`elseif` before it in the chain held and this one does.
    ElseIf(Rule),
    /// `else`: when no `if`/`elseif` before it held.
    Else,
}

/// `rule Rule(...) Action(...)` (`goto X` is `SetState("x")`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleEntry {
    pub rule: Rule,
    pub action: Action,
    pub line: u32,
}

/// A character stat a rule or action names (EOSERV's formula variables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Level,
    Experience,
    Str,
    Int,
    Wis,
    Agi,
    Con,
    Cha,
    StatPoints,
    SkillPoints,
    Karma,
    Class,
    Gender,
    Race,
    HairStyle,
    HairColor,
    Hp,
    MaxHp,
    Tp,
    MaxTp,
    Admin,
    Weight,
    MaxWeight,
    Map,
    X,
    Y,
    GoldBank,
    Usage,
}

impl Stat {
    /// The stat a name in a quest file means (any case); the names EOSERV accepts.
    pub fn named(name: &str) -> Option<Stat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "level" => Stat::Level,
            "exp" | "experience" => Stat::Experience,
            "str" | "base_str" | "display_str" => Stat::Str,
            "int" | "intl" | "base_int" | "display_int" => Stat::Int,
            "wis" | "base_wis" | "display_wis" => Stat::Wis,
            "agi" | "base_agi" | "display_agi" => Stat::Agi,
            "con" | "base_con" | "display_con" => Stat::Con,
            "cha" | "base_cha" | "display_cha" => Stat::Cha,
            "statpoints" => Stat::StatPoints,
            "skillpoints" => Stat::SkillPoints,
            "karma" => Stat::Karma,
            "class" => Stat::Class,
            "gender" => Stat::Gender,
            "race" => Stat::Race,
            "hairstyle" => Stat::HairStyle,
            "haircolor" => Stat::HairColor,
            "hp" => Stat::Hp,
            "maxhp" => Stat::MaxHp,
            "tp" => Stat::Tp,
            "maxtp" => Stat::MaxTp,
            "admin" => Stat::Admin,
            "weight" => Stat::Weight,
            "maxweight" => Stat::MaxWeight,
            "mapid" => Stat::Map,
            "x" => Stat::X,
            "y" => Stat::Y,
            "goldbank" => Stat::GoldBank,
            "usage" => Stat::Usage,
            _ => return None,
        })
    }

    /// Whether `SetStat`/`GiveStat`/`RemoveStat` may change it (the rest are read-only).
    pub fn settable(self) -> bool {
        matches!(
            self,
            Stat::Level
                | Stat::Experience
                | Stat::Str
                | Stat::Int
                | Stat::Wis
                | Stat::Agi
                | Stat::Con
                | Stat::Cha
                | Stat::StatPoints
                | Stat::SkillPoints
                | Stat::Karma
                | Stat::Class
                | Stat::Gender
                | Stat::Race
                | Stat::HairStyle
                | Stat::HairColor
        )
    }
}

/// What an action does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `SetState("x")` or `goto X`.
    SetState(String),
    /// Back to no progress (or to `done` for a daily quest).
    Reset,
    /// Counts today's run of a daily quest and rests it in `done`.
    ResetDaily,
    /// Finishes the quest (state `end`).
    End,
    /// Starts another quest (at `begin`, or the state given) unless it is in progress.
    StartQuest {
        quest: u16,
        state: Option<String>,
    },
    ResetQuest(u16),
    SetQuestState {
        quest: u16,
        state: String,
    },
    /// A page of the NPC's dialog.
    AddNpcText {
        npc: u16,
        text: String,
    },
    /// A link of the NPC's dialog; choosing it fires `InputNpc(link)`.
    AddNpcInput {
        npc: u16,
        link: u8,
        text: String,
    },
    /// The NPC says it in a chat bubble.
    AddNpcChat {
        npc: u16,
        text: String,
    },
    ShowHint(String),
    /// Strength 1..=8 (EOSERV's default 5).
    Quake(u8),
    QuakeWorld(u8),
    /// `SetMap` and `SetCoord`: a warp.
    SetCoord {
        map: u16,
        x: u8,
        y: u8,
    },
    PlaySound(u8),
    PlayMusic(u8),
    EffectOnPlayer(u16),
    EffectOnCoord {
        effect: u16,
        x: u8,
        y: u8,
    },
    GiveExp(u32),
    GiveItem {
        item: u16,
        amount: u32,
    },
    RemoveItem {
        item: u16,
        amount: u32,
    },
    SetClass(u8),
    SetRace(u8),
    GiveKarma(u16),
    RemoveKarma(u16),
    SetTitle(String),
    SetFiance(String),
    SetPartner(String),
    SetHome(String),
    SetStat {
        stat: Stat,
        value: i64,
    },
    GiveStat {
        stat: Stat,
        value: i64,
    },
    RemoveStat {
        stat: Stat,
        value: i64,
    },
    /// A random number 1..=n that `Rolled` tests.
    Roll(u32),
}

/// What a rule tests. Those marked *event* hold only as their event happens (a kill, a talk, a
/// use); the others are tested whenever the character's state changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    Always,
    /// Event: the dialog of the NPC (its vendor id) answered with Ok.
    TalkedToNpc(u16),
    /// Event: the dialog link chosen.
    InputNpc(u8),
    /// Event: `amount` kills of the NPC (ENF id) in this state.
    KilledNpcs {
        npc: u16,
        amount: u32,
    },
    /// Event: `amount` player kills in this state.
    KilledPlayers(u32),
    GotItems {
        item: u16,
        amount: u32,
    },
    /// Fewer than `amount` of the item.
    LostItems {
        item: u16,
        amount: u32,
    },
    /// Event: `amount` uses of the item in this state.
    UsedItem {
        item: u16,
        amount: u32,
    },
    /// Event: the item put on.
    EquippedItem(u16),
    /// Event: the item taken off.
    UnequippedItem(u16),
    IsWearing(u16),
    GotSpell {
        spell: u16,
        level: u16,
    },
    LostSpell(u16),
    /// Event: `amount` casts of the spell in this state.
    UsedSpell {
        spell: u16,
        amount: u32,
    },
    EnterMap(u16),
    LeaveMap(u16),
    EnterCoord {
        map: u16,
        x: u8,
        y: u8,
    },
    LeaveCoord {
        map: u16,
        x: u8,
        y: u8,
    },
    IsGender(u8),
    IsClass(u8),
    IsRace(u8),
    /// The character's home (inn name), compared without regard to case.
    CitizenOf(String),
    StatIs {
        stat: Stat,
        value: i64,
    },
    StatNot {
        stat: Stat,
        value: i64,
    },
    StatGreater {
        stat: Stat,
        value: i64,
    },
    StatLess {
        stat: Stat,
        value: i64,
    },
    StatBetween {
        stat: Stat,
        low: i64,
        high: i64,
    },
    /// An expression in EOSERV's RPN (quest/rpn.rs).
    StatRpn(String),
    /// The last `Roll` was in `low..=high`.
    Rolled {
        low: u32,
        high: u32,
    },
    /// The daily quest was done `times` times today.
    DoneDaily(u32),
}

impl Rule {
    /// Whether it holds only as its event happens.
    pub fn is_event(&self) -> bool {
        matches!(
            self,
            Rule::TalkedToNpc(_)
                | Rule::InputNpc(_)
                | Rule::KilledNpcs { .. }
                | Rule::KilledPlayers(_)
                | Rule::UsedItem { .. }
                | Rule::EquippedItem(_)
                | Rule::UnequippedItem(_)
                | Rule::UsedSpell { .. }
        )
    }
}
