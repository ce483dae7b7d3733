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
use crate::player::{Dropped, Opened, PlayerContext, open, run_connection};

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

/// A connection from a trusted proxy, set up (its client named) before it is admitted.
struct Introduced {
    peer: SocketAddr,
    opened: Result<Opened, Option<Dropped>>,
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
    // Connections from trusted proxies are set up first (their clients named), then admitted.
    let (introduced_tx, mut introduced_rx) = mpsc::unbounded_channel::<Introduced>();
    let mut introducing = JoinSet::new();
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    // The interval is at least a second (validated), so a second's tick is fine enough.
    let mut offender_tick = tokio::time::interval(OFFENDER_TICK);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            Some(closed) = closed_rx.recv() => {
                limits.closed(closed.addr.ip());
                log_dropped(&mut offenders, &context.metrics, closed);
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
            // Reap finished tasks so the sets do not grow.
            Some(_) = players.join_next(), if !players.is_empty() => {}
            Some(_) = introducing.join_next(), if !introducing.is_empty() => {}
            Some(introduced) = introduced_rx.recv() => {
                let Introduced { peer, opened } = introduced;
                match opened {
                    Ok(opened) => {
                        let client = opened.client;
                        if admit(&mut limits, &mut offenders, client) {
                            spawn_player(&mut players, Connection::Opened(opened), client, &context, &closed_tx);
                        }
                    }
                    Err(dropped) => log_dropped(&mut offenders, &context.metrics, Closed { addr: peer, dropped }),
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => {
                    let trusted = &context.config.get().server.trusted_proxies;
                    if crate::net::address::in_any(trusted, addr.ip()) {
                        // Its client is known once it is set up; at most as many wait for
                        // that as connections may be open.
                        if introducing.len() >= context.config.get().server.max_connections as usize {
                            continue;
                        }
                        tune(&stream);
                        let context = Arc::clone(&context);
                        let introduced_tx = introduced_tx.clone();
                        introducing.spawn(async move {
                            let opened = open(stream, addr, &context).await;
                            let _ = introduced_tx.send(Introduced { peer: addr, opened });
                        });
                        continue;
                    }
                    if admit(&mut limits, &mut offenders, addr) {
                        spawn_player(&mut players, Connection::Raw(stream), addr, &context, &closed_tx);
                    }
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
        log_dropped(&mut offenders, &context.metrics, closed);
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
fn log_dropped(offenders: &mut OffenderLog, metrics: &crate::metrics::Metrics, closed: Closed) {
    let Some(dropped) = closed.dropped else {
        return;
    };
    metrics
        .dropped
        .get_or_create(&crate::metrics::ReasonLabel {
            reason: dropped.kind,
        })
        .inc();
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

/// Counts a connection from `addr` against the limits, or logs why it is refused (the
/// caller then drops it, which closes it).
fn admit(limits: &mut ConnectionLimits, offenders: &mut OffenderLog, addr: SocketAddr) -> bool {
    let ip = addr.ip();
    match limits.admit(ip, Instant::now()) {
        Ok(()) => true,
        Err(refusal) => {
            if let Some(unlogged) = offenders.event(ip, Instant::now()) {
                info!(%addr, "connection refused: {refusal}{}", since(unlogged));
            }
            false
        }
    }
}

/// A connection admitted: as accepted, or already set up (from a trusted proxy).
enum Connection {
    Raw(tokio::net::TcpStream),
    Opened(Opened),
}

/// Socket options every client connection gets.
fn tune(stream: &tokio::net::TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = socket2::SockRef::from(stream).set_send_buffer_size(SEND_BUFFER_BYTES);
}

/// Runs an admitted connection's player task; `addr` is its client's address (what the limits
/// counted, told back when it ends).
fn spawn_player(
    players: &mut JoinSet<()>,
    connection: Connection,
    addr: SocketAddr,
    context: &Arc<PlayerContext>,
    closed_tx: &mpsc::UnboundedSender<Closed>,
) {
    let context = Arc::clone(context);
    let closed_tx = closed_tx.clone();
    // Every line the connection logs carries its address, and its player id and character
    // once it has them (`Span::current().record` in the handlers).
    let span = tracing::info_span!(
        "connection",
        addr = %addr,
        player_id = tracing::field::Empty,
        character = tracing::field::Empty
    );
    let connection = async move {
        let opened = match connection {
            Connection::Opened(opened) => Ok(opened),
            Connection::Raw(stream) => {
                tune(&stream);
                open(stream, addr, &context).await
            }
        };
        let dropped = match opened {
            Ok(opened) => run_connection(opened.framed, addr, context).await,
            Err(dropped) => dropped,
        };
        let _ = closed_tx.send(Closed { addr, dropped });
    };
    players.spawn(tracing::Instrument::instrument(connection, span));
}
