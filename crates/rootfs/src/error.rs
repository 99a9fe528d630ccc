//! Errors of hull-rootfs.
//!
//! One enum for the crate, [`RootfsError`]. Device nodes, id-mapped mounts, entering the root
//! and the finishing steps have their own enums ([`DeviceError`], [`IdmapError`],
//! [`EnterError`], [`FinalizeError`]) nested in it. Each variant is named after the operation
//! that failed and carries the path and flags it was working on; the cause, when there is
//! one, is its `source`.

use std::io;
use std::path::PathBuf;

use hull_configs::{MountAttrFlags, MountFlags};

/// The result of a rootfs operation.
pub type Result<T, E = RootfsError> = std::result::Result<T, E>;

/// What can go wrong building a container's root filesystem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RootfsError {
    /// The config asks for something that cannot be planned.
    #[error("invalid rootfs config")]
    Plan(#[from] PlanError),
    /// The rootfs directory could not be opened.
    #[error("cannot open rootfs {path}")]
    OpenRootfs {
        /// The rootfs.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The propagation of a mount could not be changed.
    #[error("cannot set propagation {flags:?} on {target}")]
    SetPropagation {
        /// The mount point (a host path before the pivot).
        target: PathBuf,
        /// The propagation flags.
        flags: MountFlags,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The rootfs could not be bind-mounted onto itself.
    #[error("cannot bind rootfs {path} onto itself")]
    BindRootfs {
        /// The rootfs.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A path inside the rootfs could not be resolved or created.
    #[error("cannot resolve {path} inside the rootfs")]
    Resolve {
        /// The path, as the container sees it.
        path: PathBuf,
        /// Why (`ENOTDIR` for a file in the middle, `ELOOP` for too many symlinks).
        #[source]
        source: io::Error,
    },
    /// `proc` or `sysfs` whose destination is a symlink or no directory, in runc's words.
    #[error("filesystem {fstype:?} must be mounted on ordinary directory ({destination})")]
    NotOrdinaryDirectory {
        /// `proc` or `sysfs`.
        fstype: String,
        /// The destination as configured.
        destination: PathBuf,
    },
    /// A mount destination resolves to the rootfs itself (`/`, or a symlink to it).
    #[error("mount destination {destination} resolves to the root of the rootfs")]
    MountOnRoot {
        /// The destination as configured.
        destination: PathBuf,
    },
    /// A mount on or under `/proc` that could hide what procfs shows.
    #[error("cannot mount on {resolved}: {reason}")]
    ProcMount {
        /// The destination as it resolved inside the rootfs.
        resolved: PathBuf,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The source of a bind mount could not be inspected.
    #[error("cannot stat bind source {path}")]
    StatSource {
        /// The source.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `mount(2)` failed.
    #[error("cannot mount {source_name} ({fstype}) on {destination} with {flags:?} {data:?}")]
    Mount {
        /// What was mounted: a host path for binds, a name for filesystems.
        source_name: PathBuf,
        /// The destination, as the container sees it.
        destination: PathBuf,
        /// The filesystem type, `bind` for bind mounts.
        fstype: String,
        /// The flags.
        flags: MountFlags,
        /// The filesystem data.
        data: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A mount could not be remounted with new flags.
    #[error("cannot remount {destination} with {flags:?}")]
    Remount {
        /// The destination, as the container sees it.
        destination: PathBuf,
        /// The flags asked for.
        flags: MountFlags,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A bind mount asks to clear flags that the kernel keeps locked on its source (a mount
    /// inherited from a more privileged mount namespace).
    #[error("cannot clear locked flags {locked:?} on {destination}")]
    LockedFlags {
        /// The destination, as the container sees it.
        destination: PathBuf,
        /// The flags asked to be clear that are locked.
        locked: MountFlags,
    },
    /// `mount_setattr(2)` failed.
    #[error("cannot set attributes {set:?} and clear {clear:?} on {destination}")]
    SetAttr {
        /// The destination, as the container sees it.
        destination: PathBuf,
        /// The attributes to set.
        set: MountAttrFlags,
        /// The attributes to clear.
        clear: MountAttrFlags,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The terminal could not be bound onto `/dev/console` ([`crate::mount_console`]).
    #[error("cannot bind the terminal onto /dev/console")]
    Console(#[source] io::Error),
    /// A read-only view of a file could not be made ([`crate::read_only_view`]).
    #[error("cannot make a read-only view of {path}")]
    ReadOnlyView {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The content of a directory could not be copied into the tmpfs mounted over it.
    #[error("cannot copy {path} into the tmpfs on {destination}")]
    CopyUp {
        /// The tmpfs mount's destination.
        destination: PathBuf,
        /// The entry being copied, relative to the destination.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A symbolic link could not be made.
    #[error("cannot make symlink {link} -> {target}")]
    Symlink {
        /// The link, as the container sees it.
        link: PathBuf,
        /// What it points to.
        target: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A device node could not be made.
    #[error("cannot make device node")]
    Device(#[from] DeviceError),
    /// An id-mapped mount could not be made.
    #[error("cannot make id-mapped mount")]
    Idmap(#[from] IdmapError),
    /// The process could not enter the root.
    #[error("cannot enter the rootfs")]
    Enter(#[from] EnterError),
    /// A finishing step failed.
    #[error("cannot finish the rootfs")]
    Finalize(#[from] FinalizeError),
}

/// A config that cannot be turned into a mount plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A mount destination that is not absolute.
    #[error("mount destination {destination} is not absolute")]
    RelativeDestination {
        /// The destination.
        destination: PathBuf,
    },
    /// A mount on `/` itself.
    #[error("mount destination {destination} is the root")]
    MountOnRoot {
        /// The destination.
        destination: PathBuf,
    },
    /// A `cgroup` mount, but the caller gave no hierarchy to mount.
    #[error("cgroup mount on {destination} but no cgroup hierarchy was given")]
    NoCgroupHierarchies {
        /// The destination.
        destination: PathBuf,
    },
    /// A cgroup hierarchy of an unknown filesystem type.
    #[error("cgroup hierarchy {name:?} has filesystem type {fstype:?}, not cgroup or cgroup2")]
    CgroupFsType {
        /// The hierarchy.
        name: String,
        /// Its type.
        fstype: String,
    },
    /// A cgroup hierarchy name that is not one directory name.
    #[error("cgroup hierarchy name {name:?} is not a directory name")]
    CgroupName {
        /// The name.
        name: String,
    },
}

/// What can go wrong making one device node.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// `mknodat(2)` failed.
    #[error("cannot mknod {path}")]
    Mknod {
        /// The node, as the container sees it.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A node exists (made just now, or left there) but is not the device asked for.
    #[error("{path} is not the device {major}:{minor} of the config")]
    WrongNode {
        /// The node.
        path: PathBuf,
        /// The major number asked for.
        major: i64,
        /// The minor number asked for.
        minor: i64,
    },
    /// The permission bits or the owner of a node could not be set.
    #[error("cannot set mode {mode:o} and owner {uid}:{gid} of {path}")]
    SetOwnerAndMode {
        /// The node.
        path: PathBuf,
        /// The permission bits.
        mode: u32,
        /// The owner.
        uid: u32,
        /// The group.
        gid: u32,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The empty file a host device is bound onto could not be made.
    #[error("cannot create {path} to bind the host device onto")]
    CreateBindTarget {
        /// The node.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The host device could not be bound onto the container's node.
    #[error("cannot bind host device {path}")]
    Bind {
        /// The node (the same path on the host and in the container).
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A device number that does not fit `dev_t`.
    #[error("device {major}:{minor} of {path} is out of range")]
    Number {
        /// The node.
        path: PathBuf,
        /// The major number.
        major: i64,
        /// The minor number.
        minor: i64,
    },
}

/// What can go wrong making an id-mapped mount.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdmapError {
    /// An id-mapped mount with explicit mappings, but no tree made for it on the host side:
    /// a user namespace with those mappings is not something the init can make.
    #[error(
        "id-mapped mount on {destination} has explicit mappings: \
         give its tree in RootfsOptions::idmapped_trees (see hull_rootfs::idmapped_tree)"
    )]
    Unsupported {
        /// The destination.
        destination: PathBuf,
    },
    /// The user namespace whose mapping to use could not be opened.
    #[error("cannot open user namespace {path}")]
    OpenUserns {
        /// The namespace file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `open_tree(2)` of the source failed.
    #[error("cannot clone the mount tree of {source_path}")]
    OpenTree {
        /// The source.
        source_path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `mount_setattr(2)` with `MOUNT_ATTR_IDMAP` failed (`EINVAL`: the filesystem does not
    /// support id-mapped mounts).
    #[error("cannot id-map the mount tree of {source_path}")]
    SetIdmap {
        /// The source.
        source_path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `move_mount(2)` of the tree onto its destination failed.
    #[error("cannot attach the id-mapped tree on {destination}")]
    Attach {
        /// The destination.
        destination: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// What can go wrong entering the root.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnterError {
    /// `chdir(2)` or `fchdir(2)` failed.
    #[error("cannot change directory to {path}")]
    Chdir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `open(2)` of the old root failed.
    #[error("cannot open the old root")]
    OpenOldRoot(#[source] io::Error),
    /// `pivot_root(2)` failed.
    #[error("cannot pivot_root into {rootfs}")]
    PivotRoot {
        /// The rootfs.
        rootfs: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The old root could not be made a slave before it is unmounted.
    #[error("cannot make the old root a slave")]
    OldRootPropagation(#[source] io::Error),
    /// The old root could not be detached.
    #[error("cannot unmount the old root")]
    UnmountOldRoot(#[source] io::Error),
    /// The mount table could not be read.
    #[error("cannot read {path}")]
    ReadMountinfo {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A host procfs or sysfs could not be hidden before moving the root.
    #[error("cannot hide host {fstype} mount {path}")]
    HidePseudoFs {
        /// The mount point.
        path: PathBuf,
        /// Its type.
        fstype: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `mount(2)` with `MS_MOVE` of the rootfs onto `/` failed.
    #[error("cannot move {rootfs} onto /")]
    MoveRoot {
        /// The rootfs.
        rootfs: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `chroot(2)` failed.
    #[error("cannot chroot into {rootfs}")]
    Chroot {
        /// The rootfs.
        rootfs: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The propagation of the new root could not be set.
    #[error("cannot set propagation {flags:?} on the new root")]
    RootPropagation {
        /// The flags.
        flags: MountFlags,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The container's `/dev/null` could not be opened.
    #[error("cannot open the container's /dev/null")]
    OpenDevNull(#[source] io::Error),
    /// The container's `/dev/null` is not the null device (character device 1:3).
    #[error("the container's /dev/null is not the null device")]
    NotDevNull,
    /// A standard stream on the host's `/dev/null` could not be moved to the container's.
    #[error("cannot reopen fd {fd} on the container's /dev/null")]
    ReopenStdio {
        /// The descriptor (0, 1 or 2).
        fd: i32,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// What can go wrong in the finishing steps, inside the container's root.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FinalizeError {
    /// A mount could not be made read-only.
    #[error("cannot remount {path} read-only")]
    RemountReadonly {
        /// The mount point.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The root could not be remounted read-only.
    #[error("cannot remount the root read-only")]
    ReadonlyRoot(#[source] io::Error),
    /// A read-only path could not be bound onto itself or made read-only.
    #[error("cannot make {path} read-only")]
    ReadonlyPath {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `/dev/null`, which covers masked files, is missing or not the null device.
    #[error("cannot use /dev/null to mask {path}")]
    DevNull {
        /// The first masked file.
        path: PathBuf,
        /// Why (`ENODEV` when it is not the null device).
        #[source]
        source: io::Error,
    },
    /// A masked path could not be covered.
    #[error("cannot mask {path}")]
    MaskPath {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// `Errno` as the `io::Error` the variants carry.
pub(crate) fn io(errno: nix::errno::Errno) -> io::Error {
    io::Error::from(errno)
}
