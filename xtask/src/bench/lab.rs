//! The bench's containers and what it takes to leave nothing behind: every container made
//! is recorded until its runtime deletes it, and dropping the [`Lab`] (on success, on an
//! error, on Ctrl-C) force-deletes whatever is left, then sweeps `/hull-bench` in every
//! cgroup hierarchy. The state directories are on a tmpfs of the benchmark's private mount
//! namespace, which goes away with it.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use super::BenchError;
use super::bundle::Bundle;
use super::cgroupfs;
use super::measure::Meter;
use super::runtime::Runtime;
use super::sys;
use crate::error::{Result, XtaskError};

/// How long a killed or finished container may take to exit.
const EXIT_PATIENCE: Duration = Duration::from_secs(20);

/// The runtimes, the bundle, and the containers that exist.
#[derive(Debug)]
pub struct Lab<'a> {
    /// The runtimes under test, in the order of the first round (see [`Lab::order`]).
    pub runtimes: Vec<Runtime>,
    /// The bundle they all run.
    pub bundle: &'a Bundle,
    /// Times their commands.
    pub meter: Meter,
    /// Where pid files go.
    pids: PathBuf,
    /// The cgroup2 mount points hidden for the benchmark (see [`cgroupfs::sweep`]).
    hidden: Vec<PathBuf>,
    /// The pause before each command that puts a process in a cgroup.
    settle: Duration,
    /// Containers made and not yet deleted: (index in `runtimes`, id).
    live: BTreeSet<(usize, String)>,
    /// The number of the last container made.
    count: usize,
}

impl<'a> Lab<'a> {
    /// A lab for `runtimes` running `bundle`, with pid files in `pids` (created here),
    /// pausing `settle` before each command that puts a process in a cgroup; `hidden`
    /// names the cgroup2 mount points the benchmark unmounted.
    pub fn new(
        runtimes: Vec<Runtime>,
        bundle: &'a Bundle,
        meter: Meter,
        pids: PathBuf,
        hidden: Vec<PathBuf>,
        settle: Duration,
    ) -> Result<Lab<'a>> {
        std::fs::create_dir_all(&pids).map_err(|source| XtaskError::CreateDir {
            path: pids.clone(),
            source,
        })?;
        Ok(Lab {
            runtimes,
            bundle,
            meter,
            pids,
            hidden,
            settle,
            live: BTreeSet::new(),
            count: 0,
        })
    }

    /// A new container id for runtime `index` (`<name>-<n>`, also its cgroup's name), with
    /// the bundle configured to run `args` in it; it counts as live until [`Lab::gone`].
    pub fn prepare(&mut self, index: usize, args: &[&str]) -> Result<String> {
        self.count += 1;
        let id = format!("{}-{}", self.runtimes[index].name, self.count);
        self.bundle.configure(&id, args)?;
        self.live.insert((index, id.clone()));
        Ok(id)
    }

    /// The runtimes' indices in the order of round `round`: rotated by one each round, so
    /// that no runtime always follows the same one.
    pub fn order(&self, round: usize) -> impl Iterator<Item = usize> + use<> {
        rotation(round, self.runtimes.len())
    }

    /// Waits before a command that moves a process into a cgroup, so that every such
    /// command starts with the kernel in the same state.
    ///
    /// The first write to a v1 `cgroup.procs` after a quiet moment waits for an RCU grace
    /// period (the writer side of `cgroup_threadgroup_rwsem`): 5 to 15 ms here, asleep.
    /// Within about 10 ms of another such write it costs 20 µs. Without this pause a
    /// runtime that happens to start right after another one's cgroup write skips the wait,
    /// and the order of the runtimes, not the runtimes, decides 10 ms of their times.
    pub fn settle(&self) {
        thread::sleep(self.settle);
    }

    /// The cgroups and shadows left under `/hull-bench`, swept (see [`cgroupfs::sweep`]).
    pub fn sweep(&self) -> Result<cgroupfs::Swept> {
        cgroupfs::sweep(&self.hidden)
    }

    /// Container `id` of runtime `index` was deleted by its runtime.
    pub fn gone(&mut self, index: usize, id: &str) {
        self.live.remove(&(index, id.to_owned()));
    }

    /// The pid file for container `id`.
    pub fn pid_file(&self, id: &str) -> PathBuf {
        self.pids.join(format!("{id}.pid"))
    }

    /// The pid a runtime wrote in container `id`'s pid file.
    pub fn read_pid(&self, id: &str) -> Result<u32> {
        let path = self.pid_file(id);
        let text = std::fs::read_to_string(&path).map_err(|source| XtaskError::ReadFile {
            path: path.clone(),
            source,
        })?;
        text.trim()
            .parse()
            .map_err(|_| BenchError::PidFile { path }.into())
    }

    /// Force-deletes every container left, then sweeps the cgroups; says what it did.
    fn clean_up(&mut self) {
        let left = std::mem::take(&mut self.live);
        let mut failed = 0;
        for (index, id) in &left {
            let runtime = &self.runtimes[*index];
            if let Err(err) = self.meter.measure_anyway(&mut runtime.delete(id, true)) {
                failed += 1;
                eprintln!("bench: cleanup: {err}");
            }
        }
        while sys::reap_any().is_some() {}
        match self.sweep() {
            Ok(swept) if left.is_empty() && !swept.found_leftovers() => {}
            Ok(swept) => println!(
                "bench: cleanup: force-deleted {} containers ({failed} failed), removed {} \
                 cgroups, killed {} processes",
                left.len(),
                swept.cgroups,
                swept.processes
            ),
            Err(err) => eprintln!("bench: cleanup: {err}"),
        }
    }
}

impl Drop for Lab<'_> {
    fn drop(&mut self) {
        self.clean_up();
    }
}

/// `0..n` rotated left by `round % n`.
pub fn rotation(round: usize, n: usize) -> impl Iterator<Item = usize> {
    (0..n).map(move |i| (i + round) % n.max(1))
}

/// Waits until process `pid` (a container's init, our child since we are the subreaper)
/// has exited, and reaps it.
pub fn wait_exit(pid: u32) -> Result<()> {
    let started = Instant::now();
    loop {
        let err = match sys::wait4(pid) {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        // Not our child: it is someone else's to reap; poll until it is gone.
        if err.raw_os_error() != Some(libc::ECHILD) {
            return Err(BenchError::WaitContainer { pid, source: err }.into());
        }
        if !alive(pid) {
            return Ok(());
        }
        if started.elapsed() > EXIT_PATIENCE {
            return Err(BenchError::WaitContainer {
                pid,
                source: io::Error::from(io::ErrorKind::TimedOut),
            }
            .into());
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// Whether `pid` exists and is not a zombie.
fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat"));
    // The state is the first field after the command's closing parenthesis.
    stat.ok()
        .and_then(|text| {
            let (_, rest) = text.rsplit_once(')')?;
            rest.split_whitespace().next().map(|state| state != "Z")
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::rotation;

    #[test]
    fn rounds_rotate() {
        assert_eq!(rotation(0, 3).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(rotation(4, 3).collect::<Vec<_>>(), [1, 2, 0]);
        assert_eq!(rotation(2, 4).collect::<Vec<_>>(), [2, 3, 0, 1]);
    }
}
