//! `/proc/sys` is only partly namespaced: a kernel parameter may be set only when the
//! namespace that owns it is private to the container.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::HostFacts;
use crate::config::Config;
use crate::namespace::NamespaceKind;
use crate::sysctl::{InvalidSysctlKey, SysctlKey};

/// IPC parameters owned by the IPC namespace (under `kernel.`), besides everything under
/// `fs.mqueue.`.
const IPC_SYSCTLS: [&str; 8] = [
    "msgmax",
    "msgmnb",
    "msgmni",
    "sem",
    "shmall",
    "shmmax",
    "shmmni",
    "shm_rmid_forced",
];

/// Why a kernel parameter cannot be set in this container.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SysctlError {
    /// A name that cannot name a file under `/proc/sys` (an empty, `.` or `..` component).
    #[error(transparent)]
    InvalidKey(#[from] InvalidSysctlKey),
    /// An IPC parameter without a private IPC namespace.
    #[error("sysctl {key:?} needs a private IPC namespace")]
    NeedsIpcNamespace {
        /// The parameter, in dotted form.
        key: String,
    },
    /// A network parameter in the host's network namespace.
    #[error("sysctl {key:?} is not allowed in the host's network namespace")]
    HostNetwork {
        /// The parameter, in dotted form.
        key: String,
    },
    /// The joined network namespace cannot be compared with the host's.
    #[error("network namespace path {path} cannot be inspected")]
    InspectNetns {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `kernel.hostname`, which the `hostname` field sets.
    #[error("sysctl {key:?} conflicts with the hostname field")]
    ConflictsWithHostname {
        /// The parameter.
        key: String,
    },
    /// A `user.` parameter without a user namespace.
    #[error("sysctl {key:?} needs a user namespace")]
    NeedsUserNamespace {
        /// The parameter.
        key: String,
    },
    /// A parameter no namespace of the container owns.
    #[error("sysctl {key:?} is not in a separate kernel namespace")]
    NotNamespaced {
        /// The parameter.
        key: String,
    },
}

pub(super) fn check(config: &Config, host: &HostFacts) -> Result<(), SysctlError> {
    let ns = &config.namespaces;
    let mut host_network = None;
    for raw in config.sysctl.keys() {
        let parsed = SysctlKey::parse(raw)?;
        let key = parsed.to_string();
        let is_ipc = match parsed.components() {
            [kernel, name] => kernel == "kernel" && IPC_SYSCTLS.contains(&name.as_str()),
            _ => parsed.starts_with(&["fs", "mqueue"]) && parsed.components().len() > 2,
        };
        if is_ipc {
            if !ns.contains(NamespaceKind::Ipc) {
                return Err(SysctlError::NeedsIpcNamespace { key });
            }
        } else if parsed.starts_with(&["net"]) && parsed.components().len() > 1 {
            let in_host = match host_network {
                Some(in_host) => in_host,
                None => *host_network.insert(uses_host_network(config, &host.proc)?),
            };
            if in_host {
                return Err(SysctlError::HostNetwork { key });
            }
        } else if ns.contains(NamespaceKind::Uts) && key == "kernel.domainname" {
            // Namespaced, and the runtime spec has no field of its own for it.
        } else if ns.contains(NamespaceKind::Uts) && key == "kernel.hostname" {
            return Err(SysctlError::ConflictsWithHostname { key });
        } else if parsed.starts_with(&["user"]) && parsed.components().len() > 1 {
            if !ns.contains(NamespaceKind::User) {
                return Err(SysctlError::NeedsUserNamespace { key });
            }
        } else {
            return Err(SysctlError::NotNamespaced { key });
        }
    }
    Ok(())
}

/// Whether the container's network namespace is the one hull itself runs in.
fn uses_host_network(config: &Config, proc: &Path) -> Result<bool, SysctlError> {
    let Some(ns) = config.namespaces.get(NamespaceKind::Network) else {
        return Ok(true);
    };
    let Some(path) = &ns.path else {
        return Ok(false);
    };
    let id = |path: &Path| {
        fs::metadata(path)
            .map(|m| (m.dev(), m.ino()))
            .map_err(|source| SysctlError::InspectNetns {
                path: path.to_owned(),
                source,
            })
    };
    Ok(id(path)? == id(&proc.join("self/ns/net"))?)
}
