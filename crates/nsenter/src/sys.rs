//! The raw calls stage 1 makes that no safe wrapper offers.
//!
//! Contract: stage 1 is a freshly executed, single-threaded process, so forking it with a raw
//! `clone` leaves no lock held and no other thread behind; every function here either makes
//! one such call or takes ownership of a descriptor the kernel handed to us.

#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::unistd::Pid;

/// Forks the calling process so that the child's parent is the caller's parent
/// (`clone(CLONE_PARENT | SIGCHLD)` with no new stack, which is `fork` with a different
/// parent): the child is `Some(pid)` in the caller and `None` in the child.
///
/// Stage 1 uses it so that stage 2, pid 1 of the container, is a child of the container's
/// creator, which can then wait for it.
///
/// # Errors
///
/// The errno of `clone(2)`.
///
/// # References
///
/// <https://man7.org/linux/man-pages/man2/clone.2.html>
pub(crate) fn fork_sibling() -> Result<Option<Pid>, Errno> {
    let flags = (libc::CLONE_PARENT | libc::SIGCHLD) as libc::c_ulong;
    // SAFETY: a null stack makes clone behave as fork (the child runs on a copy-on-write
    // copy of our stack); the caller is single-threaded (see the module contract), so the
    // child inherits no lock held by another thread. The pointer arguments are null, as
    // no CLONE_*TID or CLONE_SETTLS flag asks for them.
    let ret = unsafe { libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize) };
    match ret {
        -1 => Err(Errno::last()),
        0 => Ok(None),
        pid => Ok(Some(Pid::from_raw(pid as libc::pid_t))),
    }
}

/// `struct clone_args` up to `cgroup` (`CLONE_ARGS_SIZE_VER2`, 88 bytes).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// `CLONE_INTO_CGROUP` (Linux 5.7).
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// [`fork_sibling`], with the child born in the cgroup2 directory `cgroup`
/// (`clone3(2)` with `CLONE_PARENT | CLONE_INTO_CGROUP`): it never runs anywhere else, and
/// no process has to move it, which would wait for an RCU grace period.
///
/// # Errors
///
/// The errno of `clone3(2)`: `ENOSYS` before Linux 5.7 (fall back to [`fork_sibling`]),
/// `EOPNOTSUPP` or `EBUSY` for a directory that cannot take processes.
///
/// # References
///
/// <https://man7.org/linux/man-pages/man2/clone3.2.html>
pub(crate) fn fork_sibling_into(cgroup: BorrowedFd<'_>) -> Result<Option<Pid>, Errno> {
    let args = CloneArgs {
        flags: libc::CLONE_PARENT as u64 | CLONE_INTO_CGROUP,
        // clone3 refuses one with CLONE_PARENT: the child gets the caller's own, SIGCHLD
        // for a process spawned as stage 1 is.
        exit_signal: 0,
        cgroup: u64::try_from(cgroup.as_raw_fd()).map_err(|_| Errno::EBADF)?,
        ..CloneArgs::default()
    };
    // SAFETY: `args` is a `struct clone_args` of the size passed, read by the kernel during
    // the call only; with no stack given the child runs on a copy-on-write copy of ours,
    // as after fork, and the caller is single-threaded (see the module contract), so it
    // inherits no lock held by another thread. No flag asks the kernel to write through a
    // pointer.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            std::ptr::from_ref(&args),
            std::mem::size_of::<CloneArgs>(),
        )
    };
    match ret {
        -1 => Err(Errno::last()),
        0 => Ok(None),
        pid => Ok(Some(Pid::from_raw(pid as libc::pid_t))),
    }
}

/// Ends the process at once with `code`, without running exit handlers or flushing stdio
/// buffers that belong to the parent's copy (`_exit(2)`).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: `_exit` takes no pointers and never returns.
    unsafe { libc::_exit(code) }
}

/// Takes ownership of a descriptor that `recvmsg` installed in this process.
pub(crate) fn own_received_fd(raw: RawFd) -> OwnedFd {
    // SAFETY: the kernel installed `raw` for this message alone (SCM_RIGHTS); nothing else
    // in the process knows it, so this is its only owner.
    unsafe { OwnedFd::from_raw_fd(raw) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_args_has_the_kernel_layout_up_to_cgroup() {
        assert_eq!(std::mem::size_of::<CloneArgs>(), 88);
        assert_eq!(std::mem::offset_of!(CloneArgs, cgroup), 80);
    }
}
