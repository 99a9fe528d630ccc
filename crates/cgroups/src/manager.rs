//! The interface every cgroup driver offers: cgroupfs now ([`crate::CgroupfsManager`]),
//! systemd later.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hull_configs::{FreezerState, Resources};
use nix::sys::signal::Signal;
use nix::unistd::Pid;

use crate::error::Result;
use crate::events::{Notifier, PressureLevel};
use crate::stats::Stats;

/// The cgroup of one container, as a driver manages it.
///
/// A driver is made for one [`hull_configs::Cgroup`]; the methods act on that cgroup (on
/// v1, the same path in each hierarchy). Nothing is created before [`Manager::create`],
/// [`Manager::apply`] or [`Manager::join`].
pub trait Manager {
    /// Creates the cgroup (in every hierarchy) without putting a process in it, so that
    /// limits can be set before the first process joins.
    fn create(&self) -> Result<()>;

    /// Creates the cgroup and moves `pid` into it: the start of a container. Refuses a
    /// cgroup that already exists frozen or with processes in it.
    fn apply(&self, pid: Pid) -> Result<()>;

    /// Moves `pid` into the cgroup, creating it if needed, whatever is in it already: for a
    /// process joining a running container (`exec`).
    fn join(&self, pid: Pid) -> Result<()>;

    /// Writes `resources` (at start, or live for `update`).
    fn set(&self, resources: &Resources) -> Result<()>;

    /// The cgroup's statistics.
    fn stats(&self) -> Result<Stats>;

    /// Freezes every process of the cgroup and waits until they are frozen.
    fn freeze(&self) -> Result<()>;

    /// Thaws the cgroup.
    fn thaw(&self) -> Result<()>;

    /// The cgroup's freezer state; `None` when it has no freezer.
    fn freezer_state(&self) -> Result<Option<FreezerState>>;

    /// The processes in the cgroup itself.
    fn pids(&self) -> Result<Vec<Pid>>;

    /// The processes in the cgroup and all its sub-cgroups.
    fn all_pids(&self) -> Result<Vec<Pid>>;

    /// Sends `signal` to every process of the cgroup and its sub-cgroups.
    fn kill_all(&self, signal: Signal) -> Result<()>;

    /// Removes the cgroup and its sub-cgroups (in every hierarchy), waiting a little for
    /// the kernel to let go of processes that are exiting.
    fn destroy(&self) -> Result<()>;

    /// Whether the cgroup exists.
    fn exists(&self) -> bool;

    /// How many processes of the cgroup the OOM killer killed.
    fn oom_kill_count(&self) -> Result<u64>;

    /// The cgroup's directories: per v1 controller by name, and the cgroup2 one under `""`.
    fn paths(&self) -> BTreeMap<String, PathBuf>;

    /// A stream of the cgroup's OOM events.
    fn oom_notifier(&self) -> Result<Notifier>;

    /// A stream of the cgroup's memory pressure events at `level`.
    fn pressure_notifier(&self, level: PressureLevel) -> Result<Notifier>;
}
