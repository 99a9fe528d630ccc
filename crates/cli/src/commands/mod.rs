//! One module per `hull` subcommand.

pub mod create;
pub mod delete;
pub mod kill;
pub mod list;
pub mod pause;
pub mod ps;
pub mod run;
pub mod spec;
pub mod start;
pub mod state;

use std::path::{Path, PathBuf};

/// The state root `--root` names, and whether it was given.
#[derive(Clone, Debug)]
pub struct Root {
    /// The directory.
    pub path: PathBuf,
    /// Whether `--root` was given (else it is the default, `/run/hull`).
    pub explicit: bool,
}

impl Root {
    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
