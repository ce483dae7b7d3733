//! `eo-bots`: a swarm of bot players for measuring an eo-server.
//!
//! It creates (or reuses) N accounts and characters, logs them in with bounded concurrency,
//! then each bot walks and chats at the given rates while one or more observer clients time
//! the broadcasts: from a bot's send to the observer's receipt of the matching Walk_Player
//! (by player id and tile) or chat line (which carries its send time). It prints a progress
//! line while it runs, a report, and last a JSON line with the same figures.
//!
//! It connects only to the address it is given (127.0.0.1:8078 by default).

mod conn;
mod crowd;
mod flood;
mod grid;
mod login;
mod play;
mod procfs;
mod report;
mod stats;
mod swarm;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use crate::procfs::CpuMark;
use crate::report::Report;
use crate::stats::{Counters, Summary};
use crate::swarm::{Phase, Swarm};

/// A swarm of bot players that log in, walk and chat, while observers time the broadcasts.
///
/// Accounts and characters are named PREFIX plus four letters (`botaaaa`, `botaaab`, ...;
/// observers `PREFIX` + `obs` + a letter) and reused when they exist, so later runs skip
/// creating them. The bots run on this machine: their own CPU use is reported beside the
/// server's (`--server-pid`).
///
/// Exit status: 0 when every bot entered the game and stayed to the end, 1 otherwise, 2 when
/// the run could not start (bad arguments, no observer could enter).
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Args {
    /// The server's game address (the only address the swarm connects to).
    #[arg(long, default_value = "127.0.0.1:8078", value_name = "HOST:PORT")]
    addr: String,
    /// Bot players.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=64000))]
    bots: u32,
    /// Seconds the bots walk and chat once all have logged in.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    seconds: u64,
    /// Steps per second of each bot (0: no walking).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    walk_hz: f64,
    /// Chat lines per second of each bot (0: no chat).
    #[arg(long, default_value_t = 0.1, value_name = "F")]
    chat_hz: f64,
    /// The start of every account and character name: 1 to 8 lowercase letters.
    #[arg(long, default_value = "bot", value_name = "P")]
    prefix: String,
    /// The bots' password.
    #[arg(long, default_value = "swarm123")]
    password: String,
    /// Bots logging in at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
    /// Observer clients (each stands where its character is and times what it sees).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=26))]
    observers: u32,
    /// Seconds between progress lines (on standard error).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    progress_secs: u64,
    /// Seconds one bot may take from connecting to entering the game.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    login_timeout: u64,
    /// The server's process id, to report its CPU use during the run and its memory.
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// Flooding clients beside the swarm during play: each sends walks as fast as its socket
    /// takes them until the server drops it, then connects again a second later.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=26))]
    flooders: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(problem) = check(&args) {
        eprintln!("eo-bots: {problem}");
        return ExitCode::from(2);
    }
    let wanted = u64::from(args.bots + args.observers) + 64;
    match procfs::raise_fd_limit() {
        Some(limit) if limit < wanted => eprintln!(
            "eo-bots: warning: the open-file limit is {limit}, below the {wanted} sockets wanted (raise ulimit -Hn)"
        ),
        Some(_) => {}
        None => eprintln!("eo-bots: warning: cannot read or raise the open-file limit"),
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("eo-bots: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(run(args))
}

fn check(args: &Args) -> Result<(), String> {
    let prefix_ok =
        (1..=8).contains(&args.prefix.len()) && args.prefix.bytes().all(|b| b.is_ascii_lowercase());
    if !prefix_ok {
        return Err(format!(
            "--prefix {:?}: 1 to 8 lowercase letters (character names are letters only, 12 at most)",
            args.prefix
        ));
    }
    for (name, rate) in [("--walk-hz", args.walk_hz), ("--chat-hz", args.chat_hz)] {
        if !(0.0..=50.0).contains(&rate) {
            return Err(format!("{name} {rate}: from 0 to 50"));
        }
    }
    if !(6..=12).contains(&args.password.chars().count()) {
        return Err("--password: 6 to 12 characters".into());
    }
    Ok(())
}

/// Bot `i`'s name: the prefix and `i` in four letters (a..z, most significant first).
fn bot_name(prefix: &str, i: u32) -> String {
    let mut letters = [b'a'; 4];
    let mut n = i;
    for slot in letters.iter_mut().rev() {
        *slot = b'a' + (n % 26) as u8;
        n /= 26;
    }
    format!("{prefix}{}", String::from_utf8_lossy(&letters))
}

/// Observer `k`'s name: never a bot's (bots' first letter is at most `d`: 64,000 < 4 * 26^3).
fn observer_name(prefix: &str, k: u32) -> String {
    format!("{prefix}obs{}", (b'a' + (k % 26) as u8) as char)
}

/// Flooder `k`'s name: never a bot's or an observer's.
fn flooder_name(prefix: &str, k: u32) -> String {
    format!("{prefix}fld{}", (b'a' + (k % 26) as u8) as char)
}

fn period(hz: f64) -> Option<Duration> {
    (hz > 0.0).then(|| Duration::from_secs_f64(1.0 / hz))
}

async fn run(args: Args) -> ExitCode {
    let addr: SocketAddr = match tokio::net::lookup_host(&args.addr).await {
        Ok(mut addrs) => match addrs.next() {
            Some(addr) => addr,
            None => {
                eprintln!("eo-bots: --addr {}: no address", args.addr);
                return ExitCode::from(2);
            }
        },
        Err(error) => {
            eprintln!("eo-bots: --addr {}: {error}", args.addr);
            return ExitCode::from(2);
        }
    };
    let server_pid = args.server_pid.map(|pid| pid.to_string());
    let server_rss_before = server_pid.as_deref().and_then(procfs::rss_kib);
    let (phase_tx, phase) = watch::channel(Phase::Login);
    let mut inboxes = Vec::new();
    let mut observers = Vec::new();
    for _ in 0..args.observers {
        let (tx, rx) = mpsc::channel(1 << 16);
        observers.push(tx);
        inboxes.push(rx);
    }
    let swarm = Arc::new(Swarm {
        addr,
        password: args.password.clone(),
        walk_every: period(args.walk_hz),
        chat_every: period(args.chat_hz),
        counters: Counters::default(),
        errors: Default::default(),
        login_latency: Default::default(),
        walk_latency: Default::default(),
        chat_latency: Default::default(),
        maps: Default::default(),
        epoch: Instant::now(),
        observers,
        phase,
    });
    eprintln!(
        "eo-bots: {} bots and {} observer(s) against {addr}: walk {} Hz, chat {} Hz, {} s of play",
        args.bots, args.observers, args.walk_hz, args.chat_hz, args.seconds
    );

    // The observers enter first, so they see the crowd arrive. Each runs on a thread and
    // runtime of its own, as a real client is a process of its own: in the bots' runtime a
    // broadcast's receipt would wait behind thousands of bot tasks woken by the same traffic.
    let mut observer_threads = Vec::new();
    for (k, inbox) in inboxes.into_iter().enumerate() {
        let name = observer_name(&args.prefix, k as u32);
        let (entered_tx, entered_rx) = tokio::sync::oneshot::channel();
        let swarm = Arc::clone(&swarm);
        let thread = std::thread::Builder::new()
            .name(format!("observer-{k}"))
            .spawn(move || observe(swarm, name, inbox, entered_tx));
        match thread {
            Ok(thread) => observer_threads.push(thread),
            Err(error) => {
                eprintln!("eo-bots: cannot start an observer thread: {error}");
                return ExitCode::from(2);
            }
        }
        match entered_rx.await {
            Ok(Ok(line)) => eprintln!("eo-bots: {line}"),
            Ok(Err(line)) => {
                eprintln!("eo-bots: {line}");
                return ExitCode::from(2);
            }
            Err(_) => {
                eprintln!("eo-bots: an observer thread ended before entering");
                return ExitCode::from(2);
            }
        }
    }
    let mut tasks = JoinSet::new();

    // The bots log in, at most `concurrency` at once; each then waits for the play phase.
    let login_started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.concurrency as usize));
    let (logged_tx, mut logged_rx) = mpsc::unbounded_channel::<()>();
    let login_timeout = Duration::from_secs(args.login_timeout);
    for i in 0..args.bots {
        let swarm = Arc::clone(&swarm);
        let gate = Arc::clone(&gate);
        let logged = logged_tx.clone();
        let name = bot_name(&args.prefix, i);
        tasks.spawn(async move {
            let permit = gate.acquire_owned().await;
            let started = Instant::now();
            let entered = tokio::time::timeout(login_timeout, login::enter(&swarm, &name)).await;
            drop(permit);
            let entered = match entered {
                Ok(Ok(entered)) => entered,
                Ok(Err(error)) => {
                    Counters::add(&swarm.counters.logins_failed, 1);
                    swarm.errors.add(format!("login: {}", error.kind()));
                    let _ = logged.send(());
                    return;
                }
                Err(_) => {
                    Counters::add(&swarm.counters.logins_failed, 1);
                    swarm.errors.add("login: timeout: --login-timeout".into());
                    let _ = logged.send(());
                    return;
                }
            };
            swarm
                .login_latency
                .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
            Counters::add(&swarm.counters.logins_ok, 1);
            Counters::add(&swarm.counters.in_game, 1);
            let _ = logged.send(());
            if let Err(error) = play::bot(Arc::clone(&swarm), entered).await {
                swarm
                    .counters
                    .in_game
                    .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                Counters::add(&swarm.counters.disconnects, 1);
                swarm.errors.add(format!("in game: {}", error.kind()));
            }
        });
    }
    drop(logged_tx);
    let progress_every = Duration::from_secs(args.progress_secs);
    let mut progress =
        tokio::time::interval_at(tokio::time::Instant::now() + progress_every, progress_every);
    let mut finished = 0;
    while finished < args.bots {
        tokio::select! {
            done = logged_rx.recv() => match done {
                Some(()) => finished += 1,
                None => break,
            },
            _ = progress.tick() => login_progress(&swarm, args.bots, login_started),
        }
    }
    let login_secs = login_started.elapsed().as_secs_f64();
    let c = &swarm.counters;
    eprintln!(
        "eo-bots: logins done in {login_secs:.1} s: {} in the game, {} failed",
        Counters::get(&c.logins_ok),
        Counters::get(&c.logins_failed)
    );

    // The flooders wait for the play phase, then flood until the end.
    let flood = Arc::new(flood::FloodCounters::default());
    let mut flooder_threads = Vec::new();
    for k in 0..args.flooders {
        let name = flooder_name(&args.prefix, k);
        match flood::spawn(Arc::clone(&swarm), name, Arc::clone(&flood)) {
            Ok(thread) => flooder_threads.push(thread),
            Err(error) => {
                eprintln!("eo-bots: cannot start a flooder thread: {error}");
                return ExitCode::from(2);
            }
        }
    }

    // Play.
    let play_started = Instant::now();
    let until = tokio::time::Instant::now() + Duration::from_secs(args.seconds);
    let server_cpu = server_pid.as_deref().map(CpuMark::now);
    let server_syscalls_before = server_pid.as_deref().and_then(procfs::syscalls);
    let own_cpu = CpuMark::now("self");
    let _ = phase_tx.send(Phase::Play { until });
    swarm.walk_latency.since_last();
    swarm.chat_latency.since_last();
    let mut progress =
        tokio::time::interval_at(tokio::time::Instant::now() + progress_every, progress_every);
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(until) => break,
            _ = progress.tick() => play_progress(&swarm, args.bots, play_started),
        }
    }
    let play_secs = play_started.elapsed().as_secs_f64();
    let server_cpu = match (&server_pid, server_cpu) {
        (Some(pid), Some(mark)) => mark.used_since(pid),
        _ => None,
    };
    let server_rss = server_pid.as_deref().and_then(procfs::rss_kib);
    let server_syscalls = match (
        server_syscalls_before,
        server_pid.as_deref().and_then(procfs::syscalls),
    ) {
        (Some((r0, w0)), Some((r1, w1))) => Some((r1.saturating_sub(r0), w1.saturating_sub(w0))),
        _ => None,
    };
    let own_cpu_percent = own_cpu.percent_since("self");
    let in_game_at_end = Counters::get(&c.in_game);
    let _ = phase_tx.send(Phase::Stop);
    // Everyone stops at the deadline; a stuck task does not hold the report.
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.abort_all();
    for thread in observer_threads.into_iter().chain(flooder_threads) {
        // Each has seen the stop (or its connection ended); its runtime is done.
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }

    let report = Report {
        args: &args,
        swarm: &swarm,
        login_secs,
        play_secs,
        in_game_at_end,
        server_cpu,
        server_rss_before,
        server_rss,
        server_syscalls,
        own_cpu_percent,
        flood: &flood,
    };
    report.print();
    let all_stayed = Counters::get(&c.logins_ok) == u64::from(args.bots)
        && in_game_at_end == u64::from(args.bots);
    if all_stayed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// An observer's thread: its own runtime, entering the game (reported on `entered`), then
/// timing broadcasts until the run stops.
fn observe(
    swarm: Arc<Swarm>,
    name: String,
    inbox: mpsc::Receiver<swarm::WalkNote>,
    entered: tokio::sync::oneshot::Sender<Result<String, String>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = entered.send(Err(format!("observer {name}: no runtime: {error}")));
            return;
        }
    };
    runtime.block_on(async move {
        let me = match login::enter(&swarm, &name).await {
            Ok(me) => me,
            Err(error) => {
                let _ = entered.send(Err(format!(
                    "observer {name} could not enter the game: {error}"
                )));
                return;
            }
        };
        let _ = entered.send(Ok(format!(
            "observer {name} is on map {} at ({}, {})",
            me.map, me.x, me.y
        )));
        if let Err(error) = play::observer(Arc::clone(&swarm), me, inbox).await {
            swarm.errors.add(format!("observer: {}", error.kind()));
        }
    });
}

fn login_progress(swarm: &Swarm, bots: u32, started: Instant) {
    let c = &swarm.counters;
    let ok = Counters::get(&c.logins_ok);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "eo-bots: [login {secs:>5.0} s] {ok}/{bots} in the game ({:.1}/s), {} failed, {} errors",
        ok as f64 / secs.max(0.001),
        Counters::get(&c.logins_failed),
        swarm.errors.total()
    );
}

fn play_progress(swarm: &Swarm, bots: u32, started: Instant) {
    let c = &swarm.counters;
    let mut recent = swarm.walk_latency.since_last();
    recent.extend(swarm.chat_latency.since_last());
    recent.sort_unstable();
    eprintln!(
        "eo-bots: [play {:>5.0} s] {}/{bots} in the game | sent {} walks ({} refused), {} chats | received {} | latency {} | {} disconnects, {} errors",
        started.elapsed().as_secs_f64(),
        Counters::get(&c.in_game),
        Counters::get(&c.walks_sent),
        Counters::get(&c.walks_refused),
        Counters::get(&c.chats_sent),
        Counters::get(&c.received),
        Summary::line(Summary::of(&recent)),
        Counters::get(&c.disconnects),
        swarm.errors.total(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_account_and_character_names_and_never_collide() {
        assert_eq!(bot_name("bot", 0), "botaaaa");
        assert_eq!(bot_name("bot", 27), "botaabb");
        assert_eq!(bot_name("abcdefgh", 63_999).len(), 12);
        assert!(bot_name("bot", 63_999).starts_with("botd"));
        assert_eq!(observer_name("bot", 0), "botobsa");
        let bots: std::collections::HashSet<_> = (0..64_000).map(|i| bot_name("x", i)).collect();
        assert_eq!(bots.len(), 64_000);
        assert!((0..26).all(|k| !bots.contains(&observer_name("x", k))));
        assert!((0..26).all(|k| !bots.contains(&flooder_name("x", k))));
        assert_ne!(flooder_name("x", 0), observer_name("x", 0));
    }
}
