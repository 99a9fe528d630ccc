//! The v2 controllers against a real v2 cgroup directory (`tests/fixtures/v2`), and
//! libcontainer's conversions from v1 values.

use hull_configs::{FreezerState, HugepageLimit, Resources, ThrottleDevice, WeightDevice};

use super::*;
use crate::error::CgroupsError;
use crate::fixture;
use crate::plan::{self, OnError, Write};

/// Every resource that v2 has a file for, in v1 units where libcontainer takes them so.
fn full() -> Resources {
    let throttle = |rate| {
        vec![ThrottleDevice {
            major: 7,
            minor: 0,
            rate,
        }]
    };
    Resources {
        memory: Some(64 << 20),
        memory_swap: Some(96 << 20),
        memory_reservation: Some(32 << 20),
        cpu_shares: Some(1024),
        cpu_quota: Some(50_000),
        cpu_period: Some(100_000),
        cpu_burst: Some(10_000),
        cpu_idle: Some(0),
        cpuset_cpus: Some("0".parse().unwrap()),
        cpuset_mems: Some("0".parse().unwrap()),
        pids_limit: Some(10),
        blkio_weight: Some(500),
        blkio_weight_device: vec![WeightDevice {
            major: 7,
            minor: 0,
            weight: Some(1000),
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
        rdma: [(
            "mlx4_0".to_owned(),
            hull_configs::RdmaLimit {
                hca_handles: Some(2),
                hca_objects: Some(2000),
            },
        )]
        .into(),
        unified: [("memory.high".to_owned(), "50M".to_owned())].into(),
        ..Resources::default()
    }
}

fn pairs(plan: &[Write]) -> Vec<(&str, &str)> {
    plan.iter()
        .map(|w| (w.file.as_str(), w.value.as_str()))
        .collect()
}

#[test]
fn every_file_written_exists_on_a_real_v2_host() {
    let r = full();
    let dir = fixture::path("v2");
    let plans = [
        cpu::plan(&r, Some("max 100000")).unwrap(),
        cpuset::plan(&r),
        memory::plan(&r).unwrap(),
        crate::pids::plan(&r),
        io::plan(&r, |f| dir.join(f).exists()).unwrap(),
        hugetlb::plan(&r),
        crate::rdma::plan(&r),
        unified::plan(&r).unwrap(),
    ];
    for write in plans.iter().flatten() {
        assert!(dir.join(&write.file).is_file(), "no {}", write.file);
    }
}

#[test]
fn shares_convert_to_weights_as_libcontainer_does() {
    assert_eq!(cpu::shares_to_weight(0), 0);
    assert_eq!(cpu::shares_to_weight(2), 1);
    assert_eq!(cpu::shares_to_weight(1024), 100);
    assert_eq!(cpu::shares_to_weight(262_144), 10_000);
    // Monotonic in between.
    let weights: Vec<u64> = (2..=262_144)
        .step_by(1000)
        .map(cpu::shares_to_weight)
        .collect();
    assert!(weights.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn cpu_writes() {
    let plan = cpu::plan(&full(), Some("max 100000\n")).unwrap();
    assert_eq!(
        pairs(&plan),
        [
            ("cpu.idle", "0"),
            ("cpu.weight", "100"),
            ("cpu.max.burst", "10000"),
            ("cpu.max", "50000 100000"),
        ]
    );
    assert_eq!(plan[2].on_error, OnError::RetryLast);
    // A weight given as such wins over converted shares.
    let weight = Resources {
        cpu_weight: Some(42),
        cpu_shares: Some(1024),
        ..Resources::default()
    };
    assert_eq!(
        pairs(&cpu::plan(&weight, None).unwrap()),
        [("cpu.weight", "42")]
    );
    // A quota or a period alone keeps the other one.
    let quota = Resources {
        cpu_quota: Some(20_000),
        ..Resources::default()
    };
    assert_eq!(
        pairs(&cpu::plan(&quota, Some("max 50000")).unwrap()),
        [("cpu.max", "20000 50000")]
    );
    let period = Resources {
        cpu_period: Some(200_000),
        ..Resources::default()
    };
    assert_eq!(
        pairs(&cpu::plan(&period, Some("30000 100000")).unwrap()),
        [("cpu.max", "30000 200000")]
    );
    let unlimited = Resources {
        cpu_quota: Some(-1),
        ..Resources::default()
    };
    assert_eq!(
        pairs(&cpu::plan(&unlimited, None).unwrap()),
        [("cpu.max", "max 100000")]
    );
    let rt = Resources {
        cpu_rt_runtime: Some(1),
        ..Resources::default()
    };
    let err = cpu::plan(&rt, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cpu_rt_runtime has no cgroup v2 equivalent"
    );
}

#[test]
fn memory_and_swap_as_libcontainer_converts_them() {
    assert_eq!(
        pairs(&memory::plan(&full()).unwrap()),
        [
            ("memory.swap.max", "33554432"),
            ("memory.max", "67108864"),
            ("memory.low", "33554432")
        ]
    );
    assert_eq!(memory::swap_limit(-1, 0).unwrap(), Some(-1));
    assert_eq!(memory::swap_limit(100, 0).unwrap(), None);
    assert_eq!(memory::swap_limit(100, -1).unwrap(), Some(-1));
    assert_eq!(memory::swap_limit(-1, 300).unwrap(), Some(300));
    assert_eq!(memory::swap_limit(100, 100).unwrap(), Some(0));
    assert_eq!(memory::swap_limit(100, 300).unwrap(), Some(200));
    assert!(memory::swap_limit(0, 300).is_err());
    let err = memory::swap_limit(300, 100).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot apply memory_swap 100: memory+swap is below the memory limit"
    );
    // Swap equal to memory: no swap, which holds without swap accounting too.
    let no_swap = Resources {
        memory: Some(1 << 20),
        memory_swap: Some(1 << 20),
        ..Resources::default()
    };
    let plan = memory::plan(&no_swap).unwrap();
    assert_eq!(
        pairs(&plan),
        [("memory.swap.max", "0"), ("memory.max", "1048576")]
    );
    assert_eq!(plan[0].on_error, OnError::SkipIfAbsent);
    let unlimited = Resources {
        memory: Some(-1),
        ..Resources::default()
    };
    assert_eq!(
        pairs(&memory::plan(&unlimited).unwrap()),
        [("memory.swap.max", "max"), ("memory.max", "max")]
    );
    for r in [
        Resources {
            memory_swappiness: Some(0),
            ..Resources::default()
        },
        Resources {
            oom_kill_disable: true,
            ..Resources::default()
        },
    ] {
        assert!(matches!(
            memory::plan(&r),
            Err(CgroupsError::NoCgroup2Equivalent { .. })
        ));
    }
}

#[test]
fn io_weights_and_limits() {
    let r = full();
    let plain = io::plan(&r, |_| false).unwrap();
    assert_eq!(
        pairs(&plain),
        [
            ("io.weight", "4950"),
            ("io.weight", "7:0 10000"),
            ("io.max", "7:0 rbps=1048576"),
            ("io.max", "7:0 wbps=2097152"),
            ("io.max", "7:0 riops=100"),
            ("io.max", "7:0 wiops=200"),
        ]
    );
    let bfq = io::plan(&r, |f| f == "io.bfq.weight").unwrap();
    assert_eq!(
        pairs(&bfq)[..2],
        [("io.bfq.weight", "500"), ("io.bfq.weight", "7:0 1000")]
    );
    assert_eq!(io::blkio_weight_to_io_weight(10), 1);
    assert_eq!(io::blkio_weight_to_io_weight(1000), 10_000);
    let leaf = Resources {
        blkio_leaf_weight: Some(10),
        ..Resources::default()
    };
    assert!(matches!(
        io::plan(&leaf, |_| false),
        Err(CgroupsError::NoCgroup2Equivalent { .. })
    ));
}

#[test]
fn hugetlb_rdma_and_raw_settings() {
    let r = full();
    let plan = hugetlb::plan(&r);
    assert_eq!(
        pairs(&plan),
        [
            ("hugetlb.2MB.max", "4194304"),
            ("hugetlb.2MB.rsvd.max", "4194304")
        ]
    );
    assert_eq!(
        pairs(&crate::rdma::plan(&r)),
        [("rdma.max", "mlx4_0 hca_handle=2 hca_object=2000")]
    );
    assert_eq!(pairs(&unified::plan(&r).unwrap()), [("memory.high", "50M")]);
    let lines = Resources {
        unified: [("io.max".to_owned(), "7:0 rbps=1\n7:1 wbps=2\n".to_owned())].into(),
        ..Resources::default()
    };
    assert_eq!(
        pairs(&unified::plan(&lines).unwrap()),
        [("io.max", "7:0 rbps=1"), ("io.max", "7:1 wbps=2")]
    );
    for key in ["../memory.max", "memory", ".max", "cgroup/x.y"] {
        let bad = Resources {
            unified: [(key.to_owned(), "1".to_owned())].into(),
            ..Resources::default()
        };
        assert!(
            matches!(
                unified::plan(&bad),
                Err(CgroupsError::InvalidUnifiedKey { .. })
            ),
            "{key}"
        );
    }
}

#[test]
fn applies_to_a_real_tree() {
    let dir = fixture::cgroup("v2");
    let r = full();
    let mut all = memory::plan(&r).unwrap();
    all.extend(cpu::plan(&r, Some("max 100000")).unwrap());
    all.extend(crate::pids::plan(&r));
    plan::apply(dir.path(), &all).unwrap();
    assert_eq!(fixture::read(dir.path(), "memory.max"), "67108864");
    assert_eq!(fixture::read(dir.path(), "cpu.max"), "50000 100000");
    assert_eq!(fixture::read(dir.path(), "pids.max"), "10");
}

#[test]
fn statistics_of_a_real_tree() {
    let dir = fixture::path("v2");
    let (usage, throttling) = cpu::stats(&dir).unwrap();
    assert_eq!(
        (usage.total, usage.user, usage.kernel),
        (5_497_546_000, 4_439_172_000, 1_058_374_000)
    );
    assert_eq!(
        (
            throttling.periods,
            throttling.throttled_periods,
            throttling.throttled_time
        ),
        (110, 108, 7_114_306_000)
    );

    let memory = memory::stats(&dir).unwrap();
    assert_eq!(memory.usage.usage, 3_514_368);
    assert_eq!(memory.usage.max_usage, 6_520_832);
    assert_eq!(memory.usage.limit, 64 << 20);
    assert_eq!(memory.swap_only_usage.limit, u64::MAX);
    assert_eq!(memory.swap_usage.usage, 3_514_368);
    assert_eq!(memory.stats.get("anon"), Some(&3_125_248));
    assert!(memory.use_hierarchy);
    let pressure = memory.pressure.unwrap();
    assert_eq!(pressure.some.total, 0);

    let io = io::stats(&dir).unwrap();
    let bytes: Vec<_> = io
        .io_service_bytes_recursive
        .iter()
        .map(|e| (e.major, e.minor, e.op.as_str(), e.value))
        .collect();
    assert_eq!(
        bytes,
        [
            (7, 0, "Read", 1_048_576),
            (7, 0, "Write", 2_097_152),
            (7, 0, "Discard", 0)
        ]
    );
    let ios: Vec<_> = io.io_serviced_recursive.iter().map(|e| e.value).collect();
    assert_eq!(ios, [16, 32, 0]);
    let io_pressure = io.pressure.unwrap();
    assert_eq!(io_pressure.full.total, 31_423);
    assert!((io_pressure.some.avg10 - 0.08).abs() < 1e-9);

    let pids = crate::pids::stats(&dir).unwrap();
    assert_eq!((pids.current, pids.limit), (1, 100));
    let hugetlb = hugetlb::stats(&dir).unwrap();
    assert_eq!(hugetlb.keys().collect::<Vec<_>>(), ["2MB"]);
    assert_eq!(hugetlb["2MB"].usage, 0);
    assert_eq!(memory::oom_kill_count(&dir).unwrap(), 0);
}

#[test]
fn a_device_without_io_yet_has_no_entries() {
    let dir = fixture::cgroup("v2");
    std::fs::write(dir.path().join("io.stat"), "7:0 \n").unwrap();
    let io = io::stats(dir.path()).unwrap();
    assert!(io.io_service_bytes_recursive.is_empty());
}

#[test]
fn freezer_waits_for_the_kernel_to_report_frozen() {
    let dir = fixture::cgroup("v2");
    assert!(freezer::available(dir.path()));
    assert_eq!(
        freezer::state(dir.path()).unwrap(),
        Some(FreezerState::Thawed)
    );
    // The fixture's cgroup.events does not change by itself: say frozen as the kernel would.
    std::fs::write(dir.path().join("cgroup.events"), "populated 1\nfrozen 1\n").unwrap();
    freezer::freeze(dir.path()).unwrap();
    assert_eq!(fixture::read(dir.path(), "cgroup.freeze"), "1");
    assert_eq!(
        freezer::state(dir.path()).unwrap(),
        Some(FreezerState::Frozen)
    );
    freezer::thaw(dir.path()).unwrap();
    assert_eq!(
        freezer::state(dir.path()).unwrap(),
        Some(FreezerState::Thawed)
    );
    std::fs::remove_file(dir.path().join("cgroup.freeze")).unwrap();
    assert_eq!(freezer::state(dir.path()).unwrap(), None);
}

#[test]
fn hybrid_unified_directory_statistics() {
    // A hybrid host's cgroup2 directory has cpu.stat and PSI without any controller.
    let dir = fixture::path("v2-hybrid");
    let (usage, _) = cpu::stats(&dir).unwrap();
    assert_eq!(usage.total, 485_430_000);
    let cpu = psi::read(&dir, "cpu.pressure").unwrap().unwrap();
    assert_eq!((cpu.some.total, cpu.full.total), (355_213, 352_020));
    assert!(psi::read(&dir, "no.pressure").unwrap().is_none());
}

#[test]
fn enabling_controllers_down_the_tree() {
    let root = fixture::cgroup("v2-root");
    std::fs::write(root.path().join("cgroup.subtree_control"), "").unwrap();
    let dir = root.path().join("hull-test/c1");
    let wanted: Vec<String> = ["memory", "pids", "nonesuch"].map(String::from).into();
    controllers::create(root.path(), &dir, &wanted).unwrap();
    assert!(dir.is_dir());
    // The kernel takes "+a +b" at once; the fixture keeps what was written.
    assert_eq!(
        fixture::read(root.path(), "cgroup.subtree_control"),
        "+memory +pids"
    );
    // The new middle cgroup is a plain directory here: nothing to enable in it.
    assert_eq!(
        controllers::list(&dir, "cgroup.controllers").unwrap(),
        Vec::<String>::new()
    );
    // Nothing missing: no write.
    std::fs::write(root.path().join("cgroup.subtree_control"), "memory pids\n").unwrap();
    controllers::enable(root.path(), &dir, &wanted).unwrap();
    assert_eq!(
        fixture::read(root.path(), "cgroup.subtree_control"),
        "memory pids\n"
    );
}

#[test]
fn delegation_gives_the_directory_and_listed_files_to_the_owner() {
    use std::os::unix::fs::MetadataExt;
    let dir = fixture::cgroup("v2");
    let list = dir.path().join("delegate-list");
    std::fs::write(
        &list,
        "cgroup.procs\ncgroup.threads\nmemory.oom.group\nnot.there\n",
    )
    .unwrap();
    let files = delegate::files(&list);
    assert_eq!(files.len(), 4);
    assert_eq!(
        delegate::files(&dir.path().join("none")),
        ["cgroup.procs", "cgroup.subtree_control", "cgroup.threads"]
    );
    // Our own uid: chown to it needs no privilege.
    let uid = nix::unistd::getuid().as_raw();
    delegate::delegate(dir.path(), uid, &files).unwrap();
    let owner = std::fs::metadata(dir.path().join("cgroup.procs"))
        .unwrap()
        .uid();
    assert_eq!(owner, uid);
    let err = delegate::delegate(&dir.path().join("gone"), uid, &files).unwrap_err();
    assert!(matches!(err, CgroupsError::ChownCgroup { .. }), "{err}");
}
