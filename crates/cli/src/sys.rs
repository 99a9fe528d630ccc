//! The raw calls of the command line that no safe wrapper covers: taking ownership of
//! descriptors the caller passed (`--preserve-fds`), and signalling a pid with a signal
//! number (real-time signals included, which `nix`'s `Signal` cannot name).
//!
//! Contract: each function makes one or two plain system calls on integers; the only
//! ownership claim is on descriptors that were open when hull started and that nothing in
//! this process has opened or taken.

#![allow(unsafe_code)]

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;

/// Takes ownership of descriptor `fd`, inherited from hull's caller.
///
/// Call it before this process opens any descriptor of its own, so that `fd` can only be
/// one the caller passed.
///
/// # Errors
///
/// `EBADF` when `fd` is not open (`fcntl(fd, F_GETFD)`).
pub fn claim_inherited_fd(fd: RawFd) -> Result<OwnedFd, Errno> {
    // SAFETY: fcntl(F_GETFD) takes a plain descriptor number and touches no memory.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(Errno::last());
    }
    // SAFETY: `fd` is open (checked above), was inherited from the caller, and nothing in
    // this process owns it: hull has opened nothing yet when it claims preserved fds.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Sends signal number `signo` to `pid` (`kill(2)`).
///
/// # Errors
///
/// The errno of `kill(2)`.
pub fn kill(pid: i32, signo: i32) -> Result<(), Errno> {
    // SAFETY: kill takes two integers and touches no memory of ours.
    if unsafe { libc::kill(pid, signo) } < 0 {
        return Err(Errno::last());
    }
    Ok(())
}
