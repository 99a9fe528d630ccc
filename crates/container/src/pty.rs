//! Pseudo-terminals that cross the init boundary: the master the init sends its parent.

use std::io;
use std::os::fd::BorrowedFd;

use nix::sys::stat::{SFlag, fstat, major, minor};

/// The device number of `/dev/ptmx` (and of each devpts's `ptmx`): major `TTYAUX_MAJOR`,
/// minor 2. A master is an open file of that device.
const PTMX: (u64, u64) = (5, 2);

/// Succeeds only for the master of a pseudo-terminal: `fstat(2)` says it is the `ptmx`
/// character device, and `ioctl(fd, TIOCGPTN, &n)`, which only a master answers, gives its
/// number. The device is checked first so that the ioctl is never made on some other
/// driver, where the same request number may mean something else.
///
/// # Errors
///
/// `InvalidInput` for a file that is not the `ptmx` device; the ioctl's error (`ENOTTY`,
/// `EBADF` for an `O_PATH` descriptor) for one that is but is no open master.
///
/// # References
///
/// - [`pty(7)`](https://man7.org/linux/man-pages/man7/pty.7.html)
/// - [`ptsname(3)`](https://man7.org/linux/man-pages/man3/ptsname.3.html)
#[doc(alias = "TIOCGPTN")]
pub(crate) fn check_pty_master(fd: BorrowedFd<'_>) -> io::Result<()> {
    let stat = fstat(fd)?;
    let is_char = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT == SFlag::S_IFCHR;
    if !is_char || (major(stat.st_rdev), minor(stat.st_rdev)) != PTMX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not the ptmx device",
        ));
    }
    rustix::pty::ptsname(fd, Vec::new())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs::{File, OpenOptions};
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::OpenOptionsExt;

    use super::*;

    fn open_master() -> OwnedFd {
        OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
            .open("/dev/ptmx")
            .unwrap()
            .into()
    }

    #[test]
    fn a_master_passes() {
        check_pty_master(open_master().as_fd()).unwrap();
    }

    #[test]
    fn its_slave_is_refused() {
        let master = open_master();
        crate::sys::unlock_pty(master.as_fd()).unwrap();
        let slave = crate::sys::open_pty_peer(master.as_fd()).unwrap();
        assert!(check_pty_master(slave.as_fd()).is_err());
    }

    #[test]
    fn files_that_are_no_terminal_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let regular = File::create(dir.path().join("file")).unwrap();
        let null = File::open("/dev/null").unwrap();
        for file in [&regular, &null, &File::open(dir.path()).unwrap()] {
            let err = check_pty_master(file.as_fd()).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{file:?}");
        }
    }

    #[test]
    fn a_path_to_ptmx_is_no_master() {
        // The device, but not opened: an `O_PATH` descriptor has no terminal behind it.
        let path = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
            .open("/dev/ptmx")
            .unwrap();
        assert!(check_pty_master(path.as_fd()).is_err());
    }
}
