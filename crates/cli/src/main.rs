//! `hull`, a runc-compatible command line over `hull-container`.

mod bundle;
mod commands;
mod console;
mod error;
mod foreground;
mod gojson;
mod launch;
mod log;
mod pidfile;
mod signals;
mod sys;
mod tabwriter;
mod tty;

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nix::fcntl::{FcntlArg, FdFlag, fcntl};

use commands::Root;
use error::CliError;
use log::{LogFormat, Logger};

/// The state root when `--root` is not given.
const DEFAULT_ROOT: &str = "/run/hull";

/// A runc-compatible runtime for Linux containers.
#[derive(Debug, Parser)]
#[command(name = "hull", version, about)]
struct Cli {
    /// Root directory for the containers' state (default: /run/hull; best on a tmpfs).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Write log lines to this file (default: stderr).
    #[arg(long, global = true, value_name = "FILE")]
    log: Option<PathBuf>,
    /// The format of log lines.
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Log debug lines too.
    #[arg(long, global = true)]
    debug: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new specification file (config.json) for a bundle.
    Spec(commands::spec::SpecArgs),
    /// Create a container from a bundle; it waits for `start`.
    Create(commands::create::CreateArgs),
    /// Start a created container's program.
    Start(commands::start::StartArgs),
    /// Create and start a container, and wait for it unless detached.
    Run(commands::run::RunArgs),
    /// Print a container's state as JSON.
    State(commands::state::StateArgs),
    /// Send a signal to a container's init, or to all its processes.
    Kill(commands::kill::KillArgs),
    /// Delete a container and everything it holds.
    Delete(commands::delete::DeleteArgs),
    /// List the containers.
    List(commands::list::ListArgs),
    /// Freeze every process of a container.
    Pause(commands::pause::PauseArgs),
    /// Thaw every process of a paused container.
    Resume(commands::pause::PauseArgs),
    /// List the processes of a container.
    Ps(commands::ps::PsArgs),
}

fn main() -> ExitCode {
    // A container's init is a fresh execution of this binary: it never returns from here.
    hull_container::init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors exit with 1, as runc's do; --help and --version with 0.
        Err(err) => {
            let _ = err.print(); // nowhere left to report a failing stderr
            return if err.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // First, before hull opens any descriptor of its own: the ones to pass on.
    let preserved = match preserved_fds(&cli.command) {
        Ok(fds) => fds,
        Err(err) => {
            eprintln!("hull: {}", hull_container::chain(&err));
            return ExitCode::FAILURE;
        }
    };
    let logger = match Logger::install(cli.log.as_deref(), cli.log_format, cli.debug) {
        Ok(logger) => logger,
        Err(err) => {
            eprintln!("hull: {}", hull_container::chain(&err));
            return ExitCode::FAILURE;
        }
    };
    let root = Root {
        explicit: cli.root.is_some(),
        path: cli.root.unwrap_or_else(|| DEFAULT_ROOT.into()),
    };
    match dispatch(cli.command, &root, preserved) {
        // Exit statuses are a byte; a container's is already one.
        Ok(status) => ExitCode::from(status as u8),
        Err(err) => {
            logger.error(&err);
            ExitCode::FAILURE
        }
    }
}

/// Runs the command; returns hull's exit status.
fn dispatch(command: Command, root: &Root, preserved: Vec<OwnedFd>) -> Result<i32, CliError> {
    match command {
        Command::Spec(args) => commands::spec::run(&args).map(|()| 0),
        Command::Create(args) => commands::create::run(root, &args, preserved),
        Command::Start(args) => commands::start::run(root, &args).map(|()| 0),
        Command::Run(args) => commands::run::run(root, &args, preserved),
        Command::State(args) => commands::state::run(root, &args).map(|()| 0),
        Command::Kill(args) => commands::kill::run(root, &args).map(|()| 0),
        Command::Delete(args) => commands::delete::run(root, &args).map(|()| 0),
        Command::List(args) => commands::list::run(root, &args).map(|()| 0),
        Command::Pause(args) => commands::pause::pause(root, &args).map(|()| 0),
        Command::Resume(args) => commands::pause::resume(root, &args).map(|()| 0),
        Command::Ps(args) => commands::ps::run(root, &args).map(|()| 0),
    }
}

/// Claims descriptors 3 to 3+N-1 for `--preserve-fds N`, close-on-exec so that only the
/// container's process gets them (the library places them there).
fn preserved_fds(command: &Command) -> Result<Vec<OwnedFd>, CliError> {
    let count = match command {
        Command::Create(args) => args.preserve_fds(),
        Command::Run(args) => args.preserve_fds(),
        _ => 0,
    };
    (0..count)
        .map(|i| {
            let fd = 3 + i as i32;
            let error = |source| CliError::PreservedFd { fd, count, source };
            let owned = sys::claim_inherited_fd(fd).map_err(error)?;
            fcntl(&owned, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).map_err(error)?;
            Ok(owned)
        })
        .collect()
}
