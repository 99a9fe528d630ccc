//! A read-only view of one file that belongs to no mount namespace: what a container's
//! init is executed from, so that nothing in the container can write to the binary through
//! `/proc/<pid>/exe` (CVE-2019-5736), without copying it.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use hull_configs::MountAttrFlags;
use rustix::mount::{OpenTreeFlags, open_tree};

use crate::error::RootfsError;
use crate::sys;

/// A detached, read-only bind mount of the file at `path` (symlinks followed), as an
/// `O_PATH` descriptor: `open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)`,
/// then `mount_setattr(fd, "", AT_EMPTY_PATH, {MOUNT_ATTR_RDONLY})`.
///
/// The mount is attached nowhere: no mount table shows it and no other process can reach
/// it by path. A program executed through `/proc/self/fd/<fd>` runs from it, so opening
/// its `/proc/<pid>/exe` for writing fails with `EROFS`; once the descriptor is closed the
/// kernel unmounts the clone, and its flags can no longer be changed by anyone.
///
/// Needs `CAP_SYS_ADMIN` over the caller's mount namespace and Linux 5.12; callers without
/// either fall back to a copy.
///
/// # Errors
///
/// [`RootfsError::ReadOnlyView`] with the kernel's error (`EPERM` unprivileged, `ENOSYS`
/// before 5.12).
///
/// # References
///
/// - [`open_tree(2)`](https://man7.org/linux/man-pages/man2/open_tree.2.html)
/// - [`mount_setattr(2)`](https://man7.org/linux/man-pages/man2/mount_setattr.2.html)
pub fn read_only_view(path: &Path) -> Result<OwnedFd, RootfsError> {
    let error = |source: io::Error| RootfsError::ReadOnlyView {
        path: path.to_owned(),
        source,
    };
    let flags = OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC;
    let view = open_tree(rustix::fs::CWD, path, flags).map_err(|e| error(e.into()))?;
    let attr = sys::MountAttr {
        attr_set: MountAttrFlags::RDONLY.bits(),
        ..sys::MountAttr::default()
    };
    let at_flags = libc::AT_EMPTY_PATH as libc::c_uint;
    sys::mount_setattr(view.as_fd(), c"", at_flags, &attr).map_err(error)?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = read_only_view(Path::new("/nonexistent/hull-init")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/hull-init"), "{err}");
    }
}
