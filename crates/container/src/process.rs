//! [`Process`]: the program a container runs, and the handle to it once it runs.

use std::os::fd::OwnedFd;
use std::path::PathBuf;

use hull_configs::{Capabilities, Rlimit};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::error::{ContainerError, Result};

/// Where one of a process's standard streams goes.
#[derive(Debug, Default)]
pub enum Stdio {
    /// The caller's own stream.
    #[default]
    Inherit,
    /// `/dev/null`.
    Null,
    /// This descriptor (a pipe, a file, a terminal).
    Fd(OwnedFd),
}

/// A program to run in a container, and once it runs, the handle to wait for and signal it.
#[derive(Debug)]
pub struct Process {
    /// The program and its arguments; the program is looked up in the container's `PATH`
    /// when it has no `/`.
    pub args: Vec<String>,
    /// The environment, `KEY=value`. `HOME` is added from the user's entry when missing.
    pub env: Vec<String>,
    /// The user, as `user`, `uid`, `user:group` or `uid:gid`, resolved against the
    /// container's `/etc/passwd` and `/etc/group`; empty is root.
    pub user: String,
    /// Extra groups, names or gids.
    pub additional_groups: Vec<String>,
    /// The working directory, inside the container.
    pub cwd: PathBuf,
    /// Standard input.
    pub stdin: Stdio,
    /// Standard output.
    pub stdout: Stdio,
    /// Standard error.
    pub stderr: Stdio,
    /// Descriptors the program gets as 3, 4, ... in order.
    pub extra_files: Vec<OwnedFd>,
    /// Rlimits instead of the config's, when set.
    pub rlimits: Option<Vec<Rlimit>>,
    /// Capabilities instead of the config's, when set.
    pub capabilities: Option<Capabilities>,
    /// `no_new_privs` instead of the config's, when set.
    pub no_new_privileges: Option<bool>,
    /// Give the process a terminal: a pseudo-terminal from the container's devpts as its
    /// controlling terminal and standard streams (which replace `stdin`, `stdout` and
    /// `stderr`); its master is [`Process::take_console`] once started.
    pub terminal: bool,
    pid: Option<Pid>,
    console: Option<OwnedFd>,
}

impl Process {
    /// A process running `args`, with no environment, as root, in `/`.
    pub fn new<S: Into<String>>(args: impl IntoIterator<Item = S>) -> Process {
        Process {
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            user: String::new(),
            additional_groups: Vec::new(),
            cwd: PathBuf::from("/"),
            stdin: Stdio::Inherit,
            stdout: Stdio::Inherit,
            stderr: Stdio::Inherit,
            extra_files: Vec::new(),
            rlimits: None,
            capabilities: None,
            no_new_privileges: None,
            terminal: false,
            pid: None,
            console: None,
        }
    }

    /// The master side of the process's terminal, once started with `terminal`; taken
    /// once.
    pub fn take_console(&mut self) -> Option<OwnedFd> {
        self.console.take()
    }

    pub(crate) fn set_console(&mut self, master: OwnedFd) {
        self.console = Some(master);
    }

    /// The pid of the running process, in hull's pid namespace, once started.
    pub fn pid(&self) -> Option<i32> {
        self.pid.map(Pid::as_raw)
    }

    pub(crate) fn set_pid(&mut self, pid: Pid) {
        self.pid = Some(pid);
    }

    /// Waits for the process to end and returns how it ended. Only the process that started
    /// the container can wait: the container's init is its child.
    ///
    /// # Errors
    ///
    /// [`ContainerError::NotStarted`] before start; [`ContainerError::Wait`] when the
    /// process is not a child of the caller.
    pub fn wait(&mut self) -> Result<ExitStatus> {
        let pid = self.pid.ok_or(ContainerError::NotStarted)?;
        loop {
            match waitpid(pid, Some(WaitPidFlag::__WALL)) {
                Ok(WaitStatus::Exited(_, code)) => return Ok(ExitStatus::Exited(code)),
                Ok(WaitStatus::Signaled(_, signal, _)) => {
                    return Ok(ExitStatus::Signaled(signal as i32));
                }
                Ok(_) => continue,
                Err(Errno::EINTR) => continue,
                Err(source) => {
                    return Err(ContainerError::Wait {
                        pid: pid.as_raw(),
                        source: source.into(),
                    });
                }
            }
        }
    }

    /// Sends `signal` to the process.
    ///
    /// # Errors
    ///
    /// [`ContainerError::NotStarted`] before start; [`ContainerError::Signal`] from
    /// `kill(2)`.
    pub fn signal(&self, signal: Signal) -> Result<()> {
        let pid = self.pid.ok_or(ContainerError::NotStarted)?;
        nix::sys::signal::kill(pid, signal).map_err(|source| ContainerError::Signal {
            pid: pid.as_raw(),
            source,
        })
    }

    /// What the container's init needs to know of this process.
    pub(crate) fn spec(&self) -> ProcessSpec {
        ProcessSpec {
            args: self.args.clone(),
            env: self.env.clone(),
            user: self.user.clone(),
            additional_groups: self.additional_groups.clone(),
            cwd: self.cwd.clone(),
            extra_files: self.extra_files.len(),
            rlimits: self.rlimits.clone(),
            capabilities: self.capabilities.clone(),
            no_new_privileges: self.no_new_privileges,
            terminal: self.terminal,
        }
    }
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it.
    Signaled(i32),
}

impl ExitStatus {
    /// The status a shell would report: the code, or 128 plus the signal.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Exited(code) => code,
            ExitStatus::Signaled(signal) => 128 + signal,
        }
    }

    /// Whether it exited with 0.
    pub fn success(self) -> bool {
        self == ExitStatus::Exited(0)
    }
}

/// The serializable part of a [`Process`], sent to the container's init.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProcessSpec {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub user: String,
    pub additional_groups: Vec<String>,
    pub cwd: PathBuf,
    /// How many extra descriptors follow stderr.
    pub extra_files: usize,
    pub rlimits: Option<Vec<Rlimit>>,
    pub capabilities: Option<Capabilities>,
    pub no_new_privileges: Option<bool>,
    pub terminal: bool,
}
