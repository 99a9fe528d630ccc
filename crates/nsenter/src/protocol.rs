//! The messages of the init protocol, and the error that crosses it.
//!
//! The parent and stage 1 speak [`Bootstrap`], [`Stage1Message`] and [`ParentReply`];
//! stage 2 (in `hull-container`) speaks its own messages over the same channel. Failures on
//! either side of the boundary travel as [`InitError`]: a typed step, the context it was
//! working on and the errno, never a bare string.

use std::fmt;
use std::io;
use std::path::PathBuf;

use hull_configs::NamespaceKind;
use serde::{Deserialize, Serialize};

/// A namespace to join, by the path of its namespace file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinNamespace {
    /// Its kind, checked by the kernel when joining.
    pub kind: NamespaceKind,
    /// Its file (`/proc/<pid>/ns/net`, `/run/netns/x`).
    pub path: PathBuf,
}

/// What the parent tells stage 1 to do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Namespaces to join, in any order (stage 1 joins the user namespace first).
    pub join: Vec<JoinNamespace>,
    /// Namespaces to create.
    pub create: Vec<NamespaceKind>,
    /// Ask the parent to write clock offsets once the time namespace exists.
    pub time_offsets: bool,
    /// The container's cgroup, entered by stage 1 and stage 2 themselves.
    #[serde(default)]
    pub cgroup: CgroupEntry,
    /// The OOM score adjustment, written by stage 1 first thing (stage 2 inherits it): the
    /// last moment the process is dumpable, so that `/proc/self/oom_score_adj` is still
    /// its own, and before any namespace of the container is entered.
    #[serde(default)]
    pub oom_score_adj: Option<i32>,
}

/// How stage 1 and stage 2 enter the container's cgroup themselves, without the parent
/// moving them (a move by another process waits for an RCU grace period in the kernel;
/// these do not). The descriptors come with the [`Bootstrap`], `tasks` first, in order.
///
/// A new cgroup namespace is rooted where its creator is when it is made: with
/// [`CgroupEntry::unified`], stage 2 is in its cgroup only from birth, so the cgroup
/// namespace must then be made by stage 2, not listed in [`Bootstrap::create`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CgroupEntry {
    /// The v1 `tasks` files, open for writing: stage 1, single-threaded, writes `0` to
    /// each first thing, which moves it (its only thread) into the cgroup; stage 2
    /// inherits it. Their paths are for errors.
    pub tasks: Vec<PathBuf>,
    /// The cgroup2 directory, open read-only: stage 2 is forked into it
    /// (`clone3(2)` with `CLONE_INTO_CGROUP`), or left for the parent to move
    /// ([`Stage1Message::Stage2`] says which) when the kernel lacks `clone3` or the
    /// container has a user namespace (the kernel checks the forking process's right to
    /// write to the directory, which root of a user namespace does not have).
    pub unified: Option<PathBuf>,
}

impl CgroupEntry {
    /// How many descriptors come with the bootstrap.
    pub fn fd_count(&self) -> usize {
        self.tasks.len() + usize::from(self.unified.is_some())
    }
}

/// What stage 1 tells the parent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage1Message {
    /// The new user namespace exists: write its uid and gid maps, then answer.
    WriteIdMaps,
    /// The new time namespace exists: write its clock offsets, then answer.
    WriteTimeOffsets,
    /// Stage 2 runs with this pid (in the parent's pid namespace); stage 1 exits.
    Stage2 {
        /// The pid of stage 2.
        pid: i32,
        /// Stage 2 was forked into [`CgroupEntry::unified`]; when it was given and this is
        /// false (no `clone3`, a user namespace), the parent moves stage 2 there before
        /// anything else.
        in_unified: bool,
    },
    /// Stage 1 failed and exits.
    Failed(InitError),
}

/// The parent's answer to a request of stage 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParentReply {
    /// Done as asked.
    Done,
    /// The parent could not do it; stage 1 gives up.
    Abort,
}

/// A step of the init process, stage 1 or 2: where an [`InitError`] happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Step {
    /// Talking to the parent.
    Channel,
    /// Entering the container's cgroup.
    EnterCgroup,
    /// Opening a namespace file to join.
    OpenNamespace,
    /// Joining a namespace.
    JoinNamespace,
    /// Creating namespaces.
    CreateNamespaces,
    /// Waiting for the parent to write id maps or clock offsets.
    ParentSetup,
    /// Becoming root in the user namespace.
    BecomeRoot,
    /// Forking stage 2.
    Fork,
    /// Receiving the configuration.
    ReceiveConfig,
    /// Resolving the process's user against the container's files.
    ResolveUser,
    /// Preparing the root filesystem (mounts, devices).
    PrepareRootfs,
    /// Running hooks.
    Hooks,
    /// Entering the root filesystem (`pivot_root`, or `MS_MOVE` and `chroot`).
    EnterRootfs,
    /// Setting the hostname or domain name.
    Hostname,
    /// Writing a sysctl.
    Sysctl,
    /// Masked and read-only paths, the read-only root.
    FinalizeRootfs,
    /// Setting an rlimit.
    Rlimit,
    /// Writing the OOM score adjustment.
    OomScoreAdj,
    /// Making the process dumpable or not (`PR_SET_DUMPABLE`).
    Dumpable,
    /// Opening the verified procfs handle through which `/proc` is reached.
    Procfs,
    /// Other process attributes: personality, I/O priority, scheduler, keyring.
    ProcessAttributes,
    /// Setting supplementary groups, gid and uid.
    Identity,
    /// Setting capabilities.
    Capabilities,
    /// Setting `no_new_privs`.
    NoNewPrivileges,
    /// Installing the seccomp filter.
    Seccomp,
    /// Changing to the working directory.
    Cwd,
    /// Closing stray file descriptors.
    CloseFds,
    /// Waiting on the exec FIFO.
    ExecFifo,
    /// Finding or executing the program.
    Exec,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The serde name is the display name: `join_namespace` reads as "join namespace".
        let name = serde_json::to_value(self).ok();
        let name = name
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or("unknown step");
        f.write_str(&name.replace('_', " "))
    }
}

/// A failure in the init process, as it crosses to the parent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("container init failed to {step}{}", context_suffix(.context))]
pub struct InitError {
    /// Where it failed.
    pub step: Step,
    /// What it was working on (a path, a name, a value); may be empty.
    pub context: String,
    /// The system error, when there is one.
    pub errno: Option<i32>,
    /// The messages of the underlying errors, outermost first.
    pub causes: Vec<String>,
    /// The error in that chain the errno came from, as a real error for `source()`.
    #[serde(skip)]
    #[source]
    source: Option<ErrnoError>,
}

fn context_suffix(context: &str) -> String {
    match context.is_empty() {
        true => String::new(),
        false => format!(" ({context})"),
    }
}

/// The causes of an [`InitError`] as received: each message, with the next one as its
/// `source()`, so that a printed chain shows all of them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ErrnoError {
    message: String,
    #[source]
    next: Option<Box<ErrnoError>>,
}

impl InitError {
    /// An error at `step`, about `context`, caused by `cause` (whose chain is kept as text,
    /// and whose errno, if it is an I/O or system error, is kept as a number).
    pub fn new(
        step: Step,
        context: impl Into<String>,
        cause: &(dyn std::error::Error + 'static),
    ) -> Self {
        let mut causes = Vec::new();
        let mut errno = None;
        let mut current = Some(cause);
        while let Some(err) = current {
            causes.push(err.to_string());
            if errno.is_none() {
                errno = errno_of(err);
            }
            current = err.source();
        }
        InitError::from_parts(step, context.into(), errno, causes)
    }

    /// An error at `step` with only an explanation.
    pub fn message(step: Step, context: impl Into<String>, message: impl Into<String>) -> Self {
        InitError::from_parts(step, context.into(), None, vec![message.into()])
    }

    /// Rebuilds the error from its parts (what deserialization gives, plus `source`).
    pub fn from_parts(
        step: Step,
        context: String,
        errno: Option<i32>,
        causes: Vec<String>,
    ) -> Self {
        let mut source = None;
        for message in causes.iter().rev() {
            source = Some(ErrnoError {
                message: message.clone(),
                next: source.map(Box::new),
            });
        }
        if let (None, Some(errno)) = (&source, errno) {
            source = Some(ErrnoError {
                message: io::Error::from_raw_os_error(errno).to_string(),
                next: None,
            });
        }
        InitError {
            step,
            context,
            errno,
            causes,
            source,
        }
    }

    /// The error as received: deserialization leaves `source` empty; this fills it in.
    pub fn received(self) -> Self {
        InitError::from_parts(self.step, self.context, self.errno, self.causes)
    }
}

/// The errno behind an error, if it is one of the system error types hull uses.
fn errno_of(err: &(dyn std::error::Error + 'static)) -> Option<i32> {
    if let Some(io) = err.downcast_ref::<io::Error>() {
        return io.raw_os_error();
    }
    err.downcast_ref::<nix::errno::Errno>()
        .map(|errno| *errno as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_crosses_the_channel_with_its_step_and_errno() {
        let cause = io::Error::from_raw_os_error(libc::EPERM);
        let err = InitError::new(Step::JoinNamespace, "/proc/1/ns/net", &cause);
        let json = serde_json::to_string(&err).unwrap();
        let back: InitError = serde_json::from_str::<InitError>(&json).unwrap().received();
        assert_eq!(back, err);
        assert_eq!(back.errno, Some(libc::EPERM));
        assert_eq!(
            back.to_string(),
            "container init failed to join namespace (/proc/1/ns/net)"
        );
        let source = std::error::Error::source(&back).unwrap().to_string();
        assert!(source.contains("Operation not permitted"), "{source}");
    }

    #[test]
    fn a_message_error_has_no_errno() {
        let err = InitError::message(Step::Exec, "", "no program given");
        assert_eq!(err.errno, None);
        assert_eq!(err.to_string(), "container init failed to exec");
        assert_eq!(
            std::error::Error::source(&err).unwrap().to_string(),
            "no program given"
        );
    }
}
