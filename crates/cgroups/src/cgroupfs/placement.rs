//! Where a container's cgroup goes in each hierarchy.
//!
//! As in libcontainer: the path (or `parent/name`) is cleaned so that `..` never climbs out;
//! an absolute path is taken from the top of each hierarchy, a relative one goes under the
//! caller's own cgroup in that hierarchy — on pure v2 under the parent of the caller's
//! cgroup, which has processes of its own and so cannot pass controllers down.

use std::path::{Component, Path, PathBuf};

use hull_configs::Cgroup;

use crate::error::{CgroupsError, Result};
use crate::hierarchy::{UnifiedHierarchy, V1Hierarchy};
use crate::membership::Membership;

/// The cgroup's path inside a hierarchy, cleaned: absolute, or relative to the caller's.
pub(crate) fn inner_path(cgroup: &Cgroup) -> Result<PathBuf> {
    if let Some(path) = &cgroup.path
        && (cgroup.name.is_some() || cgroup.parent.is_some())
    {
        return Err(CgroupsError::PathAndName { path: path.clone() });
    }
    let inner = match &cgroup.path {
        Some(path) => clean(path),
        None => {
            let parent = cgroup.parent.as_deref().map(clean).unwrap_or_default();
            parent.join(cgroup.name.as_deref().map(clean).unwrap_or_default())
        }
    };
    if inner.as_os_str().is_empty() || inner == Path::new("/") {
        let given = cgroup
            .path
            .clone()
            .or(cgroup.name.clone())
            .unwrap_or_default();
        return Err(CgroupsError::InvalidValue {
            field: "cgroup path",
            value: format!("{given:?}"),
            reason: "it names no cgroup of its own",
        });
    }
    Ok(inner)
}

/// Cleans `path` as if it were absolute, so that `..` stops at the top, and keeps it
/// relative if it was.
fn clean(path: &str) -> PathBuf {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    let relative: PathBuf = parts.iter().collect();
    if path.starts_with('/') {
        Path::new("/").join(relative)
    } else {
        relative
    }
}

/// Joins a cgroup path seen from the top of a hierarchy to the directory of its mount.
fn under_mount(mount_point: &Path, root: &Path, cgroup: &Path) -> PathBuf {
    let relative = cgroup.strip_prefix(root).unwrap_or(cgroup);
    mount_point.join(relative.strip_prefix("/").unwrap_or(relative))
}

/// The cgroup's directory in a v1 hierarchy.
pub(crate) fn v1_dir(h: &V1Hierarchy, inner: &Path, membership: &Membership) -> Result<PathBuf> {
    if inner.is_absolute() {
        return Ok(under_mount(&h.mount_point, Path::new("/"), inner));
    }
    let own = h
        .controllers
        .iter()
        .find_map(|c| membership.v1.get(c))
        .ok_or_else(|| CgroupsError::OwnCgroupMissing {
            path: "/proc/self/cgroup".into(),
            hierarchy: h.controllers.join(","),
        })?;
    Ok(under_mount(&h.mount_point, &h.root, own).join(inner))
}

/// The cgroup's directory in the cgroup2 hierarchy; `pure` on a host without v1
/// controllers.
pub(crate) fn unified_dir(
    h: &UnifiedHierarchy,
    inner: &Path,
    membership: &Membership,
    pure: bool,
) -> Result<PathBuf> {
    if inner.is_absolute() {
        return Ok(under_mount(&h.mount_point, Path::new("/"), inner));
    }
    let own = membership
        .unified
        .as_deref()
        .ok_or_else(|| CgroupsError::OwnCgroupMissing {
            path: "/proc/self/cgroup".into(),
            hierarchy: "unified".into(),
        })?;
    let base = if pure {
        own.parent().unwrap_or(own)
    } else {
        own
    };
    Ok(under_mount(&h.mount_point, &h.root, base).join(inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cgroup(path: Option<&str>, parent: Option<&str>, name: Option<&str>) -> Cgroup {
        Cgroup {
            path: path.map(str::to_owned),
            parent: parent.map(str::to_owned),
            name: name.map(str::to_owned),
            ..Cgroup::default()
        }
    }

    #[test]
    fn paths_are_cleaned_and_never_climb_out() {
        let inner = |c| inner_path(&c).unwrap();
        assert_eq!(
            inner(cgroup(Some("/hull-test/a"), None, None)),
            Path::new("/hull-test/a")
        );
        assert_eq!(
            inner(cgroup(Some("/../../etc/x"), None, None)),
            Path::new("/etc/x")
        );
        assert_eq!(
            inner(cgroup(Some("../x/./y"), None, None)),
            Path::new("x/y")
        );
        assert_eq!(
            inner(cgroup(None, Some("/machine"), Some("c1"))),
            Path::new("/machine/c1")
        );
        assert_eq!(inner(cgroup(None, None, Some("c1"))), Path::new("c1"));
    }

    #[test]
    fn ambiguous_or_empty_placements_are_refused() {
        let err = inner_path(&cgroup(Some("/a"), None, Some("b"))).unwrap_err();
        assert!(matches!(err, CgroupsError::PathAndName { .. }));
        for c in [
            cgroup(Some("/"), None, None),
            cgroup(None, None, None),
            cgroup(Some(".."), None, None),
        ] {
            assert!(
                matches!(inner_path(&c), Err(CgroupsError::InvalidValue { .. })),
                "{c:?}"
            );
        }
    }

    fn v1(mount: &str, root: &str, controller: &str) -> V1Hierarchy {
        V1Hierarchy {
            mount_point: mount.into(),
            root: root.into(),
            controllers: vec![controller.to_owned()],
        }
    }

    #[test]
    fn relative_paths_go_under_the_callers_cgroup_per_hierarchy() {
        let membership =
            Membership::parse(include_str!("../../tests/fixtures/proc-self-cgroup/hybrid"))
                .unwrap();
        let memory = v1("/sys/fs/cgroup/memory", "/", "memory");
        let pids = v1("/sys/fs/cgroup/pids", "/", "pids");
        let dir = |h: &V1Hierarchy, p: &str| v1_dir(h, Path::new(p), &membership).unwrap();
        assert_eq!(
            dir(&memory, "c1"),
            Path::new("/sys/fs/cgroup/memory/process_api/cd9210d6280af9872bc3e509b704a1c0/c1")
        );
        assert_eq!(dir(&pids, "c1"), Path::new("/sys/fs/cgroup/pids/c1"));
        assert_eq!(
            dir(&memory, "/hull-test/c1"),
            Path::new("/sys/fs/cgroup/memory/hull-test/c1")
        );
        // A namespaced mount shows its own cgroup as its top.
        let nested = v1("/sys/fs/cgroup/memory", "/process_api", "memory");
        assert_eq!(
            dir(&nested, "c1"),
            Path::new("/sys/fs/cgroup/memory/cd9210d6280af9872bc3e509b704a1c0/c1")
        );
        let rdma = v1("/sys/fs/cgroup/rdma", "/", "rdma");
        assert!(matches!(
            v1_dir(&rdma, Path::new("c1"), &membership),
            Err(CgroupsError::OwnCgroupMissing { .. })
        ));
    }

    #[test]
    fn relative_v2_paths_go_under_the_parent_on_pure_v2() {
        let membership = Membership::parse("0::/user.slice/session-1.scope\n").unwrap();
        let h = UnifiedHierarchy {
            mount_point: "/sys/fs/cgroup".into(),
            root: "/".into(),
            controllers: Vec::new(),
        };
        let dir = |p: &str, pure| unified_dir(&h, Path::new(p), &membership, pure).unwrap();
        assert_eq!(dir("c1", true), Path::new("/sys/fs/cgroup/user.slice/c1"));
        assert_eq!(
            dir("c1", false),
            Path::new("/sys/fs/cgroup/user.slice/session-1.scope/c1")
        );
        assert_eq!(
            dir("/hull-test/c1", true),
            Path::new("/sys/fs/cgroup/hull-test/c1")
        );
    }
}
