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
//!
//! `pathrs` itself is used before the root changes only: to describe an error, it looks at
//! the process's own `/proc`, which after the pivot is the container's (absent, or anything
//! the image put there; `pathrs` 0.2.6 panics when it finds no procfs). What the init needs
//! of `/proc` afterwards is its own `/proc/self/fd`, opened through the handle beforehand
//! and kept as a descriptor: listing it, and reopening one of its own descriptors through
//! it, involve neither `pathrs` nor the container's `/proc`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::Path;

use hull_configs::SysctlKey;
use hull_nsenter::{InitError, Step};
use nix::fcntl::OFlag;
use nix::sys::stat::{Mode, fstat};
use pathrs::flags::OpenFlags;
use pathrs::procfs::{ProcfsBase, ProcfsHandle, ProcfsHandleBuilder};

use super::{InitResult, at};

/// A verified handle of a procfs, and this process's `/proc/self/fd` opened through it.
pub(super) struct Procfs {
    handle: ProcfsHandle,
    own_fds: OwnFds,
}

/// This process's `/proc/self/fd`, opened through the verified handle: all the init needs
/// of `/proc` once the handle itself is closed (before the root changes).
#[derive(Debug)]
pub(super) struct OwnFds(OwnedFd);

impl std::fmt::Debug for Procfs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Procfs").finish_non_exhaustive()
    }
}

impl Procfs {
    /// Makes the handle: a whole procfs (not only the pid directories), as `/proc/sys` is
    /// needed; and opens `/proc/self/fd` through it (`O_PATH`). Call it before the root
    /// changes.
    pub(super) fn open() -> InitResult<Procfs> {
        let handle = ProcfsHandleBuilder::new()
            .unmasked()
            .build()
            .map_err(at(Step::Procfs, "/proc"))?;
        let flags = OpenFlags::O_PATH | OpenFlags::O_DIRECTORY;
        let own_fds = handle
            .open(ProcfsBase::ProcSelf, "fd", flags)
            .map_err(at(Step::Procfs, "/proc/self/fd"))?
            .into();
        Ok(Procfs {
            handle,
            own_fds: OwnFds(own_fds),
        })
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

    /// Whether this process's user namespace denies `setgroups(2)` (`/proc/self/setgroups`
    /// says `deny`); a kernel without the file denies nothing. Before the root changes.
    pub(super) fn setgroups_denied(&self) -> bool {
        let read = || -> Result<String, Box<dyn std::error::Error>> {
            let mut file =
                self.handle
                    .open(ProcfsBase::ProcSelf, "setgroups", OpenFlags::O_RDONLY)?;
            let mut text = String::new();
            file.read_to_string(&mut text)?;
            Ok(text)
        };
        read().is_ok_and(|text| text.trim() == "deny")
    }

    /// Closes the handle, keeping the process's own `/proc/self/fd`.
    pub(super) fn into_own_fds(self) -> OwnFds {
        self.own_fds
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

impl OwnFds {
    /// The descriptors open in this process (`/proc/self/fd`), but the one listing them.
    /// Any time: through the descriptor opened with the handle.
    pub(super) fn own_descriptors(&self) -> io::Result<Vec<RawFd>> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let mut dir = nix::dir::Dir::openat(self.0.as_fd(), ".", flags, Mode::empty())?;
        let listing = dir.as_raw_fd();
        let mut fds = Vec::new();
        for entry in dir.iter() {
            let number = entry?
                .file_name()
                .to_str()
                .ok()
                .and_then(|n| n.parse().ok());
            match number {
                Some(fd) if fd != listing => fds.push(fd),
                _ => {}
            }
        }
        Ok(fds)
    }

    /// Opens again, with `flags`, what this process's descriptor `fd` refers to: its magic
    /// link in the `/proc/self/fd` opened with the handle, followed as the last and only
    /// component, and the result checked to be the same file. Any time.
    pub(super) fn reopen(&self, fd: BorrowedFd<'_>, flags: OFlag) -> io::Result<File> {
        let name = fd.as_raw_fd().to_string();
        let reopened = nix::fcntl::openat(self.0.as_fd(), name.as_str(), flags, Mode::empty())?;
        let (was, is) = (fstat(fd)?, fstat(&reopened)?);
        match (was.st_dev, was.st_ino) == (is.st_dev, is.st_ino) {
            true => Ok(File::from(reopened)),
            false => Err(io::Error::other("the descriptor reopened another file")),
        }
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
