//! hull's project tasks, run as `cargo xtask TASK` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask test`: everything CI checks (`.ci/run` runs it, as root);
//!   `cargo xtask test --cgroup-v2-only`: the cgroup and container tests on pure cgroup v2
//!   (a VM here);
//! - `cargo xtask rootfs DIR`: a minimal root filesystem for tests, without any download;
//! - `cargo xtask demo`: runs the `hull-container` demo example in such a rootfs;
//! - `cargo xtask bench [--quick]`: hull against crun and runc, side by side (as root), then
//!   the crates' criterion benchmarks; the report goes to `target/bench/`.

mod bench;
mod cargo;
mod command;
mod demo;
mod elf;
mod error;
mod packages;
mod rootfs;
mod sys;
mod test;
mod vm;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// hull's project tasks.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Runs everything CI checks: packages, fmt, clippy, unit tests, the test rootfs, the
    /// privileged integration tests (as root) and the cgroup and container tests on pure
    /// cgroup v2.
    Test {
        /// Instead, builds the test rootfs and runs only the privileged cgroup and container
        /// tests on pure cgroup v2: here if this host is, else in a Debian VM under qemu.
        #[arg(long)]
        cgroup_v2_only: bool,
    },
    /// Builds a minimal root filesystem in DIR: a static hull-probe, busybox-static if
    /// installed, and /etc.
    Rootfs {
        /// Where to build it: a new or empty directory, or one an earlier build made.
        dir: PathBuf,
    },
    /// Builds target/demo/rootfs and runs the hull-container demo example in it.
    Demo,
    /// Compares hull with crun and runc (as root; report in target/bench/), then runs the
    /// crates' criterion benchmarks and prints a summary of their results.
    Bench {
        /// Fewer samples: a quick run to see that they work, not for numbers to compare.
        #[arg(long)]
        quick: bool,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Test { cgroup_v2_only } => {
            let run = if cgroup_v2_only {
                test::cgroup_v2_only
            } else {
                test::run
            };
            run().map(|()| ExitCode::SUCCESS)
        }
        Task::Rootfs { dir } => rootfs::run(&dir).map(|()| ExitCode::SUCCESS),
        Task::Demo => demo::run(),
        Task::Bench { quick } => bench::run(quick).map(|()| ExitCode::SUCCESS),
    };
    result.unwrap_or_else(|err| {
        print_error(&err);
        ExitCode::FAILURE
    })
}

/// Prints `err` and its chain of causes.
fn print_error(err: &dyn Error) {
    eprintln!("error: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}
