//! `destroy`: kill whatever still runs, remove the cgroup and the state.

use std::time::{Duration, Instant};

use hull_cgroups::Manager;
use hull_configs::HookPoint;
use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
use nix::unistd::Pid;

use super::Container;
use crate::error::{ContainerError, Result};
use crate::hooks;
use crate::pidfd;
use crate::state::{InitProcess, StateDir, Status};

/// How long destroy waits for an init that is not our child to disappear.
const EXIT_WAIT: Duration = Duration::from_secs(10);

impl Container {
    /// Destroys the container: kills every process left in it, removes its cgroup, runs
    /// the `poststop` hooks and removes its state directory. Whatever state it is in, and
    /// whatever the hooks do, nothing of it is left behind.
    ///
    /// # Errors
    ///
    /// When the cgroup or the state directory cannot be removed; [`ContainerError::Hook`]
    /// when a `poststop` hook failed (after everything was removed, as runc reports it).
    pub fn destroy(self) -> Result<()> {
        let dir = StateDir::open(&self.dir, &self.id)?;
        let state = dir.read()?;
        let status = self.status_of(&state);
        let cgroup = self.cgroup()?;
        if status != Status::Stopped || cgroup.exists() {
            // Frozen processes cannot act on a kill until thawed.
            let _ = cgroup.thaw(); // a cgroup without a freezer or already thawed is fine
            let _ = cgroup.kill_all(Signal::SIGKILL); // an empty or missing cgroup is fine
        }
        if let Some(init) = state.init {
            reap(init);
        }
        if cgroup.exists() {
            cgroup.destroy()?;
        }
        let poststop = match state.init {
            Some(_) => {
                let oci = self.oci_state(Status::Stopped, 0);
                hooks::run(&state.config.hooks, HookPoint::Poststop, &oci)
            }
            None => Ok(()),
        };
        dir.remove()?;
        // Everything is gone either way; the hook's failure is still the caller's to know,
        // as runc's `delete` reports it.
        poststop.map_err(ContainerError::Hook)
    }
}

/// Makes sure the init is gone: killed, and seen to exit. When it is our child it is
/// left as a zombie for [`crate::Process::wait`] to collect (`waitid` with `WNOWAIT`); a
/// zombie of another parent counts as gone.
fn reap(init: InitProcess) {
    let pid = Pid::from_raw(init.pid);
    // Killed through the cgroup already when it has one; this covers an init without. It
    // fails only when the init is gone (or its pid is another's now), which the wait below
    // sees too, or when we may not signal it, which the wait's deadline bounds.
    let _ = pidfd::signal_init(init, Signal::SIGKILL);
    let flags =
        WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT | WaitPidFlag::__WALL;
    let deadline = Instant::now() + EXIT_WAIT;
    loop {
        match waitid(Id::Pid(pid), flags) {
            Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD)
                if init.is_alive() && Instant::now() < deadline => {}
            _ => return,
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
