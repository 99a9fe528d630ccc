//! Namespace files: opening one as a given kind, joining it, and creating new namespaces.

use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use hull_configs::NamespaceKind;
use nix::errno::Errno;
use nix::sched::CloneFlags;
use nix::unistd::Pid;

use crate::error::{NamespacesError, Result};
use crate::sys;

/// An open namespace file (`/proc/<pid>/ns/net`, `/run/netns/x`) known to be of one kind,
/// ready to be joined.
///
/// Opening and joining are separate steps so that a process can open every file it will
/// join first: once it has joined a mount namespace, the same paths may name other files.
#[derive(Debug)]
pub struct NamespaceFile {
    fd: OwnedFd,
    kind: NamespaceKind,
    path: PathBuf,
}

/// Opens the namespace file at `path` and checks that it is a namespace of kind `kind`.
///
/// The kind is asked of the kernel (`ioctl(fd, NS_GET_NSTYPE)`), so a bind mount of a
/// namespace file is recognised wherever it lives.
///
/// # Errors
///
/// [`NamespacesError::Open`] when the file cannot be opened,
/// [`NamespacesError::NotNamespace`] when it is not a namespace file,
/// [`NamespacesError::WrongKind`] (or [`NamespacesError::UnknownKind`]) when it is a
/// namespace of another kind.
///
/// # References
///
/// - <https://man7.org/linux/man-pages/man2/ioctl_ns.2.html>
/// - <https://man7.org/linux/man-pages/man7/namespaces.7.html>
#[doc(alias = "NS_GET_NSTYPE")]
pub fn open(kind: NamespaceKind, path: &Path) -> Result<NamespaceFile> {
    let fd: OwnedFd = File::open(path)
        .map_err(|source| NamespacesError::Open {
            kind,
            path: path.to_owned(),
            source,
        })?
        .into();
    let nstype = match sys::namespace_type(fd.as_fd()) {
        Ok(nstype) => nstype,
        Err(Errno::ENOTTY) => {
            return Err(NamespacesError::NotNamespace {
                path: path.to_owned(),
            });
        }
        Err(source) => {
            return Err(NamespacesError::QueryKind {
                path: path.to_owned(),
                source,
            });
        }
    };
    match kind_of_clone_flag(nstype) {
        Some(found) if found == kind => Ok(NamespaceFile {
            fd,
            kind,
            path: path.to_owned(),
        }),
        Some(found) => Err(NamespacesError::WrongKind {
            path: path.to_owned(),
            expected: kind,
            found,
        }),
        None => Err(NamespacesError::UnknownKind {
            path: path.to_owned(),
            nstype,
        }),
    }
}

impl NamespaceFile {
    /// The kind of namespace.
    pub fn kind(&self) -> NamespaceKind {
        self.kind
    }

    /// The path it was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the calling thread into this namespace.
    ///
    /// `setns(fd, CLONE_NEW*)` with the namespace's own type, so that the kernel checks the
    /// kind again. Joining a user or mount namespace needs a single-threaded caller, and a
    /// pid or time namespace applies to the caller's children only.
    ///
    /// # Errors
    ///
    /// [`NamespacesError::Join`] with the kernel's errno: `EPERM` without the capabilities
    /// `setns(2)` lists, `EINVAL` for a user namespace from a multi-threaded process or the
    /// caller's own user namespace.
    ///
    /// # References
    ///
    /// <https://man7.org/linux/man-pages/man2/setns.2.html>
    #[doc(alias = "setns")]
    pub fn join(&self) -> Result<()> {
        nix::sched::setns(&self.fd, clone_flags(&[self.kind])).map_err(|source| {
            NamespacesError::Join {
                kind: self.kind,
                path: self.path.clone(),
                source,
            }
        })
    }
}

impl AsFd for NamespaceFile {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Moves the calling process into new namespaces of the given kinds, all at once.
///
/// `unshare(CLONE_NEW...)`. A new user namespace needs a single-threaded caller; a new pid
/// or time namespace takes the caller's next child, not the caller. Nothing is done for an
/// empty list.
///
/// # Errors
///
/// [`NamespacesError::Unshare`] with the kernel's errno (`EPERM` without the privilege,
/// `EINVAL` for a kind the kernel lacks or a multi-threaded caller of a user namespace,
/// `ENOSPC` past a `/proc/sys/user/max_*_namespaces` limit).
///
/// # References
///
/// <https://man7.org/linux/man-pages/man2/unshare.2.html>
pub fn unshare(kinds: &[NamespaceKind]) -> Result<()> {
    if kinds.is_empty() {
        return Ok(());
    }
    nix::sched::unshare(clone_flags(kinds)).map_err(|source| NamespacesError::Unshare {
        kinds: kinds.to_vec(),
        source,
    })
}

/// `/proc/<pid>/ns/<name>`: the namespace file of kind `kind` of process `pid`.
pub fn proc_ns_path(pid: Pid, kind: NamespaceKind) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/ns/{}", kind.proc_name()))
}

/// The `CLONE_NEW*` flags of `kinds`.
fn clone_flags(kinds: &[NamespaceKind]) -> CloneFlags {
    let bits = kinds.iter().fold(0, |bits, kind| bits | kind.clone_flag());
    CloneFlags::from_bits_retain(bits)
}

/// The kind whose `CLONE_NEW*` flag is `nstype`.
fn kind_of_clone_flag(nstype: i32) -> Option<NamespaceKind> {
    NamespaceKind::ALL
        .iter()
        .copied()
        .find(|kind| kind.clone_flag() == nstype)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    #[test]
    fn opens_its_own_namespaces_as_their_kind() {
        for &kind in NamespaceKind::ALL {
            let path = proc_ns_path(Pid::this(), kind);
            if !path.exists() {
                continue;
            }
            let file = open(kind, &path).unwrap();
            assert_eq!(file.kind(), kind);
            assert_eq!(file.path(), path);
            let opened = File::from(file.fd.try_clone().unwrap()).metadata().unwrap();
            assert_eq!(opened.ino(), path.metadata().unwrap().ino());
        }
    }

    #[test]
    fn refuses_a_namespace_of_another_kind() {
        let err = open(NamespaceKind::User, Path::new("/proc/self/ns/net")).unwrap_err();
        assert!(
            matches!(
                err,
                NamespacesError::WrongKind {
                    expected: NamespaceKind::User,
                    found: NamespaceKind::Network,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "/proc/self/ns/net is a network namespace, not a user namespace"
        );
    }

    #[test]
    fn refuses_a_file_that_is_no_namespace() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let err = open(NamespaceKind::Network, file.path()).unwrap_err();
        assert!(
            matches!(err, NamespacesError::NotNamespace { .. }),
            "{err:?}"
        );
        let err = open(NamespaceKind::Network, Path::new("/nonexistent/ns")).unwrap_err();
        assert!(matches!(err, NamespacesError::Open { .. }), "{err:?}");
    }

    #[test]
    fn clone_flags_round_trip() {
        for &kind in NamespaceKind::ALL {
            assert_eq!(kind_of_clone_flag(kind.clone_flag()), Some(kind));
        }
        assert_eq!(kind_of_clone_flag(libc::CLONE_VM), None);
        assert_eq!(
            clone_flags(&[NamespaceKind::User, NamespaceKind::Time]).bits(),
            libc::CLONE_NEWUSER | libc::CLONE_NEWTIME
        );
    }

    #[test]
    fn unshare_of_nothing_is_a_no_op() {
        unshare(&[]).unwrap();
    }

    #[test]
    fn proc_ns_path_names_the_proc_file() {
        assert_eq!(
            proc_ns_path(Pid::from_raw(42), NamespaceKind::Mount),
            Path::new("/proc/42/ns/mnt")
        );
    }
}
