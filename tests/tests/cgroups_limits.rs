//! Resource limits enforced by the kernel, as root: memory (OOM kill and its event), pids
//! and CPU quota. Each test uses a cgroup of its own under `/hull-test/`.

mod cgroups_support;

use std::time::{Duration, Instant};

use cgroups_support::TestCgroup;
use hull_cgroups::Manager;
use hull_cgroups::events::Event;
use hull_configs::Resources;

/// The helper processes the tests start (this binary, run with only this test).
#[test]
#[ignore = "a helper process that the other tests start"]
fn helper() {
    cgroups_support::run_helper();
}

#[test]
fn memory_limit_oom_kills_and_the_notifier_reports_it() {
    hull_tests::require_root();
    const LIMIT: i64 = 32 << 20;
    let resources = Resources {
        memory: Some(LIMIT),
        // No swap to escape to.
        memory_swap: Some(LIMIT),
        skip_devices: true,
        ..Resources::default()
    };
    let mut cgroup = TestCgroup::new("oom", resources.clone());
    cgroup
        .manager
        .set(&resources)
        .expect("set the memory limit");
    let mut notifier = cgroup.manager.oom_notifier().expect("an OOM notifier");
    assert_eq!(cgroup.manager.oom_kill_count().expect("OOM kills"), 0);

    let pid = cgroup.spawn_helper("allocate", "64");
    let (status, stdout, _) = cgroup.wait(pid, Duration::from_secs(20));
    let status = status.expect("the allocating process ends");
    assert!(
        !stdout.contains("allocated"),
        "allocated past the limit: {stdout}"
    );
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "expected SIGKILL: {status}"
    );

    let event = notifier
        .wait(Some(Duration::from_secs(5)))
        .expect("wait for the event");
    assert!(
        matches!(event, Some(Event::Oom { count }) if count >= 1),
        "{event:?}"
    );
    assert!(cgroup.manager.oom_kill_count().expect("OOM kills") >= 1);
    let stats = cgroup.manager.stats().expect("stats");
    assert_eq!(stats.memory.usage.limit, LIMIT.unsigned_abs());
    assert!(
        stats.memory.usage.failcnt > 0 || stats.memory.oom_kills > 0,
        "{:?}",
        stats.memory
    );
}

#[test]
fn pids_max_10_stops_the_10th_fork() {
    hull_tests::require_root();
    let resources = Resources {
        pids_limit: Some(10),
        // The shell's background jobs open /dev/null: leave device access alone.
        skip_devices: true,
        ..Resources::default()
    };
    let mut cgroup = TestCgroup::new("pids", resources.clone());
    cgroup.manager.set(&resources).expect("set pids.max");
    // The shell is the first task: forks 1 to 9 start sleeps, the 10th fails.
    let pid =
        cgroup.spawn_sh("i=0; while [ $i -lt 12 ]; do sleep 30 >&- 2>&- & i=$((i+1)); done; wait");
    let deadline = Instant::now() + Duration::from_secs(10);
    let sleeps = loop {
        let sleeps = sleeping(&cgroup);
        if sleeps >= 9 || Instant::now() > deadline {
            break sleeps;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sleeping(&cgroup), 9, "sleeps before: {sleeps}");
    let stats = cgroup.manager.stats().expect("stats");
    assert_eq!(stats.pids.limit, 10);
    assert!(stats.pids.current <= 10, "{:?}", stats.pids);
    let (_, _, stderr) = cgroup.wait(pid, Duration::from_secs(5));
    assert!(
        stderr.to_lowercase().contains("fork"),
        "the shell's error: {stderr:?}"
    );
}

/// The processes of the cgroup named `sleep`.
fn sleeping(cgroup: &TestCgroup) -> usize {
    let pids = cgroup.manager.all_pids().expect("pids");
    pids.iter()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "sleep")
        })
        .count()
}

#[test]
fn cpu_quota_of_half_a_cpu_holds_a_busy_loop_near_half() {
    hull_tests::require_root();
    let resources = Resources {
        cpu_quota: Some(50_000),
        cpu_period: Some(100_000),
        skip_devices: true,
        ..Resources::default()
    };
    let mut cgroup = TestCgroup::new("cpu", resources.clone());
    cgroup.manager.set(&resources).expect("set the CPU quota");
    cgroup.spawn_sh("while :; do :; done");
    std::thread::sleep(Duration::from_millis(300));
    let (cpu0, wall0) = (cgroup.cpu_time(), Instant::now());
    std::thread::sleep(Duration::from_secs(2));
    let used = cgroup.cpu_time() - cpu0;
    let share = used as f64 / wall0.elapsed().as_nanos() as f64;
    // Half a CPU, give or take the load of a two-core machine shared with others.
    assert!(
        (0.2..=0.62).contains(&share),
        "the loop used {share:.2} of a CPU"
    );
    let stats = cgroup.manager.stats().expect("stats");
    assert!(
        stats.cpu.throttling.throttled_periods > 0,
        "{:?}",
        stats.cpu.throttling
    );
}
