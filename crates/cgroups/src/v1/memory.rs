//! The v1 `memory` controller: limits, swap, soft limit, OOM control and swappiness, and
//! the memory statistics.

use std::path::Path;

use hull_configs::Resources;

use crate::error::{CgroupsError, Result};
use crate::file;
use crate::plan::{OnError, Write};
use crate::stats::{MemoryData, MemoryStats};

pub(crate) const LIMIT: &str = "memory.limit_in_bytes";
const SWAP_LIMIT: &str = "memory.memsw.limit_in_bytes";
pub(crate) const USAGE: &str = "memory.usage_in_bytes";

/// Every `memory` write. A memory limit is never above the memory+swap limit in the
/// kernel, so whichever of the two comes first may be refused (`EINVAL`) until the other
/// is written: both retry after the rest.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    let mut plan = Vec::new();
    let memory = r.memory.filter(|&m| m != 0);
    let swap = r.memory_swap.filter(|&s| s != 0);
    if let Some(memory) = memory {
        plan.push(Write::new(LIMIT, memory).on_error(OnError::RetryLast));
    }
    match (memory, swap) {
        (_, Some(swap)) => plan.push(Write::new(SWAP_LIMIT, swap).on_error(OnError::RetryLast)),
        // "Unlimited memory" without a swap value lifts the swap limit too, where the
        // kernel accounts swap.
        (Some(-1), None) => plan.push(Write::new(SWAP_LIMIT, -1).on_error(OnError::SkipIfAbsent)),
        _ => {}
    }
    if let Some(reservation) = r.memory_reservation.filter(|&m| m != 0) {
        plan.push(Write::new("memory.soft_limit_in_bytes", reservation));
    }
    if r.oom_kill_disable {
        plan.push(Write::new("memory.oom_control", 1));
    }
    if let Some(swappiness) = r.memory_swappiness {
        plan.push(Write::new("memory.swappiness", swappiness));
    }
    plan
}

/// Turns the kernel's `EBUSY` for a limit below the usage into [`CgroupsError::MemoryBelowUsage`].
pub(crate) fn explain(dir: &Path, err: CgroupsError) -> CgroupsError {
    let CgroupsError::WriteFile {
        path,
        value,
        source,
    } = err
    else {
        return err;
    };
    let busy = source.raw_os_error() == Some(libc::EBUSY) && path.ends_with(LIMIT);
    match (busy, value.parse(), file::read_u64(dir, USAGE)) {
        (true, Ok(limit), Ok(usage)) => CgroupsError::MemoryBelowUsage {
            path: dir.to_owned(),
            limit,
            usage,
        },
        _ => CgroupsError::WriteFile {
            path,
            value,
            source,
        },
    }
}

/// `memory.<prefix>usage_in_bytes` and its peak, fail count and limit.
fn data(dir: &Path, prefix: &str) -> Result<MemoryData> {
    let read = |name: &str| file::read_u64_optional(dir, &format!("memory.{prefix}{name}"));
    Ok(MemoryData {
        usage: read("usage_in_bytes")?.unwrap_or(0),
        max_usage: read("max_usage_in_bytes")?.unwrap_or(0),
        failcnt: read("failcnt")?.unwrap_or(0),
        limit: read("limit_in_bytes")?.unwrap_or(u64::MAX),
    })
}

/// The memory statistics of a v1 cgroup.
pub(crate) fn stats(dir: &Path) -> Result<MemoryStats> {
    let stats = file::read_flat_keyed(dir, "memory.stat")?;
    let usage = data(dir, "")?;
    let swap_usage = data(dir, "memsw.")?;
    let swap_only_usage = MemoryData {
        usage: swap_usage.usage.saturating_sub(usage.usage),
        failcnt: swap_usage.failcnt.saturating_sub(usage.failcnt),
        ..MemoryData::default()
    };
    let oom_control = file::read_flat_keyed(dir, "memory.oom_control")?;
    Ok(MemoryStats {
        cache: stats.get("cache").copied().unwrap_or(0),
        usage,
        swap_usage,
        swap_only_usage,
        kernel_usage: data(dir, "kmem.")?,
        use_hierarchy: file::read_u64_optional(dir, "memory.use_hierarchy")? == Some(1),
        oom_kills: oom_control.get("oom_kill").copied().unwrap_or(0),
        stats,
        pressure: None,
    })
}

/// The `oom_kill` counter of `memory.oom_control` (Linux 4.13).
pub(crate) fn oom_kill_count(dir: &Path) -> Result<u64> {
    let oom_control = file::read_flat_keyed(dir, "memory.oom_control")?;
    Ok(oom_control.get("oom_kill").copied().unwrap_or(0))
}
