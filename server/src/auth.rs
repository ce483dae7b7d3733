//! Password hashing with argon2id, off the async threads.
//!
//! A [`PasswordHasher`] owns a small fixed pool of OS threads fed by one bounded queue. Hashing
//! and verifying are deliberately slow, so they must never run on a tokio worker; and when the
//! queue is full a request fails at once with [`AuthError::Busy`] (the server answers
//! Login_Reply Busy) instead of making everyone wait.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`) with a fresh 16-byte
//! random salt from the operating system. Verification uses the parameters stored in the PHC
//! string, so changing the cost later keeps old hashes valid.
//!
//! Hashes kept from another server by `eo-admin import` are checked in their own scheme
//! ([`legacy`]) and replaced by argon2id at the next successful login.
//!
//! Who may have a password checked or hashed, and how often it may be wrong, is the login
//! guard's ([`guard`]).

pub mod guard;
pub mod legacy;
mod lockout;

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use argon2::password_hash::{
    self, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use prometheus_client::metrics::gauge::Gauge;
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use tokio::sync::oneshot;

/// What hashing or verifying can fail with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The queue is full: try again later (Login_Reply Busy).
    #[error("the password hasher is busy")]
    Busy,
    /// The worker threads are gone.
    #[error("the password hasher has stopped")]
    Closed,
    /// The stored hash is not a valid argon2 PHC string.
    #[error("invalid password hash: {0}")]
    InvalidHash(String),
    /// The cost parameters are out of argon2's range.
    #[error("invalid argon2 parameters: {0}")]
    InvalidParams(String),
    /// Hashing failed (no randomness, a thread could not start, ...).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// The argon2id cost of new hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    /// Memory in KiB (at least 8 × `parallelism`).
    pub memory_kib: u32,
    /// Passes over the memory (at least 1).
    pub iterations: u32,
    /// Lanes (at least 1).
    pub parallelism: u32,
}

impl Default for HashCost {
    /// The argon2 crate's defaults (OWASP's minimum for argon2id): 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

impl HashCost {
    /// The smallest cost argon2 accepts: for tests only, never for real passwords.
    pub const fn insecure_fast() -> Self {
        Self {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// The largest memory cost a stored hash may ask for when it is verified (1 GiB).
const MAX_VERIFY_MEMORY_KIB: u32 = 1024 * 1024;

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<Result<String, AuthError>>,
    },
    Verify {
        password: String,
        phc: String,
        reply: oneshot::Sender<Result<bool, AuthError>>,
    },
}

/// A handle to the hashing pool. Clone it freely; the threads end when every clone is dropped.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    jobs: SyncSender<Job>,
    /// Passwords waiting for or being hashed (`eo_hashing_queue`, see `crate::metrics`).
    queued: Gauge,
}

impl PasswordHasher {
    /// A pool of `threads` threads (at least 1) with room for `queue_len` waiting requests,
    /// hashing at [`HashCost::default`]. At most `threads + queue_len` requests are in hand at
    /// once; with `queue_len` 0 a request is taken only when a thread is idle.
    pub fn new(threads: usize, queue_len: usize) -> Result<Self, AuthError> {
        Self::with_cost(threads, queue_len, HashCost::default())
    }

    /// Like [`PasswordHasher::new`], hashing new passwords at `cost`.
    pub fn with_cost(threads: usize, queue_len: usize, cost: HashCost) -> Result<Self, AuthError> {
        Ok(Self::start(threads, queue_len, cost)?.0)
    }

    /// Starts the pool; returns the handle and the threads' join handles.
    fn start(
        threads: usize,
        queue_len: usize,
        cost: HashCost,
    ) -> Result<(Self, Vec<JoinHandle<()>>), AuthError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| AuthError::InvalidParams(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let (jobs, receiver) = mpsc::sync_channel(queue_len);
        let queued = Gauge::default();
        let receiver = Arc::new(Mutex::new(receiver));
        let spares = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for index in 0..threads.max(1) {
            let receiver = Arc::clone(&receiver);
            let spares = Arc::clone(&spares);
            let argon2 = argon2.clone();
            // If this fails, dropping `jobs` on return stops the threads already started.
            let handle = thread::Builder::new()
                .name(format!("eo-auth-{index}"))
                .spawn({
                    let queued = queued.clone();
                    move || worker(&argon2, &receiver, &spares, &queued)
                })
                .map_err(|e| AuthError::Failed(format!("cannot start a hashing thread: {e}")))?;
            handles.push(handle);
        }
        Ok((Self { jobs, queued }, handles))
    }

    /// Hashes `password` into a PHC string. [`AuthError::Busy`] at once if the queue is full.
    pub async fn hash(&self, password: String) -> Result<String, AuthError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Hash { password, reply })?;
        answer.await.map_err(|_| AuthError::Closed)?
    }

    /// Whether `password` matches the PHC string `phc`; [`AuthError::InvalidHash`] if `phc` is
    /// malformed. [`AuthError::Busy`] at once if the queue is full.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, AuthError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Verify {
            password,
            phc,
            reply,
        })?;
        answer.await.map_err(|_| AuthError::Closed)?
    }

    fn submit(&self, job: Job) -> Result<(), AuthError> {
        // Counted in before it can be taken (the worker counts it out).
        self.queued.inc();
        self.jobs.try_send(job).map_err(|error| {
            self.queued.dec();
            match error {
                TrySendError::Full(_) => AuthError::Busy,
                TrySendError::Disconnected(_) => AuthError::Closed,
            }
        })
    }

    /// Passwords waiting for or being hashed, for the metrics.
    pub fn queue_gauge(&self) -> Gauge {
        self.queued.clone()
    }
}

/// How long the pool goes without a job before its threads give their argon2 memory back.
const SCRATCH_IDLE_RELEASE: Duration = Duration::from_secs(60);

fn worker(
    argon2: &Argon2<'static>,
    jobs: &Mutex<Receiver<Job>>,
    spares: &Mutex<Vec<Scratch>>,
    queued: &Gauge,
) {
    // Nothing panics while holding these locks, but a poisoned lock is still usable.
    let spare_scratches = || {
        spares
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    loop {
        let job = {
            let receiver = jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            receiver.recv_timeout(SCRATCH_IDLE_RELEASE)
        };
        let job = match job {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                // Quiet: the memory goes back to the system until logins come again.
                spare_scratches().clear();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return, // every PasswordHasher is gone
        };
        let mut scratch = spare_scratches()
            .pop()
            .unwrap_or_else(|| Scratch::for_cost(argon2.params()));
        // Counted out when done (or skipped), however it ends.
        let _done = Done(queued);
        match job {
            Job::Hash { password, reply } => {
                if reply.is_closed() {
                    continue; // the caller gave up; skip the work
                }
                let result = guarded(|| hash_password(argon2, &password));
                let _ = reply.send(result);
            }
            Job::Verify {
                password,
                phc,
                reply,
            } => {
                if reply.is_closed() {
                    continue;
                }
                let result = guarded(|| {
                    if legacy::is_legacy(&phc) {
                        legacy::verify(argon2, &mut scratch, &password, &phc)
                    } else {
                        verify_password(argon2, &mut scratch, password.as_bytes(), &phc)
                    }
                });
                let _ = reply.send(result);
            }
        }
        spare_scratches().push(scratch);
    }
}

/// Takes a job off the queue's count when dropped.
struct Done<'a>(&'a Gauge);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Runs `f`, turning a panic into an error so the pool never loses a thread.
fn guarded<T>(f: impl FnOnce() -> Result<T, AuthError>) -> Result<T, AuthError> {
    panic::catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(AuthError::Failed("the hashing thread panicked".into())))
}

fn hash_password(argon2: &Argon2<'static>, password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|e| AuthError::Failed(format!("no randomness for the salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Failed(e.to_string()))?;
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Failed(e.to_string()))
}

/// Argon2's working memory, kept by the hashing pool from one verification to the next.
///
/// Argon2 at the default cost works in 19 MiB. Allocated afresh for each login, that memory was
/// zeroed and faulted in every time: the kernel's share of a login was two fifths of its CPU
/// (docs/load.md, "What a login costs"); kept, it is only overwritten (argon2 writes every
/// block before it reads it). Only hashes of at most the pool's own cost use it, so a stored
/// hash of a larger cost cannot make the pool keep more; and after [`SCRATCH_IDLE_RELEASE`]
/// without a job the pool gives it all back, so an idle server stays small.
struct Scratch {
    blocks: Vec<Block>,
    /// The most blocks the scratch grows to: the pool's own cost.
    limit: usize,
}

impl Scratch {
    fn for_cost(params: &Params) -> Self {
        Scratch {
            blocks: Vec::new(),
            limit: params.block_count(),
        }
    }

    /// `count` blocks to work in, or `None` when that is more than this scratch keeps.
    fn blocks(&mut self, count: usize) -> Option<&mut [Block]> {
        if count > self.limit {
            return None;
        }
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::default());
        }
        self.blocks.get_mut(..count)
    }
}

/// Checks `password` against the stored PHC string `hash` in the scratch's memory: argon2 with
/// the hash's own algorithm, version and cost, compared in constant time. `None` when the
/// hash's cost needs more memory than the scratch keeps.
fn verify_in_scratch(
    scratch: &mut Scratch,
    password: &[u8],
    hash: &PasswordHash<'_>,
    params: Params,
) -> Result<Option<bool>, AuthError> {
    let invalid = |e: &dyn std::fmt::Display| AuthError::InvalidHash(e.to_string());
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return Err(AuthError::InvalidHash("missing salt or hash".into()));
    };
    let algorithm = Algorithm::try_from(hash.algorithm).map_err(|e| invalid(&e))?;
    let version = match hash.version {
        Some(version) => Version::try_from(version).map_err(|e| invalid(&e))?,
        None => Version::default(),
    };
    let mut salt_bytes = [0u8; password_hash::Salt::MAX_LENGTH];
    let salt = salt.decode_b64(&mut salt_bytes).map_err(|e| invalid(&e))?;
    let count = params.block_count();
    let Some(blocks) = scratch.blocks(count) else {
        return Ok(None);
    };
    let mut computed = [0u8; password_hash::Output::MAX_LENGTH];
    let computed = computed
        .get_mut(..expected.len())
        .ok_or_else(|| AuthError::InvalidHash("hash too long".into()))?;
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, computed, blocks)
        .map_err(|e| invalid(&e))?;
    // `Output`'s equality is constant-time.
    let computed = password_hash::Output::new(computed).map_err(|e| invalid(&e))?;
    Ok(Some(computed == expected))
}

fn verify_password(
    argon2: &Argon2<'static>,
    scratch: &mut Scratch,
    password: &[u8],
    phc: &str,
) -> Result<bool, AuthError> {
    let hash = PasswordHash::new(phc).map_err(|e| AuthError::InvalidHash(e.to_string()))?;
    if hash.algorithm != argon2::ARGON2ID_IDENT
        && hash.algorithm != argon2::ARGON2I_IDENT
        && hash.algorithm != argon2::ARGON2D_IDENT
    {
        return Err(AuthError::InvalidHash(format!(
            "not an argon2 hash: {}",
            hash.algorithm
        )));
    }
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(AuthError::InvalidHash("missing salt or hash".into()));
    }
    let params = Params::try_from(&hash).map_err(|e| AuthError::InvalidHash(e.to_string()))?;
    if params.m_cost() > MAX_VERIFY_MEMORY_KIB {
        // A corrupt row must not make us try to allocate gigabytes (an allocation failure aborts).
        return Err(AuthError::InvalidHash(format!(
            "memory cost {} KiB is above the {MAX_VERIFY_MEMORY_KIB} KiB limit",
            params.m_cost()
        )));
    }
    if let Some(matches) = verify_in_scratch(scratch, password, &hash, params)? {
        return Ok(matches);
    }
    match argon2.verify_password(password, &hash) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::Password) => Ok(false),
        Err(e) => Err(AuthError::InvalidHash(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn fast() -> PasswordHasher {
        PasswordHasher::with_cost(2, 16, HashCost::insecure_fast()).unwrap()
    }

    #[tokio::test]
    async fn hash_and_verify_round_trip() {
        let hasher = fast();
        let phc = hasher.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert_eq!(
            hasher.verify("correct horse".into(), phc.clone()).await,
            Ok(true)
        );
        assert_eq!(
            hasher.verify("correct horsE".into(), phc.clone()).await,
            Ok(false)
        );
        assert_eq!(hasher.verify(String::new(), phc).await, Ok(false));
    }

    /// The kept-memory path answers as argon2's own verification does, for every algorithm,
    /// both versions and output lengths, with the scratch used (cost within the pool's) and not
    /// used (a larger cost, which falls back to argon2's allocation).
    #[test]
    fn the_kept_memory_answers_as_argon2_does() {
        let pool = Params::new(64, 1, 1, None).unwrap();
        let mut scratch = Scratch::for_cost(&pool);
        let salt = SaltString::encode_b64(b"a salt of 16 b.!").unwrap();
        for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d] {
            for version in [Version::V0x13, Version::V0x10] {
                for (memory_kib, output_len) in [(32, 32), (64, 16), (64, 64), (128, 32)] {
                    let params = Params::new(memory_kib, 2, 1, Some(output_len)).unwrap();
                    let argon2 = Argon2::new(algorithm, version, params);
                    let phc = argon2.hash_password(b"hunter2", &salt).unwrap().to_string();
                    let hash = PasswordHash::new(&phc).unwrap();
                    let stored = Params::try_from(&hash).unwrap();
                    let used =
                        verify_in_scratch(&mut scratch, b"hunter2", &hash, stored.clone()).unwrap();
                    let wrong = verify_in_scratch(&mut scratch, b"hunter3", &hash, stored).unwrap();
                    if memory_kib <= 64 {
                        assert_eq!((used, wrong), (Some(true), Some(false)), "{phc}");
                    } else {
                        assert_eq!(
                            (used, wrong),
                            (None, None),
                            "{phc}: more than the pool's cost"
                        );
                    }
                    let pool_argon2 =
                        Argon2::new(Algorithm::Argon2id, Version::V0x13, pool.clone());
                    assert_eq!(
                        verify_password(&pool_argon2, &mut scratch, b"hunter2", &phc),
                        Ok(true),
                        "{phc}"
                    );
                    assert_eq!(
                        verify_password(&pool_argon2, &mut scratch, b"hunter3", &phc),
                        Ok(false),
                        "{phc}"
                    );
                }
            }
        }
        assert!(
            scratch.blocks.len() <= pool.block_count(),
            "the scratch kept only the pool's cost"
        );
    }

    #[tokio::test]
    async fn salts_are_random() {
        let hasher = fast();
        let a = hasher.hash("same".into()).await.unwrap();
        let b = hasher.hash("same".into()).await.unwrap();
        assert_ne!(a, b);
        assert_eq!(hasher.verify("same".into(), b).await, Ok(true));
    }

    #[tokio::test]
    async fn verification_uses_the_stored_cost() {
        let cheap = fast();
        let phc = cheap.hash("pw".into()).await.unwrap();
        let other = PasswordHasher::with_cost(
            1,
            4,
            HashCost {
                memory_kib: 64,
                iterations: 2,
                parallelism: 1,
            },
        )
        .unwrap();
        assert_eq!(other.verify("pw".into(), phc).await, Ok(true));
        let stronger = other.hash("pw".into()).await.unwrap();
        assert!(
            stronger.starts_with("$argon2id$v=19$m=64,t=2,p=1$"),
            "{stronger}"
        );
    }

    #[tokio::test]
    async fn malformed_hashes_are_errors_not_panics() {
        let hasher = fast();
        for phc in [
            "",
            "plain text",
            "$argon2id$",
            "$argon2id$v=19$m=8,t=1,p=1",
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ",
            "$argon2id$v=19$m=notanumber,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            "$argon2id$v=19$m=4000000,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            "$argon2id$v=19$m=8,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            "$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            "$2b$12$abcdefghijklmnopqrstuu5Sq2nL6q6Uad1o2K5FkzrCPCiJ5xoG",
        ] {
            let result = hasher.verify("pw".into(), phc.into()).await;
            assert!(
                matches!(result, Err(AuthError::InvalidHash(_))),
                "{phc:?}: {result:?}"
            );
        }
        // The pool still works afterwards.
        assert!(hasher.hash("pw".into()).await.is_ok());
    }

    #[test]
    fn invalid_costs_are_refused() {
        let result = PasswordHasher::with_cost(
            1,
            1,
            HashCost {
                memory_kib: 1,
                iterations: 0,
                parallelism: 1,
            },
        );
        assert!(matches!(result, Err(AuthError::InvalidParams(_))));
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        // One thread, one waiting slot, and hashes slow enough that the first is still running
        // while the rest are submitted.
        let slow = HashCost {
            memory_kib: 16 * 1024,
            iterations: 2,
            parallelism: 1,
        };
        let hasher = PasswordHasher::with_cost(1, 1, slow).unwrap();
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let hasher = hasher.clone();
                tokio::spawn(async move {
                    let started = Instant::now();
                    let result = hasher.hash(format!("password{i}")).await;
                    (result, started.elapsed())
                })
            })
            .collect();
        let mut busy = 0;
        let mut hashed = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (Err(AuthError::Busy), elapsed) => {
                    busy += 1;
                    assert!(
                        elapsed < Duration::from_millis(500),
                        "Busy took {elapsed:?}"
                    );
                }
                (Ok(phc), _) => hashed.push(phc),
                (other, _) => panic!("unexpected {other:?}"),
            }
        }
        // At most one running and one queued can be accepted.
        assert!(busy >= 4, "busy = {busy}");
        assert!(!hashed.is_empty());
        assert!(hashed[0].starts_with("$argon2id$v=19$m=16384,t=2,p=1$"));
        // Once drained, the pool accepts work again.
        assert!(
            hasher
                .verify("password0".into(), hashed[0].clone())
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn dropping_every_handle_stops_the_threads() {
        let (hasher, threads) = PasswordHasher::start(2, 4, HashCost::insecure_fast()).unwrap();
        let clone = hasher.clone();
        drop(hasher);
        assert!(clone.hash("still".into()).await.is_ok());
        drop(clone);
        let joined = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::task::spawn_blocking(move || {
                threads.into_iter().map(JoinHandle::join).all(|r| r.is_ok())
            }),
        )
        .await
        .expect("the hashing threads did not stop");
        assert!(joined.unwrap());
    }

    #[tokio::test]
    async fn a_stopped_pool_answers_closed() {
        let (jobs, receiver) = mpsc::sync_channel(1);
        drop(receiver);
        let orphan = PasswordHasher {
            jobs,
            queued: Gauge::default(),
        };
        assert_eq!(orphan.hash("x".into()).await, Err(AuthError::Closed));
        assert_eq!(
            orphan.verify("x".into(), "y".into()).await,
            Err(AuthError::Closed)
        );
    }
}
