//! The accept loop: applies the connection limits and spawns one player task per connection.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tracing::{info, warn};

use super::limits::ConnectionLimits;
use crate::player::{PlayerContext, run_connection};

/// How long shutdown waits for player tasks to save and close.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How often forgotten reconnect times are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Accepts connections until `shutdown` is cancelled, then waits for every player task to end.
pub async fn accept_loop(listener: TcpListener, context: Arc<PlayerContext>) {
    let shutdown = context.shutdown.clone();
    let mut limits = ConnectionLimits::new(&context.config.get().server);
    let mut reloaded = context.config.subscribe();
    // Player tasks report their end here so the limits free their slot.
    let (closed_tx, mut closed_rx) = mpsc::unbounded_channel::<IpAddr>();
    let mut players = JoinSet::new();
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            Some(ip) = closed_rx.recv() => limits.closed(ip),
            Ok(()) = reloaded.changed() => {
                let config = reloaded.borrow_and_update().clone();
                limits.configure(&config.server);
            }
            _ = prune.tick() => limits.prune(Instant::now()),
            // Reap finished tasks so the set does not grow.
            Some(_) = players.join_next(), if !players.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => {
                    admit(&mut limits, &mut players, stream, addr, &context, &closed_tx);
                }
                Err(error) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    info!(
        players = players.len(),
        "stopped accepting; waiting for players to leave"
    );
    // Each player task saves and closes on shutdown; a stuck one does not hold the exit.
    let all_left = async { while players.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, all_left)
        .await
        .is_err()
    {
        warn!("some players had not left after {SHUTDOWN_GRACE:?}; stopping anyway");
    }
}

fn admit(
    limits: &mut ConnectionLimits,
    players: &mut JoinSet<()>,
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    context: &Arc<PlayerContext>,
    closed_tx: &mpsc::UnboundedSender<IpAddr>,
) {
    let ip = addr.ip();
    if let Err(refusal) = limits.admit(ip, Instant::now()) {
        info!(%addr, "connection refused: {refusal}");
        return; // dropping the stream closes it
    }
    let _ = stream.set_nodelay(true);
    let context = Arc::clone(context);
    let closed_tx = closed_tx.clone();
    players.spawn(async move {
        run_connection(stream, addr, context).await;
        let _ = closed_tx.send(ip);
    });
}
