//! `/dev/console` for a container with a terminal: the terminal itself, bound there as runc
//! does, onto a target checked first (CVE-2025-52565 class: a `/dev/console` that is a
//! symlink would carry the bind mount wherever it points, `/proc/sys/kernel/core_pattern`
//! included).

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::{Mode, SFlag, fstat};
use nix::sys::statfs::{PROC_SUPER_MAGIC, SYSFS_MAGIC, fstatfs};
use rustix::mount::{MoveMountFlags, OpenTreeFlags, move_mount, open_tree};

use crate::error::{RootfsError, io};

/// The console's path, in the container (after the root is entered).
const CONSOLE: &str = "/dev/console";

/// Binds the terminal `pty` (the slave of the process's pseudo-terminal) onto
/// `/dev/console`, which is created as an empty file when missing.
///
/// The target is opened `O_PATH | O_NOFOLLOW` and must be a regular file or a character
/// device on neither procfs nor sysfs; the bind is a clone of `pty` itself
/// (`open_tree(2)`), attached onto that descriptor (`move_mount(2)`); afterwards
/// `/dev/console` must be the terminal's device.
///
/// # Errors
///
/// [`RootfsError::Console`]: `ELOOP` for a symlink, `EINVAL` for another kind of file,
/// `EXDEV` for a file of procfs or sysfs, `ENODEV` when the console is not the terminal
/// after the bind, or the kernel's error.
///
/// # References
///
/// - [`open_tree(2)`](https://man7.org/linux/man-pages/man2/open_tree.2.html)
/// - [`move_mount(2)`](https://man7.org/linux/man-pages/man2/move_mount.2.html)
pub fn mount_console(pty: BorrowedFd<'_>) -> Result<(), RootfsError> {
    bind(pty).map_err(RootfsError::Console)
}

fn bind(pty: BorrowedFd<'_>) -> io::Result<()> {
    let target = open_target()?;
    let st = fstat(&target).map_err(io)?;
    let kind = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
    match kind {
        SFlag::S_IFLNK => return Err(io::Error::from(Errno::ELOOP)),
        SFlag::S_IFREG | SFlag::S_IFCHR => {}
        _ => return Err(io::Error::from(Errno::EINVAL)),
    }
    let fs = fstatfs(&target).map_err(io)?.filesystem_type();
    if fs == PROC_SUPER_MAGIC || fs == SYSFS_MAGIC {
        return Err(io::Error::from(Errno::EXDEV));
    }
    let tree_flags = OpenTreeFlags::OPEN_TREE_CLONE
        | OpenTreeFlags::OPEN_TREE_CLOEXEC
        | OpenTreeFlags::AT_EMPTY_PATH;
    let tree = open_tree(pty, "", tree_flags)?;
    let move_flags =
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH;
    move_mount(tree.as_fd(), "", target.as_fd(), "", move_flags)?;
    let console = open_path()?;
    let terminal = fstat(pty).map_err(io)?.st_rdev;
    match fstat(&console).map_err(io)?.st_rdev == terminal {
        true => Ok(()),
        false => Err(io::Error::from(Errno::ENODEV)),
    }
}

/// `/dev/console`, opened `O_PATH | O_NOFOLLOW`; created as an empty file when missing.
fn open_target() -> io::Result<OwnedFd> {
    match open_path() {
        Err(err) if err.raw_os_error() == Some(libc::ENOENT) => {}
        opened => return opened,
    }
    let create = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    match nix::fcntl::open(
        CONSOLE,
        create | OFlag::O_WRONLY,
        Mode::from_bits_truncate(0o666),
    ) {
        Ok(_) | Err(Errno::EEXIST) => open_path(),
        Err(errno) => Err(io(errno)),
    }
}

fn open_path() -> io::Result<OwnedFd> {
    let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    nix::fcntl::open(CONSOLE, flags, Mode::empty()).map_err(io)
}
