//! Running cargo and rustc for the workspace.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command;
use crate::error::{Result, XtaskError};

/// The workspace root: the parent of this package's directory.
pub fn workspace_root() -> &'static Path {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    // xtask/ always sits in the workspace root, so it has a parent.
    xtask.parent().unwrap_or(xtask)
}

/// The workspace's `target` directory.
pub fn target_dir() -> PathBuf {
    workspace_root().join("target")
}

/// A `cargo` command (the cargo that runs us) started in the workspace root.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(program);
    cmd.current_dir(workspace_root());
    cmd
}

/// Runs `cargo ARGS` in the workspace root with its output streamed.
pub fn run(args: &[&str]) -> Result<()> {
    command::run(cargo().args(args))
}

/// The triple of the host, from `rustc -vV` (`x86_64-unknown-linux-gnu`).
pub fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = command::stdout_of(Command::new(rustc).arg("-vV"))?;
    version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_owned())
        .ok_or(XtaskError::HostTriple)
}

/// Builds `bin` of `package` with cargo profile `profile` (`release`, `dist`) as a static
/// executable for the host and returns its path, checked to have no ELF interpreter.
///
/// It builds with `--target` so that `RUSTFLAGS` reaches only the target's crates, not
/// build scripts or proc macros, and in `target/<dir>` so that the flags never invalidate
/// the normal build.
pub fn build_static(package: &str, bin: &str, profile: &str, dir: &str) -> Result<PathBuf> {
    let triple = host_triple()?;
    let target_dir = target_dir().join(dir);
    println!("xtask: building a static {bin} for {triple}");
    command::run(
        cargo()
            .args(["build", "--profile", profile, "-p", package, "--bin", bin])
            .args(["--target", &triple])
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("RUSTFLAGS", "-C target-feature=+crt-static")
            // It would take precedence over RUSTFLAGS.
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
    )?;
    let built = target_dir.join(&triple).join(profile).join(bin);
    crate::elf::ensure_static(&built)?;
    Ok(built)
}
