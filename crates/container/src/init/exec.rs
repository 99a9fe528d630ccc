//! The last steps: the working directory, stray descriptors, "ready", the exec FIFO, the
//! `startContainer` hooks, and `execve` of the program found in the container's `PATH`.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use hull_configs::HookPoint;
use hull_nsenter::{Channel, InitError, Step};
use hull_user::ExecUser;

use super::{InitResult, at, run_own_hooks};
use crate::message::{InitConfig, Stage2Message};
use crate::sys;

/// The `PATH` used when the process's environment has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// An init that is set up and only has to wait for `start` and execute its program.
pub(super) struct Ready {
    init: InitConfig,
    env: Vec<String>,
    fifo: File,
}

impl Ready {
    pub(super) fn new(init: &InitConfig, user: &ExecUser, fifo: File) -> Ready {
        let mut env = init.process.env.clone();
        if !env.iter().any(|kv| kv.starts_with("HOME=")) {
            env.push(format!("HOME={}", user.home));
        }
        Ready {
            init: init.clone(),
            env,
            fifo,
        }
    }

    /// Runs the last steps and executes the program; returns only the error that stopped it.
    pub(super) fn exec(self, channel: &Channel) -> InitError {
        match self.finish(channel) {
            Ok(never) => match never {},
            Err(err) => err,
        }
    }

    fn finish(self, channel: &Channel) -> InitResult<std::convert::Infallible> {
        let process = &self.init.process;
        nix::unistd::chdir(&process.cwd)
            .map_err(at(Step::Cwd, process.cwd.display().to_string()))?;
        let program = self.program()?;
        // Everything past stderr and the extra files closes on exec: the channel, the FIFO,
        // and whatever else leaked into the init.
        let first_stray = 3 + process.extra_files as u32;
        sys::close_range_cloexec(first_stray)
            .map_err(at(Step::CloseFds, first_stray.to_string()))?;
        // The parent may exit as soon as it hears "ready" (`hull create` does): from here on
        // only the configured parent-death signal applies, not the SIGKILL of the setup.
        let signal = self.init.config.parent_death_signal.unwrap_or(0);
        sys::set_parent_death_signal(signal)
            .map_err(at(Step::ProcessAttributes, "parent death signal"))?;
        channel
            .send(&Stage2Message::Ready)
            .map_err(at(Step::Channel, "ready"))?;
        wait_for_start(&self.fifo)?;
        run_own_hooks(&self.init, HookPoint::StartContainer)?;
        reset_signals()?;
        execve(&program, &process.args, &self.env)
    }

    /// The program: `args[0]` if it holds a `/`, else the first executable file of that
    /// name in the `PATH` of the process's environment.
    fn program(&self) -> InitResult<PathBuf> {
        let Some(name) = self.init.process.args.first() else {
            return Err(InitError::message(Step::Exec, "", "no program to run"));
        };
        if name.contains('/') {
            return Ok(PathBuf::from(name));
        }
        let path = self
            .env
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
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Opens the exec FIFO for writing, which blocks until `start` opens it for reading, and
/// writes the byte that tells `start` the program is about to run. The FIFO was opened
/// `O_PATH` before the root changed; it is reopened through `/proc/self/fd`.
fn wait_for_start(fifo: &File) -> InitResult<()> {
    let path = format!("/proc/self/fd/{}", fifo.as_raw_fd());
    let mut writer = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(&path)
        .map_err(at(Step::ExecFifo, path.clone()))?;
    writer.write_all(b"0").map_err(at(Step::ExecFifo, path))
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

/// `execve(2)` of `program`; returns only its error.
fn execve(program: &Path, args: &[String], env: &[String]) -> InitResult<std::convert::Infallible> {
    let context = || program.display().to_string();
    let cstring =
        |s: &[u8]| CString::new(s).map_err(|err| InitError::new(Step::Exec, context(), &err));
    let path = cstring(program.as_os_str().as_bytes())?;
    let args = args
        .iter()
        .map(|a| cstring(a.as_bytes()))
        .collect::<InitResult<Vec<_>>>()?;
    let env = env
        .iter()
        .map(|e| cstring(e.as_bytes()))
        .collect::<InitResult<Vec<_>>>()?;
    let errno = match nix::unistd::execve(&path, &args, &env) {
        Err(errno) => errno,
        Ok(never) => match never {},
    };
    Err(InitError::new(Step::Exec, context(), &errno))
}
