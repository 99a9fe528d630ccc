//! The libc calls `hull-probe report` makes to look at its own process.
//!
//! Contract: each function makes its call with pointers to locals or to a buffer it owns,
//! each valid and large enough for the call, and turns a failure into an `io::Error`. The
//! probe is single-threaded, so `errno` read right after a call is that call's.

#![allow(unsafe_code)]

use std::io;

/// Real, effective and saved ids: `(real, effective, saved)`.
pub(crate) type Triple = (u32, u32, u32);

/// `getresuid(2)`: <https://man7.org/linux/man-pages/man2/getresuid.2.html>
pub(crate) fn getresuid() -> io::Result<Triple> {
    let (mut real, mut effective, mut saved) = (0, 0, 0);
    // SAFETY: the three pointers are to distinct live locals of type uid_t.
    let ret = unsafe { libc::getresuid(&mut real, &mut effective, &mut saved) };
    check(ret).map(|()| (real, effective, saved))
}

/// `getresgid(2)`: <https://man7.org/linux/man-pages/man2/getresgid.2.html>
pub(crate) fn getresgid() -> io::Result<Triple> {
    let (mut real, mut effective, mut saved) = (0, 0, 0);
    // SAFETY: the three pointers are to distinct live locals of type gid_t.
    let ret = unsafe { libc::getresgid(&mut real, &mut effective, &mut saved) };
    check(ret).map(|()| (real, effective, saved))
}

/// The supplementary groups, `getgroups(2)`:
/// <https://man7.org/linux/man-pages/man2/getgroups.2.html>
pub(crate) fn getgroups() -> io::Result<Vec<u32>> {
    // SAFETY: with a size of 0 the kernel only counts the groups and writes nothing, so a
    // null list pointer is allowed.
    let count = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    let len = usize::try_from(count).map_err(|_| io::Error::last_os_error())?;
    let mut groups = vec![0; len];
    // SAFETY: `groups` holds `count` gid_t slots, the size we pass.
    let written = unsafe { libc::getgroups(count, groups.as_mut_ptr()) };
    let written = usize::try_from(written).map_err(|_| io::Error::last_os_error())?;
    groups.truncate(written);
    Ok(groups)
}

/// `getrlimit(2)` of `resource`: `(soft, hard)`, `RLIM_INFINITY` being `u64::MAX`.
///
/// <https://man7.org/linux/man-pages/man2/getrlimit.2.html>
pub(crate) fn getrlimit(resource: libc::__rlimit_resource_t) -> io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a live local rlimit the call fills in.
    let ret = unsafe { libc::getrlimit(resource, &mut limit) };
    check(ret).map(|()| (limit.rlim_cur, limit.rlim_max))
}

/// The host and domain names of the UTS namespace, `uname(2)`:
/// <https://man7.org/linux/man-pages/man2/uname.2.html>
pub(crate) fn uname() -> io::Result<(String, String)> {
    // SAFETY: utsname is a struct of C char arrays, for which all zero bytes are valid.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `uts` is a live local utsname the call fills in.
    let ret = unsafe { libc::uname(&mut uts) };
    check(ret).map(|()| (c_chars(&uts.nodename), c_chars(&uts.domainname)))
}

/// The text of a NUL-terminated C char array (all of it if there is no NUL).
fn c_chars(field: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = field
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c.to_ne_bytes()[0])
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}
