//! Running programs: streamed to our terminal, or with their output captured.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

use crate::error::{Result, XtaskError};

/// Runs `cmd` with our stdin, stdout and stderr, and fails unless it succeeds.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = status(cmd)?;
    if status.success() {
        Ok(())
    } else {
        Err(XtaskError::CommandFailed {
            command: describe(cmd),
            status,
        })
    }
}

/// Waits for `child`, started from `command` (its [`describe`]d line), and fails unless it
/// succeeded.
pub fn wait(child: &mut Child, command: String) -> Result<()> {
    let status = child.wait().map_err(|source| XtaskError::Spawn {
        command: command.clone(),
        source,
    })?;
    if !status.success() {
        return Err(XtaskError::CommandFailed { command, status });
    }
    Ok(())
}

/// Runs `cmd` with our stdin, stdout and stderr, and returns how it ended.
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    cmd.status().map_err(|source| XtaskError::Spawn {
        command: describe(cmd),
        source,
    })
}

/// Runs `cmd` and returns its standard output; its stderr goes to ours.
pub fn stdout_of(cmd: &mut Command) -> Result<String> {
    let output = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| XtaskError::Spawn {
            command: describe(cmd),
            source,
        })?;
    if !output.status.success() {
        return Err(XtaskError::CommandFailed {
            command: describe(cmd),
            status: output.status,
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The command line of `cmd`, for messages: `cargo fmt --all -- --check`, the program by
/// its file name (`cargo`, not the toolchain's path to it).
pub fn describe(cmd: &Command) -> String {
    let program = cmd.get_program();
    let program = Path::new(program).file_name().unwrap_or(program);
    std::iter::once(program)
        .chain(cmd.get_args())
        .map(|word| word.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_a_command_line() {
        let mut cmd = Command::new("/usr/bin/cargo");
        cmd.args(["fmt", "--all", "--", "--check"]);
        assert_eq!(describe(&cmd), "cargo fmt --all -- --check");
    }
}
