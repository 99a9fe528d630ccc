//! Creating, joining, refusing and destroying cgroups, as root. Each test uses a cgroup
//! of its own under `/hull-test/`.

mod cgroups_support;

use std::fs;
use std::thread;
use std::time::Duration;

use cgroups_support::TestCgroup;
use hull_cgroups::{CgroupfsManager, CgroupsError, Hierarchies, Manager, Membership};
use hull_configs::{Cgroup, Resources};
use nix::unistd::Pid;

/// A second manager of the same cgroup, as another `hull` command would make.
fn same_cgroup(cgroup: &TestCgroup) -> CgroupfsManager {
    let config = Cgroup {
        path: Some(cgroup.path.clone()),
        ..Cgroup::default()
    };
    let hierarchies = Hierarchies::detect().expect("hierarchies");
    CgroupfsManager::with_host(&config, &hierarchies, &Membership::default()).expect("manager")
}

#[test]
fn destroy_removes_every_directory_and_sub_cgroup() {
    hull_tests::require_root();
    let mut cgroup = TestCgroup::new("destroy", Resources::default());
    let paths = cgroup.paths();
    assert!(!paths.is_empty());
    for dir in paths.values() {
        assert!(dir.is_dir(), "{} was not created", dir.display());
        fs::create_dir_all(dir.join("nested/deeper")).expect("a sub-cgroup");
    }
    cgroup.spawn_sh("sleep 30");
    thread::sleep(Duration::from_millis(100));
    assert!(cgroup.manager.exists());
    cgroup
        .manager
        .kill_all(nix::sys::signal::Signal::SIGKILL)
        .expect("kill");
    cgroup.manager.destroy().expect("destroy");
    for dir in paths.values() {
        assert!(!dir.exists(), "{} is left", dir.display());
    }
    assert!(!cgroup.manager.exists());
}

#[test]
fn apply_refuses_a_cgroup_in_use_and_join_accepts_it() {
    hull_tests::require_root();
    let mut cgroup = TestCgroup::new("in-use", Resources::default());
    let first = cgroup.spawn_sh("exec sleep 30");
    thread::sleep(Duration::from_millis(100));
    assert_eq!(cgroup.manager.pids().expect("pids"), [first]);

    let other = same_cgroup(&cgroup);
    let err = other.apply(Pid::from_raw(first.as_raw())).unwrap_err();
    assert!(
        matches!(err, CgroupsError::NotEmpty { count: 1, .. }),
        "{err}"
    );
    let err = other.entry().unwrap_err();
    assert!(matches!(err, CgroupsError::NotEmpty { .. }), "{err}");
    // `exec` joins a running container.
    let second = cgroup.spawn_sh("exec sleep 30");
    let mut pids = cgroup.manager.pids().expect("pids");
    pids.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(pids, expected);
}

#[test]
fn apply_refuses_a_frozen_cgroup() {
    hull_tests::require_root();
    let cgroup = TestCgroup::new("frozen", Resources::default());
    cgroup.manager.freeze().expect("freeze the empty cgroup");
    let err = same_cgroup(&cgroup).apply(Pid::this()).unwrap_err();
    assert!(matches!(err, CgroupsError::Frozen { .. }), "{err}");
    let err = same_cgroup(&cgroup).entry().unwrap_err();
    assert!(matches!(err, CgroupsError::Frozen { .. }), "{err}");
    cgroup.manager.thaw().expect("thaw");
}

#[test]
fn rejected_values_name_the_file_and_value() {
    hull_tests::require_root();
    let resources = Resources {
        cpu_quota: Some(500),
        skip_devices: true,
        ..Resources::default()
    };
    let cgroup = TestCgroup::new("rejected", Resources::default());
    let err = cgroup.manager.set(&resources).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, CgroupsError::WriteFile { .. }), "{message}");
    // v1 writes cpu.cfs_quota_us "500", v2 cpu.max "500 100000".
    assert!(
        message.contains("\"500") && message.contains("/cpu."),
        "{message}"
    );
}

#[test]
fn stats_read_on_this_host() {
    hull_tests::require_root();
    let mut cgroup = TestCgroup::new("stats", Resources::default());
    // Some CPU, and memory allocated after joining (charged to the cgroup on v1 and v2).
    let script = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; \
                  x=$(head -c 2000000 /dev/zero | tr '\\000' a); exec sleep 30";
    let pid = cgroup.spawn_sh(script);
    // Until the work is done (slow under an emulated VM).
    for _ in 0..200 {
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() == "sleep" {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let stats = cgroup.manager.stats().expect("stats");
    assert!(stats.cpu.usage.total > 0, "{:?}", stats.cpu);
    assert!(stats.memory.usage.usage > 0, "{:?}", stats.memory.usage);
    assert!(!stats.memory.stats.is_empty());
    assert_eq!(stats.pids.current, 1, "{:?}", stats.pids);
}
