//! Player `#` commands (EOSERV's and reoserv's): `#uptime` and `#autopickup` (`#ap`). The
//! official client answers `#find`, `#ping`, `#loc` and a few more itself (it sends
//! Players_Accept for `#find`); any other `#` line is said aloud as it always was, so a player
//! writing "#1 fan" is heard.

use eo_protocol::net::server::TalkServerServerPacket;

use crate::control::describe_uptime;
use crate::map::AdminAction;
use crate::player::actor::{Disconnect, Player, State};

/// Runs `text` if it is a player command; `Ok(false)` if it is not one (say it aloud).
pub(super) async fn run(player: &mut Player, text: &str) -> Result<bool, Disconnect> {
    let command = text
        .trim_start_matches('#')
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let answer = match command.as_str() {
        "uptime" => {
            let admin = player.context.admin.get().and_then(|weak| weak.upgrade());
            match admin {
                Some(admin) => format!(
                    "The server has been up for {}.",
                    describe_uptime(admin.uptime().as_secs())
                ),
                None => "The uptime is not known now.".to_owned(),
            }
        }
        "autopickup" | "ap" => {
            player.autopickup = !player.autopickup;
            if player.autopickup {
                "Auto pick-up is on: you pick up what you step on.".to_owned()
            } else {
                "Auto pick-up is off.".to_owned()
            }
        }
        _ => return Ok(false),
    };
    player
        .send(&TalkServerServerPacket { message: answer })
        .await?;
    Ok(true)
}

/// After a step: with `#autopickup` on, the map gives the character what lies on its tile
/// (fire-and-forget; the map answers the client as for its own pick-ups).
pub(super) async fn after_step(player: &Player) {
    if !player.autopickup {
        return;
    }
    if let (State::InGame(game), Some(player_id)) = (&player.state, player.player_id) {
        game.map
            .admin_nowait(AdminAction::PickUpHere { player_id })
            .await;
    }
}
