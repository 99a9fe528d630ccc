//! `hull delete`: remove a stopped (or created) container; `--force` kills a running one
//! first.

use clap::Args;
use hull_container::{ContainerError, Factory, Status, check_id};

use super::Root;
use crate::error::CliError;

/// Arguments of `hull delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Kill the container first if it still runs (with SIGKILL).
    #[arg(short, long)]
    force: bool,
    /// The container's id.
    id: String,
}

/// Deletes the container: its processes, cgroup and state; poststop hooks run. As runc,
/// `--force` also succeeds for a container that does not exist, after removing any
/// directory a crashed create left under its id.
pub fn run(root: &Root, args: &DeleteArgs) -> Result<(), CliError> {
    let factory = Factory::new(root.path())?;
    let mut container = match factory.load(&args.id) {
        Ok(container) => container,
        Err(ContainerError::NotFound { id }) => return remove_leftover(root, &id, args.force),
        Err(err) => return Err(err.into()),
    };
    if !args.force {
        let status = container.status()?;
        if matches!(status, Status::Running | Status::Paused) {
            return Err(CliError::NotStopped {
                id: args.id.clone(),
                status,
            });
        }
    }
    container.destroy()?;
    Ok(())
}

/// A container without state: a directory an aborted create may have left is removed;
/// without `--force` the container's absence is the error.
fn remove_leftover(root: &Root, id: &str, force: bool) -> Result<(), CliError> {
    // The id names a direct child of the root only once checked.
    check_id(id)?;
    let dir = root.path().join(id);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|source| CliError::RemoveDir {
            path: dir.clone(),
            source,
        })?;
    }
    if force {
        Ok(())
    } else {
        Err(ContainerError::NotFound { id: id.to_owned() }.into())
    }
}
