//! `/proc/sys` is only partly namespaced: a kernel parameter may be set only when the
//! namespace that owns it is private to the container.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::HostFacts;
use crate::config::Config;
use crate::namespace::NamespaceKind;

/// IPC parameters owned by the IPC namespace, besides everything under `fs.mqueue.`.
const IPC_SYSCTLS: [&str; 8] = [
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

/// Why a kernel parameter cannot be set in this container.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SysctlError {
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
        let key = dotted(raw);
        let is_ipc = IPC_SYSCTLS.contains(&key.as_str()) || key.starts_with("fs.mqueue.");
        if is_ipc {
            if !ns.contains(NamespaceKind::Ipc) {
                return Err(SysctlError::NeedsIpcNamespace { key });
            }
        } else if key.starts_with("net.") {
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
        } else if key.starts_with("user.") {
            if !ns.contains(NamespaceKind::User) {
                return Err(SysctlError::NeedsUserNamespace { key });
            }
        } else {
            return Err(SysctlError::NotNamespaced { key });
        }
    }
    Ok(())
}

/// A parameter name in dotted form. `sysctl.d(5)` also accepts `/` as the separator when
/// the first separator is a `/`; then dots inside components (`eno2.100`) become `/`.
fn dotted(key: &str) -> String {
    match key.find(['.', '/']) {
        Some(i) if key.as_bytes()[i] == b'/' => key
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect(),
        _ => key.to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_separated_names_become_dotted() {
        assert_eq!(
            dotted("net/ipv4/conf/eno2.100/rp_filter"),
            "net.ipv4.conf.eno2/100.rp_filter"
        );
        assert_eq!(dotted("net.ipv4.ip_forward"), "net.ipv4.ip_forward");
        assert_eq!(dotted("kernel"), "kernel");
    }
}
