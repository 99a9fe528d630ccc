//! The runtimes compared, and the command lines of their subcommands: the same words for
//! hull, crun and runc, which all speak runc's language.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::BenchError;
use crate::error::Result;

/// A runtime under test: its name, its binary and its own state directory.
#[derive(Clone, Debug)]
pub struct Runtime {
    /// `hull`, `crun` or `runc`: in container ids, cgroup names and the report.
    pub name: &'static str,
    /// Its binary.
    pub program: PathBuf,
    /// Its state directory (`--root`).
    pub root: PathBuf,
}

impl Runtime {
    /// `PROGRAM --root ROOT ARGS...`.
    fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let mut cmd = Command::new(&self.program);
        cmd.arg("--root").arg(&self.root);
        cmd.args(args.into_iter().map(Into::into));
        cmd
    }

    /// `run --bundle BUNDLE ID`, in the foreground: returns when the container has exited
    /// and been deleted.
    pub fn run(&self, bundle: &Path, id: &str) -> Command {
        self.command([
            OsString::from("run"),
            "--bundle".into(),
            bundle.into(),
            id.into(),
        ])
    }

    /// `create --bundle BUNDLE --pid-file PID_FILE ID`.
    pub fn create(&self, bundle: &Path, pid_file: &Path, id: &str) -> Command {
        self.command([
            OsString::from("create"),
            "--bundle".into(),
            bundle.into(),
            "--pid-file".into(),
            pid_file.into(),
            id.into(),
        ])
    }

    /// `start ID`.
    pub fn start(&self, id: &str) -> Command {
        self.command(["start", id])
    }

    /// `state ID`.
    pub fn state(&self, id: &str) -> Command {
        self.command(["state", id])
    }

    /// `list`, as a table.
    pub fn list(&self) -> Command {
        self.command(["list"])
    }

    /// `kill ID KILL`.
    pub fn kill(&self, id: &str) -> Command {
        self.command(["kill", id, "KILL"])
    }

    /// `delete ID`, or `delete --force ID`.
    pub fn delete(&self, id: &str, force: bool) -> Command {
        if force {
            self.command(["delete", "--force", id])
        } else {
            self.command(["delete", id])
        }
    }
}

/// The floor: what creating the same namespaces and running `true` costs with no runtime
/// at all, `unshare --fork --pid --mount --uts --ipc --net --mount-proc true`.
pub fn floor(unshare: &Path) -> Command {
    let mut cmd = Command::new(unshare);
    cmd.args([
        "--fork",
        "--pid",
        "--mount",
        "--uts",
        "--ipc",
        "--net",
        "--mount-proc",
        "true",
    ]);
    cmd
}

/// `program` in `PATH` (and in the sbin directories, which a non-login root shell may
/// lack), or an error naming its Debian `package`.
pub fn find_program(program: &'static str, package: &'static str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| BenchError::NotFound { program, package }.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::describe;

    #[test]
    fn every_runtime_gets_the_same_words() {
        let runtime = Runtime {
            name: "crun",
            program: "/usr/bin/crun".into(),
            root: "/state/crun".into(),
        };
        let bundle = Path::new("/b");
        assert_eq!(
            describe(&runtime.create(bundle, Path::new("/p"), "crun-1")),
            "crun --root /state/crun create --bundle /b --pid-file /p crun-1"
        );
        assert_eq!(
            describe(&runtime.run(bundle, "crun-2")),
            "crun --root /state/crun run --bundle /b crun-2"
        );
        assert_eq!(
            describe(&runtime.delete("crun-1", true)),
            "crun --root /state/crun delete --force crun-1"
        );
    }
}
