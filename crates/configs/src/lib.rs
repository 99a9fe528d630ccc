#![doc = include_str!("../README.md")]

mod capability;
mod cgroup;
mod config;
mod cpuset;
mod device;
mod error;
mod hooks;
mod mount;
pub mod mountinfo;
mod names;
mod namespace;
mod network;
mod rlimit;
mod sched;
mod seccomp;
mod spec;
pub mod specconv;
mod sys;
mod sysctl;
pub mod validate;

pub use capability::{Capabilities, Capability, CapabilitySet};
pub use cgroup::{
    Cgroup, FreezerState, HugepageLimit, IfPrioMap, RdmaLimit, Resources, ThrottleDevice,
    WeightDevice,
};
pub use config::{Config, IntelRdt};
pub use cpuset::{CpuSet, InvalidCpuList, MAX_CPU};
pub use device::{Device, DeviceAccess, DeviceKind, DeviceRule, InvalidDeviceAccess};
pub use error::{ConfigsError, Result};
pub use hooks::{Hook, HookPoint, Hooks};
pub use mount::{
    Mount, MountAttrFlags, MountExtensions, MountFlags, MountIdMapping, Propagation, RecursiveAttrs,
};
pub use names::UnknownName;
pub use namespace::{
    Clock, IdMap, Namespace, NamespaceKind, Namespaces, TimeOffset, TimeOffsets, host_id,
};
pub use network::{NetDevice, Network, NetworkKind, Route};
pub use rlimit::{Rlimit, RlimitKind};
pub use sched::{
    CpuAffinity, IoPriority, IoPriorityClass, MemoryPolicy, MemoryPolicyFlag, MemoryPolicyMode,
    PersonalityDomain, SchedFlag, SchedPolicy, Scheduler,
};
pub use seccomp::{
    Seccomp, SeccompAction, SeccompArch, SeccompFlag, SeccompOp, SyscallArg, SyscallRule,
};
pub use spec::{
    DefaultSpecOptions, OCI_VERSION, RootlessIds, default_spec, default_spec_json,
    default_spec_value,
};
pub use sysctl::{InvalidSysctlKey, SysctlKey};

/// The OCI runtime-spec types `specconv` reads, re-exported so that callers need not depend
/// on `oci-spec` themselves.
pub use oci_spec::runtime as oci;
