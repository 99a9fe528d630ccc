//! The raw syscalls the filter tests make in their child processes.
//!
//! Contract: each function passes only integers (or null pointers the kernel checks) to
//! one syscall that changes nothing the test process depends on.

#![allow(unsafe_code)]

use std::io;

/// `personality(persona)` with all 64 bits of the argument, which libc's wrapper truncates.
pub fn personality(persona: u64) -> Result<i64, i32> {
    // SAFETY: personality takes one integer and touches no memory of ours; the values the
    // tests pass (a query, PER_LINUX32, one with high bits) change at most this child's
    // execution domain.
    let ret = unsafe { libc::syscall(libc::SYS_personality, persona) };
    result(ret)
}

/// Syscalls the tests call with all-zero arguments, to see what the filter says.
#[derive(Clone, Copy, Debug)]
pub enum Probe {
    /// `create_module`, removed from Linux long ago (the kernel itself says ENOSYS).
    CreateModule,
    /// `cachestat` (Linux 6.5), newer than Docker's profile; with zero arguments it fails.
    Cachestat,
}

impl Probe {
    /// The syscall's name.
    pub fn name(self) -> &'static str {
        match self {
            Probe::CreateModule => "create_module",
            Probe::Cachestat => "cachestat",
        }
    }
}

/// Calls `probe` with six zero arguments.
pub fn call_with_zeros(probe: Probe) -> Result<i64, i32> {
    let arch = hull_seccomp::Arch::native().expect("a supported architecture");
    let nr = arch
        .syscall_number(probe.name())
        .expect("the syscall on this architecture");
    // SAFETY: both probes, given zeros (a null pointer where they take one), fail or do
    // nothing at all; neither writes to memory of ours.
    let ret = unsafe { libc::syscall(libc::c_long::from(nr), 0, 0, 0, 0, 0, 0) };
    result(ret)
}

fn result(ret: libc::c_long) -> Result<i64, i32> {
    if ret < 0 {
        Err(io::Error::last_os_error().raw_os_error().unwrap_or(0))
    } else {
        // `c_long` is 32 bits wide on 32-bit targets.
        #[allow(clippy::useless_conversion)]
        Ok(i64::from(ret))
    }
}
