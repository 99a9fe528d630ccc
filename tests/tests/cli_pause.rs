//! `hull pause`, `hull resume` and `hull ps` on running containers, through the `hull`
//! binary, as containerd's shim and podman call them. As root.

#![allow(clippy::unwrap_used)] // a panic is a failed test

mod cli_support;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use cli_support::TestBundle;
use serde_json::json;

/// A shell that counts, ten times a second, into `/out/count`.
const COUNTER: &[&str] = &[
    "sh",
    "-c",
    "i=0; while true; do i=$((i+1)); echo $i > /out/count; sleep 0.1; done",
];

/// A running container of [`COUNTER`], with `/out` bound from a host directory.
fn counting(prefix: &str, out: &Path) -> TestBundle {
    let mut bundle = TestBundle::new(prefix, COUNTER);
    bundle.edit(|spec| {
        spec["mounts"].as_array_mut().unwrap().push(json!({
            "destination": "/out", "type": "bind", "source": out, "options": ["rbind", "rw"],
        }))
    });
    bundle.hull(&["run", "-d", &bundle.id]).ok();
    bundle.remember_init();
    bundle
}

fn count(out: &Path) -> Option<u64> {
    fs::read_to_string(out.join("count"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Waits until the counter moves past `than`, or panics after a few seconds.
fn wait_past(out: &Path, than: Option<u64>) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(now) = count(out).filter(|&now| Some(now) > than) {
            return now;
        }
        assert!(Instant::now() < deadline, "the counter stayed at {than:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn pause_stops_a_busy_process_and_resume_restarts_it() {
    let out = tempfile::tempdir().unwrap();
    let bundle = counting("pause", out.path());
    wait_past(out.path(), None);

    bundle.hull(&["pause", &bundle.id]).ok();
    assert_eq!(bundle.status(), "paused");
    // A write the freezer caught midway may still land: read once it has settled.
    std::thread::sleep(Duration::from_millis(300));
    let frozen = count(out.path());
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(count(out.path()), frozen, "the counter moved while paused");
    bundle
        .hull(&["pause", &bundle.id])
        .fails_with("cannot pause container");

    bundle.hull(&["resume", &bundle.id]).ok();
    assert_eq!(bundle.status(), "running");
    wait_past(out.path(), frozen);
    bundle
        .hull(&["resume", &bundle.id])
        .fails_with("cannot resume container");

    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn ps_lists_the_containers_processes_as_json_and_as_a_table() {
    let out = tempfile::tempdir().unwrap();
    let bundle = counting("ps", out.path());
    let init = bundle.state()["pid"].as_i64().unwrap();

    let ran = bundle.hull(&["ps", "--format", "json", &bundle.id]).ok();
    let pids: Vec<i64> = serde_json::from_str(&ran.stdout).unwrap();
    assert!(pids.contains(&init), "{pids:?} lacks the init {init}");
    let in_cgroup = |pid: &i64| {
        let cgroup = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
        cgroup.contains(&bundle.id)
    };
    assert!(pids.iter().all(in_cgroup), "{pids:?}");

    let ran = bundle.hull(&["ps", &bundle.id, "-o", "pid,comm"]).ok();
    let mut lines = ran.stdout.lines();
    assert_eq!(lines.next().unwrap().split_whitespace().next(), Some("PID"));
    let listed: Vec<i64> = lines
        .map(|line| line.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert!(listed.contains(&init), "{ran:?}");
    assert!(
        listed
            .iter()
            .all(|pid| pids.contains(pid) || !in_cgroup(pid)),
        "{ran:?}"
    );
    assert!(listed.len() < 10, "lines of other processes: {ran:?}");

    bundle.hull(&["delete", "--force", &bundle.id]).ok();
    bundle.assert_nothing_left();
}

#[test]
fn pause_resume_and_ps_of_unknown_or_stopped_containers_are_errors() {
    let mut bundle = TestBundle::new("pause-bad", &["true"]);
    for command in ["pause", "resume", "ps"] {
        bundle
            .hull(&[command, "no-such-container"])
            .fails_with("container no-such-container does not exist");
    }
    bundle.hull(&["create", &bundle.id]).ok();
    bundle.remember_init();
    bundle.hull(&["start", &bundle.id]).ok();
    bundle.wait_for_status("stopped");
    bundle
        .hull(&["pause", &bundle.id])
        .fails_with("cannot pause container");
    bundle
        .hull(&["resume", &bundle.id])
        .fails_with("cannot resume container");
    bundle.hull(&["delete", &bundle.id]).ok();
    bundle.assert_nothing_left();
}
