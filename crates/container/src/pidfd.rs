//! Signalling a container's init through a pidfd, so that a process that took the init's
//! pid after it exited is never hit.
//!
//! A pid names whichever process holds it now; a pidfd names one process for the whole of
//! its life. The init is checked (its start time, as the state recorded it) only once a
//! pidfd of the pid is open: if the check passes, the signal can reach only the process that
//! was checked, and fails with `ESRCH` once that process is reaped.

use std::os::fd::OwnedFd;

use nix::errno::Errno;
use nix::sys::signal::Signal;
use rustix::process::{Pid, PidfdFlags, pidfd_open, pidfd_send_signal};

use crate::error::{ContainerError, Result};
use crate::state::InitProcess;

/// Sends `signal` to `init`, if the process with its pid is still the one that was started:
/// `pidfd = pidfd_open(pid, 0)`, then `/proc/<pid>/stat` checked against the recorded
/// start time, then `pidfd_send_signal(pidfd, sig, NULL, 0)`.
///
/// Before Linux 5.3 (`pidfd_open` fails with `ENOSYS`) the same check is followed by
/// `kill(2)`, which leaves open the short window between check and signal that a pidfd
/// closes.
///
/// # Errors
///
/// [`ContainerError::InitGone`] when no process has the pid, a zombie or another process
/// has it, or the pid cannot name a process (0 or negative: `kill` would signal a group);
/// [`ContainerError::Signal`] when a call fails otherwise (`EPERM`, a signal the kernel
/// does not know).
///
/// # References
///
/// - [`pidfd_open(2)`](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
/// - [`pidfd_send_signal(2)`](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
#[doc(alias = "pidfd_send_signal")]
pub(crate) fn signal_init(init: InitProcess, signal: Signal) -> Result<()> {
    let gone = || ContainerError::InitGone { pid: init.pid };
    let failed = |source| match source {
        Errno::ESRCH => gone(),
        source => ContainerError::Signal {
            pid: init.pid,
            source,
        },
    };
    let pid = match init.pid {
        1.. => Pid::from_raw(init.pid).ok_or_else(gone)?,
        _ => return Err(gone()),
    };
    let pidfd = match open(pid) {
        Ok(pidfd) => Some(pidfd),
        // A kernel older than 5.3 has no pidfd_open: fall back to kill, after the same
        // check, and accept the race with pid reuse that such a kernel cannot close.
        Err(Errno::ENOSYS) => None,
        Err(errno) => return Err(failed(errno)),
    };
    // Read only now that the pidfd is open: it names the process this check sees.
    if !is_the_init(init)? {
        return Err(gone());
    }
    match pidfd {
        Some(pidfd) => send(&pidfd, signal),
        None => nix::sys::signal::kill(nix::unistd::Pid::from_raw(init.pid), signal),
    }
    .map_err(failed)
}

/// Whether the process with `init`'s pid is `init`: same start time, and not a zombie.
fn is_the_init(init: InitProcess) -> Result<bool> {
    Ok(matches!(crate::proc::stat(init.pid)?, Some(stat)
        if stat.start_time == init.start_time && !stat.is_zombie()))
}

/// `pidfd_open(pid, 0)`.
fn open(pid: Pid) -> Result<OwnedFd, Errno> {
    pidfd_open(pid, PidfdFlags::empty()).map_err(|errno| Errno::from_raw(errno.raw_os_error()))
}

/// `pidfd_send_signal(pidfd, signal, NULL, 0)`.
fn send(pidfd: &OwnedFd, signal: Signal) -> Result<(), Errno> {
    let signal = rustix::process::Signal::from_named_raw(signal as i32).ok_or(Errno::EINVAL)?;
    pidfd_send_signal(pidfd, signal).map_err(|errno| Errno::from_raw(errno.raw_os_error()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Child, Command};

    use super::*;

    fn sleeper() -> (Child, InitProcess) {
        let child = Command::new("sleep").arg("30").spawn().unwrap();
        let init = InitProcess::of(child.id() as i32).unwrap();
        (child, init)
    }

    #[test]
    fn the_init_is_signalled() {
        let (mut child, init) = sleeper();
        signal_init(init, Signal::SIGKILL).unwrap();
        assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
    }

    #[test]
    fn another_process_with_the_pid_is_not_signalled() {
        let (mut child, mut init) = sleeper();
        // As if the init had exited and `child` had been given its pid.
        init.start_time += 1;
        let err = signal_init(init, Signal::SIGKILL).unwrap_err();
        assert!(matches!(err, ContainerError::InitGone { .. }), "{err:?}");
        assert_eq!(child.try_wait().unwrap(), None, "the other process was hit");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn a_reaped_init_is_gone() {
        let (mut child, init) = sleeper();
        child.kill().unwrap();
        child.wait().unwrap();
        let err = signal_init(init, Signal::SIGTERM).unwrap_err();
        assert!(matches!(err, ContainerError::InitGone { .. }), "{err:?}");
    }

    #[test]
    fn pids_that_name_groups_are_refused() {
        for pid in [0, -1, -42] {
            let init = InitProcess { pid, start_time: 0 };
            let err = signal_init(init, Signal::SIGKILL).unwrap_err();
            assert!(matches!(err, ContainerError::InitGone { .. }), "{err:?}");
        }
    }

    #[test]
    fn every_signal_hull_takes_has_a_pidfd_form() {
        for signal in Signal::iterator() {
            assert!(
                rustix::process::Signal::from_named_raw(signal as i32).is_some(),
                "{signal}"
            );
        }
    }
}
