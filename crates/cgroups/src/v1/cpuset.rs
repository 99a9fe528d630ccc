//! The v1 `cpuset` controller: the CPUs and memory nodes of the cgroup.
//!
//! A new v1 cpuset starts with no CPUs and no memory nodes, and a process cannot join it
//! then: [`prepare`] creates the cgroup and the parents it lacks, giving each the CPUs and
//! nodes of its parent (starting from the hierarchy's root), as libcontainer does.

use std::fs;
use std::path::Path;

use hull_configs::Resources;

use crate::error::{CgroupsError, Result};
use crate::file;
use crate::plan::Write;

const CPUS: &str = "cpuset.cpus";
const MEMS: &str = "cpuset.mems";

/// `cpuset.cpus` and `cpuset.mems`, when given.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    let mut plan = Vec::new();
    if let Some(cpus) = &r.cpuset_cpus {
        plan.push(Write::new(CPUS, cpus));
    }
    if let Some(mems) = &r.cpuset_mems {
        plan.push(Write::new(MEMS, mems));
    }
    plan
}

/// Creates the cpuset `dir` under the hierarchy `root`, and every missing parent, each with
/// its parent's CPUs and nodes when it has none; `dir` gets those of `r` when given.
pub(crate) fn prepare(root: &Path, dir: &Path, r: &Resources) -> Result<()> {
    let Ok(relative) = dir.strip_prefix(root) else {
        return Err(CgroupsError::CreateCgroup {
            path: dir.to_owned(),
            source: std::io::Error::from_raw_os_error(libc::EXDEV),
        });
    };
    let mut parent = root.to_owned();
    for component in relative.components() {
        let current = parent.join(component);
        match fs::create_dir(&current) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => {
                return Err(CgroupsError::CreateCgroup {
                    path: current,
                    source,
                });
            }
        }
        if current == dir {
            crate::plan::apply(&current, &plan(r))?;
        }
        inherit(&parent, &current)?;
        parent = current;
    }
    Ok(())
}

/// Copies the parent's CPUs and nodes into a cpuset that has none.
fn inherit(parent: &Path, dir: &Path) -> Result<()> {
    for name in [CPUS, MEMS] {
        if file::read(dir, name)?.trim().is_empty() {
            let value = file::read(parent, name)?;
            file::write(dir, name, value.trim())?;
        }
    }
    Ok(())
}
