//! Writing `Resources`: each controller's plan, to the hierarchy that has the controller.

use std::path::Path;

use hull_configs::{DeviceRule, FreezerState, Resources};

use super::{CgroupfsManager, ControllerDir, UnifiedDir};
use crate::error::{CgroupsError, Result};
use crate::manager::Manager;
use crate::plan::{self, Write};
use crate::{devices, file, pids, rdma, v1, v2};

impl CgroupfsManager {
    /// Writes every resource given, in libcontainer's order, then the device rules, the
    /// freezer state and the raw v2 settings.
    pub(super) fn set_resources(&self, r: &Resources) -> Result<()> {
        if let Some(key) = r.unified.keys().next()
            && !self.unified.as_ref().is_some_and(|u| u.pure)
        {
            return Err(CgroupsError::UnifiedWithoutCgroup2 { key: key.clone() });
        }
        let cpuset = r.cpuset_cpus.is_some() || r.cpuset_mems.is_some();
        self.write(
            "cpuset_cpus",
            cpuset,
            "cpuset",
            "cpuset",
            |dir, _| match dir {
                ControllerDir::V1(_) => Ok(v1::cpuset::plan(r)),
                ControllerDir::V2(_) => Ok(v2::cpuset::plan(r)),
            },
        )?;
        self.set_memory(r)?;
        self.set_cpu(r)?;
        self.write(
            "pids_limit",
            r.pids_limit.is_some(),
            "pids",
            "pids",
            |_, _| Ok(pids::plan(r)),
        )?;
        self.write(
            "blkio",
            v1::blkio::is_set(r),
            "blkio",
            "io",
            |dir, path| match dir {
                ControllerDir::V1(_) => Ok(v1::blkio::plan(r, |f| path.join(f).exists())),
                ControllerDir::V2(_) => v2::io::plan(r, |f| path.join(f).exists()),
            },
        )?;
        let hugetlb = !r.hugetlb_limit.is_empty();
        self.write(
            "hugetlb_limit",
            hugetlb,
            "hugetlb",
            "hugetlb",
            |dir, _| match dir {
                ControllerDir::V1(_) => Ok(v1::hugetlb::plan(r)),
                ControllerDir::V2(_) => Ok(v2::hugetlb::plan(r)),
            },
        )?;
        self.set_v1_only(
            "net_cls_classid",
            r.net_cls_classid.is_some(),
            "net_cls",
            v1::net_cls::plan(r),
        )?;
        let prio = !r.net_prio_ifpriomap.is_empty();
        self.set_v1_only(
            "net_prio_ifpriomap",
            prio,
            "net_prio",
            v1::net_prio::plan(r),
        )?;
        self.write("rdma", !r.rdma.is_empty(), "rdma", "rdma", |_, _| {
            Ok(rdma::plan(r))
        })?;
        if !r.skip_devices {
            self.set_devices(&r.devices)?;
        }
        match r.freezer {
            Some(FreezerState::Frozen) => self.freeze()?,
            Some(FreezerState::Thawed) => self.thaw()?,
            None => {}
        }
        if let Some(u) = self.unified.as_ref().filter(|_| !r.unified.is_empty()) {
            plan::apply(&u.path, &v2::unified::plan(r)?)?;
        }
        Ok(())
    }

    /// Applies the plan that `make` gives for the controller's directory, when `set`;
    /// without the controller on this host a set resource is an error naming `field`.
    fn write(
        &self,
        field: &'static str,
        set: bool,
        v1_name: &'static str,
        v2_name: &str,
        make: impl FnOnce(&ControllerDir<'_>, &Path) -> Result<Vec<Write>>,
    ) -> Result<()> {
        if !set {
            return Ok(());
        }
        let dir = self
            .controller(v1_name, v2_name)
            .ok_or(CgroupsError::ControllerMissing {
                field,
                controller: v1_name,
            })?;
        let path = self.prepare(&dir, v2_name)?;
        plan::apply(path, &make(&dir, path)?)
    }

    /// The directory to write a controller's files to, with the controller enabled there
    /// on v2.
    fn prepare<'a>(&'a self, dir: &ControllerDir<'a>, v2_name: &str) -> Result<&'a Path> {
        match dir {
            ControllerDir::V1(path) => Ok(path),
            ControllerDir::V2(u) => {
                v2::controllers::enable(&u.mount_point, &u.path, &[v2_name.to_owned()])?;
                Ok(&u.path)
            }
        }
    }

    /// A resource only v1 has a controller for.
    fn set_v1_only(
        &self,
        field: &'static str,
        set: bool,
        controller: &'static str,
        plan: Vec<Write>,
    ) -> Result<()> {
        if !set {
            return Ok(());
        }
        match self.v1_dir(controller) {
            Some(dir) => plan::apply(dir, &plan),
            None if self.unified.as_ref().is_some_and(|u| u.pure) => {
                Err(CgroupsError::NoCgroup2Equivalent { field })
            }
            None => Err(CgroupsError::ControllerMissing { field, controller }),
        }
    }

    fn set_memory(&self, r: &Resources) -> Result<()> {
        let set = r.memory.is_some()
            || r.memory_swap.is_some()
            || r.memory_reservation.is_some()
            || r.memory_swappiness.is_some()
            || r.oom_kill_disable;
        if !set {
            return Ok(());
        }
        match self.controller("memory", "memory") {
            Some(ControllerDir::V1(dir)) => {
                crate::memory::check_usage(dir, v1::memory::USAGE, r)?;
                plan::apply(dir, &v1::memory::plan(r)).map_err(|err| v1::memory::explain(dir, err))
            }
            Some(dir @ ControllerDir::V2(_)) => {
                let path = self.prepare(&dir, "memory")?;
                crate::memory::check_usage(path, v2::memory::USAGE, r)?;
                plan::apply(path, &v2::memory::plan(r)?)
            }
            None => Err(CgroupsError::ControllerMissing {
                field: "memory",
                controller: "memory",
            }),
        }
    }

    fn set_cpu(&self, r: &Resources) -> Result<()> {
        let set = r.cpu_shares.is_some()
            || r.cpu_weight.is_some()
            || r.cpu_quota.is_some()
            || r.cpu_period.is_some()
            || r.cpu_burst.is_some()
            || r.cpu_rt_runtime.is_some()
            || r.cpu_rt_period.is_some()
            || r.cpu_idle.is_some();
        if !set {
            return Ok(());
        }
        match self.controller("cpu", "cpu") {
            Some(ControllerDir::V1(dir)) => {
                plan::apply(dir, &v1::cpu::plan(r))?;
                v1::cpu::check_shares(dir, r)
            }
            Some(dir @ ControllerDir::V2(_)) => {
                let path = self.prepare(&dir, "cpu")?;
                let current = file::read_optional(path, "cpu.max")?;
                plan::apply(path, &v2::cpu::plan(r, current.as_deref())?)
            }
            None => Err(CgroupsError::ControllerMissing {
                field: "cpu",
                controller: "cpu",
            }),
        }
    }

    /// The device rules: the v1 controller's exception list where it is mounted, and the
    /// eBPF program on the cgroup2 directory wherever there is one (the hybrid `unified`
    /// hierarchy takes device programs too; the kernel then checks both).
    fn set_devices(&self, rules: &[DeviceRule]) -> Result<()> {
        let v1_dir = self.v1_dir("devices");
        if let Some(dir) = v1_dir {
            self.set_v1_devices(dir, rules)?;
        }
        match &self.unified {
            Some(u) => set_device_program(u, rules),
            None if v1_dir.is_some() => Ok(()),
            // Without a device controller, device rules cannot be enforced: refuse to run.
            None => Err(CgroupsError::ControllerMissing {
                field: "devices",
                controller: "devices",
            }),
        }
    }

    /// Moves `devices.list` to the rules; when that must pass through "allow everything"
    /// (a blacklist), the cgroup's processes stay frozen meanwhile.
    fn set_v1_devices(&self, dir: &Path, rules: &[DeviceRule]) -> Result<()> {
        let (target, transition) = v1::devices::plan(dir, rules)?;
        let freeze = transition.opens_everything
            && !file::read_pids(dir, file::PROCS)?.is_empty()
            && self.freezer_state()? == Some(FreezerState::Thawed);
        if freeze {
            self.freeze()?;
        }
        let applied =
            v1::devices::apply(dir, &transition).and_then(|()| v1::devices::verify(dir, &target));
        if freeze {
            let thawed = self.thaw();
            applied.and(thawed)
        } else {
            applied
        }
    }
}

/// Attaches the device program for `rules` to the cgroup2 directory.
fn set_device_program(u: &UnifiedDir, rules: &[DeviceRule]) -> Result<()> {
    let program = devices::Program::from_rules(rules)?;
    devices::attach(&u.path, &program)?;
    Ok(())
}
