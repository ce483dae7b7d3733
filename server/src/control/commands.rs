//! The admin commands, implemented once for every source (the control socket, in-game `$`
//! commands, signals): [`Admin::execute`] takes a command name and its arguments as a JSON object
//! and answers a JSON result or a [`CommandError`]. Who may do what (the `[admin]` levels and
//! the hierarchy between admins) is decided here too, in `commands/hierarchy.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};
use tracing::{error, info};

use crate::db::{DbError, NewAudit};
use crate::player::PlayerContext;

mod args;
mod hierarchy;
mod import;
mod moderation;
mod players;
mod server_ops;

pub use args::{MAX_BAN_SECS, MAX_MESSAGE_CHARS, parse_duration};
use hierarchy::Caller;
pub use moderation::{DEFAULT_MUTE_SECS, MAX_MUTE_SECS};
pub use server_ops::{DEFAULT_AUDIT_LIMIT, MAX_SHUTDOWN_DELAY_SECS, SERVER_NAME};

/// Every command, in the order `help` texts list them.
pub const COMMANDS: &[&str] = &[
    "status", "players", "kick", "ban", "unban", "bans", "announce", "message", "promote", "save",
    "shutdown", "audit", "mute", "warp", "info", "warptome", "warpmeto", "hide", "show", "reload",
    "give", "import",
];

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
    matches!(
        command,
        "kick"
            | "ban"
            | "unban"
            | "announce"
            | "message"
            | "promote"
            | "save"
            | "shutdown"
            | "mute"
            | "warp"
            | "warptome"
            | "warpmeto"
            | "hide"
            | "show"
            | "reload"
            | "give"
            | "import"
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

    /// Runs `command` with `args` (a JSON object, or null for none) for `source`; records it in
    /// the audit trail if it changes something. A character's command (in the game, or `as` one
    /// on the socket) its admin level does not allow is refused first, and not recorded: players
    /// typing `$kick` would fill the trail.
    pub async fn execute(&self, source: &Source, command: &str, args: Value) -> CommandResult {
        let caller = self.caller(source).await?;
        if COMMANDS.contains(&command) {
            self.permitted(&caller, command)?;
        }
        let arguments = if args.is_null() {
            "{}".to_owned()
        } else if command == "import" {
            import::audit_summary(&args)
        } else {
            args.to_string()
        };
        let result = match command {
            "status" => self.status(args).await,
            "players" => self.players(args).await,
            "kick" => self.kick(&caller, args).await,
            "ban" => self.ban(&caller, args).await,
            "unban" => self.unban(args).await,
            "bans" => self.bans(args).await,
            "announce" => self.announce(args).await,
            "message" => self.message(args).await,
            "promote" => self.promote(&caller, args).await,
            "save" => self.save(args).await,
            "shutdown" => self.shutdown(args).await,
            "audit" => self.audit(args).await,
            "mute" => self.mute(&caller, args).await,
            "warp" => self.warp(&caller, args).await,
            "info" => self.info(args).await,
            "warptome" => self.warp_to(&caller, args, true).await,
            "warpmeto" => self.warp_to(&caller, args, false).await,
            "hide" => self.hide(&caller, args, true).await,
            "show" => self.hide(&caller, args, false).await,
            "reload" => self.reload(args).await,
            "give" => self.give(&caller, args).await,
            "import" => self.import(args).await,
            other => Err(CommandError::new(
                ErrorCode::UnknownCommand,
                format!(
                    "no command {other:?}; the commands are {}",
                    COMMANDS.join(", ")
                ),
            )),
        };
        if audited(command) {
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
        result
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
