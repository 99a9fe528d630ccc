//! What the `memory` controller does alike on v1 and v2.

use std::path::Path;

use hull_configs::Resources;

use crate::error::{CgroupsError, Result};
use crate::file;

/// With `memory_check_before_update`, refuses a limit below the current usage, read from
/// `usage_file` (`memory.usage_in_bytes` on v1, `memory.current` on v2).
pub(crate) fn check_usage(dir: &Path, usage_file: &str, r: &Resources) -> Result<()> {
    let Some(limit) = r.memory.filter(|&m| m > 0 && r.memory_check_before_update) else {
        return Ok(());
    };
    let usage = file::read_u64(dir, usage_file)?;
    if usage > limit.unsigned_abs() {
        return Err(CgroupsError::MemoryBelowUsage {
            path: dir.to_owned(),
            limit,
            usage,
        });
    }
    Ok(())
}
