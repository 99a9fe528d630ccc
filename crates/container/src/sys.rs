//! The raw calls of `hull-container` that no safe wrapper offers.
//!
//! Contract: `pre_exec` closures run in the forked child of a possibly multi-threaded caller
//! and so use only async-signal-safe calls (`fcntl`, `dup2`, `close_range`) on descriptor
//! numbers prepared before the fork; the other functions each make one call on memory they
//! own.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The most descriptors [`place_fds`] places: a process's extra files and the init channel.
pub(crate) const MAX_PLACED_FDS: usize = crate::spawn::MAX_EXTRA_FILES + 1;

/// Arranges for the child spawned by `cmd` to find `fds[i]` at descriptor `first + i`,
/// without close-on-exec, and nothing else beyond its standard streams.
///
/// The child first moves every source above the target range (so that a source already
/// numbered inside the range is never overwritten before it is copied), then `dup2`s each
/// into place (`dup2` clears close-on-exec on the copy), then marks every descriptor above
/// the range close-on-exec (`close_range(2)` with `CLOSE_RANGE_CLOEXEC`), so that no stray
/// of the caller reaches the child.
///
/// # Errors
///
/// `InvalidInput`, before anything is arranged, for more than [`MAX_PLACED_FDS`]
/// descriptors: the child, which may not allocate, has room for that many.
pub(crate) fn place_fds(cmd: &mut Command, fds: Vec<RawFd>, first: RawFd) -> io::Result<()> {
    if fds.len() > MAX_PLACED_FDS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("at most {MAX_PLACED_FDS} descriptors can be placed"),
        ));
    }
    let count = fds.len();
    let end = first + count as RawFd;
    let place = move || -> io::Result<()> {
        // Room for every source: `count` was checked against the capacity above.
        let mut moved = [0 as RawFd; MAX_PLACED_FDS];
        for (slot, &fd) in moved.iter_mut().zip(&fds) {
            // SAFETY: fcntl(F_DUPFD_CLOEXEC) on a descriptor number the parent owns and
            // that the fork copied; it allocates and touches no memory of ours.
            let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, end) };
            if new < 0 {
                return Err(io::Error::last_os_error());
            }
            *slot = new;
        }
        for (i, &fd) in moved.iter().take(count).enumerate() {
            // SAFETY: dup2 between two descriptor numbers valid in this child.
            if unsafe { libc::dup2(fd, first + i as RawFd) } < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        close_range_cloexec(end as u32)
    };
    // SAFETY: the closure only calls fcntl, dup2 and close_range, which are
    // async-signal-safe, on numbers captured before the fork, and writes to a stack array;
    // it allocates nothing.
    unsafe { cmd.pre_exec(place) };
    Ok(())
}

/// Makes the program `cmd` runs start with its standard streams only: in the child, just
/// before the `execve`, every descriptor from 3 up is marked close-on-exec
/// (`close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)`), whatever the caller left inheritable.
///
/// Marked rather than closed: std reports a failed `execve` to the parent through a
/// close-on-exec pipe in that range, which must stay open until the `execve`.
pub(crate) fn only_stdio_on_exec(cmd: &mut Command) {
    // SAFETY: the closure makes one close_range system call with integer arguments, which
    // is async-signal-safe, and allocates nothing (an error is an OS error code).
    unsafe { cmd.pre_exec(|| close_range_cloexec(3)) };
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
/// `CLOSE_RANGE_CLOEXEC`, Linux 5.11). Async-signal-safe: it runs in `pre_exec` closures.
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

/// Closes every descriptor from `first` up (`close_range(first, ~0U, 0)`).
///
/// For a fresh init process only: it owns nothing past the descriptors it was given, so
/// nothing else in the process can hold one of those numbers.
pub(crate) fn close_from(first: u32) -> io::Result<()> {
    // SAFETY: close_range takes integers; what it closes is owned by no Rust value in a
    // process that has just started and opened nothing (see the function's contract).
    let ret = unsafe { libc::syscall(libc::SYS_close_range, first, u32::MAX, 0u32) };
    check(ret as i32)
}

/// Closes descriptor `fd` (`close(2)`); one already closed (`EBADF`) is fine.
///
/// For the init just before `execve`: every Rust owner of an init descriptor has been
/// dropped by then, except a static of `pathrs` that is never used or dropped again.
pub(crate) fn close_unowned(fd: RawFd) -> io::Result<()> {
    // SAFETY: close takes an integer; no live Rust value owns `fd` any more (see the
    // function's contract), so no owner closes or uses a reused number later.
    match unsafe { libc::close(fd) } {
        0 => Ok(()),
        _ => match io::Error::last_os_error() {
            err if err.raw_os_error() == Some(libc::EBADF) => Ok(()),
            err => Err(err),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::os::fd::AsRawFd;
    use std::path::PathBuf;

    use super::*;

    /// A descriptor of `/dev/null` numbered at least `min`, without close-on-exec, as a
    /// caller may leak one.
    fn inheritable(min: RawFd) -> OwnedFd {
        let null = File::open("/dev/null").unwrap();
        let fd = rustix::io::fcntl_dupfd_cloexec(&null, min).unwrap();
        rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::empty()).unwrap();
        fd
    }

    #[test]
    fn as_many_descriptors_as_a_process_may_pass_are_all_placed() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().canonicalize().unwrap();
        let paths: Vec<PathBuf> = (0..MAX_PLACED_FDS)
            .map(|i| dir.join(i.to_string()))
            .collect();
        let files: Vec<File> = paths.iter().map(|p| File::create(p).unwrap()).collect();
        let stray = inheritable(500);
        let first = 3;
        let last = first + MAX_PLACED_FDS as RawFd - 1;
        let script = format!(
            "i={first}; while [ $i -le {last} ]; do readlink /proc/self/fd/$i || echo missing; \
             i=$((i + 1)); done; [ -e /proc/self/fd/{} ] && echo stray; exit 0",
            stray.as_raw_fd()
        );
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", &script]);
        place_fds(
            &mut cmd,
            files.iter().map(AsRawFd::as_raw_fd).collect(),
            first,
        )
        .unwrap();
        let output = cmd.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let seen: Vec<PathBuf> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(PathBuf::from)
            .collect();
        // The last one is where the init channel goes, after the extra files.
        assert_eq!(seen, paths);
    }

    #[test]
    fn more_descriptors_than_there_is_room_for_are_refused() {
        let null = File::open("/dev/null").unwrap();
        let fds = vec![null.as_raw_fd(); MAX_PLACED_FDS + 1];
        let mut cmd = Command::new("/bin/true");
        let err = place_fds(&mut cmd, fds, 3).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn only_stdio_reaches_the_program() {
        let stray = inheritable(500);
        let script = format!(
            "[ -e /proc/self/fd/2 ] && [ ! -e /proc/self/fd/{} ]",
            stray.as_raw_fd()
        );
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", &script]);
        only_stdio_on_exec(&mut cmd);
        assert!(cmd.status().unwrap().success());
        // The descriptors are marked, not closed: std still hears of a failed execve.
        let mut missing = Command::new("/nonexistent/program");
        only_stdio_on_exec(&mut missing);
        let err = missing.status().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
