//! The v2 `cpu` controller: weight, `cpu.max` (quota and period), burst, `SCHED_IDLE`, and
//! the CPU statistics.

use std::path::Path;

use hull_configs::Resources;

use crate::error::{CgroupsError, Result};
use crate::file;
use crate::plan::{OnError, Write};
use crate::stats::{CpuUsage, Throttling};

/// The CFS period the kernel starts with, in microseconds.
const DEFAULT_PERIOD: u64 = 100_000;

/// libcontainer's conversion of v1 CPU shares (2 to 262144, default 1024) to a v2 weight
/// (1 to 10000, default 100): a quadratic on a log scale that maps the minimum, default and
/// maximum onto each other.
pub fn shares_to_weight(shares: u64) -> u64 {
    match shares {
        0 => 0,
        1..=2 => 1,
        262_144.. => 10_000,
        _ => {
            let l = (shares as f64).log2();
            let exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
            10f64.powf(exponent).ceil() as u64
        }
    }
}

/// Every `cpu` write. `current_max` is the content of `cpu.max`, so that a quota or a
/// period given alone keeps the other one.
pub(crate) fn plan(r: &Resources, current_max: Option<&str>) -> Result<Vec<Write>> {
    if r.cpu_rt_runtime.is_some() {
        return Err(CgroupsError::NoCgroup2Equivalent {
            field: "cpu_rt_runtime",
        });
    }
    if r.cpu_rt_period.is_some() {
        return Err(CgroupsError::NoCgroup2Equivalent {
            field: "cpu_rt_period",
        });
    }
    let mut plan = Vec::new();
    if let Some(idle) = r.cpu_idle {
        plan.push(Write::new("cpu.idle", idle));
    }
    if let Some(weight) = r.cpu_weight.or(r.cpu_shares.map(shares_to_weight)) {
        plan.push(Write::new("cpu.weight", weight));
    }
    // A burst above the old quota is refused until the new quota is in.
    if let Some(burst) = r.cpu_burst {
        plan.push(Write::new("cpu.max.burst", burst).on_error(OnError::RetryLast));
    }
    if r.cpu_quota.is_some() || r.cpu_period.is_some() {
        let mut current = current_max.unwrap_or("").split_whitespace();
        let (old_quota, old_period) = (current.next(), current.next());
        let quota = match r.cpu_quota {
            Some(quota) if quota > 0 => quota.to_string(),
            Some(_) => "max".to_owned(),
            None => old_quota.unwrap_or("max").to_owned(),
        };
        let period = match r.cpu_period {
            Some(period) => period,
            None => old_period
                .and_then(|p| p.parse().ok())
                .unwrap_or(DEFAULT_PERIOD),
        };
        plan.push(Write::new("cpu.max", format!("{quota} {period}")));
    }
    Ok(plan)
}

/// CPU time and throttling from `cpu.stat` (microseconds, reported in nanoseconds).
pub(crate) fn stats(dir: &Path) -> Result<(CpuUsage, Throttling)> {
    let stat = file::read_flat_keyed(dir, "cpu.stat")?;
    let micros = |key: &str| stat.get(key).copied().unwrap_or(0).saturating_mul(1000);
    let count = |key: &str| stat.get(key).copied().unwrap_or(0);
    let usage = CpuUsage {
        total: micros("usage_usec"),
        per_cpu: Vec::new(),
        user: micros("user_usec"),
        kernel: micros("system_usec"),
    };
    let throttling = Throttling {
        periods: count("nr_periods"),
        throttled_periods: count("nr_throttled"),
        throttled_time: micros("throttled_usec"),
    };
    Ok((usage, throttling))
}
