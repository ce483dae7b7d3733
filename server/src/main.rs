//! `eo-server [--config FILE] [--listen ADDR:PORT]`: loads the configuration, binds, and runs
//! until SIGINT or SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use eo_server::config::Config;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};
use tracing_subscriber::EnvFilter;

/// An Endless Online game server.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The configuration file (default: eo-server.toml in the working directory if present,
    /// else built-in defaults). Every key can also be set as EO_<SECTION>_<KEY>.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The address to listen on, overriding server.listen.
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<std::net::SocketAddr>,
    /// Print the effective configuration and exit.
    #[arg(long)]
    print_config: bool,
}

fn main() -> ExitCode {
    // Before any thread starts (see `process`).
    eo_server::process::fix_mmap_threshold();
    let args = Args::parse();
    let mut config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("eo-server: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if args.print_config {
        print!("{}", config.to_toml_string());
        return ExitCode::SUCCESS;
    }
    // RUST_LOG, when set, wins over the config's log.filter.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(config.log.filter.as_str()));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    raise_fd_limit(&config);

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("eo-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> ExitCode {
    let listener = match TcpListener::bind(config.server.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            error!(listen = %config.server.listen, "cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    match eo_server::run(config, listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            error!("{err}");
            ExitCode::FAILURE
        }
    }
}

/// Raises the open-file limit so `max_connections` sockets can be open; warns if even the hard
/// limit is too low for them.
fn raise_fd_limit(config: &Config) {
    // Besides the connections: the database, its WAL, the listener, the control socket and
    // its clients, and the map and pub files while loading.
    const SPARE: u64 = 64;
    match eo_server::process::raise_to_hard_limit() {
        Ok((before, after)) => {
            if after > before {
                info!(before, after, "raised the open-file limit");
            }
            let wanted = u64::from(config.server.max_connections) + SPARE;
            if after < wanted {
                warn!(
                    limit = after,
                    wanted,
                    "the open-file limit is below server.max_connections plus spare; raise the hard limit (ulimit -Hn)"
                );
            }
        }
        Err(error) => warn!(%error, "cannot raise the open-file limit"),
    }
}

/// Cancels `shutdown` on SIGINT (Ctrl-C) or SIGTERM.
async fn stop_on_signal(shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    info!("shutting down");
    shutdown.cancel();
}
