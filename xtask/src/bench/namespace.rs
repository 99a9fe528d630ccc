//! The benchmark's own mount namespace: private, with the cgroup2 mount of a hybrid host
//! taken away, and a tmpfs for the runtimes' state.
//!
//! crun 1.8 refuses a hybrid cgroup host ("cgroups in hybrid mode not supported, drop all
//! controllers from cgroupv2"). So that all three runtimes run, and run alike, the whole
//! benchmark (hull, runc, crun, the floor and the library benchmark) runs in one private
//! mount namespace where the cgroup2 hierarchy is unmounted and only the v1 controllers
//! remain. It is entered once, by this process, before anything is measured: it costs no
//! measurement anything, and it is gone when the benchmark ends.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::BenchError;
use super::cgroupfs;
use super::sys;
use crate::error::{Result, XtaskError};

/// What [`enter`] did, for the report.
#[derive(Debug)]
pub struct Isolation {
    /// The cgroup2 mounts hidden because v1 controllers are mounted too (hybrid).
    pub hidden: Vec<PathBuf>,
    /// The tmpfs that holds the runtimes' state directories.
    pub state: PathBuf,
}

impl fmt::Display for Isolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "every runtime runs in a private mount namespace")?;
        if self.hidden.is_empty() {
            write!(f, " (cgroups as the host has them)")?;
        } else {
            let hidden: Vec<String> = self
                .hidden
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            write!(
                f,
                " where {} is unmounted (hybrid host: crun 1.8 refuses it), so containers get \
                 cgroup v1 only",
                hidden.join(", ")
            )?;
        }
        write!(
            f,
            "; state directories on a tmpfs at {}",
            self.state.display()
        )
    }
}

/// Moves this process (still single-threaded) into a private mount namespace, unmounts
/// the cgroup2 hierarchy if v1 controllers are mounted too, and mounts a tmpfs at `state`.
pub fn enter(state: &Path) -> Result<Isolation> {
    sys::unshare_mount_namespace().map_err(|source| failed("unshare(CLONE_NEWNS)", source))?;
    sys::make_mounts_private().map_err(|source| failed("make / private", source))?;
    let mounts = cgroupfs::mounts()?;
    let hybrid = mounts.iter().any(|m| !m.v2) && mounts.iter().any(|m| m.v2);
    let mut hidden = Vec::new();
    if hybrid {
        for mount in mounts.into_iter().filter(|m| m.v2) {
            sys::unmount(&mount.point)
                .map_err(|source| failed(&format!("unmount {}", mount.point.display()), source))?;
            hidden.push(mount.point);
        }
    }
    std::fs::create_dir_all(state).map_err(|source| XtaskError::CreateDir {
        path: state.to_owned(),
        source,
    })?;
    sys::mount_tmpfs(state)
        .map_err(|source| failed(&format!("mount a tmpfs on {}", state.display()), source))?;
    Ok(Isolation {
        hidden,
        state: state.to_owned(),
    })
}

fn failed(step: &str, source: io::Error) -> XtaskError {
    BenchError::Namespace {
        step: step.to_owned(),
        source,
    }
    .into()
}
