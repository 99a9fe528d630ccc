//! Entering the rootfs: `pivot_root(2)`, or `MS_MOVE` and `chroot(2)` where pivoting is not
//! possible (a rootfs on the initramfs).

use std::fs;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};

use hull_configs::MountFlags;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::mount::{MntFlags, MsFlags};
use nix::sys::stat::{Mode, SFlag, fstat, makedev};
use nix::unistd::{chdir, chroot, dup2_stderr, dup2_stdin, dup2_stdout, fchdir, pivot_root};

use crate::error::{EnterError, io};
use crate::mount::ms;
use crate::resolve::Root;

/// Where the mount table is read for `no_pivot_root`.
const MOUNTINFO: &str = "/proc/self/mountinfo";

/// `pivot_root(".", ".")` from inside the rootfs: the old root ends up stacked on the new
/// one, is made a slave (so that unmounting it never reaches the host) and detached.
///
/// # References
///
/// - [`pivot_root(2)`](https://man7.org/linux/man-pages/man2/pivot_root.2.html), "pivot_root(".", ".")"
pub(crate) fn pivot(root: &Root, rootfs: &Path) -> Result<(), EnterError> {
    let flags = OFlag::O_DIRECTORY | OFlag::O_PATH | OFlag::O_CLOEXEC;
    let old_root = nix::fcntl::open("/", flags, Mode::empty())
        .map_err(|errno| EnterError::OpenOldRoot(io(errno)))?;
    fchdir_to(root.fd(), rootfs)?;
    pivot_root(".", ".").map_err(|errno| EnterError::PivotRoot {
        rootfs: rootfs.to_owned(),
        source: io(errno),
    })?;
    fchdir_to(old_root.as_fd(), Path::new("/"))?;
    let slave = ms(MountFlags::SLAVE | MountFlags::REC);
    nix::mount::mount(None::<&str>, ".", None::<&str>, slave, None::<&str>)
        .map_err(|errno| EnterError::OldRootPropagation(io(errno)))?;
    nix::mount::umount2(".", MntFlags::MNT_DETACH)
        .map_err(|errno| EnterError::UnmountOldRoot(io(errno)))?;
    chdir_root()
}

/// Moves the rootfs onto `/` and `chroot`s into it, after hiding the host's procfs and
/// sysfs mounts, which the kernel would otherwise count as visible when the container
/// mounts its own (they stay reachable in this mount namespace under a chroot).
pub(crate) fn move_root(root: &Root, rootfs: &Path) -> Result<(), EnterError> {
    fchdir_to(root.fd(), rootfs)?;
    let text = fs::read_to_string(MOUNTINFO).map_err(|source| EnterError::ReadMountinfo {
        path: MOUNTINFO.into(),
        source,
    })?;
    for (path, fstype) in exposed_pseudo_fs(&text, rootfs) {
        hide(&path).map_err(|source| EnterError::HidePseudoFs {
            path,
            fstype,
            source,
        })?;
    }
    nix::mount::mount(
        Some(rootfs),
        "/",
        None::<&str>,
        MsFlags::MS_MOVE,
        None::<&str>,
    )
    .map_err(|errno| EnterError::MoveRoot {
        rootfs: rootfs.to_owned(),
        source: io(errno),
    })?;
    chroot(".").map_err(|errno| EnterError::Chroot {
        rootfs: rootfs.to_owned(),
        source: io(errno),
    })?;
    chdir_root()
}

/// The whole (not bind-mounted subtree) procfs and sysfs mounts outside `rootfs`, as
/// `(mount point, type)`, from the text of `/proc/self/mountinfo`.
pub(crate) fn exposed_pseudo_fs(mountinfo: &str, rootfs: &Path) -> Vec<(PathBuf, String)> {
    hull_configs::mountinfo::parse_mountinfo(mountinfo)
        .into_iter()
        .filter(|m| m.root == Path::new("/") && matches!(m.fs_type.as_str(), "proc" | "sysfs"))
        .filter(|m| !m.mount_point.starts_with(rootfs))
        .map(|m| (m.mount_point, m.fs_type))
        .collect()
}

/// Detaches the mount at `path` after making it a slave; where unmounting is not allowed,
/// covers it with an empty tmpfs. A path already gone with an earlier mount is fine.
fn hide(path: &Path) -> io::Result<()> {
    let slave = ms(MountFlags::SLAVE | MountFlags::REC);
    match nix::mount::mount(None::<&str>, path, None::<&str>, slave, None::<&str>) {
        Ok(()) => {}
        Err(Errno::ENOENT) => return Ok(()),
        Err(errno) => return Err(io(errno)),
    }
    match nix::mount::umount2(path, MntFlags::MNT_DETACH) {
        Ok(()) => Ok(()),
        Err(Errno::EINVAL | Errno::EPERM) => nix::mount::mount(
            Some("tmpfs"),
            path,
            Some("tmpfs"),
            MsFlags::empty(),
            None::<&str>,
        )
        .map_err(io),
        Err(errno) => Err(io(errno)),
    }
}

fn fchdir_to(fd: BorrowedFd<'_>, path: &Path) -> Result<(), EnterError> {
    fchdir(fd).map_err(|errno| EnterError::Chdir {
        path: path.to_owned(),
        source: io(errno),
    })
}

fn chdir_root() -> Result<(), EnterError> {
    chdir("/").map_err(|errno| EnterError::Chdir {
        path: "/".into(),
        source: io(errno),
    })
}

/// `mount(NULL, "/", NULL, flags, NULL)` on the new root.
pub(crate) fn set_propagation(flags: MountFlags) -> Result<(), EnterError> {
    nix::mount::mount(None::<&str>, "/", None::<&str>, ms(flags), None::<&str>).map_err(|errno| {
        EnterError::RootPropagation {
            flags,
            source: io(errno),
        }
    })
}

/// Standard streams open on a null device (the host's) are reopened on the container's
/// `/dev/null`, so that nothing the container holds refers to a host file.
pub(crate) fn reopen_stdio_on_dev_null() -> Result<(), EnterError> {
    let flags = OFlag::O_RDWR | OFlag::O_CLOEXEC;
    let null = nix::fcntl::open("/dev/null", flags, Mode::empty())
        .map_err(|errno| EnterError::OpenDevNull(io(errno)))?;
    if !is_dev_null(null.as_fd()) {
        return Err(EnterError::NotDevNull);
    }
    let (stdin, stdout, stderr) = (io::stdin(), io::stdout(), io::stderr());
    let streams: [(BorrowedFd<'_>, Dup2); 3] = [
        (stdin.as_fd(), |fd| dup2_stdin(fd)),
        (stdout.as_fd(), |fd| dup2_stdout(fd)),
        (stderr.as_fd(), |fd| dup2_stderr(fd)),
    ];
    for (fd, (stream, dup)) in streams.into_iter().enumerate() {
        if is_dev_null(stream) {
            dup(null.as_fd()).map_err(|errno| EnterError::ReopenStdio {
                fd: i32::try_from(fd).unwrap_or(-1),
                source: io(errno),
            })?;
        }
    }
    Ok(())
}

/// `dup2` onto one standard stream.
type Dup2 = fn(BorrowedFd<'_>) -> nix::Result<()>;

/// Whether `fd` is the null device (character device 1:3); a closed stream is not.
pub(crate) fn is_dev_null(fd: BorrowedFd<'_>) -> bool {
    fstat(fd).is_ok_and(|st| {
        st.st_mode & SFlag::S_IFMT.bits() == SFlag::S_IFCHR.bits() && st.st_rdev == makedev(1, 3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
50 27 0:21 /sys /bind/proc\\040sys rw - proc proc rw
51 27 0:40 / /srv/rootfs/proc rw - proc proc rw
52 27 0:41 / /my\\040dir rw - sysfs sysfs rw
";

    #[test]
    fn full_proc_and_sysfs_outside_the_rootfs_are_exposed() {
        let exposed = exposed_pseudo_fs(MOUNTINFO, Path::new("/srv/rootfs"));
        let expected: Vec<(PathBuf, String)> = vec![
            ("/proc".into(), "proc".into()),
            ("/sys".into(), "sysfs".into()),
            ("/my dir".into(), "sysfs".into()),
        ];
        assert_eq!(exposed, expected);
    }
}
