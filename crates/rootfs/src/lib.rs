#![doc = include_str!("../README.md")]

mod bind;
mod cgroup;
mod console;
mod copyup;
mod devices;
mod error;
mod finalize;
mod idmap;
mod mount;
mod pivot;
mod plan;
mod readonly;
mod resolve;
mod root;
mod sys;

use std::collections::BTreeMap;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use hull_configs::{Config, MountFlags};

pub use console::mount_console;
pub use error::{
    DeviceError, EnterError, FinalizeError, IdmapError, PlanError, Result, RootfsError,
};
pub use finalize::{FinalStep, finalize_plan};
pub use idmap::idmapped_tree;
pub use plan::{Idmap, MountKind, MountOp, Plan, Step, Symlink, plan};
pub use readonly::read_only_view;

use crate::resolve::{Last, Root};

/// What [`prepare`] needs to know beyond the [`Config`].
#[derive(Debug, Default)]
pub struct RootfsOptions {
    /// The hierarchies a `cgroup` mount mounts: one entry per hierarchy the container's
    /// cgroup lives in, as the caller learns them from hull-cgroups.
    pub cgroup_mounts: Vec<CgroupMount>,
    /// The container has its own cgroup namespace: a `cgroup` mount mounts the real cgroup
    /// filesystems (rooted at the container's cgroup by the namespace) instead of binding
    /// the container's cgroup directories.
    pub cgroupns: bool,
    /// Device nodes are bound from the host instead of made with `mknod(2)` (which a user
    /// namespace does not allow).
    pub bind_devices: bool,
    /// Id-mapped trees made on the host side with [`idmapped_tree`], by the index of their
    /// mount in [`Config::mounts`].
    pub idmapped_trees: BTreeMap<usize, OwnedFd>,
}

/// One cgroup hierarchy that a `cgroup` mount makes visible in the container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CgroupMount {
    /// Its directory under the mount's destination, as under `/sys/fs/cgroup` on the host
    /// (`memory`, `cpu,cpuacct`, `unified`), or empty for a pure cgroup v2 host, where the
    /// destination itself is the cgroup2 mount.
    pub name: String,
    /// `cgroup` or `cgroup2`.
    pub fstype: String,
    /// The hierarchy's mount options (`memory`, `cpu,cpuacct`, `name=systemd`); empty for
    /// cgroup2.
    pub options: String,
    /// The container's cgroup directory of this hierarchy on the host, bound when there is
    /// no cgroup namespace.
    pub host_path: PathBuf,
}

/// Sets up the container's root filesystem, up to the pivot.
///
/// Runs in the container's init, already in its new mount namespace (and user namespace,
/// if any), single-threaded: makes every mount of this namespace a slave of the host's (or
/// gives them the configured root propagation), binds the rootfs onto itself, makes each
/// mount of the config in order with destinations resolved inside the rootfs (a symlink in
/// the image never leads a mount out of it), then the device nodes and the `/dev` links
/// unless a bind mount covers `/dev`. The steps are those of [`plan`].
///
/// Hooks that must see the mounts before the pivot (`createRuntime`, `createContainer`) run
/// between this and [`Prepared::enter`].
///
/// # Errors
///
/// The [`RootfsError`] of the first step that fails, with the path and flags it was working
/// on. What was mounted before stays mounted in this (the container's) mount namespace.
pub fn prepare(config: &Config, opts: &RootfsOptions) -> Result<Prepared> {
    let plan = plan(config, opts)?;
    let rootfs = std::fs::canonicalize(&plan.rootfs).map_err(|source| RootfsError::OpenRootfs {
        path: plan.rootfs.clone(),
        source,
    })?;
    let mut root = None;
    for step in &plan.steps {
        apply(step, &rootfs, &mut root, opts)?;
    }
    let root = match root {
        Some(root) => root,
        None => open_root(&rootfs)?,
    };
    Ok(Prepared {
        root,
        rootfs,
        propagation_after_pivot: plan.root_propagation_after_pivot,
        sets_up_dev: plan.sets_up_dev,
    })
}

/// Applies one step; `root` is the rootfs opened once it is bound onto itself.
fn apply(step: &Step, rootfs: &Path, root: &mut Option<Root>, opts: &RootfsOptions) -> Result<()> {
    match step {
        Step::RootPropagation(flags) => root::set_root_propagation(*flags),
        Step::RootfsParentPropagation(flags) => root::set_parent_propagation(rootfs, *flags),
        Step::BindRootfs => {
            root::bind_rootfs(rootfs)?;
            *root = Some(open_root(rootfs)?);
            Ok(())
        }
        step => {
            let opened = match root.take() {
                Some(opened) => opened,
                None => open_root(rootfs)?,
            };
            let result = apply_in_root(step, &opened, opts);
            *root = Some(opened);
            result
        }
    }
}

/// Applies a step that works inside the rootfs.
fn apply_in_root(step: &Step, root: &Root, opts: &RootfsOptions) -> Result<()> {
    match step {
        Step::Mount(op) => mount::apply(root, op, &opts.idmapped_trees),
        Step::Remount { destination, flags } => remount(root, destination, *flags),
        Step::Device { device, bind } => devices::make_node(root, device, *bind),
        Step::Symlink(link) => devices::make_symlink(root, link),
        Step::RootPropagation(_) | Step::RootfsParentPropagation(_) | Step::BindRootfs => Ok(()),
    }
}

fn open_root(rootfs: &Path) -> Result<Root> {
    Root::open(rootfs).map_err(|source| RootfsError::OpenRootfs {
        path: rootfs.to_owned(),
        source,
    })
}

/// `MS_REMOUNT | MS_BIND | flags` on a mount made by an earlier step.
fn remount(root: &Root, destination: &Path, flags: MountFlags) -> Result<()> {
    let flags = flags | MountFlags::REMOUNT | MountFlags::BIND;
    let error = |source| RootfsError::Remount {
        destination: destination.to_owned(),
        flags,
        source,
    };
    let mounted = root.resolve(destination, Last::Open).map_err(error)?;
    mount::mount_on(None, mounted.fd.as_fd(), "", flags, "").map_err(error)
}

/// A root filesystem set up by [`prepare`], not yet entered.
#[derive(Debug)]
pub struct Prepared {
    root: Root,
    rootfs: PathBuf,
    propagation_after_pivot: Option<MountFlags>,
    sets_up_dev: bool,
}

impl Prepared {
    /// The rootfs, as a host path (symlinks resolved).
    pub fn rootfs(&self) -> &Path {
        &self.rootfs
    }

    /// Enters the rootfs: afterwards `/` is the container's root and the working directory
    /// is `/`.
    ///
    /// With `pivot_root(2)` (`pivot_root(".", ".")` from inside the rootfs), the old root is
    /// made a slave and detached (`MNT_DETACH`). With `no_pivot_root`, the host's procfs and
    /// sysfs mounts are hidden, the rootfs is moved onto `/` (`MS_MOVE`) and the process
    /// `chroot(2)`s into it. Then a shared or unbindable root propagation is applied to the
    /// new root, and standard streams open on the host's `/dev/null` move to the
    /// container's.
    ///
    /// # Errors
    ///
    /// [`RootfsError::Enter`] with the step that failed.
    ///
    /// # References
    ///
    /// - [`pivot_root(2)`](https://man7.org/linux/man-pages/man2/pivot_root.2.html)
    /// - [`chroot(2)`](https://man7.org/linux/man-pages/man2/chroot.2.html)
    pub fn enter(self, no_pivot_root: bool) -> Result<()> {
        match no_pivot_root {
            true => pivot::move_root(&self.root, &self.rootfs)?,
            false => pivot::pivot(&self.root, &self.rootfs)?,
        }
        drop(self.root);
        if let Some(flags) = self.propagation_after_pivot {
            pivot::set_propagation(flags)?;
        }
        if self.sets_up_dev {
            pivot::reopen_stdio_on_dev_null()?;
        }
        Ok(())
    }
}

/// Creates the directory `path` and any missing parent inside the root `root` (mode 0755),
/// resolving it as every mount destination is: one component at a time, a symlink of the
/// image taken as if `root` were `/`, a magic link of `/proc` never followed (its target is
/// read as a path inside `root`). The init creates a missing working directory with it,
/// `root` being `/` then.
///
/// # Errors
///
/// The error of the walk (`ENOTDIR` for a file on the way, `EACCES`, ...).
pub fn create_dir_inside(root: &Path, path: &Path) -> std::io::Result<()> {
    Root::open(root)?.resolve(path, Last::Dir).map(drop)
}

/// The last steps, inside the container's root after [`Prepared::enter`] (paths are the
/// container's): tmpfs and `/dev` mounts the config wants read-only are remounted so, the
/// root is remounted read-only when [`Config::readonly_rootfs`] is set, each read-only path
/// is bound onto itself and made read-only with every mount under it, each masked path is
/// covered (a file by a clone of `/dev/null`, which must be the null device itself, not a
/// symlink, and is checked again on the masked path; a directory by an empty read-only
/// tmpfs; a missing path is skipped), and the umask is set (022 unless configured). The steps are those of
/// [`finalize_plan`].
///
/// The container's init sets the hostname and sysctls between [`Prepared::enter`] and this:
/// `/proc/sys` is usually among the read-only paths.
///
/// # Errors
///
/// [`RootfsError::Finalize`] with the step that failed.
pub fn finalize(config: &Config) -> Result<()> {
    let mut null = None;
    for step in finalize_plan(config) {
        finalize::apply(&step, &mut null)?;
    }
    Ok(())
}
