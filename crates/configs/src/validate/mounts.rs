//! Mounts must name absolute places inside the container, carry options the kernel can
//! apply, and stay within what a rootless container may do.

use std::path::PathBuf;

use super::NamespaceError;
use super::namespaces::check_id_maps;
use crate::config::Config;
use crate::mount::{Mount, MountAttrFlags, MountExtensions};
use crate::namespace::NamespaceKind;

/// Why a mount, masked path or read-only path cannot be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MountError {
    /// A mount destination is not absolute.
    #[error("mount destination {destination} is not an absolute path")]
    RelativeDestination {
        /// The destination.
        destination: PathBuf,
    },
    /// A field of a mount holds a NUL byte.
    #[error("mount on {destination}: the {field} holds a NUL byte")]
    ContainsNul {
        /// The destination.
        destination: PathBuf,
        /// `"source"`, `"destination"`, `"type"` or `"data"`.
        field: &'static str,
    },
    /// Mounts without a mount namespace would change the host's mount table.
    #[error("mounts need a private mount namespace")]
    MountsWithoutMountNamespace,
    /// A bind mount with filesystem options, which the kernel ignores for binds.
    #[error("bind mount on {destination} cannot take filesystem options {data:?}")]
    BindWithData {
        /// The destination.
        destination: PathBuf,
        /// The options.
        data: String,
    },
    /// `tmpcopyup` on a mount that is not a tmpfs.
    #[error("tmpcopyup on {destination} needs a tmpfs, not {device:?}")]
    TmpcopyupNotTmpfs {
        /// The destination.
        destination: PathBuf,
        /// The filesystem type given.
        device: String,
    },
    /// `MOUNT_ATTR_IDMAP` among the recursive attributes; id mapping has its own field.
    #[error("mount on {destination}: recursive attributes cannot hold MOUNT_ATTR_IDMAP")]
    IdmapInRecursiveAttrs {
        /// The destination.
        destination: PathBuf,
    },
    /// An id-mapped mount that is not a bind mount.
    #[error("id-mapped mount on {destination} must be a bind mount")]
    IdmapNotBind {
        /// The destination.
        destination: PathBuf,
    },
    /// An id-mapped mount in a rootless container.
    #[error("id-mapped mount on {destination} is not supported in rootless containers")]
    IdmapRootless {
        /// The destination.
        destination: PathBuf,
    },
    /// An id-mapped mount without both uid and gid mappings.
    #[error("id-mapped mount on {destination} needs both uid and gid mappings")]
    IdmapMissingMappings {
        /// The destination.
        destination: PathBuf,
    },
    /// An id-mapped mount with both a user namespace path and explicit mappings.
    #[error("id-mapped mount on {destination} has both a user namespace path and mappings")]
    IdmapPathAndMappings {
        /// The destination.
        destination: PathBuf,
    },
    /// An id-mapped mount whose mappings the kernel would refuse.
    #[error("id-mapped mount on {destination} has invalid mappings")]
    IdmapInvalid {
        /// The destination.
        destination: PathBuf,
        /// What is wrong with them.
        #[source]
        source: NamespaceError,
    },
    /// A `uid=` or `gid=` option that names an id the rootless container does not map.
    #[error(
        "mount on {destination}: option {option:?} names an id the user namespace does not map"
    )]
    RootlessUnmappedId {
        /// The destination.
        destination: PathBuf,
        /// The option.
        option: String,
    },
    /// A masked or read-only path that is not absolute.
    #[error("{what} {path} is not an absolute path")]
    RelativePath {
        /// `"masked path"` or `"read-only path"`.
        what: &'static str,
        /// The path.
        path: PathBuf,
    },
    /// Masked or read-only paths without a mount namespace.
    #[error("masked and read-only paths need a private mount namespace")]
    PathsWithoutMountNamespace,
}

pub(super) fn check(config: &Config) -> Result<(), MountError> {
    let has_mntns = config.namespaces.contains(NamespaceKind::Mount);
    if !config.mounts.is_empty() && !has_mntns {
        return Err(MountError::MountsWithoutMountNamespace);
    }
    for mount in &config.mounts {
        check_fields(mount)?;
        check_idmap(config, mount)?;
        if config.rootless_euid {
            check_rootless_ids(config, mount)?;
        }
    }
    let paths = [
        ("masked path", &config.masked_paths),
        ("read-only path", &config.readonly_paths),
    ];
    for (what, list) in paths {
        if !list.is_empty() && !has_mntns {
            return Err(MountError::PathsWithoutMountNamespace);
        }
        if let Some(path) = list.iter().find(|p| !p.is_absolute()) {
            return Err(MountError::RelativePath {
                what,
                path: path.clone(),
            });
        }
    }
    Ok(())
}

fn check_fields(mount: &Mount) -> Result<(), MountError> {
    let destination = || mount.destination.clone();
    let fields = [
        ("source", mount.source.as_os_str().as_encoded_bytes()),
        (
            "destination",
            mount.destination.as_os_str().as_encoded_bytes(),
        ),
        ("type", mount.device.as_bytes()),
        ("data", mount.data.as_bytes()),
    ];
    if let Some((field, _)) = fields.iter().find(|(_, bytes)| bytes.contains(&0)) {
        return Err(MountError::ContainsNul {
            destination: destination(),
            field,
        });
    }
    if !mount.destination.is_absolute() {
        return Err(MountError::RelativeDestination {
            destination: destination(),
        });
    }
    if mount.is_bind() && !mount.data.is_empty() {
        return Err(MountError::BindWithData {
            destination: destination(),
            data: mount.data.clone(),
        });
    }
    if mount.extensions.contains(MountExtensions::TMPCOPYUP) && mount.device != "tmpfs" {
        return Err(MountError::TmpcopyupNotTmpfs {
            destination: destination(),
            device: mount.device.clone(),
        });
    }
    Ok(())
}

fn check_idmap(config: &Config, mount: &Mount) -> Result<(), MountError> {
    let destination = || mount.destination.clone();
    if let Some(attrs) = &mount.rec_attr
        && (attrs.set | attrs.clear).contains(MountAttrFlags::IDMAP)
    {
        return Err(MountError::IdmapInRecursiveAttrs {
            destination: destination(),
        });
    }
    let Some(idmap) = &mount.id_mapping else {
        return Ok(());
    };
    if !mount.is_bind() {
        return Err(MountError::IdmapNotBind {
            destination: destination(),
        });
    }
    if config.rootless_euid {
        return Err(MountError::IdmapRootless {
            destination: destination(),
        });
    }
    let has_maps = !idmap.uid_mappings.is_empty() || !idmap.gid_mappings.is_empty();
    match &idmap.userns_path {
        Some(_) if has_maps => Err(MountError::IdmapPathAndMappings {
            destination: destination(),
        }),
        Some(_) => Ok(()),
        None if idmap.uid_mappings.is_empty() || idmap.gid_mappings.is_empty() => {
            Err(MountError::IdmapMissingMappings {
                destination: destination(),
            })
        }
        None => check_id_maps("uid", &idmap.uid_mappings)
            .and_then(|()| check_id_maps("gid", &idmap.gid_mappings))
            .map_err(|source| MountError::IdmapInvalid {
                destination: destination(),
                source,
            }),
    }
}

/// A rootless container can only give a filesystem ids its user namespace maps.
fn check_rootless_ids(config: &Config, mount: &Mount) -> Result<(), MountError> {
    for option in mount.data.split(',') {
        let mapped = if let Some(uid) = option.strip_prefix("uid=") {
            uid.parse()
                .map_or(true, |uid| config.host_uid(uid).is_some())
        } else if let Some(gid) = option.strip_prefix("gid=") {
            gid.parse()
                .map_or(true, |gid| config.host_gid(gid).is_some())
        } else {
            true
        };
        if !mapped {
            return Err(MountError::RootlessUnmappedId {
                destination: mount.destination.clone(),
                option: option.to_owned(),
            });
        }
    }
    Ok(())
}
