//! Raw v2 settings: the `unified` map of `Resources`, file name to value.

use hull_configs::Resources;

use crate::error::{CgroupsError, Result};
use crate::plan::Write;

/// The writes of each key, after checking it is a cgroup file name (`<controller>.<name>`,
/// no path separator). A value of several lines (`io.max` for two devices) is written a
/// line at a time, as the kernel takes one entry per write.
pub(crate) fn plan(r: &Resources) -> Result<Vec<Write>> {
    let mut plan = Vec::new();
    for (key, value) in &r.unified {
        let valid = key
            .split_once('.')
            .is_some_and(|(c, f)| !c.is_empty() && !f.is_empty() && !c.starts_with('.'))
            && !key.contains('/');
        if !valid {
            return Err(CgroupsError::InvalidUnifiedKey { key: key.clone() });
        }
        let mut lines: Vec<&str> = value.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            lines.push(value);
        }
        plan.extend(lines.into_iter().map(|line| Write::new(key.clone(), line)));
    }
    Ok(plan)
}
