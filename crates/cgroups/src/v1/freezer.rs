//! The v1 `freezer` controller: `freezer.state`.
//!
//! Freezing can stay in `FREEZING` while processes keep forking; as libcontainer does, the
//! freeze is written again until `FROZEN` is read back, with an occasional thaw and pause
//! to let new processes settle, and the cgroup is thawed again when it never freezes.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use hull_configs::FreezerState;

use crate::error::{CgroupsError, Result};
use crate::file;

const STATE: &str = "freezer.state";
const TRIES: u32 = 1000;

/// Freezes the cgroup `dir` and waits until it is frozen.
pub(crate) fn freeze(dir: &Path) -> Result<()> {
    let started = Instant::now();
    for attempt in 0..TRIES {
        if attempt % 50 == 49 {
            file::write(dir, STATE, "THAWED")?;
            thread::sleep(Duration::from_millis(10));
        }
        file::write(dir, STATE, "FROZEN")?;
        if attempt % 25 == 24 {
            thread::sleep(Duration::from_micros(10));
        }
        match file::read(dir, STATE)?.trim() {
            "FROZEN" => return Ok(()),
            "FREEZING" => continue,
            other => return Err(file::parse_error(dir, STATE, other, "FROZEN or FREEZING")),
        }
    }
    // Never leave a cgroup half frozen.
    let thawed = thaw(dir);
    thawed.and(Err(CgroupsError::FreezeTimeout {
        path: dir.to_owned(),
        waited: started.elapsed(),
    }))
}

/// Thaws the cgroup `dir`.
pub(crate) fn thaw(dir: &Path) -> Result<()> {
    file::write(dir, STATE, "THAWED")
}

/// The state of the cgroup `dir` itself: frozen only when frozen on its own account, not
/// because an ancestor is (`freezer.self_freezing`).
pub(crate) fn state(dir: &Path) -> Result<FreezerState> {
    loop {
        match file::read(dir, STATE)?.trim() {
            "THAWED" => return Ok(FreezerState::Thawed),
            "FREEZING" => thread::sleep(Duration::from_millis(1)),
            "FROZEN" => {
                let own = file::read_optional(dir, "freezer.self_freezing")?;
                return Ok(match own.as_deref().map(str::trim) {
                    Some("0") => FreezerState::Thawed,
                    _ => FreezerState::Frozen,
                });
            }
            other => {
                return Err(file::parse_error(
                    dir,
                    STATE,
                    other,
                    "THAWED, FREEZING or FROZEN",
                ));
            }
        }
    }
}
