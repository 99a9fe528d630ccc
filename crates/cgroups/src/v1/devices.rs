//! The v1 `devices` controller: moving `devices.list` to the exceptions that device rules
//! ask for, with the minimal `devices.allow` / `devices.deny` writes.

use std::path::Path;

use hull_configs::DeviceRule;

use crate::devices::{DevicesError, ExceptionList, Transition};
use crate::error::Result;
use crate::file;

const LIST: &str = "devices.list";

/// The target state of `rules` and the writes from the cgroup's current state to it.
pub(crate) fn plan(dir: &Path, rules: &[DeviceRule]) -> Result<(ExceptionList, Transition)> {
    let target = ExceptionList::from_rules(rules)?;
    let current = ExceptionList::parse_list(&dir.join(LIST), &file::read(dir, LIST)?)?;
    let transition = current.transition(&target);
    Ok((target, transition))
}

/// Writes a transition.
pub(crate) fn apply(dir: &Path, transition: &Transition) -> Result<()> {
    for write in &transition.writes {
        file::write(dir, write.file(), &write.entry)?;
    }
    Ok(())
}

/// Checks that `devices.list` now shows `target`: exactly for a whitelist, and the mode
/// for a blacklist (whose exceptions the kernel does not list).
pub(crate) fn verify(dir: &Path, target: &ExceptionList) -> Result<()> {
    let text = file::read(dir, LIST)?;
    let now = ExceptionList::parse_list(&dir.join(LIST), &text)?;
    let matches = if target.default_allow {
        now.default_allow
    } else {
        now == *target
    };
    if matches {
        return Ok(());
    }
    Err(DevicesError::Mismatch {
        path: dir.join(LIST),
        expected: target.to_string(),
        found: text,
    }
    .into())
}
