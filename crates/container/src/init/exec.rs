//! The last steps: the working directory, the program, the descriptors, "ready", the exec
//! FIFO, the `startContainer` hooks, and `execve` of the program.
//!
//! Descriptors are the lesson of CVE-2024-21626: a descriptor of the runtime that is still
//! open while the container's paths are used (`process.cwd`, the program) is a way out
//! through `/proc/self/fd/<n>`. [`crate::init`] closes every descriptor it did not get on
//! purpose first thing; [`Descriptors::mark`] marks everything past the process's own
//! close-on-exec before any seccomp filter exists; the working directory is checked to be
//! inside the container's root; and just before `execve` every descriptor of the init is
//! closed for real, one `close(2)` each (a seccomp profile may refuse `close_range(2)`),
//! so that the program's path cannot lead through one either.

use std::convert::Infallible;
use std::ffi::CString;
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use hull_configs::HookPoint;
use hull_nsenter::{Channel, InitError, Step};
use hull_user::ExecUser;
use nix::fcntl::OFlag;

use super::procfs::OwnFds;
use super::{InitResult, at, run_own_hooks};
use crate::message::{InitConfig, Stage2Message};
use crate::process::ProcessSpec;
use crate::sys;

/// The `PATH` used when the process's environment has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The init's own descriptors past the process's (stdio and its extra files): marked
/// close-on-exec, and remembered so that they are closed before `execve`.
#[derive(Debug)]
pub(super) struct Descriptors {
    /// Those open when they were marked.
    open: Vec<RawFd>,
}

impl Descriptors {
    /// Marks every descriptor from `3 + extra_files` up close-on-exec
    /// (`close_range(CLOSE_RANGE_CLOEXEC)`) and lists those open (the init's own
    /// `/proc/self/fd`).
    pub(super) fn mark(process: &ProcessSpec, own_fds: &OwnFds) -> InitResult<Descriptors> {
        let first = 3 + process.extra_files as RawFd;
        sys::close_range_cloexec(first as u32).map_err(at(Step::CloseFds, first.to_string()))?;
        let open = own_fds
            .own_descriptors()
            .map_err(at(Step::CloseFds, "/proc/self/fd"))?
            .into_iter()
            .filter(|&fd| fd >= first)
            .collect();
        Ok(Descriptors { open })
    }

    /// Closes every descriptor listed; one already closed is fine.
    fn close_all(self) -> InitResult<()> {
        for fd in self.open {
            sys::close_unowned(fd).map_err(at(Step::CloseFds, fd.to_string()))?;
        }
        Ok(())
    }
}

/// Creates the process's working directory when it is missing (mode 0755, as root, before
/// the root may become read-only), as runc does, resolving it inside the root as mount
/// destinations are: no symlink or magic link of `/proc` leads the `mkdir(2)` out of it
/// (`/proc/self/fd/<n>/x` with a descriptor of the host is read as a path inside).
/// [`enter_cwd`] checks where the process ends up anyway.
pub(super) fn make_cwd(process: &ProcessSpec) -> InitResult<()> {
    if process.cwd.is_dir() {
        return Ok(());
    }
    hull_rootfs::create_dir_inside(Path::new("/"), &process.cwd)
        .map_err(at(Step::Cwd, process.cwd.display().to_string()))
}

/// Enters the process's working directory and checks that it is inside the container's
/// root: a directory reached through a descriptor from outside (`/proc/self/fd/<n>`) has no
/// path from the root, and `getcwd(3)` fails on it.
pub(super) fn enter_cwd(process: &ProcessSpec) -> InitResult<()> {
    let context = || process.cwd.display().to_string();
    nix::unistd::chdir(&process.cwd).map_err(at(Step::Cwd, context()))?;
    match nix::unistd::getcwd() {
        Ok(cwd) if cwd.is_absolute() => Ok(()),
        _ => Err(InitError::message(
            Step::Cwd,
            context(),
            "the working directory is outside the container's root",
        )),
    }
}

/// The program: `args[0]` if it holds a `/`, else the first executable file of that name
/// in the `PATH` of the process's environment.
pub(super) fn program(process: &ProcessSpec, user: &ExecUser) -> InitResult<PathBuf> {
    let Some(name) = process.args.first() else {
        return Err(InitError::message(Step::Exec, "", "no program to run"));
    };
    if name.contains('/') {
        return Ok(PathBuf::from(name));
    }
    let env = environment(process, user);
    let path = env
        .iter()
        .find_map(|kv| kv.strip_prefix("PATH="))
        .unwrap_or(DEFAULT_PATH);
    path.split(':')
        .filter(|dir| !dir.is_empty())
        .map(|dir| Path::new(dir).join(name))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| {
            InitError::message(
                Step::Exec,
                name.clone(),
                "executable file not found in $PATH",
            )
        })
}

/// The process's environment, with `HOME` from its user when it sets none.
fn environment(process: &ProcessSpec, user: &ExecUser) -> Vec<String> {
    let mut env = process.env.clone();
    if !env.iter().any(|kv| kv.starts_with("HOME=")) {
        env.push(format!("HOME={}", user.home));
    }
    env
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What the setup made for the last steps.
pub(super) struct Prepared {
    /// The exec FIFO, `O_PATH`.
    pub(super) fifo: File,
    /// The init's own `/proc/self/fd`.
    pub(super) own_fds: OwnFds,
    /// The init's own descriptors.
    pub(super) fds: Descriptors,
    /// The program.
    pub(super) program: PathBuf,
}

/// An init that is set up and only has to wait for `start` and execute its program.
pub(super) struct Ready {
    init: InitConfig,
    env: Vec<String>,
    prepared: Prepared,
}

impl Ready {
    pub(super) fn new(init: &InitConfig, user: &ExecUser, prepared: Prepared) -> Ready {
        Ready {
            init: init.clone(),
            env: environment(&init.process, user),
            prepared,
        }
    }

    /// Runs the last steps and executes the program; returns only the error that stopped
    /// it. The channel is closed before `execve`, with every other descriptor of the init.
    pub(super) fn exec(self, channel: Channel) -> InitError {
        match self.finish(channel) {
            Ok(never) => match never {},
            Err(err) => err,
        }
    }

    fn finish(self, channel: Channel) -> InitResult<Infallible> {
        let Ready {
            init,
            env,
            prepared,
        } = self;
        let Prepared {
            fifo,
            own_fds,
            fds,
            program,
        } = prepared;
        // The parent may exit as soon as it hears "ready" (`hull create` does): from here on
        // only the configured parent-death signal applies, not the SIGKILL of the setup.
        let signal = init.config.parent_death_signal.unwrap_or(0);
        sys::set_parent_death_signal(signal)
            .map_err(at(Step::ProcessAttributes, "parent death signal"))?;
        channel
            .send(&Stage2Message::Ready)
            .map_err(at(Step::Channel, "ready"))?;
        // While it waits for start, the init holds nothing of the runtime but the FIFO and
        // its own /proc/self/fd.
        drop(channel);
        wait_for_start(&own_fds, &fifo)?;
        run_own_hooks(&init, HookPoint::StartContainer)?;
        reset_signals()?;
        let exec = Execve::new(&program, &init.process.args, &env)?;
        drop((fifo, own_fds));
        fds.close_all()?;
        exec.run()
    }
}

/// Opens the exec FIFO for writing, which blocks until `start` opens it for reading, and
/// writes the byte that tells `start` the program is about to run. The FIFO was opened
/// `O_PATH` before the root changed; it is reopened through the init's own `/proc/self/fd`,
/// opened with the verified procfs handle.
fn wait_for_start(own_fds: &OwnFds, fifo: &File) -> InitResult<()> {
    let context = "/proc/self/fd (exec FIFO)";
    let mut writer = own_fds
        .reopen(fifo.as_fd(), OFlag::O_WRONLY | OFlag::O_CLOEXEC)
        .map_err(at(Step::ExecFifo, context))?;
    writer.write_all(b"0").map_err(at(Step::ExecFifo, context))
}

/// The program starts with no blocked signal and `SIGPIPE` at its default: what the init
/// inherited from its spawner, and the Rust runtime's ignored `SIGPIPE`, are not the
/// container's business.
fn reset_signals() -> InitResult<()> {
    use nix::sys::signal::{SigSet, SigmaskHow, sigprocmask};
    sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)
        .map_err(at(Step::ProcessAttributes, "signal mask"))?;
    sys::default_sigpipe().map_err(at(Step::ProcessAttributes, "SIGPIPE"))
}

/// An `execve(2)` with its arguments ready, so that nothing is left to fail between
/// closing the init's descriptors and the call but the call.
struct Execve {
    path: CString,
    args: Vec<CString>,
    env: Vec<CString>,
}

impl Execve {
    fn new(program: &Path, args: &[String], env: &[String]) -> InitResult<Execve> {
        let cstring = |s: &[u8]| {
            CString::new(s)
                .map_err(|err| InitError::new(Step::Exec, program.display().to_string(), &err))
        };
        Ok(Execve {
            path: cstring(program.as_os_str().as_bytes())?,
            args: args
                .iter()
                .map(|a| cstring(a.as_bytes()))
                .collect::<InitResult<_>>()?,
            env: env
                .iter()
                .map(|e| cstring(e.as_bytes()))
                .collect::<InitResult<_>>()?,
        })
    }

    /// Executes the program; returns only its error.
    fn run(self) -> InitResult<Infallible> {
        let errno = match nix::unistd::execve(&self.path, &self.args, &self.env) {
            Err(errno) => errno,
            Ok(never) => match never {},
        };
        let program = self.path.to_string_lossy().into_owned();
        Err(InitError::new(Step::Exec, program, &errno))
    }
}
