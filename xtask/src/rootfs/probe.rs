//! The static `hull-probe` that tests run inside containers.

use std::path::{Path, PathBuf};

use super::set_mode;
use crate::cargo;
use crate::error::{Result, XtaskError};

/// Builds `hull-probe` statically for the host (in `target/probe`) and returns its path.
pub(super) fn build() -> Result<PathBuf> {
    cargo::build_static("hull-tests", "hull-probe", "release", "probe")
}

/// Copies the probe `built` into `bin` and returns where it went.
pub(super) fn install(built: &Path, bin: &Path) -> Result<PathBuf> {
    let probe = bin.join("hull-probe");
    std::fs::copy(built, &probe).map_err(|source| XtaskError::CopyFile {
        from: built.to_owned(),
        to: probe.clone(),
        source,
    })?;
    set_mode(&probe, 0o755)?;
    Ok(probe)
}
