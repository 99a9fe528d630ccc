//! Creating the cgroup in every hierarchy and moving processes into it.

use std::fs;
use std::path::Path;

use hull_configs::{FreezerState, Resources};
use nix::unistd::Pid;

use super::{CgroupfsManager, UnifiedDir};
use crate::error::{CgroupsError, Result};
use crate::{file, plan, v1, v2};

/// The controllers a v2 cgroup needs for `r`: each pair is a controller and whether a
/// resource of it is given.
fn needed(r: &Resources) -> [(&'static str, bool); 7] {
    [
        ("cpuset", r.cpuset_cpus.is_some() || r.cpuset_mems.is_some()),
        (
            "cpu",
            r.cpu_shares.is_some()
                || r.cpu_weight.is_some()
                || r.cpu_quota.is_some()
                || r.cpu_period.is_some()
                || r.cpu_burst.is_some()
                || r.cpu_idle.is_some(),
        ),
        (
            "memory",
            r.memory.is_some() || r.memory_swap.is_some() || r.memory_reservation.is_some(),
        ),
        ("pids", r.pids_limit.is_some()),
        ("io", v1::blkio::is_set(r)),
        ("hugetlb", !r.hugetlb_limit.is_empty()),
        ("rdma", !r.rdma.is_empty()),
    ]
}

impl UnifiedDir {
    /// The controllers to enable for the cgroup: on pure v2 all of them (as runc does, so
    /// that statistics are there too); on a hybrid host only those `r` uses, since the
    /// cgroup2 root there is the machine's and its controllers are best left alone.
    pub(super) fn wanted(&self, r: &Resources) -> Vec<String> {
        if self.pure {
            return self.controllers.clone();
        }
        needed(r)
            .into_iter()
            .filter(|(name, set)| *set && self.controllers.iter().any(|c| c == name))
            .map(|(name, _)| name.to_owned())
            .collect()
    }
}

impl CgroupfsManager {
    /// Creates the cgroup's directories: v1 cpusets with their parents' CPUs and nodes,
    /// v1 real-time bandwidth before any process joins, and v2 controllers enabled above.
    pub(super) fn create_dirs(&self) -> Result<()> {
        for dir in &self.v1 {
            let has = |name: &str| dir.controllers.iter().any(|c| c == name);
            if has("cpuset") {
                v1::cpuset::prepare(&dir.mount_point, &dir.path, &self.resources)?;
            } else {
                fs::create_dir_all(&dir.path).map_err(|source| CgroupsError::CreateCgroup {
                    path: dir.path.clone(),
                    source,
                })?;
            }
            if has("cpu") {
                plan::apply(&dir.path, &v1::cpu::rt_plan(&self.resources))?;
            }
        }
        if let Some(u) = &self.unified {
            v2::controllers::create(&u.mount_point, &u.path, &u.wanted(&self.resources))?;
            if let Some(uid) = self.owner_uid {
                let files = v2::delegate::files(Path::new(v2::delegate::DELEGATE_LIST));
                v2::delegate::delegate(&u.path, uid, &files)?;
            }
        }
        Ok(())
    }

    /// Refuses a cgroup that exists frozen or with processes: a new container must not
    /// share it, nor start frozen.
    pub(super) fn check_unused(&self) -> Result<()> {
        for dir in self.dirs() {
            if !dir.is_dir() {
                continue;
            }
            let count = file::read_pids(dir, file::PROCS)?.len();
            if count > 0 {
                return Err(CgroupsError::NotEmpty {
                    path: dir.to_owned(),
                    count,
                });
            }
        }
        let frozen = match (self.v1_dir("freezer"), &self.unified) {
            (Some(dir), _) if dir.is_dir() => v1::freezer::state(dir)? == FreezerState::Frozen,
            (_, Some(u)) if u.path.is_dir() => {
                file::read_optional(&u.path, "cgroup.freeze")?.is_some_and(|s| s.trim() == "1")
            }
            _ => false,
        };
        if frozen {
            return Err(CgroupsError::Frozen {
                path: self.primary().to_owned(),
            });
        }
        Ok(())
    }

    /// Moves `pid` into the cgroup in every hierarchy.
    pub(super) fn add_process(&self, pid: Pid) -> Result<()> {
        for dir in self.dirs() {
            file::add_pid(dir, pid)?;
        }
        Ok(())
    }
}
