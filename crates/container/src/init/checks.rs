//! Checks on the descriptors the init receives from its parent, before it relies on them.

use std::io;
use std::os::fd::BorrowedFd;

use nix::sys::stat::{SFlag, fstat};

/// Succeeds only for a FIFO (`fstat(2)`, `S_IFIFO`): the exec FIFO comes as an `O_PATH`
/// descriptor, which opens nothing by itself, and the init is to block on opening it for
/// writing through `/proc/self/fd`.
///
/// # Errors
///
/// `InvalidInput` for anything but a FIFO; `fstat`'s error.
///
/// # References
///
/// - [`fstat(2)`](https://man7.org/linux/man-pages/man2/fstat.2.html)
/// - [`fifo(7)`](https://man7.org/linux/man-pages/man7/fifo.7.html)
pub(crate) fn check_fifo(fd: BorrowedFd<'_>) -> io::Result<()> {
    let stat = fstat(fd)?;
    match SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT {
        SFlag::S_IFIFO => Ok(()),
        _ => Err(io::Error::new(io::ErrorKind::InvalidInput, "not a FIFO")),
    }
}

#[cfg(test)]
mod tests {
    use std::fs::{File, OpenOptions};
    use std::os::fd::AsFd;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    use nix::sys::stat::Mode;

    use super::*;

    /// `path` opened as the parent sends the exec FIFO: `O_PATH`.
    fn open_path(path: &Path) -> File {
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
            .open(path)
            .unwrap()
    }

    #[test]
    fn a_fifo_passes() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("exec.fifo");
        nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o622)).unwrap();
        check_fifo(open_path(&fifo).as_fd()).unwrap();
    }

    #[test]
    fn a_file_and_a_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        File::create(&file).unwrap();
        for path in [&file, dir.path(), Path::new("/dev/null")] {
            let err = check_fifo(open_path(path).as_fd()).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{path:?}");
        }
    }
}
