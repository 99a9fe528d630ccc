//! The v2 freezer: `cgroup.freeze`, confirmed by `frozen 1` in `cgroup.events`.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use hull_configs::FreezerState;

use crate::error::{CgroupsError, Result};
use crate::file;

const FREEZE: &str = "cgroup.freeze";
/// How long a freeze may take before it is given up and undone.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the cgroup `dir` has a v2 freezer (Linux 5.2).
pub(crate) fn available(dir: &Path) -> bool {
    dir.join(FREEZE).exists()
}

/// Freezes the cgroup `dir` and waits until the kernel reports it frozen.
pub(crate) fn freeze(dir: &Path) -> Result<()> {
    file::write(dir, FREEZE, "1")?;
    let started = Instant::now();
    while !frozen(dir)? {
        if started.elapsed() > TIMEOUT {
            // Never leave a cgroup half frozen.
            let thawed = thaw(dir);
            return thawed.and(Err(CgroupsError::FreezeTimeout {
                path: dir.to_owned(),
                waited: started.elapsed(),
            }));
        }
        thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

/// Thaws the cgroup `dir`.
pub(crate) fn thaw(dir: &Path) -> Result<()> {
    file::write(dir, FREEZE, "0")
}

/// The state asked of the cgroup `dir` (waiting for a freeze under way to complete);
/// `None` without a v2 freezer.
pub(crate) fn state(dir: &Path) -> Result<Option<FreezerState>> {
    match file::read_optional(dir, FREEZE)?.as_deref().map(str::trim) {
        None => Ok(None),
        Some("0") => Ok(Some(FreezerState::Thawed)),
        Some("1") => {
            let started = Instant::now();
            while !frozen(dir)? && started.elapsed() < TIMEOUT {
                thread::sleep(Duration::from_millis(10));
            }
            Ok(Some(FreezerState::Frozen))
        }
        Some(other) => Err(file::parse_error(dir, FREEZE, other, "0 or 1")),
    }
}

/// `frozen 1` in `cgroup.events`.
fn frozen(dir: &Path) -> Result<bool> {
    let events = file::read_flat_keyed(dir, "cgroup.events")?;
    Ok(events.get("frozen") == Some(&1))
}
