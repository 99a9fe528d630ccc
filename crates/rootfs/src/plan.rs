//! The mount plan: what [`crate::prepare`] does, in order, as plain data.
//!
//! [`plan`] turns a [`Config`] and the [`RootfsOptions`] into a [`Plan`] without touching
//! the system, so that every decision (which mounts, in which order, with which flags and
//! remounts, which device nodes and links) is tested without root. Applying it is a loop
//! over the steps (`crate::apply`).

use std::path::{Component, Path, PathBuf};

use hull_configs::{
    Config, Device, Mount, MountExtensions, MountFlags, Propagation, RecursiveAttrs,
};

use crate::error::{PlanError, Result};
use crate::{RootfsOptions, cgroup, devices};

/// Everything [`crate::prepare`] does, in order, and what [`crate::Prepared::enter`] does
/// after the pivot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The rootfs, as configured.
    pub rootfs: PathBuf,
    /// The steps before the pivot, in order.
    pub steps: Vec<Step>,
    /// Propagation applied to the new `/` after the pivot (shared or unbindable root
    /// propagation, which must not be applied to the host's mounts before it).
    pub root_propagation_after_pivot: Option<MountFlags>,
    /// Whether `/dev` is set up by hull (no bind mount covers it), so that standard
    /// streams on the host's `/dev/null` move to the container's after the pivot.
    pub sets_up_dev: bool,
}

/// One step of a [`Plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `mount(NULL, "/", NULL, flags, NULL)`: the propagation of every mount of this
    /// namespace, so that nothing done here reaches the host.
    RootPropagation(MountFlags),
    /// Make the mount that holds the rootfs private (or a slave): `pivot_root(2)` refuses a
    /// shared parent, and the bind of the rootfs must not propagate to the host.
    RootfsParentPropagation(MountFlags),
    /// Bind the rootfs onto itself, recursively, so that it is a mount point.
    BindRootfs,
    /// A mount inside the rootfs.
    Mount(MountOp),
    /// Change the flags of a mount made by an earlier step
    /// (`MS_REMOUNT | MS_BIND | flags`).
    Remount {
        /// The mount point, as the container sees it.
        destination: PathBuf,
        /// The flags (without `MS_REMOUNT` and `MS_BIND`).
        flags: MountFlags,
    },
    /// A device node.
    Device {
        /// The node.
        device: Device,
        /// Bind the host's node instead of `mknod(2)`.
        bind: bool,
    },
    /// A symbolic link.
    Symlink(Symlink),
}

/// A symbolic link made inside the rootfs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symlink {
    /// The link, as the container sees it.
    pub link: PathBuf,
    /// What it points to, written as it is.
    pub target: PathBuf,
    /// Remove whatever is at `link` first (`/dev/ptmx`); otherwise an existing entry is
    /// kept.
    pub replace: bool,
    /// Only when this host path exists (`/proc/kcore` for `/dev/core`).
    pub when_host_has: Option<PathBuf>,
}

/// One mount inside the rootfs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountOp {
    /// What to mount: a host path for binds, a name for filesystems (`proc`, `tmpfs`).
    pub source: PathBuf,
    /// Where, as the container sees it: absolute and lexically clean.
    pub destination: PathBuf,
    /// A new filesystem or a bind.
    pub kind: MountKind,
    /// Flags of the `mount(2)` call.
    pub flags: MountFlags,
    /// Propagation flags applied after mounting, in order.
    pub propagation: Vec<MountFlags>,
    /// Attributes set recursively with `mount_setattr(2)` after mounting.
    pub rec_attr: Option<RecursiveAttrs>,
    /// What to mount instead when the kernel refuses this with `EPERM` or `EBUSY` (the
    /// container's cgroup bound when cgroup2 cannot be mounted).
    pub fallback: Option<Box<MountOp>>,
}

/// What a [`MountOp`] mounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountKind {
    /// A new instance of a filesystem.
    Filesystem {
        /// Its type (`proc`, `tmpfs`, `cgroup2`).
        fstype: String,
        /// Its options (`mode=755,size=65536k`).
        data: String,
        /// The destination must be a real directory, never reached through a symlink
        /// (`proc` and `sysfs`).
        strict_directory: bool,
        /// A tmpfs over an existing directory takes its permission bits (`mode=`).
        inherit_mode: bool,
        /// Copy the directory's content into the tmpfs mounted over it.
        copy_up: bool,
    },
    /// A bind mount of a host path.
    Bind {
        /// The flags of the `MS_BIND | MS_REMOUNT` that follows the bind (`mount(2)` ignores
        /// them on the bind itself); `None` keeps the source's flags.
        remount: Option<MountFlags>,
        /// Flags the config asked to be clear: a remount may not keep them from a source
        /// whose flags are locked.
        cleared: MountFlags,
        /// Attach an id-mapped tree instead of binding the source.
        idmap: Option<Idmap>,
    },
}

/// How an id-mapped bind gets its tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idmap {
    /// The mount's index in the config, the key of [`RootfsOptions::idmapped_trees`].
    pub mount_index: usize,
    /// Clone the whole tree under the source (`rbind`).
    pub recursive_bind: bool,
    /// Id-map every mount of the tree (`ridmap`), not only its top.
    pub recursive: bool,
    /// The user namespace whose mapping to use, when the config names one.
    pub userns_path: Option<PathBuf>,
}

/// Flags a filesystem mount never gets before `finalize`: tmpfs and `/dev` are filled
/// (device nodes, copied content, modes) while writable, and made read-only at the end.
const DELAYED_RDONLY: MountFlags = MountFlags::RDONLY;

/// Bind-mount flags that do not ask for a remount: the bind itself and its recursion.
const BIND_ONLY: MountFlags = MountFlags::BIND
    .union(MountFlags::REC)
    .union(MountFlags::REMOUNT);

/// Propagation flags the root starts with when the config names none: everything becomes a
/// slave of the host, as runc does.
const DEFAULT_ROOT_PROPAGATION: MountFlags = MountFlags::SLAVE.union(MountFlags::REC);

/// The plan of [`crate::prepare`] for `config`.
///
/// # Errors
///
/// [`PlanError`] (as [`crate::RootfsError::Plan`]) for a mount that cannot be planned: a
/// relative destination, a mount on `/`, a cgroup mount without hierarchies.
pub fn plan(config: &Config, opts: &RootfsOptions) -> Result<Plan> {
    let root_flags = config
        .root_propagation
        .map_or(DEFAULT_ROOT_PROPAGATION, Propagation::flags);
    let mut steps = vec![
        Step::RootPropagation(root_flags),
        Step::RootfsParentPropagation(parent_propagation(root_flags)),
        Step::BindRootfs,
    ];
    for (index, mount) in config.mounts.iter().enumerate() {
        let destination = clean_destination(&mount.destination)?;
        match mount.device.as_str() {
            "cgroup" => steps.extend(cgroup::steps(mount, &destination, opts)?),
            _ => steps.push(Step::Mount(mount_op(index, mount, destination))),
        }
    }
    let sets_up_dev = devices::sets_up_dev(config);
    if sets_up_dev {
        steps.extend(devices::steps(&config.devices, opts.bind_devices));
    }
    Ok(Plan {
        rootfs: config.rootfs.clone(),
        steps,
        root_propagation_after_pivot: after_pivot(root_flags),
        sets_up_dev,
    })
}

/// The parent mount of the rootfs becomes a slave when the root propagation is one, else
/// private.
fn parent_propagation(root_flags: MountFlags) -> MountFlags {
    match root_flags.contains(MountFlags::SLAVE) {
        true => MountFlags::SLAVE,
        false => MountFlags::PRIVATE,
    }
}

/// Shared or unbindable root propagation is applied to the new root only.
fn after_pivot(root_flags: MountFlags) -> Option<MountFlags> {
    let before = MountFlags::PRIVATE | MountFlags::SLAVE;
    (!root_flags.intersects(before)).then_some(root_flags)
}

/// `path` made absolute and lexically clean (`.` dropped, `..` applied, never above `/`).
pub(crate) fn clean(path: &Path) -> PathBuf {
    let mut clean = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(name) => clean.push(name),
            Component::ParentDir => {
                clean.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    clean
}

fn clean_destination(destination: &Path) -> Result<PathBuf, PlanError> {
    if !destination.is_absolute() {
        return Err(PlanError::RelativeDestination {
            destination: destination.to_owned(),
        });
    }
    let clean = clean(destination);
    match clean == Path::new("/") {
        true => Err(PlanError::MountOnRoot {
            destination: destination.to_owned(),
        }),
        false => Ok(clean),
    }
}

/// The step of one mount of the config (anything but `cgroup`).
pub(crate) fn mount_op(index: usize, mount: &Mount, destination: PathBuf) -> MountOp {
    let propagation = mount.propagation.iter().map(|p| p.flags()).collect();
    let kind = match mount.is_bind() {
        true => MountKind::Bind {
            remount: bind_remount(mount.flags, mount.cleared_flags),
            cleared: mount.cleared_flags,
            idmap: mount.id_mapping.as_ref().map(|idmap| Idmap {
                mount_index: index,
                recursive_bind: mount.flags.contains(MountFlags::REC),
                recursive: idmap.recursive,
                userns_path: idmap.userns_path.clone(),
            }),
        },
        false => MountKind::Filesystem {
            fstype: mount.device.clone(),
            data: mount.data.clone(),
            strict_directory: matches!(mount.device.as_str(), "proc" | "sysfs"),
            inherit_mode: mount.device == "tmpfs",
            copy_up: mount.extensions.contains(MountExtensions::TMPCOPYUP),
        },
    };
    let mut flags = mount.flags;
    if mount.device == "tmpfs" || destination == Path::new("/dev") {
        flags -= DELAYED_RDONLY;
    }
    if mount.is_bind() {
        flags &= MountFlags::BIND | MountFlags::REC;
    }
    MountOp {
        source: mount.source.clone(),
        destination,
        kind,
        flags,
        propagation,
        rec_attr: mount.rec_attr,
        fallback: None,
    }
}

/// The remount that applies a bind's flags: only when the config set or cleared any flag
/// beyond the bind itself, so that a plain bind keeps its source's flags.
pub(crate) fn bind_remount(flags: MountFlags, cleared: MountFlags) -> Option<MountFlags> {
    let asked = flags - BIND_ONLY;
    let propagation =
        MountFlags::PRIVATE | MountFlags::SLAVE | MountFlags::SHARED | MountFlags::UNBINDABLE;
    (!asked.is_empty() || !cleared.is_empty()).then_some(asked - propagation)
}

/// Whether a tmpfs (or `/dev`) mount of the config is made read-only by `finalize`.
pub(crate) fn readonly_later(mount: &Mount) -> bool {
    mount.flags.contains(MountFlags::RDONLY)
        && (mount.device == "tmpfs" || clean(&mount.destination) == Path::new("/dev"))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
