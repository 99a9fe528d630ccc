//! The raw calls of hull-namespaces: the `NS_GET_NSTYPE` ioctl, and a forked process that
//! joins a user namespace so that its maps can be read from outside.
//!
//! Contract: each unsafe block makes one call on file descriptors borrowed for the call.
//! The fork is the only place where code runs in a copy of the caller, which may have other
//! threads: the child runs [`occupy`] alone, which calls only async-signal-safe functions
//! on data made before the fork, allocates nothing, and leaves with `_exit` or `SIGKILL`.

#![allow(unsafe_code)]

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use nix::errno::Errno;
use nix::sched::CloneFlags;
use nix::sys::prctl;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, kill, sigprocmask};
use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid, pipe2};

/// `ioctl(fd, NS_GET_NSTYPE)`: the `CLONE_NEW*` type of the namespace open at `fd`.
///
/// Fails with `ENOTTY` when `fd` is not a namespace file.
///
/// <https://man7.org/linux/man-pages/man2/ioctl_ns.2.html>
pub(crate) fn namespace_type(fd: BorrowedFd<'_>) -> Result<i32, Errno> {
    // SAFETY: `fd` is open for the whole call; NS_GET_NSTYPE takes no argument and writes
    // no memory of ours.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), libc::NS_GET_NSTYPE) };
    Errno::result(ret)
}

/// A child process that joined a user namespace and waits there; dropping it kills and
/// reaps it.
///
/// The child can end only by a signal (ours, or its parent thread's death) or by failing
/// before it reported success, so while this value lives its pid is still ours: the
/// process is either waiting or a zombie that only we may reap.
#[derive(Debug)]
pub(crate) struct Occupant {
    pid: Pid,
}

impl Occupant {
    /// The child's pid, in the caller's pid namespace.
    pub(crate) fn pid(&self) -> Pid {
        self.pid
    }
}

impl Drop for Occupant {
    fn drop(&mut self) {
        // The child holds nothing and blocks every catchable signal: SIGKILL ends it.
        // `kill` fails only if someone else reaped it (ESRCH): then there is nothing to
        // end, and nothing worth a panic in a destructor.
        let _ = kill(self.pid, Signal::SIGKILL);
        reap(self.pid);
    }
}

/// Forks a child that joins the user namespace open at `ns` and waits there.
///
/// Returns when the child reports that it joined it; a failure to join comes back as the
/// child's errno (`EPERM` without `CAP_SYS_ADMIN` in that namespace, `EINVAL` for the
/// caller's own user namespace).
pub(crate) fn spawn_in_user_namespace(ns: BorrowedFd<'_>) -> Result<Occupant, Errno> {
    let (report_rx, report_tx) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    let parent = getpid();
    // SAFETY: the child runs `occupy` and nothing else: async-signal-safe calls on `ns`,
    // `report_tx` and `parent`, all made before the fork; no allocation, no lock, no
    // return into the caller's code (it ends with `_exit` or is killed).
    let forked = unsafe { fork() }?;
    let child = match forked {
        ForkResult::Child => occupy(ns, report_tx.as_fd(), parent),
        ForkResult::Parent { child } => child,
    };
    // The child's end: once it is closed here, a child that dies before reporting gives
    // end of file instead of a read that never returns.
    drop(report_tx);
    let mut report = [0_u8; 4];
    let read = loop {
        match nix::unistd::read(report_rx.as_fd(), &mut report) {
            Err(Errno::EINTR) => {}
            other => break other,
        }
    };
    match (read, i32::from_ne_bytes(report)) {
        (Ok(4), 0) => Ok(Occupant { pid: child }),
        // It failed and leaves by itself (`_exit`), or it is gone already (end of file):
        // reap it, but send no signal to a pid that may have been reused.
        (Ok(4), errno) => {
            reap(child);
            Err(Errno::from_raw(errno))
        }
        (Ok(0), _) => {
            reap(child);
            Err(Errno::ECHILD)
        }
        // No report: it may be waiting, so kill and reap it.
        (other, _) => {
            drop(Occupant { pid: child });
            Err(other.err().unwrap_or(Errno::EIO))
        }
    }
}

/// Waits for our child `pid` to end, through interruptions. A failure (`ECHILD` for a
/// caller that ignores `SIGCHLD`, or reaps every child itself) leaves nothing to do.
fn reap(pid: Pid) {
    while waitpid(pid, None) == Err(Errno::EINTR) {}
}

/// The child: joins the namespace, reports 0 or the errno on `report`, then waits to be
/// killed. Every call here is async-signal-safe and nothing allocates.
fn occupy(ns: BorrowedFd<'_>, report: BorrowedFd<'_>, parent: Pid) -> ! {
    let errno = match join_user_namespace(ns, parent) {
        Ok(()) => 0,
        Err(errno) => errno as i32,
    };
    let reported = nix::unistd::write(report, &errno.to_ne_bytes()) == Ok(4);
    // Unreported, the parent learns of the failure by end of file once we are gone.
    if errno != 0 || !reported {
        // SAFETY: `_exit` ends this forked copy at once, running no atexit handler or
        // destructor of the caller's; it is async-signal-safe.
        unsafe { libc::_exit(1) };
    }
    loop {
        nix::unistd::pause();
    }
}

/// In the child: blocks every signal (so no handler of the caller's runs here), asks for
/// `SIGKILL` when the parent thread dies (and checks it has not died already), then
/// `setns(2)` into the user namespace.
fn join_user_namespace(ns: BorrowedFd<'_>, parent: Pid) -> Result<(), Errno> {
    sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::all()), None)?;
    prctl::set_pdeathsig(Signal::SIGKILL)?;
    if getppid() != parent {
        return Err(Errno::ESRCH);
    }
    nix::sched::setns(ns, CloneFlags::CLONE_NEWUSER)
}
