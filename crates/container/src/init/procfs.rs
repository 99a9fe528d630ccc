//! The init's one way into `/proc`.
//!
//! Every file the init opens under `/proc` is opened through one procfs handle, made before
//! the root changes and checked to be the root of a real procfs (`pathrs`: a private
//! procfs instance where the kernel allows one, else a detached copy of the host's
//! `/proc` mount). Each open walks below that handle with `openat2(2)` and
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV`
//! and checks that the file it got is on that same procfs mount. Nothing the container's
//! image or mounts put under the container's `/proc` (a symlink, a bind-mounted regular
//! file, another filesystem) can receive a write meant for a kernel file
//! (CVE-2025-52881 class).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::Path;

use hull_configs::SysctlKey;
use hull_nsenter::{InitError, Step};
use pathrs::flags::OpenFlags;
use pathrs::procfs::{ProcfsBase, ProcfsHandle, ProcfsHandleBuilder};

use super::{InitResult, at};

/// A verified handle of a procfs.
pub(super) struct Procfs {
    handle: ProcfsHandle,
}

impl std::fmt::Debug for Procfs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Procfs").finish_non_exhaustive()
    }
}

impl Procfs {
    /// Makes the handle: a whole procfs (not only the pid directories), as `/proc/sys` is
    /// needed.
    pub(super) fn open() -> InitResult<Procfs> {
        let handle = ProcfsHandleBuilder::new()
            .unmasked()
            .build()
            .map_err(at(Step::Procfs, "/proc"))?;
        Ok(Procfs { handle })
    }

    /// Writes `value` to the sysctl `key` (`/proc/sys/<key's components>`). The key is
    /// parsed again here, whatever validation said of it.
    pub(super) fn write_sysctl(&self, key: &str, value: &str) -> InitResult<()> {
        let context = format!("{key}={value}");
        let parsed = SysctlKey::parse(key).map_err(at(Step::Sysctl, context.clone()))?;
        let path = Path::new("sys").join(parsed.path());
        self.write(&path, value, at(Step::Sysctl, context))
    }

    /// Writes the UTS namespace's domain name (`/proc/sys/kernel/domainname`, what
    /// `setdomainname(2)` sets).
    pub(super) fn write_domainname(&self, name: &str) -> InitResult<()> {
        let path = Path::new("sys/kernel/domainname");
        self.write(path, name, at(Step::Hostname, name))
    }

    /// Reads `/proc/self/<name>`.
    pub(super) fn read_self(&self, name: &str) -> io::Result<String> {
        let mut file = self
            .handle
            .open(ProcfsBase::ProcSelf, name, OpenFlags::O_RDONLY)
            .map_err(io::Error::other)?;
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        Ok(text)
    }

    /// The descriptors open in this process (`/proc/self/fd`).
    pub(super) fn own_descriptors(&self) -> io::Result<Vec<RawFd>> {
        let dir = self
            .handle
            .open(
                ProcfsBase::ProcSelf,
                "fd",
                OpenFlags::O_RDONLY | OpenFlags::O_DIRECTORY,
            )
            .map_err(io::Error::other)?;
        let listed = dir.as_raw_fd();
        let mut dir = nix::dir::Dir::from_fd(OwnedFd::from(dir)).map_err(io::Error::from)?;
        let mut fds = Vec::new();
        for entry in dir.iter() {
            let entry = entry.map_err(io::Error::from)?;
            let number = entry.file_name().to_str().ok().and_then(|n| n.parse().ok());
            match number {
                Some(fd) if fd != listed => fds.push(fd),
                _ => {}
            }
        }
        Ok(fds)
    }

    /// Opens again, with `flags`, what this process's descriptor `fd` refers to
    /// (`/proc/self/fd/<fd>`, a magic link followed only as the last component).
    pub(super) fn reopen(
        &self,
        fd: BorrowedFd<'_>,
        flags: OpenFlags,
    ) -> Result<File, pathrs::error::Error> {
        let link = format!("fd/{}", fd.as_raw_fd());
        self.handle.open_follow(ProcfsBase::ProcSelf, link, flags)
    }

    /// Opens `path` under the procfs root for writing and writes `value` in one call.
    fn write<E>(&self, path: &Path, value: &str, error: E) -> InitResult<()>
    where
        E: FnOnce(ProcfsWriteError) -> InitError,
    {
        let written = self
            .handle
            .open(ProcfsBase::ProcRoot, path, OpenFlags::O_WRONLY)
            .map_err(ProcfsWriteError::Open)
            .and_then(|mut file| {
                file.write_all(value.as_bytes())
                    .map_err(ProcfsWriteError::Write)
            });
        written.map_err(error)
    }
}

/// Why a file under `/proc` could not be written.
#[derive(Debug, thiserror::Error)]
pub(super) enum ProcfsWriteError {
    /// Opening it through the verified handle.
    #[error("cannot open it through the verified procfs handle")]
    Open(#[source] pathrs::error::Error),
    /// Writing the value.
    #[error("cannot write it")]
    Write(#[source] io::Error),
}
