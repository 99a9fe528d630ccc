//! The raw calls of `hull-container` that no safe wrapper offers.
//!
//! Contract: `pre_exec` closures run in the forked child of a possibly multi-threaded caller
//! and so use only async-signal-safe calls (`fcntl`, `dup2`) on descriptor numbers prepared
//! before the fork; the other functions each make one call on memory they own.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Arranges for the child spawned by `cmd` to find `fds[i]` at descriptor `first + i`,
/// without close-on-exec, and nothing else beyond its standard streams.
///
/// The child first moves every source above the target range (so that a source already
/// numbered inside the range is never overwritten before it is copied), then `dup2`s each
/// into place; `dup2` clears close-on-exec on the copy.
pub(crate) fn place_fds(cmd: &mut Command, fds: Vec<RawFd>, first: RawFd) {
    let end = first + fds.len() as RawFd;
    let place = move || -> io::Result<()> {
        let mut moved = [0 as RawFd; 64];
        for (slot, &fd) in moved.iter_mut().zip(&fds) {
            // SAFETY: fcntl(F_DUPFD_CLOEXEC) on a descriptor number the parent owns and
            // that the fork copied; it allocates and touches no memory of ours.
            let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, end) };
            if new < 0 {
                return Err(io::Error::last_os_error());
            }
            *slot = new;
        }
        for (i, &fd) in moved.iter().take(fds.len()).enumerate() {
            // SAFETY: dup2 between two descriptor numbers valid in this child.
            if unsafe { libc::dup2(fd, first + i as RawFd) } < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    };
    // SAFETY: the closure only calls fcntl and dup2, which are async-signal-safe, on
    // numbers captured before the fork, and writes to a stack array; it allocates nothing.
    unsafe { cmd.pre_exec(place) };
}

/// The init channel this process inherited, when it was started as a container's init:
/// the descriptor named by `env_var`, checked to be an open socket.
pub(crate) fn inherited_init_channel(env_var: &str) -> Option<OwnedFd> {
    let raw: RawFd = std::env::var(env_var).ok()?.parse().ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat writes one `stat` into the buffer it is given, which is that size.
    if raw < 3 || unsafe { libc::fstat(raw, stat.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: fstat succeeded, so it initialized the whole struct.
    let mode = unsafe { stat.assume_init() }.st_mode;
    if mode & libc::S_IFMT != libc::S_IFSOCK {
        return None;
    }
    // SAFETY: the parent placed the channel at this number for this fresh process and named
    // it in the environment; nothing else here has taken ownership of it.
    Some(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Sets the soft and hard limits of `resource` for this process (`prlimit(2)` on pid 0).
pub(crate) fn set_rlimit(resource: i32, soft: u64, hard: u64) -> io::Result<()> {
    set_rlimit_of(0, resource, soft, hard)
}

/// Sets the soft and hard limits of `resource` for process `pid` (`prlimit(2)`).
pub(crate) fn set_rlimit_of(pid: i32, resource: i32, soft: u64, hard: u64) -> io::Result<()> {
    let limit = libc::rlimit64 {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: `limit` is a live rlimit64 for the call; a null old-limit pointer is allowed.
    let ret = unsafe { libc::prlimit64(pid, resource as _, &limit, std::ptr::null_mut()) };
    check(ret)
}

/// Sets the execution domain (`personality(2)`).
pub(crate) fn set_personality(persona: u32) -> io::Result<()> {
    // SAFETY: personality takes a plain integer and touches no memory of ours.
    let ret = unsafe { libc::personality(persona as libc::c_ulong) };
    check(ret)
}

/// Sets this process's I/O priority (`ioprio_set(IOPRIO_WHO_PROCESS, 0, value)`).
pub(crate) fn set_io_priority(value: i32) -> io::Result<()> {
    const IOPRIO_WHO_PROCESS: libc::c_long = 1;
    // SAFETY: ioprio_set takes three integers and touches no memory of ours.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_ioprio_set,
            IOPRIO_WHO_PROCESS,
            0 as libc::c_long,
            value as libc::c_long,
        )
    };
    check(ret as i32)
}

/// Joins a new session keyring named `name` (`keyctl(KEYCTL_JOIN_SESSION_KEYRING)`), so
/// that the container does not share the caller's keys.
pub(crate) fn join_session_keyring(name: &str) -> io::Result<()> {
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    let name =
        std::ffi::CString::new(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `name` is a NUL-terminated string alive for the call.
    let ret =
        unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.as_ptr()) };
    if ret < 0 {
        let err = io::Error::last_os_error();
        // A kernel without keyrings, or a seccomp filter that refuses keyctl, leaves the
        // container in the caller's keyring, as runc accepts.
        if matches!(err.raw_os_error(), Some(libc::ENOSYS)) {
            return Ok(());
        }
        return Err(err);
    }
    Ok(())
}

/// Marks every descriptor from `first` up close-on-exec (`close_range(2)` with
/// `CLOSE_RANGE_CLOEXEC`).
pub(crate) fn close_range_cloexec(first: u32) -> io::Result<()> {
    // SAFETY: close_range takes integers; with CLOSE_RANGE_CLOEXEC it closes nothing now.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    check(ret as i32)
}

/// Sets the signal this process gets when its parent dies; 0 clears it
/// (`prctl(PR_SET_PDEATHSIG)`).
pub(crate) fn set_parent_death_signal(signal: i32) -> io::Result<()> {
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes an integer and touches no memory of ours.
    let ret = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong) };
    check(ret)
}

fn check(ret: i32) -> io::Result<()> {
    match ret {
        -1 => Err(io::Error::last_os_error()),
        _ => Ok(()),
    }
}

/// Unlocks the slave of a pty master (`ioctl(TIOCSPTLCK, 0)`, what `unlockpt(3)` does).
pub(crate) fn unlock_pty(master: std::os::fd::BorrowedFd<'_>) -> io::Result<()> {
    let unlock: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK reads one int through the pointer, which points at a live local.
    let ret = unsafe {
        libc::ioctl(
            std::os::fd::AsRawFd::as_raw_fd(&master),
            libc::TIOCSPTLCK,
            &unlock,
        )
    };
    check(ret)
}

/// Opens the slave of a pty master without a path lookup (`ioctl(TIOCGPTPEER)`), so that
/// a hostile `/dev/pts` cannot substitute another file.
pub(crate) fn open_pty_peer(master: std::os::fd::BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC;
    // SAFETY: TIOCGPTPEER takes the open flags as its integer argument and returns a new
    // descriptor, which nothing else owns.
    let fd = unsafe {
        libc::ioctl(
            std::os::fd::AsRawFd::as_raw_fd(&master),
            libc::TIOCGPTPEER,
            flags,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by the kernel for us alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Makes `tty` the controlling terminal of this session (`ioctl(TIOCSCTTY, 0)`).
pub(crate) fn set_controlling_terminal(tty: std::os::fd::BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: TIOCSCTTY takes an integer argument and touches no memory of ours.
    let ret = unsafe { libc::ioctl(std::os::fd::AsRawFd::as_raw_fd(&tty), libc::TIOCSCTTY, 0) };
    check(ret)
}

/// Puts `SIGPIPE` back to its default disposition (`signal(SIGPIPE, SIG_DFL)`).
pub(crate) fn default_sigpipe() -> io::Result<()> {
    // SAFETY: SIG_DFL installs no handler, so no code of ours can run as a signal handler.
    let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    match previous {
        libc::SIG_ERR => Err(io::Error::last_os_error()),
        _ => Ok(()),
    }
}
