//! The cgroup of a container and the resource limits written to it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cpuset::CpuSet;
use crate::device::DeviceRule;
use crate::names::named_enum;

/// Where a container's cgroup is and what goes in it.
///
/// Either `path` or `name` (with an optional `parent`) places the cgroup: an absolute path
/// is taken as it is, a relative one goes under the caller's own cgroup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cgroup {
    /// The cgroup's name, under `parent` (or the systemd unit name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The parent of `name` (or the systemd slice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The cgroup's path; exclusive with `name` and `parent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The systemd scope prefix (`docker` in `docker-<id>.scope`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_prefix: Option<String>,
    /// Managed through systemd rather than cgroupfs.
    pub systemd: bool,
    /// Errors writing the cgroup are warnings: the caller may not own it (rootless).
    pub rootless: bool,
    /// The host uid that should own the cgroup (a private cgroup namespace with a writable
    /// cgroupfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_uid: Option<u32>,
    /// The limits.
    pub resources: Resources,
}

named_enum! {
    /// The state of a cgroup's freezer.
    pub enum FreezerState("freezer state") {
        /// Every process in the cgroup is stopped.
        Frozen = "FROZEN",
        /// The processes run.
        Thawed = "THAWED",
    }
}

/// A block device, by number, with a weight (`blkio.weight_device`, `io.weight`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightDevice {
    /// The device's major number.
    pub major: i64,
    /// The device's minor number.
    pub minor: i64,
    /// Its weight, 10 to 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
    /// Its leaf weight, 10 to 1000 (v1 CFQ only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_weight: Option<u16>,
}

/// A block device, by number, with a rate limit (`blkio.throttle.*`, `io.max`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleDevice {
    /// The device's major number.
    pub major: i64,
    /// The device's minor number.
    pub minor: i64,
    /// Bytes or operations per second.
    pub rate: u64,
}

/// A limit on huge pages of one size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HugepageLimit {
    /// The page size as the kernel names it in `hugetlb.<size>.*` (`2MB`, `1GB`).
    pub pagesize: String,
    /// The limit in bytes.
    pub limit: u64,
}

/// The priority of a network interface's traffic (`net_prio.ifpriomap`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IfPrioMap {
    /// The interface name.
    pub interface: String,
    /// Its priority.
    pub priority: u32,
}

/// RDMA limits of one device (`rdma.max`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RdmaLimit {
    /// Maximum HCA handles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hca_handles: Option<u32>,
    /// Maximum HCA objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hca_objects: Option<u32>,
}

/// Every resource setting a container's cgroup can carry.
///
/// `None` (or an empty list) leaves the kernel's value alone. Values are given as libcontainer
/// takes them; `hull-cgroups` converts them where cgroup v2 differs (shares to weight, memory
/// plus swap to swap alone).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Resources {
    /// Device access rules, applied in order (see [`DeviceRule`]). An empty list denies
    /// every device; set `skip_devices` to leave device access alone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceRule>,
    /// Leave device rules alone (the caller manages them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skip_devices: bool,

    /// Memory limit in bytes; -1 is unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
    /// Memory soft limit in bytes; -1 is unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<i64>,
    /// Memory plus swap limit in bytes; -1 is unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<i64>,
    /// Swappiness, 0 to 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swappiness: Option<u64>,
    /// Do not OOM-kill processes of the cgroup (v1 only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub oom_kill_disable: bool,
    /// On update, refuse a memory limit below current usage.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub memory_check_before_update: bool,

    /// CPU shares (v1 `cpu.shares`), 2 to 262144.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<u64>,
    /// CPU weight (v2 `cpu.weight`), 1 to 10000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_weight: Option<u64>,
    /// CPU time allowed per period in microseconds; -1 is unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_quota: Option<i64>,
    /// The CFS period in microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_period: Option<u64>,
    /// Extra CPU time a period may borrow, in microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_burst: Option<u64>,
    /// Real-time CPU time per period in microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_rt_runtime: Option<i64>,
    /// The real-time period in microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_rt_period: Option<u64>,
    /// `SCHED_IDLE` for the cgroup: 0 or 1 (v2 `cpu.idle`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_idle: Option<i64>,
    /// CPUs the cgroup may run on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_cpus: Option<CpuSet>,
    /// Memory nodes the cgroup may allocate from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_mems: Option<CpuSet>,

    /// Maximum number of tasks; negative is unlimited, and 0 is written as 1 (the kernel has
    /// no way to say zero tasks), as runc does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,

    /// Block I/O weight, 10 to 1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_weight: Option<u16>,
    /// Block I/O leaf weight, 10 to 1000 (v1 CFQ only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_leaf_weight: Option<u16>,
    /// Per-device weights.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blkio_weight_device: Vec<WeightDevice>,
    /// Per-device read limits in bytes per second.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blkio_throttle_read_bps_device: Vec<ThrottleDevice>,
    /// Per-device write limits in bytes per second.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blkio_throttle_write_bps_device: Vec<ThrottleDevice>,
    /// Per-device read limits in operations per second.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blkio_throttle_read_iops_device: Vec<ThrottleDevice>,
    /// Per-device write limits in operations per second.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blkio_throttle_write_iops_device: Vec<ThrottleDevice>,

    /// Huge page limits per page size.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hugetlb_limit: Vec<HugepageLimit>,

    /// The class id of the cgroup's packets (`net_cls.classid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_cls_classid: Option<u32>,
    /// Per-interface traffic priorities (`net_prio.ifpriomap`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub net_prio_ifpriomap: Vec<IfPrioMap>,

    /// RDMA limits per device name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rdma: BTreeMap<String, RdmaLimit>,

    /// The freezer state to put the cgroup in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freezer: Option<FreezerState>,

    /// Raw cgroup v2 files and the values to write to them (`memory.high`: `"1G"`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unified: BTreeMap<String, String>,
}
