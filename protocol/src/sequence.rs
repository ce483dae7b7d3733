//! Packet sequencing: the value every client packet (except Init_Init) carries right after its
//! family byte, and how both ends keep it in step.
//!
//! # The rule
//!
//! Both ends keep a `start` and a `counter` in `0..=9`. The next client packet carries
//! `start + counter`, after which `counter = (counter + 1) % 10`. The counter is never reset when
//! `start` changes. `start` is set by:
//!
//! 1. the Init_Init OK reply: `start = seq1 * 7 + seq2 - 13` ([`init_sequence_start`]);
//! 2. the Account_Reply that carries an account-creation session id: `sequence_start` (a char);
//! 3. the server ping Connection_Player: `start = seq1 - seq2` ([`ping_sequence_start`]). The
//!    client switches at once; the server switches only when the client's Connection_Ping
//!    arrives, just before checking that packet's sequence.
//!
//! The client's Init_Init has no sequence but still uses up one counter slot on both ends, so the
//! first sequenced packet (Connection_Accept) carries `start + 1`.
//!
//! A sequence value below 253 is written as a `char` (1 byte), anything larger as a `short`
//! (2 bytes); the server chooses the width from the value it *expects*.
//!
//! # Range of starts (a decision)
//!
//! [`ServerSequencer::new`] picks Init and ping starts in `0..=`[`COMPAT_MAX_START`] (243), as
//! eolib and reoserv do: every sequence value is then at most 252 and always a single byte, so
//! even a client that always writes one byte works. EOSERV (official-like) picks them in
//! `0..=`[`OFFICIAL_MAX_START`] (1757), which needs 2-byte sequences; that range is correct with
//! the width rule, which is always applied when reading, and is available through
//! [`ServerSequencer::with_max_start`]. The Account_Reply start is always at most
//! [`ACCOUNT_REPLY_MAX_START`] (240) so it fits its `char` field, as in EOSERV.
//!
//! Nothing here panics, whatever the input.

use rand::Rng;

use crate::error::EncodeError;
use crate::number::{decode_number, encode_number};

/// The largest start of the default range: sequence values then never exceed 252 (one byte).
pub const COMPAT_MAX_START: u32 = 243;
/// The largest start of EOSERV's (official-like) range. It is also the largest start whose Init
/// bytes both stay in `0..=252`, so it caps every start this module hands out.
pub const OFFICIAL_MAX_START: u32 = 1757;
/// The largest start sent in Account_Reply (a `char`), as in EOSERV.
pub const ACCOUNT_REPLY_MAX_START: u8 = 240;
/// Sequence values at or above this are sent as a 2-byte `short`.
pub const SEQUENCE_CHAR_LIMIT: u32 = 253;
/// The largest sequence value that can be written at all (the largest `short`).
pub const MAX_SEQUENCE: u32 = 64_008;
/// The largest start [`ping_sequence_bytes`] accepts: `seq1 = start + pick` must fit a short.
pub const MAX_PING_START: u32 = MAX_SEQUENCE - 252;

/// How many values the counter cycles through.
const COUNTER_CYCLE: u8 = 10;
/// The largest value of the `pick` part of Init and ping bytes that keeps `seq2` in a char.
const MAX_SEQ2: u32 = 252;

const FAMILY_INIT: u8 = 255;
const FAMILY_CONNECTION: u8 = 1;
const ACTION_PING: u8 = 240;

/// The Init_Init OK bytes `(seq1, seq2)` for a start, with `seq1 * 7 + seq2 - 13 == start`.
///
/// Several pairs encode the same start; `pick` chooses among them deterministically (it is taken
/// modulo the number of choices), so `seq1 = s1_min + pick % (s1_max - s1_min + 1)` with
/// `s1_max = (start + 13) / 7` and `s1_min = max(0, (start - 233) / 7)`. Both bytes are then in
/// `0..=252`. A start above [`OFFICIAL_MAX_START`] is clamped to it.
pub fn init_sequence_bytes(start: u32, pick: u32) -> (u8, u8) {
    let start = start.min(OFFICIAL_MAX_START);
    let s1_max = (start + 13) / 7;
    let s1_min = start.saturating_sub(MAX_SEQ2 - 13 - 6) / 7;
    let seq1 = s1_min + pick % (s1_max - s1_min + 1);
    let seq2 = start + 13 - 7 * seq1;
    // seq1 <= (1757 + 13) / 7 = 252 and 0 <= seq2 <= 252 by the choice of s1_min and s1_max.
    (seq1 as u8, seq2 as u8)
}

/// The start a client takes from Init_Init OK: `seq1 * 7 + seq2 - 13`.
///
/// A pair below 13 (which no correct server sends) saturates to 0 where eolib would return a
/// negative start.
pub fn init_sequence_start(seq1: u8, seq2: u8) -> u32 {
    (u32::from(seq1) * 7 + u32::from(seq2)).saturating_sub(13)
}

/// The Connection_Player ping bytes `(seq1 short, seq2 char)` for an upcoming start, with
/// `seq1 - seq2 == upcoming`: `seq2 = pick % 253` and `seq1 = upcoming + seq2`. An upcoming start
/// above [`MAX_PING_START`] is clamped to it so that `seq1` fits a short.
pub fn ping_sequence_bytes(upcoming: u32, pick: u32) -> (u16, u8) {
    let upcoming = upcoming.min(MAX_PING_START);
    let seq2 = pick % (MAX_SEQ2 + 1);
    // upcoming + seq2 <= 64_008 < 65_536 and seq2 <= 252.
    ((upcoming + seq2) as u16, seq2 as u8)
}

/// The start a client takes from a Connection_Player ping: `seq1 - seq2` (saturating at 0 for a
/// pair no correct server sends, where eolib would return a negative start).
pub fn ping_sequence_start(seq1: u16, seq2: u8) -> u32 {
    u32::from(seq1).saturating_sub(u32::from(seq2))
}

/// How many bytes a sequence value takes on the wire: 1 below 253, else 2.
pub fn sequence_width(expected: u32) -> usize {
    if expected < SEQUENCE_CHAR_LIMIT { 1 } else { 2 }
}

/// Reads the sequence at the start of `body_after_id` (the body after action and family), with
/// the width chosen from the `expected` value. Returns the value read and the bytes consumed.
///
/// Short input never panics: only the bytes present are consumed, and missing bytes read as the
/// 0xFE terminator (so an empty input reads as 0).
pub fn read_sequence(body_after_id: &[u8], expected: u32) -> (u32, usize) {
    let width = sequence_width(expected).min(body_after_id.len());
    let bytes = body_after_id.get(..width).unwrap_or(&[]);
    (decode_number(bytes), width)
}

/// Encodes a sequence value for a client packet: the bytes and how many of them to write
/// (1 below 253, else 2). Fails above [`MAX_SEQUENCE`], which cannot be written.
pub fn encode_sequence(value: u32) -> Result<([u8; 2], usize), EncodeError> {
    if value > MAX_SEQUENCE {
        return Err(EncodeError::NumberTooLarge {
            field: "sequence",
            kind: "short",
            value: u64::from(value),
            max: u64::from(MAX_SEQUENCE),
        });
    }
    let [b0, b1, _, _] = encode_number(value)?;
    Ok(([b0, b1], sequence_width(value)))
}

/// A client packet whose sequence was not the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid sequence: expected {expected}, received {received}")]
pub struct SequenceMismatch {
    /// The value the server expected.
    pub expected: u32,
    /// The value the packet carried.
    pub received: u32,
    /// Where the payload starts in the body (after action, family and the sequence bytes read),
    /// for a server that does not enforce sequences.
    pub payload_offset: usize,
}

/// The server's half of the sequencer (one per connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSequencer {
    start: u32,
    counter: u8,
    upcoming: Option<u32>,
    max_start: u32,
}

impl Default for ServerSequencer {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerSequencer {
    /// A sequencer with start 0 and counter 0 that picks Init and ping starts in
    /// `0..=`[`COMPAT_MAX_START`] (single-byte sequences only).
    pub fn new() -> Self {
        Self::with_max_start(COMPAT_MAX_START)
    }

    /// A sequencer that picks Init and ping starts in `0..=max_start`, clamped to
    /// [`OFFICIAL_MAX_START`]. `with_max_start(OFFICIAL_MAX_START)` is EOSERV's range, whose
    /// sequence values from 253 up are 2-byte shorts.
    pub fn with_max_start(max_start: u32) -> Self {
        Self {
            start: 0,
            counter: 0,
            upcoming: None,
            max_start: max_start.min(OFFICIAL_MAX_START),
        }
    }

    /// The current start.
    pub fn start(&self) -> u32 {
        self.start
    }

    /// The current counter (0..=9).
    pub fn counter(&self) -> u8 {
        self.counter
    }

    /// The largest start this sequencer picks for Init and pings.
    pub fn max_start(&self) -> u32 {
        self.max_start
    }

    /// The ping start sent in Connection_Player and not yet switched to, if any.
    pub fn upcoming(&self) -> Option<u32> {
        self.upcoming
    }

    /// Whether a ping was sent and its Connection_Ping answer has not arrived yet (EOSERV closes
    /// a connection that still has one pending when the next ping is due).
    pub fn ping_pending(&self) -> bool {
        self.upcoming.is_some()
    }

    /// Sets the start directly (the counter is kept). The caller is responsible for telling the
    /// client; meant for tests and special cases.
    pub fn set_start(&mut self, start: u32) {
        self.start = start;
    }

    /// Picks a new start for the Init_Init OK reply, makes it current, and returns the
    /// `(seq1, seq2)` bytes to send (see [`init_sequence_bytes`]).
    pub fn init_start(&mut self, rng: &mut (impl Rng + ?Sized)) -> (u8, u8) {
        self.start = rng.random_range(0..=self.max_start);
        init_sequence_bytes(self.start, rng.random())
    }

    /// The `sequence_start` char for an Account_Reply that carries a session id. Like EOSERV it
    /// is the current start, first re-picked in `0..=`[`ACCOUNT_REPLY_MAX_START`] if it is larger,
    /// so it fits a char. It is (or becomes) the current start.
    pub fn account_reply_start(&mut self, rng: &mut (impl Rng + ?Sized)) -> u8 {
        let start = match u8::try_from(self.start) {
            Ok(start) if start <= ACCOUNT_REPLY_MAX_START => start,
            _ => rng.random_range(0..=ACCOUNT_REPLY_MAX_START),
        };
        self.start = u32::from(start);
        start
    }

    /// Prepares a ping: picks the upcoming start and returns the Connection_Player
    /// `(seq1 short, seq2 char)`. The start does **not** change until the client's
    /// Connection_Ping arrives (see [`next_expected`](Self::next_expected)).
    pub fn ping(&mut self, rng: &mut (impl Rng + ?Sized)) -> (u16, u8) {
        let upcoming = rng.random_range(0..=self.max_start);
        self.upcoming = Some(upcoming);
        ping_sequence_bytes(upcoming, rng.random_range(0..=MAX_SEQ2))
    }

    fn advance(&mut self) -> u32 {
        let value = self.start.saturating_add(u32::from(self.counter));
        self.counter = (self.counter + 1) % COUNTER_CYCLE;
        value
    }

    /// Call once per incoming client packet, with its family and action, before reading past
    /// the packet id.
    ///
    /// - Init (family 255): the packet has no sequence; the counter still advances once (the
    ///   "Init slot") and `None` is returned.
    /// - Connection_Ping (family 1, action 240): the start first switches to the upcoming ping
    ///   start, if one is pending.
    /// - Otherwise (and after that switch): returns `Some(start + counter)` and advances the
    ///   counter.
    pub fn next_expected(&mut self, family: u8, action: u8) -> Option<u32> {
        if family == FAMILY_INIT {
            self.advance();
            return None;
        }
        if family == FAMILY_CONNECTION && action == ACTION_PING {
            self.start = self.upcoming.take().unwrap_or(self.start);
        }
        Some(self.advance())
    }

    /// Checks a whole decrypted body (action, family, sequence, payload): calls
    /// [`next_expected`](Self::next_expected), reads the sequence with the expected width and
    /// compares. Returns the offset of the payload in `body` (2 for Init, which has no sequence).
    ///
    /// Missing action/family bytes read as 0; a short body never panics.
    pub fn check(&mut self, body: &[u8]) -> Result<usize, SequenceMismatch> {
        let action = body.first().copied().unwrap_or(0);
        let family = body.get(1).copied().unwrap_or(0);
        let after_id = body.get(2..).unwrap_or(&[]);
        let Some(expected) = self.next_expected(family, action) else {
            return Ok(2);
        };
        let (received, used) = read_sequence(after_id, expected);
        let payload_offset = 2 + used;
        if received == expected {
            Ok(payload_offset)
        } else {
            Err(SequenceMismatch {
                expected,
                received,
                payload_offset,
            })
        }
    }
}

/// The client's half of the sequencer (test clients, the bot swarm).
///
/// After Init_Init OK the client must spend one value (the Init slot) before its first sequenced
/// packet, as EndlessClient does: [`ClientSequencer::from_init_reply`] does that.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientSequencer {
    start: u32,
    counter: u8,
}

impl ClientSequencer {
    /// A sequencer at `start` with counter 0: the first [`next`](Self::next) returns `start`.
    pub fn new(start: u32) -> Self {
        Self { start, counter: 0 }
    }

    /// The sequencer right after an Init_Init OK with these bytes: start
    /// [`init_sequence_start`]`(seq1, seq2)` with the Init slot already spent, so the first
    /// [`next`](Self::next) (Connection_Accept) returns `start + 1`.
    pub fn from_init_reply(seq1: u8, seq2: u8) -> Self {
        let mut sequencer = Self::new(init_sequence_start(seq1, seq2));
        sequencer.next();
        sequencer
    }

    /// Sets a new start (Account_Reply's `sequence_start`, or [`ping_sequence_start`] of a
    /// Connection_Player); the counter is kept.
    pub fn set_start(&mut self, start: u32) {
        self.start = start;
    }

    /// The current start.
    pub fn start(&self) -> u32 {
        self.start
    }

    /// The current counter (0..=9).
    pub fn counter(&self) -> u8 {
        self.counter
    }

    /// The value for the next packet: `start + counter`, then the counter advances
    /// (post-increment, as eolib 3.3.2 and EOSERV).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u32 {
        let value = self.start.saturating_add(u32::from(self.counter));
        self.counter = (self.counter + 1) % COUNTER_CYCLE;
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn init_vector() {
        assert_eq!(init_sequence_start(5, 0), 22);
        assert_eq!(init_sequence_bytes(22, 0), (0, 35));
        assert_eq!(init_sequence_bytes(22, 1), (1, 28));
        assert_eq!(init_sequence_bytes(22, 5), (5, 0));
        assert_eq!(init_sequence_bytes(22, 6), (0, 35), "pick wraps");
        assert_eq!(eolib::packet::get_init_sequence_start(5, 0), 22);

        // Connection_Accept after Init (5, 0) carries 23 (plain body 02 01 18 ...).
        let mut client = ClientSequencer::from_init_reply(5, 0);
        let mut server = ServerSequencer::new();
        assert_eq!(server.next_expected(255, 255), None);
        server.set_start(22);
        let seq = client.next();
        assert_eq!(seq, 23);
        assert_eq!(encode_sequence(seq).unwrap(), ([0x18, 0xFE], 1));
        assert_eq!(
            server.check(&[0x02, 0x01, 0x18, 0x0D, 0xFE, 0x07, 0xFE, 0x40, 0x02]),
            Ok(3)
        );
        assert_eq!(server.next_expected(1, 2), Some(24));
    }

    #[test]
    fn ping_vector() {
        assert_eq!(ping_sequence_start(452, 99), 353);
        assert_eq!(ping_sequence_bytes(353, 99), (452, 99));
        assert_eq!(sequence_width(353), 2);
        assert_eq!(encode_sequence(353).unwrap(), ([101, 2], 2));
        assert_eq!(read_sequence(&[101, 2, 0x6B], 353), (353, 2));
        assert_eq!(eolib::packet::get_ping_sequence_start(452, 99), 353);
    }

    #[test]
    fn widths_and_short_input() {
        assert_eq!(sequence_width(0), 1);
        assert_eq!(sequence_width(252), 1);
        assert_eq!(sequence_width(253), 2);
        assert_eq!(encode_sequence(252).unwrap(), ([253, 0xFE], 1));
        assert_eq!(encode_sequence(253).unwrap(), ([1, 2], 2));
        assert_eq!(encode_sequence(64_008).unwrap(), ([253, 253], 2));
        assert!(encode_sequence(64_009).is_err());
        assert!(encode_sequence(u32::MAX).is_err());

        assert_eq!(read_sequence(&[], 5), (0, 0));
        assert_eq!(read_sequence(&[], 400), (0, 0));
        assert_eq!(read_sequence(&[7], 400), (6, 1));
        assert_eq!(read_sequence(&[7, 9], 5), (6, 1));

        let mut server = ServerSequencer::new();
        assert!(server.check(&[]).is_ok(), "empty body: expected 0, read 0");
        assert_eq!(server.check(&[5]).map_err(|e| e.payload_offset), Err(2));
        assert_eq!(server.check(&[255, 255]), Ok(2));
        let mismatch = server.check(&[1, 4, 0x50, 0x51]).unwrap_err();
        assert_eq!(mismatch.expected, 3);
        assert_eq!(mismatch.received, 0x4F);
        assert_eq!(mismatch.payload_offset, 3);
    }

    #[test]
    fn counter_is_never_reset() {
        let mut server = ServerSequencer::new();
        for _ in 0..3 {
            server.next_expected(4, 1);
        }
        server.set_start(100);
        assert_eq!(server.next_expected(4, 1), Some(103));
        let mut client = ClientSequencer::new(0);
        for _ in 0..3 {
            client.next();
        }
        client.set_start(100);
        assert_eq!(client.next(), 103);
        for i in 4..10 {
            assert_eq!(client.next(), 100 + i);
        }
        assert_eq!(client.next(), 100, "wraps after 10");
    }

    #[test]
    fn ping_switches_only_on_connection_ping() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut server = ServerSequencer::with_max_start(OFFICIAL_MAX_START);
        server.set_start(50);
        let (s1, s2) = server.ping(&mut rng);
        let upcoming = ping_sequence_start(s1, s2);
        assert_eq!(server.upcoming(), Some(upcoming));
        assert!(server.ping_pending());
        // A packet sent before the client saw the ping still uses the old start.
        assert_eq!(server.next_expected(6, 1), Some(50));
        assert_eq!(server.next_expected(1, 240), Some(upcoming + 1));
        assert!(!server.ping_pending());
        assert_eq!(server.start(), upcoming);
        // An unsolicited Connection_Ping keeps the start.
        assert_eq!(server.next_expected(1, 240), Some(upcoming + 2));
    }

    #[test]
    fn account_reply_start_fits_a_char() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut server = ServerSequencer::new();
        server.set_start(200);
        assert_eq!(server.account_reply_start(&mut rng), 200);
        for start in [241, 252, 1757, u32::MAX] {
            server.set_start(start);
            let sent = server.account_reply_start(&mut rng);
            assert!(sent <= ACCOUNT_REPLY_MAX_START);
            assert_eq!(server.start(), u32::from(sent));
        }
    }

    /// A client packet as the client would build it (plain body): action, family, sequence,
    /// payload.
    fn client_body(client: &mut ClientSequencer, family: u8, action: u8) -> Vec<u8> {
        let mut body = vec![action, family];
        if family != 255 {
            let (bytes, width) = encode_sequence(client.next()).unwrap();
            body.extend_from_slice(&bytes[..width]);
        }
        body.extend_from_slice(b"payload");
        body
    }

    fn simulate_session(seed: u64, max_start: u32) -> (u32, bool) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut server = ServerSequencer::with_max_start(max_start);
        let mut largest = 0;
        let mut saw_two_bytes = false;

        // Init_Init: no sequence, but it takes a counter slot on the server.
        let mut client_init = vec![255u8, 255];
        client_init.extend_from_slice(b"init");
        assert_eq!(server.check(&client_init), Ok(2));
        let (s1, s2) = server.init_start(&mut rng);
        let mut client = ClientSequencer::from_init_reply(s1, s2);
        assert_eq!(client.start(), server.start());

        let mut packets = 0;
        for round in 0..40 {
            // A burst of ordinary packets (wraps the counter several times).
            for i in 0..(round % 13 + 1) {
                let body = client_body(&mut client, 6 + (i % 3) as u8, 1);
                let offset = server.check(&body).unwrap();
                assert_eq!(&body[offset..], b"payload");
                largest = largest.max(server.start() + 9);
                saw_two_bytes |= offset == 4;
                packets += 1;
            }
            match round % 7 {
                // Server ping; the client switches at once and answers Connection_Ping.
                0 | 3 => {
                    let (s1, s2) = server.ping(&mut rng);
                    client.set_start(ping_sequence_start(s1, s2));
                    let body = client_body(&mut client, 1, 240);
                    let offset = server.check(&body).unwrap();
                    saw_two_bytes |= offset == 4;
                }
                // Account_Reply with a session id.
                5 => {
                    let start = server.account_reply_start(&mut rng);
                    client.set_start(u32::from(start));
                }
                _ => {}
            }
            assert_eq!(client.start(), server.start());
            assert_eq!(client.counter(), server.counter());
        }
        assert!(packets > 100);
        (largest, saw_two_bytes)
    }

    #[test]
    fn whole_session_compat_range() {
        for seed in 0..50 {
            let (largest, two_bytes) = simulate_session(seed, COMPAT_MAX_START);
            assert!(largest <= 252, "single byte only");
            assert!(!two_bytes);
        }
    }

    #[test]
    fn whole_session_official_range() {
        let mut any_two_bytes = false;
        for seed in 0..50 {
            let (largest, two_bytes) = simulate_session(seed, OFFICIAL_MAX_START);
            assert!(largest <= OFFICIAL_MAX_START + 9);
            any_two_bytes |= two_bytes;
        }
        assert!(
            any_two_bytes,
            "the official range exercises 2-byte sequences"
        );
    }

    #[test]
    fn desync_is_detected() {
        let mut server = ServerSequencer::new();
        server.set_start(10);
        let mut client = ClientSequencer::new(10);
        client.next(); // client forgot nothing, server forgot the Init slot: off by one
        let body = client_body(&mut client, 4, 1);
        assert_eq!(
            server.check(&body),
            Err(SequenceMismatch {
                expected: 10,
                received: 11,
                payload_offset: 3
            })
        );
    }

    #[test]
    fn random_starts_stay_in_range() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut compat = ServerSequencer::new();
        let mut official = ServerSequencer::with_max_start(10_000);
        assert_eq!(official.max_start(), OFFICIAL_MAX_START);
        let mut max_seen = 0;
        for _ in 0..5000 {
            let (s1, s2) = compat.init_start(&mut rng);
            assert!(compat.start() <= COMPAT_MAX_START);
            assert_eq!(init_sequence_start(s1, s2), compat.start());
            let (p1, p2) = compat.ping(&mut rng);
            assert!(ping_sequence_start(p1, p2) <= COMPAT_MAX_START);

            let (s1, s2) = official.init_start(&mut rng);
            assert!(s1 <= 252 && s2 <= 252);
            assert_eq!(init_sequence_start(s1, s2), official.start());
            max_seen = max_seen.max(official.start());
        }
        assert!(max_seen > 1000);
    }

    #[test]
    fn init_bytes_cover_every_choice_like_eolib() {
        for start in 0..=OFFICIAL_MAX_START {
            let s1_max = (start + 13) / 7;
            let s1_min = if start >= 233 { (start - 233) / 7 } else { 0 };
            let choices = s1_max - s1_min + 1;
            for pick in 0..choices {
                let (s1, s2) = init_sequence_bytes(start, pick);
                assert_eq!(u32::from(s1), s1_min + pick);
                assert!(s2 <= 252);
                assert_eq!(init_sequence_start(s1, s2), start);
                let theirs = eolib::packet::get_init_sequence_start(i32::from(s1), i32::from(s2));
                assert_eq!(theirs, start as i32);
            }
            // eolib's random choice is always one of ours.
            for _ in 0..4 {
                let [e1, e2] = eolib::packet::get_init_sequence_bytes(start as i32);
                assert!(e1 >= 0 && e2 >= 0);
                let ours = init_sequence_bytes(start, (e1 as u32).wrapping_sub(s1_min));
                assert_eq!((i32::from(ours.0), i32::from(ours.1)), (e1, e2));
            }
        }
    }

    #[test]
    fn eolib_sequence_start_is_in_compat_range() {
        for _ in 0..2000 {
            let start = eolib::packet::generate_sequence_start();
            assert!((0..=COMPAT_MAX_START as i32).contains(&start));
        }
    }

    proptest! {
        #[test]
        fn init_round_trip(start in 0..=OFFICIAL_MAX_START, pick in any::<u32>()) {
            let (s1, s2) = init_sequence_bytes(start, pick);
            prop_assert!(s1 <= 252 && s2 <= 252);
            prop_assert_eq!(init_sequence_start(s1, s2), start);
        }

        #[test]
        fn init_helpers_total(start in any::<u32>(), pick in any::<u32>(), s1 in any::<u8>(), s2 in any::<u8>()) {
            let (a, b) = init_sequence_bytes(start, pick);
            prop_assert_eq!(init_sequence_start(a, b), start.min(OFFICIAL_MAX_START));
            let ours = init_sequence_start(s1, s2);
            let theirs = eolib::packet::get_init_sequence_start(i32::from(s1), i32::from(s2));
            prop_assert_eq!(i64::from(ours), i64::from(theirs).max(0));
        }

        #[test]
        fn ping_round_trip(upcoming in 0..=MAX_PING_START, pick in any::<u32>()) {
            let (s1, s2) = ping_sequence_bytes(upcoming, pick);
            prop_assert!(s2 <= 252);
            prop_assert!(u32::from(s1) <= MAX_SEQUENCE);
            prop_assert_eq!(ping_sequence_start(s1, s2), upcoming);
            let theirs = eolib::packet::get_ping_sequence_start(i32::from(s1), i32::from(s2));
            prop_assert_eq!(theirs, upcoming as i32);
        }

        #[test]
        fn ping_agrees_with_eolib(upcoming in 0..=OFFICIAL_MAX_START) {
            let [e1, e2] = eolib::packet::get_ping_sequence_bytes(upcoming as i32);
            prop_assert!((0..=252).contains(&e2));
            let ours = ping_sequence_bytes(upcoming, e2 as u32);
            prop_assert_eq!((i32::from(ours.0), i32::from(ours.1)), (e1, e2));
        }

        #[test]
        fn ping_helpers_total(upcoming in any::<u32>(), pick in any::<u32>(), s1 in any::<u16>(), s2 in any::<u8>()) {
            let (a, b) = ping_sequence_bytes(upcoming, pick);
            prop_assert_eq!(ping_sequence_start(a, b), upcoming.min(MAX_PING_START));
            let ours = ping_sequence_start(s1, s2);
            let theirs = eolib::packet::get_ping_sequence_start(i32::from(s1), i32::from(s2));
            prop_assert_eq!(i64::from(ours), i64::from(theirs).max(0));
        }

        #[test]
        fn width_rule_round_trip(value in 0..=MAX_SEQUENCE, tail in prop::collection::vec(any::<u8>(), 0..4)) {
            let (bytes, width) = encode_sequence(value).unwrap();
            let mut wire = bytes[..width].to_vec();
            wire.extend_from_slice(&tail);
            prop_assert_eq!(read_sequence(&wire, value), (value, width));
        }

        #[test]
        fn check_never_panics(body in prop::collection::vec(any::<u8>(), 0..8), start in any::<u32>(), upcoming in any::<u32>()) {
            let mut server = ServerSequencer::new();
            server.set_start(start);
            server.upcoming = Some(upcoming);
            for _ in 0..12 {
                let _ = server.check(&body);
            }
            let mut client = ClientSequencer::new(start);
            for _ in 0..12 {
                let _ = client.next();
            }
        }

        #[test]
        fn client_agrees_with_eolib(
            start in 0..=OFFICIAL_MAX_START,
            ops in prop::collection::vec(prop_oneof![Just(None), (0..=OFFICIAL_MAX_START).prop_map(Some)], 0..60),
        ) {
            let mut ours = ClientSequencer::new(start);
            let mut theirs = eolib::packet::Sequencer::new(start as i32);
            let mut server = ServerSequencer::new();
            server.set_start(start);
            for op in ops {
                match op {
                    None => {
                        let value = ours.next();
                        prop_assert_eq!(value as i32, theirs.next_sequence());
                        prop_assert_eq!(server.next_expected(4, 1), Some(value));
                    }
                    Some(new_start) => {
                        ours.set_start(new_start);
                        theirs.set_start(new_start as i32);
                        server.set_start(new_start);
                        prop_assert_eq!(ours.start() as i32, theirs.get_start());
                    }
                }
            }
        }
    }
}
