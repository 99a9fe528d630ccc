//! `cargo xtask demo`: builds a rootfs and runs the `hull-container` demo example in it.

use std::process::ExitCode;

use crate::error::Result;
use crate::packages::{self, TEST_PACKAGES};
use crate::{cargo, command, rootfs};

/// Builds `target/demo/rootfs`, then runs
/// `cargo run -p hull-container --example demo -- target/demo` and ends as it ends.
pub fn run() -> Result<ExitCode> {
    packages::ensure(TEST_PACKAGES)?;
    let demo = cargo::target_dir().join("demo");
    let rootfs = rootfs::build(&demo.join("rootfs"))?;
    println!("{rootfs}");
    let status = command::status(
        cargo::cargo()
            .args([
                "run",
                "--quiet",
                "-p",
                "hull-container",
                "--example",
                "demo",
                "--",
            ])
            .arg(&demo),
    )?;
    Ok(exit_code(status))
}

/// The exit code that passes `status` on: the same code, or 128 + N for signal N, as a
/// shell reports it.
fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;

    let code = status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal));
    match code.and_then(|code| u8::try_from(code).ok()) {
        Some(code) => ExitCode::from(code),
        None => ExitCode::FAILURE,
    }
}
