//! Opening a path inside a directory as if that directory were `/`: `..`, absolute paths
//! and symlinks, relative or absolute, never lead out of it.
//!
//! The kernel does this itself with `openat2(2)` and `RESOLVE_IN_ROOT` (Linux 5.6). Where
//! that call is missing (`ENOSYS`) or refused by a seccomp filter (`EPERM`), we walk the
//! path one component at a time instead, opening each with `O_NOFOLLOW` and resolving
//! symlinks ourselves against the same root.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{self, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{self, Mode, SFlag};

/// How many symlinks one resolution may follow before it fails with `ELOOP`: the kernel's
/// own limit (`MAXSYMLINKS`).
const MAX_SYMLINKS: usize = 40;

/// How many times `openat2` is retried when it reports, with `EAGAIN`, that a rename or
/// mount raced with the resolution.
const OPENAT2_RETRIES: usize = 16;

/// Opens `path` under `root` with `flags` (`O_CLOEXEC` is added), resolving it as if
/// `root` were `/`: with `openat2(2)` where the kernel has it, with
/// [`walk_in_root`] where it does not.
pub(crate) fn open_in_root(
    root: BorrowedFd<'_>,
    path: &Path,
    flags: OFlag,
) -> nix::Result<OwnedFd> {
    match openat2_in_root(root, path, flags) {
        Err(Errno::ENOSYS | Errno::EPERM) => walk_in_root(root, path, flags),
        result => result,
    }
}

/// `openat2(root, path, {flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS})`.
///
/// `RESOLVE_IN_ROOT` clamps `..` at `root` and reads absolute paths and symlink targets
/// as relative to it. Magic links (`/proc/self/fd/N` in a root that has a `/proc`) lead
/// to files the root's tree does not hold, so they are refused outright with `ELOOP`.
///
/// # References
///
/// [openat2(2)](https://man7.org/linux/man-pages/man2/openat2.2.html)
pub(crate) fn openat2_in_root(
    root: BorrowedFd<'_>,
    path: &Path,
    flags: OFlag,
) -> nix::Result<OwnedFd> {
    let how = OpenHow::new()
        .flags(flags | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let mut retries = 0;
    loop {
        match fcntl::openat2(root, path, how) {
            Err(Errno::EAGAIN) if retries < OPENAT2_RETRIES => retries += 1,
            result => return result,
        }
    }
}

/// One step of a walk.
enum Step {
    /// `..`: back to the parent, but never above the root.
    Parent,
    /// A name to look up in the current directory.
    Name(OsString),
}

/// Opens `path` under `root` with `flags` (`O_CLOEXEC` is added) without `openat2`, by
/// resolving it one component at a time:
///
/// - each component is opened with `O_PATH | O_NOFOLLOW` relative to the directory reached
///   so far, so the kernel never follows a symlink for us;
/// - a symlink is read and its target's components replace it; an absolute target starts
///   again from `root`; at most [`MAX_SYMLINKS`] are followed (`ELOOP` past that);
/// - `..` drops back to the previous directory we opened; at `root` it stays at `root`.
///   We keep our own stack of directory fds instead of opening `..`, so a bind mount or a
///   rename cannot make `..` lead anywhere we have not been;
/// - the last component, once known not to be a symlink, is opened with `flags` and
///   `O_NOFOLLOW` relative to its directory, so a symlink swapped in meanwhile fails with
///   `ELOOP` instead of being followed.
///
/// What it cannot do that the kernel does: notice a directory it holds being moved out of
/// the root by someone else during the walk. That takes write access outside the root.
pub(crate) fn walk_in_root(
    root: BorrowedFd<'_>,
    path: &Path,
    flags: OFlag,
) -> nix::Result<OwnedFd> {
    if path.as_os_str().is_empty() {
        // As open(2): an empty path names nothing.
        return Err(Errno::ENOENT);
    }
    let flags = flags | OFlag::O_CLOEXEC;
    // The directories below `root` on the way to the current one; empty at `root`.
    let mut dirs: Vec<OwnedFd> = Vec::new();
    let mut pending = VecDeque::new();
    prepend(&mut pending, path);
    let mut symlinks = 0;

    while let Some(step) = pending.pop_front() {
        let name = match step {
            Step::Parent => {
                dirs.pop();
                continue;
            }
            Step::Name(name) => name,
        };
        let dir = dirs.last().map_or(root, |fd| fd.as_fd());
        let path_flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = fcntl::openat(dir, name.as_os_str(), path_flags, Mode::empty())?;
        let kind = SFlag::from_bits_truncate(stat::fstat(&fd)?.st_mode) & SFlag::S_IFMT;

        if kind == SFlag::S_IFLNK {
            symlinks += 1;
            if symlinks > MAX_SYMLINKS {
                return Err(Errno::ELOOP);
            }
            // An empty path reads the link `fd` itself refers to (Linux 2.6.39).
            let target = PathBuf::from(fcntl::readlinkat(&fd, "")?);
            if target.has_root() {
                dirs.clear();
            }
            prepend(&mut pending, &target);
        } else if pending.is_empty() {
            // Opened again, for `flags` to have their effect. Were it swapped for a symlink
            // meanwhile, this fails with ELOOP (or, with O_PATH, opens the link itself).
            return fcntl::openat(
                dir,
                name.as_os_str(),
                flags | OFlag::O_NOFOLLOW,
                Mode::empty(),
            );
        } else if kind == SFlag::S_IFDIR {
            dirs.push(fd);
        } else {
            return Err(Errno::ENOTDIR);
        }
    }
    // The path named a directory by ending in `..`, or named the root itself.
    let dir = dirs.last().map_or(root, |fd| fd.as_fd());
    fcntl::openat(dir, ".", flags, Mode::empty())
}

/// Puts the steps of `path` in front of `pending`, in order. A leading `/` adds no step:
/// the caller decides where an absolute path starts.
fn prepend(pending: &mut VecDeque<Step>, path: &Path) {
    let steps: Vec<Step> = path
        .components()
        .filter_map(|component| match component {
            Component::ParentDir => Some(Step::Parent),
            Component::Normal(name) => Some(Step::Name(name.to_owned())),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect();
    for step in steps.into_iter().rev() {
        pending.push_front(step);
    }
}

#[cfg(test)]
mod tests;
