//! The v1 `cpu` controller: CFS shares, quota, period and burst, real-time bandwidth,
//! `SCHED_IDLE`, and throttling statistics.

use std::path::Path;

use hull_configs::Resources;

use crate::error::{CgroupsError, Result};
use crate::file;
use crate::plan::{OnError, Write};
use crate::stats::Throttling;

/// The real-time bandwidth writes. They go in before a process joins: a `SCHED_RR` process
/// cannot join a cgroup without real-time runtime.
pub(crate) fn rt_plan(r: &Resources) -> Vec<Write> {
    let mut plan = Vec::new();
    // The period must fit the runtime of the parent and the runtime the period: write the
    // period first and retry it after the runtime when the kernel refuses it.
    if let Some(period) = r.cpu_rt_period {
        plan.push(Write::new("cpu.rt_period_us", period).on_error(OnError::RetryLast));
    }
    if let Some(runtime) = r.cpu_rt_runtime {
        plan.push(Write::new("cpu.rt_runtime_us", runtime));
    }
    plan
}

/// Every `cpu` write, in runc's order. `cpu_weight`, the v2 form of the shares, is not used.
pub(crate) fn plan(r: &Resources) -> Vec<Write> {
    let mut plan = Vec::new();
    if let Some(shares) = r.cpu_shares {
        plan.push(Write::new("cpu.shares", shares));
    }
    // A smaller period (or larger burst) than the current one may not fit the old quota:
    // they are retried after the quota.
    if let Some(period) = r.cpu_period {
        plan.push(Write::new("cpu.cfs_period_us", period).on_error(OnError::RetryLast));
    }
    if let Some(burst) = r.cpu_burst {
        plan.push(Write::new("cpu.cfs_burst_us", burst).on_error(OnError::RetryLast));
    }
    if let Some(quota) = r.cpu_quota {
        plan.push(Write::new("cpu.cfs_quota_us", quota));
    }
    plan.extend(rt_plan(r));
    if let Some(idle) = r.cpu_idle {
        plan.push(Write::new("cpu.idle", idle));
    }
    plan
}

/// The kernel clamps `cpu.shares` to its range silently: read it back and say so.
pub(crate) fn check_shares(dir: &Path, r: &Resources) -> Result<()> {
    let Some(requested) = r.cpu_shares else {
        return Ok(());
    };
    let effective = file::read_u64(dir, "cpu.shares")?;
    if effective == requested {
        Ok(())
    } else {
        Err(CgroupsError::CpuSharesClamped {
            path: dir.to_owned(),
            requested,
            effective,
        })
    }
}

/// Throttling from `cpu.stat` (`throttled_time` is in nanoseconds on v1).
pub(crate) fn stats(dir: &Path) -> Result<Throttling> {
    let stat = file::read_flat_keyed(dir, "cpu.stat")?;
    let get = |key: &str| stat.get(key).copied().unwrap_or(0);
    Ok(Throttling {
        periods: get("nr_periods"),
        throttled_periods: get("nr_throttled"),
        throttled_time: get("throttled_time"),
    })
}
