//! The cgroupfs driver: a container's cgroup managed through the cgroup filesystems
//! directly, on legacy v1, hybrid and pure v2 hosts alike.
//!
//! Each controller is used where the host binds it: a v1 hierarchy when one is mounted for
//! it, else the cgroup2 hierarchy when that has it. So a pure v2 host uses only the
//! cgroup2 directory, a legacy host only v1 directories, and a hybrid host the v1
//! controllers plus the cgroup2 directory for what v1 lacks (here `hugetlb`), the device
//! program, `cgroup.kill` and pressure statistics.

mod create;
mod entry;
mod placement;
mod remove;
mod resources;
mod signal;
mod stats;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hull_configs::{Cgroup, FreezerState, Resources};
use nix::sys::signal::Signal;
use nix::unistd::Pid;

use crate::error::{CgroupsError, Result};
use crate::events::{Notifier, PressureLevel, PsiTrigger};
use crate::file;
use crate::hierarchy::{Hierarchies, Layout};
use crate::manager::Manager;
use crate::membership::Membership;
use crate::stats::Stats;
use crate::{v1, v2};

pub use entry::Entry;

/// The cgroup's directory in one v1 hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
struct V1Dir {
    controllers: Vec<String>,
    mount_point: PathBuf,
    path: PathBuf,
}

/// The cgroup's directory in the cgroup2 hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
struct UnifiedDir {
    mount_point: PathBuf,
    path: PathBuf,
    /// The controllers the hierarchy offers (its root's `cgroup.controllers`), less those
    /// bound to v1 hierarchies.
    controllers: Vec<String>,
    /// No v1 controller is mounted.
    pure: bool,
}

/// Where a controller lives for this cgroup.
enum ControllerDir<'a> {
    V1(&'a Path),
    V2(&'a UnifiedDir),
}

/// The cgroupfs [`Manager`]: one container's cgroup in every hierarchy of the host.
#[derive(Clone, Debug)]
pub struct CgroupfsManager {
    /// The resources of the config, used when creating the cgroup (cpuset, real-time
    /// bandwidth, which v2 controllers to enable).
    resources: Resources,
    /// The host uid to delegate the cgroup2 directory to.
    owner_uid: Option<u32>,
    v1: Vec<V1Dir>,
    unified: Option<UnifiedDir>,
}

impl CgroupfsManager {
    /// The manager of `cgroup` on this host, from `/proc/self/mountinfo` and
    /// `/proc/self/cgroup`.
    pub fn new(cgroup: &Cgroup) -> Result<Self> {
        Self::with_host(cgroup, &Hierarchies::detect()?, &Membership::of_self()?)
    }

    /// The manager of `cgroup` given the host's hierarchies and the caller's own cgroups
    /// (for a relative path).
    pub fn with_host(
        cgroup: &Cgroup,
        hierarchies: &Hierarchies,
        membership: &Membership,
    ) -> Result<Self> {
        let inner = placement::inner_path(cgroup)?;
        let mut v1 = Vec::new();
        for h in &hierarchies.v1 {
            let named_other = h
                .controllers
                .iter()
                .all(|c| c.starts_with("name=") && c != "name=systemd");
            if named_other {
                continue;
            }
            v1.push(V1Dir {
                controllers: h.controllers.clone(),
                mount_point: h.mount_point.clone(),
                path: placement::v1_dir(h, &inner, membership)?,
            });
        }
        let pure = hierarchies.layout() == Some(Layout::Unified);
        let unified = match &hierarchies.unified {
            Some(h) => Some(UnifiedDir {
                mount_point: h.mount_point.clone(),
                path: placement::unified_dir(h, &inner, membership, pure)?,
                controllers: h
                    .controllers
                    .iter()
                    .filter(|c| hierarchies.v1_hierarchy(c).is_none())
                    .cloned()
                    .collect(),
                pure,
            }),
            None => None,
        };
        Ok(CgroupfsManager {
            resources: cgroup.resources.clone(),
            owner_uid: cgroup.owner_uid,
            v1,
            unified,
        })
    }

    /// The layout of the hierarchies this manager uses.
    pub fn layout(&self) -> Layout {
        match (&self.unified, self.v1.is_empty()) {
            (Some(u), _) if u.pure => Layout::Unified,
            (Some(_), _) => Layout::Hybrid,
            (None, _) => Layout::Legacy,
        }
    }

    /// The v1 directory of `controller`, if a v1 hierarchy binds it.
    fn v1_dir(&self, controller: &str) -> Option<&Path> {
        self.v1
            .iter()
            .find(|d| d.controllers.iter().any(|c| c == controller))
            .map(|d| d.path.as_path())
    }

    /// Where `controller` lives: its v1 hierarchy, else the cgroup2 one (named `v2_name`
    /// there) when it offers it.
    fn controller(&self, controller: &str, v2_name: &str) -> Option<ControllerDir<'_>> {
        if let Some(dir) = self.v1_dir(controller) {
            return Some(ControllerDir::V1(dir));
        }
        self.unified
            .as_ref()
            .filter(|u| u.controllers.iter().any(|c| c == v2_name))
            .map(ControllerDir::V2)
    }

    /// The directory whose process list is the cgroup's: the cgroup2 one on pure v2, else
    /// the freezer's (or any) v1 one.
    fn primary(&self) -> &Path {
        match &self.unified {
            Some(u) if u.pure => &u.path,
            unified => self
                .v1_dir("freezer")
                .or_else(|| self.v1_dir("devices"))
                .or_else(|| self.v1.first().map(|d| d.path.as_path()))
                .or(unified.as_ref().map(|u| u.path.as_path()))
                .unwrap_or(Path::new("/")),
        }
    }

    /// Every directory of the cgroup, once each (co-mounted controllers share one).
    fn dirs(&self) -> Vec<&Path> {
        let mut dirs: Vec<&Path> = Vec::new();
        let all = self.v1.iter().map(|d| d.path.as_path());
        for dir in all.chain(self.unified.as_ref().map(|u| u.path.as_path())) {
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        dirs
    }
}

impl Manager for CgroupfsManager {
    fn create(&self) -> Result<()> {
        self.create_dirs()
    }

    fn apply(&self, pid: Pid) -> Result<()> {
        self.check_unused()?;
        self.create_dirs()?;
        self.add_process(pid)
    }

    fn join(&self, pid: Pid) -> Result<()> {
        self.create_dirs()?;
        self.add_process(pid)
    }

    fn set(&self, resources: &Resources) -> Result<()> {
        self.set_resources(resources)
    }

    fn stats(&self) -> Result<Stats> {
        self.collect_stats()
    }

    fn freeze(&self) -> Result<()> {
        match (self.v1_dir("freezer"), &self.unified) {
            (Some(dir), _) => v1::freezer::freeze(dir),
            (None, Some(u)) if v2::freezer::available(&u.path) => v2::freezer::freeze(&u.path),
            _ => Err(CgroupsError::NoFreezer {
                path: self.primary().to_owned(),
            }),
        }
    }

    fn thaw(&self) -> Result<()> {
        match (self.v1_dir("freezer"), &self.unified) {
            (Some(dir), _) => v1::freezer::thaw(dir),
            (None, Some(u)) if v2::freezer::available(&u.path) => v2::freezer::thaw(&u.path),
            _ => Err(CgroupsError::NoFreezer {
                path: self.primary().to_owned(),
            }),
        }
    }

    fn freezer_state(&self) -> Result<Option<FreezerState>> {
        freezer_state_at(&self.paths())
    }

    fn pids(&self) -> Result<Vec<Pid>> {
        file::read_pids(self.primary(), file::PROCS)
    }

    fn all_pids(&self) -> Result<Vec<Pid>> {
        let mut pids = Vec::new();
        let mut todo = vec![self.primary().to_owned()];
        while let Some(dir) = todo.pop() {
            pids.extend(file::read_pids(&dir, file::PROCS)?);
            todo.extend(file::sub_cgroups(&dir)?);
        }
        Ok(pids)
    }

    fn kill_all(&self, signal: Signal) -> Result<()> {
        self.signal_all(signal)
    }

    fn destroy(&self) -> Result<()> {
        let mut first_error = None;
        for dir in self.dirs() {
            if let Err(err) = remove::remove(dir) {
                first_error.get_or_insert(err);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn exists(&self) -> bool {
        self.primary().is_dir()
    }

    fn oom_kill_count(&self) -> Result<u64> {
        match self.controller("memory", "memory") {
            Some(ControllerDir::V1(dir)) => v1::memory::oom_kill_count(dir),
            Some(ControllerDir::V2(u)) => v2::memory::oom_kill_count(&u.path),
            None => Ok(0),
        }
    }

    fn paths(&self) -> BTreeMap<String, PathBuf> {
        let mut paths = BTreeMap::new();
        for dir in &self.v1 {
            for controller in &dir.controllers {
                paths.insert(controller.clone(), dir.path.clone());
            }
        }
        if let Some(u) = &self.unified {
            paths.insert(String::new(), u.path.clone());
        }
        paths
    }

    fn oom_notifier(&self) -> Result<Notifier> {
        Ok(match self.controller("memory", "memory") {
            Some(ControllerDir::V1(dir)) => Notifier::oom_v1(dir)?,
            Some(ControllerDir::V2(u)) => Notifier::oom_v2(&u.path)?,
            None => return Err(memory_missing("oom_notifier")),
        })
    }

    fn pressure_notifier(&self, level: PressureLevel) -> Result<Notifier> {
        Ok(match self.controller("memory", "memory") {
            Some(ControllerDir::V1(dir)) => Notifier::pressure_v1(dir, level)?,
            Some(ControllerDir::V2(u)) => {
                Notifier::pressure_v2(&u.path, PsiTrigger::for_level(level), level)?
            }
            None => return Err(memory_missing("pressure_notifier")),
        })
    }
}

/// The freezer state of a cgroup known by its directories, as [`Manager::paths`] gave
/// them (a container's state keeps them): its v1 freezer, else its cgroup2 directory.
/// Reads one or two files and no mount table, for callers that only need this (a
/// container's status). `None` without a freezer.
///
/// # Errors
///
/// When the freezer's files cannot be read or parsed.
pub fn freezer_state_at(paths: &BTreeMap<String, PathBuf>) -> Result<Option<FreezerState>> {
    match (paths.get("freezer"), paths.get("")) {
        (Some(dir), _) => v1::freezer::state(dir).map(Some),
        (None, Some(dir)) => v2::freezer::state(dir),
        (None, None) => Ok(None),
    }
}

fn memory_missing(field: &'static str) -> CgroupsError {
    CgroupsError::ControllerMissing {
        field,
        controller: "memory",
    }
}
