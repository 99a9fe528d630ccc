//! The `pids` controller, alike on v1 and v2: `pids.max`, and the task count.

use std::path::Path;

use hull_configs::Resources;

use crate::error::Result;
use crate::file;
use crate::plan::Write;
use crate::stats::PidsStats;

/// The value runc writes to `pids.max` for a limit: the limit when positive, `1` for 0
/// (as systemd's `TasksMax` takes it) and `max` for a negative one.
pub(crate) fn max_value(limit: i64) -> String {
    match limit {
        1.. => limit.to_string(),
        0 => "1".to_owned(),
        _ => "max".to_owned(),
    }
}

/// `pids.max`, when a limit is given.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    r.pids_limit
        .map(|limit| Write::new("pids.max", max_value(limit)))
        .into_iter()
        .collect()
}

/// `pids.current` and `pids.max` (v1 and v2 name them alike).
pub(crate) fn stats(dir: &Path) -> Result<PidsStats> {
    let current = file::read_u64_optional(dir, "pids.current")?.unwrap_or(0);
    let limit = match file::read_optional(dir, "pids.max")? {
        Some(text) => file::parse_limit(dir, "pids.max", &text)?,
        None => u64::MAX,
    };
    Ok(PidsStats { current, limit })
}
