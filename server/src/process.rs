//! Process-wide settings made once at start-up, and the word to the service manager.
//!
//! - The open-file limit. Every connection is a socket, and the usual soft limit (1,024) is far
//!   below what `server.max_connections` allows, so the server raises it to the hard limit
//!   (which needs no privilege).
//! - The allocator's mmap threshold. Password hashing (argon2id) allocates 19 MiB per hash on
//!   its threads; glibc's threshold for serving such blocks with mmap grows after the first
//!   free, so later ones come from per-thread arenas that keep the memory: a server that had
//!   created a few hundred accounts held over 300 MiB it no longer used. A fixed threshold
//!   keeps large blocks in mmap, returned to the system when freed.

/// Blocks at least this large are mapped on their own and unmapped when freed.
pub const MMAP_THRESHOLD: usize = 1 << 20;

/// Fixes glibc's mmap threshold at [`MMAP_THRESHOLD`]; whether it was set.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn fix_mmap_threshold() -> bool {
    // SAFETY: mallopt only changes the allocator's tuning; called before other threads start.
    unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int) == 1 }
}

/// Other allocators manage their own.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn fix_mmap_threshold() -> bool {
    false
}

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit before and after.
#[cfg(unix)]
pub fn raise_to_hard_limit() -> std::io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the call to fill in.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let before = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `limit` is a valid rlimit; the kernel only reads it.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok((before, limit.rlim_cur))
}

/// Elsewhere the limit is left as it is.
#[cfg(not(unix))]
pub fn raise_to_hard_limit() -> std::io::Result<(u64, u64)> {
    Err(std::io::Error::other("not supported on this platform"))
}

/// Tells the service manager (systemd with `Type=notify`, through `NOTIFY_SOCKET`) the
/// server's state: `READY=1` once it listens and answers on its control socket, `STOPPING=1`
/// when it begins to shut down. Without a service manager it does nothing; a failure is logged
/// and never stops the server.
pub fn notify_service_manager(state: &sd_notify::NotifyState<'_>) {
    if let Err(error) = sd_notify::notify(false, std::slice::from_ref(state)) {
        tracing::warn!(%error, "could not tell the service manager");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let (before, after) = super::raise_to_hard_limit().unwrap();
        assert!(after >= before);
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!(limit.rlim_cur, after);
        assert_eq!(limit.rlim_cur, limit.rlim_max);
    }
}
