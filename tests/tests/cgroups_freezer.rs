//! The freezer and signals, as root: freeze stops a busy process, thaw resumes it, and
//! `kill_all` reaches every process. Each test uses a cgroup of its own under `/hull-test/`.

mod cgroups_support;

use std::thread;
use std::time::Duration;

use cgroups_support::TestCgroup;
use hull_cgroups::Manager;
use hull_configs::{FreezerState, Resources};
use nix::sys::signal::Signal;

#[test]
fn freeze_stops_a_busy_process_and_thaw_resumes_it() {
    hull_tests::require_root();
    let mut cgroup = TestCgroup::new("freeze", Resources::default());
    cgroup.spawn_sh("while :; do :; done");
    thread::sleep(Duration::from_millis(200));
    let running = cgroup.cpu_time();
    thread::sleep(Duration::from_millis(300));
    assert!(
        cgroup.cpu_time() > running + 50_000_000,
        "the loop does not run"
    );

    cgroup.manager.freeze().expect("freeze");
    assert_eq!(
        cgroup.manager.freezer_state().expect("state"),
        Some(FreezerState::Frozen)
    );
    let frozen = cgroup.cpu_time();
    thread::sleep(Duration::from_millis(500));
    let grew = cgroup.cpu_time() - frozen;
    assert!(grew < 5_000_000, "a frozen loop used {grew} ns");

    cgroup.manager.thaw().expect("thaw");
    assert_eq!(
        cgroup.manager.freezer_state().expect("state"),
        Some(FreezerState::Thawed)
    );
    let thawed = cgroup.cpu_time();
    thread::sleep(Duration::from_millis(300));
    assert!(
        cgroup.cpu_time() > thawed + 50_000_000,
        "the loop did not resume"
    );
}

#[test]
fn kill_all_reaches_every_process_with_any_signal() {
    hull_tests::require_root();
    let mut cgroup = TestCgroup::new("kill", Resources::default());
    let term = cgroup.spawn_sh("sleep 30 & sleep 30 & wait");
    thread::sleep(Duration::from_millis(300));
    assert_eq!(cgroup.manager.all_pids().expect("pids").len(), 3);
    // Not SIGKILL: freeze, signal each, thaw.
    cgroup.manager.kill_all(Signal::SIGTERM).expect("kill_all");
    let (status, _, _) = cgroup.wait(term, Duration::from_secs(5));
    assert!(status.is_some(), "the shell survived SIGTERM");
    wait_empty(&cgroup);
    assert_eq!(
        cgroup.manager.freezer_state().expect("state"),
        Some(FreezerState::Thawed)
    );

    cgroup.spawn_sh("sleep 30 & sleep 30 & wait");
    thread::sleep(Duration::from_millis(300));
    cgroup.manager.kill_all(Signal::SIGKILL).expect("kill_all");
    wait_empty(&cgroup);
}

fn wait_empty(cgroup: &TestCgroup) {
    for _ in 0..100 {
        if cgroup.manager.all_pids().expect("pids").is_empty() {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
    panic!("processes left: {:?}", cgroup.manager.all_pids());
}
