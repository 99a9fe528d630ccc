//! hull's project tasks, run as `cargo xtask TASK` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask test`: everything CI checks (`.ci/run` runs it, as root);
//! - `cargo xtask rootfs DIR`: a minimal root filesystem for tests, without any download;
//! - `cargo xtask demo`: runs the `hull-container` demo example in such a rootfs.

mod cargo;
mod command;
mod demo;
mod elf;
mod error;
mod packages;
mod rootfs;
mod sys;
mod test;

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
    /// Runs everything CI checks: packages, fmt, clippy, unit tests, the test rootfs and the
    /// privileged integration tests (as root).
    Test,
    /// Builds a minimal root filesystem in DIR: a static hull-probe, busybox-static if
    /// installed, and /etc.
    Rootfs {
        /// Where to build it: a new or empty directory, or one an earlier build made.
        dir: PathBuf,
    },
    /// Builds target/demo/rootfs and runs the hull-container demo example in it.
    Demo,
}

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Test => test::run().map(|()| ExitCode::SUCCESS),
        Task::Rootfs { dir } => rootfs::run(&dir).map(|()| ExitCode::SUCCESS),
        Task::Demo => demo::run(),
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
