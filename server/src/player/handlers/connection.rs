//! Connection_Accept: the client confirms the multiples and player id it was given.

use eo_protocol::net::client::ConnectionAcceptClientPacket;

use crate::player::actor::{Disconnect, Player, State};

pub(super) fn accept(
    player: &mut Player,
    packet: ConnectionAcceptClientPacket,
) -> Result<(), Disconnect> {
    if player.state != State::Initialized {
        return Err(Disconnect::BadHandshake("Connection_Accept out of turn"));
    }
    let (server, client) = player.multiples;
    let echoed = (
        packet.client_encryption_multiple,
        packet.server_encryption_multiple,
        Some(packet.player_id),
    );
    if echoed != (u16::from(client), u16::from(server), player.player_id) {
        return Err(Disconnect::BadHandshake(
            "Connection_Accept does not echo the multiples and player id",
        ));
    }
    player.state = State::Accepted;
    Ok(())
}
