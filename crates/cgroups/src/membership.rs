//! The cgroups a process belongs to, from `/proc/PID/cgroup` (`cgroups(7)`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CgroupsError, Result};

/// The cgroup of a process in each hierarchy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    /// Per v1 controller (and `name=...` hierarchy), the cgroup path in that hierarchy.
    pub v1: BTreeMap<String, PathBuf>,
    /// The cgroup path in the cgroup2 hierarchy (the `0::` line).
    pub unified: Option<PathBuf>,
}

impl Membership {
    /// The cgroups of this process, from `/proc/self/cgroup`.
    pub fn of_self() -> Result<Self> {
        Self::read(Path::new("/proc/self/cgroup"))
    }

    /// The cgroups listed in a `/proc/PID/cgroup` file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = fs::read_to_string(path).map_err(|source| CgroupsError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).ok_or_else(|| CgroupsError::ParseFile {
            path: path.to_owned(),
            content: text
                .lines()
                .find(|l| l.splitn(3, ':').count() < 3)
                .unwrap_or("")
                .to_owned(),
            expected: "\"ID:CONTROLLERS:PATH\" lines",
        })
    }

    /// Parses the text of a `/proc/PID/cgroup` file: `ID:CONTROLLERS:PATH` per line.
    pub fn parse(text: &str) -> Option<Self> {
        let mut membership = Membership::default();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let mut fields = line.splitn(3, ':');
            let (id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
            if id == "0" && controllers.is_empty() {
                membership.unified = Some(path.into());
                continue;
            }
            for controller in controllers.split(',') {
                membership.v1.insert(controller.to_owned(), path.into());
            }
        }
        Some(membership)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hybrid_membership() {
        let text = include_str!("../tests/fixtures/proc-self-cgroup/hybrid");
        let m = Membership::parse(text).unwrap();
        assert_eq!(m.unified.as_deref(), Some(Path::new("/")));
        assert_eq!(
            m.v1.get("memory").map(PathBuf::as_path),
            Some(Path::new("/process_api/cd9210d6280af9872bc3e509b704a1c0"))
        );
        assert_eq!(
            m.v1.get("name=systemd").map(PathBuf::as_path),
            Some(Path::new("/"))
        );
    }

    #[test]
    fn comounted_controllers_and_v2() {
        let m = Membership::parse("4:cpu,cpuacct:/a\n0::/user.slice/x.scope\n").unwrap();
        assert_eq!(m.v1.get("cpuacct"), m.v1.get("cpu"));
        assert_eq!(m.unified.as_deref(), Some(Path::new("/user.slice/x.scope")));
        assert!(Membership::parse("garbage\n").is_none());
    }

    #[test]
    fn read_names_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cgroup");
        fs::write(&path, "0::/\nbad\n").unwrap();
        let err = Membership::read(&path).unwrap_err();
        assert!(err.to_string().contains("\"bad\""), "{err}");
    }
}
