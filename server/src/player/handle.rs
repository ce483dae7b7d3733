//! The handle other actors use to reach a player task.

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How many outgoing packets may wait for one player before it counts as a slow reader.
pub const OUTBOX_LEN: usize = 256;

/// Why a player's connection is being closed by someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// Its outbox was full: it does not read what we send.
    SlowReader,
    /// The server is shutting down.
    Shutdown,
    /// An operator or game rule asked for it.
    Kicked(String),
}

pub(crate) enum PlayerMessage {
    /// A plain body (action, family, payload) to encrypt and send.
    Send(Bytes),
    /// Send what is queued, then close.
    Close(CloseReason),
    /// Another player asks to see this one's paperdoll: send it to that handle.
    ShowPaperdoll(PlayerHandle),
    /// An operator changed the character's admin level: its map shows it (the icon others
    /// see). The level in force is the database's and the world's, not kept here.
    SetAdminLevel(u8),
    /// An operator muted the character for this long (zero lifts a mute): its chat is dropped
    /// until then, and it is told so once, now.
    Mute(Duration),
    /// An operator moves the character: offer the client a warp there (Warp_Request).
    Warp { map: u16, x: u8, y: u8 },
    /// The character reached a new level on its map: tell the world's online list.
    LevelChanged(u8),
    /// The character's title or class changed on its map (a quest's action): tell the
    /// world's online list.
    ListingChanged { title: String, class_id: u8 },
    /// A quest's `QuakeWorld` on the character's map: the task asks every map to quake.
    QuakeWorld(u8),
    /// An operator jailed, freed, froze or unfroze the character (player/restraints.rs).
    Restrain(super::restraints::Restraint),
    /// Another member's task tells this one about a guild action (handlers/guild/).
    Guild(super::handlers::GuildEvent),
    /// The character divorced its partner (named) on its map: end the partner's side.
    Divorce(String),
    /// The character's partner (named) divorced it.
    DivorcedBy(String),
    /// The HP percentage of the character, a party member, changed on its map: tell the
    /// world's party lists.
    PartyHp(u8),
    /// An operator's `$board`: open board 1 to 8 in this client, wherever it stands.
    OpenBoard(u8),
    /// `$duty`: switch to the account's admin character, or back (handlers/duty.rs).
    Duty {
        here: bool,
        reply: tokio::sync::oneshot::Sender<Result<DutySwitch, String>>,
    },
}

/// A `$duty` switch done: from which character to which, and whether it went on duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutySwitch {
    pub from: String,
    pub to: String,
    pub on_duty: bool,
}

/// A cheap, cloneable way to reach one player task. Sending never waits: a player whose
/// outbox is full is disconnected instead of slowing the sender (a map broadcasting to it).
#[derive(Clone, Debug)]
pub struct PlayerHandle {
    tx: mpsc::Sender<PlayerMessage>,
    kill: CancellationToken,
}

impl std::fmt::Debug for PlayerMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlayerMessage::Send(body) => write!(f, "Send({} bytes)", body.len()),
            PlayerMessage::Close(reason) => write!(f, "Close({reason:?})"),
            PlayerMessage::ShowPaperdoll(_) => write!(f, "ShowPaperdoll"),
            PlayerMessage::SetAdminLevel(level) => write!(f, "SetAdminLevel({level})"),
            PlayerMessage::Mute(duration) => write!(f, "Mute({duration:?})"),
            PlayerMessage::Warp { map, x, y } => write!(f, "Warp({map}, {x}, {y})"),
            PlayerMessage::LevelChanged(level) => write!(f, "LevelChanged({level})"),
            PlayerMessage::ListingChanged { title, class_id } => {
                write!(f, "ListingChanged({title:?}, {class_id})")
            }
            PlayerMessage::QuakeWorld(strength) => write!(f, "QuakeWorld({strength})"),
            PlayerMessage::Restrain(restraint) => write!(f, "Restrain({restraint:?})"),
            PlayerMessage::Guild(event) => write!(f, "Guild({event:?})"),
            PlayerMessage::Divorce(name) => write!(f, "Divorce({name})"),
            PlayerMessage::DivorcedBy(name) => write!(f, "DivorcedBy({name})"),
            PlayerMessage::PartyHp(percent) => write!(f, "PartyHp({percent})"),
            PlayerMessage::OpenBoard(board) => write!(f, "OpenBoard({board})"),
            PlayerMessage::Duty { here, .. } => write!(f, "Duty(here: {here})"),
        }
    }
}

impl PlayerHandle {
    #[cfg(test)]
    pub(crate) fn new() -> (Self, mpsc::Receiver<PlayerMessage>, CancellationToken) {
        Self::with_kill(CancellationToken::new())
    }

    /// A handle whose full outbox cancels `kill` (the player task's one cancellation: a child
    /// of the server's shutdown token, so it also fires at shutdown).
    pub(crate) fn with_kill(
        kill: CancellationToken,
    ) -> (Self, mpsc::Receiver<PlayerMessage>, CancellationToken) {
        let (tx, rx) = mpsc::channel(OUTBOX_LEN);
        (
            Self {
                tx,
                kill: kill.clone(),
            },
            rx,
            kill,
        )
    }

    /// Queues a packet body for this player. A player that is gone is ignored; one whose
    /// outbox is full is disconnected as a slow reader.
    pub fn send(&self, body: Bytes) {
        match self.tx.try_send(PlayerMessage::Send(body)) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(_)) => self.kill.cancel(),
        }
    }

    /// Asks the player task to close after sending what is queued.
    pub fn close(&self, reason: CloseReason) {
        if self.tx.try_send(PlayerMessage::Close(reason)).is_err() {
            self.kill.cancel();
        }
    }

    /// Asks this player to send its paperdoll to `to` (fire-and-forget; dropped when full).
    pub fn show_paperdoll(&self, to: PlayerHandle) {
        let _ = self.tx.try_send(PlayerMessage::ShowPaperdoll(to));
    }

    /// Shows a new admin level of the character in play on its map (the icon others see). The
    /// level in force is the database's and the world's, not kept by the player task.
    pub fn set_admin_level(&self, level: u8) {
        self.tell(PlayerMessage::SetAdminLevel(level));
    }

    /// Mutes the character in play for `duration` (zero lifts a mute).
    pub fn mute(&self, duration: Duration) {
        self.tell(PlayerMessage::Mute(duration));
    }

    /// Offers the client a warp to `(map, x, y)`, as a warp tile would.
    pub fn warp(&self, map: u16, x: u8, y: u8) {
        self.tell(PlayerMessage::Warp { map, x, y });
    }

    /// Jails, frees, freezes or unfreezes the character in play (a jail is stored first).
    pub fn restrain(&self, restraint: super::restraints::Restraint) {
        self.tell(PlayerMessage::Restrain(restraint));
    }

    /// The character reached `level` (its map tells; the player task updates the world).
    pub fn level_changed(&self, level: u8) {
        self.tell(PlayerMessage::LevelChanged(level));
    }

    /// The character's title or class changed on its map: the task tells the world's online
    /// list.
    pub fn listing_changed(&self, title: String, class_id: u8) {
        self.tell(PlayerMessage::ListingChanged { title, class_id });
    }

    /// A quest quakes the whole world: the task (which knows every map) tells each map.
    pub fn quake_world(&self, strength: u8) {
        self.tell(PlayerMessage::QuakeWorld(strength));
    }

    /// The character divorced `former` on its map: its task ends the other side.
    pub fn divorce(&self, former: String) {
        self.tell(PlayerMessage::Divorce(former));
    }

    /// The character's partner `by` divorced it.
    pub fn divorced_by(&self, by: String) {
        self.tell(PlayerMessage::DivorcedBy(by));
    }

    /// Opens board `board` (1 to 8) in the client, wherever the character stands (`$board`).
    pub fn open_board(&self, board: u8) {
        self.tell(PlayerMessage::OpenBoard(board));
    }

    /// `$duty`: switches the connection to the account's admin character, or back; who it is
    /// now, or why not (`None` if the task is gone).
    pub async fn duty(&self, here: bool) -> Option<Result<DutySwitch, String>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.tell(PlayerMessage::Duty { here, reply });
        answer.await.ok()
    }

    /// Tells this player's task about a guild action of another member.
    pub(crate) fn guild(&self, event: super::handlers::GuildEvent) {
        self.tell(PlayerMessage::Guild(event));
    }

    /// The character's guild membership changed elsewhere (an operator's `set guildrank`):
    /// its task shows it, and sends its client `body` if any.
    pub(crate) fn guild_changed(
        &self,
        guild: Option<crate::db::GuildMembership>,
        body: Option<Bytes>,
    ) {
        self.guild(super::handlers::GuildEvent::Changed { guild, body });
    }

    /// The character, a party member, is at `percent` of its HP (its map tells; the player
    /// task updates the world's party lists).
    pub fn party_hp(&self, percent: u8) {
        self.tell(PlayerMessage::PartyHp(percent));
    }

    /// Queues a message that must not be lost. The outbox is full only when the client does
    /// not read what it is sent: like [`Self::send`], that disconnects it (a slow reader), so
    /// the bound holds, the order is kept, and what the message would have changed is read
    /// again from the database at its next login (admin levels and mutes are stored first).
    fn tell(&self, message: PlayerMessage) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(message) {
            self.kill.cancel();
        }
    }

    /// Whether the player task has ended.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_control_message_to_a_full_outbox_disconnects_instead_of_waiting() {
        let (handle, outbox, kill) = PlayerHandle::new();
        for _ in 0..OUTBOX_LEN {
            handle.send(Bytes::from_static(b"packet"));
        }
        assert!(!kill.is_cancelled(), "full, not yet over");
        handle.set_admin_level(3);
        assert!(kill.is_cancelled(), "a slow reader is disconnected");
        // Nothing waits to be queued later, out of order.
        tokio::task::yield_now().await;
        assert_eq!(outbox.len(), OUTBOX_LEN);
    }
}
