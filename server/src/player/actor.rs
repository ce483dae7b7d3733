//! The player task: reads frames, checks sequences, decodes packets and runs their handlers;
//! writes what other actors queue for it; pings; enforces the handshake time limit. Where a
//! connection is in its life is in `state.rs`, why one ends in `disconnect.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use eo_protocol::DecodeError;
use eo_protocol::codec::FrameError;
use eo_protocol::net::client::ClientPacket;
use eo_protocol::net::{PacketAction, PacketFamily};
use eo_protocol::sequence::ServerSequencer;
use eo_protocol::serialize::Packet;
use futures_util::{FutureExt, SinkExt, StreamExt};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep_until};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error};

use super::flood::{FloodGuard, Verdict};
use super::handle::{CloseReason, PlayerHandle, PlayerMessage};
use super::handlers;
use crate::auth::PasswordHasher;
use crate::db::Db;
use crate::net::packet;
use crate::net::websocket::Transport;
use crate::world::WorldHandle;

pub(crate) use super::disconnect::Disconnect;
pub use super::disconnect::Dropped;
pub(crate) use super::state::{InGame, State};

/// How long one write to a client may take before it counts as a slow reader. A client that
/// stops reading is dropped sooner when its outbox fills first (see `PlayerHandle::send`).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The most queued messages taken from the outbox at once. Packets queued together go out in
/// one socket write: under load a player in a crowd has several broadcasts waiting each time
/// it runs, and a write per packet was two thirds of the server's time (see
/// docs/load.md).
const OUTBOX_BATCH: usize = 64;

/// Runs a write to the client (a send, a feed or a flush of the socket): one the client does
/// not take within `WRITE_TIMEOUT`, or that is still waiting when `kill` is cancelled (the
/// outbox overflowed), ends the connection as a slow reader's.
async fn guarded(
    kill: &CancellationToken,
    write: impl std::future::Future<Output = Result<(), FrameError>>,
) -> Result<(), Disconnect> {
    let mut write = std::pin::pin!(write);
    // Nearly every write is done at its first poll (into the buffer, or the socket takes it):
    // then no timer is set and no waiter is registered on `kill`, which a crowd's broadcasts
    // would otherwise pay for on every packet.
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(write.as_mut().poll(cx))).await;
    if let std::task::Poll::Ready(result) = first {
        return result.map_err(Disconnect::Frame);
    }
    tokio::select! {
        biased;
        () = kill.cancelled() => Err(Disconnect::ClosedByServer(CloseReason::SlowReader)),
        written = tokio::time::timeout(WRITE_TIMEOUT, write) => match written {
            Ok(result) => result.map_err(Disconnect::Frame),
            Err(_) => Err(Disconnect::WriteTimeout),
        },
    }
}

/// What a batch of queued messages left to do.
struct Handled {
    /// Packets are buffered, not yet written (the caller flushes them, at once or after
    /// `server.write_coalesce_ms`).
    unflushed: bool,
    /// A message other than a packet was handled: it may have changed the connection's state.
    other: bool,
}

/// What every player task shares: configuration and the handles of the other actors.
pub struct PlayerContext {
    /// The configuration in force (a reload may change it): read it with `config.get()` where
    /// a value is needed, not once at start-up.
    pub config: crate::reload::LiveConfig,
    /// The game data in force (`remap` and `repub` replace it): read it with `data.get()`
    /// where it is needed, and read one fact set from that one copy.
    pub data: crate::data::LiveData,
    /// Where new characters start.
    pub spawns: crate::data::SpawnPoints,
    pub maps: std::collections::HashMap<u16, crate::map::MapHandle>,
    pub db: Db,
    /// The save path (`crate::save`): the maps queue characters' saves on it.
    pub saves: crate::save::SaveQueue,
    /// What the server counts (`crate::metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    pub hasher: PasswordHasher,
    /// Counts wrong passwords and shares the hasher between addresses (`[login]`).
    pub login_guard: crate::auth::guard::LoginGuard,
    pub world: WorldHandle,
    pub shutdown: CancellationToken,
    /// The admin commands, for in-game `$` commands (set once the server has built them; weak,
    /// as the commands hold this context).
    pub admin: std::sync::OnceLock<std::sync::Weak<crate::control::Admin>>,
}

/// One connected client.
pub(crate) struct Player {
    pub addr: SocketAddr,
    pub context: Arc<PlayerContext>,
    pub handle: PlayerHandle,
    pub state: State,
    pub sequencer: ServerSequencer,
    pub rng: StdRng,
    /// Given at Init_Init; released when the task ends.
    pub player_id: Option<u16>,
    /// The multiples sent in Init_Init OK: (server, client).
    pub multiples: (u8, u8),
    /// The session id of an account creation under way.
    pub account_session: Option<u16>,
    /// The session id of a character creation under way.
    pub character_session: Option<u16>,
    /// A character deletion under way: (session id, character id).
    pub pending_delete: Option<(u16, u32)>,
    /// A warp offered with Warp_Request and not yet accepted.
    pub pending_warp: Option<handlers::PendingWarp>,
    /// Guild actions under way: a founding, join requests (handlers/guild/).
    pub guild: handlers::GuildFlow,
    /// The character chosen with Welcome_Request, and its session id, until Welcome_Msg.
    pub selected: Option<(u16, crate::db::Character)>,
    /// Until when an operator muted this player's chat.
    pub muted_until: Option<Instant>,
    /// `#autopickup`: take what lies where it steps (handlers/player_commands.rs).
    pub autopickup: bool,
    /// Whether an operator jailed or froze it (player/restraints.rs).
    pub restraints: super::restraints::Restraints,
    /// The board an operator's `$board` opened here: usable from anywhere until another board
    /// is opened (handlers/board.rs).
    pub remote_board: Option<u8>,
    /// `$duty`: the character this connection switched from, to switch back to.
    pub duty_from: Option<i64>,
    /// Wrong passwords sent on this connection (logins and password changes), against
    /// `login.max_attempts`.
    pub wrong_passwords: u32,
    /// A character was in the game on this connection: before the account is released its
    /// saves must be on disk, so a relog loads what was played.
    pub played: bool,
    /// The packet rate and the pace of actions.
    flood: FloodGuard,
    /// The state this connection is counted under in the metrics (`eo_connections`).
    counted_state: &'static str,
    /// Cancelled by a handle that found the outbox full: the client does not read.
    kill: CancellationToken,
    /// The connection's frames: EO over TCP, or over WebSocket (eoweb).
    framed: Transport,
}

impl Player {
    /// Encodes a packet and writes it to this client now.
    pub async fn send<P: Packet>(&mut self, packet: &P) -> Result<(), Disconnect> {
        let body = packet::encode(packet)?;
        self.write(body).await
    }

    /// Writes one body (see [`guarded`]).
    async fn write(&mut self, body: Bytes) -> Result<(), Disconnect> {
        self.context.metrics.sent.count(&body);
        guarded(&self.kill, self.framed.send(body)).await
    }

    /// Adds a packet to the write buffer without flushing it (the buffer is written out when
    /// it grows large, and by [`Self::flush`]).
    async fn feed(&mut self, body: Bytes) -> Result<(), Disconnect> {
        self.context.metrics.sent.count(&body);
        guarded(&self.kill, self.framed.feed(body)).await
    }

    /// Writes out what [`Self::feed`] buffered (see [`guarded`]).
    async fn flush(&mut self) -> Result<(), Disconnect> {
        guarded(&self.kill, SinkExt::<Bytes>::flush(&mut self.framed)).await
    }

    /// Runs what other actors queued, in order: consecutive packets are written together,
    /// and flushed before anything else is done (`held`: packets are buffered already).
    async fn handle_messages(
        &mut self,
        messages: &mut Vec<PlayerMessage>,
        held: bool,
    ) -> Result<Handled, Disconnect> {
        let mut handled = Handled {
            unflushed: held,
            other: false,
        };
        for message in messages.drain(..) {
            if let PlayerMessage::Send(body) = message {
                self.feed(body).await?;
                handled.unflushed = true;
                continue;
            }
            if std::mem::take(&mut handled.unflushed) {
                self.flush().await?;
            }
            handled.other = true;
            self.handle_message(message).await?;
        }
        Ok(handled)
    }

    async fn handle_message(&mut self, message: PlayerMessage) -> Result<(), Disconnect> {
        match message {
            PlayerMessage::Send(body) => self.write(body).await?,
            PlayerMessage::Close(reason) => return Err(Disconnect::ClosedByServer(reason)),
            PlayerMessage::ShowPaperdoll(to) => {
                if let (State::InGame(game), Some(player_id)) = (&self.state, self.player_id) {
                    game.map.paperdoll(player_id, to).await;
                }
            }
            PlayerMessage::SetAdminLevel(level) => {
                if let (State::InGame(game), Some(player_id)) = (&self.state, self.player_id) {
                    game.map.set_admin_level(player_id, level).await;
                }
            }
            PlayerMessage::Mute(duration) => self.mute(duration).await?,
            PlayerMessage::Warp { map, x, y } => handlers::offer_warp(self, map, x, y).await?,
            PlayerMessage::LevelChanged(level) => {
                if let Some(id) = self.player_id {
                    self.context.world.changed_level(id, level).await;
                }
            }
            PlayerMessage::QuakeWorld(strength) => {
                // On a task of its own: the maps answer in turn, and this player's packets
                // should not wait for them.
                let maps: Vec<_> = self.context.maps.values().cloned().collect();
                tokio::spawn(async move {
                    for map in maps {
                        map.admin(crate::map::AdminAction::Quake { strength }).await;
                    }
                });
            }
            PlayerMessage::ListingChanged { title, class_id } => {
                if let Some(id) = self.player_id {
                    self.context
                        .world
                        .changed_listing(id, title, class_id)
                        .await;
                }
            }
            PlayerMessage::Restrain(restraint) => {
                super::restraints::apply(self, restraint).await?;
            }
            PlayerMessage::Divorce(former) => handlers::end_marriage(self, former).await,
            PlayerMessage::DivorcedBy(by) => {
                if let (State::InGame(game), Some(player_id)) = (&self.state, self.player_id) {
                    game.map.divorced(player_id, by).await;
                }
            }
            PlayerMessage::Guild(event) => {
                if matches!(self.state, State::InGame(_)) {
                    handlers::guild_event(self, event).await?;
                }
            }
            PlayerMessage::PartyHp(percent) => {
                if let Some(id) = self.player_id {
                    self.context.world.party_hp(id, percent).await;
                }
            }
            PlayerMessage::OpenBoard(board) => handlers::open_board_anywhere(self, board).await?,
            PlayerMessage::Duty { here, reply } => handlers::duty(self, here, reply).await?,
        }
        Ok(())
    }

    /// Moves this connection to its state's count in the metrics, if the state changed.
    fn count_state(&mut self) {
        let now = self.state.name();
        if now != self.counted_state {
            self.state_gauge(self.counted_state).dec();
            self.state_gauge(now).inc();
            self.counted_state = now;
        }
    }

    fn state_gauge(&self, state: &'static str) -> prometheus_client::metrics::gauge::Gauge {
        self.context
            .metrics
            .connections
            .get_or_create_owned(&crate::metrics::StateLabel { state })
    }

    /// Turns encryption on with the multiples just sent (after the Init_Init reply, which is
    /// never encrypted).
    pub fn start_encryption(&mut self) {
        let (server, client) = self.multiples;
        self.framed.codec_mut().set_multiples(server, client);
    }

    fn accepted(&self) -> bool {
        matches!(
            self.state,
            State::Accepted | State::LoggedIn { .. } | State::InGame(_)
        )
    }

    /// The account logged in on this connection, if any.
    pub fn account_id(&self) -> Option<i64> {
        match &self.state {
            State::LoggedIn { account_id } => Some(*account_id),
            State::InGame(game) => Some(game.account_id),
            _ => None,
        }
    }

    async fn run(&mut self, mut outbox: mpsc::Receiver<PlayerMessage>) -> Result<(), Disconnect> {
        let kill = self.kill.clone();
        let live = self.context.config.get();
        let config = &live.server;
        let ping_rate = config.ping_rate();
        let mut ping = interval_at(Instant::now() + ping_rate, ping_rate);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut messages = Vec::with_capacity(OUTBOX_BATCH);
        let coalesce = config.write_coalesce();
        // The futures below are made once, not once a turn of the loop (`select!` builds
        // every branch's future each turn, disabled ones too): each is a timer entry or a
        // waiter on the token, and making and dropping them per wake-up showed in a crowd's
        // profile.
        //
        // The handshake must be done by then.
        let mut hangup = std::pin::pin!(sleep_until(Instant::now() + config.hangup_delay()));
        // When the packets buffered but not yet written go out (with `write_coalesce_ms`);
        // armed while `unflushed`.
        let mut flush_timer = std::pin::pin!(sleep_until(Instant::now()));
        let mut unflushed = false;
        // Cancelled by a handle that found the outbox full, or by shutdown (a parent token).
        let mut killed = std::pin::pin!(kill.cancelled());
        loop {
            tokio::select! {
                frame = self.framed.next() => match frame {
                    Some(Ok(body)) => {
                        self.handle_body(body).await?;
                        self.count_state();
                    }
                    Some(Err(error)) => return Err(error.into()),
                    None => return Err(Disconnect::PeerClosed),
                },
                received = outbox.recv_many(&mut messages, OUTBOX_BATCH) => {
                    if received == 0 {
                        return Err(Disconnect::Closed("no handle left"));
                    }
                    self.context.metrics.outbox_batch.observe(received as f64);
                    let held = unflushed;
                    let handled = self.handle_messages(&mut messages, held).await?;
                    unflushed = handled.unflushed;
                    match coalesce {
                        // The first packets held since the last write: they go out then.
                        Some(hold) if unflushed && !held => {
                            flush_timer.as_mut().reset(Instant::now() + hold);
                        }
                        // Held already (the timer runs), or nothing to write.
                        Some(_) => {}
                        None if unflushed => {
                            unflushed = false;
                            self.flush().await?;
                        }
                        None => {}
                    }
                    if handled.other {
                        self.count_state();
                    }
                }
                () = &mut flush_timer, if unflushed => {
                    unflushed = false;
                    self.flush().await?;
                }
                () = &mut killed => {
                    if !self.context.shutdown.is_cancelled() {
                        return Err(Disconnect::ClosedByServer(CloseReason::SlowReader));
                    }
                    // Tell the client why it is being closed ("the server is rebooting").
                    let _ = self.send(&eo_protocol::net::server::MessageCloseServerPacket).await;
                    return Err(Disconnect::ClosedByServer(CloseReason::Shutdown));
                }
                () = &mut hangup, if !self.accepted() => return Err(Disconnect::HandshakeTimeout),
                _ = ping.tick(), if self.accepted() => self.ping().await?,
            }
        }
    }

    /// An operator's mute (or, with a zero duration, its end); the player is told once.
    async fn mute(&mut self, duration: Duration) -> Result<(), Disconnect> {
        let message = if duration.is_zero() {
            self.muted_until = None;
            "You are no longer muted.".to_owned()
        } else {
            self.muted_until = Instant::now().checked_add(duration);
            format!(
                "You have been muted for {} seconds: your chat is not passed on.",
                duration.as_secs()
            )
        };
        self.send(&eo_protocol::net::server::TalkServerServerPacket { message })
            .await
    }

    /// Whether an operator's mute is in force (chat is then dropped).
    pub fn muted(&mut self) -> bool {
        match self.muted_until {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                self.muted_until = None;
                false
            }
            None => false,
        }
    }

    async fn ping(&mut self) -> Result<(), Disconnect> {
        if self.sequencer.ping_pending() {
            return Err(Disconnect::PingTimeout);
        }
        let (seq1, seq2) = self.sequencer.ping(&mut self.rng);
        self.send(&eo_protocol::net::server::ConnectionPlayerServerPacket { seq1, seq2 })
            .await
    }

    async fn handle_body(&mut self, body: BytesMut) -> Result<(), Disconnect> {
        let now = Instant::now();
        self.flood.packet(now)?;
        if body.is_empty() {
            return Ok(()); // a WebSocket control message: counted, nothing to handle
        }
        self.context.metrics.received.count(&body);
        let action_byte = body.first().copied().unwrap_or(0);
        let family_byte = body.get(1).copied().unwrap_or(0);
        let family = PacketFamily::from_u32(u32::from(family_byte));
        let action = PacketAction::from_u32(u32::from(action_byte));
        if matches!(family, PacketFamily::Unrecognized(_))
            || matches!(action, PacketAction::Unrecognized(_))
        {
            return Err(Disconnect::UnknownPacket {
                family: family_byte,
                action: action_byte,
            });
        }
        // Before the handshake is done only its own packets are accepted (as EOSERV does).
        let allowed = match self.state {
            State::New => family == PacketFamily::Init,
            State::Initialized => matches!(family, PacketFamily::Init | PacketFamily::Connection),
            State::Accepted | State::LoggedIn { .. } | State::InGame(_) => true,
        };
        if !allowed {
            return Err(Disconnect::NotAllowed {
                family,
                action,
                state: self.state.name(),
            });
        }
        let offset = match self.sequencer.check(&body) {
            Ok(offset) => offset,
            Err(mismatch) if self.context.config.get().server.enforce_sequence => {
                return Err(mismatch.into());
            }
            Err(mismatch) => mismatch.payload_offset,
        };
        let payload = body.get(offset..).unwrap_or(&[]);
        // The official client sends Character_Remove's id 2 bytes short (see the protocol
        // crate's captures test); every other packet must be whole.
        let packet = if (family, action) == (PacketFamily::Character, PacketAction::Remove) {
            ClientPacket::decode(family, action, payload)
        } else {
            ClientPacket::decode_strict(family, action, payload)
        };
        let packet = packet.map_err(|error| match error {
            DecodeError::UnknownPacket { family, action } => {
                Disconnect::UnknownPacket { family, action }
            }
            other => Disconnect::Decode(other),
        })?;
        debug!(addr = %self.addr, packet = packet.name(), "received");
        match self.flood.action(&packet, now) {
            Verdict::Allow => handlers::dispatch(self, packet).await,
            Verdict::Refuse(kind) => handlers::refused(self, kind).await,
            Verdict::Disconnect(flood) => Err(flood.into()),
        }
    }
}

/// Runs one connection to its end, then releases what it held: the character leaves its map
/// and the online list and is saved, and the player id is freed, however the connection
/// ended, a panic in a handler included (logged here, with the address). `framed` is the
/// connection as `super::connect::open` set it up, `addr` its client's address. Returns what
/// the listener should log about the end, if anything.
pub async fn run_connection(
    framed: Transport,
    addr: SocketAddr,
    context: Arc<PlayerContext>,
) -> Option<Dropped> {
    // One token to wait on, not two: a full outbox cancels it, and so does shutdown.
    let (handle, outbox, kill) = PlayerHandle::with_kill(context.shutdown.child_token());
    // The limits in force when the connection opened; a reload applies to later connections.
    let flood = FloodGuard::new(&context.config.get().flood);
    let mut player = Player {
        addr,
        context,
        handle,
        state: State::New,
        sequencer: ServerSequencer::new(),
        rng: StdRng::from_os_rng(),
        player_id: None,
        multiples: (0, 0),
        account_session: None,
        character_session: None,
        pending_delete: None,
        selected: None,
        pending_warp: None,
        guild: Default::default(),
        muted_until: None,
        restraints: Default::default(),
        remote_board: None,
        duty_from: None,
        autopickup: false,
        wrong_passwords: 0,
        counted_state: State::New.name(),
        played: false,
        flood,
        kill,
        framed,
    };
    player.state_gauge(player.counted_state).inc();
    // What a handler left half done when it panicked is not used again: the state is only
    // read to release what the connection held.
    let ended = std::panic::AssertUnwindSafe(player.run(outbox))
        .catch_unwind()
        .await;
    let dropped = match ended {
        Ok(Err(Disconnect::PeerClosed)) => {
            debug!(%addr, "connection closed by the client");
            None
        }
        Ok(Err(Disconnect::ClosedByServer(CloseReason::Shutdown))) => {
            debug!(%addr, "connection closed for shutdown");
            None
        }
        Ok(Err(Disconnect::Refused(reason))) => {
            debug!(%addr, reason, "connection refused and closed");
            None
        }
        Ok(Err(reason)) => Some(Dropped::new(&player.state, &reason)),
        Ok(Ok(())) => None,
        Err(panic) => {
            error!(
                %addr,
                state = player.state.name(),
                "a handler panicked ({}); connection closed, the server goes on",
                crate::supervise::panic_message(panic.as_ref())
            );
            None
        }
    };
    leave_game(&mut player).await;
    if let Some(player_id) = player.player_id {
        player.context.world.release(player_id).await;
    }
    player.state_gauge(player.counted_state).dec();
    dropped
}

/// Takes the character off its map (its neighbours are told; the map queues its save) and
/// waits until its saves are on disk, so the account is not free to log in again before.
///
/// The map is asked without a time limit: the character is the map's until it has left, and
/// a map never waits on a player, so it answers (a map that stopped answers at once).
async fn leave_game(player: &mut Player) {
    let state = std::mem::replace(&mut player.state, State::New);
    if let (State::InGame(game), Some(player_id)) = (&state, player.player_id) {
        player.context.world.leave_game(player_id).await;
        match game.map.leave(player_id, None).await {
            Ok(_) => debug!(addr = %player.addr, name = %game.name, "left the game"),
            Err(error) => {
                tracing::warn!(addr = %player.addr, name = %game.name, %error, "leaving the map failed; its last save stands");
            }
        }
    }
    if player.played
        && let Err(error) = player.context.saves.barrier().await
    {
        tracing::error!(addr = %player.addr, %error, "the logout's save was not confirmed");
    }
}
