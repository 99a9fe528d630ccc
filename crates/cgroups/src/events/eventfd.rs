//! cgroup v1 memory events: an eventfd registered through `cgroup.event_control`.
//!
//! Writing `"<eventfd> <fd of the watched file> [<args>]"` to `cgroup.event_control` makes
//! the kernel signal the eventfd on each event (Documentation/admin-guide/cgroup-v1/memory.rst,
//! "Memory thresholds", "OOM Control", "Memory Pressure"). The kernel also signals it when
//! the cgroup is removed.

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::path::{Path, PathBuf};

use nix::sys::eventfd::{EfdFlags, EventFd};

use super::{Event, EventsError, PressureLevel};
use crate::file;

/// An eventfd registered for OOM (no level) or pressure (a level) events.
pub(super) struct Registration {
    eventfd: EventFd,
    /// The watched file, kept open for as long as the registration lives.
    _watched: File,
    /// The file whose absence says the cgroup is gone.
    watched_path: PathBuf,
    level: Option<PressureLevel>,
}

impl Registration {
    /// Registers an eventfd for `dir/file`, with the pressure `level` as argument.
    pub(super) fn new(
        dir: &Path,
        file: &str,
        level: Option<PressureLevel>,
    ) -> Result<Self, EventsError> {
        let eventfd =
            EventFd::from_flags(EfdFlags::EFD_CLOEXEC).map_err(EventsError::CreateEventfd)?;
        let watched_path = dir.join(file);
        let watched = File::open(&watched_path).map_err(|source| EventsError::Open {
            path: watched_path.clone(),
            source,
        })?;
        let mut request = format!("{} {}", eventfd.as_raw_fd(), watched.as_raw_fd());
        if let Some(level) = level {
            request = format!("{request} {}", level.as_str());
        }
        file::write_raw(dir, "cgroup.event_control", &request).map_err(|source| {
            EventsError::Register {
                path: dir.join("cgroup.event_control"),
                request,
                source,
            }
        })?;
        Ok(Registration {
            eventfd,
            _watched: watched,
            watched_path,
            level,
        })
    }

    /// Reads the counter after a wake-up: the event, or [`Event::Removed`].
    pub(super) fn read(&mut self, dir: &Path) -> Result<Option<Event>, EventsError> {
        let count = self.eventfd.read().map_err(|errno| EventsError::Read {
            path: dir.to_owned(),
            source: errno.into(),
        })?;
        if !self.watched_path.exists() {
            return Ok(Some(Event::Removed));
        }
        Ok(Some(match self.level {
            Some(level) => Event::Pressure(level),
            None => Event::Oom { count },
        }))
    }

    pub(super) fn as_fd(&self) -> BorrowedFd<'_> {
        self.eventfd.as_fd()
    }
}
