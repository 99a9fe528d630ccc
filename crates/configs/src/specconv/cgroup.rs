//! The cgroup of a spec: where it goes (runc's path rules), its resources, and the device
//! rules and nodes every container gets.

use std::path::{Component, Path, PathBuf};

use oci_spec::runtime::{LinuxDeviceType, LinuxResources, Spec};

use super::{SpecError, SpecOptions, Warning, cpu_list};
use crate::cgroup::{
    Cgroup, HugepageLimit, IfPrioMap, RdmaLimit, Resources, ThrottleDevice, WeightDevice,
};
use crate::config::Config;
use crate::device::{Device, DeviceAccess, DeviceKind, DeviceRule};
use crate::mount::MountFlags;
use crate::namespace::NamespaceKind;

const fn allow(
    kind: DeviceKind,
    major: Option<i64>,
    minor: Option<i64>,
    access: DeviceAccess,
) -> DeviceRule {
    DeviceRule {
        kind,
        major,
        minor,
        access,
        allow: true,
    }
}

const RWM: DeviceAccess = DeviceAccess::all();

/// Device rules every container gets after the spec's own, as runc appends them: mknod of
/// any device, the standard nodes, pseudo-terminals, `/dev/ptmx` and `/dev/net/tun`.
pub const DEFAULT_DEVICE_RULES: [DeviceRule; 11] = [
    allow(DeviceKind::Char, None, None, DeviceAccess::MKNOD),
    allow(DeviceKind::Block, None, None, DeviceAccess::MKNOD),
    allow(DeviceKind::Char, Some(1), Some(3), RWM),
    allow(DeviceKind::Char, Some(1), Some(8), RWM),
    allow(DeviceKind::Char, Some(1), Some(7), RWM),
    allow(DeviceKind::Char, Some(5), Some(0), RWM),
    allow(DeviceKind::Char, Some(1), Some(5), RWM),
    allow(DeviceKind::Char, Some(1), Some(9), RWM),
    allow(DeviceKind::Char, Some(136), None, RWM),
    allow(DeviceKind::Char, Some(5), Some(2), RWM),
    allow(DeviceKind::Char, Some(10), Some(200), RWM),
];

/// The device nodes every container gets: `/dev/null`, `random`, `full`, `tty`, `zero` and
/// `urandom`, mode 0666, owned by root.
pub fn default_device_nodes() -> Vec<Device> {
    [
        ("null", 1, 3),
        ("random", 1, 8),
        ("full", 1, 7),
        ("tty", 5, 0),
        ("zero", 1, 5),
        ("urandom", 1, 9),
    ]
    .into_iter()
    .map(|(name, major, minor)| Device {
        path: Path::new("/dev").join(name),
        kind: DeviceKind::Char,
        major,
        minor,
        file_mode: 0o666,
        uid: 0,
        gid: 0,
    })
    .collect()
}

/// The default nodes the spec does not list itself, then the spec's nodes.
pub(super) fn device_nodes(spec: &Spec) -> Result<Vec<Device>, SpecError> {
    let listed = spec.linux().as_ref().and_then(|l| l.devices().as_ref());
    let listed = listed.map(Vec::as_slice).unwrap_or_default();
    let mut nodes: Vec<Device> = default_device_nodes()
        .into_iter()
        .filter(|node| !listed.iter().any(|d| d.path() == &node.path))
        .collect();
    for (i, d) in listed.iter().enumerate() {
        let kind = match d.typ() {
            LinuxDeviceType::C | LinuxDeviceType::U => DeviceKind::Char,
            LinuxDeviceType::B => DeviceKind::Block,
            LinuxDeviceType::P => DeviceKind::Fifo,
            LinuxDeviceType::A => {
                return Err(SpecError::InvalidDeviceType {
                    field: format!("linux.devices[{i}].type"),
                    kind: "a".into(),
                });
            }
        };
        nodes.push(Device {
            path: d.path().clone(),
            kind,
            major: d.major(),
            minor: d.minor(),
            file_mode: d.file_mode().map_or(0o666, |mode| mode & 0o7777),
            uid: d.uid().unwrap_or(0),
            gid: d.gid().unwrap_or(0),
        });
    }
    Ok(nodes)
}

/// The cgroup's placement and resources, with the default device rules appended.
pub(super) fn convert(
    spec: &Spec,
    opts: &SpecOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Cgroup, SpecError> {
    let linux = spec.linux().as_ref();
    let path = linux
        .and_then(|l| l.cgroups_path().as_ref())
        .filter(|p| !p.as_os_str().is_empty());
    let mut cgroup = Cgroup {
        systemd: opts.systemd_cgroup,
        rootless: opts.rootless_cgroups,
        ..Cgroup::default()
    };
    match (path, opts.systemd_cgroup) {
        (None, true) => {
            cgroup.scope_prefix = Some("hull".to_owned());
            cgroup.name = Some(opts.cgroup_name.clone());
        }
        (None, false) => cgroup.name = Some(opts.cgroup_name.clone()),
        (Some(path), true) => {
            let text = path.to_string_lossy();
            let parts: Vec<&str> = text.split(':').collect();
            let [slice, prefix, name] = parts[..] else {
                return Err(SpecError::SystemdCgroupPath {
                    path: text.into_owned(),
                });
            };
            cgroup.parent = Some(slice.to_owned());
            cgroup.scope_prefix = Some(prefix.to_owned());
            cgroup.name = Some(name.to_owned());
        }
        (Some(path), false) => cgroup.path = Some(lexically_clean(path).to_string_lossy().into()),
    }
    if let Some(r) = linux.and_then(|l| l.resources().as_ref()) {
        cgroup.resources = resources(r, warnings)?;
    }
    cgroup.resources.devices.extend(DEFAULT_DEVICE_RULES);
    Ok(cgroup)
}

/// Cleans `path` as if it were absolute, so that `..` can never climb above the root, and
/// keeps it relative if it was.
fn lexically_clean(path: &Path) -> PathBuf {
    let mut clean = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::ParentDir => {
                clean.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    match path.is_absolute() {
        true => clean,
        false => clean
            .strip_prefix("/")
            .map(Path::to_owned)
            .unwrap_or_default(),
    }
}

fn resources(r: &LinuxResources, warnings: &mut Vec<Warning>) -> Result<Resources, SpecError> {
    let mut res = Resources::default();
    for (index, d) in r.devices().iter().flatten().enumerate() {
        let kind = match d.typ() {
            None | Some(LinuxDeviceType::A) => DeviceKind::All,
            Some(LinuxDeviceType::B) => DeviceKind::Block,
            Some(LinuxDeviceType::C) => DeviceKind::Char,
            Some(other) => {
                return Err(SpecError::InvalidDeviceType {
                    field: format!("linux.resources.devices[{index}].type"),
                    kind: other.as_str().to_owned(),
                });
            }
        };
        let access = d.access().as_deref().filter(|a| !a.is_empty());
        let access = access.ok_or(SpecError::MissingDeviceAccess { index })?;
        let access = access
            .parse()
            .map_err(|source| SpecError::InvalidDeviceAccess { index, source })?;
        let number = |n: Option<i64>| n.filter(|&n| n != -1);
        res.devices.push(DeviceRule {
            kind,
            major: number(d.major()),
            minor: number(d.minor()),
            access,
            allow: d.allow(),
        });
    }
    if let Some(m) = r.memory() {
        res.memory = unset_if_zero(m.limit());
        res.memory_reservation = unset_if_zero(m.reservation());
        res.memory_swap = unset_if_zero(m.swap());
        res.memory_swappiness = m.swappiness();
        res.oom_kill_disable = m.disable_oom_killer().unwrap_or(false);
        res.memory_check_before_update = m.check_before_update().unwrap_or(false);
        #[allow(deprecated)]
        let kernel = m.kernel().is_some() || m.kernel_tcp().is_some();
        if kernel {
            warnings.push(Warning::KernelMemoryIgnored);
        }
    }
    if let Some(cpu) = r.cpu() {
        res.cpu_shares = unset_if_zero(cpu.shares());
        res.cpu_quota = unset_if_zero(cpu.quota());
        res.cpu_burst = cpu.burst();
        res.cpu_period = unset_if_zero(cpu.period());
        res.cpu_rt_runtime = unset_if_zero(cpu.realtime_runtime());
        res.cpu_rt_period = unset_if_zero(cpu.realtime_period());
        res.cpu_idle = cpu.idle();
        res.cpuset_cpus = cpu_list("linux.resources.cpu.cpus", cpu.cpus().as_deref())?;
        res.cpuset_mems = cpu_list("linux.resources.cpu.mems", cpu.mems().as_deref())?;
    }
    res.pids_limit = unset_if_zero(r.pids().as_ref().map(|p| p.limit()));
    if let Some(io) = r.block_io() {
        res.blkio_weight = unset_if_zero(io.weight());
        res.blkio_leaf_weight = unset_if_zero(io.leaf_weight());
        res.blkio_weight_device = io
            .weight_device()
            .iter()
            .flatten()
            .map(|d| WeightDevice {
                major: d.major(),
                minor: d.minor(),
                weight: d.weight(),
                leaf_weight: d.leaf_weight(),
            })
            .collect();
        let throttle = |list: &Option<Vec<oci_spec::runtime::LinuxThrottleDevice>>| {
            list.iter()
                .flatten()
                .map(|d| ThrottleDevice {
                    major: d.major(),
                    minor: d.minor(),
                    rate: d.rate(),
                })
                .collect()
        };
        res.blkio_throttle_read_bps_device = throttle(io.throttle_read_bps_device());
        res.blkio_throttle_write_bps_device = throttle(io.throttle_write_bps_device());
        res.blkio_throttle_read_iops_device = throttle(io.throttle_read_iops_device());
        res.blkio_throttle_write_iops_device = throttle(io.throttle_write_iops_device());
    }
    res.hugetlb_limit = r
        .hugepage_limits()
        .iter()
        .flatten()
        .map(|l| HugepageLimit {
            pagesize: l.page_size().clone(),
            // A negative limit can only mean "no limit".
            limit: u64::try_from(l.limit()).unwrap_or(u64::MAX),
        })
        .collect();
    for (name, limit) in r.rdma().iter().flatten() {
        let limit = RdmaLimit {
            hca_handles: limit.hca_handles(),
            hca_objects: limit.hca_objects(),
        };
        res.rdma.insert(name.clone(), limit);
    }
    if let Some(net) = r.network() {
        res.net_cls_classid = net.class_id();
        res.net_prio_ifpriomap = net
            .priorities()
            .iter()
            .flatten()
            .map(|p| IfPrioMap {
                interface: p.name().clone(),
                priority: p.priority(),
            })
            .collect();
    }
    res.unified = r
        .unified()
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(res)
}

/// With a private cgroup namespace and a writable cgroupfs, the cgroup is given to the host
/// uid of the container's user, so that it can manage its own subtree.
pub(super) fn set_owner(spec: &Spec, config: &mut Config) {
    let rw_cgroupfs = config.mounts.iter().any(|m| {
        m.source == Path::new("cgroup")
            && lexically_clean(&m.destination) == Path::new("/sys/fs/cgroup")
            && !m.flags.contains(MountFlags::RDONLY)
    });
    if !config.namespaces.is_new(NamespaceKind::Cgroup) || !rw_cgroupfs {
        return;
    }
    let uid = spec.process().as_ref().map_or(0, |p| p.user().uid());
    // An unmapped user is an error that validation and init report; no owner then.
    config.cgroup.owner_uid = config.host_uid(uid);
}
/// A resource value where runc reads zero as "not set" (CPU shares, quota, period and
/// real-time values, memory limits, the pids limit, block I/O weights): engines write zeros
/// for what they leave alone (Docker's `cpu.shares: 0`), and runc writes nothing for them.
fn unset_if_zero<T: Default + PartialEq>(value: Option<T>) -> Option<T> {
    value.filter(|v| *v != T::default())
}
