//! How a container's processes are scheduled and where their memory and CPUs come from:
//! scheduler attributes, I/O priority, NUMA memory policy, CPU affinity and personality.

use serde::{Deserialize, Serialize};

use crate::cpuset::CpuSet;
use crate::names::named_enum;

named_enum! {
    /// A scheduling policy (`sched(7)`).
    pub enum SchedPolicy("scheduler policy") {
        /// `SCHED_OTHER`, the default time-sharing policy.
        Other = "SCHED_OTHER",
        /// `SCHED_FIFO`, real-time first-in first-out.
        Fifo = "SCHED_FIFO",
        /// `SCHED_RR`, real-time round robin.
        Rr = "SCHED_RR",
        /// `SCHED_BATCH`, for batch work.
        Batch = "SCHED_BATCH",
        /// `SCHED_ISO` (reserved, not in mainline kernels).
        Iso = "SCHED_ISO",
        /// `SCHED_IDLE`, very low priority.
        Idle = "SCHED_IDLE",
        /// `SCHED_DEADLINE`, earliest deadline first.
        Deadline = "SCHED_DEADLINE",
    }
}

impl SchedPolicy {
    /// The policy number `sched_setattr(2)` takes.
    pub const fn number(self) -> u32 {
        self as u32
    }
}

named_enum! {
    /// A flag of `sched_setattr(2)`.
    pub enum SchedFlag("scheduler flag") {
        /// `SCHED_FLAG_RESET_ON_FORK`.
        ResetOnFork = "SCHED_FLAG_RESET_ON_FORK",
        /// `SCHED_FLAG_RECLAIM`.
        Reclaim = "SCHED_FLAG_RECLAIM",
        /// `SCHED_FLAG_DL_OVERRUN`.
        DlOverrun = "SCHED_FLAG_DL_OVERRUN",
        /// `SCHED_FLAG_KEEP_POLICY`.
        KeepPolicy = "SCHED_FLAG_KEEP_POLICY",
        /// `SCHED_FLAG_KEEP_PARAMS`.
        KeepParams = "SCHED_FLAG_KEEP_PARAMS",
        /// `SCHED_FLAG_UTIL_CLAMP_MIN`.
        UtilClampMin = "SCHED_FLAG_UTIL_CLAMP_MIN",
        /// `SCHED_FLAG_UTIL_CLAMP_MAX`.
        UtilClampMax = "SCHED_FLAG_UTIL_CLAMP_MAX",
    }
}

impl SchedFlag {
    /// The flag's bit in `sched_attr.sched_flags`.
    pub const fn bit(self) -> u64 {
        1 << (self as u32)
    }
}

/// Scheduling attributes of a container's process (`sched_setattr(2)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheduler {
    /// The policy.
    pub policy: SchedPolicy,
    /// The nice value, -20 to 19, for `SCHED_OTHER` and `SCHED_BATCH`.
    #[serde(default)]
    pub nice: i32,
    /// The static priority, for `SCHED_FIFO` and `SCHED_RR`.
    #[serde(default)]
    pub priority: i32,
    /// Flags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<SchedFlag>,
    /// Runtime in nanoseconds, for `SCHED_DEADLINE`.
    #[serde(default)]
    pub runtime: u64,
    /// Deadline in nanoseconds, for `SCHED_DEADLINE`.
    #[serde(default)]
    pub deadline: u64,
    /// Period in nanoseconds, for `SCHED_DEADLINE`.
    #[serde(default)]
    pub period: u64,
}

named_enum! {
    /// An I/O scheduling class (`ioprio_set(2)`).
    pub enum IoPriorityClass("I/O priority class") {
        /// Real time.
        Rt = "IOPRIO_CLASS_RT",
        /// Best effort.
        Be = "IOPRIO_CLASS_BE",
        /// Idle.
        Idle = "IOPRIO_CLASS_IDLE",
    }
}

impl IoPriorityClass {
    /// The class number `ioprio_set(2)` takes.
    pub const fn number(self) -> u16 {
        self as u16 + 1
    }
}

/// The I/O priority of a container's process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IoPriority {
    /// The class.
    pub class: IoPriorityClass,
    /// The priority within the class, 0 (highest) to 7.
    #[serde(default)]
    pub priority: i32,
}

named_enum! {
    /// A NUMA memory policy mode (`set_mempolicy(2)`), declared in kernel number order.
    pub enum MemoryPolicyMode("memory policy mode") {
        /// `MPOL_DEFAULT`.
        Default = "MPOL_DEFAULT",
        /// `MPOL_PREFERRED`.
        Preferred = "MPOL_PREFERRED",
        /// `MPOL_BIND`.
        Bind = "MPOL_BIND",
        /// `MPOL_INTERLEAVE`.
        Interleave = "MPOL_INTERLEAVE",
        /// `MPOL_LOCAL`.
        Local = "MPOL_LOCAL",
        /// `MPOL_PREFERRED_MANY`.
        PreferredMany = "MPOL_PREFERRED_MANY",
        /// `MPOL_WEIGHTED_INTERLEAVE`.
        WeightedInterleave = "MPOL_WEIGHTED_INTERLEAVE",
    }
}

impl MemoryPolicyMode {
    /// The mode number `set_mempolicy(2)` takes.
    pub const fn number(self) -> i32 {
        self as i32
    }
}

named_enum! {
    /// A flag of a memory policy mode.
    pub enum MemoryPolicyFlag("memory policy flag") {
        /// `MPOL_F_NUMA_BALANCING`.
        NumaBalancing = "MPOL_F_NUMA_BALANCING",
        /// `MPOL_F_RELATIVE_NODES`.
        RelativeNodes = "MPOL_F_RELATIVE_NODES",
        /// `MPOL_F_STATIC_NODES`.
        StaticNodes = "MPOL_F_STATIC_NODES",
    }
}

impl MemoryPolicyFlag {
    /// The flag's bit, or-ed into the mode.
    pub const fn bit(self) -> i32 {
        match self {
            MemoryPolicyFlag::NumaBalancing => 1 << 13,
            MemoryPolicyFlag::RelativeNodes => 1 << 14,
            MemoryPolicyFlag::StaticNodes => 1 << 15,
        }
    }
}

/// The NUMA memory policy of a container's process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryPolicy {
    /// The mode.
    pub mode: MemoryPolicyMode,
    /// Mode flags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<MemoryPolicyFlag>,
    /// The nodes the mode applies to.
    #[serde(default, skip_serializing_if = "CpuSet::is_empty")]
    pub nodes: CpuSet,
}

/// The CPU affinity of a process run in an existing container (`exec`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CpuAffinity {
    /// Affinity before the process joins the container's cgroup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial: Option<CpuSet>,
    /// Affinity once it has joined.
    #[serde(rename = "final", skip_serializing_if = "Option::is_none")]
    pub final_: Option<CpuSet>,
}

named_enum! {
    /// The execution domain of `personality(2)`.
    pub enum PersonalityDomain("personality domain") {
        /// `PER_LINUX`.
        Linux = "LINUX",
        /// `PER_LINUX32`: `uname` reports a 32-bit machine.
        Linux32 = "LINUX32",
    }
}

impl PersonalityDomain {
    /// The persona number `personality(2)` takes.
    pub const fn number(self) -> u32 {
        match self {
            PersonalityDomain::Linux => 0x0000,
            PersonalityDomain::Linux32 => 0x0008,
        }
    }
}
