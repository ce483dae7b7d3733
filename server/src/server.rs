//! Starting and stopping a whole server: `run` is what the binary and the integration tests call.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::auth::PasswordHasher;
use crate::config::Config;
use crate::control::{Admin, ControlSocket};
use crate::data::{GameData, SpawnPoints};
use crate::db::Db;
use crate::map::MapHandle;
use crate::net::listener::accept_loop;
use crate::player::PlayerContext;
use crate::world::WorldHandle;

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
    run_with_hasher(config, listener, shutdown, None).await
}

/// [`run`] with a given password hasher (tests use a cheap one).
pub async fn run_with_hasher(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
    hasher: Option<PasswordHasher>,
) -> Result<(), StartError> {
    let control = ControlSocket::bind(&config.control.socket).await?;
    let data = Arc::new(GameData::load(&config.world.data_dir)?);
    let spawns = SpawnPoints::new(&config.world, &data)?;
    let maps = data
        .maps
        .keys()
        .filter_map(|id| MapHandle::spawn(Arc::clone(&data), *id).map(|handle| (*id, handle)))
        .collect();
    info!(maps = data.maps.len(), "game data loaded");
    let db = Db::open(&config.database.path)
        .await
        .map_err(|error| StartError::Database {
            path: config.database.path.display().to_string(),
            error,
        })?;
    let hasher = match hasher {
        Some(hasher) => hasher,
        None => PasswordHasher::new(HASHER_THREADS, HASHER_QUEUE).map_err(StartError::Hasher)?,
    };
    let max_ids = u16::try_from(config.server.max_connections).unwrap_or(u16::MAX);
    let world = WorldHandle::spawn(max_ids, config.server.max_players as usize);
    let listen = listener.local_addr().ok();
    if let Some(addr) = listen {
        info!(%addr, "listening");
    }
    let context = Arc::new(PlayerContext {
        config: Arc::new(config),
        data,
        spawns,
        maps,
        db,
        hasher,
        world,
        shutdown,
        admin: std::sync::OnceLock::new(),
    });
    let admin = Arc::new(Admin::new(Arc::clone(&context), listen));
    let _ = context.admin.set(Arc::downgrade(&admin));
    let control = tokio::spawn(control.serve(Arc::clone(&admin), context.shutdown.clone()));
    accept_loop(listener, context).await;
    // The control socket stops at the same shutdown; let it finish what it is answering.
    let _ = control.await;
    info!("server stopped");
    Ok(())
}
