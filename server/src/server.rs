//! Starting and stopping a whole server: `run` is what the binary and the integration tests call.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::auth::PasswordHasher;
use crate::auth::guard::LoginGuard;
use crate::config::Config;
use crate::control::{Admin, ControlSocket, Reloading, Source};
use crate::data::{GameData, SpawnPoints};
use crate::db::Db;
use crate::map::MapHandle;
use crate::metrics::Metrics;
use crate::net::listener::accept_loop;
use crate::player::PlayerContext;
use crate::reload::{ConfigSource, LiveConfig};
use crate::save::SaveQueue;
use crate::world::WorldHandle;

/// How long shutdown waits for the last saves to commit.
const SHUTDOWN_SAVE_GRACE: std::time::Duration = std::time::Duration::from_secs(30);
/// Threads that hash passwords, and how many hashing jobs may wait before logins get Busy.
const HASHER_THREADS: usize = 2;
const HASHER_QUEUE: usize = 64;

/// A server that could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database {path}: {error}")]
    Database {
        path: String,
        error: crate::db::DbError,
    },
    #[error("password hashing: {0}")]
    Hasher(crate::auth::AuthError),
    #[error("game data: {0}")]
    Data(#[from] crate::data::DataError),
    /// A spawn area that is not on a walkable tile of an existing map.
    #[error("{0}")]
    Spawn(#[from] crate::data::SpawnError),
    /// Another server answers on the control socket.
    #[error(
        "control socket {path}: another server is running and answering on it (stop it, or set [control] socket to another path)"
    )]
    ControlSocketInUse { path: String },
    /// The bundled world could not be written out to be loaded.
    #[error("the bundled world: {0}")]
    Bundled(std::io::Error),
    /// The metrics endpoint could not listen.
    #[error("metrics.listen {listen}: {error}")]
    Metrics {
        listen: std::net::SocketAddr,
        error: std::io::Error,
    },
    /// The control socket could not be created.
    #[error("control socket {path}: {error}")]
    ControlSocket { path: String, error: std::io::Error },
}

/// Runs a server on `listener` until `shutdown` is cancelled, then closes every connection and
/// returns. The control socket (`[control] socket`) is bound first, so a second server with the
/// same configuration stops before it touches the database.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), StartError> {
    run_with(config, listener, shutdown, RunOptions::default()).await
}

/// Loads the world a configuration names and checks the configuration against it (the spawn
/// point and areas): what `run` starts with, and all `eo-server --check-config` does.
pub fn load_world(config: &Config) -> Result<(GameData, SpawnPoints), StartError> {
    let data = if config.world.uses_bundled() {
        // Written out for the loaders, read whole into memory, and removed again.
        let dir = tempfile::tempdir().map_err(StartError::Bundled)?;
        crate::data::bundled::write_to(dir.path()).map_err(StartError::Bundled)?;
        GameData::load(dir.path())?
    } else {
        GameData::load(&config.world.data_dir)?
    };
    let spawns = SpawnPoints::new(&config.world, &data)?;
    Ok((data, spawns))
}

/// Applies a new `log.filter` directive to the running logger, or says why it cannot.
pub type LogFilterReload = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// How a server is run, beyond its configuration.
#[derive(Default)]
pub struct RunOptions {
    /// The password hasher; `None` builds the default one (tests pass a cheap one).
    pub hasher: Option<PasswordHasher>,
    /// Where `reload` rereads the configuration; `None` refuses `reload`.
    pub config_source: Option<ConfigSource>,
    /// Puts a reloaded `log.filter` in force; `None`: a changed filter needs a restart.
    pub log_filter: Option<LogFilterReload>,
    /// Reload the configuration on SIGHUP, as EOSERV rehashes (the binary sets it).
    pub reload_on_sighup: bool,
    /// Tell the service manager (systemd, `Type=notify`) when the server is ready and when it
    /// stops (the binary sets it; a no-op when it was not started by one).
    pub notify_service_manager: bool,
}

/// [`run`] with [`RunOptions`].
pub async fn run_with(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
    options: RunOptions,
) -> Result<(), StartError> {
    let RunOptions {
        hasher,
        config_source,
        log_filter,
        reload_on_sighup,
        notify_service_manager,
    } = options;
    let control = ControlSocket::bind(&config.control.socket).await?;
    let (data, spawns) = load_world(&config)?;
    let data = Arc::new(data);
    let config = Arc::new(config);
    let location = config.database.location();
    let db = Db::open_at(&location)
        .await
        .map_err(|error| StartError::Database {
            path: location.to_string(),
            error,
        })?;
    tracing::info!(database = %location, "database open");
    let saves = SaveQueue::spawn(db.clone());
    let hasher = match hasher {
        Some(hasher) => hasher,
        None => PasswordHasher::new(HASHER_THREADS, HASHER_QUEUE).map_err(StartError::Hasher)?,
    };
    let metrics = Arc::new(Metrics::new(
        db.call_seconds(),
        saves.write_seconds(),
        hasher.queue_gauge(),
    ));
    let maps: std::collections::HashMap<u16, MapHandle> = data
        .maps
        .keys()
        .filter_map(|id| {
            let services = crate::map::MapServices {
                saves: saves.clone(),
                metrics: Arc::clone(&metrics),
            };
            MapHandle::spawn(Arc::clone(&data), *id, Arc::clone(&config), services)
                .map(|handle| (*id, handle))
        })
        .collect();
    info!(maps = data.maps.len(), "game data loaded");
    let metrics_endpoint = if config.metrics.enabled {
        let listener = TcpListener::bind(config.metrics.listen)
            .await
            .map_err(|error| StartError::Metrics {
                listen: config.metrics.listen,
                error,
            })?;
        if let Ok(addr) = listener.local_addr() {
            // Not "listening": that word is the game port's line.
            info!(%addr, "serving metrics at http://{addr}/metrics");
        }
        Some(listener)
    } else {
        None
    };
    let max_ids = u16::try_from(config.server.max_connections).unwrap_or(u16::MAX);
    let world = WorldHandle::spawn_with(
        max_ids,
        config.server.max_players as usize,
        maps.clone(),
        usize::from(config.parties.max_size),
    );
    let listen = listener.local_addr().ok();
    if let Some(addr) = listen {
        info!(%addr, "listening");
    }
    // The maps keep the start-up snapshot: the keys they read are not reloadable.
    let live = LiveConfig::new(Config::clone(&config));
    let login_guard = LoginGuard::spawn(live.subscribe());
    let context = Arc::new(PlayerContext {
        config: live,
        data: crate::data::LiveData::new(data),
        spawns,
        maps,
        db,
        saves,
        metrics,
        hasher,
        login_guard,
        world,
        shutdown,
        admin: std::sync::OnceLock::new(),
    });
    let admin = Arc::new(Admin::new(
        Arc::clone(&context),
        listen,
        Reloading {
            source: config_source,
            log_filter,
        },
    ));
    let _ = context.admin.set(Arc::downgrade(&admin));
    if reload_on_sighup {
        tokio::spawn(reload_on_hangup(
            Arc::clone(&admin),
            context.shutdown.clone(),
        ));
    }
    let control = tokio::spawn(control.serve(Arc::clone(&admin), context.shutdown.clone()));
    if let Some(listener) = metrics_endpoint {
        tokio::spawn(crate::metrics::serve(
            listener,
            Arc::clone(&context.metrics),
            context.shutdown.clone(),
        ));
    }
    if notify_service_manager {
        crate::process::notify_service_manager(&sd_notify::NotifyState::Ready);
        let stopping = context.shutdown.clone();
        tokio::spawn(async move {
            stopping.cancelled().await;
            crate::process::notify_service_manager(&sd_notify::NotifyState::Stopping);
        });
    }
    accept_loop(listener, Arc::clone(&context)).await;
    // The control socket stops at the same shutdown; let it finish what it is answering.
    let _ = control.await;
    save_everyone(&context).await;
    info!("server stopped");
    Ok(())
}

/// At shutdown, after the players have left (each left its map, saved): whatever is still on a
/// map (a player task that did not end in time) is saved too, and the saves are waited for.
async fn save_everyone(context: &PlayerContext) {
    for map in context.maps.values() {
        let _ = map.save_all().await;
    }
    match tokio::time::timeout(SHUTDOWN_SAVE_GRACE, context.saves.barrier()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "saving at shutdown failed"),
        Err(_) => tracing::error!(
            "the saves were not confirmed within {SHUTDOWN_SAVE_GRACE:?}; stopping anyway"
        ),
    }
}

/// Reloads the configuration on each SIGHUP until shutdown; the outcome is logged and audited
/// like the `reload` command.
async fn reload_on_hangup(admin: Arc<Admin>, shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangup) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; use `eo-admin reload`");
            return;
        };
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                received = hangup.recv() => {
                    if received.is_none() {
                        return;
                    }
                    let _ = admin.execute(&Source::Signal, "reload", serde_json::Value::Null).await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (admin, shutdown);
    }
}
