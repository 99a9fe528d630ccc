//! Making one [`MountOp`] inside the rootfs.
//!
//! The destination is resolved inside the root (`crate::resolve`) and mounted on through
//! its descriptor (`/proc/self/fd/N`), so a symlink swapped in by the image can never send a
//! mount to the host. Then the new mount is opened again by the same path (the walk now
//! ends on the mount, not on the directory under it) for the steps that change it:
//! propagation, the remount that applies a bind's flags, and `mount_setattr(2)`.
//!
//! `mount(2)`: <https://man7.org/linux/man-pages/man2/mount.2.html>

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use hull_configs::{MountAttrFlags, MountFlags, RecursiveAttrs};
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::mount::MsFlags;
use nix::sys::stat::{Mode, fstat};
use nix::sys::statfs::{PROC_SUPER_MAGIC, statfs};
use nix::sys::statvfs::FsFlags;

use crate::error::{RootfsError, io};
use crate::plan::{MountKind, MountOp};
use crate::resolve::{Last, Resolved, Root};
use crate::{bind, copyup, sys};

/// Files under `/proc` that may be mounted over (what lxcfs emulates), as runc allows.
const PROC_FILES_ALLOWED: &[&str] = &[
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
];

/// Flags the kernel locks on mounts inherited from a more privileged mount namespace: a
/// remount may not clear them.
pub(crate) const LOCKED: MountFlags = MountFlags::RDONLY
    .union(MountFlags::NODEV)
    .union(MountFlags::NOEXEC)
    .union(MountFlags::NOSUID)
    .union(ATIME);

/// The access-time flags.
pub(crate) const ATIME: MountFlags = MountFlags::NOATIME
    .union(MountFlags::RELATIME)
    .union(MountFlags::STRICTATIME)
    .union(MountFlags::NODIRATIME);

/// The path through which a mount reaches what `fd` refers to.
pub(crate) fn fd_path(fd: BorrowedFd<'_>) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

/// The `mount(2)` flags of a config's [`MountFlags`] (the same values).
#[allow(clippy::unnecessary_cast)] // c_ulong is u32 on 32-bit targets, where all MS_* fit
pub(crate) fn ms(flags: MountFlags) -> MsFlags {
    MsFlags::from_bits_retain(flags.bits() as libc::c_ulong)
}

/// `mount(source, /proc/self/fd/N, fstype, flags, data)`, empty strings as `NULL`.
pub(crate) fn mount_on(
    source: Option<&Path>,
    target: BorrowedFd<'_>,
    fstype: &str,
    flags: MountFlags,
    data: &str,
) -> io::Result<()> {
    let fstype = (!fstype.is_empty()).then_some(fstype);
    let data = (!data.is_empty()).then_some(data);
    nix::mount::mount(source, &fd_path(target), fstype, ms(flags), data).map_err(io)
}

/// Makes `op` inside `root`; `trees` are the id-mapped trees the caller made.
pub(crate) fn apply(
    root: &Root,
    op: &MountOp,
    trees: &BTreeMap<usize, OwnedFd>,
) -> Result<(), RootfsError> {
    let target = target(root, op)?;
    let attached = match &op.kind {
        MountKind::Bind {
            remount,
            cleared,
            idmap,
        } => {
            let parts = (*remount, *cleared, idmap.as_ref());
            bind::attach(op, parts, target.fd.as_fd(), trees).map(Some)
        }
        MountKind::Filesystem {
            fstype,
            data,
            inherit_mode,
            copy_up,
            ..
        } => {
            let parts = (fstype.as_str(), data.as_str(), *inherit_mode, *copy_up);
            filesystem(root, op, parts, &target).map(|()| None)
        }
    };
    let mounted = match attached {
        Ok(mounted) => mounted,
        Err(source) => {
            let denied = matches!(source, Attach::Mount(ref e) if is_denied(e));
            return match (&op.fallback, denied) {
                (Some(fallback), true) => apply(root, fallback, trees),
                _ => Err(source.into_error(op)),
            };
        }
    };
    if op.propagation.is_empty() {
        return Ok(());
    }
    // A bind comes back as its attached tree; a new filesystem is opened again below its
    // destination.
    let mounted = match mounted {
        Some(fd) => fd,
        None => {
            root.resolve(&target.path, Last::Open)
                .map_err(|source| RootfsError::Resolve {
                    path: op.destination.clone(),
                    source,
                })?
                .fd
        }
    };
    for &flags in &op.propagation {
        mount_on(None, mounted.as_fd(), "", flags, "").map_err(|source| {
            RootfsError::SetPropagation {
                target: op.destination.clone(),
                flags,
                source,
            }
        })?;
    }
    Ok(())
}

/// A new filesystem on `target`, with the parts of its [`MountKind::Filesystem`] (type,
/// data, whether it takes the mode of the directory under it, whether that directory's
/// content is copied up), its old content copied up and its attributes set.
fn filesystem(
    root: &Root,
    op: &MountOp,
    (fstype, data, inherit_mode, copy_up): (&str, &str, bool, bool),
    target: &Resolved,
) -> Result<(), Attach> {
    let fd = target.fd.as_fd();
    let old_content = match copy_up {
        true => Some(open_dir(fd, &op.destination).map_err(Attach::Rootfs)?),
        false => None,
    };
    // A directory the walk just made has no mode of its own to pass on: the tmpfs keeps
    // the kernel's 1777, as runc's does.
    let data = match inherit_mode && !target.created {
        true => with_mode_of(fd, data).map_err(Attach::Mount)?,
        false => data.to_owned(),
    };
    let source = Some(op.source.as_path());
    mount_on(source, fd, fstype, op.flags, &data).map_err(Attach::Mount)?;
    if old_content.is_none() && op.rec_attr.is_none() {
        return Ok(());
    }
    let mounted = root.resolve(&target.path, Last::Open).map_err(|source| {
        Attach::Rootfs(RootfsError::Resolve {
            path: op.destination.clone(),
            source,
        })
    })?;
    if let Some(old) = old_content {
        copyup::copy_tree(old.as_fd(), mounted.fd.as_fd()).map_err(|(path, source)| {
            Attach::Rootfs(RootfsError::CopyUp {
                destination: op.destination.clone(),
                path,
                source,
            })
        })?;
    }
    match op.rec_attr {
        Some(attrs) => {
            set_attrs(mounted.fd.as_fd(), &op.destination, attrs).map_err(Attach::Rootfs)
        }
        None => Ok(()),
    }
}

/// Resolves (and creates) the destination of `op` and checks that a mount may go there.
fn target(root: &Root, op: &MountOp) -> Result<Resolved, RootfsError> {
    let last = match &op.kind {
        MountKind::Filesystem {
            strict_directory: true,
            ..
        } => Last::StrictDir,
        MountKind::Filesystem { .. } => Last::Dir,
        MountKind::Bind { .. } => match source_is_dir(&op.source)? {
            true => Last::Dir,
            false => Last::File,
        },
    };
    let target = root.resolve(&op.destination, last).map_err(|source| {
        match (&op.kind, source.raw_os_error()) {
            (MountKind::Filesystem { fstype, .. }, Some(libc::ENOTDIR))
                if last == Last::StrictDir =>
            {
                RootfsError::NotOrdinaryDirectory {
                    fstype: fstype.clone(),
                    destination: op.destination.clone(),
                }
            }
            _ => RootfsError::Resolve {
                path: op.destination.clone(),
                source,
            },
        }
    })?;
    if target.path.as_os_str().is_empty() {
        return Err(RootfsError::MountOnRoot {
            destination: op.destination.clone(),
        });
    }
    let resolved = target.container_path();
    let procfs_source = || -> Result<bool, RootfsError> {
        let st = statfs(&op.source).map_err(|e| stat_error(&op.source, e))?;
        Ok(st.filesystem_type() == PROC_SUPER_MAGIC)
    };
    let mounts_procfs = match &op.kind {
        MountKind::Filesystem { fstype, .. } => fstype == "proc",
        MountKind::Bind { .. } if resolved == Path::new("/proc") => procfs_source()?,
        MountKind::Bind { .. } => false,
    };
    check_proc_target(&resolved, mounts_procfs)
        .map_err(|reason| RootfsError::ProcMount { resolved, reason })?;
    Ok(target)
}

/// Whether a mount on `resolved` (a container path, symlinks resolved) is allowed:
/// anything outside `/proc`, procfs itself on `/proc`, and only the files lxcfs emulates
/// under it, so that nothing can hide what procfs shows (`/proc/self/attr`, ...).
pub(crate) fn check_proc_target(resolved: &Path, mounts_procfs: bool) -> Result<(), &'static str> {
    if !resolved.starts_with("/proc") {
        return Ok(());
    }
    if resolved == Path::new("/proc") {
        return match mounts_procfs {
            true => Ok(()),
            false => Err("only procfs may be mounted on /proc"),
        };
    }
    match PROC_FILES_ALLOWED.iter().any(|f| resolved == Path::new(f)) {
        true => Ok(()),
        false => Err("nothing may be mounted under /proc but the files lxcfs emulates"),
    }
}

fn source_is_dir(source: &Path) -> Result<bool, RootfsError> {
    std::fs::metadata(source)
        .map(|m| m.is_dir())
        .map_err(|source_err| RootfsError::StatSource {
            path: source.to_owned(),
            source: source_err,
        })
}

fn stat_error(path: &Path, errno: Errno) -> RootfsError {
    RootfsError::StatSource {
        path: path.to_owned(),
        source: io(errno),
    }
}

/// Opens a directory for reading its entries, from an `O_PATH` descriptor.
fn open_dir(fd: BorrowedFd<'_>, destination: &Path) -> Result<OwnedFd, RootfsError> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    nix::fcntl::openat(fd, ".", flags, Mode::empty()).map_err(|errno| RootfsError::CopyUp {
        destination: destination.to_owned(),
        path: PathBuf::from("."),
        source: io(errno),
    })
}

/// Why attaching the new mount failed.
pub(crate) enum Attach {
    /// The mount or bind itself.
    Mount(io::Error),
    /// Making or attaching an id-mapped tree.
    Idmap(crate::error::IdmapError),
    /// Setting the flags or attributes of a bind's tree, before or after attaching it.
    Rootfs(RootfsError),
}

impl Attach {
    fn into_error(self, op: &MountOp) -> RootfsError {
        match self {
            Attach::Idmap(err) => err.into(),
            Attach::Rootfs(err) => err,
            Attach::Mount(source) => {
                let (fstype, flags, data) = match &op.kind {
                    MountKind::Filesystem { fstype, data, .. } => (fstype.as_str(), op.flags, data),
                    MountKind::Bind { .. } => ("bind", op.flags, &String::new()),
                };
                RootfsError::Mount {
                    source_name: op.source.clone(),
                    destination: op.destination.clone(),
                    fstype: fstype.to_owned(),
                    flags,
                    data: data.clone(),
                    source,
                }
            }
        }
    }
}

fn is_denied(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EPERM | libc::EBUSY))
}

/// `data` with the permission bits of the directory under a tmpfs first (a later `mode=` in
/// `data` wins).
fn with_mode_of(dir: BorrowedFd<'_>, data: &str) -> io::Result<String> {
    let mode = fstat(dir).map_err(io)?.st_mode & 0o7777;
    Ok(match data.is_empty() {
        true => format!("mode={mode:04o}"),
        false => format!("mode={mode:04o},{data}"),
    })
}

/// The mount flags `statvfs(3)` reports, as `mount(2)` flags; a mount with none of the
/// access-time modes is `STRICTATIME`, which the kernel does not report.
pub(crate) fn flags_of(st: FsFlags) -> MountFlags {
    let pairs = [
        (FsFlags::ST_RDONLY, MountFlags::RDONLY),
        (FsFlags::ST_NOSUID, MountFlags::NOSUID),
        (FsFlags::ST_NODEV, MountFlags::NODEV),
        (FsFlags::ST_NOEXEC, MountFlags::NOEXEC),
        (FsFlags::ST_SYNCHRONOUS, MountFlags::SYNCHRONOUS),
        (FsFlags::ST_MANDLOCK, MountFlags::MANDLOCK),
        (FsFlags::ST_NOATIME, MountFlags::NOATIME),
        (FsFlags::ST_NODIRATIME, MountFlags::NODIRATIME),
        (FsFlags::ST_RELATIME, MountFlags::RELATIME),
    ];
    let mut flags = MountFlags::empty();
    for (st_flag, flag) in pairs {
        if st.contains(st_flag) {
            flags |= flag;
        }
    }
    let modes = MountFlags::NOATIME | MountFlags::RELATIME;
    if !flags.intersects(modes) {
        flags |= MountFlags::STRICTATIME;
    }
    flags
}

/// `mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, attrs)`.
pub(crate) fn set_attrs(
    fd: BorrowedFd<'_>,
    destination: &Path,
    attrs: RecursiveAttrs,
) -> Result<(), RootfsError> {
    // The id mapping is never set from these flags (see `MountAttrFlags::IDMAP`).
    let set = attrs.set - MountAttrFlags::IDMAP;
    let clear = attrs.clear - MountAttrFlags::IDMAP;
    let attr = sys::MountAttr {
        attr_set: set.bits(),
        attr_clr: clear.bits(),
        ..sys::MountAttr::default()
    };
    let flags = libc::AT_EMPTY_PATH as libc::c_uint | sys::AT_RECURSIVE;
    sys::mount_setattr(fd, c"", flags, &attr).map_err(|source| RootfsError::SetAttr {
        destination: destination.to_owned(),
        set,
        clear,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_takes_only_procfs_and_lxcfs_files() {
        assert_eq!(check_proc_target(Path::new("/etc"), false), Ok(()));
        assert_eq!(check_proc_target(Path::new("/procfoo"), false), Ok(()));
        assert_eq!(check_proc_target(Path::new("/proc"), true), Ok(()));
        assert!(check_proc_target(Path::new("/proc"), false).is_err());
        assert_eq!(check_proc_target(Path::new("/proc/meminfo"), false), Ok(()));
        assert_eq!(
            check_proc_target(Path::new("/proc/sys/kernel/ns_last_pid"), false),
            Ok(())
        );
        for hidden in ["/proc/self", "/proc/1/attr", "/proc/sys", "/proc/meminfo/x"] {
            assert!(
                check_proc_target(Path::new(hidden), true).is_err(),
                "{hidden}"
            );
        }
    }

    #[test]
    fn statvfs_flags_become_mount_flags() {
        let st = FsFlags::ST_RDONLY | FsFlags::ST_NOSUID | FsFlags::ST_RELATIME;
        assert_eq!(
            flags_of(st),
            MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::RELATIME
        );
        assert_eq!(
            flags_of(FsFlags::ST_NODEV),
            MountFlags::NODEV | MountFlags::STRICTATIME
        );
        assert_eq!(flags_of(FsFlags::ST_NOATIME), MountFlags::NOATIME);
    }

    #[test]
    fn locked_flags_are_the_kernels() {
        assert!(LOCKED.contains(MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV));
        assert!(!LOCKED.contains(MountFlags::SYNCHRONOUS));
        assert_eq!(
            fd_path(std::io::stdin().as_fd()),
            Path::new("/proc/self/fd/0")
        );
    }
}
