//! cgroup v2 OOM events: inotify on `memory.events`, whose `oom` and `oom_kill` counters
//! grow on each OOM (Documentation/admin-guide/cgroup-v2.rst, "memory.events").

use std::fs;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

use super::{Event, EventsError};
use crate::file;

const FILE: &str = "memory.events";

/// A watch on `memory.events` and the counters last seen.
pub(super) struct MemoryEvents {
    inotify: Inotify,
    seen: u64,
}

impl MemoryEvents {
    pub(super) fn new(dir: &Path) -> Result<Self, EventsError> {
        let inotify = Inotify::init(InitFlags::IN_CLOEXEC).map_err(EventsError::CreateInotify)?;
        let path = dir.join(FILE);
        inotify
            .add_watch(&path, AddWatchFlags::IN_MODIFY)
            .map_err(|source| EventsError::Watch { path, source })?;
        let seen = ooms(dir)?.unwrap_or(0);
        Ok(MemoryEvents { inotify, seen })
    }

    /// Reads the inotify events after a wake-up: an OOM when the counters grew,
    /// [`Event::Removed`] when the watch went away with the cgroup.
    pub(super) fn read(&mut self, dir: &Path) -> Result<Option<Event>, EventsError> {
        let events = self
            .inotify
            .read_events()
            .map_err(|errno| EventsError::Read {
                path: dir.to_owned(),
                source: errno.into(),
            })?;
        if events
            .iter()
            .any(|e| e.mask.contains(AddWatchFlags::IN_IGNORED))
        {
            return Ok(Some(Event::Removed));
        }
        let Some(now) = ooms(dir)? else {
            return Ok(Some(Event::Removed));
        };
        if now > self.seen {
            let count = now - self.seen;
            self.seen = now;
            return Ok(Some(Event::Oom { count }));
        }
        Ok(None)
    }

    pub(super) fn as_fd(&self) -> BorrowedFd<'_> {
        self.inotify.as_fd()
    }
}

/// The larger of the `oom` and `oom_kill` counters; `None` once the cgroup is gone.
fn ooms(dir: &Path) -> Result<Option<u64>, EventsError> {
    let text = match fs::read_to_string(dir.join(FILE)) {
        Ok(text) => text,
        Err(err) if file::is_absent(&err) => return Ok(None),
        Err(source) => {
            return Err(EventsError::Read {
                path: dir.to_owned(),
                source,
            });
        }
    };
    // A line the kernel adds in a later version must not stop OOM reporting.
    let counters = file::parse_flat_keyed(dir, FILE, &text).unwrap_or_default();
    let get = |key: &str| counters.get(key).copied().unwrap_or(0);
    Ok(Some(get("oom").max(get("oom_kill"))))
}
