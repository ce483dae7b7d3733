//! The server's metrics, in Prometheus's text format on `[metrics] listen` (off by default), and
//! read back by `eo-admin status`.
//!
//! Each server has its own registry (the `prometheus-client` crate; no process-wide recorder),
//! so the counts are this server's alone. Components that live apart from the player tasks
//! keep their own instruments (the database thread its call latency, the save queue its
//! write durations, the hashing pool its queue depth) and [`Metrics::new`] registers them.
//!
//! The metrics and their labels are listed in docs/running.md's "Metrics" section.

use std::sync::OnceLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A connection's state (`player::State`'s names).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    pub state: &'static str,
}

/// A map's id.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MapLabel {
    pub map: u16,
}

/// A login's outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub result: &'static str,
}

/// Why a connection was dropped.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: &'static str,
}

/// A packet family's name.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FamilyLabel {
    pub family: String,
}

/// Packets counted by family, each family's counter made on its first packet.
#[derive(Debug)]
pub struct PacketCounts {
    family: Family<FamilyLabel, Counter>,
    bytes: Counter,
    by_byte: [OnceLock<Counter>; 256],
}

impl PacketCounts {
    fn new() -> Self {
        Self {
            family: Family::default(),
            bytes: Counter::default(),
            by_byte: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    /// One packet of `body` (action, family, payload).
    pub fn count(&self, body: &[u8]) {
        self.bytes.inc_by(body.len() as u64);
        let Some(&family) = body.get(1) else {
            return;
        };
        let counter = self.by_byte[usize::from(family)].get_or_init(|| {
            let name = eo_protocol::net::PacketFamily::from_u32(u32::from(family));
            self.family.get_or_create_owned(&FamilyLabel {
                family: format!("{name:?}"),
            })
        });
        counter.inc();
    }

    /// The packets counted of the family named `family`.
    pub fn of(&self, family: &str) -> u64 {
        self.family
            .get_or_create_owned(&FamilyLabel {
                family: family.to_owned(),
            })
            .get()
    }
}

/// The instruments every part of the server records into.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub connections: Family<StateLabel, Gauge>,
    pub players_in_game: Family<MapLabel, Gauge>,
    pub npcs_alive: Family<MapLabel, Gauge>,
    pub logins: Family<ResultLabel, Counter>,
    pub received: PacketCounts,
    pub sent: PacketCounts,
    pub dropped: Family<ReasonLabel, Counter>,
    pub map_tick: Family<MapLabel, Histogram>,
    pub outbox_batch: Histogram,
}

/// Seconds from 50 µs to about 3 s, for ticks, database calls and saves.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 3.0, 11))
}

impl Metrics {
    /// The server's metrics, with the instruments its database thread (`database_calls`), save
    /// queue (`saves`) and hashing pool (`hashing_queue`) keep registered alongside.
    pub fn new(database_calls: Histogram, saves: Histogram, hashing_queue: Gauge) -> Self {
        let mut registry = Registry::with_prefix("eo");
        let metrics = Metrics {
            connections: Family::default(),
            players_in_game: Family::default(),
            npcs_alive: Family::default(),
            logins: Family::default(),
            received: PacketCounts::new(),
            sent: PacketCounts::new(),
            dropped: Family::default(),
            map_tick: Family::new_with_constructor(seconds),
            outbox_batch: Histogram::new(exponential_buckets(1.0, 2.0, 8)),
            registry: Registry::default(),
        };
        registry.register(
            "connections",
            "Open connections, by state",
            metrics.connections.clone(),
        );
        registry.register(
            "players_in_game",
            "Characters in the game, by map",
            metrics.players_in_game.clone(),
        );
        registry.register(
            "npcs_alive",
            "Living NPCs, by map",
            metrics.npcs_alive.clone(),
        );
        registry.register("logins", "Logins, by outcome", metrics.logins.clone());
        registry.register(
            "packets_received",
            "Packets received from clients, by family",
            metrics.received.family.clone(),
        );
        registry.register(
            "bytes_received",
            "Packet bytes received from clients (decrypted, without the length prefix)",
            metrics.received.bytes.clone(),
        );
        registry.register(
            "packets_sent",
            "Packets sent to clients, by family",
            metrics.sent.family.clone(),
        );
        registry.register(
            "bytes_sent",
            "Packet bytes sent to clients (before encryption, without the length prefix)",
            metrics.sent.bytes.clone(),
        );
        registry.register(
            "dropped",
            "Connections dropped for bad input, a timeout or a flood, by reason",
            metrics.dropped.clone(),
        );
        registry.register(
            "map_tick_seconds",
            "How long a map's tick took, by map",
            metrics.map_tick.clone(),
        );
        registry.register(
            "outbox_batch",
            "Messages a player task took from its outbox at once",
            metrics.outbox_batch.clone(),
        );
        registry.register(
            "database_call_seconds",
            "How long a database call took on the database thread",
            database_calls,
        );
        registry.register(
            "save_seconds",
            "How long writing a batch of characters took",
            saves,
        );
        registry.register(
            "hashing_queue",
            "Passwords waiting for or being hashed",
            hashing_queue,
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// Unregistered instruments: for a server whose parts keep none of their own (tests).
    pub fn detached() -> Self {
        Self::new(seconds(), seconds(), Gauge::default())
    }

    /// Everything in Prometheus's text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// The counters' and gauges' samples as they are now, by series (`eo_logins_total{result="ok"}`),
    /// in the order the text format lists them: what `eo-admin status` shows. Histograms are
    /// left to the endpoint.
    pub fn samples(&self) -> Vec<(String, f64)> {
        let text = self.render();
        let histograms: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("# TYPE "))
            .filter_map(|rest| rest.strip_suffix(" histogram"))
            .collect();
        text.lines()
            .filter(|line| !line.starts_with('#'))
            .filter(|line| !histograms.iter().any(|h| line.starts_with(h)))
            .filter_map(|line| {
                let (series, value) = line.rsplit_once(' ')?;
                Some((series.to_owned(), value.parse().ok()?))
            })
            .collect()
    }

    /// A histogram for a map's ticks.
    pub fn map_tick(&self, map: u16) -> Histogram {
        self.map_tick.get_or_create_owned(&MapLabel { map })
    }

    /// Counts a login's outcome.
    pub fn login(&self, result: &'static str) {
        self.logins.get_or_create(&ResultLabel { result }).inc();
    }
}

/// A histogram of seconds, as the database thread and the save queue keep theirs.
pub fn seconds_histogram() -> Histogram {
    seconds()
}

/// How long a scraper may take to send its request.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// The longest request head read; a scraper's is a few hundred bytes.
const MAX_REQUEST: usize = 8 * 1024;
/// Scrapes answered at once at most.
const MAX_SCRAPES: usize = 16;

/// Serves `GET /metrics` (and `GET /`) on `listener` until `shutdown`: the text format,
/// `text/plain; version=0.0.4`, one request a connection. Anything else is answered 404.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: std::sync::Arc<Metrics>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let mut scrapes = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            Some(_) = scrapes.join_next(), if !scrapes.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) if scrapes.len() < MAX_SCRAPES => {
                    scrapes.spawn(answer(stream, std::sync::Arc::clone(&metrics)));
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "metrics: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// Reads one request head and answers it.
async fn answer(mut stream: tokio::net::TcpStream, metrics: std::sync::Arc<Metrics>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let read = async {
        let mut buffer = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST {
            let n = stream.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..n]);
        }
        Ok::<(), std::io::Error>(())
    };
    if !matches!(
        tokio::time::timeout(REQUEST_TIMEOUT, read).await,
        Ok(Ok(()))
    ) {
        return;
    }
    let path = std::str::from_utf8(&head)
        .ok()
        .and_then(|text| text.lines().next())
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split_whitespace().next());
    let response = match path {
        Some("/metrics" | "/") => {
            let body = metrics.render();
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
    };
    let _ = tokio::time::timeout(REQUEST_TIMEOUT, stream.write_all(response.as_bytes())).await;
}
