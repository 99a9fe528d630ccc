//! Mount options as runc reads them: flags, propagation, recursive attributes, hull's
//! extensions and id mapping; anything else is filesystem data.

use std::path::{Path, PathBuf};

use super::{SpecError, Warning, id_maps};
use crate::config::Config;
use crate::mount::{
    Mount, MountAttrFlags, MountExtensions, MountFlags, MountIdMapping, Propagation, RecursiveAttrs,
};

/// What one mount option means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountOption {
    /// `defaults`: nothing.
    Defaults,
    /// Set (`clear` false) or clear a `mount(2)` flag.
    Flag {
        /// Clear instead of set.
        clear: bool,
        /// The flag.
        flag: MountFlags,
    },
    /// A propagation change.
    Propagation(Propagation),
    /// Set or clear a recursive attribute; an empty `attr` is `relatime`, the access-time
    /// field set to zero.
    Recursive {
        /// Clear instead of set.
        clear: bool,
        /// The attribute.
        attr: MountAttrFlags,
    },
    /// One of hull's extensions.
    Extension(MountExtensions),
    /// Id-map the mount (`idmap`), or the whole tree under it (`ridmap`).
    IdMap {
        /// `ridmap`.
        recursive: bool,
    },
}

/// The meaning of a mount option name, `None` for filesystem-specific data.
pub fn mount_option(name: &str) -> Option<MountOption> {
    use MountOption::{Defaults, Extension, IdMap, Propagation as Prop};
    let set = |flag| MountOption::Flag { clear: false, flag };
    let clear = |flag| MountOption::Flag { clear: true, flag };
    let rset = |attr| MountOption::Recursive { clear: false, attr };
    let rclear = |attr| MountOption::Recursive { clear: true, attr };
    let relatime = MountAttrFlags::empty();
    Some(match name {
        "defaults" => Defaults,
        "async" => clear(MountFlags::SYNCHRONOUS),
        "atime" => clear(MountFlags::NOATIME),
        "bind" => set(MountFlags::BIND),
        "dev" => clear(MountFlags::NODEV),
        "diratime" => clear(MountFlags::NODIRATIME),
        "dirsync" => set(MountFlags::DIRSYNC),
        "exec" => clear(MountFlags::NOEXEC),
        "iversion" => set(MountFlags::I_VERSION),
        "lazytime" => set(MountFlags::LAZYTIME),
        "loud" => clear(MountFlags::SILENT),
        "mand" => set(MountFlags::MANDLOCK),
        "noatime" => set(MountFlags::NOATIME),
        "nodev" => set(MountFlags::NODEV),
        "nodiratime" => set(MountFlags::NODIRATIME),
        "noexec" => set(MountFlags::NOEXEC),
        "noiversion" => clear(MountFlags::I_VERSION),
        "nolazytime" => clear(MountFlags::LAZYTIME),
        "nomand" => clear(MountFlags::MANDLOCK),
        "norelatime" => clear(MountFlags::RELATIME),
        "nostrictatime" => clear(MountFlags::STRICTATIME),
        "nosuid" => set(MountFlags::NOSUID),
        "nosymfollow" => set(MountFlags::NOSYMFOLLOW),
        "rbind" => set(MountFlags::BIND | MountFlags::REC),
        "relatime" => set(MountFlags::RELATIME),
        "remount" => set(MountFlags::REMOUNT),
        "ro" => set(MountFlags::RDONLY),
        "rw" => clear(MountFlags::RDONLY),
        "silent" => set(MountFlags::SILENT),
        "strictatime" => set(MountFlags::STRICTATIME),
        "suid" => clear(MountFlags::NOSUID),
        "sync" => set(MountFlags::SYNCHRONOUS),
        "symfollow" => clear(MountFlags::NOSYMFOLLOW),
        "rro" => rset(MountAttrFlags::RDONLY),
        "rrw" => rclear(MountAttrFlags::RDONLY),
        "rnosuid" => rset(MountAttrFlags::NOSUID),
        "rsuid" => rclear(MountAttrFlags::NOSUID),
        "rnodev" => rset(MountAttrFlags::NODEV),
        "rdev" => rclear(MountAttrFlags::NODEV),
        "rnoexec" => rset(MountAttrFlags::NOEXEC),
        "rexec" => rclear(MountAttrFlags::NOEXEC),
        "rnodiratime" => rset(MountAttrFlags::NODIRATIME),
        "rdiratime" => rclear(MountAttrFlags::NODIRATIME),
        "rrelatime" => rset(relatime),
        "rnorelatime" => rclear(relatime),
        "rnoatime" => rset(MountAttrFlags::NOATIME),
        "ratime" => rclear(MountAttrFlags::NOATIME),
        "rstrictatime" => rset(MountAttrFlags::STRICTATIME),
        "rnostrictatime" => rclear(MountAttrFlags::STRICTATIME),
        "rnosymfollow" => rset(MountAttrFlags::NOSYMFOLLOW),
        "rsymfollow" => rclear(MountAttrFlags::NOSYMFOLLOW),
        "tmpcopyup" => Extension(MountExtensions::TMPCOPYUP),
        "idmap" => IdMap { recursive: false },
        "ridmap" => IdMap { recursive: true },
        other => Prop(other.parse().ok()?),
    })
}

/// The mount's flags, propagation, attributes and data from its options, in order: a later
/// option overrides an earlier one.
fn apply_options(mount: &mut Mount, options: &[String]) -> Vec<String> {
    let mut data = Vec::new();
    let mut attrs = RecursiveAttrs::default();
    for option in options {
        match mount_option(option) {
            Some(MountOption::Defaults) => {}
            Some(MountOption::Flag { clear: false, flag }) => {
                mount.flags |= flag;
                mount.cleared_flags -= flag;
            }
            Some(MountOption::Flag { clear: true, flag }) => {
                mount.flags -= flag;
                mount.cleared_flags |= flag;
            }
            Some(MountOption::Propagation(p)) => mount.propagation.push(p),
            Some(MountOption::Recursive { clear, attr }) => {
                let (add, remove) = match clear {
                    false => (&mut attrs.set, &mut attrs.clear),
                    true => (&mut attrs.clear, &mut attrs.set),
                };
                *add |= attr;
                *remove -= attr;
                // mount_setattr(2): an access-time setting only takes effect with the whole
                // access-time field in the clear set.
                if MountAttrFlags::ATIME.contains(attr) {
                    attrs.clear |= MountAttrFlags::ATIME;
                }
            }
            Some(MountOption::Extension(ext)) => mount.extensions |= ext,
            Some(MountOption::IdMap { recursive }) => {
                mount.id_mapping = Some(MountIdMapping {
                    recursive,
                    ..MountIdMapping::default()
                });
            }
            None => data.push(option.clone()),
        }
    }
    if attrs != RecursiveAttrs::default() {
        mount.rec_attr = Some(attrs);
    }
    data
}

/// Converts the mount at `index` of the spec's list.
pub(super) fn convert(
    index: usize,
    m: &oci_spec::runtime::Mount,
    bundle: &Path,
    warnings: &mut Vec<Warning>,
) -> Result<Mount, SpecError> {
    let mut destination = m.destination().clone();
    if !destination.is_absolute() {
        warnings.push(Warning::RelativeMountDestination {
            destination: destination.clone(),
        });
        destination = Path::new("/").join(destination);
    }
    let mut mount = Mount {
        source: m.source().clone().unwrap_or_default(),
        destination,
        device: m.typ().clone().unwrap_or_default(),
        ..Mount::default()
    };
    let options = m.options().as_deref().unwrap_or_default();
    if options.iter().any(|o| o == "defaults") {
        warnings.push(Warning::DefaultsOption {
            destination: mount.destination.clone(),
        });
    }
    let data = apply_options(&mut mount, options);
    if mount.is_bind() {
        // The type means nothing to a bind mount; name it for what it is.
        mount.device = "bind".to_owned();
        mount.source = bundle.join(&mount.source);
        if let Some(option) = data.into_iter().next() {
            return Err(SpecError::UnknownMountOption {
                index,
                destination: mount.destination,
                option,
            });
        }
    } else {
        mount.data = data.join(",");
    }
    if m.uid_mappings().is_some() || m.gid_mappings().is_some() {
        let idmap = mount.id_mapping.get_or_insert_with(MountIdMapping::default);
        idmap.uid_mappings = id_maps(m.uid_mappings());
        idmap.gid_mappings = id_maps(m.gid_mappings());
    }
    Ok(mount)
}

/// Id-mapped mounts without mappings of their own take the container's: the joined user
/// namespace's path, or the new namespace's mappings.
pub(super) fn fill_idmaps(config: &mut Config, userns_path: Option<&Path>) {
    let (uid_maps, gid_maps) = (config.uid_mappings.clone(), config.gid_mappings.clone());
    for mount in &mut config.mounts {
        let Some(idmap) = &mut mount.id_mapping else {
            continue;
        };
        if !idmap.uid_mappings.is_empty() || !idmap.gid_mappings.is_empty() {
            continue;
        }
        match userns_path {
            Some(path) => idmap.userns_path = Some(PathBuf::from(path)),
            None => {
                idmap.uid_mappings = uid_maps.clone();
                idmap.gid_mappings = gid_maps.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every option name runc's specconv knows (its `KnownMountOptions`).
    const RUNC_OPTIONS: &[&str] = &[
        "async",
        "atime",
        "bind",
        "defaults",
        "dev",
        "diratime",
        "dirsync",
        "exec",
        "iversion",
        "lazytime",
        "loud",
        "mand",
        "noatime",
        "nodev",
        "nodiratime",
        "noexec",
        "noiversion",
        "nolazytime",
        "nomand",
        "norelatime",
        "nostrictatime",
        "nosuid",
        "nosymfollow",
        "private",
        "ratime",
        "rbind",
        "rdev",
        "rdiratime",
        "relatime",
        "remount",
        "rexec",
        "rnoatime",
        "rnodev",
        "rnodiratime",
        "rnoexec",
        "rnorelatime",
        "rnostrictatime",
        "rnosuid",
        "rnosymfollow",
        "ro",
        "rprivate",
        "rrelatime",
        "rro",
        "rrw",
        "rshared",
        "rslave",
        "rstrictatime",
        "rsuid",
        "rsymfollow",
        "runbindable",
        "rw",
        "shared",
        "silent",
        "slave",
        "strictatime",
        "suid",
        "symfollow",
        "sync",
        "tmpcopyup",
        "unbindable",
        "idmap",
        "ridmap",
    ];

    #[test]
    fn knows_every_option_runc_knows() {
        for name in RUNC_OPTIONS {
            assert!(mount_option(name).is_some(), "{name} is not known");
        }
        for data in [
            "mode=755",
            "size=65536k",
            "newinstance",
            "gid=5",
            "rnoexecc",
        ] {
            assert_eq!(mount_option(data), None, "{data} should be data");
        }
    }

    #[test]
    fn later_options_override_earlier_ones() {
        let mut mount = Mount::default();
        let options: Vec<String> = ["ro", "nosuid", "rw", "suid", "nosuid"]
            .map(String::from)
            .into();
        assert!(apply_options(&mut mount, &options).is_empty());
        assert_eq!(mount.flags, MountFlags::NOSUID);
        assert_eq!(mount.cleared_flags, MountFlags::RDONLY);
    }

    #[test]
    fn access_time_attributes_clear_the_whole_field() {
        let mut mount = Mount::default();
        let options: Vec<String> = ["rnoexec", "rrelatime"].map(String::from).into();
        apply_options(&mut mount, &options);
        let attrs = mount.rec_attr.unwrap();
        assert_eq!(attrs.set, MountAttrFlags::NOEXEC);
        assert_eq!(attrs.clear, MountAttrFlags::ATIME);
    }

    proptest! {
        #[test]
        fn flags_set_and_cleared_never_overlap(picks in proptest::collection::vec(0..RUNC_OPTIONS.len(), 0..20)) {
            let options: Vec<String> = picks.iter().map(|&i| RUNC_OPTIONS[i].to_owned()).collect();
            let mut mount = Mount::default();
            let data = apply_options(&mut mount, &options);
            prop_assert!(data.is_empty());
            prop_assert!((mount.flags & mount.cleared_flags).is_empty());
            if let Some(attrs) = mount.rec_attr {
                prop_assert!((attrs.set & attrs.clear & !MountAttrFlags::ATIME).is_empty());
            }
        }
    }
}
