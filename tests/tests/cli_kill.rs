//! `hull kill` and `hull delete` of running containers, through the `hull` binary. As root.

mod cli_support;

use std::fs;

use cli_support::TestBundle;

const SLEEPER: &[&str] = &["/bin/hull-probe", "sleep", "60"];

#[test]
fn kill_by_name_and_by_number() {
    for signal in ["KILL", "SIGKILL", "kill", "9"] {
        let mut bundle = TestBundle::new("kill", SLEEPER);
        bundle.hull(&["run", "-d", &bundle.id]).ok();
        bundle.remember_init();
        bundle.hull(&["kill", &bundle.id, signal]).ok();
        bundle.wait_for_status("stopped");
        bundle.hull(&["delete", &bundle.id]).ok();
        bundle.assert_nothing_left();
    }
}

#[test]
fn kill_sends_sigterm_by_default() {
    // As pid 1 of its namespace, the shell only dies of a signal it handles.
    let script = "trap 'exit 0' TERM; while true; do sleep 0.1; done";
    let mut bundle = TestBundle::new("kill-term", &["sh", "-c", script]);
    bundle.hull(&["run", "-d", &bundle.id]).ok();
    let pid = bundle.remember_init();
    wait_until(|| catches(pid, 15), "the shell's trap set");
    bundle.hull(&["kill", &bundle.id]).ok();
    bundle.wait_for_status("stopped");
}

/// Whether process `pid` has a handler for signal `signo` (its `SigCgt` mask).
fn catches(pid: i32, signo: u32) -> bool {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (signo - 1)) != 0)
}

#[test]
fn kill_all_signals_every_process_of_the_container() {
    let script = "/bin/hull-probe sleep 60 & /bin/hull-probe sleep 60 & \
                  while true; do sleep 0.1; done";
    let mut bundle = TestBundle::new("kill-all", &["sh", "-c", script]);
    bundle.hull(&["run", "-d", &bundle.id]).ok();
    bundle.remember_init();
    let procs = bundle.cgroup_dirs()[0].join("cgroup.procs");
    wait_until(|| probes_in(&procs) == 2, "two probes in the cgroup");

    // The shell, as pid 1, ignores SIGTERM without a handler: only the others go.
    bundle.hull(&["kill", "--all", &bundle.id, "TERM"]).ok();
    wait_until(|| probes_in(&procs) == 0, "the probes gone");
    assert_eq!(bundle.status(), "running");

    bundle.hull(&["kill", "-a", &bundle.id, "KILL"]).ok();
    bundle.wait_for_status("stopped");
    // As runc: --all on a stopped container is not an error; without it, it is.
    bundle.hull(&["kill", "--all", &bundle.id, "KILL"]).ok();
    bundle
        .hull(&["kill", &bundle.id, "KILL"])
        .fails_with("it is stopped");
    bundle.hull(&["delete", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn delete_refuses_a_running_container_and_force_removes_it() {
    let mut bundle = TestBundle::new("delete-force", SLEEPER);
    bundle.hull(&["run", "-d", &bundle.id]).ok();
    let pid = bundle.remember_init();
    bundle.hull(&["delete", &bundle.id]).fails_with(&format!(
        "cannot delete container {}: it is running",
        bundle.id
    ));
    assert_eq!(bundle.status(), "running");

    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    bundle.assert_nothing_left();
    cli_support::reap(pid);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the init still exists"
    );
    // As runc: forcing the delete of a container that is not there succeeds.
    bundle.hull(&["delete", "-f", &bundle.id]).ok();
    bundle
        .hull(&["delete", &bundle.id])
        .fails_with("does not exist");
}

#[test]
fn delete_of_a_created_container_kills_its_init() {
    let mut bundle = TestBundle::new("delete-created", SLEEPER);
    bundle.hull(&["create", &bundle.id]).ok();
    bundle.remember_init();
    assert_eq!(bundle.status(), "created");
    bundle.hull(&["delete", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn unknown_signals_are_refused() {
    let mut bundle = TestBundle::new("kill-unknown", SLEEPER);
    bundle.hull(&["run", "-d", &bundle.id]).ok();
    bundle.remember_init();
    for signal in ["SIGNOPE", "0", "65"] {
        bundle
            .hull(&["kill", &bundle.id, signal])
            .fails_with(&format!("unknown signal \"{signal}\""));
    }
    assert_eq!(bundle.status(), "running");
}

/// How many processes of a `cgroup.procs` file run hull-probe.
fn probes_in(procs: &std::path::Path) -> usize {
    fs::read_to_string(procs)
        .unwrap_or_default()
        .lines()
        .filter(|pid| {
            fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "hull-probe\n")
        })
        .count()
}

#[track_caller]
fn wait_until(mut done: impl FnMut() -> bool, what: &str) {
    let deadline = std::time::Instant::now() + cli_support::TIMEOUT;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
