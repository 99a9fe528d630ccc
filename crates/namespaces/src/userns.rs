//! The maps of an existing user namespace, given by a namespace file: what a container that
//! joins it by path needs to turn its ids into host ids.

use std::fs;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

use hull_configs::{IdMap, NamespaceKind};
use nix::unistd::Pid;

use crate::error::{NamespacesError, Result};
use crate::idmap::read_id_maps;
use crate::setns::{open, proc_ns_path};
use crate::sys;

/// The uid and gid maps of a user namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserNamespaceMaps {
    /// Its `uid_map`.
    pub uid_maps: Vec<IdMap>,
    /// Its `gid_map`.
    pub gid_maps: Vec<IdMap>,
}

/// Reads the uid and gid maps of the user namespace file at `path` (`/proc/<pid>/ns/user`,
/// or a bind mount of one such as `/run/userns/x`, which may have no process in it).
///
/// The kernel shows a namespace's maps only in `/proc/<pid>/uid_map` of a process inside
/// it, so one is needed:
///
/// - for the caller's own user namespace, the caller: `/proc/self/uid_map`;
/// - for `/proc/<pid>/ns/user`, that process, checked to be still in the namespace after
///   its maps were read (its pid could have been reused);
/// - otherwise a child forked for the purpose, which blocks all signals, joins the
///   namespace (`setns(fd, CLONE_NEWUSER)`) and waits; its maps are read from outside,
///   then it is killed and reaped. It runs nothing but async-signal-safe calls, so a
///   multi-threaded caller is safe. This needs `CAP_SYS_ADMIN` in that namespace (root, or
///   its owner), as `setns(2)` does.
///
/// The outside ids are relative to the caller's user namespace (for its own namespace:
/// to the parent), as a reader outside sees them.
///
/// # Errors
///
/// Those of [`open`] (the file must be a user namespace), [`NamespacesError::StatNamespace`],
/// [`NamespacesError::SpawnMapReader`] when the child cannot be forked or cannot join, and
/// those of [`read_id_maps`].
///
/// # References
///
/// - <https://man7.org/linux/man-pages/man7/user_namespaces.7.html>
/// - <https://man7.org/linux/man-pages/man2/setns.2.html>
pub fn user_namespace_maps(path: &Path) -> Result<UserNamespaceMaps> {
    let file = open(NamespaceKind::User, path)?;
    let target = nix::sys::stat::fstat(file.as_fd())
        .map(|stat| (stat.st_dev, stat.st_ino))
        .map_err(|source| NamespacesError::StatNamespace {
            path: path.to_owned(),
            source,
        })?;
    let is_target =
        |ns: &Path| fs::metadata(ns).is_ok_and(|meta| (meta.dev(), meta.ino()) == target);
    if is_target(Path::new("/proc/self/ns/user")) {
        return read_maps(Path::new("/proc/self"));
    }
    if let Some(pid) = pid_of_proc_user_ns(path) {
        let maps = read_maps(&proc_dir(pid));
        if maps.is_ok() && is_target(&proc_ns_path(pid, NamespaceKind::User)) {
            return maps;
        }
    }
    let occupant = sys::spawn_in_user_namespace(file.as_fd()).map_err(|source| {
        NamespacesError::SpawnMapReader {
            path: path.to_owned(),
            source,
        }
    })?;
    read_maps(&proc_dir(occupant.pid()))
}

fn proc_dir(pid: Pid) -> PathBuf {
    Path::new("/proc").join(pid.to_string())
}

fn read_maps(dir: &Path) -> Result<UserNamespaceMaps> {
    Ok(UserNamespaceMaps {
        uid_maps: read_id_maps(&dir.join("uid_map"))?,
        gid_maps: read_id_maps(&dir.join("gid_map"))?,
    })
}

/// The pid of a path that is exactly `/proc/<pid>/ns/user`.
fn pid_of_proc_user_ns(path: &Path) -> Option<Pid> {
    let mut parts = path.strip_prefix("/proc").ok()?.components();
    let (
        Some(Component::Normal(pid)),
        Some(Component::Normal(ns)),
        Some(Component::Normal(user)),
        None,
    ) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let pid = pid.to_str()?;
    if ns != "ns" || user != "user" || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let pid: i32 = pid.parse().ok()?;
    (pid > 0).then(|| Pid::from_raw(pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_proc_pid_ns_user_only() {
        let pid = |path: &str| pid_of_proc_user_ns(Path::new(path)).map(Pid::as_raw);
        assert_eq!(pid("/proc/42/ns/user"), Some(42));
        assert_eq!(pid("/proc/42/ns/user/"), Some(42));
        for other in [
            "/proc/self/ns/user",
            "/proc/42/ns/net",
            "/proc/0/ns/user",
            "/proc/-1/ns/user",
            "/proc/42/task/42/ns/user",
            "/run/userns/x",
            "proc/42/ns/user",
            "/proc/42/ns/user/x",
            "/proc/42x/ns/user",
            "/proc/+42/ns/user",
            "/proc//ns/user",
        ] {
            assert_eq!(pid(other), None, "{other}");
        }
    }

    /// Without privileges: the caller's own namespace is read from `/proc/self`.
    #[test]
    fn reads_the_callers_own_namespace() {
        let own = Path::new("/proc/self/uid_map");
        let expected = read_id_maps(own).unwrap();
        let maps = user_namespace_maps(Path::new("/proc/self/ns/user")).unwrap();
        assert_eq!(maps.uid_maps, expected);
        let by_pid = proc_ns_path(Pid::this(), NamespaceKind::User);
        assert_eq!(user_namespace_maps(&by_pid).unwrap(), maps);
    }

    #[test]
    fn refuses_a_namespace_that_is_not_a_user_namespace() {
        let err = user_namespace_maps(Path::new("/proc/self/ns/uts")).unwrap_err();
        assert!(matches!(err, NamespacesError::WrongKind { .. }), "{err:?}");
    }
}
