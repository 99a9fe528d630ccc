//! Errors of `hull-container`.

use std::error::Error;
use std::fmt::Write;
use std::io;
use std::path::PathBuf;

use hull_cgroups::CgroupsError;
use hull_configs::ConfigsError;
use hull_namespaces::NamespacesError;
use hull_nsenter::{InitError, NsenterError};
use hull_seccomp::SeccompError;
use nix::errno::Errno;

use crate::hooks::HookFailure;
use crate::state::{StateError, Status};

/// Result of `hull-container` operations.
pub type Result<T, E = ContainerError> = std::result::Result<T, E>;

/// What can go wrong creating, running or managing a container.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// An id that cannot name a container.
    #[error("invalid container id {id:?}: {reason}")]
    InvalidId {
        /// The id.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A container with this id exists already.
    #[error("container {id} already exists")]
    Exists {
        /// The id.
        id: String,
    },
    /// No container has this id.
    #[error("container {id} does not exist")]
    NotFound {
        /// The id.
        id: String,
    },
    /// The operation does not apply to a container in this state.
    #[error("cannot {operation} container {id}: it is {status}")]
    InvalidStatus {
        /// The container.
        id: String,
        /// Its status.
        status: Status,
        /// What was asked (`start`, `kill`).
        operation: &'static str,
    },
    /// Reading or writing the container's state failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The configuration is invalid.
    #[error(transparent)]
    Configs(#[from] ConfigsError),
    /// A cgroup operation failed.
    #[error(transparent)]
    Cgroups(#[from] CgroupsError),
    /// The init binary could be neither viewed read-only nor copied into a sealed memfd.
    #[error("cannot make a protected copy of the init binary {path}")]
    InitBinary {
        /// The binary.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The init process could not be started.
    #[error("cannot start the init process {path}")]
    Spawn {
        /// The init binary.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// More extra files than a process can be given.
    #[error("{count} extra files, at most {max} can be passed", max = crate::MAX_EXTRA_FILES)]
    TooManyExtraFiles {
        /// How many were given.
        count: usize,
    },
    /// Talking to the init process failed.
    #[error("lost the init process")]
    Channel(#[from] NsenterError),
    /// The init process reported a failure.
    #[error(transparent)]
    Init(InitError),
    /// Stage 1 of the init did not exit cleanly after reporting stage 2.
    #[error("init stage 1 exited with {status}")]
    Stage1Exit {
        /// How it exited.
        status: String,
    },
    /// Writing the uid and gid maps of the container's user namespace failed.
    #[error("cannot write the user namespace's id maps")]
    IdMaps(#[source] NamespacesError),
    /// Writing the clock offsets of the container's time namespace failed.
    #[error("cannot write the time namespace's clock offsets")]
    TimeOffsets(#[source] NamespacesError),
    /// An rlimit could not be set on the container's init.
    #[error("cannot set {kind} to {soft}:{hard}")]
    Rlimit {
        /// The resource.
        kind: hull_configs::RlimitKind,
        /// The soft limit.
        soft: u64,
        /// The hard limit.
        hard: u64,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A hook failed.
    #[error(transparent)]
    Hook(#[from] HookFailure),
    /// The seccomp notify listener could not be handed to the agent.
    #[error("cannot hand the seccomp listener to the agent")]
    SeccompAgent(#[source] SeccompError),
    /// The exec FIFO could not be made, read or removed.
    #[error("exec fifo {path}")]
    Fifo {
        /// The FIFO.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The container's init is gone: it died (before running its program, or before a
    /// signal reached it), or its pid now names another process.
    #[error("the container's init (pid {pid}) is gone")]
    InitGone {
        /// Its pid.
        pid: i32,
    },
    /// The process has not been started.
    #[error("the process has not been started")]
    NotStarted,
    /// Waiting for a process failed.
    #[error("cannot wait for pid {pid}")]
    Wait {
        /// The process.
        pid: i32,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The terminal the init sent is not the master of a pseudo-terminal.
    #[error("the init's terminal is not a pseudo-terminal master")]
    Console(#[source] io::Error),
    /// Signalling a process failed.
    #[error("cannot signal pid {pid}")]
    Signal {
        /// The process.
        pid: i32,
        /// Why.
        #[source]
        source: Errno,
    },
}

/// The error and every cause under it, as `a: b: c`.
pub fn chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}"); // writing to a String cannot fail
        source = cause.source();
    }
    text
}
