//! Flooders: clients that, while the swarm plays, send walks as fast as their socket takes
//! them (reading what they are sent, so they are not slow readers) until the server drops
//! them, then connect and flood again. They run beside the swarm to show that one client's
//! flood does not move the others' broadcast latency. Each is a thread and runtime of its own,
//! as an abusive client is a process of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use eo_protocol::Coords;
use eo_protocol::net::client::{WalkAction, WalkPlayerClientPacket};

use crate::conn::Conn;
use crate::login;
use crate::swarm::{Phase, Swarm};

/// Walks written between two looks at what the server sent.
const BURST: usize = 64;
/// How long a dropped flooder waits before connecting again (each login costs the server an
/// argon2id verification: reconnecting faster would measure a login storm, not a flood).
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// What the flooders did, summed.
#[derive(Default)]
pub struct FloodCounters {
    /// Walk packets written.
    pub sent: AtomicU64,
    /// Times the server closed a flooder's connection.
    pub dropped: AtomicU64,
    /// Times a flooder entered the game.
    pub entered: AtomicU64,
}

/// Runs flooder `name` on its own thread until the run stops.
pub fn spawn(
    swarm: Arc<Swarm>,
    name: String,
    counters: Arc<FloodCounters>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("flooder-{name}"))
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                swarm.errors.add("flooder: no runtime".into());
                return;
            };
            runtime.block_on(flood(swarm, name, counters));
        })
}

/// Waits for the play phase: `true` while playing, `false` once the run stops.
async fn playing(swarm: &Swarm) -> bool {
    let mut phase = swarm.phase.clone();
    loop {
        match *phase.borrow_and_update() {
            Phase::Play { .. } => return true,
            Phase::Stop => return false,
            Phase::Login => {}
        }
        if phase.changed().await.is_err() {
            return false;
        }
    }
}

async fn flood(swarm: Arc<Swarm>, name: String, counters: Arc<FloodCounters>) {
    while playing(&swarm).await {
        let mut me = match login::enter(&swarm, &name).await {
            Ok(me) => me,
            Err(error) => {
                swarm.errors.add(format!("flooder login: {}", error.kind()));
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        counters.entered.fetch_add(1, Ordering::Relaxed);
        let walk = WalkPlayerClientPacket {
            walk_action: WalkAction {
                direction: me.facing,
                // A stamp the server's pace refuses after the first: a speed hack.
                timestamp: 0,
                coords: Coords { x: me.x, y: me.y },
            },
        };
        if !flood_until_dropped(&swarm, &mut me.conn, &walk, &counters).await {
            return;
        }
        counters.dropped.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// Floods on one connection; `false` once the run stops, `true` when the server dropped it.
async fn flood_until_dropped(
    swarm: &Swarm,
    conn: &mut Conn,
    walk: &WalkPlayerClientPacket,
    counters: &FloodCounters,
) -> bool {
    let mut phase = swarm.phase.clone();
    loop {
        if matches!(*phase.borrow_and_update(), Phase::Stop) {
            return false;
        }
        for _ in 0..BURST {
            if conn.send(walk).await.is_err() {
                return true;
            }
            counters.sent.fetch_add(1, Ordering::Relaxed);
        }
        // Read what has come, without waiting for more.
        loop {
            match tokio::time::timeout(Duration::ZERO, conn.recv()).await {
                Ok(Ok(_)) => {}
                Ok(Err(_)) => return true,
                Err(_) => break,
            }
        }
    }
}
