//! `hull create`: create a container from a bundle; its init is set up and waits for
//! `hull start`.

use std::os::fd::OwnedFd;

use clap::Args;

use super::Root;
use crate::error::CliError;
use crate::launch::{Launch, LaunchArgs, Mode};

/// Arguments of `hull create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    launch: LaunchArgs,
    /// The container's id, unique on this host.
    id: String,
}

impl CreateArgs {
    /// How many descriptors `--preserve-fds` passes.
    pub fn preserve_fds(&self) -> u32 {
        self.launch.preserve_fds
    }
}

/// Creates the container; it is *created* when this returns.
pub fn run(root: &Root, args: &CreateArgs, preserved: Vec<OwnedFd>) -> Result<i32, CliError> {
    Launch {
        root: root.path(),
        id: &args.id,
        args: &args.launch,
        mode: Mode::Create,
        preserved,
    }
    .run()
}
