//! Loading a device program and attaching it to a cgroup2 directory in place of the old one.

use std::ffi::CStr;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use super::{DevicesError, Program};
use crate::sys;

/// The license the program declares (it calls no GPL-only helper).
const LICENSE: &CStr = c"Apache-2.0";
/// The program's name, as `bpftool prog` shows it.
const NAME: &str = "hull_devices";
/// How often a load interrupted by a signal (`EAGAIN`) is retried.
const LOAD_TRIES: usize = 30;
/// The verifier log buffer used to explain a refused program.
const LOG_SIZE: usize = 64 * 1024;

/// Loads `program` and attaches it to the cgroup2 directory `cgroup`, replacing the device
/// programs attached there before.
///
/// With exactly one old program the kernel swaps them atomically (`BPF_F_REPLACE`, Linux
/// 5.6); otherwise the new program is attached first and the old ones detached after, so
/// there is never a moment without a program (both apply meanwhile: the stricter wins).
pub fn attach(cgroup: &Path, program: &Program) -> Result<(), DevicesError> {
    let dir = File::open(cgroup).map_err(|source| DevicesError::OpenCgroup {
        path: cgroup.to_owned(),
        source,
    })?;
    let prog = load(program)?;
    let old = attached(&dir, cgroup)?;
    if let [(_, old_fd)] = old.as_slice() {
        let flags = sys::F_ALLOW_MULTI | sys::F_REPLACE;
        match sys::prog_attach(dir.as_fd(), prog.as_fd(), flags, Some(old_fd.as_fd())) {
            Ok(()) => return Ok(()),
            // Before Linux 5.6: no BPF_F_REPLACE; attach, then detach.
            Err(err) if err.raw_os_error() == Some(libc::EINVAL) => {}
            Err(source) => return Err(attach_error(cgroup, source)),
        }
    }
    sys::prog_attach(dir.as_fd(), prog.as_fd(), sys::F_ALLOW_MULTI, None)
        .map_err(|source| attach_error(cgroup, source))?;
    for (id, old_fd) in &old {
        sys::prog_detach(dir.as_fd(), old_fd.as_fd()).map_err(|source| {
            DevicesError::DetachProgram {
                path: cgroup.to_owned(),
                id: *id,
                source,
            }
        })?;
    }
    Ok(())
}

fn attach_error(cgroup: &Path, source: io::Error) -> DevicesError {
    DevicesError::AttachProgram {
        path: cgroup.to_owned(),
        source,
    }
}

/// Loads the program; when the kernel refuses it, loads it again with the verifier log on
/// to say why.
fn load(program: &Program) -> Result<OwnedFd, DevicesError> {
    let insns = program.to_bytes();
    let source = match load_retrying(&insns, &mut []) {
        Ok(fd) => return Ok(fd),
        Err(source) => source,
    };
    let mut log = vec![0u8; LOG_SIZE];
    if let Ok(fd) = load_retrying(&insns, &mut log) {
        return Ok(fd);
    }
    let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
    Err(DevicesError::LoadProgram {
        log: String::from_utf8_lossy(&log[..end]).trim_end().to_owned(),
        source,
    })
}

/// One load, retried while a signal interrupts the verifier (`EAGAIN`).
fn load_retrying(insns: &[u8], log: &mut [u8]) -> io::Result<OwnedFd> {
    let mut tries = 0;
    loop {
        match sys::prog_load(insns, LICENSE, NAME, log) {
            Err(err) if err.raw_os_error() == Some(libc::EAGAIN) && tries < LOAD_TRIES => {
                tries += 1;
            }
            result => return result,
        }
    }
}

/// The device programs attached to the cgroup itself, by id and descriptor.
///
/// Programs we may not open (`EPERM`, `EACCES`: another security label) are skipped; they
/// can only restrict access further.
fn attached(dir: &File, cgroup: &Path) -> Result<Vec<(u32, OwnedFd)>, DevicesError> {
    let query_error = |source| DevicesError::QueryPrograms {
        path: cgroup.to_owned(),
        source,
    };
    let mut ids = vec![0u32; 64];
    loop {
        let (count, result) = sys::prog_query(dir.as_fd(), &mut ids);
        match result {
            Ok(()) => {
                ids.truncate(count);
                break;
            }
            Err(err) if err.raw_os_error() == Some(libc::ENOSPC) && count > ids.len() => {
                ids.resize(count, 0);
            }
            Err(source) => return Err(query_error(source)),
        }
    }
    let mut programs = Vec::with_capacity(ids.len());
    for id in ids {
        match sys::prog_fd_by_id(id) {
            Ok(fd) => programs.push((id, fd)),
            Err(err) if matches!(err.raw_os_error(), Some(libc::EPERM | libc::EACCES)) => {}
            // Detached meanwhile.
            Err(err) if err.raw_os_error() == Some(libc::ENOENT) => {}
            Err(source) => return Err(query_error(source)),
        }
    }
    Ok(programs)
}
