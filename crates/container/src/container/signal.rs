//! `signal`: send a signal to the container's init, or to every process in it.

use nix::sys::signal::Signal;

use hull_cgroups::Manager;

use super::Container;
use crate::error::{ContainerError, Result};
use crate::pidfd;
use crate::state::{StateDir, Status};

impl Container {
    /// Sends `signal` to the container's init, or with `all` to every process of its
    /// cgroup. The init is signalled only if it is the very process that was started (same
    /// pid and start time), never a process that has taken its pid since: through a pidfd
    /// opened before the start time is checked (`pidfd_open(2)`, `pidfd_send_signal(2)`).
    ///
    /// # Errors
    ///
    /// [`ContainerError::InvalidStatus`] when the container is stopped;
    /// [`ContainerError::InitGone`] when the init exited meanwhile;
    /// [`ContainerError::Signal`] from `pidfd_send_signal(2)` (`kill(2)` before Linux 5.3).
    pub fn signal(&mut self, signal: Signal, all: bool) -> Result<()> {
        let dir = StateDir::open(&self.dir, &self.id)?;
        let state = dir.read()?;
        let status = self.status_of(&state);
        let init = match (status, state.init) {
            (Status::Stopped, _) | (_, None) => {
                return Err(ContainerError::InvalidStatus {
                    id: self.id.clone(),
                    status,
                    operation: "kill",
                });
            }
            (_, Some(init)) => init,
        };
        self.state = state;
        if all {
            return Ok(self.cgroup()?.kill_all(signal)?);
        }
        pidfd::signal_init(init, signal)
    }
}
