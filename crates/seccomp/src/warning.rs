//! What a compiled filter leaves out, for the caller to show.

use hull_configs::SeccompArch;

/// Something in a config that compiles, but not as written: the caller should show it
/// (runc logs the same cases and goes on).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// A syscall name that none of the supported architectures has; its rules are skipped.
    #[error("unknown syscall {name:?} ignored")]
    UnknownSyscall {
        /// The name as written.
        name: String,
    },
    /// An architecture without syscall tables here; the filter does not admit it, so its
    /// syscalls get the kill action of a foreign architecture.
    #[error("architecture {arch} is not supported and is left out of the filter")]
    UnsupportedArch {
        /// The architecture.
        arch: SeccompArch,
    },
}
