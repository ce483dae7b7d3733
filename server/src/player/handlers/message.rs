//! Packets the clients send on a timer, answered by the player task alone: Message_Ping (eoweb
//! every two seconds, the official client's `#ping`). Quest_List goes to the map
//! (map/quests/).

use eo_protocol::net::server::MessagePongServerPacket;

use crate::player::actor::{Disconnect, Player};

/// Message_Ping: Message_Pong at once; the client shows the round trip.
pub(super) async fn ping(player: &mut Player) -> Result<(), Disconnect> {
    player.send(&MessagePongServerPacket).await
}
