//! `pause` and `resume`: freeze every process of the container, and thaw them (the cgroup
//! freezer, v1 or v2).

use hull_cgroups::Manager;

use super::Container;
use crate::error::{ContainerError, Result};
use crate::state::{StateDir, Status};

impl Container {
    /// Freezes every process of the container (runc's `pause`): a running or created
    /// container becomes *paused*, its processes stopped where they are until
    /// [`Container::resume`].
    ///
    /// # Errors
    ///
    /// [`ContainerError::InvalidStatus`] unless the container is running or created;
    /// [`ContainerError::Cgroups`] when the freezer cannot be written.
    pub fn pause(&mut self) -> Result<()> {
        self.freezer("pause", &[Status::Running, Status::Created], |cgroup| {
            cgroup.freeze()
        })
    }

    /// Thaws every process of a paused container (runc's `resume`).
    ///
    /// # Errors
    ///
    /// [`ContainerError::InvalidStatus`] unless the container is paused;
    /// [`ContainerError::Cgroups`] when the freezer cannot be written.
    pub fn resume(&mut self) -> Result<()> {
        self.freezer("resume", &[Status::Paused], |cgroup| cgroup.thaw())
    }

    /// Applies `change` to the container's freezer when its status is one of `from`, under
    /// the container's lock.
    fn freezer(
        &mut self,
        operation: &'static str,
        from: &[Status],
        change: impl FnOnce(&hull_cgroups::CgroupfsManager) -> hull_cgroups::Result<()>,
    ) -> Result<()> {
        let dir = StateDir::open(&self.dir, &self.id)?;
        let state = dir.read()?;
        let status = self.status_of(&state);
        self.state = state;
        if !from.contains(&status) {
            return Err(ContainerError::InvalidStatus {
                id: self.id.clone(),
                status,
                operation,
            });
        }
        Ok(change(&self.cgroup()?)?)
    }
}
