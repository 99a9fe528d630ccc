//! Removing a cgroup directory and its sub-cgroups.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;
use std::thread;
use std::time::Duration;

use crate::error::{CgroupsError, Result};
use crate::file;

/// How often `rmdir` is retried while the cgroup is busy, with doubling pauses from
/// [`FIRST_PAUSE`]: about two seconds in all.
const TRIES: u32 = 10;
const FIRST_PAUSE: Duration = Duration::from_millis(2);

/// Removes the cgroup `dir`: sub-cgroups first, then `dir` itself, retrying while the
/// kernel still holds exiting processes in it (`EBUSY`). A missing `dir` is fine.
pub(crate) fn remove(dir: &Path) -> Result<()> {
    if rmdir(dir, false)? {
        return Ok(());
    }
    let subs = match file::sub_cgroups(dir) {
        Ok(subs) => subs,
        Err(CgroupsError::ListCgroup { source, .. }) if source.kind() == ErrorKind::NotFound => {
            return Ok(());
        }
        Err(err) => return Err(err),
    };
    for sub in subs {
        remove(&sub)?;
    }
    rmdir(dir, true).map(drop)
}

/// `rmdir(2)`: `Ok(true)` once removed (or absent), `Ok(false)` when busy or not empty
/// and `retry` is off.
fn rmdir(dir: &Path, retry: bool) -> Result<bool> {
    let mut pause = FIRST_PAUSE;
    let mut tries = 0;
    loop {
        match fs::remove_dir(dir) {
            Ok(()) => return Ok(true),
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(true),
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) if !retry && is_busy(&err) => return Ok(false),
            Err(err) if err.raw_os_error() == Some(libc::EBUSY) && tries < TRIES => {
                tries += 1;
                thread::sleep(pause);
                pause *= 2;
            }
            Err(source) => {
                return Err(CgroupsError::RemoveCgroup {
                    path: dir.to_owned(),
                    source,
                });
            }
        }
    }
}

/// `EBUSY` (processes or sub-cgroups left) or `ENOTEMPTY` (a fixture tree's files).
fn is_busy(err: &std::io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EBUSY | libc::ENOTEMPTY))
}
