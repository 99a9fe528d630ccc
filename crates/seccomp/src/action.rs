//! Actions as the values a filter returns (`SECCOMP_RET_*`).

use hull_configs::SeccompAction;

/// `SECCOMP_RET_KILL_THREAD`, also what a syscall of a foreign architecture gets
/// (libseccomp's default bad-architecture action).
pub(crate) const RET_KILL_THREAD: u32 = 0x0000_0000;
const RET_KILL_PROCESS: u32 = 0x8000_0000;
const RET_TRAP: u32 = 0x0003_0000;
const RET_ERRNO: u32 = 0x0005_0000;
const RET_USER_NOTIF: u32 = 0x7fc0_0000;
const RET_TRACE: u32 = 0x7ff0_0000;
const RET_LOG: u32 = 0x7ffc_0000;
const RET_ALLOW: u32 = 0x7fff_0000;

/// `ENOSYS`, what the stub returns for syscalls newer than the profile.
pub(crate) const ENOSYS: u32 = 38;

/// The largest errno an action may return (`MAX_ERRNO`).
pub(crate) const MAX_ERRNO: u32 = 4095;

/// The value a filter returns for `action`. Errno and trace values must fit
/// (see [`action_value_fits`]); they are masked to `SECCOMP_RET_DATA` regardless.
pub(crate) const fn ret_value(action: SeccompAction) -> u32 {
    match action {
        SeccompAction::Kill | SeccompAction::KillThread => RET_KILL_THREAD,
        SeccompAction::KillProcess => RET_KILL_PROCESS,
        SeccompAction::Trap => RET_TRAP,
        SeccompAction::Errno(errno) => RET_ERRNO | (errno & 0xffff),
        SeccompAction::Trace(value) => RET_TRACE | (value & 0xffff),
        SeccompAction::Allow => RET_ALLOW,
        SeccompAction::Log => RET_LOG,
        SeccompAction::Notify => RET_USER_NOTIF,
    }
}

/// `SECCOMP_RET_ERRNO | errno`.
pub(crate) const fn ret_errno(errno: u32) -> u32 {
    ret_value(SeccompAction::Errno(errno))
}

/// Whether the errno or trace value of `action` is one the kernel can carry.
pub(crate) const fn action_value_fits(action: SeccompAction) -> bool {
    match action {
        SeccompAction::Errno(errno) => errno <= MAX_ERRNO,
        SeccompAction::Trace(value) => value <= 0xffff,
        _ => true,
    }
}

/// Whether runc's ENOSYS stub applies under `default`: not when the default lets syscalls
/// through (allow, log, trace: a tracer handles new syscalls itself), and not when it
/// already returns `ENOSYS`.
pub(crate) const fn wants_enosys_stub(default: SeccompAction) -> bool {
    !matches!(
        default,
        SeccompAction::Allow
            | SeccompAction::Log
            | SeccompAction::Trace(_)
            | SeccompAction::Errno(ENOSYS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_the_kernel() {
        assert_eq!(
            ret_value(SeccompAction::Kill),
            libc::SECCOMP_RET_KILL_THREAD
        );
        assert_eq!(
            ret_value(SeccompAction::KillThread),
            libc::SECCOMP_RET_KILL_THREAD
        );
        assert_eq!(
            ret_value(SeccompAction::KillProcess),
            libc::SECCOMP_RET_KILL_PROCESS
        );
        assert_eq!(ret_value(SeccompAction::Trap), libc::SECCOMP_RET_TRAP);
        assert_eq!(
            ret_value(SeccompAction::Errno(1)),
            libc::SECCOMP_RET_ERRNO | 1
        );
        assert_eq!(
            ret_value(SeccompAction::Trace(7)),
            libc::SECCOMP_RET_TRACE | 7
        );
        assert_eq!(ret_value(SeccompAction::Allow), libc::SECCOMP_RET_ALLOW);
        assert_eq!(ret_value(SeccompAction::Log), libc::SECCOMP_RET_LOG);
        assert_eq!(
            ret_value(SeccompAction::Notify),
            libc::SECCOMP_RET_USER_NOTIF
        );
    }

    #[test]
    fn stub_follows_runc() {
        assert!(wants_enosys_stub(SeccompAction::Errno(1)));
        assert!(wants_enosys_stub(SeccompAction::KillProcess));
        assert!(wants_enosys_stub(SeccompAction::Trap));
        assert!(!wants_enosys_stub(SeccompAction::Errno(ENOSYS)));
        assert!(!wants_enosys_stub(SeccompAction::Allow));
        assert!(!wants_enosys_stub(SeccompAction::Log));
        assert!(!wants_enosys_stub(SeccompAction::Trace(1)));
    }

    #[test]
    fn action_values() {
        assert!(action_value_fits(SeccompAction::Errno(4095)));
        assert!(!action_value_fits(SeccompAction::Errno(4096)));
        assert!(action_value_fits(SeccompAction::Trace(65535)));
        assert!(!action_value_fits(SeccompAction::Trace(65536)));
    }
}
