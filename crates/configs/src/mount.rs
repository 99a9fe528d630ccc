//! Mounts of a container: flags, propagation, recursive attributes and id mapping.

use std::path::PathBuf;

use bitflags::bitflags;
use serde::{Deserialize, Serialize};

use crate::names::named_enum;
use crate::namespace::IdMap;

bitflags! {
    /// `mount(2)` flags (`MS_*`), with the values of the kernel's `include/uapi/linux/mount.h`,
    /// which are the same on every architecture.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct MountFlags: u64 {
        /// Mount read-only.
        const RDONLY = 1;
        /// Ignore set-user-id and set-group-id bits.
        const NOSUID = 1 << 1;
        /// Do not allow access to device files.
        const NODEV = 1 << 2;
        /// Do not allow programs to be executed.
        const NOEXEC = 1 << 3;
        /// Writes are synchronous.
        const SYNCHRONOUS = 1 << 4;
        /// Change the flags of an existing mount.
        const REMOUNT = 1 << 5;
        /// Allow mandatory locks.
        const MANDLOCK = 1 << 6;
        /// Directory changes are synchronous.
        const DIRSYNC = 1 << 7;
        /// Do not follow symbolic links when resolving paths.
        const NOSYMFOLLOW = 1 << 8;
        /// Do not update access times.
        const NOATIME = 1 << 10;
        /// Do not update directory access times.
        const NODIRATIME = 1 << 11;
        /// Bind mount.
        const BIND = 1 << 12;
        /// Move a mount.
        const MOVE = 1 << 13;
        /// Recursive (with `BIND` or a propagation change).
        const REC = 1 << 14;
        /// Suppress some kernel warnings.
        const SILENT = 1 << 15;
        /// Update access times relative to modification times.
        const RELATIME = 1 << 21;
        /// Update i_version on changes.
        const I_VERSION = 1 << 23;
        /// Always update access times.
        const STRICTATIME = 1 << 24;
        /// Make the mount unbindable (a propagation type).
        const UNBINDABLE = 1 << 17;
        /// Make the mount private (a propagation type).
        const PRIVATE = 1 << 18;
        /// Make the mount a slave (a propagation type).
        const SLAVE = 1 << 19;
        /// Make the mount shared (a propagation type).
        const SHARED = 1 << 20;
        /// Keep time updates in memory only.
        const LAZYTIME = 1 << 25;
    }
}

bitflags! {
    /// `mount_setattr(2)` attributes (`MOUNT_ATTR_*`), applied recursively.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct MountAttrFlags: u64 {
        /// Read-only.
        const RDONLY = 0x0000_0001;
        /// Ignore set-user-id and set-group-id bits.
        const NOSUID = 0x0000_0002;
        /// No access to device files.
        const NODEV = 0x0000_0004;
        /// No program execution.
        const NOEXEC = 0x0000_0008;
        /// The access-time field; `relatime` is this field set to zero.
        const ATIME = 0x0000_0070;
        /// Do not update access times.
        const NOATIME = 0x0000_0010;
        /// Always update access times.
        const STRICTATIME = 0x0000_0020;
        /// Do not update directory access times.
        const NODIRATIME = 0x0000_0080;
        /// Id-mapped mount. hull sets it from [`Mount::id_mapping`], never from these flags.
        const IDMAP = 0x0010_0000;
        /// Do not follow symbolic links.
        const NOSYMFOLLOW = 0x0020_0000;
    }
}

bitflags! {
    /// Mount behaviour of hull's own, beyond what the kernel offers.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct MountExtensions: u32 {
        /// Copy the directory's existing contents into a tmpfs mounted over it.
        const TMPCOPYUP = 1;
    }
}

named_enum! {
    /// A propagation change applied to a mount (`mount_namespaces(7)`).
    pub enum Propagation("mount propagation") {
        /// `MS_PRIVATE`.
        Private = "private",
        /// `MS_PRIVATE | MS_REC`.
        RPrivate = "rprivate",
        /// `MS_SLAVE`.
        Slave = "slave",
        /// `MS_SLAVE | MS_REC`.
        RSlave = "rslave",
        /// `MS_SHARED`.
        Shared = "shared",
        /// `MS_SHARED | MS_REC`.
        RShared = "rshared",
        /// `MS_UNBINDABLE`.
        Unbindable = "unbindable",
        /// `MS_UNBINDABLE | MS_REC`.
        RUnbindable = "runbindable",
    }
}

impl Propagation {
    /// The `mount(2)` flags that make this change.
    pub fn flags(self) -> MountFlags {
        let rec = MountFlags::REC;
        match self {
            Propagation::Private => MountFlags::PRIVATE,
            Propagation::RPrivate => MountFlags::PRIVATE | rec,
            Propagation::Slave => MountFlags::SLAVE,
            Propagation::RSlave => MountFlags::SLAVE | rec,
            Propagation::Shared => MountFlags::SHARED,
            Propagation::RShared => MountFlags::SHARED | rec,
            Propagation::Unbindable => MountFlags::UNBINDABLE,
            Propagation::RUnbindable => MountFlags::UNBINDABLE | rec,
        }
    }

    /// Whether this is one of the private kinds.
    pub fn is_private(self) -> bool {
        matches!(self, Propagation::Private | Propagation::RPrivate)
    }
}

/// Attributes set and cleared recursively on a mount tree with `mount_setattr(2)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecursiveAttrs {
    /// Attributes to set.
    pub set: MountAttrFlags,
    /// Attributes to clear.
    pub clear: MountAttrFlags,
}

/// The id mapping of an id-mapped mount (`MOUNT_ATTR_IDMAP`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MountIdMapping {
    /// Map the whole tree under the mount (`ridmap`), not only its top.
    pub recursive: bool,
    /// A user namespace whose mappings to use; exclusive with the explicit mappings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userns_path: Option<PathBuf>,
    /// Uid mappings of the mount.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uid_mappings: Vec<IdMap>,
    /// Gid mappings of the mount.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gid_mappings: Vec<IdMap>,
}

/// One mount of a container.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mount {
    /// What to mount: a path for binds, a name (`proc`, `tmpfs`) for other filesystems.
    pub source: PathBuf,
    /// Where to mount it, inside the container's root.
    pub destination: PathBuf,
    /// The filesystem type; `bind` for bind mounts.
    pub device: String,
    /// Flags to set.
    #[serde(skip_serializing_if = "MountFlags::is_empty")]
    pub flags: MountFlags,
    /// Flags the config asked to be clear (`rw`, `suid`, `exec`...), so that a remount
    /// does not keep them from the source.
    #[serde(skip_serializing_if = "MountFlags::is_empty")]
    pub cleared_flags: MountFlags,
    /// Propagation changes, applied in order after mounting.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub propagation: Vec<Propagation>,
    /// Filesystem-specific options (`mode=755,size=65536k`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub data: String,
    /// Attributes applied recursively with `mount_setattr(2)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rec_attr: Option<RecursiveAttrs>,
    /// hull's own mount behaviour.
    #[serde(skip_serializing_if = "MountExtensions::is_empty")]
    pub extensions: MountExtensions,
    /// Id mapping for an id-mapped bind mount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_mapping: Option<MountIdMapping>,
}

impl Mount {
    /// Whether this is a bind mount.
    pub fn is_bind(&self) -> bool {
        self.flags.contains(MountFlags::BIND)
    }

    /// Whether this mount is id-mapped.
    pub fn is_idmapped(&self) -> bool {
        self.id_mapping.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unnecessary_cast)] // c_ulong is u32 on 32-bit targets
    fn flags_match_the_c_library() {
        let pairs = [
            (MountFlags::RDONLY, libc::MS_RDONLY),
            (MountFlags::NOSYMFOLLOW, libc::MS_NOSYMFOLLOW),
            (MountFlags::BIND, libc::MS_BIND),
            (MountFlags::REC, libc::MS_REC),
            (MountFlags::RELATIME, libc::MS_RELATIME),
            (MountFlags::LAZYTIME, libc::MS_LAZYTIME),
            (MountFlags::PRIVATE, libc::MS_PRIVATE),
            (MountFlags::SHARED, libc::MS_SHARED),
        ];
        for (flag, c) in pairs {
            assert_eq!(flag.bits(), c as u64, "{flag:?}");
        }
    }

    #[test]
    fn propagation_flags_match_the_kernel() {
        assert_eq!(
            Propagation::RPrivate.flags(),
            MountFlags::PRIVATE | MountFlags::REC
        );
        assert_eq!(Propagation::Slave.flags(), MountFlags::SLAVE);
        assert!(Propagation::RPrivate.is_private());
        assert!(!Propagation::RShared.is_private());
    }

    #[test]
    fn flags_serialize_by_name() {
        let json = serde_json::to_string(&(MountFlags::RDONLY | MountFlags::NOSUID)).unwrap();
        assert_eq!(json, "\"RDONLY | NOSUID\"");
        let back: MountFlags = serde_json::from_str(&json).unwrap();
        assert_eq!(back, MountFlags::RDONLY | MountFlags::NOSUID);
        assert!(serde_json::from_str::<MountFlags>("\"RDONLY | FLY\"").is_err());
    }
}
