//! The cgroup hierarchies mounted here, and sweeping away what the benchmark left in them.
//!
//! Every container of the benchmark lives in a cgroup under `/hull-bench` (its
//! `linux.cgroupsPath` is `/hull-bench/<runtime>-<n>`), so whatever a failed or interrupted
//! run leaves behind is found there, in each hierarchy, and nowhere else.
//!
//! One more place: where the benchmark hid the cgroup2 mount of a hybrid host, the mount
//! point is a plain directory of the filesystem below (the tmpfs at `/sys/fs/cgroup`), and
//! crun 1.8 still "joins" a cgroup there: it creates `hull-bench/<id>/` and writes a plain
//! file `cgroup.procs` in it, which its `delete` does not remove. Those are swept as well.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use super::sys;
use crate::error::{Result, XtaskError};

/// The cgroup under which every benchmark container lives.
pub const PARENT: &str = "hull-bench";

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// How long [`sweep`] retries removing a cgroup whose processes are still exiting.
const REMOVE_PATIENCE: Duration = Duration::from_secs(2);

/// A mounted cgroup hierarchy.
#[derive(Debug)]
pub struct CgroupMount {
    /// Where it is mounted.
    pub point: PathBuf,
    /// Whether it is cgroup2.
    pub v2: bool,
}

/// The cgroup hierarchies mounted in this mount namespace.
pub fn mounts() -> Result<Vec<CgroupMount>> {
    let text = std::fs::read_to_string(MOUNTINFO).map_err(|source| XtaskError::ReadFile {
        path: MOUNTINFO.into(),
        source,
    })?;
    Ok(parse_mounts(&text))
}

/// The cgroup mounts of mountinfo `text`: the mount point is the fifth field, the
/// filesystem type the first after the ` - ` separator. (cgroup mount points have no
/// characters the kernel escapes.)
fn parse_mounts(text: &str) -> Vec<CgroupMount> {
    text.lines()
        .filter_map(|line| {
            let (fields, tail) = line.split_once(" - ")?;
            let point = fields.split(' ').nth(4)?;
            let v2 = match tail.split(' ').next()? {
                "cgroup" => false,
                "cgroup2" => true,
                _ => return None,
            };
            Some(CgroupMount {
                point: PathBuf::from(point),
                v2,
            })
        })
        .collect()
}

/// What [`sweep`] removed.
#[derive(Debug, Default)]
pub struct Swept {
    /// Cgroup directories removed under `/hull-bench` (not counting `/hull-bench` itself).
    pub cgroups: usize,
    /// Processes killed.
    pub processes: usize,
    /// Plain `hull-bench` trees removed under hidden cgroup2 mount points.
    pub shadows: usize,
}

impl Swept {
    /// Whether anything but the empty `/hull-bench` parents was found.
    pub fn found_leftovers(&self) -> bool {
        self.cgroups > 0 || self.processes > 0
    }
}

/// Kills every process left under `/hull-bench` in every mounted hierarchy and removes
/// those cgroups, deepest first, `/hull-bench` itself included; then removes the plain
/// `hull-bench` directories under the `hidden` (unmounted) cgroup2 mount points.
pub fn sweep(hidden: &[PathBuf]) -> Result<Swept> {
    let mut swept = Swept::default();
    for point in hidden {
        let shadow = point.join(PARENT);
        if shadow.is_dir() {
            std::fs::remove_dir_all(&shadow).map_err(|source| XtaskError::RemoveDir {
                path: shadow,
                source,
            })?;
            swept.shadows += 1;
        }
    }
    for mount in mounts()? {
        let top = mount.point.join(PARENT);
        if !top.is_dir() {
            continue;
        }
        let mut dirs = Vec::new();
        subtree(&top, &mut dirs)?;
        // Children come after their parent in `dirs`: remove in reverse.
        for dir in dirs.iter().rev() {
            swept.processes += kill_members(dir)?;
            remove(dir)?;
            swept.cgroups += usize::from(*dir != top);
        }
    }
    Ok(swept)
}

/// `dir` and every cgroup directory under it, parents before children.
fn subtree(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    out.push(dir.to_owned());
    let entries = std::fs::read_dir(dir).map_err(|source| XtaskError::ReadDir {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| XtaskError::ReadDir {
            path: dir.to_owned(),
            source,
        })?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            subtree(&entry.path(), out)?;
        }
    }
    Ok(())
}

/// Sends `SIGKILL` to every process in cgroup `dir`; returns how many there were.
fn kill_members(dir: &Path) -> Result<usize> {
    let procs = dir.join("cgroup.procs");
    let text = match std::fs::read_to_string(&procs) {
        Ok(text) => text,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(0),
        Err(source) => {
            return Err(XtaskError::ReadFile {
                path: procs,
                source,
            });
        }
    };
    let pids: Vec<u32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    for &pid in &pids {
        // It may have exited since the read: nothing to do then.
        let _ = sys::kill(pid);
    }
    Ok(pids.len())
}

/// Removes cgroup `dir`, retrying while its killed processes finish exiting (and reaping
/// them: they are our children once their runtime is gone).
fn remove(dir: &Path) -> Result<()> {
    let started = Instant::now();
    loop {
        while sys::reap_any().is_some() {}
        match std::fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(()),
            Err(_) if started.elapsed() < REMOVE_PATIENCE => {
                thread::sleep(Duration::from_millis(10));
            }
            Err(source) => {
                return Err(XtaskError::RemoveDir {
                    path: dir.to_owned(),
                    source,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_v1_and_v2_mounts() {
        let text = "\
25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
30 25 0:26 / /sys/fs/cgroup rw shared:9 - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/memory rw,relatime shared:10 - cgroup cgroup rw,memory
40 30 0:35 / /sys/fs/cgroup/unified rw,relatime shared:19 - cgroup2 cgroup2 rw";
        let mounts = parse_mounts(text);
        let found: Vec<(&str, bool)> = mounts
            .iter()
            .map(|m| (m.point.to_str().unwrap(), m.v2))
            .collect();
        assert_eq!(
            found,
            [
                ("/sys/fs/cgroup/memory", false),
                ("/sys/fs/cgroup/unified", true)
            ]
        );
    }
}
