//! Resolving and creating paths inside the rootfs without ever leaving it.
//!
//! A container image is untrusted: any directory on the way to a mount destination may be a
//! symlink to `/etc` or `../../..`, meant for the host. [`Root`] walks a path one component
//! at a time from an open descriptor of the rootfs, opening each component with
//! `openat2(2)` and `RESOLVE_NO_SYMLINKS`, so the kernel never follows a link for us. A
//! symlink met on the way is read and its target spliced into the rest of the path, with
//! an absolute target starting again from the rootfs and `..` never climbing above it:
//! the same meaning `RESOLVE_IN_ROOT` gives, with the missing directories created on the
//! way (`mkdirat(2)`, one component at a time). The walk knows the physical path it took,
//! which is what the `/proc` checks and the error messages use.
//!
//! Everything here runs before the container's processes exist, single-threaded, so nothing
//! can swap a component between two steps of the walk.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{OFlag, OpenHow, ResolveFlag, openat2, readlinkat};
use nix::sys::stat::{Mode, mkdirat};

/// Symlinks followed in one walk before giving up with `ELOOP`, as the kernel's
/// `MAXSYMLINKS`.
const MAX_LINKS: usize = 40;

/// Mode of the directories a walk creates.
const DIR_MODE: u32 = 0o755;

/// Mode of the empty files a walk creates as bind targets.
const FILE_MODE: u32 = 0o644;

/// What a walk does with the last component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Last {
    /// Open whatever is there (a link is followed inside the root); fail when missing.
    Open,
    /// A directory, created when missing.
    Dir,
    /// A directory that is no symlink, created when missing.
    StrictDir,
    /// Whatever is there, else an empty file.
    File,
}

/// An open descriptor of the rootfs, from which paths are resolved.
#[derive(Debug)]
pub(crate) struct Root {
    fd: OwnedFd,
}

/// A path resolved inside the root.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// An `O_PATH` descriptor of it.
    pub(crate) fd: OwnedFd,
    /// The path the walk took, with every symlink replaced by its target, relative to the
    /// root; empty for the root itself.
    pub(crate) path: PathBuf,
    /// The walk created the last component.
    pub(crate) created: bool,
}

impl Resolved {
    /// The path as the container will see it (`/dev/pts`).
    pub(crate) fn container_path(&self) -> PathBuf {
        Path::new("/").join(&self.path)
    }
}

impl Root {
    /// Opens `rootfs` (`O_PATH | O_DIRECTORY`).
    pub(crate) fn open(rootfs: &Path) -> io::Result<Self> {
        let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let fd = nix::fcntl::open(rootfs, flags, Mode::empty())?;
        Ok(Root { fd })
    }

    /// The root's descriptor.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Resolves `path` (taken as relative to the root, whether it starts with `/` or not),
    /// creating missing directories on the way and the last component as `last` says.
    pub(crate) fn resolve(&self, path: &Path, last: Last) -> io::Result<Resolved> {
        let mut pending: VecDeque<OsString> = components(path);
        let create = last != Last::Open;
        // The directories walked so far, from the root down, with their names.
        let mut walked: Vec<(OwnedFd, OsString)> = Vec::new();
        let mut links = 0;
        let mut created: Option<OsString> = None;
        let mut last_created = false;
        while let Some(name) = pending.pop_front() {
            if name == ".." {
                walked.pop();
                last_created = false;
                continue;
            }
            let just_created = created.take().is_some_and(|c| c == name);
            let is_last = pending.is_empty();
            let dir = walked.last().map_or(self.fd.as_fd(), |(fd, _)| fd.as_fd());
            let want_dir = !is_last || matches!(last, Last::Dir | Last::StrictDir);
            match open_component(dir, &name, want_dir) {
                Ok(fd) => {
                    walked.push((fd, name));
                    last_created = just_created;
                }
                Err(Errno::ELOOP) => {
                    if is_last && last == Last::StrictDir {
                        return Err(io::Error::from(Errno::ENOTDIR));
                    }
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(io::Error::from(Errno::ELOOP));
                    }
                    let target = PathBuf::from(readlinkat(dir, name.as_os_str())?);
                    if target.is_absolute() {
                        walked.clear();
                    }
                    for component in components(&target).into_iter().rev() {
                        pending.push_front(component);
                    }
                }
                // Created just now and still missing: give up rather than loop.
                Err(Errno::ENOENT) if create && !just_created => {
                    create_component(dir, &name, is_last && last == Last::File)?;
                    created = Some(name.clone());
                    pending.push_front(name);
                }
                Err(errno) => return Err(io::Error::from(errno)),
            }
        }
        let path: PathBuf = walked.iter().map(|(_, name)| name.as_os_str()).collect();
        let fd = match walked.pop() {
            Some((fd, _)) => fd,
            None => self.fd.try_clone()?,
        };
        Ok(Resolved {
            fd,
            path,
            created: last_created,
        })
    }

    /// Resolves the parent of `path` (creating it) and returns it with the last name.
    pub(crate) fn resolve_parent(&self, path: &Path) -> io::Result<(Resolved, OsString)> {
        let mut parts = components(path);
        let name = parts
            .pop_back()
            .filter(|name| name != "..")
            .ok_or_else(|| io::Error::from(Errno::EINVAL))?;
        let parent: PathBuf = parts.iter().collect();
        Ok((self.resolve(&parent, Last::Dir)?, name))
    }
}

/// The components of `path` that a walk goes through: names and `..`.
fn components(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_owned()),
            Component::ParentDir => Some("..".into()),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// Opens one entry of `dir` without following it if it is a symlink (`ELOOP` then).
fn open_component(dir: BorrowedFd<'_>, name: &OsStr, want_dir: bool) -> Result<OwnedFd, Errno> {
    debug_assert!(!name.as_bytes().contains(&b'/'));
    let mut flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
    if want_dir {
        flags |= OFlag::O_DIRECTORY;
    }
    let resolve = ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_BENEATH;
    openat2(dir, name, OpenHow::new().flags(flags).resolve(resolve))
}

/// Creates a missing entry of `dir`: an empty file or a directory. An entry that appeared
/// meanwhile is fine: the walk opens it next.
fn create_component(dir: BorrowedFd<'_>, name: &OsStr, file: bool) -> io::Result<()> {
    let created = match file {
        true => {
            let flags = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
            let mode = Mode::from_bits_truncate(FILE_MODE);
            nix::fcntl::openat(dir, name, flags, mode).map(drop)
        }
        false => mkdirat(dir, name, Mode::from_bits_truncate(DIR_MODE)),
    };
    match created {
        Ok(()) | Err(Errno::EEXIST) => Ok(()),
        Err(errno) => Err(io::Error::from(errno)),
    }
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
