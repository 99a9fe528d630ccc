//! The raw calls of the runtime comparison: a private mount namespace, being the
//! containers' subreaper, `wait4` with the child's resource usage, signals.
//!
//! Contract: each function makes one libc call (`wait4` repeats its call on `EINTR`), with
//! pointers that live on our stack or in a `CString` for the length of the call, and turns
//! a failure into `io::Error::last_os_error()`. The only code that runs after a fork is
//! [`spawn_by_fork`]'s empty hook.

#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// `Ok(())` for a libc call that returned 0 or more, else the errno as an `io::Error`.
fn check(ret: libc::c_int) -> io::Result<()> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// `path` as a C string; a path with a NUL byte is `InvalidInput`.
fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))
}

/// Moves this process into a new mount namespace, a copy of the current one.
///
/// `unshare(CLONE_NEWNS)`: <https://man7.org/linux/man-pages/man2/unshare.2.html>. It
/// implies `CLONE_FS`, so the process must have no other thread yet.
#[doc(alias = "unshare")]
pub fn unshare_mount_namespace() -> io::Result<()> {
    // SAFETY: unshare takes a flag word and no pointer; the caller is single-threaded (it
    // runs first thing in `cargo xtask bench`, before any thread is started).
    check(unsafe { libc::unshare(libc::CLONE_NEWNS) })
}

/// Makes every mount of this namespace private, recursively, so that nothing done here
/// reaches the host's namespace.
///
/// `mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)`:
/// <https://man7.org/linux/man-pages/man2/mount.2.html>
#[doc(alias = "mount")]
pub fn make_mounts_private() -> io::Result<()> {
    let flags = libc::MS_REC | libc::MS_PRIVATE;
    // SAFETY: the target is a static NUL-terminated string; the other pointers are null,
    // which a propagation change allows.
    check(unsafe {
        libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    })
}

/// Detaches the mount at `path` (`umount2(path, MNT_DETACH)`).
///
/// <https://man7.org/linux/man-pages/man2/umount.2.html>
#[doc(alias = "umount2")]
pub fn unmount(path: &Path) -> io::Result<()> {
    let target = c_path(path)?;
    // SAFETY: `target` is a NUL-terminated string that lives across the call.
    check(unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) })
}

/// Mounts a fresh tmpfs at `path` (mode 0700).
///
/// `mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700")`:
/// <https://man7.org/linux/man-pages/man2/mount.2.html>
#[doc(alias = "mount")]
pub fn mount_tmpfs(path: &Path) -> io::Result<()> {
    let target = c_path(path)?;
    let flags = libc::MS_NOSUID | libc::MS_NODEV;
    // SAFETY: every pointer is a NUL-terminated string (static, or `target`, which lives
    // across the call); tmpfs reads its data argument as a string.
    check(unsafe {
        libc::mount(
            c"tmpfs".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            flags,
            c"mode=0700".as_ptr().cast(),
        )
    })
}

/// Makes this process the subreaper of its descendants: a container whose runtime has
/// exited becomes our child, which we can wait for (PID 1 here does not reap).
///
/// `prctl(PR_SET_CHILD_SUBREAPER, 1)`: <https://man7.org/linux/man-pages/man2/prctl.2.html>
#[doc(alias = "prctl")]
pub fn set_child_subreaper() -> io::Result<()> {
    let on: libc::c_ulong = 1;
    // SAFETY: PR_SET_CHILD_SUBREAPER reads its second argument as a flag; no pointer.
    check(unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, on, 0, 0, 0) })
}

/// How a child ended and what it used, from `wait4`.
#[derive(Clone, Copy, Debug)]
pub struct Exit {
    /// Its exit status.
    pub status: ExitStatus,
    /// Its peak resident set size, in KiB: the largest of its own and of the descendants
    /// it waited for (`ru_maxrss`).
    pub max_rss_kib: u64,
    /// User plus system CPU time of it and the descendants it waited for.
    pub cpu: Duration,
}

/// Waits for child `pid` to end and returns its status and resource usage; a signal
/// that interrupts the wait does not end it.
///
/// `wait4(pid, &status, 0, &rusage)`: <https://man7.org/linux/man-pages/man2/wait4.2.html>
pub fn wait4(pid: u32) -> io::Result<Exit> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is a plain C struct of integers, for which all zeroes is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are live locals of the right types for the call.
        let ret = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if ret >= 0 {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    Ok(Exit {
        status: ExitStatus::from_raw(status),
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or_default(),
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
    })
}

/// A `timeval` as a `Duration` (negative fields, which the kernel never gives, as zero).
fn timeval(tv: libc::timeval) -> Duration {
    let secs = u64::try_from(tv.tv_sec).unwrap_or_default();
    let micros = u64::try_from(tv.tv_usec).unwrap_or_default();
    Duration::from_secs(secs) + Duration::from_micros(micros)
}

/// Reaps one child that has ended, if any: its pid, or `None` when no child is a zombie
/// (or there is no child at all).
///
/// `waitpid(-1, &status, WNOHANG)`: <https://man7.org/linux/man-pages/man2/waitpid.2.html>
#[doc(alias = "waitpid")]
pub fn reap_any() -> Option<u32> {
    let mut status: libc::c_int = 0;
    // SAFETY: `status` is a live local int for the call to write.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    u32::try_from(pid).ok().filter(|&pid| pid > 0)
}

/// Sends `SIGKILL` to `pid`.
///
/// `kill(pid, SIGKILL)`: <https://man7.org/linux/man-pages/man2/kill.2.html>
pub fn kill(pid: u32) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
    // SAFETY: kill takes two integers and no pointer.
    check(unsafe { libc::kill(pid, libc::SIGKILL) })
}

/// Makes `cmd` start with `fork` and `execve` rather than `posix_spawn`, so that the peak
/// RSS `wait4` reports is the program's own.
///
/// The kernel records the peak RSS of the memory a process leaves behind when it calls
/// `execve`. After `posix_spawn` (a `vfork`) that memory is ours, whole, so every program
/// would seem to use at least as much as this benchmark; after a `fork` it is a copy of our
/// anonymous memory only (well under 1 MiB here, less than `true` itself uses). Std forks
/// whenever a `pre_exec` hook is set: this sets one that does nothing.
pub fn spawn_by_fork(cmd: &mut Command) {
    // SAFETY: the hook runs in the forked child before `execve` and does nothing at all,
    // so it cannot allocate, take a lock or touch state another thread owned.
    unsafe {
        cmd.pre_exec(|| Ok(()));
    }
}

/// Set by [`on_interrupt`]'s handler when SIGINT, SIGTERM or SIGHUP arrives.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The handler: only an atomic store, which is async-signal-safe.
extern "C" fn note_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// From now on SIGINT, SIGTERM and SIGHUP no longer end this process but set a flag that
/// [`interrupted`] reads, so that the benchmark can stop between two measurements and
/// clean up. Interrupted calls are restarted (`signal(2)` has BSD semantics in glibc).
///
/// `signal(sig, handler)`: <https://man7.org/linux/man-pages/man2/signal.2.html>
#[doc(alias = "signal")]
pub fn on_interrupt() -> io::Result<()> {
    let handler = note_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: `handler` is a valid `extern "C" fn(c_int)` that only stores to an
        // atomic, which is async-signal-safe.
        let previous = unsafe { libc::signal(signal, handler) };
        if previous == libc::SIG_ERR {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether an interrupting signal arrived since [`on_interrupt`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
