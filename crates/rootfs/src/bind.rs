//! Bind mounts, made on a detached tree and attached last.
//!
//! A bind used to be made on its destination by path, then looked up again by that path to
//! get its flags (`MS_REMOUNT | MS_BIND`) and attributes: between the two, a process that
//! shares the source or the rootfs could swap a component, and the flags would go to another
//! mount. Here every bind is a copy of the source's mount tree that belongs to no mount
//! namespace (`open_tree(2)` with `OPEN_TREE_CLONE`, or the id-mapped tree of
//! [`crate::idmap`]); its read-only and other flags and the config's recursive attributes
//! are set on that copy (`mount_setattr(2)`) while nothing can see it, and only then is it
//! attached onto the destination's descriptor (`move_mount(2)`). What follows (propagation)
//! acts on the same descriptor, now the attached mount: the destination is never resolved
//! again.
//!
//! Before Linux 5.12 (no `mount_setattr(2)`) the flags are applied with
//! `MS_REMOUNT | MS_BIND` on the attached tree's descriptor instead.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use hull_configs::{MountAttrFlags, MountFlags};
use nix::sys::statvfs::fstatvfs;
use rustix::mount::{MoveMountFlags, OpenTreeFlags, move_mount, open_tree};

use crate::error::{IdmapError, RootfsError, io};
use crate::mount::{ATIME, Attach, LOCKED, flags_of, mount_on, set_attrs};
use crate::plan::{Idmap, MountOp};
use crate::{idmap, sys};

/// Makes the bind `op` and attaches it onto `target`, with the parts of its
/// [`crate::plan::MountKind::Bind`]: the flags of its remount, the flags the config asked
/// to be clear, its id mapping. Returns the attached mount's descriptor.
pub(crate) fn attach(
    op: &MountOp,
    (remount, cleared, idmap): (Option<MountFlags>, MountFlags, Option<&Idmap>),
    target: BorrowedFd<'_>,
    trees: &BTreeMap<usize, OwnedFd>,
) -> Result<OwnedFd, Attach> {
    let tree = match idmap {
        Some(idmap) => idmap::tree(op, idmap, trees).map_err(Attach::Idmap)?,
        None => clone(&op.source, op.flags.contains(MountFlags::REC)).map_err(Attach::Mount)?,
    };
    let remount_after = match remount {
        Some(flags) => {
            !set_flags(tree.as_fd(), &op.destination, flags, cleared).map_err(Attach::Rootfs)?
        }
        None => false,
    };
    if let Some(attrs) = op.rec_attr {
        set_attrs(tree.as_fd(), &op.destination, attrs).map_err(Attach::Rootfs)?;
    }
    let flags = MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH;
    move_mount(tree.as_fd(), "", target, "", flags).map_err(|e| match idmap {
        Some(_) => Attach::Idmap(IdmapError::Attach {
            destination: op.destination.clone(),
            source: e.into(),
        }),
        None => Attach::Mount(e.into()),
    })?;
    if let (true, Some(flags)) = (remount_after, remount) {
        remount_bind(tree.as_fd(), &op.destination, flags, cleared).map_err(Attach::Rootfs)?;
    }
    Ok(tree)
}

/// A detached copy of the mount at `source` (and of every mount under it for `rbind`).
fn clone(source: &Path, recursive: bool) -> io::Result<OwnedFd> {
    let mut flags = OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC;
    if recursive {
        flags |= OpenTreeFlags::AT_RECURSIVE;
    }
    Ok(open_tree(rustix::fs::CWD, source, flags)?)
}

/// The `mount_setattr(2)` that gives a mount exactly the per-mount flags `flags` (what
/// `MS_REMOUNT | MS_BIND | flags` does): each attribute in `flags` set, every other one
/// cleared (but `nosymfollow`), the access time `relatime` unless `flags` names another.
pub(crate) fn remount_attr(flags: MountFlags) -> sys::MountAttr {
    let pairs = [
        (MountFlags::RDONLY, MountAttrFlags::RDONLY),
        (MountFlags::NOSUID, MountAttrFlags::NOSUID),
        (MountFlags::NODEV, MountAttrFlags::NODEV),
        (MountFlags::NOEXEC, MountAttrFlags::NOEXEC),
        (MountFlags::NODIRATIME, MountAttrFlags::NODIRATIME),
    ];
    // `nosymfollow` is set when asked, never cleared: Linux 5.12 and 5.13 know no such
    // attribute and would refuse the whole call.
    let mut set = match flags.contains(MountFlags::NOSYMFOLLOW) {
        true => MountAttrFlags::NOSYMFOLLOW,
        false => MountAttrFlags::empty(),
    };
    let mut clear = MountAttrFlags::ATIME;
    for (flag, attr) in pairs {
        match flags.contains(flag) {
            true => set |= attr,
            false => clear |= attr,
        }
    }
    if flags.contains(MountFlags::NOATIME) {
        set |= MountAttrFlags::NOATIME;
    } else if flags.contains(MountFlags::STRICTATIME) {
        set |= MountAttrFlags::STRICTATIME;
    }
    sys::MountAttr {
        attr_set: set.bits(),
        attr_clr: clear.bits(),
        ..sys::MountAttr::default()
    }
}

/// Gives the detached `tree` the flags of its bind's remount (with the retry of
/// [`retry_keeping_locked`]). Returns `false` when the kernel has no `mount_setattr(2)`.
fn set_flags(
    tree: BorrowedFd<'_>,
    destination: &Path,
    flags: MountFlags,
    cleared: MountFlags,
) -> Result<bool, RootfsError> {
    let at_flags = libc::AT_EMPTY_PATH as libc::c_uint;
    let set = |flags| sys::mount_setattr(tree, c"", at_flags, &remount_attr(flags));
    match set(flags) {
        Ok(()) => Ok(true),
        Err(err) if err.raw_os_error() == Some(libc::ENOSYS) => Ok(false),
        Err(first) => {
            retry_keeping_locked(tree, destination, flags, cleared, first, set).map(|()| true)
        }
    }
}

/// After `apply(flags)` failed with `first`: when the kernel refused because flags are
/// locked on a source inherited from a more privileged mount namespace, `apply` again with
/// the locked flags kept, unless the config asked to clear one of them or for another
/// access time.
fn retry_keeping_locked(
    fd: BorrowedFd<'_>,
    destination: &Path,
    flags: MountFlags,
    cleared: MountFlags,
    first: io::Error,
    apply: impl Fn(MountFlags) -> io::Result<()>,
) -> Result<(), RootfsError> {
    let error = |source| RootfsError::Remount {
        destination: destination.to_owned(),
        flags: flags | MountFlags::BIND | MountFlags::REMOUNT,
        source,
    };
    let current = flags_of(fstatvfs(fd).map_err(|e| error(io(e)))?.flags());
    let locked = current & cleared & LOCKED;
    if !locked.is_empty() {
        return Err(RootfsError::LockedFlags {
            destination: destination.to_owned(),
            locked,
        });
    }
    // Another access time than the locked one: the first refusal stands.
    if flags.intersects(ATIME) && flags & ATIME != current & ATIME {
        return Err(error(first));
    }
    apply(flags | (current & LOCKED)).map_err(error)
}

/// Applies a bind's flags with `MS_BIND | MS_REMOUNT` on the attached mount `fd` (before
/// Linux 5.12), with the same retry as [`set_flags`].
fn remount_bind(
    fd: BorrowedFd<'_>,
    destination: &Path,
    flags: MountFlags,
    cleared: MountFlags,
) -> Result<(), RootfsError> {
    let remount = |flags| {
        mount_on(
            None,
            fd,
            "",
            flags | MountFlags::BIND | MountFlags::REMOUNT,
            "",
        )
    };
    match remount(flags) {
        Ok(()) => Ok(()),
        Err(first) => retry_keeping_locked(fd, destination, flags, cleared, first, remount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(flags: MountFlags) -> (MountAttrFlags, MountAttrFlags) {
        let attr = remount_attr(flags);
        (
            MountAttrFlags::from_bits_retain(attr.attr_set),
            MountAttrFlags::from_bits_retain(attr.attr_clr),
        )
    }

    #[test]
    fn a_remount_sets_what_it_names_and_clears_the_rest() {
        let (set, clear) = attrs(MountFlags::RDONLY | MountFlags::NOSUID);
        assert_eq!(set, MountAttrFlags::RDONLY | MountAttrFlags::NOSUID);
        assert_eq!(
            clear,
            MountAttrFlags::NODEV
                | MountAttrFlags::NOEXEC
                | MountAttrFlags::NODIRATIME
                | MountAttrFlags::ATIME
        );
        assert!(set.intersection(clear).is_empty());
    }

    #[test]
    fn access_time_is_relatime_unless_named() {
        let (set, clear) = attrs(MountFlags::empty());
        assert!(!set.intersects(MountAttrFlags::ATIME), "relatime is zero");
        assert!(clear.contains(MountAttrFlags::ATIME));
        let (set, _) = attrs(MountFlags::NOATIME | MountFlags::NODIRATIME);
        assert_eq!(set, MountAttrFlags::NOATIME | MountAttrFlags::NODIRATIME);
        let (set, _) = attrs(MountFlags::STRICTATIME);
        assert_eq!(set, MountAttrFlags::STRICTATIME);
        let (set, clear) = attrs(MountFlags::NOSYMFOLLOW);
        assert_eq!(set, MountAttrFlags::NOSYMFOLLOW);
        assert!(!clear.contains(MountAttrFlags::NOSYMFOLLOW));
    }
}
