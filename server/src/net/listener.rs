//! The accept loop: applies the connection limits, spawns one player task per connection, and
//! logs refused and dropped connections through the offender log.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tracing::{info, warn};

use super::limits::ConnectionLimits;
use super::offenders::OffenderLog;
use crate::player::{Dropped, PlayerContext, run_connection};

/// How long shutdown waits for player tasks to save and close.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How often forgotten reconnect times are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// How often the offender log is checked for intervals that ended with unlogged events.
const OFFENDER_TICK: Duration = Duration::from_secs(1);
/// The kernel's send buffer of each client socket. Left alone it grows to megabytes for a
/// client that stops reading; this bounds what one slow reader holds in the kernel (its outbox
/// bounds what it holds in the server) and lets it hit the bound, and be dropped, sooner.
pub const SEND_BUFFER_BYTES: usize = 64 * 1024;

/// A connection's end, as its task reports it.
struct Closed {
    addr: SocketAddr,
    dropped: Option<Dropped>,
}

/// Accepts connections until `shutdown` is cancelled, then waits for every player task to end.
pub async fn accept_loop(listener: TcpListener, context: Arc<PlayerContext>) {
    let shutdown = context.shutdown.clone();
    let mut limits = ConnectionLimits::new(&context.config.get().server);
    let mut offenders = OffenderLog::new(context.config.get().log.offender_interval());
    let mut reloaded = context.config.subscribe();
    // Player tasks report their end here so the limits free their slot.
    let (closed_tx, mut closed_rx) = mpsc::unbounded_channel::<Closed>();
    let mut players = JoinSet::new();
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    // The interval is at least a second (validated), so a second's tick is fine enough.
    let mut offender_tick = tokio::time::interval(OFFENDER_TICK);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            Some(closed) = closed_rx.recv() => {
                limits.closed(closed.addr.ip());
                log_dropped(&mut offenders, closed);
            }
            Ok(()) = reloaded.changed() => {
                let config = reloaded.borrow_and_update().clone();
                limits.configure(&config.server);
                offenders.set_interval(config.log.offender_interval());
            }
            _ = prune.tick() => limits.prune(Instant::now()),
            _ = offender_tick.tick() => {
                log_unlogged(offenders.expire(Instant::now()));
            }
            // Reap finished tasks so the set does not grow.
            Some(_) = players.join_next(), if !players.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => {
                    let ip = addr.ip();
                    if let Err(refusal) = limits.admit(ip, Instant::now()) {
                        if let Some(unlogged) = offenders.event(ip, Instant::now()) {
                            info!(%addr, "connection refused: {refusal}{}", since(unlogged));
                        }
                        continue; // dropping the stream closes it
                    }
                    spawn_player(&mut players, stream, addr, &context, &closed_tx);
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
    while let Ok(closed) = closed_rx.try_recv() {
        log_dropped(&mut offenders, closed);
    }
    log_unlogged(offenders.drain());
}

/// The tail of a line that follows unlogged events of its address.
fn since(unlogged: u64) -> String {
    if unlogged == 0 {
        String::new()
    } else {
        format!(" ({unlogged} more refused or dropped from this address since its last line)")
    }
}

/// The one line about a connection dropped for bad input, a timeout or a flood (subject to
/// the offender log).
fn log_dropped(offenders: &mut OffenderLog, closed: Closed) {
    let Some(dropped) = closed.dropped else {
        return;
    };
    if let Some(unlogged) = offenders.event(closed.addr.ip(), Instant::now()) {
        info!(
            addr = %closed.addr,
            state = dropped.state,
            "dropped: {}{}",
            dropped.reason,
            since(unlogged)
        );
    }
}

fn log_unlogged(summaries: Vec<(std::net::IpAddr, u64)>) {
    for (ip, unlogged) in summaries {
        info!(
            %ip,
            unlogged,
            "{unlogged} more connections from this address were refused or dropped (not logged one by one)"
        );
    }
}

fn spawn_player(
    players: &mut JoinSet<()>,
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    context: &Arc<PlayerContext>,
    closed_tx: &mpsc::UnboundedSender<Closed>,
) {
    let _ = stream.set_nodelay(true);
    let _ = socket2::SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER_BYTES);
    let context = Arc::clone(context);
    let closed_tx = closed_tx.clone();
    players.spawn(async move {
        let dropped = run_connection(stream, addr, context).await;
        let _ = closed_tx.send(Closed { addr, dropped });
    });
}
