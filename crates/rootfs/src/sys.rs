//! The one raw system call that neither nix nor rustix wraps: `mount_setattr(2)`.
//!
//! Contract: [`mount_setattr`] fills a `struct mount_attr` (`include/uapi/linux/mount.h`),
//! makes one call with a path and a descriptor borrowed for its length, and returns the
//! result as `io::Result`. It neither retries nor interprets errors.
//!
//! `mount_setattr(2)`: <https://man7.org/linux/man-pages/man2/mount_setattr.2.html>

#![allow(unsafe_code)]

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `struct mount_attr`, version 0 (`MOUNT_ATTR_SIZE_VER0`, 32 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MountAttr {
    /// `MOUNT_ATTR_*` to set.
    pub(crate) attr_set: u64,
    /// `MOUNT_ATTR_*` to clear.
    pub(crate) attr_clr: u64,
    /// `MS_PRIVATE`, `MS_SLAVE`, `MS_SHARED` or `MS_UNBINDABLE`, or 0 for no change.
    pub(crate) propagation: u64,
    /// The user namespace of `MOUNT_ATTR_IDMAP`.
    pub(crate) userns_fd: u64,
}

/// `AT_RECURSIVE`: apply to the whole mount tree.
pub(crate) const AT_RECURSIVE: libc::c_uint = 0x8000;

/// `int mount_setattr(int dirfd, const char *path, unsigned int flags,
/// struct mount_attr *attr, size_t size)`.
///
/// With an empty `path` and `AT_EMPTY_PATH` in `flags`, it changes the mount `dirfd` is
/// the root of; with `AT_RECURSIVE`, every mount under it too.
///
/// # Errors
///
/// The kernel's `errno`: `EINVAL` for unknown attributes or a filesystem that cannot be
/// id-mapped, `EPERM` for locked flags, `ENOSYS` before Linux 5.12.
///
/// # References
///
/// - [`mount_setattr(2)`](https://man7.org/linux/man-pages/man2/mount_setattr.2.html)
pub(crate) fn mount_setattr(
    dirfd: BorrowedFd<'_>,
    path: &CStr,
    flags: libc::c_uint,
    attr: &MountAttr,
) -> io::Result<()> {
    let size = std::mem::size_of::<MountAttr>();
    // SAFETY: `path` is a NUL-terminated string and `attr` a `struct mount_attr` of `size`
    // bytes, both borrowed for the length of the call, which only reads them; `dirfd` is an
    // open descriptor borrowed for the call.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            dirfd.as_raw_fd(),
            path.as_ptr(),
            flags,
            std::ptr::from_ref(attr),
            size,
        )
    };
    match ret {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_attr_has_the_kernel_layout() {
        assert_eq!(std::mem::size_of::<MountAttr>(), 32);
        assert_eq!(AT_RECURSIVE, 0x8000);
    }
}
