//! The v2 `cpuset` controller: `cpuset.cpus` and `cpuset.mems`, the same files as v1's.
//! (A new v2 cpuset inherits its parent's effective CPUs, so nothing is copied down.)

pub(crate) use crate::v1::cpuset::plan;
