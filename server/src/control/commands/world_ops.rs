//! Commands on the world around the players: `quake` (a map's screens shake), `evacuate` (a
//! map's countdown and warp-out), `uptime`, and `request` (a player's call for help, to the
//! admins in the game).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eo_control::{EvacuateArgs, QuakeArgs, TextArgs};
use eo_protocol::net::server::TalkAdminServerPacket;
use serde_json::json;

use super::args::message_text;
use super::{Admin, Caller, CommandError, CommandResult, ErrorCode, SERVER_NAME};
use crate::map::AdminAction;
use crate::net::packet;

/// `quake`'s strength when none is given (EOSERV's quake effects run 1 to 8).
pub const DEFAULT_QUAKE_STRENGTH: u8 = 5;
/// The strongest quake.
pub const MAX_QUAKE_STRENGTH: u8 = 8;
/// `evacuate`'s warning when none is given (EOSERV's is about as long).
pub const DEFAULT_EVACUATE_SECS: u64 = 30;
/// The longest warning `evacuate` accepts.
pub const MAX_EVACUATE_SECS: u64 = 600;
/// How often the players of an evacuated map are told how long they have left.
const EVACUATE_TELL_SECS: u64 = 10;

impl Admin {
    pub(super) async fn quake(
        &self,
        caller: &Caller<'_>,
        QuakeArgs { strength, map }: QuakeArgs,
    ) -> CommandResult {
        let strength = strength.unwrap_or(DEFAULT_QUAKE_STRENGTH);
        if !(1..=MAX_QUAKE_STRENGTH).contains(&strength) {
            return Err(CommandError::bad_request(format!(
                "the strength is 1 to {MAX_QUAKE_STRENGTH}"
            )));
        }
        let (map, handle) = self.target_map(caller, map, "give the map (--map)").await?;
        let done = handle
            .admin(AdminAction::Quake { strength })
            .await
            .ok_or_else(|| CommandError::new(ErrorCode::Failed, "the map did not answer"))?
            .map_err(|why| CommandError::new(ErrorCode::Failed, why))?;
        Ok(json!({ "map": map, "strength": strength, "players": done.count }))
    }

    /// `evacuate`: the map's players are told how long is left every
    /// [`EVACUATE_TELL_SECS`], then those below the giver's admin level (everyone, for the
    /// operator) are warped to the spawn point (`[world] spawn_map`). Answers at once; the
    /// countdown runs on, and stops if the server shuts down.
    pub(super) async fn evacuate(
        &self,
        caller: &Caller<'_>,
        EvacuateArgs { secs, map }: EvacuateArgs,
    ) -> CommandResult {
        let secs = secs.unwrap_or(DEFAULT_EVACUATE_SECS);
        if secs > MAX_EVACUATE_SECS {
            return Err(CommandError::bad_request(format!(
                "the warning lasts at most {MAX_EVACUATE_SECS} seconds"
            )));
        }
        let (map, handle) = self.target_map(caller, map, "give the map (--map)").await?;
        let world = self.context.config.get().world.clone();
        if map == world.spawn_map {
            return Err(CommandError::bad_request(format!(
                "map {map} holds the spawn point: there is nowhere to evacuate it to"
            )));
        }
        // Characters below this level leave.
        let below = caller
            .acting
            .as_ref()
            .map_or(u8::MAX, |acting| acting.level);
        let players = self
            .context
            .world
            .players()
            .await
            .iter()
            .filter(|p| p.map == map)
            .count();
        let context = std::sync::Arc::clone(&self.context);
        tokio::spawn(async move {
            let mut left = secs;
            while left > 0 {
                let message = format!("This map will be evacuated in {left} seconds.");
                let _ = handle.admin(AdminAction::Notify { message }).await;
                let step = match left % EVACUATE_TELL_SECS {
                    0 => EVACUATE_TELL_SECS.min(left),
                    rest => rest,
                };
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(step)) => {}
                    () = context.shutdown.cancelled() => return,
                }
                left -= step;
            }
            let message = "This map is being evacuated.".to_owned();
            let _ = handle.admin(AdminAction::Notify { message }).await;
            for player in context.world.players().await {
                if player.map == map && player.admin_level < below {
                    player
                        .handle
                        .warp(world.spawn_map, world.spawn_x, world.spawn_y);
                }
            }
        });
        Ok(json!({ "map": map, "secs": secs, "players": players }))
    }

    pub(super) async fn uptime_command(&self) -> CommandResult {
        let up = self.started.elapsed();
        let started_at = SystemTime::now()
            .checked_sub(up)
            .unwrap_or(UNIX_EPOCH)
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        Ok(json!({
            "uptime_secs": up.as_secs(),
            "uptime": describe_uptime(up.as_secs()),
            "started_at": started_at,
        }))
    }

    /// A call for help: an admin-chat line from the caller to every admin in the game who
    /// hears admin chat (`[admin] admin_chat`).
    pub(super) async fn request(&self, caller: &Caller<'_>, args: TextArgs) -> CommandResult {
        let message = message_text(&args.text())?;
        let from = caller.character().unwrap_or(SERVER_NAME).to_owned();
        let level = self.context.config.get().admin.admin_chat;
        let body = packet::encode(&TalkAdminServerPacket {
            player_name: from.clone(),
            message: format!("needs help: {message}"),
        })
        .map_err(|error| CommandError::new(ErrorCode::Failed, error.to_string()))?;
        self.context.world.to_admins(level, body);
        Ok(json!({ "name": from, "message": message }))
    }
}

/// "2 days, 3 hours, 4 minutes, 5 seconds" (the largest units only as needed).
pub fn describe_uptime(secs: u64) -> String {
    let parts = [
        (secs / 86_400, "day"),
        (secs % 86_400 / 3600, "hour"),
        (secs % 3600 / 60, "minute"),
        (secs % 60, "second"),
    ];
    let shown: Vec<String> = parts
        .iter()
        .skip_while(|(n, unit)| *n == 0 && *unit != "second")
        .map(|(n, unit)| format!("{n} {unit}{}", if *n == 1 { "" } else { "s" }))
        .collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::describe_uptime;

    #[test]
    fn uptimes_read_well() {
        assert_eq!(describe_uptime(0), "0 seconds");
        assert_eq!(describe_uptime(61), "1 minute, 1 second");
        assert_eq!(
            describe_uptime(2 * 86_400 + 3 * 3600 + 4 * 60 + 5),
            "2 days, 3 hours, 4 minutes, 5 seconds"
        );
        assert_eq!(describe_uptime(3600), "1 hour, 0 minutes, 0 seconds");
    }
}
