//! The v2 `io` controller: weights (BFQ's `io.bfq.weight`, else `io.weight` with
//! libcontainer's conversion), `io.max` limits, and `io.stat`.

use std::path::Path;

use hull_configs::{Resources, ThrottleDevice};

use crate::error::{CgroupsError, Result};
use crate::file;
use crate::plan::Write;
use crate::stats::{BlkioEntry, BlkioStats};

/// libcontainer's conversion of a v1 block I/O weight (10 to 1000) to an `io.weight`
/// (1 to 10000), linear.
pub fn blkio_weight_to_io_weight(weight: u16) -> u64 {
    if weight == 0 {
        return 0;
    }
    1 + (u64::from(weight).saturating_sub(10)) * 9999 / 990
}

/// Every `io` write. `has(file)` says whether the cgroup has a file (`io.bfq.weight` only
/// with the BFQ scheduler).
pub(crate) fn plan(r: &Resources, has: impl Fn(&str) -> bool) -> Result<Vec<Write>> {
    if r.blkio_leaf_weight.is_some()
        || r.blkio_weight_device
            .iter()
            .any(|d| d.leaf_weight.is_some())
    {
        return Err(CgroupsError::NoCgroup2Equivalent {
            field: "blkio_leaf_weight",
        });
    }
    let mut plan = Vec::new();
    let bfq = has("io.bfq.weight");
    let weight = |w: u16| {
        if bfq {
            u64::from(w)
        } else {
            blkio_weight_to_io_weight(w)
        }
    };
    let weight_file = if bfq { "io.bfq.weight" } else { "io.weight" };
    if let Some(w) = r.blkio_weight {
        plan.push(Write::new(weight_file, weight(w)));
    }
    for device in &r.blkio_weight_device {
        if let Some(w) = device.weight {
            let value = format!("{}:{} {}", device.major, device.minor, weight(w));
            plan.push(Write::new(weight_file, value));
        }
    }
    let limits: [(&str, &[ThrottleDevice]); 4] = [
        ("rbps", &r.blkio_throttle_read_bps_device),
        ("wbps", &r.blkio_throttle_write_bps_device),
        ("riops", &r.blkio_throttle_read_iops_device),
        ("wiops", &r.blkio_throttle_write_iops_device),
    ];
    for (key, devices) in limits {
        for d in devices {
            plan.push(Write::new(
                "io.max",
                format!("{}:{} {key}={}", d.major, d.minor, d.rate),
            ));
        }
    }
    Ok(plan)
}

/// `io.stat`, in v1's shape: bytes and operations per device for `Read`, `Write` and
/// `Discard`.
pub(crate) fn stats(dir: &Path) -> Result<BlkioStats> {
    let mut stats = BlkioStats::default();
    let Some(text) = file::read_optional(dir, "io.stat")? else {
        return Ok(stats);
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let bad = || file::parse_error(dir, "io.stat", line, "\"MAJ:MIN key=value ...\"");
        let (device, pairs) = file::parse_nested_line(line).ok_or_else(bad)?;
        let (major, minor) = device.split_once(':').ok_or_else(bad)?;
        let (major, minor) = (
            major.parse().map_err(|_| bad())?,
            minor.parse().map_err(|_| bad())?,
        );
        for (key, value) in pairs {
            let (list, op) = match key {
                "rbytes" => (&mut stats.io_service_bytes_recursive, "Read"),
                "wbytes" => (&mut stats.io_service_bytes_recursive, "Write"),
                "dbytes" => (&mut stats.io_service_bytes_recursive, "Discard"),
                "rios" => (&mut stats.io_serviced_recursive, "Read"),
                "wios" => (&mut stats.io_serviced_recursive, "Write"),
                "dios" => (&mut stats.io_serviced_recursive, "Discard"),
                _ => continue,
            };
            list.push(BlkioEntry {
                major,
                minor,
                op: op.to_owned(),
                value: file::parse_u64(dir, "io.stat", value)?,
            });
        }
    }
    stats.pressure = super::psi::read(dir, "io.pressure")?;
    Ok(stats)
}
