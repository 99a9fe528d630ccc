//! The raw `bpf(2)` calls that attach device programs to cgroups.
//!
//! Contract: each function fills one `bpf_attr` layout (the prefix of the kernel's union
//! that its command reads, as in `include/uapi/linux/bpf.h`), makes one `bpf(2)` call and
//! returns the result as `io::Result`, with any new file descriptor owned. Buffers whose
//! addresses go into the attribute are borrowed for the length of the call only. Nothing
//! here retries or interprets errors; `devices::attach` does.
//!
//! `bpf(2)`: <https://man7.org/linux/man-pages/man2/bpf.2.html>

#![allow(unsafe_code)]

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

const BPF_PROG_LOAD: libc::c_long = 5;
const BPF_PROG_ATTACH: libc::c_long = 8;
const BPF_PROG_DETACH: libc::c_long = 9;
const BPF_PROG_GET_FD_BY_ID: libc::c_long = 13;
const BPF_PROG_QUERY: libc::c_long = 16;

/// `BPF_PROG_TYPE_CGROUP_DEVICE`.
const PROG_TYPE_CGROUP_DEVICE: u32 = 15;
/// `BPF_CGROUP_DEVICE`, the attach type.
const ATTACH_CGROUP_DEVICE: u32 = 6;

/// `BPF_F_ALLOW_MULTI`: other programs may be attached beside this one.
pub(crate) const F_ALLOW_MULTI: u32 = 2;
/// `BPF_F_REPLACE`: replace the program given as `replace_bpf_fd` (Linux 5.6).
pub(crate) const F_REPLACE: u32 = 4;

/// `bpf_attr` for `BPF_PROG_LOAD`, up to `prog_name`.
#[repr(C)]
#[derive(Default)]
struct ProgLoadAttr {
    prog_type: u32,
    insn_cnt: u32,
    insns: u64,
    license: u64,
    log_level: u32,
    log_size: u32,
    log_buf: u64,
    kern_version: u32,
    prog_flags: u32,
    prog_name: [u8; 16],
}

/// `bpf_attr` for `BPF_PROG_ATTACH` and `BPF_PROG_DETACH`, up to `replace_bpf_fd`.
#[repr(C)]
#[derive(Default)]
struct AttachAttr {
    target_fd: u32,
    attach_bpf_fd: u32,
    attach_type: u32,
    attach_flags: u32,
    replace_bpf_fd: u32,
}

/// `bpf_attr` for `BPF_PROG_QUERY`, up to `revision`: Linux 6.17 writes `revision` back
/// whatever size it is given, so the struct must have room for it.
#[repr(C)]
#[derive(Default)]
struct QueryAttr {
    target_fd: u32,
    attach_type: u32,
    query_flags: u32,
    attach_flags: u32,
    prog_ids: u64,
    prog_cnt: u32,
    pad: u32,
    prog_attach_flags: u64,
    link_ids: u64,
    link_attach_flags: u64,
    revision: u64,
}

/// `bpf_attr` for `BPF_PROG_GET_FD_BY_ID`.
#[repr(C)]
#[derive(Default)]
struct GetFdAttr {
    prog_id: u32,
    next_id: u32,
    open_flags: u32,
}

/// `bpf(cmd, attr, sizeof(*attr))`.
///
/// # Safety
///
/// `attr` must be the layout `cmd` reads, and every address in it must point to memory
/// valid (and writable where the kernel writes) for the lengths it states, until this
/// returns.
unsafe fn bpf<T>(cmd: libc::c_long, attr: &mut T) -> io::Result<libc::c_long> {
    let size = std::mem::size_of::<T>() as libc::c_uint;
    let attr: *mut T = attr;
    // SAFETY: the caller guarantees that `attr` and the buffers it points to are valid for
    // `cmd`; `attr` itself is a live exclusive borrow of `size` bytes.
    let ret = unsafe { libc::syscall(libc::SYS_bpf, cmd, attr, size) };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Takes ownership of a descriptor that `bpf(2)` just returned.
fn owned(fd: libc::c_long) -> io::Result<OwnedFd> {
    let fd = RawFd::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
    // SAFETY: the kernel just created `fd` for us and nothing else refers to it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn raw(fd: BorrowedFd<'_>) -> u32 {
    // A borrowed descriptor is never negative.
    fd.as_raw_fd().unsigned_abs()
}

/// `BPF_PROG_LOAD` of a `BPF_PROG_TYPE_CGROUP_DEVICE` program from its encoded
/// instructions; with a non-empty `log`, the verifier writes its log there.
pub(crate) fn prog_load(
    insns: &[u8],
    license: &CStr,
    name: &str,
    log: &mut [u8],
) -> io::Result<OwnedFd> {
    let mut prog_name = [0u8; 16];
    for (to, from) in prog_name.iter_mut().take(15).zip(name.bytes()) {
        *to = from;
    }
    let mut attr = ProgLoadAttr {
        prog_type: PROG_TYPE_CGROUP_DEVICE,
        insn_cnt: u32::try_from(insns.len() / 8)
            .map_err(|_| io::Error::from_raw_os_error(libc::E2BIG))?,
        insns: insns.as_ptr() as u64,
        license: license.as_ptr() as u64,
        prog_name,
        ..ProgLoadAttr::default()
    };
    if !log.is_empty() {
        attr.log_level = 1;
        attr.log_size = u32::try_from(log.len()).unwrap_or(u32::MAX);
        attr.log_buf = log.as_mut_ptr() as u64;
    }
    // SAFETY: `insns` holds `insn_cnt` instructions, `license` is NUL-terminated and `log`
    // is writable for `log_size` bytes; all three outlive the call.
    let fd = unsafe { bpf(BPF_PROG_LOAD, &mut attr) }?;
    owned(fd)
}

/// `BPF_PROG_ATTACH` of `prog` to the cgroup `target` as a device program, replacing
/// `replace` when given (with [`F_REPLACE`] in `flags`).
pub(crate) fn prog_attach(
    target: BorrowedFd<'_>,
    prog: BorrowedFd<'_>,
    flags: u32,
    replace: Option<BorrowedFd<'_>>,
) -> io::Result<()> {
    let mut attr = AttachAttr {
        target_fd: raw(target),
        attach_bpf_fd: raw(prog),
        attach_type: ATTACH_CGROUP_DEVICE,
        attach_flags: flags,
        replace_bpf_fd: replace.map_or(0, raw),
    };
    // SAFETY: the attribute holds descriptors only, no addresses.
    unsafe { bpf(BPF_PROG_ATTACH, &mut attr) }.map(drop)
}

/// `BPF_PROG_DETACH` of the device program `prog` from the cgroup `target`.
pub(crate) fn prog_detach(target: BorrowedFd<'_>, prog: BorrowedFd<'_>) -> io::Result<()> {
    let mut attr = AttachAttr {
        target_fd: raw(target),
        attach_bpf_fd: raw(prog),
        attach_type: ATTACH_CGROUP_DEVICE,
        ..AttachAttr::default()
    };
    // SAFETY: the attribute holds descriptors only, no addresses.
    unsafe { bpf(BPF_PROG_DETACH, &mut attr) }.map(drop)
}

/// `BPF_PROG_QUERY` of the device programs attached to the cgroup `target` (not its
/// ancestors): fills `ids` and returns how many there are, which may exceed `ids.len()`
/// (then the call fails with `ENOSPC`).
pub(crate) fn prog_query(target: BorrowedFd<'_>, ids: &mut [u32]) -> (usize, io::Result<()>) {
    let mut attr = QueryAttr {
        target_fd: raw(target),
        attach_type: ATTACH_CGROUP_DEVICE,
        prog_ids: ids.as_mut_ptr() as u64,
        prog_cnt: u32::try_from(ids.len()).unwrap_or(u32::MAX),
        ..QueryAttr::default()
    };
    // SAFETY: `ids` is writable for `prog_cnt` ids and outlives the call; the attribute has
    // room for every field the kernel writes back.
    let result = unsafe { bpf(BPF_PROG_QUERY, &mut attr) }.map(drop);
    (attr.prog_cnt as usize, result)
}

/// `BPF_PROG_GET_FD_BY_ID`: a descriptor for the program with kernel id `id`.
pub(crate) fn prog_fd_by_id(id: u32) -> io::Result<OwnedFd> {
    let mut attr = GetFdAttr {
        prog_id: id,
        ..GetFdAttr::default()
    };
    // SAFETY: the attribute holds an id only, no addresses.
    let fd = unsafe { bpf(BPF_PROG_GET_FD_BY_ID, &mut attr) }?;
    owned(fd)
}
