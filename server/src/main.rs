//! `eo-server [--config FILE] [--listen ADDR:PORT]`: loads the configuration, binds, and runs
//! until SIGINT or SIGTERM; SIGHUP rereads the configuration (as `eo-admin reload`).
//! `--copy-database-to TARGET` moves the configured database to another backend instead: it
//! lives here, not in `eo-admin`, because it opens both databases itself (with the server's
//! schema, migrations and drivers), while the server is stopped; `eo-admin` is a small client
//! of a running server's control socket.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use eo_server::config::{Config, LogFormat};
use eo_server::reload::ConfigSource;
use eo_server::server::{LogFilterReload, RunOptions};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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
    /// Check the configuration and the world it names (maps, pub files, data files, the
    /// spawn point), then exit: 0 if the server would start with them, 2 if not.
    #[arg(long)]
    check_config: bool,
    /// Copy every table of the configured database (database.url, else database.path) into
    /// TARGET, a new, empty database, then exit: postgres://USER:PASSWORD@HOST/DATABASE, or
    /// sqlite:PATH. Stop the server first: what it writes during the copy is not copied.
    #[arg(long, value_name = "TARGET")]
    copy_database_to: Option<String>,
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
    if args.check_config {
        return check_config(&config);
    }
    if let Some(target) = &args.copy_database_to {
        return copy_database(&config, target);
    }
    // RUST_LOG, when set, wins over the config's log.filter (and then a reload does not
    // change the filter either).
    let from_env = EnvFilter::try_from_default_env().ok();
    let rust_log = from_env.is_some();
    let filter = from_env.unwrap_or_else(|| EnvFilter::new(config.log.filter.as_str()));
    let (filter, filter_handle) = tracing_subscriber::reload::Layer::new(filter);
    // Text for people, or JSON for log collectors (a connection's span fields in each object).
    let json = config.log.format == LogFormat::Json;
    tracing_subscriber::registry()
        .with(filter)
        .with((!json).then(tracing_subscriber::fmt::layer))
        .with(json.then(|| {
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(false)
        }))
        .init();
    raise_fd_limit(&config);
    let log_filter: LogFilterReload = Box::new(move |directive: &str| {
        if rust_log {
            return Err("RUST_LOG is set, and takes precedence".to_owned());
        }
        let filter = EnvFilter::builder()
            .parse(directive)
            .map_err(|e| e.to_string())?;
        filter_handle.reload(filter).map_err(|e| e.to_string())
    });
    let options = RunOptions {
        config_source: Some(ConfigSource {
            path: args.config.clone(),
            default_dir: PathBuf::new(),
            env: true,
            listen: args.listen,
        }),
        log_filter: Some(log_filter),
        reload_on_sighup: true,
        notify_service_manager: true,
        ..RunOptions::default()
    };

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("eo-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(config, options))
}

async fn serve(config: Config, options: RunOptions) -> ExitCode {
    let listener = match TcpListener::bind(config.server.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            error!(listen = %config.server.listen, "cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    match eo_server::server::run_with(config, listener, shutdown, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            error!("{err}");
            ExitCode::FAILURE
        }
    }
}

/// `--copy-database-to`: copies the configured database into a new one. It runs before any
/// runtime starts: the PostgreSQL client blocks on a runtime of its own.
fn copy_database(config: &Config, target: &str) -> ExitCode {
    let target = match eo_server::db::Location::parse(target) {
        Ok(target) => target,
        Err(error) => {
            eprintln!("eo-server: --copy-database-to: {error}");
            return ExitCode::from(2);
        }
    };
    let source = config.database.location();
    println!("eo-server: copying {source} to {target}");
    match eo_server::db::copy_database(&source, &target) {
        Ok(report) => {
            println!("eo-server: copied {report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("eo-server: the copy failed, and {target} was left unchanged: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `--check-config`: loads the world as start-up would and says what it found, or what stops
/// it.
fn check_config(config: &Config) -> ExitCode {
    match eo_server::server::load_world(config) {
        Ok((data, _)) => {
            let world = if config.world.uses_bundled() {
                "the bundled world".to_owned()
            } else {
                format!("the world in {}", config.world.data_dir.display())
            };
            println!(
                "eo-server: the configuration and {world} are fine: {} maps, {} items, {} NPCs, {} spells, {} classes, {} quests",
                data.maps.len(),
                data.items.count.saturating_sub(1),
                data.npcs.count.saturating_sub(1),
                data.spells.count.saturating_sub(1),
                data.classes.count.saturating_sub(1),
                data.quests.current().len(),
            );
            // A broken quest file does not stop the server (the others run), so it does not
            // fail the check either; it is named here.
            for error in eo_server::quest::Quests::load_for(config).1 {
                eprintln!("eo-server: a quest file did not load: {error}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("eo-server: {error}");
            ExitCode::from(2)
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
