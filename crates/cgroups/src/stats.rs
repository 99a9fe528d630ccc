//! Statistics of a cgroup, in one shape for v1 and v2.
//!
//! Times are nanoseconds and sizes bytes whatever unit the kernel file uses; a limit of
//! `u64::MAX` means no limit. Fields a hierarchy does not provide stay at their default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Everything [`crate::Manager::stats`] reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// CPU time and throttling.
    pub cpu: CpuStats,
    /// Memory and swap.
    pub memory: MemoryStats,
    /// Tasks.
    pub pids: PidsStats,
    /// Block I/O.
    pub blkio: BlkioStats,
    /// Huge pages, per page size (`2MB`).
    pub hugetlb: BTreeMap<String, HugetlbStats>,
}

/// CPU statistics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuStats {
    /// CPU time used.
    pub usage: CpuUsage,
    /// CFS bandwidth throttling.
    pub throttling: Throttling,
    /// Pressure stall information (v2, and the hybrid `unified` hierarchy).
    pub pressure: Option<Pressure>,
}

/// CPU time used by the cgroup, in nanoseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuUsage {
    /// Total CPU time.
    pub total: u64,
    /// Per CPU (v1 `cpuacct.usage_percpu`; empty on v2).
    pub per_cpu: Vec<u64>,
    /// In user mode.
    pub user: u64,
    /// In kernel mode.
    pub kernel: u64,
}

/// CFS bandwidth throttling.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttling {
    /// Enforcement periods that elapsed.
    pub periods: u64,
    /// Periods in which the cgroup was throttled.
    pub throttled_periods: u64,
    /// Total time throttled, in nanoseconds.
    pub throttled_time: u64,
}

/// Memory statistics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryStats {
    /// Memory (without swap).
    pub usage: MemoryData,
    /// Memory plus swap, as v1 reports it (v2 values are added up to match).
    pub swap_usage: MemoryData,
    /// Swap alone.
    pub swap_only_usage: MemoryData,
    /// Kernel memory (v1 only).
    pub kernel_usage: MemoryData,
    /// Page cache (`cache` on v1, `file` on v2).
    pub cache: u64,
    /// Whether usage includes sub-cgroups (always on v2).
    pub use_hierarchy: bool,
    /// Processes killed by the OOM killer in this cgroup.
    pub oom_kills: u64,
    /// The whole `memory.stat` file.
    pub stats: BTreeMap<String, u64>,
    /// Pressure stall information (v2, and the hybrid `unified` hierarchy).
    pub pressure: Option<Pressure>,
}

/// Usage, peak and limit of one kind of memory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryData {
    /// Current usage in bytes.
    pub usage: u64,
    /// Peak usage in bytes (0 where the kernel does not record it).
    pub max_usage: u64,
    /// How often the limit was hit.
    pub failcnt: u64,
    /// The limit in bytes.
    pub limit: u64,
}

/// Task statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PidsStats {
    /// Tasks in the cgroup now.
    pub current: u64,
    /// The limit (`u64::MAX` for none).
    pub limit: u64,
}

/// One entry of a block I/O statistic: a device, an operation and a value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlkioEntry {
    /// The device's major number.
    pub major: u64,
    /// The device's minor number.
    pub minor: u64,
    /// The operation, as v1 names it: `Read`, `Write`, `Sync`, `Async`, `Discard`, `Total`.
    pub op: String,
    /// The value.
    pub value: u64,
}

/// Block I/O statistics, in v1's shape (v2 `io.stat` is converted).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BlkioStats {
    /// Bytes transferred.
    pub io_service_bytes_recursive: Vec<BlkioEntry>,
    /// Operations issued.
    pub io_serviced_recursive: Vec<BlkioEntry>,
    /// Pressure stall information (v2, and the hybrid `unified` hierarchy).
    pub pressure: Option<Pressure>,
}

/// Huge page statistics of one page size.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HugetlbStats {
    /// Usage in bytes.
    pub usage: u64,
    /// Peak usage in bytes (v1 only).
    pub max_usage: u64,
    /// How often an allocation failed on the limit.
    pub failcnt: u64,
}

/// Pressure stall information of one resource (`cpu.pressure`, `memory.pressure`, ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pressure {
    /// Some tasks stalled.
    pub some: PressureData,
    /// All non-idle tasks stalled at once.
    pub full: PressureData,
}

/// One line of a pressure file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PressureData {
    /// Share of time stalled over the last 10 seconds, in percent.
    pub avg10: f64,
    /// Over the last 60 seconds.
    pub avg60: f64,
    /// Over the last 300 seconds.
    pub avg300: f64,
    /// Total stall time in microseconds.
    pub total: u64,
}
