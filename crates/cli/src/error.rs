//! Errors of the `hull` command line.

use std::io;
use std::os::fd::RawFd;
use std::path::PathBuf;

use hull_container::configs::ConfigsError;
use hull_container::configs::specconv::SpecError;
use hull_container::{ContainerError, Status};
use nix::errno::Errno;

/// What a `hull` command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// `hull spec` would overwrite an existing file.
    #[error("{path} already exists; remove it first")]
    SpecExists {
        /// The file.
        path: PathBuf,
    },
    /// Writing a file failed.
    #[error("cannot write {path}")]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A configuration could not be read, converted or validated.
    #[error(transparent)]
    Configs(#[from] ConfigsError),
    /// The bundle's `config.json` is malformed.
    #[error("invalid spec {path}")]
    Spec {
        /// The file.
        path: PathBuf,
        /// Where and why.
        #[source]
        source: ConfigsError,
    },
    /// The bundle's spec could not be converted to a container configuration.
    #[error("cannot convert the spec of bundle {bundle}")]
    Convert {
        /// The bundle.
        bundle: PathBuf,
        /// Why.
        #[source]
        source: SpecError,
    },
    /// The library failed.
    #[error(transparent)]
    Container(#[from] ContainerError),
    /// The bundle directory cannot be resolved.
    #[error("cannot use bundle {path}")]
    Bundle {
        /// The bundle as given.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The spec's process cannot be run.
    #[error("invalid process in the spec: {reason}")]
    InvalidProcess {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A terminal is asked for, but the container detaches and nobody would receive it.
    #[error("cannot allocate a terminal when hull detaches without --console-socket")]
    TerminalWithoutSocket,
    /// A console socket is given where no terminal is handed over.
    #[error("--console-socket needs process.terminal and a detached container (create or run -d)")]
    SocketWithoutTerminal,
    /// The console socket could not be reached.
    #[error("cannot connect to console socket {path}")]
    ConsoleSocket {
        /// The socket.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The terminal could not be sent over the console socket.
    #[error("cannot send the terminal to console socket {path}")]
    SendConsole {
        /// The socket.
        path: PathBuf,
        /// Why.
        #[source]
        source: Errno,
    },
    /// The container was started with a terminal but none came back.
    #[error("the container's init handed over no terminal")]
    NoConsole,
    /// A descriptor to preserve is not open.
    #[error("cannot preserve descriptor {fd} (--preserve-fds {count})")]
    PreservedFd {
        /// The descriptor.
        fd: RawFd,
        /// How many were asked for.
        count: u32,
        /// Why.
        #[source]
        source: Errno,
    },
    /// The pid file could not be written.
    #[error("cannot write pid file {path}")]
    PidFile {
        /// The pid file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `ps(1)` could not be run.
    #[error("cannot run ps")]
    Ps {
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `ps(1)` printed a table without a `PID` column.
    #[error("ps printed no PID column: {header:?}")]
    PsTable {
        /// The table's header line.
        header: String,
    },
    /// A signal name or number that is not a signal.
    #[error("unknown signal {name:?}")]
    UnknownSignal {
        /// As given.
        name: String,
    },
    /// `delete` without `--force` of a container that still runs.
    #[error("cannot delete container {id}: it is {status}; stop it first or use --force")]
    NotStopped {
        /// The container.
        id: String,
        /// Its status.
        status: Status,
    },
    /// The directory of a half-created container could not be removed.
    #[error("cannot remove {path}")]
    RemoveDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The state root could not be listed.
    #[error("cannot list containers in {path}")]
    ListRoot {
        /// The root.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The log file could not be opened.
    #[error("cannot open log file {path}")]
    OpenLog {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Signals could not be redirected for forwarding to the container.
    #[error("cannot set up signal forwarding")]
    Signals(#[source] Errno),
    /// Waiting for signals or terminal input failed.
    #[error("cannot poll for signals and terminal input")]
    Poll(#[source] Errno),
    /// Waiting for the container's processes failed.
    #[error("cannot wait for the container's init (pid {pid})")]
    Wait {
        /// The init.
        pid: i32,
        /// Why.
        #[source]
        source: Errno,
    },
    /// The container's terminal could not be proxied.
    #[error("cannot proxy the container's terminal: {operation}")]
    Terminal {
        /// What failed.
        operation: &'static str,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Writing the command's output failed.
    #[error("cannot write to standard output")]
    Stdout(#[source] io::Error),
}
