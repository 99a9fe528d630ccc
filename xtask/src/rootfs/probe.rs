//! The static `hull-probe` that tests run inside containers.

use std::path::{Path, PathBuf};

use super::set_mode;
use crate::error::{Result, XtaskError};
use crate::{cargo, command, elf};

/// Builds `hull-probe` statically for the host and returns its path.
///
/// It builds with `--target` so that `RUSTFLAGS` reaches only the probe, not build scripts
/// or proc macros, and in `target/probe` so that the flags never invalidate the normal build.
pub(super) fn build() -> Result<PathBuf> {
    let triple = cargo::host_triple()?;
    let target_dir = cargo::target_dir().join("probe");
    println!("rootfs: building a static hull-probe for {triple}");
    command::run(
        cargo::cargo()
            .args([
                "build",
                "--release",
                "-p",
                "hull-tests",
                "--bin",
                "hull-probe",
            ])
            .args(["--target", &triple])
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("RUSTFLAGS", "-C target-feature=+crt-static")
            // It would take precedence over RUSTFLAGS.
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
    )?;
    let probe = target_dir.join(&triple).join("release/hull-probe");
    elf::ensure_static(&probe)?;
    Ok(probe)
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
