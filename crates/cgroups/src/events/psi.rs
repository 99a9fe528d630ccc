//! cgroup v2 memory pressure: a PSI trigger on `memory.pressure`
//! (Documentation/accounting/psi.rst, "Userspace monitors").
//!
//! Writing `"some|full <stall µs> <window µs>"` to an open `memory.pressure` makes `poll(2)`
//! report `POLLPRI` whenever tasks stall that long within a window. Without
//! `CAP_SYS_RESOURCE` the kernel (6.5 and later) takes only windows that are multiples of
//! two seconds, which the defaults here are.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::{Event, EventsError, PressureLevel};

const FILE: &str = "memory.pressure";

/// A PSI trigger: fire when tasks stall for `stall` within any `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PsiTrigger {
    /// Count stalls of all tasks at once (`full`) rather than of some (`some`).
    pub full: bool,
    /// The stall time that fires the trigger.
    pub stall: Duration,
    /// The window it is measured over (500 ms to 10 s; a multiple of 2 s without
    /// `CAP_SYS_RESOURCE`).
    pub window: Duration,
}

impl PsiTrigger {
    /// The default trigger for a pressure level: some tasks stalled 5% (low) or 20%
    /// (medium) of a 2 s window, or all of them 10% of it (critical).
    pub fn for_level(level: PressureLevel) -> Self {
        let (full, stall_ms) = match level {
            PressureLevel::Low => (false, 100),
            PressureLevel::Medium => (false, 400),
            PressureLevel::Critical => (true, 200),
        };
        PsiTrigger {
            full,
            stall: Duration::from_millis(stall_ms),
            window: Duration::from_secs(2),
        }
    }

    /// The trigger as written to the pressure file: `some 100000 2000000`.
    pub fn to_request(&self) -> String {
        let kind = if self.full { "full" } else { "some" };
        format!(
            "{kind} {} {}",
            self.stall.as_micros(),
            self.window.as_micros()
        )
    }
}

/// An open pressure file with a trigger on it.
pub(super) struct Trigger {
    file: File,
    level: PressureLevel,
}

impl Trigger {
    pub(super) fn new(
        dir: &Path,
        trigger: PsiTrigger,
        level: PressureLevel,
    ) -> Result<Self, EventsError> {
        let path = dir.join(FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|source| EventsError::Open {
                path: path.clone(),
                source,
            })?;
        let request = trigger.to_request();
        file.write_all(request.as_bytes())
            .map_err(|source| EventsError::Register {
                path,
                request,
                source,
            })?;
        Ok(Trigger { file, level })
    }

    /// After a wake-up: the pressure event, or [`Event::Removed`] when the kernel reports
    /// an error on the file (its cgroup is gone).
    pub(super) fn read(&mut self, dir: &Path) -> Result<Option<Event>, EventsError> {
        let mut fds = [PollFd::new(self.file.as_fd(), PollFlags::POLLPRI)];
        let revents = match poll(&mut fds, PollTimeout::ZERO) {
            Ok(_) => fds[0].revents().unwrap_or(PollFlags::empty()),
            Err(errno) => {
                return Err(EventsError::Read {
                    path: dir.to_owned(),
                    source: errno.into(),
                });
            }
        };
        if revents.intersects(PollFlags::POLLERR | PollFlags::POLLNVAL) {
            return Ok(Some(Event::Removed));
        }
        Ok(revents
            .contains(PollFlags::POLLPRI)
            .then_some(Event::Pressure(self.level)))
    }

    pub(super) fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_triggers_fit_unprivileged_windows() {
        assert_eq!(
            PsiTrigger::for_level(PressureLevel::Low).to_request(),
            "some 100000 2000000"
        );
        assert_eq!(
            PsiTrigger::for_level(PressureLevel::Medium).to_request(),
            "some 400000 2000000"
        );
        assert_eq!(
            PsiTrigger::for_level(PressureLevel::Critical).to_request(),
            "full 200000 2000000"
        );
    }
}
