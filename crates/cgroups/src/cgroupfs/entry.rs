//! A process entering the cgroup by itself, instead of being moved into it by another.
//!
//! Moving another process (writing its pid to `cgroup.procs`) takes the kernel's global
//! thread-group lock for writing, which first waits for an RCU grace period: 5 to 20 ms on
//! an idle machine, the largest single cost of starting a container. Two ways in skip it:
//! a single-threaded process moving its own (only) thread on v1 (`0` written to `tasks`),
//! and a child born in a cgroup2 directory (`clone3(2)` with `CLONE_INTO_CGROUP`).

use std::fs::OpenOptions;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::unistd::Pid;

use super::CgroupfsManager;
use crate::error::{CgroupsError, Result};
use crate::file;

/// The way into a container's cgroup for a process that enters it itself; made by
/// [`CgroupfsManager::entry`].
///
/// A container's init uses it so: its first stage, single-threaded, writes `0` to each of
/// [`Entry::tasks`], which moves the calling thread alone (the whole process, as it has one
/// thread) and needs no grace period; it then forks its child into [`Entry::unified`] with
/// `CLONE_INTO_CGROUP`. Children inherit the v1 cgroups; the cgroup2 one is theirs from
/// birth. Where the child cannot be born there (in a user namespace, or without `clone3`
/// before Linux 5.7), it is moved with [`Entry::join_unified`].
#[derive(Debug)]
pub struct Entry {
    /// The `tasks` file of the cgroup in each v1 hierarchy, open for writing, with its
    /// path. Whoever holds one can move threads into the cgroup: close it before running
    /// anything untrusted.
    pub tasks: Vec<(PathBuf, OwnedFd)>,
    /// The cgroup's cgroup2 directory, open read-only, with its path.
    pub unified: Option<(PathBuf, OwnedFd)>,
}

impl CgroupfsManager {
    /// The way in for a new container's first process, once the cgroup is created:
    /// refuses, as [`crate::Manager::apply`] does, a cgroup that is frozen or already has
    /// processes.
    ///
    /// # Errors
    ///
    /// [`CgroupsError::NotEmpty`] or [`CgroupsError::Frozen`]; [`CgroupsError::Open`] when
    /// a file cannot be opened (the cgroup does not exist).
    pub fn entry(&self) -> Result<Entry> {
        self.check_unused()?;
        let mut tasks = Vec::with_capacity(self.v1.len());
        for dir in &self.v1 {
            let path = dir.path.join("tasks");
            if tasks.iter().any(|(p, _)| *p == path) {
                continue;
            }
            let file = open(&path, OpenOptions::new().write(true), 0)?;
            tasks.push((path, file));
        }
        let unified = match &self.unified {
            Some(u) => {
                let dir = open(&u.path, OpenOptions::new().read(true), libc::O_DIRECTORY)?;
                Some((u.path.clone(), dir))
            }
            None => None,
        };
        Ok(Entry { tasks, unified })
    }
}

impl Entry {
    /// Moves `pid`, a child that could not be born in the cgroup2 directory, into it.
    ///
    /// # Errors
    ///
    /// [`CgroupsError::AddProcess`].
    pub fn join_unified(&self, pid: Pid) -> Result<()> {
        match &self.unified {
            Some((path, _)) => file::add_pid(path, pid),
            None => Ok(()),
        }
    }
}

fn open(path: &Path, options: &mut OpenOptions, flags: i32) -> Result<OwnedFd> {
    let file = options
        .custom_flags(flags | libc::O_CLOEXEC)
        .open(path)
        .map_err(|source| CgroupsError::Open {
            path: path.to_owned(),
            source,
        })?;
    Ok(file.into())
}
