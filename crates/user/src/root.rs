//! Reading a container's user files from its root directory, from the outside.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{self, OFlag};
use nix::sys::stat::{self, FileStat, Mode, SFlag};

use crate::error::{Result, UserError};
use crate::exec::{self, ExecUser};
use crate::group::{self, Group};
use crate::passwd::{self, User};
use crate::resolve;
use crate::subid::{self, SubId};

/// Where a root keeps its users.
pub const PASSWD_PATH: &str = "/etc/passwd";
/// Where a root keeps its groups.
pub const GROUP_PATH: &str = "/etc/group";
/// Where a root keeps its users' subordinate uid ranges.
pub const SUBUID_PATH: &str = "/etc/subuid";
/// Where a root keeps its users' subordinate gid ranges.
pub const SUBGID_PATH: &str = "/etc/subgid";

/// A directory treated as `/` for reading files: a container's root filesystem seen from
/// the host, or `/` itself.
///
/// Paths are resolved inside it (see [`RootDir::open_file`]): a symlink in the image such
/// as `etc/passwd -> /etc/shadow` or `-> ../../../etc/passwd` names a file in the
/// container, never one of the host's.
#[derive(Debug)]
pub struct RootDir {
    fd: OwnedFd,
    path: PathBuf,
}

/// How a file is opened under a root: [`resolve::open_in_root`], or in tests one of the
/// two resolvers behind it.
type Resolver = fn(BorrowedFd<'_>, &Path, OFlag) -> nix::Result<OwnedFd>;

impl RootDir {
    /// Opens the directory `path` (resolved as any host path) as a root.
    ///
    /// # Errors
    ///
    /// [`UserError::OpenRoot`] when `path` cannot be opened as a directory.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let fd = fcntl::open(path, flags, Mode::empty()).map_err(|errno| UserError::OpenRoot {
            root: path.to_owned(),
            source: errno.into(),
        })?;
        Ok(RootDir {
            fd,
            path: path.to_owned(),
        })
    }

    /// The path the root was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the regular file `path` inside the root for reading; `None` when it does not
    /// exist (nor does a directory on the way to it).
    ///
    /// `path` is resolved as if the root were `/`: `..` stops at the root, and absolute
    /// symlinks and paths start from it. The kernel does this where it has `openat2(2)`
    /// with `RESOLVE_IN_ROOT` (Linux 5.6); elsewhere, or under a seccomp filter that
    /// refuses it, we resolve one component at a time with `O_NOFOLLOW`, with the same
    /// result. Magic links (`/proc/self/...`) are refused.
    ///
    /// The path is looked at with `O_PATH` first, and opened only once it is known to be a
    /// regular file: opening a FIFO would block, and opening some devices has effects. It
    /// is then opened with `O_NONBLOCK` and checked to be the same file.
    ///
    /// # Errors
    ///
    /// - [`UserError::OpenInRoot`] when the path cannot be resolved or opened (too many
    ///   symlinks, permissions);
    /// - [`UserError::NotRegularFile`] when it names something else, or was replaced
    ///   while it was being opened.
    pub fn open_file(&self, path: impl AsRef<Path>) -> Result<Option<File>> {
        self.open_file_with(path.as_ref(), resolve::open_in_root)
    }

    /// [`RootDir::open_file`], resolving with `resolve`.
    fn open_file_with(&self, path: &Path, resolve: Resolver) -> Result<Option<File>> {
        let open_error = |errno: Errno| UserError::OpenInRoot {
            root: self.path.clone(),
            path: path.to_owned(),
            source: errno.into(),
        };
        let not_regular = || UserError::NotRegularFile {
            root: self.path.clone(),
            path: path.to_owned(),
        };
        let probe = match resolve(self.fd.as_fd(), path, OFlag::O_PATH) {
            Ok(fd) => fd,
            Err(Errno::ENOENT | Errno::ENOTDIR) => return Ok(None),
            Err(errno) => return Err(open_error(errno)),
        };
        let before = stat::fstat(&probe).map_err(open_error)?;
        if !is_regular(&before) {
            return Err(not_regular());
        }
        // O_NONBLOCK does nothing to a regular file, and keeps a FIFO swapped in since
        // the probe from blocking us before the check below.
        let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOCTTY;
        let file = resolve(self.fd.as_fd(), path, flags).map_err(open_error)?;
        let after = stat::fstat(&file).map_err(open_error)?;
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) || !is_regular(&after) {
            return Err(not_regular());
        }
        Ok(Some(File::from(file)))
    }

    /// A buffered reader of the file `path` inside the root; empty when the file does not
    /// exist.
    ///
    /// # Errors
    ///
    /// As [`RootDir::open_file`].
    pub fn reader(&self, path: impl AsRef<Path>) -> Result<Box<dyn BufRead>> {
        Ok(match self.open_file(path)? {
            Some(file) => Box::new(BufReader::with_capacity(64 * 1024, file)),
            None => Box::new(io::empty()),
        })
    }

    /// Resolves the user spec `spec` against the root's `/etc/passwd` and `/etc/group`, as
    /// [`exec_user`](crate::exec_user) does; a missing file has no entries.
    ///
    /// # Errors
    ///
    /// As [`RootDir::open_file`] and [`exec_user`](crate::exec_user).
    pub fn exec_user(&self, spec: &str, defaults: &ExecUser) -> Result<ExecUser> {
        let passwd = self.reader(PASSWD_PATH)?;
        let group = self.reader(GROUP_PATH)?;
        exec::exec_user(spec, defaults, passwd, group)
    }

    /// Looks up `groups` in the root's `/etc/group`, as
    /// [`additional_groups`](crate::additional_groups) does; a missing file has no entries.
    ///
    /// # Errors
    ///
    /// As [`RootDir::open_file`] and [`additional_groups`](crate::additional_groups).
    pub fn additional_groups<S: AsRef<str>>(&self, groups: &[S]) -> Result<Vec<u32>> {
        exec::additional_groups(groups, self.reader(GROUP_PATH)?)
    }

    /// Every user of the root's `/etc/passwd`; none when it is missing.
    ///
    /// # Errors
    ///
    /// As [`RootDir::open_file`] and [`parse_passwd`](crate::parse_passwd).
    pub fn users(&self) -> Result<Vec<User>> {
        passwd::parse_passwd(self.reader(PASSWD_PATH)?)
    }

    /// Every group of the root's `/etc/group`; none when it is missing.
    ///
    /// # Errors
    ///
    /// As [`RootDir::open_file`] and [`parse_group`](crate::parse_group).
    pub fn groups(&self) -> Result<Vec<Group>> {
        group::parse_group(self.reader(GROUP_PATH)?)
    }

    /// Every range of the root's `/etc/subuid`; none when it is missing.
    ///
    /// # Errors
    ///
    /// As [`RootDir::open_file`] and [`parse_sub_ids`](crate::parse_sub_ids).
    pub fn sub_uids(&self) -> Result<Vec<SubId>> {
        subid::parse_sub_ids(self.reader(SUBUID_PATH)?)
    }

    /// Every range of the root's `/etc/subgid`; none when it is missing.
    ///
    /// # Errors
    ///
    /// As [`RootDir::open_file`] and [`parse_sub_ids`](crate::parse_sub_ids).
    pub fn sub_gids(&self) -> Result<Vec<SubId>> {
        subid::parse_sub_ids(self.reader(SUBGID_PATH)?)
    }
}

/// Whether `st` describes a regular file.
fn is_regular(st: &FileStat) -> bool {
    SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFREG
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Read;
    use std::os::unix::fs::symlink;

    use super::*;

    const RESOLVERS: [(&str, Resolver); 2] = [
        ("openat2", resolve::openat2_in_root),
        ("walk", resolve::walk_in_root),
    ];

    fn read(root: &RootDir, resolver: Resolver, path: &str) -> Option<String> {
        let mut file = root.open_file_with(Path::new(path), resolver).unwrap()?;
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        Some(text)
    }

    #[test]
    fn an_escaping_passwd_link_reads_nothing_from_outside() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("host-passwd");
        fs::write(&outside, "host:x:0:0::/:\n").unwrap();
        fs::create_dir_all(dir.path().join("root/etc")).unwrap();
        let root = RootDir::open(dir.path().join("root")).unwrap();
        let passwd = dir.path().join("root/etc/passwd");
        for target in [outside.clone(), Path::new("../../../../..").join(&outside)] {
            let _ = fs::remove_file(&passwd); // absent on the first round
            symlink(&target, &passwd).unwrap();
            for (resolver, open) in RESOLVERS {
                assert_eq!(
                    read(&root, open, PASSWD_PATH),
                    None,
                    "{resolver} {target:?}"
                );
            }
        }
    }

    #[test]
    fn missing_files_and_directories_are_none() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("etc"), "a file where a directory should be").unwrap();
        let root = RootDir::open(dir.path()).unwrap();
        for (resolver, open) in RESOLVERS {
            assert_eq!(read(&root, open, "/etc/passwd"), None, "{resolver}");
            assert_eq!(read(&root, open, "/nowhere/passwd"), None, "{resolver}");
        }
    }

    #[test]
    fn only_regular_files_open() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc/passwd")).unwrap();
        nix::unistd::mkfifo(&dir.path().join("etc/group"), Mode::S_IRWXU).unwrap();
        symlink("loop", dir.path().join("etc/subuid")).unwrap();
        symlink("loop", dir.path().join("etc/loop")).unwrap();
        let root = RootDir::open(dir.path()).unwrap();
        for (_, open) in RESOLVERS {
            for path in [PASSWD_PATH, GROUP_PATH] {
                let err = root.open_file_with(Path::new(path), open).unwrap_err();
                assert!(
                    matches!(err, UserError::NotRegularFile { .. }),
                    "{path}: {err}"
                );
            }
            let err = root
                .open_file_with(Path::new(SUBUID_PATH), open)
                .unwrap_err();
            assert!(matches!(err, UserError::OpenInRoot { .. }), "{err}");
        }
    }

    #[test]
    fn a_missing_root_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = RootDir::open(dir.path().join("none")).unwrap_err();
        assert!(matches!(err, UserError::OpenRoot { .. }));
    }
}
