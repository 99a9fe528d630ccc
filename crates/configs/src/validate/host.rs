//! What the host offers, as far as validating a config needs to know.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::mountinfo::parse_mountinfo;
use crate::namespace::NamespaceKind;

/// Which Intel RDT features the host's resctrl filesystem offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RdtSupport {
    /// Cache allocation (`info/L3`).
    pub cat: bool,
    /// Memory bandwidth allocation (`info/MB`).
    pub mba: bool,
}

/// Facts about the host that decide whether a config can run there.
///
/// [`HostFacts::detect`] reads them from `/proc` and `/sys`; tests build them by hand or
/// point [`HostFacts::detect_at`] at a fixture tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostFacts {
    /// Where procfs is mounted; namespace files are resolved through it.
    pub proc: PathBuf,
    /// Namespace kinds the kernel offers.
    pub namespaces: BTreeSet<NamespaceKind>,
    /// The host is pure cgroup v2 (`/sys/fs/cgroup` is cgroup2).
    pub cgroup2_unified: bool,
    /// SELinux is enabled.
    pub selinux: bool,
    /// AppArmor is enabled.
    pub apparmor: bool,
    /// Intel RDT, when resctrl is mounted.
    pub rdt: Option<RdtSupport>,
}

impl HostFacts {
    /// Reads the facts of this host from `/proc` and `/sys`.
    pub fn detect() -> HostFacts {
        HostFacts::detect_at(Path::new("/proc"), Path::new("/sys"))
    }

    /// Reads the facts from procfs at `proc` and sysfs at `sys`.
    ///
    /// Files that cannot be read count as features that are absent.
    pub fn detect_at(proc: &Path, sys: &Path) -> HostFacts {
        let mountinfo = fs::read_to_string(proc.join("self/mountinfo")).unwrap_or_default();
        let mounts = parse_mountinfo(&mountinfo);
        let fs_at = |point: &Path| {
            mounts
                .iter()
                .rev()
                .find(|m| m.mount_point == point)
                .map(|m| m.fs_type.as_str())
        };
        let mut namespaces: BTreeSet<NamespaceKind> = NamespaceKind::ALL
            .iter()
            .copied()
            .filter(|kind| {
                proc.join("self/ns")
                    .join(kind.proc_name())
                    .symlink_metadata()
                    .is_ok()
            })
            .collect();
        if !proc.join("self/timens_offsets").exists() {
            namespaces.remove(&NamespaceKind::Time);
        }
        let apparmor = fs::read_to_string(sys.join("module/apparmor/parameters/enabled"))
            .is_ok_and(|enabled| enabled.trim_start().starts_with('Y'));
        let rdt = mounts
            .iter()
            .find(|m| m.fs_type == "resctrl")
            .map(|m| RdtSupport {
                cat: m.mount_point.join("info/L3").exists(),
                mba: m.mount_point.join("info/MB").exists(),
            });
        HostFacts {
            proc: proc.to_owned(),
            namespaces,
            cgroup2_unified: fs_at(&sys.join("fs/cgroup")) == Some("cgroup2"),
            selinux: mounts.iter().any(|m| m.fs_type == "selinuxfs"),
            apparmor,
            rdt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw
30 22 0:25 / /sys/fs/resctrl rw,relatime shared:11 - resctrl resctrl rw
31 1 0:26 / /mnt/with\\040space rw - tmpfs tmpfs rw
";

    #[test]
    fn detects_from_a_fixture_tree() {
        let root = tempfile::tempdir().unwrap();
        let proc = root.path().join("proc");
        let sys = root.path().join("sys");
        fs::create_dir_all(proc.join("self/ns")).unwrap();
        for name in ["net", "mnt", "user"] {
            std::os::unix::fs::symlink(format!("{name}:[1]"), proc.join("self/ns").join(name))
                .unwrap();
        }
        // time is listed but the kernel has no offsets file: no time namespaces.
        std::os::unix::fs::symlink("time:[1]", proc.join("self/ns/time")).unwrap();
        let info = MOUNTINFO.replace("/sys", &sys.display().to_string());
        fs::write(proc.join("self/mountinfo"), info).unwrap();
        fs::create_dir_all(sys.join("fs/resctrl/info/L3")).unwrap();
        fs::create_dir_all(sys.join("module/apparmor/parameters")).unwrap();
        fs::write(sys.join("module/apparmor/parameters/enabled"), "Y\n").unwrap();

        let host = HostFacts::detect_at(&proc, &sys);
        let kinds: Vec<_> = host.namespaces.iter().copied().collect();
        assert_eq!(
            kinds,
            [
                NamespaceKind::Network,
                NamespaceKind::Mount,
                NamespaceKind::User
            ]
        );
        assert!(host.cgroup2_unified);
        assert!(host.apparmor);
        assert!(!host.selinux);
        assert_eq!(
            host.rdt,
            Some(RdtSupport {
                cat: true,
                mba: false
            })
        );
    }
}
