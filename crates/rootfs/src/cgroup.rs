//! The steps of a `cgroup` mount, which depend on the host's hierarchies and on whether
//! the container has its own cgroup namespace.
//!
//! - Pure cgroup v2: with a cgroup namespace, a new `cgroup2` mount (the kernel roots it at
//!   the container's cgroup); where the kernel refuses it (a user namespace without its own
//!   cgroup namespace), or without a cgroup namespace, a bind of the container's cgroup
//!   directory.
//! - v1 and hybrid: a tmpfs on the destination, then one mount per hierarchy under it (a
//!   new `cgroup`/`cgroup2` mount with a namespace, a bind of the container's directory
//!   without), links for merged controllers (`cpu -> cpu,cpuacct`), and the tmpfs made
//!   read-only at the end when the mount is.

use std::path::{Component, Path};

use hull_configs::{Mount, MountFlags};

use crate::error::PlanError;
use crate::plan::{MountKind, MountOp, Step, Symlink, bind_remount};
use crate::{CgroupMount, RootfsOptions};

/// Flags of the tmpfs under the hierarchies and of new cgroup mounts.
const PSEUDO_FS_FLAGS: MountFlags = MountFlags::NOEXEC
    .union(MountFlags::NOSUID)
    .union(MountFlags::NODEV);

/// The steps that mount `mount` (of type `cgroup`) on `destination`.
pub(crate) fn steps(
    mount: &Mount,
    destination: &Path,
    opts: &RootfsOptions,
) -> Result<Vec<Step>, PlanError> {
    let hierarchies = &opts.cgroup_mounts;
    for h in hierarchies {
        check(h, hierarchies.len())?;
    }
    match hierarchies.as_slice() {
        [] => Err(PlanError::NoCgroupHierarchies {
            destination: destination.to_owned(),
        }),
        [h] if h.name.is_empty() => Ok(vec![Step::Mount(unified(mount, destination, h, opts))]),
        _ => Ok(split(mount, destination, hierarchies, opts.cgroupns)),
    }
}

fn check(h: &CgroupMount, count: usize) -> Result<(), PlanError> {
    if !matches!(h.fstype.as_str(), "cgroup" | "cgroup2") {
        return Err(PlanError::CgroupFsType {
            name: h.name.clone(),
            fstype: h.fstype.clone(),
        });
    }
    let one_dir = matches!(
        Path::new(&h.name)
            .components()
            .collect::<Vec<_>>()
            .as_slice(),
        [Component::Normal(_)]
    );
    let pure_v2 = h.name.is_empty() && count == 1 && h.fstype == "cgroup2";
    match one_dir || pure_v2 {
        true => Ok(()),
        false => Err(PlanError::CgroupName {
            name: h.name.clone(),
        }),
    }
}

/// The cgroup2 mount of a pure v2 host.
fn unified(mount: &Mount, destination: &Path, h: &CgroupMount, opts: &RootfsOptions) -> MountOp {
    let bind = bind(mount, destination, h);
    if !opts.cgroupns {
        return bind;
    }
    MountOp {
        source: mount.source.clone(),
        destination: destination.to_owned(),
        kind: filesystem("cgroup2", &mount.data),
        flags: mount.flags,
        propagation: propagation(mount),
        rec_attr: None,
        fallback: Some(Box::new(bind)),
    }
}

/// A tmpfs with one mount per hierarchy under it.
fn split(mount: &Mount, destination: &Path, hierarchies: &[CgroupMount], ns: bool) -> Vec<Step> {
    let mut steps = vec![Step::Mount(MountOp {
        source: "tmpfs".into(),
        destination: destination.to_owned(),
        kind: filesystem("tmpfs", "mode=755"),
        flags: PSEUDO_FS_FLAGS,
        propagation: propagation(mount),
        rec_attr: None,
        fallback: None,
    })];
    for h in hierarchies {
        let op = match ns {
            true => new_hierarchy(mount, &destination.join(&h.name), h),
            false => bind(mount, &destination.join(&h.name), h),
        };
        steps.push(Step::Mount(op));
    }
    for h in hierarchies.iter().filter(|h| h.name.contains(',')) {
        for controller in h.name.split(',').filter(|c| !c.is_empty()) {
            steps.push(Step::Symlink(Symlink {
                link: destination.join(controller),
                target: h.name.clone().into(),
                replace: false,
                when_host_has: None,
            }));
        }
    }
    if mount.flags.contains(MountFlags::RDONLY) {
        steps.push(Step::Remount {
            destination: destination.to_owned(),
            flags: PSEUDO_FS_FLAGS | MountFlags::RDONLY,
        });
    }
    steps
}

/// A new mount of one hierarchy, which a cgroup namespace roots at the container's cgroup.
fn new_hierarchy(mount: &Mount, destination: &Path, h: &CgroupMount) -> MountOp {
    MountOp {
        source: h.fstype.clone().into(),
        destination: destination.to_owned(),
        kind: filesystem(&h.fstype, &h.options),
        flags: PSEUDO_FS_FLAGS | (mount.flags & MountFlags::RDONLY),
        propagation: Vec::new(),
        rec_attr: None,
        fallback: None,
    }
}

/// A bind of the container's cgroup directory of one hierarchy.
fn bind(mount: &Mount, destination: &Path, h: &CgroupMount) -> MountOp {
    let flags = MountFlags::BIND | MountFlags::REC | mount.flags;
    MountOp {
        source: h.host_path.clone(),
        destination: destination.to_owned(),
        kind: MountKind::Bind {
            remount: bind_remount(flags, mount.cleared_flags),
            cleared: mount.cleared_flags,
            idmap: None,
        },
        flags: MountFlags::BIND | MountFlags::REC,
        propagation: propagation(mount),
        rec_attr: None,
        fallback: None,
    }
}

fn filesystem(fstype: &str, data: &str) -> MountKind {
    MountKind::Filesystem {
        fstype: fstype.to_owned(),
        data: data.to_owned(),
        strict_directory: false,
        inherit_mode: false,
        copy_up: false,
    }
}

fn propagation(mount: &Mount) -> Vec<MountFlags> {
    mount.propagation.iter().map(|p| p.flags()).collect()
}
