//! The v1 `blkio` controller: weights (CFQ's `blkio.weight` or BFQ's `blkio.bfq.weight`),
//! throttling, and I/O statistics.

use std::path::Path;

use hull_configs::{Resources, ThrottleDevice};

use crate::error::Result;
use crate::file;
use crate::plan::Write;
use crate::stats::{BlkioEntry, BlkioStats};

/// Every `blkio` write. `has(file)` says whether the cgroup has a file: the weight files
/// are CFQ's or BFQ's depending on the kernel's I/O schedulers.
pub(crate) fn plan(r: &Resources, has: impl Fn(&str) -> bool) -> Vec<Write> {
    let mut plan = Vec::new();
    let prefix = if has("blkio.weight") {
        "blkio."
    } else {
        "blkio.bfq."
    };
    if let Some(weight) = r.blkio_weight {
        plan.push(Write::new(format!("{prefix}weight"), weight));
    }
    if let Some(weight) = r.blkio_leaf_weight {
        plan.push(Write::new("blkio.leaf_weight", weight));
    }
    for device in &r.blkio_weight_device {
        let number = format!("{}:{}", device.major, device.minor);
        if let Some(weight) = device.weight {
            plan.push(Write::new(
                format!("{prefix}weight_device"),
                format!("{number} {weight}"),
            ));
        }
        if let Some(weight) = device.leaf_weight {
            plan.push(Write::new(
                "blkio.leaf_weight_device",
                format!("{number} {weight}"),
            ));
        }
    }
    let throttles: [(&str, &[ThrottleDevice]); 4] = [
        ("read_bps_device", &r.blkio_throttle_read_bps_device),
        ("write_bps_device", &r.blkio_throttle_write_bps_device),
        ("read_iops_device", &r.blkio_throttle_read_iops_device),
        ("write_iops_device", &r.blkio_throttle_write_iops_device),
    ];
    for (name, devices) in throttles {
        for d in devices {
            let value = format!("{}:{} {}", d.major, d.minor, d.rate);
            plan.push(Write::new(format!("blkio.throttle.{name}"), value));
        }
    }
    plan
}

/// Whether any `blkio` resource is given.
pub(crate) fn is_set(r: &Resources) -> bool {
    r.blkio_weight.is_some()
        || r.blkio_leaf_weight.is_some()
        || !r.blkio_weight_device.is_empty()
        || !r.blkio_throttle_read_bps_device.is_empty()
        || !r.blkio_throttle_write_bps_device.is_empty()
        || !r.blkio_throttle_read_iops_device.is_empty()
        || !r.blkio_throttle_write_iops_device.is_empty()
}

/// Bytes and operations per device: from BFQ's recursive statistics when it has any
/// device in them, else from the throttling layer's (which sees all I/O).
pub(crate) fn stats(dir: &Path) -> Result<BlkioStats> {
    let mut stats = BlkioStats::default();
    for prefix in ["blkio.bfq.", "blkio.throttle."] {
        let bytes = entries(dir, &format!("{prefix}io_service_bytes_recursive"))?;
        let ios = entries(dir, &format!("{prefix}io_serviced_recursive"))?;
        if !bytes.is_empty() || !ios.is_empty() {
            stats.io_service_bytes_recursive = bytes;
            stats.io_serviced_recursive = ios;
            break;
        }
    }
    Ok(stats)
}

/// The `MAJ:MIN Op value` lines of a statistics file (the closing `Total N` line is not
/// per device and is left out).
fn entries(dir: &Path, name: &str) -> Result<Vec<BlkioEntry>> {
    let Some(text) = file::read_optional(dir, name)? else {
        return Ok(Vec::new());
    };
    let mut entries = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [device, op, value] = words[..] else {
            continue;
        };
        let bad = || file::parse_error(dir, name, line, "a \"MAJ:MIN Op value\" line");
        let (major, minor) = device.split_once(':').ok_or_else(bad)?;
        entries.push(BlkioEntry {
            major: major.parse().map_err(|_| bad())?,
            minor: minor.parse().map_err(|_| bad())?,
            op: op.to_owned(),
            value: file::parse_u64(dir, name, value)?,
        });
    }
    Ok(entries)
}
