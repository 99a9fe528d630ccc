//! Errors of the `hull` command line.

use std::error::Error;
use std::fmt::Write;
use std::io;
use std::path::PathBuf;

use hull_container::configs::ConfigsError;

/// What a `hull` command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// `hull spec` would overwrite an existing file.
    #[error("{path} already exists; remove it first")]
    SpecExists {
        /// The file.
        path: PathBuf,
    },
    /// Writing a file failed.
    #[error("cannot write {path}")]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A configuration could not be read, converted or validated.
    #[error(transparent)]
    Configs(#[from] ConfigsError),
}

/// The error and every cause under it, as `a: b: c`.
pub fn chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}"); // writing to a String cannot fail
        source = cause.source();
    }
    text
}
