//! `/dev`: device nodes, `/dev/ptmx` and the standard links.
//!
//! Unless a bind mount covers `/dev` (the caller then brings its own), each device node of
//! the config is made with `mknod(2)`, or bound from the host's node of the same path where
//! `mknod` is not allowed (in a user namespace); `/dev/ptmx` points into the container's
//! devpts instance, and `fd`, `stdin`, `stdout`, `stderr` (and `core` where the kernel has
//! `/proc/kcore`) point into `/proc`.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;

use hull_configs::{Config, Device, DeviceKind};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::mount::MsFlags;
use nix::sys::stat::{FchmodatFlags, Mode, SFlag, fchmodat, fstatat, makedev, mknodat};
use nix::unistd::{Gid, Uid, UnlinkatFlags, fchownat, symlinkat, unlinkat};

use crate::error::{DeviceError, RootfsError, io};
use crate::mount::fd_path;
use crate::plan::{Step, Symlink, clean};
use crate::resolve::Root;

/// The links every `/dev` gets, as `(link, target)`.
const DEV_LINKS: [(&str, &str); 4] = [
    ("/dev/fd", "/proc/self/fd"),
    ("/dev/stdin", "/proc/self/fd/0"),
    ("/dev/stdout", "/proc/self/fd/1"),
    ("/dev/stderr", "/proc/self/fd/2"),
];

/// Whether hull sets up `/dev`: no bind mount of the config covers it.
pub(crate) fn sets_up_dev(config: &Config) -> bool {
    !config
        .mounts
        .iter()
        .any(|m| (m.is_bind() || m.device == "bind") && clean(&m.destination) == Path::new("/dev"))
}

/// The steps that fill `/dev`: the nodes (`/dev/ptmx` aside), then the links.
pub(crate) fn steps(devices: &[Device], bind: bool) -> Vec<Step> {
    let mut steps: Vec<Step> = devices
        .iter()
        .filter(|d| !d.path.as_os_str().is_empty() && clean(&d.path) != Path::new("/dev/ptmx"))
        .map(|device| Step::Device {
            device: device.clone(),
            bind,
        })
        .collect();
    steps.push(Step::Symlink(Symlink {
        link: "/dev/ptmx".into(),
        target: "pts/ptmx".into(),
        replace: true,
        when_host_has: None,
    }));
    for (link, target) in DEV_LINKS {
        steps.push(Step::Symlink(Symlink {
            link: link.into(),
            target: target.into(),
            replace: false,
            when_host_has: None,
        }));
    }
    steps.push(Step::Symlink(Symlink {
        link: "/dev/core".into(),
        target: "/proc/kcore".into(),
        replace: false,
        when_host_has: Some("/proc/kcore".into()),
    }));
    steps
}

/// Makes `device` in the root: `mknodat(2)`, or a bind of the host's node when `bind` is
/// set or `mknod` is refused (`EPERM`). An existing node is kept if it is the same device.
pub(crate) fn make_node(root: &Root, device: &Device, bind: bool) -> Result<(), RootfsError> {
    let path = &device.path;
    let (parent, name) = root
        .resolve_parent(path)
        .map_err(|source| RootfsError::Resolve {
            path: path.clone(),
            source,
        })?;
    let dir = parent.fd.as_fd();
    if bind {
        return Ok(bind_node(dir, &name, path)?);
    }
    let (kind, dev) = kind_and_number(device)?;
    let perm = Mode::from_bits_truncate(device.file_mode & 0o7777);
    match mknodat(dir, name.as_os_str(), kind, perm, dev) {
        Ok(()) => Ok(set_owner_and_mode(dir, &name, device, kind, dev)?),
        Err(Errno::EEXIST) => Ok(verify(dir, &name, device, kind, dev)?),
        Err(Errno::EPERM) => Ok(bind_node(dir, &name, path)?),
        Err(errno) => Err(DeviceError::Mknod {
            path: path.clone(),
            source: io(errno),
        }
        .into()),
    }
}

fn kind_and_number(device: &Device) -> Result<(SFlag, libc::dev_t), DeviceError> {
    let kind = match device.kind {
        DeviceKind::Char => SFlag::S_IFCHR,
        DeviceKind::Block => SFlag::S_IFBLK,
        DeviceKind::Fifo => SFlag::S_IFIFO,
        DeviceKind::All => {
            return Err(DeviceError::Mknod {
                path: device.path.clone(),
                source: io::Error::from(Errno::EINVAL),
            });
        }
    };
    let number = |n: i64| u64::try_from(n).ok().filter(|&n| n <= u64::from(u32::MAX));
    match (number(device.major), number(device.minor)) {
        (Some(major), Some(minor)) => Ok((kind, makedev(major, minor))),
        _ => Err(DeviceError::Number {
            path: device.path.clone(),
            major: device.major,
            minor: device.minor,
        }),
    }
}

/// Checks that the entry made (or found) is the device asked for, never following a link.
fn verify(
    dir: BorrowedFd<'_>,
    name: &OsStr,
    device: &Device,
    kind: SFlag,
    dev: libc::dev_t,
) -> Result<(), DeviceError> {
    let st =
        fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).map_err(|errno| DeviceError::Mknod {
            path: device.path.clone(),
            source: io(errno),
        })?;
    let same_kind = st.st_mode & SFlag::S_IFMT.bits() == kind.bits();
    let same_number = kind == SFlag::S_IFIFO || st.st_rdev == dev;
    match same_kind && same_number {
        true => Ok(()),
        false => Err(DeviceError::WrongNode {
            path: device.path.clone(),
            major: device.major,
            minor: device.minor,
        }),
    }
}

/// The node's owner and its exact mode (`mknod` applied the umask).
fn set_owner_and_mode(
    dir: BorrowedFd<'_>,
    name: &OsStr,
    device: &Device,
    kind: SFlag,
    dev: libc::dev_t,
) -> Result<(), DeviceError> {
    verify(dir, name, device, kind, dev)?;
    let error = |errno| DeviceError::SetOwnerAndMode {
        path: device.path.clone(),
        mode: device.file_mode,
        uid: device.uid,
        gid: device.gid,
        source: io(errno),
    };
    let perm = Mode::from_bits_truncate(device.file_mode & 0o7777);
    // Verified just above to be a node, not a link, in a tree nothing else runs in yet.
    fchmodat(dir, name, perm, FchmodatFlags::FollowSymlink).map_err(error)?;
    let (uid, gid) = (Uid::from_raw(device.uid), Gid::from_raw(device.gid));
    fchownat(
        dir,
        name,
        Some(uid),
        Some(gid),
        AtFlags::AT_SYMLINK_NOFOLLOW,
    )
    .map_err(error)
}

/// Binds the host's node at `path` onto an empty file made in its place.
fn bind_node(dir: BorrowedFd<'_>, name: &OsStr, path: &Path) -> Result<(), DeviceError> {
    let flags = OFlag::O_CREAT | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | OFlag::O_RDONLY;
    let file = nix::fcntl::openat(dir, name, flags, Mode::empty()).map_err(|errno| {
        DeviceError::CreateBindTarget {
            path: path.to_owned(),
            source: io(errno),
        }
    })?;
    let target = fd_path(file.as_fd());
    nix::mount::mount(
        Some(path),
        &target,
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .map_err(|errno| DeviceError::Bind {
        path: path.to_owned(),
        source: io(errno),
    })
}

/// Makes `link` in the root; an existing entry is kept unless the link replaces it.
pub(crate) fn make_symlink(root: &Root, link: &Symlink) -> Result<(), RootfsError> {
    if link.when_host_has.as_ref().is_some_and(|p| !p.exists()) {
        return Ok(());
    }
    let error = |source| RootfsError::Symlink {
        link: link.link.clone(),
        target: link.target.clone(),
        source,
    };
    let (parent, name) = root.resolve_parent(&link.link).map_err(error)?;
    let dir = parent.fd.as_fd();
    if link.replace {
        match unlinkat(dir, name.as_os_str(), UnlinkatFlags::NoRemoveDir) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(errno) => return Err(error(io(errno))),
        }
    }
    match symlinkat(link.target.as_os_str(), dir, name.as_os_str()) {
        Ok(()) | Err(Errno::EEXIST) => Ok(()),
        Err(errno) => Err(error(io(errno))),
    }
}
