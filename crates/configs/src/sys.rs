//! The one raw call `hull-configs` makes: asking the kernel what kind of namespace a file
//! is. It reads; it changes nothing.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `ioctl(fd, NS_GET_NSTYPE)`: the `CLONE_NEW*` type of the namespace `fd` refers to.
/// Works for `/proc/<pid>/ns/*` and for bind mounts of them (`/run/netns/x`) alike; a file
/// that is not a namespace fails with `ENOTTY`.
///
/// # References
///
/// <https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html>
pub(crate) fn namespace_type(fd: BorrowedFd<'_>) -> io::Result<i32> {
    // SAFETY: NS_GET_NSTYPE takes no argument and returns an integer; the descriptor is
    // borrowed, so it stays open for the call.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), libc::NS_GET_NSTYPE) };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        kind => Ok(kind),
    }
}
