//! The host's cgroup hierarchies: which are mounted where, and the layout they make.
//!
//! Read from `/proc/self/mountinfo` (`proc_pid_mountinfo(5)`) and checked with `statfs(2)`;
//! both paths are parameters so that tests can use a fixture mountinfo whose mount points
//! are directories in a tempdir.

use std::fs;
use std::path::{Path, PathBuf};

use nix::sys::statfs::{CGROUP2_SUPER_MAGIC, statfs};

use crate::error::{CgroupsError, Result};
use crate::file;

/// The v1 controllers hull knows by name (named hierarchies are `name=...`).
const V1_CONTROLLERS: &[&str] = &[
    "blkio",
    "cpu",
    "cpuacct",
    "cpuset",
    "devices",
    "freezer",
    "hugetlb",
    "memory",
    "misc",
    "net_cls",
    "net_prio",
    "perf_event",
    "pids",
    "rdma",
];

/// How a host's cgroups are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Only cgroup v1 hierarchies.
    Legacy,
    /// v1 hierarchies for the controllers, plus a cgroup2 mount (usually
    /// `/sys/fs/cgroup/unified`) for process tracking, device programs and the controllers
    /// that v1 does not bind.
    Hybrid,
    /// One cgroup2 hierarchy with every controller.
    Unified,
}

/// A mounted cgroup v1 hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V1Hierarchy {
    /// Where it is mounted (`/sys/fs/cgroup/memory`).
    pub mount_point: PathBuf,
    /// The cgroup seen at the mount point (`/` unless a namespace or bind mount hides the
    /// top of the hierarchy).
    pub root: PathBuf,
    /// Its controllers, and `name=...` for a named hierarchy.
    pub controllers: Vec<String>,
}

/// The mounted cgroup2 hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnifiedHierarchy {
    /// Where it is mounted (`/sys/fs/cgroup` or `/sys/fs/cgroup/unified`).
    pub mount_point: PathBuf,
    /// The cgroup seen at the mount point.
    pub root: PathBuf,
    /// The controllers available at the mount point (its `cgroup.controllers`).
    pub controllers: Vec<String>,
}

/// The cgroup hierarchies mounted on a host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hierarchies {
    /// The v1 hierarchies, in mount order, one per set of controllers.
    pub v1: Vec<V1Hierarchy>,
    /// The cgroup2 hierarchy, if one is mounted.
    pub unified: Option<UnifiedHierarchy>,
}

impl Hierarchies {
    /// The hierarchies of this host, from `/proc/self/mountinfo`.
    pub fn detect() -> Result<Self> {
        Self::from_mountinfo(Path::new("/proc/self/mountinfo"))
    }

    /// The hierarchies listed in a mountinfo file; the unified hierarchy's controllers are
    /// read from `cgroup.controllers` at its mount point.
    pub fn from_mountinfo(mountinfo: &Path) -> Result<Self> {
        let text = fs::read_to_string(mountinfo).map_err(|source| CgroupsError::ReadFile {
            path: mountinfo.to_owned(),
            source,
        })?;
        let mut hierarchies = Self::parse_mountinfo(&text);
        if let Some(unified) = &mut hierarchies.unified {
            let controllers = file::read_optional(&unified.mount_point, "cgroup.controllers")?;
            unified.controllers = controllers
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
        }
        if hierarchies.v1.is_empty() && hierarchies.unified.is_none() {
            return Err(CgroupsError::NoCgroupMounts {
                mountinfo: mountinfo.to_owned(),
            });
        }
        Ok(hierarchies)
    }

    /// The cgroup mounts in the text of a mountinfo file (the unified controllers left
    /// empty). The first mount of a hierarchy wins; later bind mounts of it are ignored.
    pub fn parse_mountinfo(text: &str) -> Self {
        let mut hierarchies = Hierarchies::default();
        for mount in hull_configs::mountinfo::parse_mountinfo(text) {
            match mount.fs_type.as_str() {
                "cgroup2" if hierarchies.unified.is_none() => {
                    hierarchies.unified = Some(UnifiedHierarchy {
                        mount_point: mount.mount_point,
                        root: mount.root,
                        controllers: Vec::new(),
                    });
                }
                "cgroup" => {
                    let controllers: Vec<String> = mount
                        .super_options
                        .split(',')
                        .filter(|o| V1_CONTROLLERS.contains(o) || o.starts_with("name="))
                        .map(str::to_owned)
                        .collect();
                    let known = hierarchies.v1.iter().any(|h| h.controllers == controllers);
                    if !controllers.is_empty() && !known {
                        hierarchies.v1.push(V1Hierarchy {
                            mount_point: mount.mount_point,
                            root: mount.root,
                            controllers,
                        });
                    }
                }
                _ => {}
            }
        }
        hierarchies
    }

    /// The layout these hierarchies make; `None` when nothing is mounted.
    pub fn layout(&self) -> Option<Layout> {
        match (self.v1.is_empty(), &self.unified) {
            (true, None) => None,
            (true, Some(_)) => Some(Layout::Unified),
            (false, Some(_)) => Some(Layout::Hybrid),
            (false, None) => Some(Layout::Legacy),
        }
    }

    /// The v1 hierarchy that binds `controller` (`memory`, `name=systemd`).
    pub fn v1_hierarchy(&self, controller: &str) -> Option<&V1Hierarchy> {
        self.v1
            .iter()
            .find(|h| h.controllers.iter().any(|c| c == controller))
    }
}

/// Whether `path` is the mount point of a cgroup2 filesystem, by `statfs(2)`: the fast
/// check for a pure v2 host at `/sys/fs/cgroup`.
///
/// `statfs(2)`: <https://man7.org/linux/man-pages/man2/statfs.2.html>
pub fn is_cgroup2_mount(path: &Path) -> Result<bool> {
    let stat = statfs(path).map_err(|source| CgroupsError::Statfs {
        path: path.to_owned(),
        source,
    })?;
    Ok(stat.filesystem_type() == CGROUP2_SUPER_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This machine's mountinfo (hybrid: cpu and cpuacct mounted apart).
    const HYBRID: &str = include_str!("../tests/fixtures/mountinfo/hybrid");
    /// A pure v2 host's mountinfo (Debian 12 guest).
    const UNIFIED: &str = include_str!("../tests/fixtures/mountinfo/unified");
    /// A legacy host's mountinfo, with cpu and cpuacct mounted together.
    const LEGACY: &str = include_str!("../tests/fixtures/mountinfo/legacy");

    #[test]
    fn hybrid_host() {
        let h = Hierarchies::parse_mountinfo(HYBRID);
        assert_eq!(h.layout(), Some(Layout::Hybrid));
        let unified = h.unified.as_ref().unwrap();
        assert_eq!(unified.mount_point, Path::new("/sys/fs/cgroup/unified"));
        let memory = h.v1_hierarchy("memory").unwrap();
        assert_eq!(memory.mount_point, Path::new("/sys/fs/cgroup/memory"));
        assert_eq!(memory.root, Path::new("/"));
        assert_eq!(h.v1_hierarchy("cpu").unwrap().controllers, ["cpu"]);
        assert!(h.v1_hierarchy("name=systemd").is_some());
        assert!(h.v1_hierarchy("hugetlb").is_none());
    }

    #[test]
    fn legacy_host_with_comounted_controllers() {
        let h = Hierarchies::parse_mountinfo(LEGACY);
        assert_eq!(h.layout(), Some(Layout::Legacy));
        let cpu = h.v1_hierarchy("cpu").unwrap();
        assert_eq!(cpu.controllers, ["cpu", "cpuacct"]);
        assert_eq!(cpu.mount_point, Path::new("/sys/fs/cgroup/cpu,cpuacct"));
        assert_eq!(h.v1_hierarchy("cpuacct"), Some(cpu));
        assert_eq!(
            h.v1_hierarchy("net_prio").unwrap().controllers,
            ["net_cls", "net_prio"]
        );
    }

    #[test]
    fn unified_host() {
        let h = Hierarchies::parse_mountinfo(UNIFIED);
        assert_eq!(h.layout(), Some(Layout::Unified));
        assert_eq!(h.unified.unwrap().mount_point, Path::new("/sys/fs/cgroup"));
    }

    #[test]
    fn nothing_mounted_and_escapes() {
        let h = Hierarchies::parse_mountinfo("22 27 0:21 / /proc rw - proc proc rw\n");
        assert_eq!(h.layout(), None);
        let line = "41 31 0:38 / /mnt/a\\040b rw - cgroup2 cgroup2 rw\n";
        let h = Hierarchies::parse_mountinfo(line);
        assert_eq!(h.unified.unwrap().mount_point, Path::new("/mnt/a b"));
    }

    #[test]
    fn controllers_come_from_the_mount_point() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("cgroup.controllers"),
            "cpu io memory pids\n",
        )
        .unwrap();
        let mountinfo = dir.path().join("mountinfo");
        let line = format!(
            "1 0 0:1 / {} rw - cgroup2 cgroup2 rw\n",
            dir.path().display()
        );
        std::fs::write(&mountinfo, line).unwrap();
        let h = Hierarchies::from_mountinfo(&mountinfo).unwrap();
        assert_eq!(
            h.unified.unwrap().controllers,
            ["cpu", "io", "memory", "pids"]
        );

        std::fs::write(&mountinfo, "").unwrap();
        let err = Hierarchies::from_mountinfo(&mountinfo).unwrap_err();
        assert!(matches!(err, CgroupsError::NoCgroupMounts { .. }));
    }
}
