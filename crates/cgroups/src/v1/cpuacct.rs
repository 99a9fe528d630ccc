//! The v1 `cpuacct` controller: CPU time, in total, per CPU and per mode.

use std::path::Path;

use crate::error::Result;
use crate::file;
use crate::stats::CpuUsage;

/// `USER_HZ`: the tick `cpuacct.stat` counts in, 100 on every Linux architecture.
const NANOS_PER_TICK: u64 = 1_000_000_000 / 100;

/// CPU usage from `cpuacct.usage`, `cpuacct.usage_percpu` and the user and system times
/// (`cpuacct.usage_user` / `usage_sys` in nanoseconds, or `cpuacct.stat` in ticks before
/// Linux 4.7).
pub(crate) fn stats(dir: &Path) -> Result<CpuUsage> {
    let total = file::read_u64_optional(dir, "cpuacct.usage")?.unwrap_or(0);
    let per_cpu = match file::read_optional(dir, "cpuacct.usage_percpu")? {
        Some(text) => text
            .split_whitespace()
            .map(|n| file::parse_u64(dir, "cpuacct.usage_percpu", n))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let user = file::read_u64_optional(dir, "cpuacct.usage_user")?;
    let kernel = file::read_u64_optional(dir, "cpuacct.usage_sys")?;
    let (user, kernel) = match (user, kernel) {
        (Some(user), Some(kernel)) => (user, kernel),
        _ => {
            let stat = file::read_flat_keyed(dir, "cpuacct.stat")?;
            let ticks = |key: &str| stat.get(key).copied().unwrap_or(0) * NANOS_PER_TICK;
            (ticks("user"), ticks("system"))
        }
    };
    Ok(CpuUsage {
        total,
        per_cpu,
        user,
        kernel,
    })
}
