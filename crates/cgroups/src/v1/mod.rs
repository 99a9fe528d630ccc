//! cgroup v1 controllers: the files each one writes for `Resources`, and its statistics.
//!
//! Each module turns resources into a [`crate::plan::Write`] list (pure) and reads its
//! statistics from a cgroup directory given as a parameter, so that both run on fixture
//! trees. The files are those of the kernel's `Documentation/admin-guide/cgroup-v1/`.

pub(crate) mod blkio;
pub(crate) mod cpu;
pub(crate) mod cpuacct;
pub(crate) mod cpuset;
pub(crate) mod devices;
pub(crate) mod freezer;
pub(crate) mod hugetlb;
pub(crate) mod memory;
pub(crate) mod net_cls;
pub(crate) mod net_prio;
#[cfg(test)]
mod tests;
