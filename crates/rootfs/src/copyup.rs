//! `tmpcopyup`: the content of a directory copied into the tmpfs just mounted over it.
//!
//! The directory's descriptor, opened before the mount, still reads the covered content;
//! the copy goes through descriptors only (`*at` calls relative to both trees, nothing
//! followed), so links in the image are copied as links, never through. Directories,
//! regular files, symlinks and special files (device nodes, FIFOs, sockets) keep their
//! permission bits and owners.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use nix::dir::Dir;
use nix::fcntl::{AtFlags, OFlag, readlinkat};
use nix::sys::stat::{FchmodatFlags, FileStat, Mode, SFlag, fchmodat, fstatat, mkdirat, mknodat};
use nix::unistd::{Gid, Uid, fchownat, symlinkat};

use crate::error::io;

/// A copy failure: the entry (relative to the top) and why.
pub(crate) type CopyError = (PathBuf, io::Error);

/// Copies everything in directory `from` (readable) into directory `to`.
pub(crate) fn copy_tree(from: BorrowedFd<'_>, to: BorrowedFd<'_>) -> Result<(), CopyError> {
    // Directories still to copy: their descriptors on both sides and their path.
    let mut pending: Vec<(OwnedFd, OwnedFd, PathBuf)> = Vec::new();
    let top = (dup(from), dup(to));
    let (from, to) = match top {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => return Err((PathBuf::new(), e)),
    };
    pending.push((from, to, PathBuf::new()));
    while let Some((from, to, path)) = pending.pop() {
        for name in names(from.as_fd()).map_err(|e| (path.clone(), e))? {
            let entry = path.join(&name);
            let subdir =
                copy_entry(from.as_fd(), to.as_fd(), &name).map_err(|e| (entry.clone(), e))?;
            if let Some((sub_from, sub_to)) = subdir {
                pending.push((sub_from, sub_to, entry));
            }
        }
    }
    Ok(())
}

fn dup(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    fd.try_clone_to_owned()
}

/// The names in a directory, without `.` and `..`.
fn names(dir: BorrowedFd<'_>) -> io::Result<Vec<OsString>> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let mut dir = Dir::openat(dir, ".", flags, Mode::empty()).map_err(io)?;
    let mut names = Vec::new();
    for entry in dir.iter() {
        let entry = entry.map_err(io)?;
        let name = OsStr::from_bytes(entry.file_name().to_bytes());
        if name != "." && name != ".." {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// Copies one entry; for a directory, returns both sides' descriptors to copy its content.
fn copy_entry(
    from: BorrowedFd<'_>,
    to: BorrowedFd<'_>,
    name: &OsStr,
) -> io::Result<Option<(OwnedFd, OwnedFd)>> {
    let st = fstatat(from, name, AtFlags::AT_SYMLINK_NOFOLLOW).map_err(io)?;
    let kind = SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits());
    let perm = Mode::from_bits_truncate(st.st_mode & 0o7777);
    let mut subdir = None;
    match kind {
        SFlag::S_IFDIR => {
            mkdirat(to, name, perm).map_err(io)?;
            let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
            let sub_from = nix::fcntl::openat(from, name, flags, Mode::empty()).map_err(io)?;
            let sub_to = nix::fcntl::openat(to, name, flags, Mode::empty()).map_err(io)?;
            subdir = Some((sub_from, sub_to));
        }
        SFlag::S_IFREG => copy_file(from, to, name, perm)?,
        SFlag::S_IFLNK => {
            let target = readlinkat(from, name).map_err(io)?;
            symlinkat(target.as_os_str(), to, name).map_err(io)?;
        }
        _ => mknodat(to, name, kind, perm, st.st_rdev).map_err(io)?,
    }
    set_owner_and_mode(to, name, &st, kind, perm)?;
    Ok(subdir)
}

fn copy_file(from: BorrowedFd<'_>, to: BorrowedFd<'_>, name: &OsStr, perm: Mode) -> io::Result<()> {
    let read = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut src = File::from(nix::fcntl::openat(from, name, read, Mode::empty()).map_err(io)?);
    let write =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut dst = File::from(nix::fcntl::openat(to, name, write, perm).map_err(io)?);
    io::copy(&mut src, &mut dst).map(drop)
}

/// The owner of the copy as the original's, then its mode (the umask narrowed it, and a
/// change of owner clears set-id bits).
fn set_owner_and_mode(
    to: BorrowedFd<'_>,
    name: &OsStr,
    st: &FileStat,
    kind: SFlag,
    perm: Mode,
) -> io::Result<()> {
    let (uid, gid) = (Uid::from_raw(st.st_uid), Gid::from_raw(st.st_gid));
    fchownat(to, name, Some(uid), Some(gid), AtFlags::AT_SYMLINK_NOFOLLOW).map_err(io)?;
    match kind {
        // A link has no mode of its own.
        SFlag::S_IFLNK => Ok(()),
        _ => fchmodat(to, name, perm, FchmodatFlags::FollowSymlink).map_err(io),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn copies_files_dirs_and_links_as_they_are() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        fs::create_dir_all(from.path().join("a/b")).unwrap();
        fs::write(from.path().join("a/b/file"), "content").unwrap();
        fs::set_permissions(
            from.path().join("a/b/file"),
            fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        symlink("/etc/passwd", from.path().join("a/link")).unwrap();
        symlink("b/file", from.path().join("a/relative")).unwrap();
        let open = |p: &std::path::Path| File::open(p).unwrap();
        let (src, dst) = (open(from.path()), open(to.path()));

        copy_tree(src.as_fd(), dst.as_fd()).unwrap();

        let copied = to.path().join("a/b/file");
        assert_eq!(fs::read_to_string(&copied).unwrap(), "content");
        let mode = fs::metadata(&copied).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o640);
        assert_eq!(
            fs::read_link(to.path().join("a/link")).unwrap(),
            PathBuf::from("/etc/passwd")
        );
        assert_eq!(
            fs::read_link(to.path().join("a/relative")).unwrap(),
            PathBuf::from("b/file")
        );
    }

    #[test]
    fn an_existing_entry_is_an_error_naming_it() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        fs::write(from.path().join("x"), "1").unwrap();
        fs::write(to.path().join("x"), "2").unwrap();
        let (src, dst) = (
            File::open(from.path()).unwrap(),
            File::open(to.path()).unwrap(),
        );
        let (path, err) = copy_tree(src.as_fd(), dst.as_fd()).unwrap_err();
        assert_eq!(path, PathBuf::from("x"));
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    }
}
