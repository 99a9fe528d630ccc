//! What `create` and `run` share: from a bundle to a started container, as runc's
//! `runner` does it. A failure once the container exists destroys it, so that nothing is
//! left behind; a failure before (an invalid id, an existing container, a bad bundle)
//! touches nothing.

use std::os::fd::OwnedFd;
use std::path::PathBuf;

use clap::Args;
use hull_container::{Container, Factory, Process};

use crate::bundle::{Bundle, ConvertFlags};
use crate::console::ConsoleSocket;
use crate::error::CliError;
use crate::signals::Signals;
use crate::tty::TtyProxy;
use crate::{foreground, pidfile};

/// The flags `create` and `run` share.
#[derive(Debug, Args)]
pub struct LaunchArgs {
    /// Path to the bundle directory (default: the current directory).
    #[arg(short, long)]
    pub bundle: Option<PathBuf>,
    /// Write the container's init pid to this file.
    #[arg(long)]
    pub pid_file: Option<PathBuf>,
    /// A Unix socket that receives the master side of the container's terminal.
    #[arg(long)]
    pub console_socket: Option<PathBuf>,
    /// Do not use pivot_root to enter the root filesystem (for a rootfs on a ramdisk).
    #[arg(long)]
    pub no_pivot: bool,
    /// Do not create a new session keyring for the container.
    #[arg(long)]
    pub no_new_keyring: bool,
    /// Pass N more descriptors (3 to 3+N-1) to the container's process.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub preserve_fds: u32,
}

/// How far to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `create`: the init set up and blocked before the program.
    Create,
    /// `run -d`: the program started, hull returns.
    Detached,
    /// `run`: the program started, hull waits for it and forwards signals.
    Foreground,
}

/// A container to launch.
#[derive(Debug)]
pub struct Launch<'a> {
    /// The state root.
    pub root: &'a std::path::Path,
    /// The container's id.
    pub id: &'a str,
    /// The flags.
    pub args: &'a LaunchArgs,
    /// How far to go.
    pub mode: Mode,
    /// The descriptors `--preserve-fds` claimed.
    pub preserved: Vec<OwnedFd>,
}

impl Launch<'_> {
    /// Creates and starts the container; returns the exit status for hull: 0, or in the
    /// foreground the container's.
    ///
    /// # Errors
    ///
    /// The first step that failed.
    pub fn run(self) -> Result<i32, CliError> {
        // The id first: nothing else matters for an id that can never name a container.
        hull_container::check_id(self.id)?;
        let bundle = Bundle::load(self.args.bundle.as_deref())?;
        self.check_terminal(bundle.terminal())?;
        let flags = ConvertFlags {
            no_pivot: self.args.no_pivot,
            no_new_keyring: self.args.no_new_keyring,
        };
        let config = bundle.config(self.id, flags)?;
        let mut process = bundle.process()?;
        process.extra_files = self.preserved;
        let console = self
            .args
            .console_socket
            .as_deref()
            .map(ConsoleSocket::connect)
            .transpose()?;
        if self.mode == Mode::Foreground {
            become_subreaper();
        }
        let factory = Factory::new(self.root)?;
        let mut container = factory.create(self.id, config)?;
        let started = Started {
            container: &mut container,
            process: &mut process,
            console: console.as_ref(),
            pid_file: self.args.pid_file.as_deref(),
            mode: self.mode,
        };
        let status = started.go();
        if status.is_err() || self.mode == Mode::Foreground {
            // As runc: a foreground container goes once it has exited, and a failed one
            // at once. The failure that brought us here matters more than this one.
            if let Err(err) = container.destroy() {
                tracing::warn!(
                    "cannot destroy container {}: {}",
                    self.id,
                    hull_container::chain(&err)
                );
            }
        }
        status
    }

    /// runc's rule: a detached container with a terminal needs a console socket to hand
    /// it to, and a console socket is only for that.
    fn check_terminal(&self, terminal: bool) -> Result<(), CliError> {
        let detached = self.mode != Mode::Foreground;
        let socket = self.args.console_socket.is_some();
        if detached && terminal && !socket {
            return Err(CliError::TerminalWithoutSocket);
        }
        if (!detached || !terminal) && socket {
            return Err(CliError::SocketWithoutTerminal);
        }
        Ok(())
    }
}

/// Makes hull a child subreaper, before the container starts: orphans of the container
/// are reaped here, not by PID 1.
fn become_subreaper() {
    if let Err(errno) = nix::sys::prctl::set_child_subreaper(true) {
        tracing::warn!("cannot become a child subreaper: {errno}");
    }
}

/// The steps once the container exists.
struct Started<'a> {
    container: &'a mut Container,
    process: &'a mut Process,
    console: Option<&'a ConsoleSocket>,
    pid_file: Option<&'a std::path::Path>,
    mode: Mode,
}

impl Started<'_> {
    fn go(mut self) -> Result<i32, CliError> {
        self.container.start(self.process)?;
        // Blocked only now that the init exists: it was spawned with hull's signal mask,
        // which it keeps for the program. From here on, a signal for hull waits in the
        // descriptor, to be forwarded once the program runs.
        let mut signals = match self.mode {
            Mode::Foreground => Some(Signals::block()?),
            Mode::Create | Mode::Detached => None,
        };
        if self.mode != Mode::Create {
            self.container.exec()?;
        }
        let tty = self.terminal()?;
        let pid = self
            .process
            .pid()
            .ok_or(hull_container::ContainerError::NotStarted)?;
        if let Some(path) = self.pid_file {
            pidfile::write(path, pid)?;
        }
        match signals.as_mut() {
            Some(signals) => foreground::wait(pid, signals, tty),
            None => Ok(0),
        }
    }

    /// Hands the terminal to the console socket, or returns the proxy for it.
    fn terminal(&mut self) -> Result<Option<TtyProxy>, CliError> {
        if !self.process.terminal {
            return Ok(None);
        }
        let master = self.process.take_console().ok_or(CliError::NoConsole)?;
        match self.console {
            Some(console) => console.send(&master).map(|()| None),
            None => TtyProxy::new(master).map(Some),
        }
    }
}
