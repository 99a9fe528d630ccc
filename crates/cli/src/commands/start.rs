//! `hull start`: let a created container run its program.

use clap::Args;
use hull_container::Factory;

use super::Root;
use crate::error::CliError;

/// Arguments of `hull start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The container's id.
    id: String,
}

/// Unblocks the container's init: it executes the program.
pub fn run(root: &Root, args: &StartArgs) -> Result<(), CliError> {
    let mut container = Factory::new(root.path())?.load(&args.id)?;
    container.exec()?;
    Ok(())
}
