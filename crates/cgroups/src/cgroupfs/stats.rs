//! Gathering statistics from the hierarchies that hold each controller.

use super::{CgroupfsManager, ControllerDir};
use crate::error::Result;
use crate::stats::Stats;
use crate::{pids, v1, v2};

impl CgroupfsManager {
    /// The statistics of every controller the cgroup has; pressure comes from the cgroup2
    /// directory wherever there is one (a hybrid host's `unified` hierarchy has PSI files).
    pub(super) fn collect_stats(&self) -> Result<Stats> {
        let mut stats = Stats::default();
        match (self.v1_dir("cpuacct"), &self.unified) {
            (Some(dir), _) => stats.cpu.usage = v1::cpuacct::stats(dir)?,
            // cpu.stat's usage lines are there even without the cpu controller.
            (None, Some(u)) => stats.cpu.usage = v2::cpu::stats(&u.path)?.0,
            (None, None) => {}
        }
        match self.controller("cpu", "cpu") {
            Some(ControllerDir::V1(dir)) => stats.cpu.throttling = v1::cpu::stats(dir)?,
            Some(ControllerDir::V2(u)) => stats.cpu.throttling = v2::cpu::stats(&u.path)?.1,
            None => {}
        }
        stats.memory = match self.controller("memory", "memory") {
            Some(ControllerDir::V1(dir)) => v1::memory::stats(dir)?,
            Some(ControllerDir::V2(u)) => v2::memory::stats(&u.path)?,
            None => stats.memory,
        };
        match self.controller("pids", "pids") {
            Some(ControllerDir::V1(dir)) => stats.pids = pids::stats(dir)?,
            Some(ControllerDir::V2(u)) => stats.pids = pids::stats(&u.path)?,
            None => {}
        }
        stats.blkio = match self.controller("blkio", "io") {
            Some(ControllerDir::V1(dir)) => v1::blkio::stats(dir)?,
            Some(ControllerDir::V2(u)) => v2::io::stats(&u.path)?,
            None => stats.blkio,
        };
        stats.hugetlb = match self.controller("hugetlb", "hugetlb") {
            Some(ControllerDir::V1(dir)) => v1::hugetlb::stats(dir)?,
            Some(ControllerDir::V2(u)) => v2::hugetlb::stats(&u.path)?,
            None => stats.hugetlb,
        };
        if let Some(u) = &self.unified {
            stats.cpu.pressure = v2::psi::read(&u.path, "cpu.pressure")?;
            stats.memory.pressure = v2::psi::read(&u.path, "memory.pressure")?;
            stats.blkio.pressure = v2::psi::read(&u.path, "io.pressure")?;
        }
        Ok(stats)
    }
}
