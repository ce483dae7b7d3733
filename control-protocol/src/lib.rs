//! The admin commands of eo-server, declared once.
//!
//! [`Command`] is every command the server's administration knows, with its arguments. It is
//! at once:
//! - the control socket's request (serde: `{"command": "kick", "args": {"name": "alice"}}`, see
//!   docs/admin-protocol.md): the server reads it, `eo-admin` writes it;
//! - `eo-admin`'s subcommands (clap: `eo-admin kick alice`);
//! - the in-game `$` commands ([`parse_dollar`]: `$kick alice`, `$k alice`), the same clap
//!   definition with the aliases operators type.
//!
//! The server checks every value again (a request may come from any client of the socket); the
//! clap checks here only give `eo-admin` and `$` users an early, precise usage error.
//!
//! `import` is not here: it is many requests of a large shape (docs/admin-protocol.md), built by
//! `eo-admin import` and read by the server's import module.

use clap::{Args, Parser, Subcommand};
use serde::{Deserialize, Serialize};

mod args;
mod dollar;
mod time;

pub use args::*;
pub use dollar::{MAX_DOLLAR_ANSWER, parse_dollar};
pub use time::{utc_date, utc_date_time};

/// Every admin command and its arguments. The serde form is the control socket's request
/// (`command` and `args`); the clap form is `eo-admin`'s subcommands and the `$` commands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Subcommand)]
#[serde(tag = "command", content = "args", rename_all = "lowercase")]
pub enum Command {
    /// The server's version, uptime, connections, players, maps, database and listen address.
    Status(NoArgs),
    /// Everyone in the game: name, account, map, position, level, admin level, address.
    Players(NoArgs),
    /// Disconnects a character in the game; everyone is told (`skick`: nobody is).
    #[command(visible_alias = "k")]
    Kick(KickArgs),
    /// Disconnects a character in the game silently (no announcement).
    #[command(visible_alias = "sk")]
    Skick(KickArgs),
    /// Bans an account (named by a character or the account itself) or an IP address, and
    /// disconnects whoever matches; everyone is told (`sban`: nobody is).
    ///
    /// `ban NAME [DURATION]` or `ban --ip ADDR [DURATION]` (`--duration D` also works). D is
    /// seconds, or a number with s, m, h, d or w (30m, 12h, 7d); without it the ban is
    /// permanent.
    #[command(visible_alias = "b")]
    Ban(BanArgs),
    /// Bans silently (no announcement); otherwise as `ban`.
    #[command(visible_alias = "sb")]
    Sban(BanArgs),
    /// Lifts every ban on an account (named by a character or the account) or an IP address.
    Unban(UnbanArgs),
    /// Lists the bans in force.
    Bans(BansArgs),
    /// Announces a message to everyone in the game.
    Announce(TextArgs),
    /// Sends a server message to one character in the game.
    Message(MessageArgs),
    /// Sets a character's admin level (0 player .. 5 high game master).
    Promote(PromoteArgs),
    /// Mutes a character (online or not): its chat is dropped until the mute ends; everyone
    /// is told (`smute`: only the character is).
    #[command(visible_alias = "m")]
    Mute(MuteArgs),
    /// Mutes silently (only the character is told); otherwise as `mute`.
    #[command(visible_alias = "sm")]
    Smute(MuteArgs),
    /// Moves a character in the game to a map and tile (its client follows a warp).
    #[command(visible_alias = "w")]
    Warp(WarpArgs),
    /// Where a character in the game is, its level and admin level.
    #[command(visible_alias = "i")]
    Info(NameArgs),
    /// Brings a character to the giver's tile.
    #[command(visible_alias = "wtm")]
    Warptome(NameArgs),
    /// Takes the giver to a character's tile.
    #[command(visible_alias = "wmt")]
    Warpmeto(NameArgs),
    /// The giver vanishes for the others on its map.
    #[command(visible_alias = "x")]
    Hide(NoArgs),
    /// The giver reappears.
    Show(NoArgs),
    /// Puts items at a character's feet (in the game), for it alone to pick up for a while.
    Give(GiveArgs),
    /// Sends a character to the jail (`[jail]`); it stays jailed over logins until `unjail`.
    /// Everyone is told (`sjail`: only the character is).
    #[command(visible_alias = "j")]
    Jail(NameArgs),
    /// Jails silently; otherwise as `jail`.
    #[command(visible_alias = "sj")]
    Sjail(NameArgs),
    /// Frees a jailed character (online or not): it goes to `[jail] free_map`.
    #[command(visible_aliases = ["free", "f"])]
    Unjail(NameArgs),
    /// Stops a character in the game from walking (its client is told) until `unfreeze`.
    #[command(visible_alias = "l")]
    Freeze(NameArgs),
    /// Lets a frozen character walk again.
    #[command(visible_alias = "ul")]
    Unfreeze(NameArgs),
    /// Puts items into a character's inventory (the giver's own in the game, when no name).
    #[command(visible_alias = "si")]
    Sitem(ItemArgs),
    /// Drops items on the ground at a character's feet (the giver's own in the game, when no
    /// name), for anyone to pick up.
    #[command(visible_alias = "di")]
    Ditem(ItemArgs),
    /// Summons NPCs around a character (the giver itself in the game, when no name); they
    /// never respawn.
    #[command(visible_alias = "sn")]
    Snpc(NpcArgs),
    /// Removes every NPC summoned on a map (the giver's in the game, or `--map`).
    #[command(visible_alias = "dn")]
    Dnpc(MapArgs),
    /// Shakes a map (the giver's in the game, or `--map`): its players' screens quake.
    #[command(visible_alias = "q")]
    Quake(QuakeArgs),
    /// Evacuates a map (the giver's in the game, or `--map`): its players are told every 10
    /// seconds, then those below the giver's admin level are warped to the spawn point.
    #[command(visible_alias = "e")]
    Evacuate(EvacuateArgs),
    /// Sets something of a character, in the game or not: its level (and the experience it
    /// needs), experience (and the level it reaches), a stat, stat or skill points, karma,
    /// class, race (skin), gender, hair style or colour, title, home, fiance, partner, or its
    /// rank in its guild.
    ///
    /// In the game EOSERV's spellings work too: `$setlevel NAME 10`, `$setstr NAME 20`,
    /// `$settitle NAME TEXT`, ... (and `$setadmin NAME LEVEL` is `$promote`).
    #[command(visible_alias = "s")]
    Set(SetArgs),
    /// Teaches a character in the game a spell (free), at level 0 or LEVEL; a spell it knows
    /// takes LEVEL.
    Learn(LearnArgs),
    /// Takes off everything a character in the game wears, into its inventory.
    Strip(NameArgs),
    /// Shows a character's paperdoll (its equipment) to the giver's client.
    #[command(visible_alias = "p")]
    Paperdoll(NameArgs),
    /// A character's inventory (in the game).
    #[command(visible_alias = "inv")]
    Inventory(NameArgs),
    /// How long the server has been running.
    Uptime(NoArgs),
    /// A player's call for help: a message to every admin in the game.
    Request(TextArgs),
    /// Saves every character in the game now and tells how many were saved.
    Save(NoArgs),
    /// Announces, waits, then stops the server (saving every character).
    ///
    /// `shutdown [--delay SECS] [--message TEXT]`, or `shutdown [SECS] [TEXT...]`.
    Shutdown(ShutdownArgs),
    /// The latest administration actions.
    Audit(AuditArgs),
    /// Rereads the server's configuration file and puts in force what can change while it
    /// runs (limits, rates, messages, admin levels, the log filter); says what needs a restart.
    Reload(NoArgs),
    /// Rereads the EO+ quest files and puts them in force; characters keep their progress.
    #[serde(rename = "reload-quests")]
    #[command(name = "reload-quests", visible_alias = "reloadquests")]
    ReloadQuests(NoArgs),
    /// Rereads a map's file (the giver's map in the game, when no MAP) and puts it in force:
    /// the players on it are sent the new file.
    Remap(RemapArgs),
    /// Rereads the pub files and the server files that go with them, and puts them in force;
    /// with --announce (or `announce`) the players are told to log in again for the new files.
    Repub(RepubArgs),
    /// Puts a character's quest (in the game) in a state of its quest file, running the
    /// state's actions (`begin` starts it again; `end` finishes it).
    Qstate(QstateArgs),
    /// The character (the giver itself when no name) looks, to everyone, as if it wore an item
    /// (a hat, armor, boots, weapon or shield) without having it, until `undress` or it leaves
    /// the game.
    #[command(override_usage = "dress [NAME] <ITEM>")]
    Dress(DressArgs),
    /// As `dress`, with a slot and a graphic's id instead of an item.
    #[command(
        visible_alias = "d2",
        override_usage = "dress2 [NAME] <SLOT> <GRAPHIC>"
    )]
    Dress2(Dress2Args),
    /// Takes off what `dress` put on: one slot, or all.
    #[command(override_usage = "undress [NAME] [SLOT]")]
    Undress(UndressArgs),
    /// Switches the giver to the other character of its account that is an admin (or back to
    /// the one it switched from), in the same connection.
    #[command(visible_alias = "d")]
    Duty(DutyArgs),
    /// Launches the arena of a map now (the giver's in the game, or `--map`), even with one
    /// player on the launch tiles or a full arena.
    #[command(visible_alias = "a")]
    Arena(MapArgs),
    /// Opens a board (the admin board when no number) in the giver's client, wherever it
    /// stands.
    Board(BoardArgs),
}

impl Command {
    /// Every command's name, in the order `help` texts list them (the socket's `import` is
    /// not a [`Command`]).
    pub const NAMES: &'static [&'static str] = &[
        "status",
        "players",
        "kick",
        "skick",
        "ban",
        "sban",
        "unban",
        "bans",
        "announce",
        "message",
        "promote",
        "mute",
        "smute",
        "warp",
        "info",
        "warptome",
        "warpmeto",
        "hide",
        "show",
        "give",
        "jail",
        "sjail",
        "unjail",
        "freeze",
        "unfreeze",
        "sitem",
        "ditem",
        "snpc",
        "dnpc",
        "quake",
        "evacuate",
        "set",
        "learn",
        "strip",
        "paperdoll",
        "inventory",
        "uptime",
        "request",
        "save",
        "shutdown",
        "audit",
        "reload",
        "reload-quests",
        "remap",
        "repub",
        "qstate",
        "dress",
        "dress2",
        "undress",
        "duty",
        "arena",
        "board",
    ];

    /// The command's name (its `command` on the socket, its subcommand in `eo-admin`).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Status(_) => "status",
            Command::Players(_) => "players",
            Command::Kick(_) => "kick",
            Command::Skick(_) => "skick",
            Command::Ban(_) => "ban",
            Command::Sban(_) => "sban",
            Command::Unban(_) => "unban",
            Command::Bans(_) => "bans",
            Command::Announce(_) => "announce",
            Command::Message(_) => "message",
            Command::Promote(_) => "promote",
            Command::Mute(_) => "mute",
            Command::Smute(_) => "smute",
            Command::Warp(_) => "warp",
            Command::Info(_) => "info",
            Command::Warptome(_) => "warptome",
            Command::Warpmeto(_) => "warpmeto",
            Command::Hide(_) => "hide",
            Command::Show(_) => "show",
            Command::Give(_) => "give",
            Command::Jail(_) => "jail",
            Command::Sjail(_) => "sjail",
            Command::Unjail(_) => "unjail",
            Command::Freeze(_) => "freeze",
            Command::Unfreeze(_) => "unfreeze",
            Command::Sitem(_) => "sitem",
            Command::Ditem(_) => "ditem",
            Command::Snpc(_) => "snpc",
            Command::Dnpc(_) => "dnpc",
            Command::Quake(_) => "quake",
            Command::Evacuate(_) => "evacuate",
            Command::Set(_) => "set",
            Command::Learn(_) => "learn",
            Command::Strip(_) => "strip",
            Command::Paperdoll(_) => "paperdoll",
            Command::Inventory(_) => "inventory",
            Command::Uptime(_) => "uptime",
            Command::Request(_) => "request",
            Command::Save(_) => "save",
            Command::Shutdown(_) => "shutdown",
            Command::Audit(_) => "audit",
            Command::Reload(_) => "reload",
            Command::ReloadQuests(_) => "reload-quests",
            Command::Remap(_) => "remap",
            Command::Repub(_) => "repub",
            Command::Qstate(_) => "qstate",
            Command::Dress(_) => "dress",
            Command::Dress2(_) => "dress2",
            Command::Undress(_) => "undress",
            Command::Duty(_) => "duty",
            Command::Arena(_) => "arena",
            Command::Board(_) => "board",
        }
    }

    /// Folds the alternative spellings the command line allows (a bare duration or its
    /// `--duration` flag, `shutdown 30` or `--delay 30`, ...) into the one the socket reads.
    /// Call it after clap has parsed a command; a request read from JSON has nothing to fold.
    pub fn normalize(self) -> Result<Self, String> {
        Ok(match self {
            Command::Ban(args) => Command::Ban(args.normalize()?),
            Command::Sban(args) => Command::Sban(args.normalize()?),
            Command::Mute(args) => Command::Mute(args.normalize()?),
            Command::Smute(args) => Command::Smute(args.normalize()?),
            Command::Shutdown(args) => Command::Shutdown(args.normalize()),
            Command::Audit(args) => Command::Audit(args.normalize()),
            Command::Repub(args) => Command::Repub(args.normalize()),
            Command::Set(args) => Command::Set(args.normalize()),
            Command::Dress(args) => Command::Dress(args.normalize()?),
            Command::Dress2(args) => Command::Dress2(args.normalize()?),
            Command::Undress(args) => Command::Undress(args.normalize()?),
            Command::Duty(args) => Command::Duty(args.normalize()),
            other => other,
        })
    }

    /// Whether the command is the silent variant of another (`skick`, `sban`, `smute`,
    /// `sjail`): nobody but its target hears of it.
    pub fn is_silent(&self) -> bool {
        matches!(
            self,
            Command::Skick(_) | Command::Sban(_) | Command::Smute(_) | Command::Sjail(_)
        )
    }
}

/// `eo-admin`'s and `$`'s parse of one command (a whole command line of words).
#[derive(Debug, Parser)]
#[command(no_binary_name = true, name = "$", disable_help_subcommand = true)]
struct OneCommand {
    #[command(subcommand)]
    command: Command,
}

/// Arguments of commands that take none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[cfg(test)]
mod tests;
