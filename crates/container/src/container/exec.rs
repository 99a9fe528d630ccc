//! `exec`: let a created container run its program (runc's `start`).

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;

use hull_configs::HookPoint;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::Container;
use crate::error::{ContainerError, Result};
use crate::hooks;
use crate::state::{EXEC_FIFO, InitProcess, StateDir, Status};

impl Container {
    /// Lets a *created* container's init run its program: reads the exec FIFO the init is
    /// blocked on, removes it, and runs the `poststart` hooks (a failing one is logged, as
    /// the runtime spec asks, and the container keeps running).
    ///
    /// # Errors
    ///
    /// [`ContainerError::InvalidStatus`] unless the container is *created*;
    /// [`ContainerError::InitGone`] when its init died before running the program.
    pub fn exec(&mut self) -> Result<()> {
        let dir = StateDir::open(&self.dir, &self.id)?;
        let state = dir.read()?;
        let status = self.status_of(&state);
        let (Status::Created, Some(init)) = (status, state.init) else {
            return Err(ContainerError::InvalidStatus {
                id: self.id.clone(),
                status,
                operation: "start",
            });
        };
        let fifo = dir.path().join(EXEC_FIFO);
        unblock(&fifo, init)?;
        std::fs::remove_file(&fifo).map_err(|source| ContainerError::Fifo {
            path: fifo.clone(),
            source,
        })?;
        self.state = state;
        let oci = self.oci_state(Status::Running, init.pid);
        if let Err(err) = hooks::run(&self.state.config.hooks, HookPoint::Poststart, &oci) {
            tracing::warn!(container = %self.id, error = %crate::error::chain(&err), "poststart hook failed");
        }
        Ok(())
    }

    /// Starts `process` and lets it run: [`Container::start`] then [`Container::exec`].
    ///
    /// # Errors
    ///
    /// As those two.
    pub fn run(&mut self, process: &mut crate::Process) -> Result<()> {
        self.start(process)?;
        self.exec()
    }
}

/// Opens the FIFO for reading (without blocking: the init holds the writing end open) and
/// reads the byte the init writes just before it executes the program; fails if the init
/// dies first.
fn unblock(fifo: &std::path::Path, init: InitProcess) -> Result<()> {
    let fifo_error = |source| ContainerError::Fifo {
        path: fifo.to_owned(),
        source,
    };
    let mut file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(fifo)
        .map_err(fifo_error)?;
    loop {
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(100u16)) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => {
                if !init.is_alive() {
                    return Err(ContainerError::InitGone { pid: init.pid });
                }
                continue;
            }
            Ok(_) => {}
            Err(errno) => return Err(fifo_error(errno.into())),
        }
        let mut byte = [0u8; 1];
        match file.read(&mut byte) {
            Ok(1) => return Ok(()),
            // The writer went away without writing: the init died.
            Ok(_) => return Err(ContainerError::InitGone { pid: init.pid }),
            Err(err) if err.kind() == ErrorKind::WouldBlock => continue,
            Err(err) => return Err(fifo_error(err)),
        }
    }
}
