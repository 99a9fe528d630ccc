//! `hull pause` and `hull resume`: freeze and thaw every process of a container.

use clap::Args;
use hull_container::Factory;

use super::Root;
use crate::error::CliError;

/// Arguments of `hull pause` and `hull resume`.
#[derive(Debug, Args)]
pub struct PauseArgs {
    /// The container's id.
    id: String,
}

/// Freezes the container's processes (it must be running or created).
pub fn pause(root: &Root, args: &PauseArgs) -> Result<(), CliError> {
    Ok(Factory::new(root.path())?.load(&args.id)?.pause()?)
}

/// Thaws a paused container's processes.
pub fn resume(root: &Root, args: &PauseArgs) -> Result<(), CliError> {
    Ok(Factory::new(root.path())?.load(&args.id)?.resume()?)
}
