//! Errors of `hull-namespaces`.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

use hull_configs::{Clock, NamespaceKind};
use nix::errno::Errno;
use nix::unistd::Pid;

/// Result of `hull-namespaces` operations.
pub type Result<T, E = NamespacesError> = std::result::Result<T, E>;

/// What can go wrong joining, creating or setting up namespaces.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NamespacesError {
    /// A namespace file could not be opened.
    #[error("cannot open {kind} namespace file {path}")]
    Open {
        /// The kind it should be.
        kind: NamespaceKind,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The kernel could not say what kind of namespace a file is (`NS_GET_NSTYPE`).
    #[error("cannot query the namespace type of {path}")]
    QueryKind {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Errno,
    },
    /// The file is not a namespace file at all.
    #[error("{path} is not a namespace file")]
    NotNamespace {
        /// The file.
        path: PathBuf,
    },
    /// The file is a namespace of another kind than the one asked for.
    #[error("{path} is a {found} namespace, not a {expected} namespace")]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// The kind asked for.
        expected: NamespaceKind,
        /// The kind it is.
        found: NamespaceKind,
    },
    /// The file is a namespace of a type this crate does not know (a newer kernel's).
    #[error("{path} is a namespace of unknown type {nstype:#x}")]
    UnknownKind {
        /// The file.
        path: PathBuf,
        /// The `CLONE_NEW*` value the kernel gave.
        nstype: i32,
    },
    /// `setns(2)` failed.
    #[error("cannot join {kind} namespace {path}")]
    Join {
        /// The kind.
        kind: NamespaceKind,
        /// The file it was opened from.
        path: PathBuf,
        /// Why.
        #[source]
        source: Errno,
    },
    /// `unshare(2)` failed.
    #[error("cannot create new namespaces ({})", kind_list(.kinds))]
    Unshare {
        /// The kinds asked for.
        kinds: Vec<NamespaceKind>,
        /// Why.
        #[source]
        source: Errno,
    },
    /// The capabilities of the calling thread could not be read.
    #[error("cannot read the capabilities of the calling thread")]
    ReadCapabilities(#[source] caps::errors::CapsError),
    /// "deny" could not be written to `/proc/<pid>/setgroups`.
    #[error("cannot deny setgroups in {path}")]
    DenySetgroups {
        /// The setgroups file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A uid or gid map could not be written directly.
    #[error("cannot write id map {path}")]
    WriteIdMap {
        /// The map file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The maps need `newuidmap` or `newgidmap`, and no path to it was given.
    #[error(
        "mapping these {which} ranges of process {pid} needs privilege or {tool}, and no {tool} was given"
    )]
    MappingToolMissing {
        /// `"uid"` or `"gid"`.
        which: &'static str,
        /// The tool it needs: `newuidmap` or `newgidmap`.
        tool: &'static str,
        /// The process whose namespace was to be mapped.
        pid: Pid,
    },
    /// `newuidmap` or `newgidmap` could not be started.
    #[error("cannot run {program} for process {pid}")]
    RunMappingTool {
        /// The tool.
        program: PathBuf,
        /// The process whose namespace was to be mapped.
        pid: Pid,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `newuidmap` or `newgidmap` ran and failed; `stderr` is what it said.
    #[error("{program} failed for process {pid} ({status}): {stderr}")]
    MappingToolFailed {
        /// The tool.
        program: PathBuf,
        /// The process whose namespace was to be mapped.
        pid: Pid,
        /// How it ended.
        status: ExitStatus,
        /// Its error output, trimmed.
        stderr: String,
    },
    /// An id map file could not be read.
    #[error("cannot read id map {path}")]
    ReadIdMap {
        /// The map file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A line of an id map file is not three ids.
    #[error("{path} line {line} is not an id map range: {text:?}")]
    ParseIdMap {
        /// The map file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// The line.
        text: String,
    },
    /// `fstat(2)` of an open namespace file failed.
    #[error("cannot stat namespace file {path}")]
    StatNamespace {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Errno,
    },
    /// A process to read a user namespace's maps from could not be started or set up.
    #[error("cannot start a process in user namespace {path}")]
    SpawnMapReader {
        /// The user namespace file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Errno,
    },
    /// A time offset the kernel would refuse.
    #[error("the {clock} offset has {nanosecs} nanoseconds, a second or more")]
    InvalidTimeOffset {
        /// The clock.
        clock: Clock,
        /// The nanoseconds given.
        nanosecs: u32,
    },
    /// `/proc/<pid>/timens_offsets` could not be written.
    #[error("cannot write time offsets {path}")]
    WriteTimeOffsets {
        /// The offsets file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// `user,network,mount`, for messages.
fn kind_list(kinds: &[NamespaceKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
    names.join(",")
}
