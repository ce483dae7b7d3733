//! Commands about the server as a whole: status, announcements and server messages, saving,
//! shutting down, reloading the configuration, and the audit trail.

use std::time::Duration;

use serde_json::{Value, json};
use tracing::info;

use eo_control::{AuditArgs, MessageArgs, ShutdownArgs, TextArgs};

use super::args::{message_text, name_arg};
use super::{Admin, CommandError, CommandResult, ErrorCode};

/// The name announcements and server messages are sent under.
pub const SERVER_NAME: &str = "Server";
/// The longest delay `shutdown` accepts (a day).
pub const MAX_SHUTDOWN_DELAY_SECS: u64 = 24 * 60 * 60;
/// How many audit rows `audit` lists when no limit is given.
pub const DEFAULT_AUDIT_LIMIT: usize = 20;

impl Admin {
    pub(super) async fn status(&self) -> CommandResult {
        let counts = self.context.world.counts().await.unwrap_or_default();
        let players = self.context.world.players().await.len();
        let config = self.context.config.get();
        Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "uptime_secs": self.started.elapsed().as_secs(),
            "connections": counts.connections,
            "logged_in": counts.logged_in,
            "players": players,
            "online_list_builds": counts.online_list_builds,
            "metrics": self
                .context
                .metrics
                .samples()
                .into_iter()
                .map(|(series, value)| (series, json!(value)))
                .collect::<serde_json::Map<String, Value>>(),
            "maps": self.context.maps.len(),
            "database": config.database.location().to_string(),
            "listen": self.listen.map_or_else(|| config.server.listen.to_string(), |a| a.to_string()),
            "shutting_down": self.context.shutdown.is_cancelled(),
        }))
    }

    /// Rereads the configuration file and puts in force what can change while running.
    pub(super) async fn reload(&self) -> CommandResult {
        let Some(source) = &self.reloading.source else {
            return Err(CommandError::new(
                ErrorCode::Failed,
                "this server was started without a configuration to reload from",
            ));
        };
        let before = self.context.config.get();
        let data = self.context.data.get();
        let check = |config: &crate::config::Config| {
            crate::data::check_spawn_point(&config.world, &data)
                .map_err(|e| crate::config::ConfigError::new(e.key, e.problem))
        };
        let mut report = crate::reload::reload(&self.context.config, source, check)
            .map_err(|error| CommandError::new(ErrorCode::Failed, error.to_string()))?;
        let now = self.context.config.get();
        // What lives outside the configuration follows it here.
        let (old, new) = (&before.server, &now.server);
        if (old.max_connections, old.max_players) != (new.max_connections, new.max_players) {
            self.context
                .world
                .set_limits(
                    u16::try_from(new.max_connections).unwrap_or(u16::MAX),
                    new.max_players as usize,
                )
                .await;
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

    pub(super) async fn announce(&self, args: TextArgs) -> CommandResult {
        let message = message_text(&args.text())?;
        self.context
            .world
            .announce(SERVER_NAME.into(), message.clone())
            .await;
        Ok(json!({ "message": message }))
    }

    pub(super) async fn message(
        &self,
        MessageArgs { name, message }: MessageArgs,
    ) -> CommandResult {
        let name = name_arg(&name)?;
        let message = message_text(&message.join(" "))?;
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

    /// Saves every character in the game now: each map queues everyone on it as one batch
    /// (see `crate::save`), and the answer comes once they are committed.
    pub(super) async fn save(&self) -> CommandResult {
        let mut saved = 0usize;
        let mut failed = Vec::new();
        for (id, map) in &self.context.maps {
            match map.save_all().await {
                Some(count) => saved += count,
                None => failed.push(format!("map {id}")),
            }
        }
        self.context.saves.barrier().await.map_err(|error| {
            CommandError::new(
                ErrorCode::Failed,
                format!("the saves were not committed: {error}"),
            )
        })?;
        failed.sort();
        Ok(json!({ "saved": saved, "failed": failed }))
    }

    pub(super) async fn shutdown(&self, args: ShutdownArgs) -> CommandResult {
        let (delay_secs, message) = (args.delay_secs, args.text());
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
                .announce(SERVER_NAME.into(), message.clone())
                .await;
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

    pub(super) async fn audit(&self, AuditArgs { limit, .. }: AuditArgs) -> CommandResult {
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
