//! The cgroup must be placed unambiguously, inside the cgroup tree, and every resource value
//! must be one the kernel accepts.

use std::path::{Component, Path};

use super::HostFacts;
use crate::cgroup::{Cgroup, Resources};
use crate::config::Config;
use crate::device::DeviceKind;

/// Why the cgroup part of a config cannot be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CgroupError {
    /// Both a path and a name or parent.
    #[error("cgroup path {path:?} cannot be combined with a name or parent")]
    PathAndName {
        /// The path.
        path: String,
    },
    /// A path, name or parent with a `..` component.
    #[error("cgroup {field} {value:?} climbs out of the cgroup tree with \"..\"")]
    Escapes {
        /// `"path"`, `"name"` or `"parent"`.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// Raw cgroup v2 settings on a host whose cgroups are not pure v2.
    #[error("unified cgroup settings need a pure cgroup v2 host")]
    UnifiedWithoutCgroup2,
    /// A `unified` key that is not a cgroup file name.
    #[error("unified cgroup key {key:?} is not a cgroup file name")]
    InvalidUnifiedKey {
        /// The key.
        key: String,
    },
    /// A resource value outside what the kernel takes.
    #[error("cgroup {field} {value} is out of range: expected {expected}")]
    OutOfRange {
        /// The resource field.
        field: &'static str,
        /// The value given.
        value: i128,
        /// What is accepted.
        expected: &'static str,
    },
    /// A memory+swap limit below the memory limit.
    #[error("cgroup memory_swap {swap} is below memory {memory}")]
    SwapBelowMemory {
        /// The memory limit.
        memory: i64,
        /// The memory+swap limit.
        swap: i64,
    },
    /// A huge page size the kernel does not name that way.
    #[error("invalid huge page size {pagesize:?}, expected a size like \"2MB\" or \"1GB\"")]
    InvalidHugepageSize {
        /// The size given.
        pagesize: String,
    },
    /// A device rule the cgroup cannot express.
    #[error("invalid device rule {rule:?}: {reason}")]
    InvalidDeviceRule {
        /// The rule, in `devices.allow` syntax.
        rule: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

pub(super) fn check(config: &Config, host: &HostFacts) -> Result<(), CgroupError> {
    let cgroup = &config.cgroup;
    check_placement(cgroup)?;
    let r = &cgroup.resources;
    if !r.unified.is_empty() && !host.cgroup2_unified {
        return Err(CgroupError::UnifiedWithoutCgroup2);
    }
    if let Some(key) = r.unified.keys().find(|key| !is_cgroup_file_name(key)) {
        return Err(CgroupError::InvalidUnifiedKey { key: key.clone() });
    }
    check_memory(r)?;
    check_cpu(r)?;
    check_blkio(r)?;
    check_devices(r)?;
    if let Some(limit) = r
        .hugetlb_limit
        .iter()
        .find(|l| !is_hugepage_size(&l.pagesize))
    {
        return Err(CgroupError::InvalidHugepageSize {
            pagesize: limit.pagesize.clone(),
        });
    }
    Ok(())
}

fn check_placement(cgroup: &Cgroup) -> Result<(), CgroupError> {
    if let Some(path) = &cgroup.path
        && (cgroup.name.is_some() || cgroup.parent.is_some())
    {
        return Err(CgroupError::PathAndName { path: path.clone() });
    }
    let fields = [
        ("path", &cgroup.path),
        ("name", &cgroup.name),
        ("parent", &cgroup.parent),
    ];
    for (field, value) in fields {
        let Some(value) = value else { continue };
        if Path::new(value)
            .components()
            .any(|c| c == Component::ParentDir)
        {
            return Err(CgroupError::Escapes {
                field,
                value: value.clone(),
            });
        }
    }
    Ok(())
}

/// Checks an optional value against a predicate, naming the field and the accepted range.
fn range<T: Copy + Into<i128>>(
    field: &'static str,
    value: Option<T>,
    expected: &'static str,
    ok: impl Fn(i128) -> bool,
) -> Result<(), CgroupError> {
    match value.map(Into::into) {
        Some(value) if !ok(value) => Err(CgroupError::OutOfRange {
            field,
            value,
            expected,
        }),
        _ => Ok(()),
    }
}

const LIMIT: &str = "-1 (unlimited) or a positive number";

fn check_memory(r: &Resources) -> Result<(), CgroupError> {
    range("memory", r.memory, LIMIT, |v| v == -1 || v > 0)?;
    range("memory_swap", r.memory_swap, LIMIT, |v| v == -1 || v > 0)?;
    range(
        "memory_reservation",
        r.memory_reservation,
        "-1 (unlimited) or at least 0",
        |v| v >= -1,
    )?;
    range("memory_swappiness", r.memory_swappiness, "0 to 100", |v| {
        v <= 100
    })?;
    match (r.memory, r.memory_swap) {
        (Some(memory), Some(swap)) if memory > 0 && swap > 0 && swap < memory => {
            Err(CgroupError::SwapBelowMemory { memory, swap })
        }
        _ => Ok(()),
    }
}

fn check_cpu(r: &Resources) -> Result<(), CgroupError> {
    range("cpu_shares", r.cpu_shares, "2 to 262144", |v| {
        (2..=262_144).contains(&v)
    })?;
    range("cpu_weight", r.cpu_weight, "1 to 10000", |v| {
        (1..=10_000).contains(&v)
    })?;
    range(
        "cpu_quota",
        r.cpu_quota,
        "-1 (unlimited) or at least 1000 microseconds",
        |v| v == -1 || v >= 1000,
    )?;
    range(
        "cpu_period",
        r.cpu_period,
        "1000 to 1000000 microseconds",
        |v| (1000..=1_000_000).contains(&v),
    )?;
    range(
        "cpu_rt_runtime",
        r.cpu_rt_runtime,
        "-1 (unlimited) or at least 0",
        |v| v >= -1,
    )?;
    range(
        "cpu_rt_period",
        r.cpu_rt_period,
        "at least 1 microsecond",
        |v| v >= 1,
    )?;
    range("cpu_idle", r.cpu_idle, "0 or 1", |v| v == 0 || v == 1)
}

fn check_blkio(r: &Resources) -> Result<(), CgroupError> {
    const WEIGHT: &str = "10 to 1000";
    let weight = |v: i128| (10..=1000).contains(&v);
    range("blkio_weight", r.blkio_weight, WEIGHT, weight)?;
    range("blkio_leaf_weight", r.blkio_leaf_weight, WEIGHT, weight)?;
    for device in &r.blkio_weight_device {
        range("blkio_weight_device.weight", device.weight, WEIGHT, weight)?;
        range(
            "blkio_weight_device.leaf_weight",
            device.leaf_weight,
            WEIGHT,
            weight,
        )?;
    }
    let devices = r
        .blkio_weight_device
        .iter()
        .map(|d| (d.major, d.minor))
        .chain(
            r.blkio_throttle_read_bps_device
                .iter()
                .map(|d| (d.major, d.minor)),
        )
        .chain(
            r.blkio_throttle_write_bps_device
                .iter()
                .map(|d| (d.major, d.minor)),
        )
        .chain(
            r.blkio_throttle_read_iops_device
                .iter()
                .map(|d| (d.major, d.minor)),
        )
        .chain(
            r.blkio_throttle_write_iops_device
                .iter()
                .map(|d| (d.major, d.minor)),
        );
    for (major, minor) in devices {
        range("blkio device major", Some(major), "at least 0", |v| v >= 0)?;
        range("blkio device minor", Some(minor), "at least 0", |v| v >= 0)?;
    }
    Ok(())
}

fn check_devices(r: &Resources) -> Result<(), CgroupError> {
    for rule in &r.devices {
        let invalid = |reason| CgroupError::InvalidDeviceRule {
            rule: rule.cgroup_v1_entry(),
            reason,
        };
        if rule.kind == DeviceKind::Fifo {
            return Err(invalid("FIFOs are not governed by the device cgroup"));
        }
        if rule.major.is_some_and(|n| n < 0) || rule.minor.is_some_and(|n| n < 0) {
            return Err(invalid("device numbers cannot be negative"));
        }
    }
    Ok(())
}

/// `<controller>.<file>`: no path separators, a non-empty controller part.
fn is_cgroup_file_name(key: &str) -> bool {
    let Some((controller, file)) = key.split_once('.') else {
        return false;
    };
    !controller.is_empty()
        && !file.is_empty()
        && !key.contains('/')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// A size as the kernel names hugetlb files: digits then `KB`, `MB`, `GB`, `TB` or `PB`.
fn is_hugepage_size(size: &str) -> bool {
    let digits = size.trim_end_matches(char::is_alphabetic);
    let unit = &size[digits.len()..];
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && ["KB", "MB", "GB", "TB", "PB"].contains(&unit)
}
