//! The first steps of [`crate::prepare`]: cut this mount namespace off from the host's
//! propagation and make the rootfs a mount point of its own.

use std::path::{Path, PathBuf};

use hull_configs::MountFlags;
use nix::errno::Errno;

use crate::error::{RootfsError, io};
use crate::mount::ms;

/// `mount(NULL, "/", NULL, flags, NULL)`: the propagation of every mount in this namespace
/// (`MS_SLAVE | MS_REC` by default), so that the mounts made next never reach the host.
pub(crate) fn set_root_propagation(flags: MountFlags) -> Result<(), RootfsError> {
    let root = Path::new("/");
    change_propagation(root, flags).map_err(|errno| RootfsError::SetPropagation {
        target: root.to_owned(),
        flags,
        source: io(errno),
    })
}

/// Makes the mount that holds `rootfs` private (or a slave): the nearest mount point at or
/// above it, found by trying each parent in turn (`EINVAL` means "not a mount point").
pub(crate) fn set_parent_propagation(rootfs: &Path, flags: MountFlags) -> Result<(), RootfsError> {
    let mut path = PathBuf::from(rootfs);
    loop {
        match change_propagation(&path, flags) {
            Ok(()) => return Ok(()),
            Err(Errno::EINVAL) if path.pop() => {}
            Err(errno) => {
                return Err(RootfsError::SetPropagation {
                    target: path,
                    flags,
                    source: io(errno),
                });
            }
        }
    }
}

fn change_propagation(target: &Path, flags: MountFlags) -> Result<(), Errno> {
    nix::mount::mount(None::<&str>, target, None::<&str>, ms(flags), None::<&str>)
}

/// `mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL)`: the rootfs becomes a mount point,
/// which `pivot_root(2)` needs, with every mount under it.
pub(crate) fn bind_rootfs(rootfs: &Path) -> Result<(), RootfsError> {
    let flags = ms(MountFlags::BIND | MountFlags::REC);
    nix::mount::mount(Some(rootfs), rootfs, None::<&str>, flags, None::<&str>).map_err(|errno| {
        RootfsError::BindRootfs {
            path: rootfs.to_owned(),
            source: io(errno),
        }
    })
}
