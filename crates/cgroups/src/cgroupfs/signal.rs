//! Signalling every process of the cgroup.

use hull_configs::FreezerState;
use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};

use super::CgroupfsManager;
use crate::error::{CgroupsError, Result};
use crate::file;
use crate::manager::Manager;

impl CgroupfsManager {
    /// Sends `signal` to every process of the cgroup and its sub-cgroups.
    ///
    /// `SIGKILL` goes through `cgroup.kill` where the cgroup2 directory has it (Linux 5.14;
    /// on a hybrid host too, since our processes join that hierarchy as well): the kernel
    /// kills every process, forks in flight included. Otherwise the cgroup is frozen so
    /// that no process forks between the listing and the signals, each process is
    /// signalled, and the cgroup is thawed (a frozen process takes `SIGKILL` on thaw).
    pub(super) fn signal_all(&self, signal: Signal) -> Result<()> {
        if signal == Signal::SIGKILL
            && let Some(u) = self
                .unified
                .as_ref()
                .filter(|u| u.path.join("cgroup.kill").exists())
        {
            return file::write(&u.path, "cgroup.kill", "1");
        }
        let froze = self.freezer_state()? == Some(FreezerState::Thawed);
        if froze {
            self.freeze()?;
        }
        let signalled = self.all_pids().and_then(|pids| {
            pids.into_iter()
                .try_for_each(|pid| match kill(pid, signal) {
                    // Exited since the listing.
                    Ok(()) | Err(Errno::ESRCH) => Ok(()),
                    Err(source) => Err(CgroupsError::Signal {
                        pid: pid.as_raw(),
                        signal,
                        source,
                    }),
                })
        });
        if froze {
            let thawed = self.thaw();
            signalled.and(thawed)
        } else {
            signalled
        }
    }
}
