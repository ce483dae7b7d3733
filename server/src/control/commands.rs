//! The admin commands, implemented once for every source (the control socket, in-game `$`
//! commands, signals): [`Admin::execute`] takes a command name and its arguments as a JSON object
//! and answers a JSON result or a [`CommandError`]. Who may do what (the `[admin]` levels and
//! the hierarchy between admins) is decided here too, in `commands/hierarchy.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use eo_control::{Command, NoArgs};
use serde::Serialize;
use serde_json::{Value, json};
use tracing::{error, info};

use crate::db::{DbError, NewAudit};
use crate::player::PlayerContext;

mod args;
mod hierarchy;
mod import;
mod inspect;
mod jail;
mod live_data;
mod moderation;
mod players;
mod quests;
mod server_ops;
mod set;
mod spawn;
mod world_ops;

pub use args::{MAX_BAN_SECS, MAX_MESSAGE_CHARS, parse_duration};
use hierarchy::Caller;
pub use moderation::{DEFAULT_MUTE_SECS, MAX_MUTE_SECS};
pub use server_ops::{DEFAULT_AUDIT_LIMIT, MAX_SHUTDOWN_DELAY_SECS, SERVER_NAME};
pub use world_ops::describe_uptime;

/// Every command the socket takes: the typed ones, and `import`.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    Command::NAMES.iter().copied().chain(["import"])
}

/// Who gave a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The control socket: the peer's uid, and the character the request names with `as`
    /// (`eo-admin --as NAME`), whose admin level then limits the command as in the game.
    Control {
        uid: u32,
        as_character: Option<String>,
    },
    /// An in-game `$` command; the character's name.
    Game { character: String },
    /// A signal to the server process (SIGHUP reloads the configuration).
    Signal,
}

impl Source {
    /// The audit trail's `source` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Control { .. } => "control",
            Source::Game { .. } => "game",
            Source::Signal => "signal",
        }
    }

    /// The audit trail's `who` column.
    pub fn who(&self) -> String {
        match self {
            Source::Control {
                uid,
                as_character: None,
            } => format!("uid {uid}"),
            Source::Control {
                uid,
                as_character: Some(name),
            } => format!("uid {uid} as {name}"),
            Source::Game { character } => character.clone(),
            Source::Signal => "SIGHUP".to_owned(),
        }
    }
}

/// The kinds of failure a command answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The player, character, account or ban named does not exist (or is not online).
    NotFound,
    /// The request or its arguments are malformed.
    BadRequest,
    /// No command of that name.
    UnknownCommand,
    /// The giver's admin level does not allow it: the command's `[admin]` level is above it,
    /// or the character acted on is not below it.
    Forbidden,
    /// The command could not be carried out (the database failed, ...).
    Failed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::UnknownCommand => "unknown_command",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Failed => "failed",
        }
    }
}

/// A command's failure: a code for scripts and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// A database failure.
    fn db(error: DbError) -> Self {
        match error {
            DbError::NotFound => Self::not_found("not found"),
            DbError::Invalid(message) => Self::bad_request(message),
            other => Self::new(ErrorCode::Failed, format!("database: {other}")),
        }
    }

    /// The JSON object of an error reply.
    pub fn to_json(&self) -> Value {
        json!({ "code": self.code, "message": self.message })
    }
}

type CommandResult = Result<Value, CommandError>;

/// What the commands act on: the server's shared context, and facts about this run.
pub struct Admin {
    context: Arc<PlayerContext>,
    started: Instant,
    listen: Option<SocketAddr>,
    reloading: Reloading,
}

/// What `reload` needs beyond the running configuration.
#[derive(Default)]
pub struct Reloading {
    /// Where the configuration is reread from; `None` refuses `reload`.
    pub source: Option<crate::reload::ConfigSource>,
    /// Puts a new `log.filter` in force.
    pub log_filter: Option<crate::server::LogFilterReload>,
}

/// Whether a command changes something, and so goes to the audit trail.
fn audited(command: &str) -> bool {
    !matches!(
        command,
        "status" | "players" | "bans" | "audit" | "info" | "uptime" | "inventory" | "paperdoll"
    )
}

impl Admin {
    /// The commands of a server running with `context`, listening on `listen`.
    pub fn new(
        context: Arc<PlayerContext>,
        listen: Option<SocketAddr>,
        reloading: Reloading,
    ) -> Self {
        Self {
            context,
            started: Instant::now(),
            listen,
            reloading,
        }
    }

    /// How long the server has been running.
    pub fn uptime(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    /// Runs the socket's `command` with `args` (a JSON object, or null for none) for
    /// `source`: reads it as a [`Command`] (or `import`) and runs it.
    pub async fn execute(&self, source: &Source, command: &str, args: Value) -> CommandResult {
        if command == "import" {
            return self.execute_import(source, args).await;
        }
        if !Command::NAMES.contains(&command) {
            return Err(CommandError::new(
                ErrorCode::UnknownCommand,
                format!(
                    "no command {command:?}; the commands are {}",
                    command_names().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let args = if args.is_null() { json!({}) } else { args };
        if !args.is_object() {
            return Err(CommandError::bad_request("args must be a JSON object"));
        }
        let typed: Command = serde_json::from_value(json!({ "command": command, "args": args }))
            .map_err(|e| CommandError::bad_request(format!("bad args: {e}")))?;
        self.run(source, typed).await
    }

    /// Runs `command` for `source`; records it in the audit trail if it changes something. A
    /// character's command (in the game, or `as` one on the socket) its admin level does not
    /// allow is refused first, and not recorded: players typing `$kick` would fill the trail.
    pub async fn run(&self, source: &Source, command: Command) -> CommandResult {
        let caller = self.caller(source).await?;
        let name = command.name();
        self.permitted(&caller, name)?;
        let arguments = serde_json::to_value(&command)
            .ok()
            .and_then(|mut request| request.get_mut("args").map(Value::take))
            .map_or_else(|| "{}".to_owned(), |args| args.to_string());
        let silent = command.is_silent();
        let result = match command {
            Command::Status(NoArgs {}) => self.status().await,
            Command::Players(NoArgs {}) => self.players().await,
            Command::Kick(args) | Command::Skick(args) => self.kick(&caller, args, silent).await,
            Command::Ban(args) | Command::Sban(args) => self.ban(&caller, args, silent).await,
            Command::Unban(args) => self.unban(args).await,
            Command::Bans(args) => self.bans(args).await,
            Command::Announce(args) => self.announce(args).await,
            Command::Message(args) => self.message(args).await,
            Command::Promote(args) => self.promote(&caller, args).await,
            Command::Mute(args) | Command::Smute(args) => self.mute(&caller, args, silent).await,
            Command::Warp(args) => self.warp(&caller, args).await,
            Command::Info(args) => self.info(args).await,
            Command::Warptome(args) => self.warp_to(&caller, args, true).await,
            Command::Warpmeto(args) => self.warp_to(&caller, args, false).await,
            Command::Hide(NoArgs {}) => self.hide(&caller, true).await,
            Command::Show(NoArgs {}) => self.hide(&caller, false).await,
            Command::Give(args) => self.give(&caller, args).await,
            Command::Jail(args) | Command::Sjail(args) => self.jail(&caller, args, silent).await,
            Command::Unjail(args) => self.unjail(&caller, args).await,
            Command::Freeze(args) => self.freeze(&caller, args, true).await,
            Command::Unfreeze(args) => self.freeze(&caller, args, false).await,
            Command::Sitem(args) => self.spawn_item(&caller, args, false).await,
            Command::Ditem(args) => self.spawn_item(&caller, args, true).await,
            Command::Snpc(args) => self.summon_npcs(&caller, args).await,
            Command::Dnpc(args) => self.dismiss_npcs(&caller, args).await,
            Command::Quake(args) => self.quake(&caller, args).await,
            Command::Evacuate(args) => self.evacuate(&caller, args).await,
            Command::Set(args) => self.set(&caller, args).await,
            Command::Learn(args) => self.learn(&caller, args).await,
            Command::Strip(args) => self.strip(&caller, args).await,
            Command::Paperdoll(args) => self.paperdoll(&caller, args).await,
            Command::Inventory(args) => self.inventory(args).await,
            Command::Uptime(NoArgs {}) => self.uptime_command().await,
            Command::Request(args) => self.request(&caller, args).await,
            Command::Save(NoArgs {}) => self.save().await,
            Command::Shutdown(args) => self.shutdown(args).await,
            Command::Audit(args) => self.audit(args).await,
            Command::Reload(NoArgs {}) => self.reload().await,
            Command::ReloadQuests(NoArgs {}) => self.reload_quests().await,
            Command::Remap(args) => self.remap(&caller, args).await,
            Command::Repub(args) => self.repub(args).await,
        };
        if audited(name) {
            self.record(source, &caller, name, arguments, &result).await;
        }
        result
    }

    /// `import`: its arguments are many records, read by the import module; the audit keeps
    /// a summary of them.
    async fn execute_import(&self, source: &Source, args: Value) -> CommandResult {
        let caller = self.caller(source).await?;
        self.permitted(&caller, "import")?;
        let arguments = if args.is_null() {
            "{}".to_owned()
        } else {
            import::audit_summary(&args)
        };
        let result = self.import(args).await;
        self.record(source, &caller, "import", arguments, &result)
            .await;
        result
    }

    /// Writes one command to the audit trail (and the log).
    async fn record(
        &self,
        source: &Source,
        caller: &Caller<'_>,
        command: &str,
        arguments: String,
        result: &CommandResult,
    ) {
        let error = result.as_ref().err().map(ToString::to_string);
        let who = caller.who();
        match &error {
            None => {
                info!(source = source.kind(), %who, command, %arguments, "admin command")
            }
            Some(error) => {
                info!(source = source.kind(), %who, command, %arguments, %error, "admin command failed");
            }
        }
        let entry = NewAudit {
            source: source.kind().into(),
            who,
            command: command.into(),
            arguments,
            error,
        };
        if let Err(error) = self.context.db.add_audit(entry).await {
            error!(%error, command, "the audit trail could not be written");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_json() {
        let error = CommandError::not_found("nobody");
        assert_eq!(
            error.to_json(),
            json!({"code": "not_found", "message": "nobody"})
        );
        assert_eq!(error.to_string(), "not_found: nobody");
    }
}
