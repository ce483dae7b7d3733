//! The process figures the report gives: CPU time and resident memory from /proc (Linux),
//! and the open-file limit, raised so thousands of sockets can be open.

use std::time::Instant;

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit now in force.
pub fn raise_fd_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the call to fill in.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `limit` is a valid rlimit; the kernel only reads it.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return None;
        }
    }
    Some(limit.rlim_cur)
}

/// CPU seconds (user + system) a process has used: `pid` or "self".
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf only reads a constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (ticks > 0).then(|| (utime + stime) / ticks as f64)
}

/// Resident memory now and at its peak, in KiB: VmRSS and VmHWM of /proc/PID/status.
pub fn rss_kib(pid: &str) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Read and write syscalls a process has made (syscr, syscw of /proc/PID/io; socket reads
/// by recv are not among the reads): with the packets the bots received, the writes tell how
/// well the server batches them.
pub fn syscalls(pid: &str) -> Option<(u64, u64)> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    let field = |name: &str| {
        io.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
    };
    Some((field("syscr:")?, field("syscw:")?))
}

/// CPU used between two points in time, as a percentage of one core.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    at: Instant,
    cpu: Option<f64>,
}

impl CpuMark {
    pub fn now(pid: &str) -> CpuMark {
        CpuMark {
            at: Instant::now(),
            cpu: cpu_seconds(pid),
        }
    }

    /// Percent of one core used since `self` (200 = both cores of a 2-core machine).
    pub fn percent_since(&self, pid: &str) -> Option<f64> {
        self.used_since(pid).map(|used| used.percent)
    }

    /// CPU seconds used since `self`, and as a percentage of one core.
    pub fn used_since(&self, pid: &str) -> Option<CpuUsed> {
        let wall = self.at.elapsed().as_secs_f64();
        let seconds = cpu_seconds(pid)? - self.cpu?;
        (wall > 0.0).then(|| CpuUsed {
            seconds,
            percent: seconds / wall * 100.0,
        })
    }
}

/// What a process used between two marks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUsed {
    pub seconds: f64,
    /// Of one core.
    pub percent: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_figures_are_readable() {
        assert!(cpu_seconds("self").is_some());
        let (rss, peak) = rss_kib("self").unwrap();
        assert!(rss > 0 && peak >= rss);
        assert!(raise_fd_limit().unwrap() >= 1024);
        assert!(syscalls("self").unwrap().0 > 0);
    }
}
