//! What a seccomp filter sees of a syscall.

use crate::arch::Arch;

/// A syscall as seccomp presents it to a filter and to a notify listener
/// (`struct seccomp_data`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SeccompData {
    /// The syscall number (x32 ones with bit 30 set; `-1` when a tracer skips the call).
    pub nr: i32,
    /// The `AUDIT_ARCH_*` value of the caller's ABI.
    pub arch: u32,
    /// Where the syscall was made.
    pub instruction_pointer: u64,
    /// The arguments.
    pub args: [u64; 6],
}

impl SeccompData {
    /// Syscall `nr` (its bits, as [`Arch::syscall_number`] gives them) of `arch` with `args`.
    pub fn new(arch: Arch, nr: u32, args: [u64; 6]) -> SeccompData {
        SeccompData {
            nr: i32::from_ne_bytes(nr.to_ne_bytes()),
            arch: arch.audit_arch(),
            instruction_pointer: 0,
            args,
        }
    }
}
