//! `snpc` and `dnpc` with real clients: summoned NPCs appear around the character, never
//! respawn, and go with `dnpc`; refused below their level and on an equal admin.

mod common;

use std::collections::HashSet;

use common::admin::{player_at_level, say, server_line};
use common::{Control, TestServer, expect};
use eo_protocol::net::server::ServerPacket;
use serde_json::json;

/// Meadow Hopper, a passive NPC.
const HOPPER: u16 = 4;

#[tokio::test]
async fn summoned_npcs_appear_and_go_with_dnpc() {
    let server = TestServer::start(|_| {}).await;
    let mut control = Control::connect(&server.socket).await;
    let mut gm = player_at_level(&server, &mut control, "master", 4).await;
    let _peer = player_at_level(&server, &mut control, "peer", 4).await;
    let mut guide = player_at_level(&server, &mut control, "guide", 3).await;
    let mut plain = player_at_level(&server, &mut control, "plain", 0).await;

    say(&mut gm, "$sn 4 2").await;
    assert_eq!(server_line(&mut gm).await, "2 of NPC 4 around 16,9.");
    let result = control
        .ok("snpc", json!({"npc": HOPPER, "name": "plain"}))
        .await;
    assert_eq!(result["amount"], 1);
    let mut summoned: HashSet<u64> = HashSet::new();
    summoned.insert(result["indexes"][0].as_u64().unwrap());
    // The bystander sees the three appear (the map shows them at its next tick).
    let mut seen: HashSet<u64> = HashSet::new();
    while seen.len() < 3 {
        let appeared = expect(&mut plain, |p| match p {
            ServerPacket::RangeReply(reply) => Some(reply.nearby.npcs),
            _ => None,
        })
        .await;
        for npc in appeared.iter().filter(|n| n.id == HOPPER) {
            seen.insert(u64::from(npc.index));
        }
    }
    assert!(summoned.is_subset(&seen));

    // Refused below snpc's level (4) and on an equal admin; an unknown NPC is an error.
    say(&mut guide, "$snpc 4").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $snpc.");
    say(&mut guide, "$dnpc").await;
    assert_eq!(server_line(&mut guide).await, "You may not use $dnpc.");
    say(&mut gm, "$snpc 4 1 --near peer").await;
    assert_eq!(
        server_line(&mut gm).await,
        "You may not use $snpc on peer: their admin level is not below yours."
    );
    say(&mut gm, "$snpc 999").await;
    assert_eq!(
        server_line(&mut gm).await,
        "$snpc failed: there is no NPC 999"
    );

    // dnpc: every summoned NPC dies for the clients (Npc_Spec, no killer), the map's own stay.
    say(&mut gm, "$dn").await;
    assert_eq!(
        server_line(&mut gm).await,
        "Removed 3 summoned NPC(s) from map 1."
    );
    let mut gone: HashSet<u64> = HashSet::new();
    while gone.len() < 3 {
        let index = expect(&mut plain, |p| match p {
            ServerPacket::NpcSpec(spec) => Some(spec.npc_killed_data),
            _ => None,
        })
        .await;
        assert_eq!(index.killer_id, 0);
        gone.insert(u64::from(index.npc_index));
    }
    assert_eq!(gone, seen);
    let again = control.ok("dnpc", json!({"map": 1})).await;
    assert_eq!(again["removed"], 0);
    server.stop().await;
}
