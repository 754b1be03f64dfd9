//! What the process itself must never leave behind: a core dump holds whatever
//! was in memory (exact words, names, notes), so a crash must not write one.

use std::io::Write;

/// Disables core dumps for this process before anything is read: the core
/// size limit goes to 0 (soft and hard, so a child cannot raise it again) and
/// the process is marked not dumpable (`prctl(PR_SET_DUMPABLE, 0)`), which also
/// keeps other processes of the same user from attaching a debugger to read
/// its memory. Errors: the OS call's error, which the caller reports.
pub fn forbid_core_dumps() -> std::io::Result<()> {
    let zero = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads a valid rlimit; prctl with PR_SET_DUMPABLE takes
    // plain integers.
    unsafe {
        if libc::setrlimit(libc::RLIMIT_CORE, &zero) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// True when the process may not dump core (both guards in place).
pub fn core_dumps_forbidden() -> bool {
    let mut lim = libc::rlimit {
        rlim_cur: 1,
        rlim_max: 1,
    };
    // SAFETY: getrlimit writes into a valid rlimit; PR_GET_DUMPABLE takes no pointer.
    unsafe {
        libc::getrlimit(libc::RLIMIT_CORE, &mut lim) == 0
            && lim.rlim_cur == 0
            && libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) == 0
    }
}

/// Writes one line to standard error, ignoring failure: after a hang-up the
/// terminal is gone and `eprintln!` would panic on the write error.
pub fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// True when an I/O error means the terminal has gone away (hang-up: the SSH
/// link dropped, the tmux session was killed, the pty closed).
pub fn is_hangup(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EIO | libc::ENXIO | libc::EPIPE)
    ) || e.kind() == std::io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_dumps_can_be_forbidden() {
        // Run in a child so the test harness itself keeps its limits.
        // SAFETY: fork in a test; the child only calls async-signal-safe
        // functions (setrlimit, prctl, getrlimit) and _exit.
        unsafe {
            let pid = libc::fork();
            assert!(pid >= 0);
            if pid == 0 {
                let ok = forbid_core_dumps().is_ok() && core_dumps_forbidden();
                libc::_exit(if ok { 0 } else { 1 });
            }
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
            assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
        }
        assert!(is_hangup(&std::io::Error::from_raw_os_error(libc::EIO)));
        assert!(!is_hangup(&std::io::Error::from_raw_os_error(libc::ENOENT)));
    }
}
