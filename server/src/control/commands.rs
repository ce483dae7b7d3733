//! The admin commands, implemented once for every source (the control socket now, in-game `$`
//! commands later): [`Admin::execute`] takes a command name and its arguments as a JSON object
//! and answers a JSON result or a [`CommandError`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tracing::{error, info, warn};

use crate::db::{DbError, NewAudit, NewBan, unix_now};
use crate::player::PlayerContext;
use crate::world::KickTarget;

/// The name announcements and server messages are sent under.
pub const SERVER_NAME: &str = "Server";
/// The longest announcement or message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 256;
/// The longest delay `shutdown` accepts (a day).
pub const MAX_SHUTDOWN_DELAY_SECS: u64 = 24 * 60 * 60;
/// The longest ban duration accepted (about 100 years); longer is what `permanent` is for.
pub const MAX_BAN_SECS: u64 = 100 * 365 * 24 * 60 * 60;
/// How many audit rows `audit` lists when no limit is given.
pub const DEFAULT_AUDIT_LIMIT: usize = 20;
/// The highest admin level (High Game Master).
pub const MAX_ADMIN_LEVEL: u8 = 5;

/// Every command, in the order `help` texts list them.
pub const COMMANDS: &[&str] = &[
    "status", "players", "kick", "ban", "unban", "bans", "announce", "message", "promote", "save",
    "shutdown", "audit", "mute", "warp", "info", "warptome", "warpmeto", "hide", "show", "reload",
    "give",
];

/// How long `mute` lasts when no duration is given (five minutes).
pub const DEFAULT_MUTE_SECS: u64 = 5 * 60;
/// The longest mute accepted (a week).
pub const MAX_MUTE_SECS: u64 = 7 * 24 * 60 * 60;

/// Who gave a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The control socket; the peer's uid.
    Control { uid: u32 },
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
            Source::Control { uid } => format!("uid {uid}"),
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
    /// The command could not be carried out (the database failed, ...).
    Failed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::UnknownCommand => "unknown_command",
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

/// Arguments of commands that take none.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KickArgs {
    name: String,
    reason: Option<String>,
}

/// A ban's length: seconds, or text such as "90s", "30m", "12h", "7d", "2w", "permanent".
#[derive(Deserialize)]
#[serde(untagged)]
enum DurationArg {
    Secs(u64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BanArgs {
    name: Option<String>,
    ip: Option<String>,
    duration: Option<DurationArg>,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnbanArgs {
    name: Option<String>,
    ip: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BansArgs {
    #[serde(default)]
    all: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnounceArgs {
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageArgs {
    name: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PromoteArgs {
    name: String,
    level: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShutdownArgs {
    delay_secs: Option<u64>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MuteArgs {
    name: String,
    duration: Option<DurationArg>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WarpArgs {
    name: String,
    map: u16,
    x: u8,
    y: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GiveArgs {
    name: String,
    item: u16,
    amount: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameArgs {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditArgs {
    limit: Option<usize>,
}

/// Reads a command's arguments (`null` counts as `{}`).
fn args<T: DeserializeOwned>(args: Value) -> Result<T, CommandError> {
    let args = if args.is_null() { json!({}) } else { args };
    if !args.is_object() {
        return Err(CommandError::bad_request("args must be a JSON object"));
    }
    serde_json::from_value(args).map_err(|e| CommandError::bad_request(format!("bad args: {e}")))
}

/// A chat text: trimmed, not empty, at most [`MAX_MESSAGE_CHARS`].
fn message_text(text: &str) -> Result<String, CommandError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CommandError::bad_request("the message is empty"));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(CommandError::bad_request(format!(
            "the message is longer than {MAX_MESSAGE_CHARS} characters"
        )));
    }
    Ok(text.to_owned())
}

/// A name argument: trimmed and not empty.
fn name_arg(name: &str) -> Result<String, CommandError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CommandError::bad_request("the name is empty"));
    }
    Ok(name.to_owned())
}

/// A ban's length in seconds; `None` for a permanent ban.
pub fn parse_duration(text: &str) -> Result<Option<u64>, CommandError> {
    let text = text.trim().to_ascii_lowercase();
    if matches!(text.as_str(), "perm" | "permanent" | "forever" | "never") {
        return Ok(None);
    }
    let bad = || {
        CommandError::bad_request(format!(
            "bad duration {text:?}: use seconds or a number with s, m, h, d or w, or \"permanent\""
        ))
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 60 * 60,
        "d" => 24 * 60 * 60,
        "w" => 7 * 24 * 60 * 60,
        _ => return Err(bad()),
    };
    Ok(Some(number.checked_mul(unit).ok_or_else(bad)?))
}

/// The ban length in seconds, checked; `None` for permanent.
fn ban_secs(duration: Option<DurationArg>) -> Result<Option<u64>, CommandError> {
    let secs = match duration {
        None => None,
        Some(DurationArg::Secs(secs)) => Some(secs),
        Some(DurationArg::Text(text)) => parse_duration(&text)?,
    };
    match secs {
        Some(0) => Err(CommandError::bad_request("a ban lasts at least 1 second")),
        Some(secs) if secs > MAX_BAN_SECS => Err(CommandError::bad_request(
            "a ban that long should be permanent",
        )),
        secs => Ok(secs),
    }
}

/// An IP address argument, in the form the server compares (`IpAddr`'s display).
fn ip_arg(ip: &str) -> Result<IpAddr, CommandError> {
    ip.trim()
        .parse()
        .map_err(|_| CommandError::bad_request(format!("{ip:?} is not an IP address")))
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
    /// the audit trail if it changes something.
    pub async fn execute(&self, source: &Source, command: &str, args: Value) -> CommandResult {
        let arguments = if args.is_null() {
            "{}".to_owned()
        } else {
            args.to_string()
        };
        let result = match command {
            "status" => self.status(args).await,
            "players" => self.players(args).await,
            "kick" => self.kick(args).await,
            "ban" => self.ban(source, args).await,
            "unban" => self.unban(args).await,
            "bans" => self.bans(args).await,
            "announce" => self.announce(args),
            "message" => self.message(args).await,
            "promote" => self.promote(args).await,
            "save" => self.save(args).await,
            "shutdown" => self.shutdown(args),
            "audit" => self.audit(args).await,
            "mute" => self.mute(args).await,
            "warp" => self.warp(args).await,
            "info" => self.info(args).await,
            "warptome" => self.warp_to(source, args, true).await,
            "warpmeto" => self.warp_to(source, args, false).await,
            "hide" => self.hide(source, args, true).await,
            "show" => self.hide(source, args, false).await,
            "reload" => self.reload(args),
            "give" => self.give(args).await,
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
            match &error {
                None => {
                    info!(source = source.kind(), who = %source.who(), command, %arguments, "admin command")
                }
                Some(error) => {
                    info!(source = source.kind(), who = %source.who(), command, %arguments, %error, "admin command failed");
                }
            }
            let entry = NewAudit {
                source: source.kind().into(),
                who: source.who(),
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

    /// Rereads the configuration file and puts in force what can change while running.
    fn reload(&self, args: Value) -> CommandResult {
        let NoArgs {} = self::args(args)?;
        let Some(source) = &self.reloading.source else {
            return Err(CommandError::new(
                ErrorCode::Failed,
                "this server was started without a configuration to reload from",
            ));
        };
        let before = self.context.config.get();
        let mut report = crate::reload::reload(&self.context.config, source)
            .map_err(|error| CommandError::new(ErrorCode::Failed, error.to_string()))?;
        let now = self.context.config.get();
        // What lives outside the configuration follows it here.
        let (old, new) = (&before.server, &now.server);
        if (old.max_connections, old.max_players) != (new.max_connections, new.max_players) {
            self.context.world.set_limits(
                u16::try_from(new.max_connections).unwrap_or(u16::MAX),
                new.max_players as usize,
            );
        }
        if before.log.filter != now.log.filter {
            let applied = match &self.reloading.log_filter {
                Some(apply) => apply(&now.log.filter),
                None => Err("this server's logger cannot change its filter".to_owned()),
            };
            if let Err(why) = applied {
                report
                    .notes
                    .push(format!("log.filter is not in force: {why}"));
            }
        }
        serde_json::to_value(&report)
            .map_err(|error| CommandError::new(ErrorCode::Failed, error.to_string()))
    }

    async fn status(&self, args: Value) -> CommandResult {
        let NoArgs {} = self::args(args)?;
        let (connections, logged_in) = self.context.world.counts().await.unwrap_or((0, 0));
        let players = self.context.world.players().await.len();
        let config = self.context.config.get();
        Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "uptime_secs": self.started.elapsed().as_secs(),
            "connections": connections,
            "logged_in": logged_in,
            "players": players,
            "maps": self.context.maps.len(),
            "database": config.database.path.display().to_string(),
            "listen": self.listen.map_or_else(|| config.server.listen.to_string(), |a| a.to_string()),
            "shutting_down": self.context.shutdown.is_cancelled(),
        }))
    }

    async fn players(&self, args: Value) -> CommandResult {
        let NoArgs {} = self::args(args)?;
        let players = self.context.world.players().await;
        // Positions belong to the maps: ask each map with players on it once.
        let mut positions: HashMap<u16, (u16, u16)> = HashMap::new();
        let mut maps: Vec<u16> = players.iter().map(|p| p.map).collect();
        maps.sort_unstable();
        maps.dedup();
        for map in maps {
            if let Some(handle) = self.context.maps.get(&map) {
                for (id, x, y) in handle.positions().await {
                    positions.insert(id, (x, y));
                }
            }
        }
        let list: Vec<Value> = players
            .iter()
            .map(|p| {
                let at = positions.get(&p.player_id);
                json!({
                    "name": p.name,
                    "account": p.account,
                    "map": p.map,
                    "x": at.map(|a| a.0),
                    "y": at.map(|a| a.1),
                    "level": p.level,
                    "admin_level": p.admin_level,
                    "address": p.addr.to_string(),
                })
            })
            .collect();
        Ok(json!({ "players": list }))
    }

    async fn kick(&self, args: Value) -> CommandResult {
        let KickArgs { name, reason } = self::args(args)?;
        let name = name_arg(&name)?;
        let reason = reason.unwrap_or_else(|| "kicked by an operator".into());
        let kicked = self
            .context
            .world
            .kick(KickTarget::Character(name.clone()), reason)
            .await;
        if kicked.is_empty() {
            return Err(CommandError::not_found(format!(
                "{name} is not in the game"
            )));
        }
        Ok(json!({ "kicked": kicked }))
    }

    /// The account a name means: the owner of the character of that name, else the account of
    /// that name. (id, username)
    async fn account_named(&self, name: &str) -> Result<(i64, String), CommandError> {
        let db = &self.context.db;
        if let Some(found) = db
            .account_of_character(name)
            .await
            .map_err(CommandError::db)?
        {
            return Ok(found);
        }
        match db.account_by_name(name).await.map_err(CommandError::db)? {
            Some(account) => Ok((account.id, account.username)),
            None => Err(CommandError::not_found(format!(
                "no character or account named {name}"
            ))),
        }
    }

    async fn ban(&self, source: &Source, args: Value) -> CommandResult {
        let BanArgs {
            name,
            ip,
            duration,
            reason,
        } = self::args(args)?;
        let secs = ban_secs(duration)?;
        let expires_at = match secs {
            None => None,
            Some(secs) => Some(
                unix_now()
                    .checked_add(i64::try_from(secs).unwrap_or(i64::MAX))
                    .ok_or_else(|| CommandError::bad_request("the duration is too long"))?,
            ),
        };
        let reason = reason.unwrap_or_default();
        let banned_by = format!("{} ({})", source.kind(), source.who());
        let (ban, account, target) = match (name, ip) {
            (Some(name), None) => {
                let (account_id, username) = self.account_named(&name_arg(&name)?).await?;
                let ban = NewBan {
                    account_id: Some(account_id),
                    ip: None,
                    reason,
                    banned_by,
                    expires_at,
                };
                (ban, Some(username), KickTarget::Account(account_id))
            }
            (None, Some(ip)) => {
                let ip = ip_arg(&ip)?;
                let ban = NewBan {
                    account_id: None,
                    ip: Some(ip.to_string()),
                    reason,
                    banned_by,
                    expires_at,
                };
                (ban, None, KickTarget::Ip(ip))
            }
            _ => return Err(CommandError::bad_request("give either name or ip")),
        };
        let ip = ban.ip.clone();
        let id = self
            .context
            .db
            .add_ban(ban)
            .await
            .map_err(CommandError::db)?;
        let kicked = self.context.world.kick(target, "banned".into()).await;
        Ok(json!({
            "id": id,
            "account": account,
            "ip": ip,
            "expires_at": expires_at,
            "kicked": kicked,
        }))
    }

    async fn unban(&self, args: Value) -> CommandResult {
        let UnbanArgs { name, ip } = self::args(args)?;
        let db = &self.context.db;
        let (removed, what) = match (name, ip) {
            (Some(name), None) => {
                let (account_id, username) = self.account_named(&name_arg(&name)?).await?;
                let removed = db
                    .remove_bans(Some(account_id), None)
                    .await
                    .map_err(CommandError::db)?;
                (removed, format!("account {username}"))
            }
            (None, Some(ip)) => {
                let ip = ip_arg(&ip)?.to_string();
                let removed = db
                    .remove_bans(None, Some(&ip))
                    .await
                    .map_err(CommandError::db)?;
                (removed, format!("address {ip}"))
            }
            _ => return Err(CommandError::bad_request("give either name or ip")),
        };
        if removed == 0 {
            return Err(CommandError::not_found(format!("no ban on {what}")));
        }
        Ok(json!({ "removed": removed }))
    }

    async fn bans(&self, args: Value) -> CommandResult {
        let BansArgs { all } = self::args(args)?;
        let db = &self.context.db;
        let now = unix_now();
        let mut names: HashMap<i64, Option<String>> = HashMap::new();
        let mut list = Vec::new();
        for ban in db.list_bans().await.map_err(CommandError::db)? {
            let active = ban.is_active(now);
            if !all && !active {
                continue;
            }
            let account = match ban.account_id {
                None => None,
                Some(id) => match names.get(&id) {
                    Some(name) => name.clone(),
                    None => {
                        let name = db.account_username(id).await.map_err(CommandError::db)?;
                        names.insert(id, name.clone());
                        name
                    }
                },
            };
            list.push(json!({
                "id": ban.id,
                "account": account,
                "ip": ban.ip,
                "reason": ban.reason,
                "banned_by": ban.banned_by,
                "created_at": ban.created_at,
                "expires_at": ban.expires_at,
                "active": active,
            }));
        }
        Ok(json!({ "bans": list }))
    }

    fn announce(&self, args: Value) -> CommandResult {
        let AnnounceArgs { message } = self::args(args)?;
        let message = message_text(&message)?;
        self.context
            .world
            .announce(SERVER_NAME.into(), message.clone());
        Ok(json!({ "message": message }))
    }

    async fn message(&self, args: Value) -> CommandResult {
        let MessageArgs { name, message } = self::args(args)?;
        let name = name_arg(&name)?;
        let message = message_text(&message)?;
        if !self
            .context
            .world
            .server_message(name.clone(), message.clone())
            .await
        {
            return Err(CommandError::not_found(format!(
                "{name} is not in the game"
            )));
        }
        Ok(json!({ "name": name, "message": message }))
    }

    async fn promote(&self, args: Value) -> CommandResult {
        let PromoteArgs { name, level } = self::args(args)?;
        let name = name_arg(&name)?;
        if level > MAX_ADMIN_LEVEL {
            return Err(CommandError::bad_request(format!(
                "the admin level is 0 to {MAX_ADMIN_LEVEL}"
            )));
        }
        match self.context.db.set_admin_level(&name, level).await {
            Ok(()) => {}
            Err(DbError::NotFound) => {
                return Err(CommandError::not_found(format!(
                    "no character named {name}"
                )));
            }
            Err(error) => return Err(CommandError::db(error)),
        }
        let online = self
            .context
            .world
            .set_admin_level(name.clone(), level)
            .await;
        let note = if online {
            "applied now; the player's client shows it from its next login"
        } else {
            "applies from the character's next login"
        };
        Ok(json!({ "name": name, "level": level, "online": online, "note": note }))
    }

    async fn save(&self, args: Value) -> CommandResult {
        let NoArgs {} = self::args(args)?;
        let players = self.context.world.players().await;
        let mut saves = JoinSet::new();
        for player in players {
            saves.spawn(async move { (player.name, player.handle.save().await) });
        }
        let (mut saved, mut failed) = (0usize, Vec::new());
        while let Some(joined) = saves.join_next().await {
            match joined {
                Ok((_, Some(true))) => saved += 1,
                // Left the game meanwhile: its logout saved it.
                Ok((_, Some(false))) => {}
                Ok((name, None)) => failed.push(name),
                Err(error) => warn!(%error, "a save task failed"),
            }
        }
        failed.sort();
        Ok(json!({ "saved": saved, "failed": failed }))
    }

    fn shutdown(&self, args: Value) -> CommandResult {
        let ShutdownArgs {
            delay_secs,
            message,
        } = self::args(args)?;
        let delay = delay_secs.unwrap_or(0);
        if delay > MAX_SHUTDOWN_DELAY_SECS {
            return Err(CommandError::bad_request(format!(
                "the delay is at most {MAX_SHUTDOWN_DELAY_SECS} seconds"
            )));
        }
        let message = match message {
            Some(message) => Some(message_text(&message)?),
            None if delay > 0 => Some(format!("The server shuts down in {delay} seconds.")),
            None => None,
        };
        if let Some(message) = &message {
            self.context
                .world
                .announce(SERVER_NAME.into(), message.clone());
        }
        let shutdown = self.context.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(delay)) => {
                    info!("shutting down, as an operator asked");
                    shutdown.cancel();
                }
                () = shutdown.cancelled() => {}
            }
        });
        Ok(json!({ "delay_secs": delay, "message": message }))
    }

    /// The character named `name`, in the game.
    async fn online(&self, name: &str) -> Result<crate::world::PlayerInfo, CommandError> {
        let name = name_arg(name)?;
        self.context
            .world
            .player(name.clone())
            .await
            .ok_or_else(|| CommandError::not_found(format!("{name} is not in the game")))
    }

    /// The character giving an in-game command; commands about oneself have no meaning on the
    /// control socket.
    async fn giver(&self, source: &Source) -> Result<crate::world::PlayerInfo, CommandError> {
        match source {
            Source::Game { character } => self.online(character).await,
            Source::Control { .. } | Source::Signal => Err(CommandError::bad_request(
                "this command is only for a character in the game",
            )),
        }
    }

    /// Where a character in the game stands: (map, x, y).
    async fn position(
        &self,
        player: &crate::world::PlayerInfo,
    ) -> Result<(u16, u8, u8), CommandError> {
        let lost = || {
            CommandError::new(
                ErrorCode::Failed,
                format!("{} has no position", player.name),
            )
        };
        let map = self.context.maps.get(&player.map).ok_or_else(lost)?;
        let (_, x, y) = map
            .positions()
            .await
            .into_iter()
            .find(|(id, _, _)| *id == player.player_id)
            .ok_or_else(lost)?;
        let x = u8::try_from(x).map_err(|_| lost())?;
        let y = u8::try_from(y).map_err(|_| lost())?;
        Ok((player.map, x, y))
    }

    async fn mute(&self, args: Value) -> CommandResult {
        let MuteArgs { name, duration } = self::args(args)?;
        let secs = match duration {
            None => DEFAULT_MUTE_SECS,
            Some(DurationArg::Secs(secs)) => secs,
            Some(DurationArg::Text(text)) => parse_duration(&text)?.ok_or_else(|| {
                CommandError::bad_request("a mute cannot be permanent; give a duration")
            })?,
        };
        if secs > MAX_MUTE_SECS {
            return Err(CommandError::bad_request(format!(
                "a mute lasts at most {MAX_MUTE_SECS} seconds"
            )));
        }
        let name = name_arg(&name)?;
        // Stored, so the mute outlives the session; told to the player task if it is online,
        // which checks each chat packet against it.
        let until = (secs > 0).then(|| unix_now().saturating_add_unsigned(secs));
        self.context
            .db
            .set_mute(name.clone(), until)
            .await
            .map_err(|error| match error {
                DbError::NotFound => CommandError::not_found(format!("no character named {name}")),
                other => CommandError::db(other),
            })?;
        let online = self.context.world.player(name.clone()).await;
        if let Some(player) = &online {
            player.handle.mute(Duration::from_secs(secs));
        }
        let is_online = online.is_some();
        let name = online.map_or(name, |player| player.name);
        Ok(json!({ "name": name, "duration_secs": secs, "online": is_online }))
    }

    /// Puts items at a character's feet, for it alone to pick up for a while (EOSERV's
    /// `$sitem`, through the ground so the client's own pick-up shows it in the inventory).
    async fn give(&self, args: Value) -> CommandResult {
        let GiveArgs { name, item, amount } = self::args(args)?;
        let amount = amount.unwrap_or(1);
        let most = crate::config::MAX_MOVED_AMOUNT;
        if amount == 0 || amount > most {
            return Err(CommandError::bad_request(format!(
                "the amount must be 1 to {most}"
            )));
        }
        // The pub file's last record, "eof", is a terminator, not an item.
        let Some(record) = crate::rules::stats::item(&self.context.data.items.data, item)
            .filter(|record| !record.name.eq_ignore_ascii_case("eof"))
        else {
            return Err(CommandError::not_found(format!("there is no item {item}")));
        };
        let item_name = record.name.clone();
        let player = self.online(&name).await?;
        let map = self.context.maps.get(&player.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", player.name))
        })?;
        let (x, y) = map
            .give(player.player_id, item, amount)
            .await
            .ok_or_else(|| {
                CommandError::new(ErrorCode::Failed, "the items could not be put down")
            })?;
        Ok(json!({
            "name": player.name, "item": item, "item_name": item_name, "amount": amount,
            "map": player.map, "x": x, "y": y,
        }))
    }

    /// Offers `player` a warp to `(map, x, y)` once the place is checked.
    fn warp_player(
        &self,
        player: &crate::world::PlayerInfo,
        map: u16,
        x: u8,
        y: u8,
    ) -> CommandResult {
        let Some(data) = self.context.data.maps.get(&map) else {
            return Err(CommandError::not_found(format!("there is no map {map}")));
        };
        if x >= data.width || y >= data.height {
            return Err(CommandError::bad_request(format!(
                "({x}, {y}) is outside map {map} ({} x {})",
                data.width, data.height
            )));
        }
        player.handle.warp(map, x, y);
        Ok(json!({ "name": player.name, "map": map, "x": x, "y": y }))
    }

    async fn warp(&self, args: Value) -> CommandResult {
        let WarpArgs { name, map, x, y } = self::args(args)?;
        let player = self.online(&name).await?;
        self.warp_player(&player, map, x, y)
    }

    /// `warptome` (`to_me`: the character named comes to the giver) and `warpmeto` (the giver
    /// goes to it).
    async fn warp_to(&self, source: &Source, args: Value, to_me: bool) -> CommandResult {
        let NameArgs { name } = self::args(args)?;
        let giver = self.giver(source).await?;
        let other = self.online(&name).await?;
        let (moving, staying) = if to_me {
            (&other, &giver)
        } else {
            (&giver, &other)
        };
        let (map, x, y) = self.position(staying).await?;
        self.warp_player(moving, map, x, y)
    }

    async fn info(&self, args: Value) -> CommandResult {
        let NameArgs { name } = self::args(args)?;
        let player = self.online(&name).await?;
        let (map, x, y) = self.position(&player).await?;
        Ok(json!({
            "name": player.name,
            "account": player.account,
            "map": map,
            "x": x,
            "y": y,
            "level": player.level,
            "admin_level": player.admin_level,
        }))
    }

    /// `hide` and `show`: the giver disappears from, or reappears to, the others on its map.
    async fn hide(&self, source: &Source, args: Value, hidden: bool) -> CommandResult {
        let NoArgs {} = self::args(args)?;
        let giver = self.giver(source).await?;
        let map = self.context.maps.get(&giver.map).ok_or_else(|| {
            CommandError::new(ErrorCode::Failed, format!("{} has no map", giver.name))
        })?;
        let changed = map
            .set_hidden(giver.player_id, hidden)
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?;
        Ok(json!({ "name": giver.name, "hidden": hidden, "changed": changed }))
    }

    async fn audit(&self, args: Value) -> CommandResult {
        let AuditArgs { limit } = self::args(args)?;
        let entries = self
            .context
            .db
            .list_audit(limit.unwrap_or(DEFAULT_AUDIT_LIMIT))
            .await
            .map_err(CommandError::db)?;
        let list: Vec<Value> = entries
            .into_iter()
            .map(|e| {
                let arguments = serde_json::from_str::<Value>(&e.arguments)
                    .unwrap_or(Value::String(e.arguments));
                json!({
                    "id": e.id,
                    "at": e.at,
                    "source": e.source,
                    "who": e.who,
                    "command": e.command,
                    "arguments": arguments,
                    "ok": e.error.is_none(),
                    "error": e.error,
                })
            })
            .collect();
        Ok(json!({ "entries": list }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Some(90));
        assert_eq!(parse_duration("90s").unwrap(), Some(90));
        assert_eq!(parse_duration("30m").unwrap(), Some(1800));
        assert_eq!(parse_duration("2H").unwrap(), Some(7200));
        assert_eq!(parse_duration("7d").unwrap(), Some(604_800));
        assert_eq!(parse_duration("1w").unwrap(), Some(604_800));
        assert_eq!(parse_duration("permanent").unwrap(), None);
        for bad in ["", "m", "5x", "-5", "1.5h", "99999999999999999999w"] {
            assert_eq!(
                parse_duration(bad).unwrap_err().code,
                ErrorCode::BadRequest,
                "{bad}"
            );
        }
        assert!(ban_secs(Some(DurationArg::Secs(0))).is_err());
        assert!(ban_secs(Some(DurationArg::Secs(MAX_BAN_SECS + 1))).is_err());
        assert_eq!(ban_secs(None).unwrap(), None);
    }

    #[test]
    fn arguments_are_checked() {
        assert!(args::<NoArgs>(Value::Null).is_ok());
        assert!(args::<NoArgs>(json!({})).is_ok());
        assert_eq!(
            args::<NoArgs>(json!({"x": 1})).err().map(|e| e.code),
            Some(ErrorCode::BadRequest)
        );
        assert_eq!(
            args::<KickArgs>(json!([1])).err().map(|e| e.code),
            Some(ErrorCode::BadRequest)
        );
        assert!(args::<PromoteArgs>(json!({"name": "a", "level": 300})).is_err());
        assert!(message_text("  ").is_err());
        assert!(message_text(&"x".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert_eq!(message_text(" hi ").unwrap(), "hi");
        assert_eq!(ip_arg("10.0.0.1").unwrap().to_string(), "10.0.0.1");
        assert!(ip_arg("10.0.0").is_err());
    }

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
