//! The v1 controllers against real v1 cgroup directories (`tests/fixtures/v1`).

use std::path::Path;

use hull_configs::{
    DeviceAccess, DeviceKind, DeviceRule, FreezerState, HugepageLimit, IfPrioMap, Resources,
    ThrottleDevice, WeightDevice,
};

use super::*;
use crate::error::CgroupsError;
use crate::fixture;
use crate::plan::{self, OnError, Write};

/// Every resource that v1 has a file for.
fn full() -> Resources {
    let throttle = |rate| {
        vec![ThrottleDevice {
            major: 254,
            minor: 0,
            rate,
        }]
    };
    Resources {
        memory: Some(64 << 20),
        memory_swap: Some(128 << 20),
        memory_reservation: Some(32 << 20),
        memory_swappiness: Some(10),
        oom_kill_disable: true,
        cpu_shares: Some(512),
        cpu_quota: Some(50_000),
        cpu_period: Some(100_000),
        cpu_burst: Some(10_000),
        cpu_rt_runtime: Some(0),
        cpu_rt_period: Some(1_000_000),
        cpu_idle: Some(0),
        cpuset_cpus: Some("0-1".parse().unwrap()),
        cpuset_mems: Some("0".parse().unwrap()),
        pids_limit: Some(10),
        blkio_weight: Some(500),
        blkio_weight_device: vec![WeightDevice {
            major: 254,
            minor: 0,
            weight: Some(200),
            leaf_weight: None,
        }],
        blkio_throttle_read_bps_device: throttle(1 << 20),
        blkio_throttle_write_bps_device: throttle(2 << 20),
        blkio_throttle_read_iops_device: throttle(100),
        blkio_throttle_write_iops_device: throttle(200),
        hugetlb_limit: vec![HugepageLimit {
            pagesize: "2MB".into(),
            limit: 4 << 20,
        }],
        net_cls_classid: Some(0x10_0001),
        net_prio_ifpriomap: vec![IfPrioMap {
            interface: "eth0".into(),
            priority: 5,
        }],
        ..Resources::default()
    }
}

fn pairs(plan: &[Write]) -> Vec<(&str, &str)> {
    plan.iter()
        .map(|w| (w.file.as_str(), w.value.as_str()))
        .collect()
}

#[test]
fn every_file_written_exists_on_a_real_v1_host() {
    let r = full();
    let blkio_dir = fixture::path("v1/blkio");
    let plans = [
        ("cpu", cpu::plan(&r)),
        ("cpuset", cpuset::plan(&r)),
        ("memory", memory::plan(&r)),
        ("pids", crate::pids::plan(&r)),
        ("blkio", blkio::plan(&r, |f| blkio_dir.join(f).exists())),
        ("hugetlb", hugetlb::plan(&r)),
        ("net_cls", net_cls::plan(&r)),
        ("net_prio", net_prio::plan(&r)),
    ];
    for (controller, plan) in plans {
        assert!(!plan.is_empty(), "{controller}");
        let dir = fixture::path(&format!("v1/{controller}"));
        for write in plan {
            assert!(
                dir.join(&write.file).is_file(),
                "{controller}: no {}",
                write.file
            );
        }
    }
}

#[test]
fn memory_writes_and_their_order() {
    let plan = memory::plan(&full());
    assert_eq!(
        pairs(&plan),
        [
            ("memory.limit_in_bytes", "67108864"),
            ("memory.memsw.limit_in_bytes", "134217728"),
            ("memory.soft_limit_in_bytes", "33554432"),
            ("memory.oom_control", "1"),
            ("memory.swappiness", "10"),
        ]
    );
    // Either limit may have to wait for the other.
    assert!(plan[..2].iter().all(|w| w.on_error == OnError::RetryLast));

    let unlimited = Resources {
        memory: Some(-1),
        ..Resources::default()
    };
    let plan = memory::plan(&unlimited);
    assert_eq!(
        pairs(&plan),
        [
            ("memory.limit_in_bytes", "-1"),
            ("memory.memsw.limit_in_bytes", "-1")
        ]
    );
    assert_eq!(plan[1].on_error, OnError::SkipIfAbsent);
    assert!(memory::plan(&Resources::default()).is_empty());
}

#[test]
fn memory_applies_to_a_real_tree() {
    let dir = fixture::cgroup("v1/memory");
    plan::apply(dir.path(), &memory::plan(&full())).unwrap();
    assert_eq!(
        fixture::read(dir.path(), "memory.limit_in_bytes"),
        "67108864"
    );
    assert_eq!(
        fixture::read(dir.path(), "memory.memsw.limit_in_bytes"),
        "134217728"
    );
    assert_eq!(fixture::read(dir.path(), "memory.swappiness"), "10");
}

#[test]
fn memory_check_before_update_compares_with_usage() {
    let dir = fixture::cgroup("v1/memory");
    let mut r = Resources {
        memory: Some(100_000),
        memory_check_before_update: true,
        ..Resources::default()
    };
    // The fixture's usage is 200704 bytes.
    let err = crate::memory::check_usage(dir.path(), memory::USAGE, &r).unwrap_err();
    assert!(matches!(
        err,
        CgroupsError::MemoryBelowUsage {
            usage: 200_704,
            limit: 100_000,
            ..
        }
    ));
    r.memory = Some(1 << 20);
    crate::memory::check_usage(dir.path(), memory::USAGE, &r).unwrap();
}

#[test]
fn a_busy_limit_write_is_explained_with_the_usage() {
    let dir = fixture::cgroup("v1/memory");
    let busy = CgroupsError::WriteFile {
        path: dir.path().join(memory::LIMIT),
        value: "4096".into(),
        source: std::io::Error::from_raw_os_error(libc::EBUSY),
    };
    let err = memory::explain(dir.path(), busy);
    assert_eq!(
        err.to_string(),
        format!(
            "memory limit 4096 is below the current usage 200704 of {}",
            dir.path().display()
        )
    );
}

#[test]
fn cpu_writes_and_the_realtime_ones_first_on_create() {
    let r = full();
    assert_eq!(
        pairs(&cpu::plan(&r)),
        [
            ("cpu.shares", "512"),
            ("cpu.cfs_period_us", "100000"),
            ("cpu.cfs_burst_us", "10000"),
            ("cpu.cfs_quota_us", "50000"),
            ("cpu.rt_period_us", "1000000"),
            ("cpu.rt_runtime_us", "0"),
            ("cpu.idle", "0"),
        ]
    );
    assert_eq!(
        pairs(&cpu::rt_plan(&r)),
        [("cpu.rt_period_us", "1000000"), ("cpu.rt_runtime_us", "0")]
    );
    let dir = fixture::cgroup("v1/cpu");
    plan::apply(dir.path(), &cpu::plan(&r)).unwrap();
    cpu::check_shares(dir.path(), &r).unwrap();
    std::fs::write(dir.path().join("cpu.shares"), "262144\n").unwrap();
    let too_many = Resources {
        cpu_shares: Some(300_000),
        ..Resources::default()
    };
    let err = cpu::check_shares(dir.path(), &too_many).unwrap_err();
    assert!(matches!(
        err,
        CgroupsError::CpuSharesClamped {
            requested: 300_000,
            effective: 262_144,
            ..
        }
    ));
}

#[test]
fn pids_limit_as_runc_writes_it() {
    assert_eq!(crate::pids::max_value(10), "10");
    assert_eq!(crate::pids::max_value(0), "1");
    assert_eq!(crate::pids::max_value(-1), "max");
}

#[test]
fn blkio_uses_the_weight_files_the_kernel_has() {
    let r = full();
    let bfq = blkio::plan(&r, |f| f.starts_with("blkio.bfq."));
    assert_eq!(
        pairs(&bfq),
        [
            ("blkio.bfq.weight", "500"),
            ("blkio.bfq.weight_device", "254:0 200"),
            ("blkio.throttle.read_bps_device", "254:0 1048576"),
            ("blkio.throttle.write_bps_device", "254:0 2097152"),
            ("blkio.throttle.read_iops_device", "254:0 100"),
            ("blkio.throttle.write_iops_device", "254:0 200"),
        ]
    );
    let cfq = blkio::plan(&r, |f| f == "blkio.weight");
    assert_eq!(
        pairs(&cfq)[..2],
        [
            ("blkio.weight", "500"),
            ("blkio.weight_device", "254:0 200")
        ]
    );
    assert!(blkio::is_set(&r));
    assert!(!blkio::is_set(&Resources::default()));
}

#[test]
fn hugetlb_net_cls_and_net_prio() {
    let r = full();
    let plan = hugetlb::plan(&r);
    assert_eq!(
        pairs(&plan),
        [
            ("hugetlb.2MB.limit_in_bytes", "4194304"),
            ("hugetlb.2MB.rsvd.limit_in_bytes", "4194304")
        ]
    );
    assert_eq!(plan[1].on_error, OnError::SkipIfAbsent);
    assert_eq!(pairs(&net_cls::plan(&r)), [("net_cls.classid", "1048577")]);
    assert_eq!(
        pairs(&net_prio::plan(&r)),
        [("net_prio.ifpriomap", "eth0 5")]
    );
}

#[test]
fn statistics_of_a_real_tree() {
    let usage = cpuacct::stats(&fixture::path("v1/cpuacct")).unwrap();
    assert_eq!(usage.total, 485_430_270);
    assert_eq!(usage.per_cpu, [56_115_957, 429_314_313]);
    assert_eq!((usage.user, usage.kernel), (438_610_029, 44_691_606));

    let throttling = cpu::stats(&fixture::path("v1/cpu")).unwrap();
    assert_eq!(
        (
            throttling.periods,
            throttling.throttled_periods,
            throttling.throttled_time
        ),
        (14, 9, 247_130_710)
    );

    let memory = memory::stats(&fixture::path("v1/memory")).unwrap();
    assert_eq!(memory.usage.usage, 200_704);
    assert_eq!(memory.usage.max_usage, 22_061_056);
    assert_eq!(memory.usage.limit, 64 << 20);
    assert_eq!(memory.cache, 53_248);
    assert_eq!(memory.stats.get("pgfault"), Some(&737));
    assert!(memory.use_hierarchy);
    assert_eq!(memory.oom_kills, 0);
    assert_eq!(memory.swap_only_usage.usage, 0);

    let pids = crate::pids::stats(&fixture::path("v1/pids")).unwrap();
    assert_eq!((pids.current, pids.limit), (0, 100));

    let blkio = blkio::stats(&fixture::path("v1/blkio")).unwrap();
    let bytes: Vec<_> = blkio
        .io_service_bytes_recursive
        .iter()
        .map(|e| (e.op.as_str(), e.value))
        .collect();
    assert_eq!(bytes[..2], [("Read", 8_388_608), ("Write", 8_388_608)]);
    assert!(
        blkio
            .io_service_bytes_recursive
            .iter()
            .all(|e| (e.major, e.minor) == (254, 0))
    );
    assert_eq!(blkio.io_serviced_recursive.len(), 6);

    let hugetlb = hugetlb::stats(&fixture::path("v1/hugetlb")).unwrap();
    let two = &hugetlb["2MB"];
    assert_eq!(
        (two.usage, two.max_usage, two.failcnt),
        (4 << 20, 6 << 20, 3)
    );
    assert_eq!(hugetlb.keys().collect::<Vec<_>>(), ["1GB", "2MB"]);
}

#[test]
fn cpuacct_without_the_nanosecond_files_uses_ticks() {
    let dir = fixture::cgroup("v1/cpuacct");
    std::fs::remove_file(dir.path().join("cpuacct.usage_user")).unwrap();
    let usage = cpuacct::stats(dir.path()).unwrap();
    // cpuacct.stat: user 44, system 4 (ticks of 10 ms).
    assert_eq!((usage.user, usage.kernel), (440_000_000, 40_000_000));
}

#[test]
fn freezer_states() {
    let dir = fixture::cgroup("v1/freezer");
    assert_eq!(freezer::state(dir.path()).unwrap(), FreezerState::Thawed);
    freezer::freeze(dir.path()).unwrap();
    assert_eq!(fixture::read(dir.path(), "freezer.state"), "FROZEN");
    std::fs::write(dir.path().join("freezer.self_freezing"), "1\n").unwrap();
    assert_eq!(freezer::state(dir.path()).unwrap(), FreezerState::Frozen);
    // Frozen because an ancestor is: not this cgroup's own state.
    std::fs::write(dir.path().join("freezer.self_freezing"), "0\n").unwrap();
    assert_eq!(freezer::state(dir.path()).unwrap(), FreezerState::Thawed);
    freezer::thaw(dir.path()).unwrap();
    assert_eq!(fixture::read(dir.path(), "freezer.state"), "THAWED");
    std::fs::write(dir.path().join("freezer.state"), "BOGUS\n").unwrap();
    assert!(matches!(
        freezer::state(dir.path()),
        Err(CgroupsError::ParseFile { .. })
    ));
}

#[test]
fn devices_from_a_new_cgroup() {
    let dir = fixture::cgroup("v1/devices");
    let rules = [
        DeviceRule {
            kind: DeviceKind::All,
            major: None,
            minor: None,
            access: DeviceAccess::all(),
            allow: false,
        },
        DeviceRule {
            kind: DeviceKind::Char,
            major: Some(1),
            minor: Some(3),
            access: DeviceAccess::all(),
            allow: true,
        },
    ];
    let (target, transition) = devices::plan(dir.path(), &rules).unwrap();
    let writes = transition.written();
    assert_eq!(
        writes,
        [("devices.deny", "a"), ("devices.allow", "c 1:3 rwm")]
    );
    devices::apply(dir.path(), &transition).unwrap();
    assert_eq!(fixture::read(dir.path(), "devices.deny"), "a");
    assert_eq!(fixture::read(dir.path(), "devices.allow"), "c 1:3 rwm");
    // The fixture's list does not change as the kernel's would: the check says so.
    let err = devices::verify(dir.path(), &target).unwrap_err();
    assert!(
        err.to_string().contains("expected \"c 1:3 rwm\\n\""),
        "{err}"
    );
    std::fs::write(dir.path().join("devices.list"), "c 1:3 rwm\n").unwrap();
    devices::verify(dir.path(), &target).unwrap();
}

#[test]
fn cpuset_copies_parent_cpus_down_to_a_new_cgroup() {
    let root = fixture::cgroup("v1/cpuset");
    let dir = root.path().join("hull-test/c1");
    // A v1 cpuset starts empty: emulate the kernel's new directories.
    let empty_cpuset = |d: &Path| {
        std::fs::write(d.join("cpuset.cpus"), "\n").unwrap();
        std::fs::write(d.join("cpuset.mems"), "\n").unwrap();
    };
    std::fs::create_dir_all(&dir).unwrap();
    empty_cpuset(&dir);
    empty_cpuset(dir.parent().unwrap());
    let r = Resources {
        cpuset_cpus: Some("1".parse().unwrap()),
        ..Resources::default()
    };
    cpuset::prepare(root.path(), &dir, &r).unwrap();
    assert_eq!(fixture::read(dir.parent().unwrap(), "cpuset.cpus"), "0-1");
    assert_eq!(fixture::read(dir.parent().unwrap(), "cpuset.mems"), "0");
    assert_eq!(fixture::read(&dir, "cpuset.cpus"), "1");
    assert_eq!(fixture::read(&dir, "cpuset.mems"), "0");
}
