//! Id-mapped bind mounts (`MOUNT_ATTR_IDMAP`): a detached copy of the source's mount tree
//! (`open_tree(2)` with `OPEN_TREE_CLONE`), given the mapping of a user namespace with
//! `mount_setattr(2)`, then attached on the destination with `move_mount(2)` like every
//! bind ([`crate::bind`]).
//!
//! The kernel lets only a process privileged over the source's filesystem (in practice, root
//! in the initial user namespace) id-map it, so a container with its own user namespace
//! cannot do it from inside: the caller makes the tree on the host side with
//! [`idmapped_tree`] and hands it over in [`crate::RootfsOptions::idmapped_trees`]. Without
//! one, the init makes it itself when the config names a user namespace by path, and refuses
//! explicit mappings ([`IdmapError::Unsupported`]): making a user namespace for them is the
//! caller's part.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use hull_configs::{Mount, MountAttrFlags, MountFlags};
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use rustix::mount::{OpenTreeFlags, open_tree};

use crate::error::{IdmapError, RootfsError};
use crate::plan::{Idmap, MountOp};
use crate::sys;

/// A detached copy of `mount`'s source tree, id-mapped with the mapping of `userns` (a
/// `/proc/<pid>/ns/user` descriptor), ready to be attached by [`crate::prepare`].
///
/// `open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC [| AT_RECURSIVE])`,
/// then `mount_setattr(tree, "", AT_EMPTY_PATH [| AT_RECURSIVE], {MOUNT_ATTR_IDMAP, userns})`.
/// The whole tree is cloned for an `rbind`; every mount of it is mapped for `ridmap`, only
/// its top otherwise.
///
/// Run it on the host side (root in the initial user namespace), where the source path means
/// what the config says; the user namespace is usually the container's, once its maps are
/// written.
///
/// # Errors
///
/// [`IdmapError::OpenTree`] when the source cannot be cloned, [`IdmapError::SetIdmap`] when
/// the kernel refuses the mapping (`EINVAL`: the filesystem cannot be id-mapped; `EPERM`: not
/// privileged over it).
///
/// # References
///
/// - [`open_tree(2)`](https://man7.org/linux/man-pages/man2/open_tree.2.html)
/// - [`mount_setattr(2)`](https://man7.org/linux/man-pages/man2/mount_setattr.2.html)
pub fn idmapped_tree(mount: &Mount, userns: BorrowedFd<'_>) -> Result<OwnedFd, RootfsError> {
    let recursive = mount.id_mapping.as_ref().is_some_and(|m| m.recursive);
    let rbind = mount.flags.contains(MountFlags::REC);
    Ok(make_tree(&mount.source, rbind, recursive, userns)?)
}

fn make_tree(
    source: &Path,
    rbind: bool,
    recursive: bool,
    userns: BorrowedFd<'_>,
) -> Result<OwnedFd, IdmapError> {
    let mut flags = OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC;
    if rbind {
        flags |= OpenTreeFlags::AT_RECURSIVE;
    }
    let tree = open_tree(rustix::fs::CWD, source, flags).map_err(|e| IdmapError::OpenTree {
        source_path: source.to_owned(),
        source: e.into(),
    })?;
    let mut at_flags = libc::AT_EMPTY_PATH as libc::c_uint;
    if recursive {
        at_flags |= sys::AT_RECURSIVE;
    }
    let attr = sys::MountAttr {
        attr_set: MountAttrFlags::IDMAP.bits(),
        userns_fd: u64::try_from(std::os::fd::AsRawFd::as_raw_fd(&userns)).unwrap_or(u64::MAX),
        ..sys::MountAttr::default()
    };
    sys::mount_setattr(tree.as_fd(), c"", at_flags, &attr).map_err(|e| IdmapError::SetIdmap {
        source_path: source.to_owned(),
        source: e,
    })?;
    Ok(tree)
}

/// The id-mapped tree of `op`: the caller's (a new descriptor of it), else one made here
/// from the user namespace the config names. [`crate::bind`] attaches it.
pub(crate) fn tree(
    op: &MountOp,
    idmap: &Idmap,
    trees: &BTreeMap<usize, OwnedFd>,
) -> Result<OwnedFd, IdmapError> {
    match (trees.get(&idmap.mount_index), &idmap.userns_path) {
        (Some(tree), _) => tree.try_clone().map_err(|source| IdmapError::OpenTree {
            source_path: op.source.clone(),
            source,
        }),
        (None, Some(path)) => {
            let flags = OFlag::O_RDONLY | OFlag::O_CLOEXEC;
            let userns = nix::fcntl::open(path, flags, Mode::empty()).map_err(|e| {
                IdmapError::OpenUserns {
                    path: path.clone(),
                    source: e.into(),
                }
            })?;
            make_tree(
                &op.source,
                idmap.recursive_bind,
                idmap.recursive,
                userns.as_fd(),
            )
        }
        (None, None) => Err(IdmapError::Unsupported {
            destination: op.destination.clone(),
        }),
    }
}
