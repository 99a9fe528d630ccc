//! The messages between the parent and stage 2 of the init process.

use std::path::PathBuf;

use hull_configs::Config;
use hull_nsenter::InitError;
use serde::{Deserialize, Serialize};

use crate::process::ProcessSpec;

/// A cgroup hierarchy to show in the container, as the parent knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CgroupMountSpec {
    /// The hierarchy's name under `/sys/fs/cgroup` (`memory`, `cpu,cpuacct`, `unified`;
    /// empty on a pure v2 host).
    pub name: String,
    /// `cgroup` or `cgroup2`.
    pub fstype: String,
    /// The v1 controllers of the hierarchy, as mount options.
    pub options: String,
    /// The container's cgroup directory in that hierarchy, on the host.
    pub host_path: PathBuf,
}

/// What the parent sends stage 2 once it runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct InitConfig {
    /// The container's id.
    pub id: String,
    /// The pid of stage 2 as the parent sees it, for the state hooks read.
    pub pid: i32,
    /// Its configuration.
    pub config: Config,
    /// The program to run.
    pub process: ProcessSpec,
    /// The exec FIFO, on the host.
    pub exec_fifo: PathBuf,
    /// The cgroup hierarchies to mount for a `cgroup` mount.
    pub cgroup_mounts: Vec<CgroupMountSpec>,
}

/// What stage 2 tells the parent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Stage2Message {
    /// The mounts are made and the root is not entered yet: run the `prestart` and
    /// `createRuntime` hooks, then answer.
    RunHooks,
    /// The seccomp filter made a notify listener, attached to this message: hand it to the
    /// seccomp agent at the config's listener path, then answer.
    SeccompListener,
    /// The process has a terminal; its master is attached to this message. Answer once it
    /// is kept.
    Console,
    /// Set up, blocked on the exec FIFO.
    Ready,
    /// Stage 2 failed and exits.
    Failed(InitError),
}
