//! The two libc calls of the benchmarks: `wait4` (user and system CPU time and peak RSS of one
//! child, exactly, whatever else the machine runs) and `sysconf(_SC_CLK_TCK)` (the unit of
//! `/proc/<pid>/stat` times).
#![allow(unsafe_code)]

use std::io;
use std::process::Child;
use std::time::Duration;

/// What the kernel accounted to one child process.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// Exit code, or `-signal` when a signal ended it.
    pub exit: i32,
    /// User CPU time.
    pub user: Duration,
    /// System CPU time.
    pub sys: Duration,
    /// Peak resident set size, KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
}

fn duration(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// Waits for `child` (which must not have been waited for) and returns its resource usage.
/// The `Child` is consumed: it has been reaped.
pub fn wait_with_usage(child: Child) -> io::Result<Usage> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, valid when zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid, exclusively borrowed out-parameters for the
        // duration of the call; `pid` is our own unreaped child (std never waits for it: the
        // `Child` is dropped below without `wait`).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    drop(child);
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        -libc::WTERMSIG(status)
    } else {
        -1
    };
    Ok(Usage {
        exit,
        user: duration(usage.ru_utime),
        sys: duration(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
    })
}

/// Clock ticks per second of `/proc/<pid>/stat` (`utime`, `stime`).
pub fn clock_ticks() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as u64 } else { 100 }
}
