//! OOM and memory-pressure events of a cgroup, as a typed stream a caller can wait on.
//!
//! - v1: an eventfd registered through `cgroup.event_control` on `memory.oom_control` or
//!   `memory.pressure_level`;
//! - v2: inotify on `memory.events` for OOM, and a PSI trigger ([`PsiTrigger`]) written to
//!   `memory.pressure` for pressure.
//!
//! A [`Notifier`] is an iterator of [`Event`]s that blocks until the next one, and ends
//! after [`Event::Removed`] when the cgroup goes away; [`Notifier::wait`] waits with a
//! timeout and [`Notifier::spawn`] moves it to a thread that feeds a channel.

mod eventfd;
mod inotify;
mod psi;

use std::io;
use std::os::fd::BorrowedFd;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

pub use psi::PsiTrigger;

/// What can go wrong setting up or reading a notifier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventsError {
    /// The eventfd could not be created.
    #[error("cannot create an eventfd")]
    CreateEventfd(#[source] nix::Error),
    /// The inotify instance could not be created.
    #[error("cannot create an inotify instance")]
    CreateInotify(#[source] nix::Error),
    /// A cgroup file could not be opened.
    #[error("cannot open {path}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The eventfd could not be registered with `cgroup.event_control`, or the PSI trigger
    /// written.
    #[error("cannot register {request:?} with {path}")]
    Register {
        /// The file written.
        path: PathBuf,
        /// What was written.
        request: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// An inotify watch could not be added.
    #[error("cannot watch {path}")]
    Watch {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: nix::Error,
    },
    /// Waiting for or reading an event failed.
    #[error("cannot read events of {path}")]
    Read {
        /// The cgroup directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// A memory pressure level (the names of v1's `memory.pressure_level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PressureLevel {
    /// The kernel reclaims memory for new allocations.
    Low,
    /// The cgroup swaps and evicts caches.
    Medium,
    /// The cgroup is about to hit its limit or OOM.
    Critical,
}

impl PressureLevel {
    /// The level as `memory.pressure_level` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            PressureLevel::Low => "low",
            PressureLevel::Medium => "medium",
            PressureLevel::Critical => "critical",
        }
    }
}

/// An event of a cgroup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The cgroup ran out of memory: `count` OOM events since the last one reported
    /// (v1: the eventfd counter; v2: the growth of `oom` or `oom_kill` in `memory.events`).
    Oom {
        /// How many.
        count: u64,
    },
    /// Memory pressure reached the level the notifier watches.
    Pressure(PressureLevel),
    /// The cgroup was removed; the notifier ends.
    Removed,
}

/// The kind-specific part of a notifier.
enum Source {
    EventFd(eventfd::Registration),
    Inotify(inotify::MemoryEvents),
    Psi(psi::Trigger),
}

/// A stream of events of one cgroup.
pub struct Notifier {
    dir: PathBuf,
    source: Source,
    ended: bool,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.source {
            Source::EventFd(_) => "eventfd",
            Source::Inotify(_) => "inotify",
            Source::Psi(_) => "psi",
        };
        f.debug_struct("Notifier")
            .field("dir", &self.dir)
            .field("kind", &kind)
            .field("ended", &self.ended)
            .finish()
    }
}

impl Notifier {
    /// OOM events of a v1 memory cgroup.
    pub fn oom_v1(memory_dir: &Path) -> Result<Self, EventsError> {
        let registration = eventfd::Registration::new(memory_dir, "memory.oom_control", None)?;
        Ok(Self::new(memory_dir, Source::EventFd(registration)))
    }

    /// Pressure events of a v1 memory cgroup at `level` or above.
    pub fn pressure_v1(memory_dir: &Path, level: PressureLevel) -> Result<Self, EventsError> {
        let file = "memory.pressure_level";
        let registration = eventfd::Registration::new(memory_dir, file, Some(level))?;
        Ok(Self::new(memory_dir, Source::EventFd(registration)))
    }

    /// OOM events of a v2 cgroup.
    pub fn oom_v2(dir: &Path) -> Result<Self, EventsError> {
        Ok(Self::new(
            dir,
            Source::Inotify(inotify::MemoryEvents::new(dir)?),
        ))
    }

    /// Pressure events of a v2 cgroup, reported as `level` whenever `trigger` fires.
    pub fn pressure_v2(
        dir: &Path,
        trigger: PsiTrigger,
        level: PressureLevel,
    ) -> Result<Self, EventsError> {
        Ok(Self::new(
            dir,
            Source::Psi(psi::Trigger::new(dir, trigger, level)?),
        ))
    }

    fn new(dir: &Path, source: Source) -> Self {
        Notifier {
            dir: dir.to_owned(),
            source,
            ended: false,
        }
    }

    /// The cgroup directory watched.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Waits for the next event, at most `timeout` (`None`: as long as it takes); `Ok(None)`
    /// when the time ran out or the stream ended.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Option<Event>, EventsError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        while !self.ended {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if !self.ready(remaining)? {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(None);
                }
                continue;
            }
            let event = match &mut self.source {
                Source::EventFd(registration) => registration.read(&self.dir)?,
                Source::Inotify(events) => events.read(&self.dir)?,
                Source::Psi(trigger) => trigger.read(&self.dir)?,
            };
            if let Some(event) = event {
                self.ended = event == Event::Removed;
                return Ok(Some(event));
            }
        }
        Ok(None)
    }

    /// Whether the notifier's descriptor has something to read within `timeout`.
    fn ready(&self, timeout: Option<Duration>) -> Result<bool, EventsError> {
        let (fd, flags): (BorrowedFd<'_>, _) = match &self.source {
            Source::EventFd(registration) => (registration.as_fd(), PollFlags::POLLIN),
            Source::Inotify(events) => (events.as_fd(), PollFlags::POLLIN),
            Source::Psi(trigger) => (trigger.as_fd(), PollFlags::POLLPRI),
        };
        let timeout = match timeout {
            None => PollTimeout::NONE,
            // Longer waits than poll(2) takes come back early and wait again.
            Some(t) => PollTimeout::try_from(t).unwrap_or(PollTimeout::MAX),
        };
        let mut fds = [PollFd::new(fd, flags)];
        match poll(&mut fds, timeout) {
            Ok(ready) => Ok(ready > 0),
            Err(nix::errno::Errno::EINTR) => Ok(false),
            Err(errno) => Err(EventsError::Read {
                path: self.dir.clone(),
                source: errno.into(),
            }),
        }
    }

    /// Moves the notifier to a thread and returns the channel it sends events to; the
    /// thread ends after [`Event::Removed`], an error, or when the receiver is dropped and
    /// the next event comes.
    pub fn spawn(self) -> mpsc::Receiver<Result<Event, EventsError>> {
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            for item in self {
                let stop = item.is_err();
                if sender.send(item).is_err() || stop {
                    break;
                }
            }
        });
        receiver
    }
}

impl Iterator for Notifier {
    type Item = Result<Event, EventsError>;

    /// Blocks until the next event; `None` after [`Event::Removed`].
    fn next(&mut self) -> Option<Self::Item> {
        self.wait(None).transpose()
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::Duration;

    use super::*;
    use crate::fixture;

    #[test]
    fn v2_oom_events_come_from_memory_events() {
        let dir = fixture::cgroup("v2");
        let mut notifier = Notifier::oom_v2(dir.path()).unwrap();
        assert_eq!(
            notifier.wait(Some(Duration::from_millis(50))).unwrap(),
            None
        );
        let events = dir.path().join("memory.events");
        // Another counter changing is not an OOM.
        fs::write(&events, "low 0\nhigh 3\nmax 1\noom 0\noom_kill 0\n").unwrap();
        assert_eq!(
            notifier.wait(Some(Duration::from_millis(100))).unwrap(),
            None
        );
        fs::write(&events, "low 0\nhigh 3\nmax 2\noom 1\noom_kill 1\n").unwrap();
        let event = notifier.wait(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(event, Some(Event::Oom { count: 1 }));
        fs::remove_file(&events).unwrap();
        assert_eq!(notifier.next().transpose().unwrap(), Some(Event::Removed));
        assert!(notifier.next().is_none(), "the stream ends with the cgroup");
    }

    #[test]
    fn v1_registrations_name_the_eventfd_the_file_and_the_level() {
        let dir = fixture::cgroup("v1/memory");
        let _oom = Notifier::oom_v1(dir.path()).unwrap();
        let request = fixture::read(dir.path(), "cgroup.event_control");
        assert_eq!(request.split(' ').count(), 2, "{request}");
        let _pressure = Notifier::pressure_v1(dir.path(), PressureLevel::Medium).unwrap();
        let request = fixture::read(dir.path(), "cgroup.event_control");
        assert!(
            request.ends_with(" medium") && request.split(' ').count() == 3,
            "{request}"
        );
        let err = Notifier::oom_v1(&dir.path().join("gone")).unwrap_err();
        assert!(matches!(err, EventsError::Open { .. }), "{err}");
    }

    #[test]
    fn v2_pressure_writes_a_trigger() {
        let dir = fixture::cgroup("v2");
        fs::write(dir.path().join("memory.pressure"), "").unwrap();
        let trigger = PsiTrigger::for_level(PressureLevel::Low);
        let _pressure = Notifier::pressure_v2(dir.path(), trigger, PressureLevel::Low).unwrap();
        assert_eq!(
            fixture::read(dir.path(), "memory.pressure"),
            "some 100000 2000000"
        );
    }

    #[test]
    fn spawn_feeds_a_channel() {
        let dir = fixture::cgroup("v2");
        let receiver = Notifier::oom_v2(dir.path()).unwrap().spawn();
        fs::write(dir.path().join("memory.events"), "oom 2\noom_kill 2\n").unwrap();
        let event = receiver
            .recv_timeout(Duration::from_secs(5))
            .unwrap()
            .unwrap();
        assert_eq!(event, Event::Oom { count: 2 });
    }
}
