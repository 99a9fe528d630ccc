//! Conversion of an OCI runtime-spec bundle (`config.json` and a root filesystem) to a
//! [`Config`], with runc's rules: its table of mount options, its default devices, its
//! cgroup path rules and its defaults.
//!
//! [`load_spec`] reads `config.json`, naming the offending field when it is malformed;
//! [`convert`] turns the spec into a config plus the [`Warning`]s a caller should show.

mod cgroup;
mod mount;
mod process;
mod seccomp;

use std::fs;
use std::path::{Path, PathBuf};

use oci_spec::runtime::Spec;
use serde::Serialize;

pub use cgroup::{DEFAULT_DEVICE_RULES, default_device_nodes};
pub use mount::{MountOption, mount_option};

use crate::config::{Config, IntelRdt};
use crate::cpuset::InvalidCpuList;
use crate::device::InvalidDeviceAccess;
use crate::mount::Propagation;
use crate::names::UnknownName;
use crate::namespace::{IdMap, NamespaceKind, TimeOffset};
use crate::network::{NetDevice, Network};
use crate::sched::MemoryPolicy;

/// How the caller wants the bundle turned into a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecOptions {
    /// The bundle directory, absolute; a relative `root.path` is taken from it.
    pub bundle: PathBuf,
    /// The cgroup name used when the spec gives no cgroups path (the container id).
    pub cgroup_name: String,
    /// Place the cgroup through systemd (`cgroupsPath` is `slice:prefix:name`).
    pub systemd_cgroup: bool,
    /// Use `MS_MOVE` and `chroot` instead of `pivot_root`.
    pub no_pivot_root: bool,
    /// Keep the caller's session keyring.
    pub no_new_keyring: bool,
    /// The caller is not root.
    pub rootless_euid: bool,
    /// The caller may not be able to write cgroups.
    pub rootless_cgroups: bool,
    /// The uid and gid maps of the user namespace the spec joins by path, when the caller
    /// has read them; they stand in for the spec's own mappings.
    pub joined_userns_maps: Option<(Vec<IdMap>, Vec<IdMap>)>,
}

/// A config made from a spec, and what the caller should warn about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversion {
    /// The config.
    pub config: Config,
    /// Parts of the spec that were accepted but ignored or reinterpreted.
    pub warnings: Vec<Warning>,
}

/// Something in a spec that converts, but not quite as written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// A relative mount destination, taken as relative to `/` (deprecated by runc).
    #[error("mount destination {destination} is not absolute; it is taken as relative to /")]
    RelativeMountDestination {
        /// The destination as written.
        destination: PathBuf,
    },
    /// Kernel memory limits, which current kernels no longer have.
    #[error("kernel memory limits are ignored")]
    KernelMemoryIgnored,
    /// Personality flags, which have no effect.
    #[error("personality flags are ignored")]
    PersonalityFlagsIgnored,
    /// Both a user namespace path and (matching) mappings: only one should be given.
    #[error(
        "the spec both joins user namespace {path} and gives its mappings; only one should be given"
    )]
    UserNamespacePathAndMappings {
        /// The namespace joined.
        path: PathBuf,
    },
    /// `defaults` among mount options, which changes nothing.
    #[error("mount option \"defaults\" on {destination} has no effect")]
    DefaultsOption {
        /// The mount.
        destination: PathBuf,
    },
}

/// Why a spec cannot be converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The spec has no `root`.
    #[error("the spec has no root")]
    MissingRoot,
    /// The bundle path is not absolute.
    #[error("bundle path {path} is not absolute")]
    RelativeBundle {
        /// The bundle.
        path: PathBuf,
    },
    /// A name that hull does not know, at `field`.
    #[error("{field}: unknown value")]
    UnknownName {
        /// The field (`process.capabilities.bounding`).
        field: String,
        /// The name.
        #[source]
        source: UnknownName,
    },
    /// Private root propagation without `pivot_root` would leave the host's mounts exposed.
    #[error("rootfsPropagation {propagation} is not safe without pivot_root")]
    PrivatePropagationWithoutPivot {
        /// The propagation.
        propagation: Propagation,
    },
    /// A namespace kind listed twice.
    #[error("linux.namespaces lists the {kind} namespace twice")]
    DuplicateNamespace {
        /// The kind.
        kind: NamespaceKind,
    },
    /// A mount option a bind mount cannot take.
    #[error("mounts[{index}].options: unknown option {option:?} for bind mount on {destination}")]
    UnknownMountOption {
        /// The mount's index.
        index: usize,
        /// The mount's destination.
        destination: PathBuf,
        /// The option.
        option: String,
    },
    /// A device of a type that does not fit where it is used.
    #[error("{field}: device type {kind:?} cannot be used here")]
    InvalidDeviceType {
        /// The field.
        field: String,
        /// The type given.
        kind: String,
    },
    /// A device cgroup rule without access letters.
    #[error("linux.resources.devices[{index}].access is empty")]
    MissingDeviceAccess {
        /// The rule's index.
        index: usize,
    },
    /// A device cgroup rule with bad access letters.
    #[error("linux.resources.devices[{index}].access is invalid")]
    InvalidDeviceAccess {
        /// The rule's index.
        index: usize,
        /// The letters.
        #[source]
        source: InvalidDeviceAccess,
    },
    /// A systemd cgroups path that is not `slice:prefix:name`.
    #[error("linux.cgroupsPath {path:?} is not of the form slice:prefix:name required by systemd")]
    SystemdCgroupPath {
        /// The path.
        path: String,
    },
    /// A CPU or node list that does not parse, at `field`.
    #[error("{field} is not a valid list")]
    CpuList {
        /// The field.
        field: String,
        /// Why.
        #[source]
        source: InvalidCpuList,
    },
    /// Mappings given with a user namespace path that has different ones.
    #[error("user namespace {path} is joined but the spec gives different mappings")]
    UserNamespaceMappingsDiffer {
        /// The namespace joined.
        path: PathBuf,
    },
    /// A user namespace that does not map the container's root.
    #[error("the user namespace maps no host {which} for the container's root")]
    RootNotMapped {
        /// `"uid"` or `"gid"`.
        which: &'static str,
    },
    /// `errnoRet` on an action that returns no errno.
    #[error("{field}: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {action}")]
    ErrnoRetWithoutErrno {
        /// The field.
        field: String,
        /// The action.
        action: String,
    },
    /// A hook timeout that is not positive.
    #[error("{field}: timeout {timeout} is not positive")]
    HookTimeout {
        /// The field.
        field: String,
        /// The timeout in seconds.
        timeout: i64,
    },
}

/// Reads `<bundle>/config.json`.
///
/// # Errors
///
/// [`crate::ConfigsError::ReadFile`] when the file cannot be read,
/// [`crate::ConfigsError::Json`] naming the offending field when it is malformed.
pub fn load_spec(bundle: &Path) -> crate::Result<Spec> {
    let path = bundle.join("config.json");
    let json = fs::read_to_string(&path).map_err(|source| crate::ConfigsError::ReadFile {
        path: path.clone(),
        source,
    })?;
    crate::error::from_json(&json)
}

/// Converts `spec` to a [`Config`], as runc's `CreateLibcontainerConfig` does.
///
/// # Errors
///
/// A [`SpecError`] for the first part of the spec that cannot be converted.
pub fn convert(spec: &Spec, opts: &SpecOptions) -> Result<Conversion, SpecError> {
    if !opts.bundle.is_absolute() {
        return Err(SpecError::RelativeBundle {
            path: opts.bundle.clone(),
        });
    }
    let root = spec.root().as_ref().ok_or(SpecError::MissingRoot)?;
    let mut warnings = Vec::new();
    let mut config = Config {
        version: crate::OCI_VERSION.to_owned(),
        rootfs: opts.bundle.join(root.path()),
        readonly_rootfs: root.readonly().unwrap_or(false),
        no_pivot_root: opts.no_pivot_root,
        no_new_keyring: opts.no_new_keyring,
        rootless_euid: opts.rootless_euid,
        rootless_cgroups: opts.rootless_cgroups,
        hostname: spec.hostname().clone(),
        domainname: spec.domainname().clone(),
        labels: labels(spec, &opts.bundle),
        ..Config::default()
    };
    for (index, m) in spec.mounts().iter().flatten().enumerate() {
        config
            .mounts
            .push(mount::convert(index, m, &opts.bundle, &mut warnings)?);
    }
    config.devices = cgroup::device_nodes(spec)?;
    config.cgroup = cgroup::convert(spec, opts, &mut warnings)?;
    if let Some(linux) = spec.linux() {
        convert_linux(linux, &mut config, opts, &mut warnings)?;
    }
    cgroup::set_owner(spec, &mut config);
    if let Some(p) = spec.process() {
        process::convert(p, &mut config)?;
    }
    if let Some(hooks) = spec.hooks() {
        config.hooks = process::hooks(hooks)?;
    }
    Ok(Conversion { config, warnings })
}

/// Annotations as sorted `key=value` labels, then `bundle=<path>`.
fn labels(spec: &Spec, bundle: &Path) -> Vec<String> {
    let mut labels: Vec<String> = spec
        .annotations()
        .iter()
        .flatten()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    labels.sort();
    labels.push(format!("bundle={}", bundle.display()));
    labels
}

fn convert_linux(
    linux: &oci_spec::runtime::Linux,
    config: &mut Config,
    opts: &SpecOptions,
    warnings: &mut Vec<Warning>,
) -> Result<(), SpecError> {
    if let Some(propagation) = linux
        .rootfs_propagation()
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        let propagation: Propagation =
            propagation
                .parse()
                .map_err(|source| SpecError::UnknownName {
                    field: "linux.rootfsPropagation".into(),
                    source,
                })?;
        if config.no_pivot_root && propagation.is_private() {
            return Err(SpecError::PrivatePropagationWithoutPivot { propagation });
        }
        config.root_propagation = Some(propagation);
    }
    for (i, ns) in linux.namespaces().iter().flatten().enumerate() {
        let kind: NamespaceKind = by_name(|| format!("linux.namespaces[{i}].type"), &ns.typ())?;
        if config.namespaces.contains(kind) {
            return Err(SpecError::DuplicateNamespace { kind });
        }
        config.namespaces.set(kind, ns.path().clone());
    }
    if config.namespaces.is_new(NamespaceKind::Network) {
        config.networks = vec![Network::loopback()];
    }
    // Mappings without a user namespace stay in the config, for validation to refuse them
    // as runc does.
    config.uid_mappings = id_maps(linux.uid_mappings());
    config.gid_mappings = id_maps(linux.gid_mappings());
    if config.namespaces.contains(NamespaceKind::User) {
        user_namespace(config, opts, warnings)?;
    }
    let paths = |list: &Option<Vec<String>>| list.iter().flatten().map(PathBuf::from).collect();
    config.masked_paths = paths(linux.masked_paths());
    config.readonly_paths = paths(linux.readonly_paths());
    config.mount_label = linux.mount_label().clone();
    config.sysctl = linux
        .sysctl()
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(offsets) = linux.time_offsets() {
        let mut converted = crate::namespace::TimeOffsets::new();
        for (clock, offset) in offsets {
            let clock = clock.parse().map_err(|source| SpecError::UnknownName {
                field: format!("linux.timeOffsets.{clock}"),
                source,
            })?;
            let offset = TimeOffset {
                secs: offset.secs().unwrap_or(0),
                nanosecs: offset.nanosecs().unwrap_or(0),
            };
            converted.insert(clock, offset);
        }
        config.time_offsets = Some(converted);
    }
    if let Some(s) = linux.seccomp() {
        config.seccomp = seccomp::convert(s)?;
    }
    if let Some(rdt) = linux.intel_rdt() {
        #[allow(deprecated)]
        let enable_monitoring = rdt.enable_monitoring().unwrap_or(false);
        config.intel_rdt = Some(IntelRdt {
            clos_id: rdt.clos_id().clone().unwrap_or_default(),
            schemata: rdt.schemata().clone().unwrap_or_default(),
            l3_cache_schema: rdt.l3_cache_schema().clone().unwrap_or_default(),
            mem_bw_schema: rdt.mem_bw_schema().clone().unwrap_or_default(),
            enable_monitoring,
        });
    }
    if let Some(policy) = linux.memory_policy() {
        config.memory_policy = Some(memory_policy(policy)?);
    }
    if let Some(personality) = linux.personality() {
        if personality
            .flags()
            .as_ref()
            .is_some_and(|flags| !flags.is_empty())
        {
            warnings.push(Warning::PersonalityFlagsIgnored);
        }
        config.personality = Some(by_name(
            || "linux.personality.domain".into(),
            &personality.domain(),
        )?);
    }
    for (name, device) in linux.net_devices().iter().flatten() {
        let device = NetDevice {
            name: device.name().clone().unwrap_or_default(),
        };
        config.net_devices.insert(name.clone(), device);
    }
    Ok(())
}

fn user_namespace(
    config: &mut Config,
    opts: &SpecOptions,
    warnings: &mut Vec<Warning>,
) -> Result<(), SpecError> {
    let userns_path = config
        .namespaces
        .path_of(NamespaceKind::User)
        .map(Path::to_owned);
    if let (Some(path), Some((uid_maps, gid_maps))) = (&userns_path, &opts.joined_userns_maps) {
        if !config.uid_mappings.is_empty() || !config.gid_mappings.is_empty() {
            if &config.uid_mappings != uid_maps || &config.gid_mappings != gid_maps {
                return Err(SpecError::UserNamespaceMappingsDiffer { path: path.clone() });
            }
            warnings.push(Warning::UserNamespacePathAndMappings { path: path.clone() });
        }
        config.uid_mappings = uid_maps.clone();
        config.gid_mappings = gid_maps.clone();
    }
    mount::fill_idmaps(config, userns_path.as_deref());
    if config.uid_mappings.is_empty() && config.gid_mappings.is_empty() {
        // A joined namespace whose maps the caller did not read: the owner of device
        // nodes stays as the spec says.
        return Ok(());
    }
    let root_uid = config
        .host_uid(0)
        .ok_or(SpecError::RootNotMapped { which: "uid" })?;
    let root_gid = config
        .host_gid(0)
        .ok_or(SpecError::RootNotMapped { which: "gid" })?;
    for device in &mut config.devices {
        device.uid = root_uid;
        device.gid = root_gid;
    }
    Ok(())
}

fn memory_policy(policy: &oci_spec::runtime::LinuxMemoryPolicy) -> Result<MemoryPolicy, SpecError> {
    let field = "linux.memoryPolicy";
    let flags = policy
        .flags()
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, flag)| by_name(|| format!("{field}.flags[{i}]"), flag))
        .collect::<Result<_, _>>()?;
    Ok(MemoryPolicy {
        mode: by_name(|| format!("{field}.mode"), &policy.mode())?,
        flags,
        nodes: cpu_list(&format!("{field}.nodes"), policy.nodes().as_deref())?.unwrap_or_default(),
    })
}

/// The spec's id mappings, as [`IdMap`]s.
pub(crate) fn id_maps(maps: &Option<Vec<oci_spec::runtime::LinuxIdMapping>>) -> Vec<IdMap> {
    maps.iter()
        .flatten()
        .map(|m| IdMap {
            container_id: m.container_id(),
            host_id: m.host_id(),
            size: m.size(),
        })
        .collect()
}

/// Parses an optional CPU or node list; an empty list is `None`.
pub(crate) fn cpu_list(
    field: &str,
    list: Option<&str>,
) -> Result<Option<crate::cpuset::CpuSet>, SpecError> {
    let Some(list) = list.filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    list.parse().map(Some).map_err(|source| SpecError::CpuList {
        field: field.to_owned(),
        source,
    })
}

/// Converts an `oci-spec` enum to hull's enum of the same names: both write the runtime
/// spec's names (`CAP_CHOWN`, `RLIMIT_NOFILE`, `SCMP_ARCH_X86_64`), so the name is the
/// bridge, and a value hull does not know is an error naming the field.
pub(crate) fn by_name<T, U>(field: impl FnOnce() -> String, value: &T) -> Result<U, SpecError>
where
    T: Serialize,
    U: std::str::FromStr<Err = UnknownName>,
{
    let name = match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => format!("{other:?}"),
    };
    name.parse().map_err(|source| SpecError::UnknownName {
        field: field(),
        source,
    })
}
