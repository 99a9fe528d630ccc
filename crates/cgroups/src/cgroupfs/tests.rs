//! The cgroupfs manager on fake hosts: tempdirs laid out like a hybrid, a legacy and a
//! pure v2 host, each cgroup directory a copy of a real one (`tests/fixtures`).

use std::fs;
use std::path::{Path, PathBuf};

use hull_configs::{Cgroup, FreezerState, HugepageLimit, Resources};
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use tempfile::TempDir;

use super::CgroupfsManager;
use crate::error::CgroupsError;
use crate::fixture;
use crate::hierarchy::{Hierarchies, Layout, UnifiedHierarchy, V1Hierarchy};
use crate::manager::Manager;
use crate::membership::Membership;

const CGROUP: &str = "/hull-test/c1";

/// This machine's v1 controllers, each mounted alone.
const V1: &[&str] = &[
    "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
];

struct Host {
    dir: TempDir,
    hierarchies: Hierarchies,
}

impl Host {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn manager(&self, resources: &Resources) -> CgroupfsManager {
        let cgroup = Cgroup {
            path: Some(CGROUP.into()),
            resources: resources.clone(),
            ..Cgroup::default()
        };
        CgroupfsManager::with_host(&cgroup, &self.hierarchies, &Membership::default()).unwrap()
    }

    /// The cgroup's directory under a mount.
    fn cgroup(&self, mount: &str) -> PathBuf {
        self.root().join(mount).join(CGROUP.trim_start_matches('/'))
    }
}

/// Lays `fixture` at the mount's root, its `hull-test` and the cgroup itself.
fn lay(mount: &Path, fixture_dir: &str) {
    for dir in [
        mount.to_owned(),
        mount.join("hull-test"),
        mount.join("hull-test/c1"),
    ] {
        fixture::copy_into(&fixture::path(fixture_dir), &dir);
    }
}

/// A hybrid host: this machine's v1 mounts plus a `unified` cgroup2 mount offering only
/// `hugetlb`.
fn hybrid() -> Host {
    let dir = tempfile::tempdir().unwrap();
    let mut v1 = Vec::new();
    for controller in V1 {
        let mount = dir.path().join(controller);
        lay(&mount, &format!("v1/{controller}"));
        v1.push(V1Hierarchy {
            mount_point: mount,
            root: "/".into(),
            controllers: vec![(*controller).to_owned()],
        });
    }
    let unified = dir.path().join("unified");
    lay(&unified, "v2-hybrid");
    for d in [unified.clone(), unified.join("hull-test")] {
        fs::write(d.join("cgroup.controllers"), "hugetlb\n").unwrap();
    }
    for file in [
        "hugetlb.2MB.max",
        "hugetlb.2MB.rsvd.max",
        "hugetlb.2MB.current",
        "hugetlb.2MB.events",
    ] {
        fs::copy(
            fixture::path("v2").join(file),
            unified.join("hull-test/c1").join(file),
        )
        .unwrap();
    }
    let hierarchies = Hierarchies {
        v1,
        unified: Some(UnifiedHierarchy {
            mount_point: unified,
            root: "/".into(),
            controllers: vec!["hugetlb".into()],
        }),
    };
    Host { dir, hierarchies }
}

/// A pure v2 host with every controller.
fn unified() -> Host {
    let dir = tempfile::tempdir().unwrap();
    lay(dir.path(), "v2");
    fixture::copy_into(&fixture::path("v2-root"), dir.path());
    for d in [dir.path().to_owned(), dir.path().join("hull-test")] {
        fs::write(d.join("cgroup.subtree_control"), "").unwrap();
    }
    fs::write(dir.path().join("hull-test/c1/cgroup.procs"), "").unwrap();
    let controllers = fixture::read(dir.path(), "cgroup.controllers");
    let hierarchies = Hierarchies {
        v1: Vec::new(),
        unified: Some(UnifiedHierarchy {
            mount_point: dir.path().to_owned(),
            root: "/".into(),
            controllers: controllers.split_whitespace().map(String::from).collect(),
        }),
    };
    Host { dir, hierarchies }
}

fn no_devices() -> Resources {
    Resources {
        skip_devices: true,
        ..Resources::default()
    }
}

#[test]
fn hybrid_paths_and_layout() {
    let host = hybrid();
    let manager = host.manager(&no_devices());
    assert_eq!(manager.layout(), Layout::Hybrid);
    let paths = manager.paths();
    assert_eq!(paths[""], host.cgroup("unified"));
    assert_eq!(paths["memory"], host.cgroup("memory"));
    assert_eq!(paths.len(), V1.len() + 1);
    assert!(manager.exists());
}

#[test]
fn hybrid_writes_v1_controllers_and_hugetlb_on_the_unified_hierarchy() {
    let host = hybrid();
    let r = Resources {
        memory: Some(32 << 20),
        pids_limit: Some(10),
        cpu_quota: Some(50_000),
        hugetlb_limit: vec![HugepageLimit {
            pagesize: "2MB".into(),
            limit: 2 << 20,
        }],
        ..no_devices()
    };
    let manager = host.manager(&r);
    manager.create().unwrap();
    manager.set(&r).unwrap();
    assert_eq!(
        fixture::read(&host.cgroup("memory"), "memory.limit_in_bytes"),
        "33554432"
    );
    assert_eq!(fixture::read(&host.cgroup("pids"), "pids.max"), "10");
    assert_eq!(
        fixture::read(&host.cgroup("cpu"), "cpu.cfs_quota_us"),
        "50000"
    );
    assert_eq!(
        fixture::read(&host.cgroup("unified"), "hugetlb.2MB.max"),
        "2097152"
    );
    // Only the controller that is used gets enabled, from the top.
    let unified = host.root().join("unified");
    assert_eq!(
        fixture::read(&unified, "cgroup.subtree_control"),
        "+hugetlb"
    );
    assert_eq!(
        fixture::read(&unified.join("hull-test"), "cgroup.subtree_control"),
        "+hugetlb"
    );
}

#[test]
fn hybrid_statistics_combine_both_hierarchies() {
    let host = hybrid();
    let stats = host.manager(&no_devices()).stats().unwrap();
    assert_eq!(stats.cpu.usage.total, 485_430_270);
    assert_eq!(stats.cpu.throttling.throttled_periods, 9);
    assert_eq!(stats.memory.usage.usage, 200_704);
    assert_eq!(stats.pids.limit, 100);
    assert_eq!(stats.blkio.io_service_bytes_recursive.len(), 6);
    assert!(stats.hugetlb.contains_key("2MB"));
    assert_eq!(stats.cpu.pressure.unwrap().some.total, 355_213);
}

#[test]
fn resources_without_a_controller_are_refused() {
    let host = hybrid();
    let manager = host.manager(&no_devices());
    let net = Resources {
        net_cls_classid: Some(1),
        ..no_devices()
    };
    let err = manager.set(&net).unwrap_err();
    assert_eq!(
        err.to_string(),
        "net_cls_classid needs the net_cls cgroup controller, which is not available"
    );
    let raw = Resources {
        unified: [("memory.high".to_owned(), "1G".to_owned())].into(),
        ..no_devices()
    };
    assert!(matches!(
        manager.set(&raw),
        Err(CgroupsError::UnifiedWithoutCgroup2 { .. })
    ));

    let v2 = unified();
    let err = v2.manager(&no_devices()).set(&net).unwrap_err();
    assert!(matches!(
        err,
        CgroupsError::NoCgroup2Equivalent {
            field: "net_cls_classid"
        }
    ));
}

#[test]
fn unified_writes_every_controller_in_one_directory() {
    let host = unified();
    let r = Resources {
        memory: Some(64 << 20),
        memory_swap: Some(64 << 20),
        cpu_shares: Some(2048),
        cpu_quota: Some(25_000),
        pids_limit: Some(0),
        unified: [("memory.high".to_owned(), "50M".to_owned())].into(),
        ..no_devices()
    };
    let manager = host.manager(&r);
    assert_eq!(manager.layout(), Layout::Unified);
    manager.create().unwrap();
    manager.set(&r).unwrap();
    let dir = host.cgroup("");
    assert_eq!(manager.paths()[""], dir);
    assert_eq!(fixture::read(&dir, "memory.max"), "67108864");
    assert_eq!(fixture::read(&dir, "memory.swap.max"), "0");
    assert_eq!(fixture::read(&dir, "cpu.weight"), "174");
    // The period already in cpu.max stays.
    assert_eq!(fixture::read(&dir, "cpu.max"), "25000 100000");
    assert_eq!(fixture::read(&dir, "pids.max"), "1");
    assert_eq!(fixture::read(&dir, "memory.high"), "50M");
    // Every controller is enabled on the way down, as runc does.
    let enabled = fixture::read(host.root(), "cgroup.subtree_control");
    assert_eq!(
        enabled,
        "+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc"
    );
}

#[test]
fn unified_statistics() {
    let host = unified();
    let manager = host.manager(&no_devices());
    let stats = manager.stats().unwrap();
    assert_eq!(stats.cpu.usage.total, 5_497_546_000);
    assert_eq!(stats.memory.usage.max_usage, 6_520_832);
    assert_eq!(stats.blkio.io_serviced_recursive.len(), 3);
    assert_eq!(stats.pids.current, 1);
    assert_eq!(manager.oom_kill_count().unwrap(), 0);
}

#[test]
fn apply_refuses_cgroups_in_use_or_frozen() {
    let host = hybrid();
    let manager = host.manager(&no_devices());
    fs::write(host.cgroup("pids").join("cgroup.procs"), "4242\n").unwrap();
    let err = manager.apply(Pid::from_raw(1)).unwrap_err();
    assert!(
        matches!(err, CgroupsError::NotEmpty { count: 1, .. }),
        "{err}"
    );
    fs::write(host.cgroup("pids").join("cgroup.procs"), "").unwrap();
    fs::write(host.cgroup("freezer").join("freezer.state"), "FROZEN\n").unwrap();
    fs::write(host.cgroup("freezer").join("freezer.self_freezing"), "1\n").unwrap();
    let err = manager.apply(Pid::from_raw(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cgroup {} is frozen", host.cgroup("freezer").display())
    );

    let v2 = unified();
    fs::write(v2.cgroup("").join("cgroup.freeze"), "1\n").unwrap();
    let err = v2
        .manager(&no_devices())
        .apply(Pid::from_raw(1))
        .unwrap_err();
    assert!(matches!(err, CgroupsError::Frozen { .. }), "{err}");
}

#[test]
fn join_moves_the_process_into_every_hierarchy() {
    let host = hybrid();
    let manager = host.manager(&no_devices());
    manager.join(Pid::from_raw(4242)).unwrap();
    for dir in manager.paths().values() {
        assert_eq!(fixture::read(dir, "cgroup.procs"), "4242");
    }
    assert_eq!(manager.pids().unwrap(), [Pid::from_raw(4242)]);
}

#[test]
fn freezer_and_kill_use_what_the_host_has() {
    let host = hybrid();
    let manager = host.manager(&no_devices());
    manager.freeze().unwrap();
    assert_eq!(
        fixture::read(&host.cgroup("freezer"), "freezer.state"),
        "FROZEN"
    );
    manager.thaw().unwrap();
    assert_eq!(manager.freezer_state().unwrap(), Some(FreezerState::Thawed));
    // SIGKILL goes through cgroup.kill, even on the hybrid host's unified hierarchy.
    manager.kill_all(Signal::SIGKILL).unwrap();
    assert_eq!(fixture::read(&host.cgroup("unified"), "cgroup.kill"), "1");

    let v2 = unified();
    let manager = v2.manager(&no_devices());
    fs::write(
        v2.cgroup("").join("cgroup.events"),
        "populated 0\nfrozen 1\n",
    )
    .unwrap();
    manager.freeze().unwrap();
    assert_eq!(manager.freezer_state().unwrap(), Some(FreezerState::Frozen));
}

#[test]
fn relative_paths_never_use_the_callers_cgroups_unread() {
    let host = hybrid();
    let cgroup = Cgroup {
        name: Some("c1".into()),
        ..Cgroup::default()
    };
    let err =
        CgroupfsManager::with_host(&cgroup, &host.hierarchies, &Membership::default()).unwrap_err();
    assert!(
        matches!(err, CgroupsError::OwnCgroupMissing { .. }),
        "{err}"
    );
}

#[test]
fn legacy_comounted_controllers_share_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    let cpu = dir.path().join("cpu,cpuacct");
    lay(&cpu, "v1/cpu");
    fixture::copy_into(&fixture::path("v1/cpuacct"), &cpu.join("hull-test/c1"));
    let freezer = dir.path().join("freezer");
    lay(&freezer, "v1/freezer");
    let v1 = |mount_point: &Path, controllers: &[&str]| V1Hierarchy {
        mount_point: mount_point.to_owned(),
        root: "/".into(),
        controllers: controllers.iter().map(|c| (*c).to_owned()).collect(),
    };
    let hierarchies = Hierarchies {
        v1: vec![v1(&cpu, &["cpu", "cpuacct"]), v1(&freezer, &["freezer"])],
        unified: None,
    };
    let host = Host { dir, hierarchies };
    let manager = host.manager(&no_devices());
    assert_eq!(manager.layout(), Layout::Legacy);
    let paths = manager.paths();
    assert_eq!(paths["cpu"], paths["cpuacct"]);
    assert_eq!(paths["cpu"], host.cgroup("cpu,cpuacct"));

    manager.join(Pid::from_raw(7)).unwrap();
    assert_eq!(
        fixture::read(&host.cgroup("cpu,cpuacct"), "cgroup.procs"),
        "7"
    );
    let stats = manager.stats().unwrap();
    assert_eq!(stats.cpu.usage.total, 485_430_270);
    assert_eq!(stats.cpu.throttling.periods, 14);

    let hugetlb = Resources {
        hugetlb_limit: vec![HugepageLimit {
            pagesize: "2MB".into(),
            limit: 0,
        }],
        ..no_devices()
    };
    let err = manager.set(&hugetlb).unwrap_err();
    assert!(
        matches!(
            err,
            CgroupsError::ControllerMissing {
                controller: "hugetlb",
                ..
            }
        ),
        "{err}"
    );
    // Without any device controller, rules cannot be enforced: refused.
    let err = manager.set(&Resources::default()).unwrap_err();
    assert!(
        matches!(
            err,
            CgroupsError::ControllerMissing {
                controller: "devices",
                ..
            }
        ),
        "{err}"
    );
    // No cgroup.kill: freeze, signal each (none here), thaw.
    manager.kill_all(Signal::SIGKILL).unwrap();
    assert_eq!(
        fixture::read(&host.cgroup("freezer"), "freezer.state"),
        "THAWED"
    );
}
