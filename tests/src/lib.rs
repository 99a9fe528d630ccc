//! hull's privileged integration tests and the code they share.
//!
//! The tests under `tests/` run hull against a small root filesystem that
//! `cargo xtask rootfs` builds (busybox and a static [`PROBE`] binary). The probe prints a
//! [`Report`] of the process it runs as, so a test can check what a container really got:
//! ids, capabilities, rlimits, mounts, and so on.
//!
//! Tests that need root call [`require_root`] first: without root they fail with a message
//! that says how to run them, they never pass silently. Run them all with
//! `cargo xtask test` (as root), which builds the rootfs and sets [`ROOTFS_ENV`].

pub mod harness;
pub mod procfs;
mod report;
mod sys;

use std::path::PathBuf;
use std::process::Output;

pub use report::{CapSet, Capabilities, Ids, Mount, OpenFd, Report, Rlimit};

/// The environment variable naming the test root filesystem, set by `cargo xtask test`.
pub const ROOTFS_ENV: &str = "HULL_TEST_ROOTFS";

/// The environment variable naming the `hull` binary the CLI tests run, set by
/// `cargo xtask test` after it builds `hull-cli`.
pub const BINARY_ENV: &str = "HULL_BINARY";

/// Where the probe lives inside the test root filesystem.
pub const PROBE: &str = "/bin/hull-probe";

/// Panics unless the effective user is root.
///
/// A test that needs root calls this first, so that without root it fails with a clear
/// message instead of passing silently or failing somewhere obscure.
///
/// # Panics
///
/// When the effective user id is not 0.
#[track_caller]
pub fn require_root() {
    assert!(
        sys::effective_uid() == 0,
        "this test needs root: run it through `cargo xtask test` as root"
    );
}

/// The test root filesystem that `cargo xtask test` built, from [`ROOTFS_ENV`].
///
/// # Panics
///
/// When the variable is unset, or names a directory without the probe in it.
#[track_caller]
pub fn test_rootfs() -> PathBuf {
    let Some(dir) = std::env::var_os(ROOTFS_ENV) else {
        panic!(
            "{ROOTFS_ENV} is not set: run the integration tests through `cargo xtask test`, \
             which builds the test rootfs and sets it"
        );
    };
    let dir = PathBuf::from(dir);
    let probe = dir.join(PROBE.trim_start_matches('/'));
    assert!(
        probe.is_file(),
        "{ROOTFS_ENV}={} holds no {PROBE}: rebuild it with `cargo xtask test` \
         (or `cargo xtask rootfs {}`)",
        dir.display(),
        dir.display(),
    );
    dir
}

/// The `hull` binary that `cargo xtask test` built, from [`BINARY_ENV`].
///
/// # Panics
///
/// When the variable is unset, or names no file.
#[track_caller]
pub fn hull_binary() -> PathBuf {
    let Some(path) = std::env::var_os(BINARY_ENV) else {
        panic!(
            "{BINARY_ENV} is not set: run the CLI tests through `cargo xtask test`, which builds \
             hull and sets it (or `cargo build -p hull-cli` and set it to target/debug/hull)"
        );
    };
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{BINARY_ENV}={} is not a file: build it with `cargo build -p hull-cli`",
        path.display()
    );
    path
}

/// The [`Report`] that a probe run printed, after checking that it succeeded.
///
/// # Panics
///
/// When the probe failed, or its output is not a report; the message holds its stderr.
#[track_caller]
pub fn report_of(output: &Output) -> Report {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "hull-probe report failed ({}): {stderr}",
        output.status
    );
    match Report::parse(&output.stdout) {
        Ok(report) => report,
        Err(err) => panic!(
            "hull-probe printed no report ({err}); stdout: {}; stderr: {stderr}",
            String::from_utf8_lossy(&output.stdout)
        ),
    }
}
