//! Where a connection is in its life (new, handshake done, logged in, in the game), and the
//! character a player in the game plays.

/// Where a connection is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// Connected; Init_Init not yet received.
    New,
    /// Init_Init answered; waiting for Connection_Accept.
    Initialized,
    /// The handshake is done; not logged in.
    Accepted,
    /// Logged in to an account.
    LoggedIn { account_id: i64 },
    /// A character is in the game.
    InGame(Box<InGame>),
}

/// The character a player plays, and the map that holds it. The map owns the character
/// (its record, position, inventory: see `map/persistence.rs`); the player task keeps only
/// what it needs for itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InGame {
    pub account_id: i64,
    pub character_id: i64,
    pub name: String,
    pub map: crate::map::MapHandle,
    /// The session of the Welcome_Reply that chose the character: a file asked for in the
    /// game (Welcome_Agree) carries it.
    pub welcome_session: u16,
}

impl State {
    pub(super) fn name(&self) -> &'static str {
        match self {
            State::New => "new",
            State::Initialized => "initialized",
            State::Accepted => "accepted",
            State::LoggedIn { .. } => "logged in",
            State::InGame(_) => "in game",
        }
    }
}
