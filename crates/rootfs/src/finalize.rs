//! The last steps, inside the container's root after the pivot: mounts made read-only that
//! had to stay writable while being filled, the read-only root, read-only paths, masked
//! paths and the umask. Paths are the container's; nothing outside its root can be reached
//! any more, so they are used as they are.

use std::collections::BTreeSet;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use hull_configs::{Config, MountFlags};
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::{Mode, SFlag, fstat, umask};
use nix::sys::statvfs::{fstatvfs, statvfs};
use rustix::mount::{MoveMountFlags, OpenTreeFlags, move_mount, open_tree};

use crate::error::{FinalizeError, io};
use crate::mount::{flags_of, ms};
use crate::pivot::is_dev_null;
use crate::plan::{clean, readonly_later};
use crate::sys;

/// The umask a container gets when its config names none.
const DEFAULT_UMASK: u32 = 0o022;

/// Options of the tmpfs that masks a directory: as small as tmpfs allows. Some kernels
/// (Ubuntu's 5.4) refuse fewer than two inodes, hence the second try.
const MASK_TMPFS: [&str; 2] = ["nr_blocks=1,nr_inodes=1", "nr_blocks=1,nr_inodes=2"];

/// Tries of a read-only remount that the kernel finds busy (a file still open for writing).
const REMOUNT_TRIES: usize = 5;

/// One step of [`crate::finalize`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinalStep {
    /// `mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL)` of a tmpfs
    /// (or `/dev`) that the config wants read-only.
    RemountReadonly {
        /// The mount point.
        path: PathBuf,
        /// The mount's flags.
        flags: MountFlags,
    },
    /// The root remounted read-only.
    ReadonlyRoot,
    /// A path bound onto itself and made read-only with every mount under it; skipped when
    /// missing.
    ReadonlyPath(PathBuf),
    /// A path covered: a file by `/dev/null`, a directory by an empty read-only tmpfs;
    /// skipped when missing.
    Mask(PathBuf),
    /// The process's umask.
    Umask(u32),
}

/// The steps of [`crate::finalize`] for `config`, in order: read-only remounts, the
/// read-only root, read-only paths, masked paths (each once), the umask.
pub fn finalize_plan(config: &Config) -> Vec<FinalStep> {
    let mut steps: Vec<FinalStep> = config
        .mounts
        .iter()
        .filter(|m| readonly_later(m))
        .map(|m| FinalStep::RemountReadonly {
            path: clean(&m.destination),
            flags: m.flags,
        })
        .collect();
    if config.readonly_rootfs {
        steps.push(FinalStep::ReadonlyRoot);
    }
    let mut seen = BTreeSet::new();
    let readonly = config.readonly_paths.iter().map(|p| clean(p));
    steps.extend(readonly.map(FinalStep::ReadonlyPath));
    for path in config.masked_paths.iter().map(|p| clean(p)) {
        if seen.insert(path.clone()) {
            steps.push(FinalStep::Mask(path));
        }
    }
    steps.push(FinalStep::Umask(config.umask.unwrap_or(DEFAULT_UMASK)));
    steps
}

/// Applies one step; `null` is the container's `/dev/null`, opened and checked once, by
/// the first file that is masked.
pub(crate) fn apply(step: &FinalStep, null: &mut Option<OwnedFd>) -> Result<(), FinalizeError> {
    match step {
        FinalStep::RemountReadonly { path, flags } => {
            remount_readonly(path, *flags).map_err(|source| FinalizeError::RemountReadonly {
                path: path.clone(),
                source,
            })
        }
        FinalStep::ReadonlyRoot => readonly_root().map_err(FinalizeError::ReadonlyRoot),
        FinalStep::ReadonlyPath(path) => {
            readonly_path(path).map_err(|source| FinalizeError::ReadonlyPath {
                path: path.clone(),
                source,
            })
        }
        FinalStep::Mask(path) => mask(path, null),
        FinalStep::Umask(mode) => {
            umask(Mode::from_bits_truncate(*mode));
            Ok(())
        }
    }
}

fn remount(path: &Path, flags: MountFlags) -> Result<(), Errno> {
    nix::mount::mount(None::<&str>, path, None::<&str>, ms(flags), None::<&str>)
}

fn remount_readonly(path: &Path, flags: MountFlags) -> io::Result<()> {
    let flags = flags | MountFlags::REMOUNT | MountFlags::BIND | MountFlags::RDONLY;
    let mut tries = 0;
    loop {
        match remount(path, flags) {
            Err(Errno::EBUSY) if tries + 1 < REMOUNT_TRIES => {
                tries += 1;
                thread::sleep(Duration::from_millis(100));
            }
            result => return result.map_err(io),
        }
    }
}

/// `MS_BIND | MS_REMOUNT | MS_RDONLY` on `/`, again with the flags the kernel keeps locked
/// when it refuses.
fn readonly_root() -> io::Result<()> {
    let root = Path::new("/");
    let flags = MountFlags::BIND | MountFlags::REMOUNT | MountFlags::RDONLY;
    if remount(root, flags).is_ok() {
        return Ok(());
    }
    let current = flags_of(statvfs(root).map_err(io)?.flags());
    remount(root, flags | current).map_err(io)
}

/// Makes `path` and every mount under it read-only: a recursive copy of the mount tree at
/// the opened path (`open_tree(2)`), made read-only while it is detached
/// (`mount_setattr(2)`), then attached onto that same descriptor (`move_mount(2)`); the path
/// is never resolved again. A missing path is skipped. Before Linux 5.12 the copy is
/// attached first and its top mount remounted read-only, keeping its locked flags.
fn readonly_path(path: &Path) -> io::Result<()> {
    let flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
    let target = match nix::fcntl::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => return Ok(()),
        Err(errno) => return Err(io(errno)),
    };
    let tree_flags = OpenTreeFlags::OPEN_TREE_CLONE
        | OpenTreeFlags::OPEN_TREE_CLOEXEC
        | OpenTreeFlags::AT_RECURSIVE
        | OpenTreeFlags::AT_EMPTY_PATH;
    let tree = open_tree(target.as_fd(), "", tree_flags)?;
    let attr = sys::MountAttr {
        attr_set: hull_configs::MountAttrFlags::RDONLY.bits(),
        ..sys::MountAttr::default()
    };
    let at_flags = libc::AT_EMPTY_PATH as libc::c_uint | sys::AT_RECURSIVE;
    let set = sys::mount_setattr(tree.as_fd(), c"", at_flags, &attr);
    let missing_setattr = match set {
        Ok(()) => false,
        Err(err) if err.raw_os_error() == Some(libc::ENOSYS) => true,
        Err(err) => return Err(err),
    };
    let move_flags =
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH;
    move_mount(tree.as_fd(), "", target.as_fd(), "", move_flags)?;
    if !missing_setattr {
        return Ok(());
    }
    let current = flags_of(fstatvfs(&tree).map_err(io)?.flags());
    let keep = current & (MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC);
    let flags = MountFlags::BIND | MountFlags::REMOUNT | MountFlags::RDONLY | keep;
    remount(path, flags).map_err(io)
}

/// Covers `path`: a directory with an empty read-only tmpfs, anything else with the null
/// device (CVE-2025-31133 class: the container may bring its own `/dev`, and its
/// `/dev/null` may be a symlink to a kernel file or a regular file). The null device is
/// opened once, `O_PATH | O_NOFOLLOW`, and checked to be character device 1:3; each mask is
/// a clone of that very file (`open_tree(2)`), attached onto the opened target
/// (`move_mount(2)`), and the target is checked to be the null device afterwards. A
/// missing path is skipped.
fn mask(path: &Path, null: &mut Option<OwnedFd>) -> Result<(), FinalizeError> {
    let error = |source| FinalizeError::MaskPath {
        path: path.to_owned(),
        source,
    };
    let flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
    let target = match nix::fcntl::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => return Ok(()),
        Err(errno) => return Err(error(io(errno))),
    };
    let st = fstat(&target).map_err(|errno| error(io(errno)))?;
    if st.st_mode & SFlag::S_IFMT.bits() == SFlag::S_IFDIR.bits() {
        let mut result = Err(Errno::EINVAL);
        for data in MASK_TMPFS {
            let flags = ms(MountFlags::RDONLY);
            result = nix::mount::mount(Some("tmpfs"), path, Some("tmpfs"), flags, Some(data));
            if result.is_ok() {
                break;
            }
        }
        return result.map_err(|errno| error(io(errno)));
    }
    let null = match null {
        Some(fd) => fd,
        None => null.insert(open_dev_null(path)?),
    };
    let tree_flags = OpenTreeFlags::OPEN_TREE_CLONE
        | OpenTreeFlags::OPEN_TREE_CLOEXEC
        | OpenTreeFlags::AT_EMPTY_PATH;
    let tree = open_tree(null.as_fd(), "", tree_flags).map_err(|e| error(e.into()))?;
    let move_flags =
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH;
    move_mount(tree.as_fd(), "", target.as_fd(), "", move_flags).map_err(|e| error(e.into()))?;
    let covered = nix::fcntl::open(path, flags, Mode::empty()).map_err(|errno| error(io(errno)))?;
    match is_dev_null(covered.as_fd()) {
        true => Ok(()),
        false => Err(error(io::Error::from(Errno::ENODEV))),
    }
}

/// The container's `/dev/null`, opened `O_PATH | O_NOFOLLOW` (a symlink is refused, not
/// followed) and checked to be the null device; `first` is the path being masked, for the
/// error.
fn open_dev_null(first: &Path) -> Result<OwnedFd, FinalizeError> {
    let error = |source| FinalizeError::DevNull {
        path: first.to_owned(),
        source,
    };
    let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = nix::fcntl::open("/dev/null", flags, Mode::empty()).map_err(|e| error(io(e)))?;
    match is_dev_null(fd.as_fd()) {
        true => Ok(fd),
        false => Err(error(io::Error::from(Errno::ENODEV))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hull_configs::Mount;

    fn mount(device: &str, destination: &str, flags: MountFlags) -> Mount {
        Mount {
            device: device.into(),
            destination: destination.into(),
            flags,
            ..Mount::default()
        }
    }

    #[test]
    fn nothing_but_the_umask_for_an_empty_config() {
        assert_eq!(finalize_plan(&Config::default()), [FinalStep::Umask(0o022)]);
    }

    #[test]
    fn order_is_remounts_root_readonly_then_masked_then_umask() {
        let ro = MountFlags::RDONLY | MountFlags::NOSUID;
        let config = Config {
            mounts: vec![
                mount("tmpfs", "/run", ro),
                mount("tmpfs", "/tmp", MountFlags::NOSUID),
                mount("tmpfs", "/dev", ro),
                mount("proc", "/proc", ro),
                mount("bind", "/dev/../dev", ro),
            ],
            readonly_rootfs: true,
            readonly_paths: vec!["/proc/sys".into(), "/proc/bus/".into()],
            masked_paths: vec![
                "/proc/kcore".into(),
                "/sys/firmware".into(),
                "/proc//kcore".into(),
            ],
            umask: Some(0o077),
            ..Config::default()
        };
        let expected = vec![
            FinalStep::RemountReadonly {
                path: "/run".into(),
                flags: ro,
            },
            FinalStep::RemountReadonly {
                path: "/dev".into(),
                flags: ro,
            },
            FinalStep::RemountReadonly {
                path: "/dev".into(),
                flags: ro,
            },
            FinalStep::ReadonlyRoot,
            FinalStep::ReadonlyPath("/proc/sys".into()),
            FinalStep::ReadonlyPath("/proc/bus".into()),
            FinalStep::Mask("/proc/kcore".into()),
            FinalStep::Mask("/sys/firmware".into()),
            FinalStep::Umask(0o077),
        ];
        assert_eq!(finalize_plan(&config), expected);
    }
}
