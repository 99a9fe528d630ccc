//! Delegating a v2 cgroup to a user: a container with its own cgroup namespace and a
//! writable cgroupfs manages its sub-cgroups as the host uid of its root
//! (`Documentation/admin-guide/cgroup-v2.rst`, "Delegation").

use std::fs;
use std::path::Path;

use nix::errno::Errno;
use nix::unistd::{Uid, chown};

use crate::error::{CgroupsError, Result};

/// The files the kernel says a delegatee must own.
pub(crate) const DELEGATE_LIST: &str = "/sys/kernel/cgroup/delegate";
/// The list before Linux 4.15 had the file (`cgroups(7)`).
const DEFAULT_FILES: &[&str] = &["cgroup.procs", "cgroup.subtree_control", "cgroup.threads"];

/// The files to hand over, from `list` (the kernel's [`DELEGATE_LIST`]).
pub(crate) fn files(list: &Path) -> Vec<String> {
    match fs::read_to_string(list) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => DEFAULT_FILES.iter().map(|f| (*f).to_owned()).collect(),
    }
}

/// Gives the cgroup `dir` and its delegated `files` (those present) to `uid`.
pub(crate) fn delegate(dir: &Path, uid: u32, files: &[String]) -> Result<()> {
    let give = |path: &Path| chown(path, Some(Uid::from_raw(uid)), None);
    give(dir).map_err(|source| chown_error(dir, uid, source))?;
    for file in files {
        let path = dir.join(file);
        match give(&path) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(source) => return Err(chown_error(&path, uid, source)),
        }
    }
    Ok(())
}

fn chown_error(path: &Path, uid: u32, source: Errno) -> CgroupsError {
    CgroupsError::ChownCgroup {
        path: path.to_owned(),
        uid,
        source,
    }
}
