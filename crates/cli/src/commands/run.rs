//! `hull run`: create and start a container; in the foreground, wait for it, forward
//! signals to it and exit with its status.

use std::os::fd::OwnedFd;

use clap::Args;

use super::Root;
use crate::error::CliError;
use crate::launch::{Launch, LaunchArgs, Mode};

/// Arguments of `hull run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Return once the container runs instead of waiting for it.
    #[arg(short, long)]
    detach: bool,
    #[command(flatten)]
    launch: LaunchArgs,
    /// The container's id, unique on this host.
    id: String,
}

impl RunArgs {
    /// How many descriptors `--preserve-fds` passes.
    pub fn preserve_fds(&self) -> u32 {
        self.launch.preserve_fds
    }
}

/// Runs the container; returns hull's exit status (the container's in the foreground).
pub fn run(root: &Root, args: &RunArgs, preserved: Vec<OwnedFd>) -> Result<i32, CliError> {
    Launch {
        root: root.path(),
        id: &args.id,
        args: &args.launch,
        mode: if args.detach {
            Mode::Detached
        } else {
            Mode::Foreground
        },
        preserved,
    }
    .run()
}
