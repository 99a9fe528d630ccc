//! Errors of the project tasks.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

use crate::elf::ElfError;

/// Result of a task.
pub type Result<T, E = XtaskError> = std::result::Result<T, E>;

/// What can go wrong running a task.
#[derive(Debug, thiserror::Error)]
pub enum XtaskError {
    /// A program could not be started.
    #[error("cannot run `{command}`")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A program's output could not be read.
    #[error("cannot read the output of `{command}`")]
    ReadOutput {
        /// The command line.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A program ran and failed.
    #[error("`{command}` failed ({status})")]
    CommandFailed {
        /// The command line.
        command: String,
        /// How it ended.
        status: ExitStatus,
    },
    /// `rustc -vV` printed no `host:` line.
    #[error("`rustc -vV` names no host triple")]
    HostTriple,
    /// A step of `cargo xtask test` failed.
    #[error("step {number}/{total} ({name}) failed")]
    Step {
        /// Its position, from 1.
        number: usize,
        /// How many steps there are.
        total: usize,
        /// Its name.
        name: &'static str,
        /// Why it failed.
        #[source]
        source: Box<XtaskError>,
    },
    /// The privileged integration tests were asked for without root.
    #[error(
        "the privileged integration tests need root: run `cargo xtask test` as root \
         (the test rootfs is ready in {rootfs})"
    )]
    NotRoot {
        /// The test rootfs that was built.
        rootfs: PathBuf,
    },
    /// The rootfs directory holds something that is not ours.
    #[error(
        "refusing to build a rootfs in {path}: it is not an empty directory and has no \
         `.hull-rootfs` marker of an earlier build"
    )]
    NotOurs {
        /// The directory.
        path: PathBuf,
    },
    /// Something is mounted under a rootfs that would be removed.
    #[error("refusing to remove {path}: {mount_point} is mounted under it")]
    MountedInside {
        /// The rootfs.
        path: PathBuf,
        /// The mount found under it.
        mount_point: PathBuf,
    },
    /// A program that must be static has an ELF interpreter.
    #[error("{path} is not statically linked (its interpreter is {interpreter})")]
    NotStatic {
        /// The program.
        path: PathBuf,
        /// The dynamic loader it names.
        interpreter: String,
    },
    /// A program's ELF headers could not be read.
    #[error("cannot read the ELF headers of {path}")]
    Elf {
        /// The program.
        path: PathBuf,
        /// Why.
        #[source]
        source: ElfError,
    },
    /// A directory could not be created.
    #[error("cannot create directory {path}")]
    CreateDir {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// An earlier rootfs could not be removed.
    #[error("cannot remove {path}")]
    RemoveDir {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A directory could not be listed.
    #[error("cannot list {path}")]
    ReadDir {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}")]
    ReadFile {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    WriteFile {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A symbolic link could not be created.
    #[error("cannot create symlink {path}")]
    Symlink {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file's mode could not be set.
    #[error("cannot set the mode of {path}")]
    SetPermissions {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file's owner could not be changed.
    #[error("cannot change the owner of {path}")]
    Chown {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A path could not be made absolute.
    #[error("cannot resolve {path}")]
    Canonicalize {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file could not be copied.
    #[error("cannot copy {from} to {to}")]
    CopyFile {
        /// The source.
        from: PathBuf,
        /// The destination.
        to: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Running the cgroup v2 tests in a VM failed.
    #[error(transparent)]
    Vm(#[from] crate::vm::VmError),
    /// Comparing the runtimes failed.
    #[error(transparent)]
    Bench(#[from] crate::bench::BenchError),
}
