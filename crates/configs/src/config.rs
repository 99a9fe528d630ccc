//! [`Config`], everything hull needs to know to create one container.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::capability::Capabilities;
use crate::cgroup::Cgroup;
use crate::device::Device;
use crate::hooks::Hooks;
use crate::mount::{Mount, Propagation};
use crate::namespace::{IdMap, NamespaceKind, Namespaces, TimeOffsets, host_id};
use crate::network::{NetDevice, Network, Route};
use crate::rlimit::Rlimit;
use crate::sched::{CpuAffinity, IoPriority, MemoryPolicy, PersonalityDomain, Scheduler};
use crate::seccomp::Seccomp;

/// Intel Resource Director Technology settings (the resctrl filesystem).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntelRdt {
    /// The class of service, a resctrl group name; empty means one per container.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub clos_id: String,
    /// Lines written as they are to the group's `schemata` file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schemata: Vec<String>,
    /// The L3 cache schema, `L3:<id>=<mask>;...`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub l3_cache_schema: String,
    /// The memory bandwidth schema, `MB:<id>=<value>;...`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub mem_bw_schema: String,
    /// Create a monitoring group for the container.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enable_monitoring: bool,
}

/// Everything needed to create one container, in the shape of libcontainer's
/// `configs.Config`. Plain data: building one touches nothing on the host.
///
/// A `Config` usually comes from an OCI bundle through [`crate::specconv`], and is checked
/// against the host with [`crate::validate`] before use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The OCI runtime-spec version the config was made for ([`crate::OCI_VERSION`] by
    /// specconv, as runc records its own).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// The container's root filesystem, an absolute path.
    pub rootfs: PathBuf,
    /// Make the root filesystem read-only (mounts on top keep their own flags).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub readonly_rootfs: bool,
    /// Enter the root with `MS_MOVE` and `chroot` instead of `pivot_root`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_pivot_root: bool,
    /// Propagation of the container's `/`; `None` is rslave, as runc makes it: mounts
    /// from the host reach the container, none go back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_propagation: Option<Propagation>,
    /// The umask of the container's process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub umask: Option<u32>,
    /// Mounts, made in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
    /// Device nodes created in `/dev`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
    /// Paths covered so that they cannot be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub masked_paths: Vec<PathBuf>,
    /// Paths remounted read-only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub readonly_paths: Vec<PathBuf>,
    /// The SELinux label of the container's mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_label: Option<String>,

    /// The hostname (needs a UTS namespace).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The NIS domain name (needs a UTS namespace).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domainname: Option<String>,
    /// The container's namespaces.
    pub namespaces: Namespaces,
    /// Uid mappings of a new user namespace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uid_mappings: Vec<IdMap>,
    /// Gid mappings of a new user namespace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gid_mappings: Vec<IdMap>,
    /// Clock offsets of a new time namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_offsets: Option<TimeOffsets>,
    /// Interfaces set up in a new network namespace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Network>,
    /// Routes added in the network namespace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// Host network devices moved into the container, by host name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub net_devices: BTreeMap<String, NetDevice>,

    /// The container's cgroup and its limits.
    pub cgroup: Cgroup,
    /// Intel RDT settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intel_rdt: Option<IntelRdt>,

    /// Capability sets of the container's process; `None` leaves them as inherited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// Resource limits; those not listed are inherited.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rlimits: Vec<Rlimit>,
    /// The OOM score adjustment, -1000 to 1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i32>,
    /// Kernel parameters written under `/proc/sys`, by name (`net.ipv4.ip_forward`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sysctl: BTreeMap<String, String>,
    /// Set `no_new_privs` on the container's process.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_new_privileges: bool,
    /// Keep the caller's session keyring instead of a new one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_new_keyring: bool,
    /// The AppArmor profile applied at exec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apparmor_profile: Option<String>,
    /// The SELinux label of the container's process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_label: Option<String>,
    /// The seccomp filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp: Option<Seccomp>,
    /// Signal sent to the container's init when its parent dies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_death_signal: Option<i32>,
    /// The execution domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personality: Option<PersonalityDomain>,
    /// Scheduling attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<Scheduler>,
    /// I/O priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub io_priority: Option<IoPriority>,
    /// NUMA memory policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_policy: Option<MemoryPolicy>,
    /// CPU affinity of processes executed in the running container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec_cpu_affinity: Option<CpuAffinity>,

    /// Lifecycle hooks.
    pub hooks: Hooks,

    /// The caller is not root: a user namespace is required and mappings are limited.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rootless_euid: bool,
    /// The cgroup may not be writable: failures writing it are warnings.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rootless_cgroups: bool,
    /// User metadata, `key=value`, shown in the container's state.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl Config {
    /// The host uid of `container_uid`: itself without a user namespace, else through the
    /// uid mappings. `None` when a user namespace maps no such uid.
    pub fn host_uid(&self, container_uid: u32) -> Option<u32> {
        self.host_id(&self.uid_mappings, container_uid)
    }

    /// The host gid of `container_gid`, as [`Config::host_uid`] does for uids.
    pub fn host_gid(&self, container_gid: u32) -> Option<u32> {
        self.host_id(&self.gid_mappings, container_gid)
    }

    fn host_id(&self, maps: &[IdMap], id: u32) -> Option<u32> {
        match self.namespaces.contains(NamespaceKind::User) {
            true => host_id(maps, id),
            false => Some(id),
        }
    }

    /// The value of a `key=value` label.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().find_map(|label| {
            let (k, v) = label.split_once('=')?;
            (k == key).then_some(v)
        })
    }

    /// Reads a config from its JSON form; errors name the field that is wrong.
    pub fn from_json(json: &str) -> crate::Result<Config> {
        crate::error::from_json(json)
    }

    /// The config's JSON form.
    pub fn to_json(&self) -> crate::Result<String> {
        serde_json::to_string(self).map_err(crate::ConfigsError::Serialize)
    }
}
