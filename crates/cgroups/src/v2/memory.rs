//! The v2 `memory` controller: `memory.max`, `memory.swap.max` (converted from v1's
//! memory+swap), `memory.low`, and the memory statistics.

use std::path::Path;

use hull_configs::Resources;

use super::limit_value;
use crate::error::{CgroupsError, Result};
use crate::file;
use crate::plan::{OnError, Write};
use crate::stats::{MemoryData, MemoryStats};

/// The current usage.
pub(crate) const USAGE: &str = "memory.current";

/// libcontainer's conversion of a v1 memory+swap limit to a v2 swap limit (`-1`: none;
/// `None`: leave it). Values of 0 mean "not given", as in runc.
pub fn swap_limit(memory: i64, memory_swap: i64) -> Result<Option<i64>> {
    let invalid = |reason| CgroupsError::InvalidValue {
        field: "memory_swap",
        value: memory_swap.to_string(),
        reason,
    };
    match (memory, memory_swap) {
        // "Unlimited memory" lifts the swap limit too, as on v1.
        (-1, 0) => Ok(Some(-1)),
        (_, 0) => Ok(None),
        (_, -1) | (-1, _) => Ok(Some(memory_swap)),
        (0, _) => Err(invalid("a swap limit needs a memory limit")),
        (m, _) if m < 0 => Err(invalid("the memory limit is negative")),
        (m, s) if s < m => Err(invalid("memory+swap is below the memory limit")),
        (m, s) => Ok(Some(s - m)),
    }
}

/// Every `memory` write; settings v2 has no file for are errors.
pub(crate) fn plan(r: &Resources) -> Result<Vec<Write>> {
    if r.memory_swappiness.is_some() {
        return Err(CgroupsError::NoCgroup2Equivalent {
            field: "memory_swappiness",
        });
    }
    if r.oom_kill_disable {
        return Err(CgroupsError::NoCgroup2Equivalent {
            field: "oom_kill_disable",
        });
    }
    let mut plan = Vec::new();
    let memory = r.memory.unwrap_or(0);
    if let Some(swap) = swap_limit(memory, r.memory_swap.unwrap_or(0))? {
        let write = Write::new("memory.swap.max", limit_value(swap));
        // Without swap accounting there is no file: "no swap" and "any swap" then hold.
        plan.push(if swap <= 0 {
            write.on_error(OnError::SkipIfAbsent)
        } else {
            write
        });
    }
    if memory != 0 {
        plan.push(Write::new("memory.max", limit_value(memory)));
    }
    if let Some(low) = r.memory_reservation.filter(|&m| m != 0) {
        plan.push(Write::new("memory.low", limit_value(low)));
    }
    Ok(plan)
}

/// `<prefix>.current`, `.peak`, `.max` and the `max` events of `memory` or `memory.swap`.
fn data(dir: &Path, prefix: &str) -> Result<MemoryData> {
    let limit = match file::read_optional(dir, &format!("{prefix}.max"))? {
        Some(text) => file::parse_limit(dir, &format!("{prefix}.max"), &text)?,
        None => u64::MAX,
    };
    let events = file::read_flat_keyed(dir, &format!("{prefix}.events"))?;
    Ok(MemoryData {
        usage: file::read_u64_optional(dir, &format!("{prefix}.current"))?.unwrap_or(0),
        max_usage: file::read_u64_optional(dir, &format!("{prefix}.peak"))?.unwrap_or(0),
        failcnt: events.get("max").copied().unwrap_or(0),
        limit,
    })
}

/// The memory statistics of a v2 cgroup; swap is also reported added to memory, as v1
/// reports it.
pub(crate) fn stats(dir: &Path) -> Result<MemoryStats> {
    let stats = file::read_flat_keyed(dir, "memory.stat")?;
    let usage = data(dir, "memory")?;
    let swap_only_usage = data(dir, "memory.swap")?;
    let swap_usage = MemoryData {
        usage: swap_only_usage.usage.saturating_add(usage.usage),
        max_usage: 0,
        failcnt: swap_only_usage.failcnt,
        limit: swap_only_usage.limit.saturating_add(usage.limit),
    };
    Ok(MemoryStats {
        cache: stats.get("file").copied().unwrap_or(0),
        usage,
        swap_usage,
        swap_only_usage,
        kernel_usage: MemoryData::default(),
        use_hierarchy: true,
        oom_kills: oom_kill_count(dir)?,
        stats,
        pressure: super::psi::read(dir, "memory.pressure")?,
    })
}

/// The `oom_kill` counter of `memory.events`.
pub(crate) fn oom_kill_count(dir: &Path) -> Result<u64> {
    let events = file::read_flat_keyed(dir, "memory.events")?;
    Ok(events.get("oom_kill").copied().unwrap_or(0))
}
