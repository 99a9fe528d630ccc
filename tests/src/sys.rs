//! The one raw call the test library makes: reading the effective user id.
//!
//! Contract: each function wraps a single libc call that takes no pointers and cannot fail.

#![allow(unsafe_code)]

/// The effective user id of this process.
///
/// `geteuid(2)`: <https://man7.org/linux/man-pages/man2/geteuid.2.html>
pub(crate) fn effective_uid() -> u32 {
    // SAFETY: geteuid takes no arguments, touches no memory of ours and always succeeds.
    unsafe { libc::geteuid() }
}
