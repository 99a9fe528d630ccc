//! Errors of `hull-seccomp`.

use std::io;
use std::path::PathBuf;

use hull_configs::{SeccompAction, SeccompFlag};

/// Result of `hull-seccomp` operations.
pub type Result<T, E = SeccompError> = std::result::Result<T, E>;

/// What can go wrong compiling, installing or handing over a seccomp filter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeccompError {
    /// hull-seccomp has no syscall tables for the architecture it runs on.
    #[error("seccomp filters cannot be compiled for architecture {arch}")]
    UnsupportedNativeArch {
        /// The architecture (`std::env::consts::ARCH`).
        arch: &'static str,
    },
    /// Notify as the default action: the runtime itself could never run.
    #[error("SCMP_ACT_NOTIFY cannot be the default action")]
    NotifyAsDefault,
    /// An errno above 4095 or a trace value above 65535.
    #[error("{context}: the value of {action:?} does not fit a filter's return value")]
    ActionValue {
        /// The syscall, or `default action`.
        context: String,
        /// The action.
        action: SeccompAction,
    },
    /// A comparison of an argument past the sixth.
    #[error("syscall {syscall}: argument index {index} is beyond the six syscall arguments")]
    ArgIndex {
        /// The syscall.
        syscall: String,
        /// The index given.
        index: usize,
    },
    /// The program is longer than the kernel accepts.
    #[error("the filter has {len} instructions, more than the kernel's limit of 4096")]
    ProgramTooLong {
        /// Its length.
        len: usize,
    },
    /// A flag the config asks for that this kernel does not have.
    #[error("the kernel does not support seccomp flag {flag}")]
    FlagUnsupported {
        /// The flag.
        flag: SeccompFlag,
    },
    /// `seccomp(SECCOMP_SET_MODE_FILTER)` failed.
    #[error("cannot load the seccomp filter (flags {flags:#x})")]
    LoadFilter {
        /// The flags it was loaded with.
        flags: u32,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// With `SECCOMP_FILTER_FLAG_TSYNC`, another thread could not take the filter.
    #[error("cannot apply the seccomp filter to thread {tid}")]
    SyncThreads {
        /// The thread that failed.
        tid: i64,
    },
    /// The seccomp agent's socket could not be reached.
    #[error("cannot connect to the seccomp agent at {path}")]
    ConnectAgent {
        /// The socket.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The container process state could not be written as JSON.
    #[error("cannot encode the container process state")]
    EncodeState(#[source] serde_json::Error),
    /// The listener fd and state could not be sent.
    #[error("cannot send the seccomp listener to {path}")]
    SendListener {
        /// The agent's socket.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The listener fd and state could not be received.
    #[error("cannot receive a seccomp listener")]
    ReceiveListener(#[source] io::Error),
    /// A message from a runtime carried no fd, or more than one.
    #[error("the runtime's message carries {count} file descriptors instead of 1")]
    ListenerFdCount {
        /// How many it carried.
        count: usize,
    },
    /// A message from a runtime is not a container process state.
    #[error("cannot decode the container process state")]
    DecodeState(#[source] serde_json::Error),
    /// `SECCOMP_IOCTL_NOTIF_RECV` failed.
    #[error("cannot receive a seccomp notification")]
    ReceiveNotification(#[source] io::Error),
    /// `SECCOMP_IOCTL_NOTIF_SEND` failed.
    #[error("cannot answer seccomp notification {id:#x}")]
    RespondNotification {
        /// The notification.
        id: u64,
        /// Why.
        #[source]
        source: io::Error,
    },
}
