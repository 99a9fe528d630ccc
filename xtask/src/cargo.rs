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
