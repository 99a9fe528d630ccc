//! Errors of hull-cgroups.
//!
//! One enum for the crate, [`CgroupsError`]; the device rules and the event notifiers have
//! their own ([`DevicesError`], [`EventsError`]) nested in it. Each variant is named after the
//! operation that failed and carries the path and value it was working on.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

pub use crate::devices::DevicesError;
pub use crate::events::EventsError;

/// The result of a cgroup operation.
pub type Result<T, E = CgroupsError> = std::result::Result<T, E>;

/// What can go wrong managing a cgroup.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CgroupsError {
    /// A cgroup file (or `/proc` file) could not be read.
    #[error("cannot read {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The kernel refused a value written to a cgroup file.
    #[error("cannot write {value:?} to {path}")]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The value written.
        value: String,
        /// Why, as the kernel said it (`EINVAL` for a value out of range, `EBUSY` ...).
        #[source]
        source: io::Error,
    },
    /// A cgroup file or directory could not be opened.
    #[error("cannot open {path}")]
    Open {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file did not hold what its kernel format promises.
    #[error("cannot parse {path}: {content:?} is not {expected}")]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// The part that did not parse.
        content: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// A cgroup directory could not be created.
    #[error("cannot create cgroup {path}")]
    CreateCgroup {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A cgroup directory could not be removed.
    #[error("cannot remove cgroup {path}")]
    RemoveCgroup {
        /// The directory.
        path: PathBuf,
        /// Why (`EBUSY` while processes are still in it).
        #[source]
        source: io::Error,
    },
    /// The sub-cgroups of a cgroup could not be listed.
    #[error("cannot list the sub-cgroups of {path}")]
    ListCgroup {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A delegated cgroup could not be given to its owner.
    #[error("cannot give {path} to uid {uid}")]
    ChownCgroup {
        /// The directory or file.
        path: PathBuf,
        /// The owner.
        uid: u32,
        /// Why.
        #[source]
        source: nix::Error,
    },
    /// A process could not be moved into a cgroup.
    #[error("cannot move process {pid} into {path}")]
    AddProcess {
        /// The cgroup directory.
        path: PathBuf,
        /// The process.
        pid: i32,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `statfs(2)` failed on a path that should be a cgroup filesystem.
    #[error("cannot find the filesystem type of {path}")]
    Statfs {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: nix::Error,
    },
    /// No cgroup filesystem is mounted.
    #[error("no cgroup filesystem is mounted according to {mountinfo}")]
    NoCgroupMounts {
        /// The mountinfo file read.
        mountinfo: PathBuf,
    },
    /// The caller's own cgroup in a hierarchy is not listed in `/proc/self/cgroup`.
    #[error("{path} names no cgroup of this process in the {hierarchy} hierarchy")]
    OwnCgroupMissing {
        /// The file read.
        path: PathBuf,
        /// The hierarchy (`memory`, `name=systemd`, or `unified`).
        hierarchy: String,
    },
    /// The cgroup config asks for the systemd driver, which this crate does not have yet.
    #[error("cgroup {name:?} asks for the systemd driver, which is not available yet")]
    SystemdDriver {
        /// The cgroup's name (the unit), or path.
        name: String,
    },
    /// The cgroup config has both a path and a name or parent.
    #[error("cgroup path {path:?} cannot be combined with a name or parent")]
    PathAndName {
        /// The path.
        path: String,
    },
    /// The cgroup is frozen: a new container must not start in it.
    #[error("cgroup {path} is frozen")]
    Frozen {
        /// The cgroup directory.
        path: PathBuf,
    },
    /// The cgroup already has processes: a new container must not start in it.
    #[error("cgroup {path} already holds {count} process(es)")]
    NotEmpty {
        /// The cgroup directory.
        path: PathBuf,
        /// How many processes it holds.
        count: usize,
    },
    /// A resource needs a controller that this host's cgroups do not provide.
    #[error("{field} needs the {controller} cgroup controller, which is not available")]
    ControllerMissing {
        /// The `Resources` field.
        field: &'static str,
        /// The controller.
        controller: &'static str,
    },
    /// A resource that cgroup v2 has no file for.
    #[error("{field} has no cgroup v2 equivalent")]
    NoCgroup2Equivalent {
        /// The `Resources` field.
        field: &'static str,
    },
    /// Raw `unified` settings on a host where the controllers are not on cgroup v2.
    #[error("unified setting {key:?} needs a pure cgroup v2 host")]
    UnifiedWithoutCgroup2 {
        /// The key.
        key: String,
    },
    /// A `unified` key that is not a cgroup file name.
    #[error("unified key {key:?} is not a cgroup file name")]
    InvalidUnifiedKey {
        /// The key.
        key: String,
    },
    /// A resource value that cannot be converted or applied.
    #[error("cannot apply {field} {value}: {reason}")]
    InvalidValue {
        /// The `Resources` field.
        field: &'static str,
        /// The value given.
        value: String,
        /// Why it cannot be applied.
        reason: &'static str,
    },
    /// A memory limit below what the cgroup already uses.
    #[error("memory limit {limit} is below the current usage {usage} of {path}")]
    MemoryBelowUsage {
        /// The cgroup directory.
        path: PathBuf,
        /// The limit asked for.
        limit: i64,
        /// The usage in bytes.
        usage: u64,
    },
    /// The kernel clamped the CPU shares to another value.
    #[error("cpu shares {requested} are out of the kernel's range: it set {effective} in {path}")]
    CpuSharesClamped {
        /// The cgroup directory.
        path: PathBuf,
        /// The shares asked for.
        requested: u64,
        /// The shares the kernel set.
        effective: u64,
    },
    /// The cgroup has no freezer to freeze or thaw it.
    #[error("cgroup {path} has no freezer")]
    NoFreezer {
        /// The cgroup directory (the unified one on v2).
        path: PathBuf,
    },
    /// The cgroup did not reach the frozen state in time.
    #[error("cgroup {path} did not freeze within {waited:?}")]
    FreezeTimeout {
        /// The cgroup directory.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// A process of the cgroup could not be signalled.
    #[error("cannot send {signal} to process {pid}")]
    Signal {
        /// The process.
        pid: i32,
        /// The signal.
        signal: nix::sys::signal::Signal,
        /// Why.
        #[source]
        source: nix::Error,
    },
    /// Applying device rules failed.
    #[error(transparent)]
    Devices(#[from] DevicesError),
    /// Setting up an event notifier failed.
    #[error(transparent)]
    Events(#[from] EventsError),
}
