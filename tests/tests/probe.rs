//! Tests of `hull-probe` itself, run on the host without root.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use hull_tests::report_of;

const PROBE: &str = env!("CARGO_BIN_EXE_hull-probe");

fn probe(args: &[&str]) -> Output {
    Command::new(PROBE)
        .args(args)
        .output()
        .expect("run hull-probe")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn report_describes_the_probe_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::new(PROBE)
        .arg("report")
        .current_dir(dir.path())
        .env("HULL_PROBE_TEST", "a=b")
        .output()
        .expect("run hull-probe");
    let report = report_of(&output);

    assert_eq!(report.ppid, std::process::id());
    assert_ne!(report.pid, report.ppid);
    let cwd = dir.path().canonicalize().expect("canonical tempdir");
    assert_eq!(report.cwd.as_deref().map(Path::new), Some(cwd.as_path()));
    assert_eq!(report.env_var("HULL_PROBE_TEST"), Some("a=b"));
    assert!(report.ids.is_some());
    assert!(report.groups.is_some());
    assert!(report.hostname.is_some());
    assert_eq!(report.rlimits.len(), 16, "rlimits: {:?}", report.rlimits);
    // Our stdout is a pipe; the directory the probe listed /proc/self/fd with is gone.
    assert!(report.fd_target(1).is_some_and(|t| t.starts_with("pipe:")));
    let fds = report.fds.as_ref().expect("fds");
    assert!(fds.iter().all(|fd| !fd.target.ends_with("/fd")), "{fds:?}");
    assert!(report.capabilities.bounding.is_some());
    assert!(report.umask.is_some());
    assert!(report.mount("/").is_some());
    assert!(report.cgroup.is_some_and(|lines| !lines.is_empty()));
}

#[test]
fn exit_ends_with_the_code() {
    assert_eq!(probe(&["exit", "7"]).status.code(), Some(7));
    assert_eq!(probe(&["exit", "0"]).status.code(), Some(0));
}

#[test]
fn sleep_returns() {
    assert!(probe(&["sleep", "0.01"]).status.success());
}

#[test]
fn write_read_and_mkdir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file");
    let file = file.to_str().expect("utf-8 tempdir");
    assert!(probe(&["write", file]).status.success());
    assert_eq!(fs::read_to_string(file).expect("written"), "hull-probe\n");
    assert!(probe(&["write", file, "other"]).status.success());
    let read = probe(&["read", file]);
    assert!(read.status.success());
    assert_eq!(read.stdout, b"other");

    let sub = dir.path().join("sub");
    let sub = sub.to_str().expect("utf-8 tempdir");
    assert!(probe(&["mkdir", sub]).status.success());
    assert!(Path::new(sub).is_dir());
}

#[test]
fn failures_name_the_errno() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing");
    let missing = missing.to_str().expect("utf-8 tempdir");
    let read = probe(&["read", missing]);
    assert_eq!(read.status.code(), Some(1));
    assert!(
        stderr(&read).contains("ENOENT (errno 2)"),
        "{}",
        stderr(&read)
    );

    let here = dir.path().to_str().expect("utf-8 tempdir");
    let mkdir = probe(&["mkdir", here]);
    assert_eq!(mkdir.status.code(), Some(1));
    assert!(stderr(&mkdir).contains("EEXIST"), "{}", stderr(&mkdir));

    let write = probe(&["write", &format!("{missing}/x")]);
    assert_eq!(write.status.code(), Some(1));
    assert!(stderr(&write).contains("ENOENT"), "{}", stderr(&write));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["bogus"][..],
        &["exit"],
        &["exit", "256"],
        &["sleep", "x"],
        &["read"],
    ] {
        let output = probe(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).starts_with("usage:"));
    }
}
