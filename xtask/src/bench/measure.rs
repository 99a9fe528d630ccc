//! Timing one runtime command: wall-clock time from spawn to `wait4`, with the peak RSS and
//! CPU time that `wait4` reports for it.

use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::BenchError;
use super::sys;
use crate::command::describe;
use crate::error::{Result, XtaskError};

/// How much of a failed command's stderr goes into the error.
const STDERR_TAIL: usize = 600;

/// What one command took.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// From just before the spawn to the return of `wait4`.
    pub wall: Duration,
    /// User plus system time of the process and the descendants it waited for; `None` for
    /// a composite sample (a whole lifecycle).
    pub cpu: Option<Duration>,
    /// Peak RSS in KiB (`ru_maxrss`: the largest of the process and the descendants it
    /// waited for); `None` for a composite sample.
    pub max_rss_kib: Option<u64>,
}

impl Sample {
    /// A sample of several steps: their wall time only.
    pub fn composite(wall: Duration) -> Sample {
        Sample {
            wall,
            cpu: None,
            max_rss_kib: None,
        }
    }
}

/// Runs commands to time them: stdin from `/dev/null`, stdout to `/dev/null` (or a file),
/// stderr to a file read back when the command fails, each in a process group of its own
/// so that Ctrl-C reaches only the benchmark, which finishes the command, then cleans up;
/// started by `fork` so that their peak RSS is their own (see [`sys::spawn_by_fork`]).
#[derive(Debug)]
pub struct Meter {
    stderr: PathBuf,
}

impl Meter {
    /// A meter that keeps each command's stderr in `stderr`.
    pub fn new(stderr: PathBuf) -> Meter {
        Meter { stderr }
    }

    /// Runs `cmd` (stdout discarded) and times it; fails unless it succeeds, and without
    /// running it once the benchmark was interrupted.
    pub fn measure(&self, cmd: &mut Command) -> Result<Sample> {
        self.measure_to(cmd, Stdio::null())
    }

    /// Like [`Meter::measure`], even when the benchmark was interrupted: for cleaning up.
    pub fn measure_anyway(&self, cmd: &mut Command) -> Result<Sample> {
        self.time(cmd, Stdio::null())
    }

    /// Runs `cmd` with its stdout in file `path` and times it; fails unless it succeeds.
    pub fn measure_into(&self, cmd: &mut Command, path: &Path) -> Result<Sample> {
        let file = File::create(path).map_err(|source| XtaskError::WriteFile {
            path: path.to_owned(),
            source,
        })?;
        self.measure_to(cmd, file.into())
    }

    fn measure_to(&self, cmd: &mut Command, stdout: Stdio) -> Result<Sample> {
        if sys::interrupted() {
            return Err(BenchError::Interrupted.into());
        }
        self.time(cmd, stdout)
    }

    /// Runs `cmd` and times it; fails unless it succeeds.
    fn time(&self, cmd: &mut Command, stdout: Stdio) -> Result<Sample> {
        let stderr = File::create(&self.stderr).map_err(|source| XtaskError::WriteFile {
            path: self.stderr.clone(),
            source,
        })?;
        cmd.stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0);
        sys::spawn_by_fork(cmd);
        let command = describe(cmd);
        let spawn_error = |source| BenchError::Spawn {
            command: command.clone(),
            source,
        };
        let started = Instant::now();
        let child = cmd.spawn().map_err(spawn_error)?;
        let exit = sys::wait4(child.id()).map_err(spawn_error)?;
        let wall = started.elapsed();
        if !exit.status.success() {
            return Err(BenchError::Failed {
                command,
                status: exit.status.to_string(),
                stderr: self.stderr_tail(),
            }
            .into());
        }
        Ok(Sample {
            wall,
            cpu: Some(exit.cpu),
            max_rss_kib: Some(exit.max_rss_kib),
        })
    }

    /// The end of the last command's stderr, on one line.
    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let text = text.trim();
        let start = text
            .char_indices()
            .rev()
            .nth(STDERR_TAIL)
            .map_or(0, |(at, _)| at);
        match text[start..].replace('\n', " | ") {
            tail if tail.is_empty() => "(nothing)".into(),
            tail => tail,
        }
    }
}
