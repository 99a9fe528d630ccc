//! Namespaces must exist on the host and be what they claim; settings that only make
//! sense inside a private namespace (hostname, id maps, clock offsets, interfaces) need it.

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use super::HostFacts;
use crate::config::Config;
use crate::namespace::{IdMap, NamespaceKind};

/// The kernel refuses id maps with more ranges than this (`user_namespaces(7)`).
const MAX_ID_MAP_RANGES: usize = 340;

/// The kernel's limit on hostname and domain name length (`__NEW_UTS_LEN`).
const MAX_UTS_NAME: usize = 64;

/// Why the namespace part of a config cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NamespaceError {
    /// The kernel does not offer this kind of namespace.
    #[error("{kind} namespaces are not supported by the kernel")]
    Unsupported {
        /// The kind.
        kind: NamespaceKind,
    },
    /// A kind is listed twice.
    #[error("{kind} namespace is listed twice")]
    Duplicate {
        /// The kind.
        kind: NamespaceKind,
    },
    /// A namespace path to join cannot be opened.
    #[error("{kind} namespace path {path} cannot be opened")]
    OpenPath {
        /// The kind.
        kind: NamespaceKind,
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A namespace path is not a namespace file.
    #[error("{kind} namespace path {path} is not a namespace file")]
    NotNamespaceFile {
        /// The kind it should be.
        kind: NamespaceKind,
        /// The path.
        path: PathBuf,
    },
    /// A namespace path is a namespace of another kind.
    #[error("{kind} namespace path {path} is a {found} namespace")]
    KindMismatch {
        /// The kind it should be.
        kind: NamespaceKind,
        /// The path.
        path: PathBuf,
        /// The kind the file is, as the kernel names it.
        found: String,
    },
    /// A new user namespace has no uid or gid mappings.
    #[error("a new user namespace needs uid and gid mappings")]
    UserNamespaceWithoutMappings,
    /// Mappings are given but there is no user namespace.
    #[error("uid or gid mappings are given but the container has no user namespace")]
    MappingsWithoutUserNamespace,
    /// An id map range the kernel would refuse.
    #[error("invalid {which} mapping {map:?}: {reason}")]
    InvalidIdMap {
        /// `"uid"` or `"gid"`.
        which: &'static str,
        /// The range.
        map: IdMap,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More ranges than the kernel accepts.
    #[error("{count} {which} mapping ranges, the kernel accepts at most 340")]
    TooManyIdMaps {
        /// `"uid"` or `"gid"`.
        which: &'static str,
        /// How many were given.
        count: usize,
    },
    /// Clock offsets without a time namespace.
    #[error("time offsets are given but the container has no time namespace")]
    TimeOffsetsWithoutTimeNamespace,
    /// Clock offsets for a time namespace that is joined, not created.
    #[error("time offsets cannot apply to the joined time namespace {path}")]
    TimeOffsetsWithJoinedNamespace {
        /// The joined namespace.
        path: PathBuf,
    },
    /// A hostname or domain name without a UTS namespace.
    #[error("setting the {what} needs a private UTS namespace")]
    UtsNameWithoutNamespace {
        /// `"hostname"` or `"domainname"`.
        what: &'static str,
    },
    /// A hostname or domain name longer than the kernel takes.
    #[error("{what} {name:?} is longer than 64 bytes")]
    UtsNameTooLong {
        /// `"hostname"` or `"domainname"`.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// Interfaces or routes without a network namespace.
    #[error("network interfaces and routes need a private network namespace")]
    NetworkWithoutNamespace,
    /// Network devices to move without a network namespace.
    #[error("moving network devices needs a network namespace")]
    NetDevicesWithoutNamespace,
    /// Network devices to move in a rootless container.
    #[error("network devices cannot be moved into a rootless container")]
    NetDevicesRootless,
    /// A network device name the kernel would refuse.
    #[error("invalid network device name {name:?}")]
    InvalidNetDeviceName {
        /// The name.
        name: String,
    },
}

pub(super) fn check(config: &Config, host: &HostFacts) -> Result<(), NamespaceError> {
    check_kinds_and_paths(config, host)?;
    check_user(config)?;
    check_time(config)?;
    check_uts(config)?;
    check_network(config)
}

fn check_kinds_and_paths(config: &Config, host: &HostFacts) -> Result<(), NamespaceError> {
    let namespaces = &config.namespaces.0;
    for (i, ns) in namespaces.iter().enumerate() {
        if !host.namespaces.contains(&ns.kind) {
            return Err(NamespaceError::Unsupported { kind: ns.kind });
        }
        if namespaces[..i]
            .iter()
            .any(|earlier| earlier.kind == ns.kind)
        {
            return Err(NamespaceError::Duplicate { kind: ns.kind });
        }
        if let Some(path) = &ns.path {
            check_namespace_file(ns.kind, path)?;
        }
    }
    Ok(())
}

/// Opens `path` and asks the kernel what it is (`NS_GET_NSTYPE`), which works for
/// `/proc/<pid>/ns/*` and for bind mounts of them (`/run/netns/x`) alike.
fn check_namespace_file(kind: NamespaceKind, path: &Path) -> Result<(), NamespaceError> {
    let file = File::open(path).map_err(|source| NamespaceError::OpenPath {
        kind,
        path: path.to_owned(),
        source,
    })?;
    let found = crate::sys::namespace_type(file.as_fd())
        .ok()
        .and_then(|flag| {
            NamespaceKind::ALL
                .iter()
                .copied()
                .find(|k| k.clone_flag() == flag)
        })
        .ok_or_else(|| NamespaceError::NotNamespaceFile {
            kind,
            path: path.to_owned(),
        })?;
    if found != kind {
        return Err(NamespaceError::KindMismatch {
            kind,
            path: path.to_owned(),
            found: found.proc_name().to_owned(),
        });
    }
    Ok(())
}

fn check_user(config: &Config) -> Result<(), NamespaceError> {
    let has_maps = !config.uid_mappings.is_empty() || !config.gid_mappings.is_empty();
    match config.namespaces.get(NamespaceKind::User) {
        None if has_maps => return Err(NamespaceError::MappingsWithoutUserNamespace),
        Some(ns) if ns.path.is_none() && !has_maps => {
            return Err(NamespaceError::UserNamespaceWithoutMappings);
        }
        _ => {}
    }
    check_id_maps("uid", &config.uid_mappings)?;
    check_id_maps("gid", &config.gid_mappings)
}

/// Checks a map as the kernel's `map_write` does: non-empty ranges that do not wrap and do
/// not overlap on either side.
pub(super) fn check_id_maps(which: &'static str, maps: &[IdMap]) -> Result<(), NamespaceError> {
    if maps.len() > MAX_ID_MAP_RANGES {
        return Err(NamespaceError::TooManyIdMaps {
            which,
            count: maps.len(),
        });
    }
    let end = |start: u32, size: u32| u64::from(start) + u64::from(size);
    for (i, &map) in maps.iter().enumerate() {
        let invalid = |reason| NamespaceError::InvalidIdMap { which, map, reason };
        if map.size == 0 {
            return Err(invalid("the range is empty"));
        }
        if end(map.container_id, map.size) > 1 << 32 || end(map.host_id, map.size) > 1 << 32 {
            return Err(invalid("the range runs past the largest id"));
        }
        for earlier in &maps[..i] {
            // [a, a + earlier.size) and [b, b + map.size) share an id.
            let overlap = |a: u32, b: u32| {
                u64::from(a) < end(b, map.size) && u64::from(b) < end(a, earlier.size)
            };
            if overlap(earlier.container_id, map.container_id) {
                return Err(invalid("the range overlaps another inside the namespace"));
            }
            if overlap(earlier.host_id, map.host_id) {
                return Err(invalid("the range overlaps another outside the namespace"));
            }
        }
    }
    Ok(())
}

fn check_time(config: &Config) -> Result<(), NamespaceError> {
    let Some(_) = &config.time_offsets else {
        return Ok(());
    };
    match config.namespaces.get(NamespaceKind::Time) {
        None => Err(NamespaceError::TimeOffsetsWithoutTimeNamespace),
        Some(ns) => match &ns.path {
            Some(path) => {
                Err(NamespaceError::TimeOffsetsWithJoinedNamespace { path: path.clone() })
            }
            None => Ok(()),
        },
    }
}

fn check_uts(config: &Config) -> Result<(), NamespaceError> {
    let names = [
        ("hostname", &config.hostname),
        ("domainname", &config.domainname),
    ];
    for (what, name) in names {
        let Some(name) = name else { continue };
        if !config.namespaces.contains(NamespaceKind::Uts) {
            return Err(NamespaceError::UtsNameWithoutNamespace { what });
        }
        if name.len() > MAX_UTS_NAME {
            return Err(NamespaceError::UtsNameTooLong {
                what,
                name: name.clone(),
            });
        }
    }
    Ok(())
}

fn check_network(config: &Config) -> Result<(), NamespaceError> {
    let has_netns = config.namespaces.contains(NamespaceKind::Network);
    if !has_netns && (!config.networks.is_empty() || !config.routes.is_empty()) {
        return Err(NamespaceError::NetworkWithoutNamespace);
    }
    if config.net_devices.is_empty() {
        return Ok(());
    }
    if !has_netns {
        return Err(NamespaceError::NetDevicesWithoutNamespace);
    }
    if config.rootless_euid || config.rootless_cgroups {
        return Err(NamespaceError::NetDevicesRootless);
    }
    for (host_name, device) in &config.net_devices {
        let invalid = |name: &String| NamespaceError::InvalidNetDeviceName { name: name.clone() };
        if !valid_device_name(host_name) {
            return Err(invalid(host_name));
        }
        if !device.name.is_empty() && !valid_device_name(&device.name) {
            return Err(invalid(&device.name));
        }
    }
    Ok(())
}

/// Whether the kernel's `dev_valid_name` accepts `name`.
fn valid_device_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < libc::IFNAMSIZ
        && name != "."
        && name != ".."
        && !name.contains(['/', ':'])
        && !name.chars().any(char::is_whitespace)
}
