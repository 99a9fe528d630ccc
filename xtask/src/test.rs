//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.

use std::time::Instant;

use crate::error::{Result, XtaskError};
use crate::packages::{self, TEST_PACKAGES};
use crate::{cargo, command, rootfs, sys, vm};

/// A step: runs, and says in a few words how it went ("ok").
type Step = fn() -> Result<String>;

/// The steps, in order, with their names for the summary.
const STEPS: [(&str, Step); 7] = [
    ("packages", ensure_packages),
    ("fmt", fmt),
    ("clippy", clippy),
    ("unit-tests", unit_tests),
    ("rootfs", build_rootfs),
    ("integration-tests", integration_tests),
    ("cgroup-v2", cgroup_v2),
];

/// Where the test rootfs is built, under `target/`.
const TEST_ROOTFS: &str = "hull-test-rootfs";

/// Runs the steps and prints a one-line summary of them.
pub fn run() -> Result<()> {
    let total = STEPS.len();
    let started = Instant::now();
    let mut results = Vec::with_capacity(total);
    let mut failure = None;
    for (index, (name, step)) in STEPS.into_iter().enumerate() {
        println!("\n==> step {}/{total}: {name}", index + 1);
        match step() {
            Ok(outcome) => results.push(format!("{name} {outcome}")),
            Err(source) => {
                results.push(format!("{name} FAILED"));
                failure = Some(XtaskError::Step {
                    number: index + 1,
                    total,
                    name,
                    source: Box::new(source),
                });
                break;
            }
        }
    }
    for (name, _) in &STEPS[results.len()..] {
        results.push(format!("{name} skipped"));
    }
    let verdict = if failure.is_some() { "FAILED" } else { "ok" };
    let secs = started.elapsed().as_secs();
    println!("\nxtask test: {verdict} in {secs}s: {}", results.join(", "));
    failure.map_or(Ok(()), Err)
}

fn ensure_packages() -> Result<String> {
    Ok(packages::ensure(TEST_PACKAGES)?.summary())
}

fn fmt() -> Result<String> {
    cargo::run(&["fmt", "--all", "--", "--check"]).map(|()| "ok".into())
}

fn clippy() -> Result<String> {
    cargo::run(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])
    .map(|()| "ok".into())
}

fn unit_tests() -> Result<String> {
    cargo::run(&["test", "--workspace", "--exclude", "hull-tests"]).map(|()| "ok".into())
}

fn build_rootfs() -> Result<String> {
    let rootfs = rootfs::build(&cargo::target_dir().join(TEST_ROOTFS))?;
    println!("{rootfs}");
    Ok("ok".into())
}

/// The privileged tests, with the test rootfs and the `hull` binary that the CLI tests
/// run, built first.
fn integration_tests() -> Result<String> {
    let rootfs = cargo::target_dir().join(TEST_ROOTFS);
    if !sys::is_root() {
        return Err(XtaskError::NotRoot { rootfs });
    }
    cargo::run(&["build", "-p", "hull-cli"])?;
    let hull = cargo::target_dir().join("debug").join("hull");
    command::run(
        cargo::cargo()
            .args(["test", "-p", "hull-tests"])
            .env("HULL_TEST_ROOTFS", &rootfs)
            .env("HULL_BINARY", &hull),
    )
    .map(|()| "ok".into())
}

/// The privileged cgroup tests and the library's container tests again on pure cgroup v2
/// (in a VM on hybrid hosts), so that every run proves the v2 code paths too.
fn cgroup_v2() -> Result<String> {
    vm::run(&cargo::target_dir().join(TEST_ROOTFS)).map(|()| "ok".into())
}

/// `cargo xtask test --cgroup-v2-only`: the test rootfs, then the cgroup v2 step alone.
pub fn cgroup_v2_only() -> Result<()> {
    build_rootfs()?;
    cgroup_v2().map(|_| ())
}
