//! The real binary started from an empty folder, with no world folder configured, serves the
//! bundled world built into it: a new player enters Mossbrook and sees its NPCs.

#[path = "common/binary.rs"]
mod binary;
mod common;

use binary::{BinaryServer, config_in};
use common::{TestClient, enter_game_reply};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_folder_serves_the_bundled_world() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |c| c.world.data_dir = std::path::PathBuf::new());
    assert!(config.world.uses_bundled());
    let mut server = BinaryServer::start(dir.path(), config);
    let mut client = TestClient::connected(server.addr).await;
    let (_, entered) = enter_game_reply(&mut client, "bundled").await;
    assert_eq!(entered.nearby.characters[0].map_id, 1);
    assert!(
        entered.nearby.npcs.iter().any(|npc| npc.id == 3),
        "Banker Odell is in view: {:?}",
        entered.nearby.npcs
    );
    // Nothing of the world was left in the folder.
    assert!(!dir.path().join("maps").exists() && !dir.path().join("pub").exists());
    drop(client);
    assert!(server.stop().success());
}
