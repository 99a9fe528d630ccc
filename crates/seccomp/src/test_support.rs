//! What the unit tests of several modules share.

use hull_configs::{Seccomp, SeccompAction, SyscallRule};

/// A profile for every architecture hull knows, with `default_action` and `syscalls`.
pub(crate) fn config(default_action: SeccompAction, syscalls: Vec<SyscallRule>) -> Seccomp {
    Seccomp {
        default_action,
        architectures: vec![],
        flags: None,
        syscalls,
        listener_path: None,
        listener_metadata: None,
    }
}
