//! The one raw call xtask makes: reading the effective user id.
//!
//! Contract: each function wraps a single libc call that takes no pointers and cannot fail.

#![allow(unsafe_code)]

/// Whether this process runs as root (effective user id 0).
///
/// `geteuid(2)`: <https://man7.org/linux/man-pages/man2/geteuid.2.html>
pub fn is_root() -> bool {
    // SAFETY: geteuid takes no arguments, touches no memory of ours and always succeeds.
    let euid = unsafe { libc::geteuid() };
    euid == 0
}
