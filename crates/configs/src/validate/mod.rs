//! Checks that a [`Config`] is coherent and can run on this host, before anything is
//! created.
//!
//! [`validate`] makes every check libcontainer's validator makes, and a few more on values
//! the kernel would reject later with a less helpful error. It stops at the first failure;
//! each failure is its own error variant carrying the offending value.

mod cgroup;
mod host;
mod mounts;
mod namespaces;
mod process;
mod rootfs;
mod seccomp;
mod security;
mod sysctl;

pub use cgroup::CgroupError;
pub use host::{HostFacts, RdtSupport};
pub use mounts::MountError;
pub use namespaces::NamespaceError;
pub use process::ProcessError;
pub use rootfs::RootfsError;
pub use seccomp::SeccompError;
pub use security::SecurityError;
pub use sysctl::SysctlError;

use crate::config::Config;

/// Why a config fails validation, grouped by the part of the config at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidateError {
    /// The root filesystem.
    #[error(transparent)]
    Rootfs(#[from] RootfsError),
    /// Namespaces, id maps, and settings that need a namespace.
    #[error(transparent)]
    Namespace(#[from] NamespaceError),
    /// Kernel parameters.
    #[error(transparent)]
    Sysctl(#[from] SysctlError),
    /// Mounts, masked and read-only paths.
    #[error(transparent)]
    Mount(#[from] MountError),
    /// The cgroup and its resources.
    #[error(transparent)]
    Cgroup(#[from] CgroupError),
    /// Process attributes: rlimits, scheduling, memory policy, devices, hooks.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// LSM labels, Intel RDT and rootless requirements.
    #[error(transparent)]
    Security(#[from] SecurityError),
    /// The seccomp filter.
    #[error(transparent)]
    Seccomp(#[from] SeccompError),
}

/// Checks `config` against itself and against `host`.
///
/// # Errors
///
/// The first check that fails, as a [`ValidateError`].
pub fn validate(config: &Config, host: &HostFacts) -> Result<(), ValidateError> {
    cgroup::check(config, host)?;
    rootfs::check(config)?;
    namespaces::check(config, host)?;
    sysctl::check(config, host)?;
    security::check(config, host)?;
    mounts::check(config)?;
    process::check(config)?;
    seccomp::check(config)?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A config that passes validation, for tests to break one field at a time.

    use std::collections::BTreeSet;
    use std::path::Path;

    use super::HostFacts;
    use crate::config::Config;
    use crate::namespace::{NamespaceKind, Namespaces};

    /// A host that offers everything.
    pub(crate) fn full_host() -> HostFacts {
        HostFacts {
            proc: "/proc".into(),
            namespaces: NamespaceKind::ALL.iter().copied().collect::<BTreeSet<_>>(),
            cgroup2_unified: true,
            selinux: true,
            apparmor: true,
            rdt: Some(super::RdtSupport {
                cat: true,
                mba: true,
            }),
        }
    }

    /// A valid config over `rootfs`, with new pid, mount, uts, ipc and network namespaces.
    pub(crate) fn valid_config(rootfs: &Path) -> Config {
        let mut namespaces = Namespaces::default();
        for kind in [
            NamespaceKind::Pid,
            NamespaceKind::Mount,
            NamespaceKind::Uts,
            NamespaceKind::Ipc,
            NamespaceKind::Network,
        ] {
            namespaces.set(kind, None);
        }
        Config {
            rootfs: rootfs.to_owned(),
            namespaces,
            ..Config::default()
        }
    }
}

#[cfg(test)]
mod tests;
