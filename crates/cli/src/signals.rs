//! Signals of a foreground `hull run`: every catchable signal hull receives is taken from
//! a `signalfd(2)` instead of being delivered, so that it can be forwarded to the
//! container's init, and `SIGCHLD` tells hull to reap its children.

use std::os::fd::{AsFd, BorrowedFd};

use nix::errno::Errno;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::error::CliError;
use crate::sys;

/// Signals that report a fault of hull itself: never blocked, never forwarded.
const SYNCHRONOUS: [Signal; 6] = [
    Signal::SIGSEGV,
    Signal::SIGBUS,
    Signal::SIGILL,
    Signal::SIGFPE,
    Signal::SIGTRAP,
    Signal::SIGSYS,
];

/// The blocked signals, readable from a descriptor.
///
/// The mask is not restored when this is dropped: hull exits right after, and a signal
/// still pending then must not kill hull before it reports the container's status.
#[derive(Debug)]
pub struct Signals {
    fd: SignalFd,
}

impl Signals {
    /// Blocks every signal but the synchronous ones and opens a `signalfd` for them.
    /// Call it once the container's init exists and before its program runs: the init was
    /// spawned with hull's mask, which it keeps for the program (so it must not be
    /// spawned with these signals blocked), and a signal that arrives after this waits in
    /// the descriptor.
    ///
    /// # Errors
    ///
    /// [`CliError::Signals`] when the mask or the descriptor cannot be set up.
    pub fn block() -> Result<Signals, CliError> {
        let mut mask = SigSet::all();
        for signal in SYNCHRONOUS {
            mask.remove(signal);
        }
        sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None).map_err(CliError::Signals)?;
        let fd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
            .map_err(CliError::Signals)?;
        Ok(Signals { fd })
    }

    /// The descriptor to poll.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The signal numbers received since the last call, in order.
    ///
    /// # Errors
    ///
    /// [`CliError::Signals`] when the descriptor cannot be read.
    pub fn received(&mut self) -> Result<Vec<i32>, CliError> {
        let mut signals = Vec::new();
        loop {
            match self.fd.read_signal() {
                Ok(Some(info)) => signals.push(info.ssi_signo as i32),
                Ok(None) => return Ok(signals),
                Err(Errno::EINTR) => continue,
                Err(errno) => return Err(CliError::Signals(errno)),
            }
        }
    }
}

/// Forwards signal `signo` to the container's init; a failure (the init is gone) is
/// logged and changes nothing.
pub fn forward(init: i32, signo: i32) {
    tracing::debug!("forwarding signal {signo} to {init}");
    if let Err(errno) = sys::kill(init, signo) {
        tracing::debug!("cannot forward signal {signo} to {init}: {errno}");
    }
}

/// Reaps every child that has ended (the init, and as a subreaper, orphans of the
/// container); returns the init's status as a shell reports it (the code, or 128 plus
/// the signal) once it is among them.
///
/// # Errors
///
/// [`CliError::Wait`] when `waitpid` fails for another reason than having no child.
pub fn reap(init: i32) -> Result<Option<i32>, CliError> {
    let mut status = None;
    loop {
        let flags = WaitPidFlag::WNOHANG | WaitPidFlag::__WALL;
        let (pid, code) = match waitpid(Pid::from_raw(-1), Some(flags)) {
            Ok(WaitStatus::Exited(pid, code)) => (pid, code),
            Ok(WaitStatus::Signaled(pid, signal, _)) => (pid, 128 + signal as i32),
            Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => return Ok(status),
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(source) => return Err(CliError::Wait { pid: init, source }),
        };
        tracing::debug!(pid = pid.as_raw(), status = code, "process exited");
        if pid.as_raw() == init {
            status = Some(code);
        }
    }
}
