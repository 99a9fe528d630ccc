//! cgroup v2 controllers: the files each one writes for `Resources` (with libcontainer's
//! conversions from v1 values), and its statistics.
//!
//! As for v1, each module turns resources into a [`crate::plan::Write`] list and reads its
//! statistics from a directory given as a parameter. The files are those of the kernel's
//! `Documentation/admin-guide/cgroup-v2.rst`.

pub(crate) mod controllers;
pub(crate) mod cpu;
pub(crate) mod cpuset;
pub(crate) mod delegate;
pub(crate) mod freezer;
pub(crate) mod hugetlb;
pub(crate) mod io;
pub(crate) mod memory;
pub(crate) mod psi;
#[cfg(test)]
mod tests;
pub(crate) mod unified;

/// A v2 limit: `-1` is `max`.
pub(crate) fn limit_value(value: i64) -> String {
    if value < 0 {
        "max".to_owned()
    } else {
        value.to_string()
    }
}
