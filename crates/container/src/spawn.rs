//! Starting stage 1: a fresh `execve` of the init binary, through a read-only view of it or
//! a sealed copy.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};

use hull_nsenter::Channel;
use nix::fcntl::{FcntlArg, SealFlag, fcntl};
use nix::sys::memfd::{MFdFlags, memfd_create};

use crate::error::{ContainerError, Result};
use crate::process::{Process, Stdio};
use crate::sys;

/// The environment variable that tells a process it is a container's init, and on which
/// descriptor its channel is.
pub(crate) const INIT_SOCK_ENV: &str = "_HULL_INIT_SOCK";

/// The most extra files a process can be given.
pub const MAX_EXTRA_FILES: usize = 64;

/// How the container's init is started: a binary whose `main` calls
/// [`crate::init`] first, and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitCommand {
    /// The binary; by default the caller's own executable.
    pub path: PathBuf,
    /// Its arguments after `argv[0]`; by default `init`.
    pub args: Vec<OsString>,
}

impl Default for InitCommand {
    fn default() -> Self {
        InitCommand {
            path: PathBuf::from("/proc/self/exe"),
            args: vec!["init".into()],
        }
    }
}

/// The protected init binaries of this process, by path: made once per process and binary.
static PROTECTED: Mutex<Option<HashMap<PathBuf, Arc<OwnedFd>>>> = Mutex::new(None);

/// What the container's init is executed from, so that nothing in a container can rewrite
/// the binary through `/proc/<pid>/exe` (CVE-2019-5736): a detached read-only bind mount of
/// `path` ([`hull_rootfs::read_only_view`]) where the caller may make one (root), else a
/// sealed in-memory copy (rootless). Made once per process for each binary.
fn protected_binary(path: &Path) -> Result<Arc<OwnedFd>> {
    let mut cache = PROTECTED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(fd) = cache.get(path) {
        return Ok(Arc::clone(fd));
    }
    // The view costs two system calls; the copy reads the whole binary (several MiB).
    let fd = match hull_rootfs::read_only_view(path) {
        Ok(view) => view,
        Err(_) => sealed_copy(path)?,
    };
    let fd = Arc::new(fd);
    cache.insert(path.to_owned(), Arc::clone(&fd));
    Ok(fd)
}

/// A sealed in-memory copy of `path` (`memfd_create`, then `F_SEAL_SEAL | F_SEAL_SHRINK |
/// F_SEAL_GROW | F_SEAL_WRITE`).
fn sealed_copy(path: &Path) -> Result<OwnedFd> {
    let copy_error = |source| ContainerError::InitBinary {
        path: path.to_owned(),
        source,
    };
    let memfd = memfd_create(
        "hull-init",
        MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING,
    )
    .map_err(|errno| copy_error(errno.into()))?;
    let mut source = File::open(path).map_err(copy_error)?;
    let mut target = File::from(memfd);
    io::copy(&mut source, &mut target).map_err(copy_error)?;
    let seals = SealFlag::F_SEAL_SEAL
        | SealFlag::F_SEAL_SHRINK
        | SealFlag::F_SEAL_GROW
        | SealFlag::F_SEAL_WRITE;
    fcntl(target.as_fd(), FcntlArg::F_ADD_SEALS(seals))
        .map_err(|errno| copy_error(errno.into()))?;
    Ok(OwnedFd::from(target))
}

/// Spawns stage 1 from `init`, with the process's standard streams, its extra files at
/// 3, 4, ... and `channel` right after them, named in the environment; every other
/// descriptor closes on exec.
pub(crate) fn spawn_stage1(
    init: &InitCommand,
    process: &mut Process,
    channel: Channel,
) -> Result<Child> {
    if process.extra_files.len() > MAX_EXTRA_FILES {
        return Err(ContainerError::TooManyExtraFiles {
            count: process.extra_files.len(),
        });
    }
    let binary = protected_binary(&init.path)?;
    let program = format!("/proc/self/fd/{}", binary.as_raw_fd());
    let channel_fd: OwnedFd = channel.into();
    let first = 3;
    let channel_at = first + process.extra_files.len() as RawFd;
    let mut fds: Vec<RawFd> = process.extra_files.iter().map(AsRawFd::as_raw_fd).collect();
    fds.push(channel_fd.as_raw_fd());

    let mut cmd = Command::new(&program);
    cmd.arg0(init.path.file_name().unwrap_or(init.path.as_os_str()))
        .args(&init.args)
        .env_clear()
        .env(INIT_SOCK_ENV, channel_at.to_string())
        .stdin(stdio(&mut process.stdin))
        .stdout(stdio(&mut process.stdout))
        .stderr(stdio(&mut process.stderr));
    let spawn_error = |source| ContainerError::Spawn {
        path: init.path.clone(),
        source,
    };
    // Never fails here: the extra files were counted above.
    sys::place_fds(&mut cmd, fds, first).map_err(spawn_error)?;
    let child = cmd.spawn().map_err(spawn_error)?;
    // The child has its copies; ours of the channel end and the extra files close now.
    drop(channel_fd);
    process.extra_files.clear();
    Ok(child)
}

/// The std stdio for one of the process's streams; a given descriptor moves to the child.
fn stdio(stream: &mut Stdio) -> std::process::Stdio {
    match std::mem::take(stream) {
        Stdio::Inherit => std::process::Stdio::inherit(),
        Stdio::Null => std::process::Stdio::null(),
        Stdio::Fd(fd) => std::process::Stdio::from(fd),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;

    use super::*;

    /// CVE-2019-5736, rootless path: the copy a container's init runs from cannot be
    /// written, grown or shrunk, whoever opens it again through `/proc/<pid>/fd`.
    #[test]
    fn the_sealed_copy_cannot_be_changed() {
        let binary = std::env::current_exe().unwrap();
        let copy = sealed_copy(&binary).unwrap();
        let path = format!("/proc/self/fd/{}", copy.as_raw_fd());
        let original = std::fs::read(&binary).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), original);
        let mut writer = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        let err = writer.write_all(b"\x7fELF").unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err}");
        let err = writer.set_len(0).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err}");
        let mut appender = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        assert!(appender.write_all(b"x").is_err(), "the copy grew");
        assert_eq!(std::fs::read(&path).unwrap(), original);
    }
}
