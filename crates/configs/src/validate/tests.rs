//! Every validation failure, one at a time, from a config that passes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::fixtures::{full_host, valid_config};
use super::*;
use crate::cgroup::HugepageLimit;
use crate::config::IntelRdt;
use crate::device::{Device, DeviceAccess, DeviceKind, DeviceRule};
use crate::hooks::Hook;
use crate::mount::{
    Mount, MountAttrFlags, MountExtensions, MountFlags, MountIdMapping, RecursiveAttrs,
};
use crate::namespace::{IdMap, NamespaceKind, TimeOffset, TimeOffsets};
use crate::network::{NetDevice, Network, Route};
use crate::rlimit::{Rlimit, RlimitKind};
use crate::sched::{
    IoPriority, IoPriorityClass, MemoryPolicy, MemoryPolicyMode, SchedPolicy, Scheduler,
};
use crate::seccomp::{Seccomp, SeccompAction, SeccompOp, SyscallArg, SyscallRule};

type Mutation = fn(&mut Config, &mut HostFacts, &Path);
type Expectation = fn(&ValidateError) -> bool;

fn id_map(container_id: u32, host_id: u32, size: u32) -> IdMap {
    IdMap {
        container_id,
        host_id,
        size,
    }
}

fn user_ns(config: &mut Config) {
    config.namespaces.set(NamespaceKind::User, None);
    config.uid_mappings = vec![id_map(0, 100_000, 65_536)];
    config.gid_mappings = vec![id_map(0, 100_000, 65_536)];
}

fn bind(destination: &str) -> Mount {
    Mount {
        source: "/tmp".into(),
        destination: destination.into(),
        device: "bind".into(),
        flags: MountFlags::BIND,
        ..Mount::default()
    }
}

fn seccomp(rules: Vec<SyscallRule>) -> Seccomp {
    Seccomp {
        default_action: SeccompAction::Allow,
        architectures: vec![],
        flags: None,
        syscalls: rules,
        listener_path: None,
        listener_metadata: None,
    }
}

fn rule(name: &str, action: SeccompAction) -> SyscallRule {
    SyscallRule {
        name: name.into(),
        action,
        args: vec![],
    }
}

fn hook(path: &str) -> Hook {
    Hook {
        path: path.into(),
        args: vec![],
        env: vec![],
        dir: None,
        timeout: None,
    }
}

fn scheduler(policy: SchedPolicy) -> Scheduler {
    Scheduler {
        policy,
        nice: 0,
        priority: 0,
        flags: vec![],
        runtime: 0,
        deadline: 0,
        period: 0,
    }
}

/// Each case breaks one thing and names the error it must produce.
fn cases() -> Vec<(&'static str, Mutation, Expectation)> {
    use CgroupError as C;
    use MountError as M;
    use NamespaceError as N;
    use ProcessError as P;
    use SeccompError as S;
    use SecurityError as Sec;
    use SysctlError as Sy;
    use ValidateError as V;
    vec![
        // rootfs
        (
            "relative rootfs",
            |c, _, _| c.rootfs = "rootfs".into(),
            |e| matches!(e, V::Rootfs(RootfsError::NotAbsolute { .. })),
        ),
        (
            "missing rootfs",
            |c, _, r| c.rootfs = r.join("missing"),
            |e| matches!(e, V::Rootfs(RootfsError::Resolve { .. })),
        ),
        (
            "rootfs is a file",
            |c, _, r| c.rootfs = r.join("file"),
            |e| matches!(e, V::Rootfs(RootfsError::NotDirectory { .. })),
        ),
        (
            "rootfs is a symlink",
            |c, _, r| c.rootfs = r.join("link"),
            |e| matches!(e, V::Rootfs(RootfsError::NotCanonical { .. })),
        ),
        // namespaces
        (
            "unsupported namespace",
            |_, h, _| {
                h.namespaces.remove(&NamespaceKind::Pid);
            },
            |e| {
                matches!(
                    e,
                    V::Namespace(N::Unsupported {
                        kind: NamespaceKind::Pid
                    })
                )
            },
        ),
        (
            "duplicate namespace",
            |c, _, _| c.namespaces.0.push(c.namespaces.0[0].clone()),
            |e| matches!(e, V::Namespace(N::Duplicate { .. })),
        ),
        (
            "missing namespace path",
            |c, _, r| {
                c.namespaces
                    .set(NamespaceKind::Network, Some(r.join("missing")))
            },
            |e| matches!(e, V::Namespace(N::OpenPath { .. })),
        ),
        (
            "namespace path is a plain file",
            |c, _, r| {
                c.namespaces
                    .set(NamespaceKind::Network, Some(r.join("file")))
            },
            |e| matches!(e, V::Namespace(N::NotNamespaceFile { .. })),
        ),
        (
            "namespace path of another kind",
            |c, _, _| {
                c.namespaces
                    .set(NamespaceKind::Uts, Some("/proc/self/ns/ipc".into()))
            },
            |e| matches!(e, V::Namespace(N::KindMismatch { found, .. }) if found == "ipc"),
        ),
        (
            "user namespace without mappings",
            |c, _, _| c.namespaces.set(NamespaceKind::User, None),
            |e| matches!(e, V::Namespace(N::UserNamespaceWithoutMappings)),
        ),
        (
            "mappings without user namespace",
            |c, _, _| c.uid_mappings = vec![id_map(0, 1000, 1)],
            |e| matches!(e, V::Namespace(N::MappingsWithoutUserNamespace)),
        ),
        (
            "empty id map range",
            |c, _, _| {
                user_ns(c);
                c.uid_mappings[0].size = 0;
            },
            |e| matches!(e, V::Namespace(N::InvalidIdMap { which: "uid", .. })),
        ),
        (
            "id map past the largest id",
            |c, _, _| {
                user_ns(c);
                c.gid_mappings = vec![id_map(0, u32::MAX, 2)];
            },
            |e| matches!(e, V::Namespace(N::InvalidIdMap { which: "gid", .. })),
        ),
        (
            "overlapping id maps",
            |c, _, _| {
                user_ns(c);
                c.uid_mappings.push(id_map(10, 500_000, 5));
            },
            |e| matches!(e, V::Namespace(N::InvalidIdMap { reason, .. }) if reason.contains("inside")),
        ),
        (
            "too many id maps",
            |c, _, _| {
                user_ns(c);
                c.uid_mappings = (0..341).map(|i| id_map(i, 100_000 + i, 1)).collect();
            },
            |e| matches!(e, V::Namespace(N::TooManyIdMaps { count: 341, .. })),
        ),
        (
            "time offsets without time namespace",
            |c, _, _| c.time_offsets = Some(TimeOffsets::new()),
            |e| matches!(e, V::Namespace(N::TimeOffsetsWithoutTimeNamespace)),
        ),
        (
            "time offsets for a joined time namespace",
            |c, _, _| {
                c.namespaces
                    .set(NamespaceKind::Time, Some("/proc/self/ns/time".into()));
                c.time_offsets = Some(
                    [(
                        crate::namespace::Clock::Monotonic,
                        TimeOffset {
                            secs: 1,
                            nanosecs: 0,
                        },
                    )]
                    .into(),
                );
            },
            |e| matches!(e, V::Namespace(N::TimeOffsetsWithJoinedNamespace { .. })),
        ),
        (
            "hostname without uts namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Uts);
                c.hostname = Some("x".into());
            },
            |e| {
                matches!(
                    e,
                    V::Namespace(N::UtsNameWithoutNamespace { what: "hostname" })
                )
            },
        ),
        (
            "domainname without uts namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Uts);
                c.domainname = Some("x".into());
            },
            |e| {
                matches!(
                    e,
                    V::Namespace(N::UtsNameWithoutNamespace { what: "domainname" })
                )
            },
        ),
        (
            "hostname too long",
            |c, _, _| c.hostname = Some("h".repeat(65)),
            |e| matches!(e, V::Namespace(N::UtsNameTooLong { .. })),
        ),
        (
            "network without namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Network);
                c.networks = vec![Network::loopback()];
            },
            |e| matches!(e, V::Namespace(N::NetworkWithoutNamespace)),
        ),
        (
            "route without namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Network);
                c.routes = vec![Route::default()];
            },
            |e| matches!(e, V::Namespace(N::NetworkWithoutNamespace)),
        ),
        (
            "net device without namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Network);
                c.net_devices.insert("eth0".into(), NetDevice::default());
            },
            |e| matches!(e, V::Namespace(N::NetDevicesWithoutNamespace)),
        ),
        (
            "net device in rootless container",
            |c, _, _| {
                c.rootless_cgroups = true;
                c.net_devices.insert("eth0".into(), NetDevice::default());
            },
            |e| matches!(e, V::Namespace(N::NetDevicesRootless)),
        ),
        (
            "bad net device name",
            |c, _, _| {
                c.net_devices
                    .insert("eth0".into(), NetDevice { name: "a/b".into() });
            },
            |e| matches!(e, V::Namespace(N::InvalidNetDeviceName { name }) if name == "a/b"),
        ),
        (
            "net device name too long",
            |c, _, _| {
                c.net_devices.insert("x".repeat(16), NetDevice::default());
            },
            |e| matches!(e, V::Namespace(N::InvalidNetDeviceName { .. })),
        ),
        // sysctl
        (
            "ipc sysctl without ipc namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Ipc);
                c.sysctl.insert("kernel.shmmax".into(), "1".into());
            },
            |e| matches!(e, V::Sysctl(Sy::NeedsIpcNamespace { .. })),
        ),
        (
            "mqueue sysctl without ipc namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Ipc);
                c.sysctl.insert("fs/mqueue/msg_max".into(), "1".into());
            },
            |e| matches!(e, V::Sysctl(Sy::NeedsIpcNamespace { key }) if key == "fs.mqueue.msg_max"),
        ),
        (
            "net sysctl in host network",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Network);
                c.sysctl.insert("net.ipv4.ip_forward".into(), "1".into());
            },
            |e| matches!(e, V::Sysctl(Sy::HostNetwork { .. })),
        ),
        (
            "net sysctl in joined host network",
            |c, _, _| {
                c.namespaces
                    .set(NamespaceKind::Network, Some("/proc/self/ns/net".into()));
                c.sysctl.insert("net.ipv4.ip_forward".into(), "1".into());
            },
            |e| matches!(e, V::Sysctl(Sy::HostNetwork { .. })),
        ),
        (
            "kernel.hostname sysctl",
            |c, _, _| {
                c.sysctl.insert("kernel.hostname".into(), "x".into());
            },
            |e| matches!(e, V::Sysctl(Sy::ConflictsWithHostname { .. })),
        ),
        (
            "user sysctl without user namespace",
            |c, _, _| {
                c.sysctl
                    .insert("user.max_user_namespaces".into(), "0".into());
            },
            |e| matches!(e, V::Sysctl(Sy::NeedsUserNamespace { .. })),
        ),
        (
            "sysctl name climbing out of fs.mqueue",
            |c, _, _| {
                c.sysctl.insert(
                    "fs/mqueue/../../kernel/core_pattern".into(),
                    "|/tmp/x %p".into(),
                );
            },
            |e| matches!(e, V::Sysctl(Sy::InvalidKey(k)) if k.key == "fs/mqueue/../../kernel/core_pattern"),
        ),
        (
            "sysctl name climbing out of net, dotted",
            |c, _, _| {
                c.sysctl
                    .insert("net.ipv4.//.//.kernel.core_pattern".into(), "x".into());
            },
            |e| matches!(e, V::Sysctl(Sy::InvalidKey(_))),
        ),
        (
            "sysctl name with an empty component",
            |c, _, _| {
                c.sysctl.insert("net..ipv4.ip_forward".into(), "1".into());
            },
            |e| matches!(e, V::Sysctl(Sy::InvalidKey(_))),
        ),
        (
            "sysctl not namespaced",
            |c, _, _| {
                c.sysctl.insert("vm.swappiness".into(), "1".into());
            },
            |e| matches!(e, V::Sysctl(Sy::NotNamespaced { key }) if key == "vm.swappiness"),
        ),
        // security
        (
            "selinux label without selinux",
            |c, h, _| {
                h.selinux = false;
                c.process_label = Some("system_u:system_r:container_t:s0".into());
            },
            |e| matches!(e, V::Security(Sec::SelinuxDisabled { .. })),
        ),
        (
            "apparmor profile without apparmor",
            |c, h, _| {
                h.apparmor = false;
                c.apparmor_profile = Some("hull-default".into());
            },
            |e| matches!(e, V::Security(Sec::ApparmorDisabled { .. })),
        ),
        (
            "intel rdt without resctrl",
            |c, h, _| {
                h.rdt = None;
                c.intel_rdt = Some(IntelRdt::default());
            },
            |e| matches!(e, V::Security(Sec::RdtDisabled)),
        ),
        (
            "intel rdt bad clos id",
            |c, _, _| {
                c.intel_rdt = Some(IntelRdt {
                    clos_id: "../x".into(),
                    ..IntelRdt::default()
                })
            },
            |e| matches!(e, V::Security(Sec::InvalidClosId { .. })),
        ),
        (
            "intel rdt cat missing",
            |c, h, _| {
                h.rdt = Some(RdtSupport {
                    cat: false,
                    mba: true,
                });
                c.intel_rdt = Some(IntelRdt {
                    l3_cache_schema: "L3:0=f".into(),
                    ..IntelRdt::default()
                });
            },
            |e| {
                matches!(
                    e,
                    V::Security(Sec::RdtFeatureDisabled { feature: "CAT", .. })
                )
            },
        ),
        (
            "intel rdt mba missing",
            |c, h, _| {
                h.rdt = Some(RdtSupport {
                    cat: true,
                    mba: false,
                });
                c.intel_rdt = Some(IntelRdt {
                    mem_bw_schema: "MB:0=50".into(),
                    ..IntelRdt::default()
                });
            },
            |e| {
                matches!(
                    e,
                    V::Security(Sec::RdtFeatureDisabled { feature: "MBA", .. })
                )
            },
        ),
        (
            "rootless without user namespace",
            |c, _, _| c.rootless_euid = true,
            |e| matches!(e, V::Security(Sec::RootlessWithoutUserNamespace)),
        ),
        (
            "rootless without gid mapping",
            |c, _, _| {
                c.rootless_euid = true;
                c.namespaces.set(NamespaceKind::User, None);
                c.uid_mappings = vec![id_map(0, 1000, 1)];
            },
            |e| matches!(e, V::Security(Sec::RootlessWithoutMapping { which: "gid" })),
        ),
        // mounts
        (
            "mounts without mount namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Mount);
                c.mounts = vec![bind("/x")];
            },
            |e| matches!(e, V::Mount(M::MountsWithoutMountNamespace)),
        ),
        (
            "relative mount destination",
            |c, _, _| c.mounts = vec![bind("x")],
            |e| matches!(e, V::Mount(M::RelativeDestination { .. })),
        ),
        (
            "nul in mount source",
            |c, _, _| {
                let mut m = bind("/x");
                m.source = "/a\0b".into();
                c.mounts = vec![m];
            },
            |e| {
                matches!(
                    e,
                    V::Mount(M::ContainsNul {
                        field: "source",
                        ..
                    })
                )
            },
        ),
        (
            "bind with data",
            |c, _, _| {
                let mut m = bind("/x");
                m.data = "size=1m".into();
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::BindWithData { .. })),
        ),
        (
            "tmpcopyup on a bind",
            |c, _, _| {
                let mut m = bind("/x");
                m.extensions = MountExtensions::TMPCOPYUP;
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::TmpcopyupNotTmpfs { .. })),
        ),
        (
            "idmap in recursive attributes",
            |c, _, _| {
                let mut m = bind("/x");
                m.rec_attr = Some(RecursiveAttrs {
                    set: MountAttrFlags::IDMAP,
                    clear: MountAttrFlags::empty(),
                });
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::IdmapInRecursiveAttrs { .. })),
        ),
        (
            "idmap on a non-bind mount",
            |c, _, _| {
                let m = Mount {
                    destination: "/t".into(),
                    device: "tmpfs".into(),
                    id_mapping: Some(MountIdMapping::default()),
                    ..Mount::default()
                };
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::IdmapNotBind { .. })),
        ),
        (
            "idmap in rootless container",
            |c, _, _| {
                user_ns(c);
                c.rootless_euid = true;
                let mut m = bind("/x");
                m.id_mapping = Some(MountIdMapping {
                    userns_path: Some("/proc/self/ns/user".into()),
                    ..MountIdMapping::default()
                });
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::IdmapRootless { .. })),
        ),
        (
            "idmap without gid mappings",
            |c, _, _| {
                let mut m = bind("/x");
                m.id_mapping = Some(MountIdMapping {
                    uid_mappings: vec![id_map(0, 1000, 1)],
                    ..MountIdMapping::default()
                });
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::IdmapMissingMappings { .. })),
        ),
        (
            "idmap with path and mappings",
            |c, _, _| {
                let mut m = bind("/x");
                m.id_mapping = Some(MountIdMapping {
                    userns_path: Some("/proc/self/ns/user".into()),
                    uid_mappings: vec![id_map(0, 1000, 1)],
                    ..MountIdMapping::default()
                });
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::IdmapPathAndMappings { .. })),
        ),
        (
            "idmap with invalid mappings",
            |c, _, _| {
                let mut m = bind("/x");
                m.id_mapping = Some(MountIdMapping {
                    uid_mappings: vec![id_map(0, 1000, 0)],
                    gid_mappings: vec![id_map(0, 1000, 1)],
                    ..MountIdMapping::default()
                });
                c.mounts = vec![m];
            },
            |e| matches!(e, V::Mount(M::IdmapInvalid { .. })),
        ),
        (
            "rootless mount with unmapped uid",
            |c, _, _| {
                c.rootless_euid = true;
                c.namespaces.set(NamespaceKind::User, None);
                c.uid_mappings = vec![id_map(0, 1000, 1)];
                c.gid_mappings = vec![id_map(0, 1000, 1)];
                c.mounts = vec![Mount {
                    destination: "/dev/pts".into(),
                    device: "devpts".into(),
                    data: "mode=620,gid=5".into(),
                    ..Mount::default()
                }];
            },
            |e| matches!(e, V::Mount(M::RootlessUnmappedId { option, .. }) if option == "gid=5"),
        ),
        (
            "relative masked path",
            |c, _, _| c.masked_paths = vec!["proc/kcore".into()],
            |e| {
                matches!(
                    e,
                    V::Mount(M::RelativePath {
                        what: "masked path",
                        ..
                    })
                )
            },
        ),
        (
            "read-only paths without mount namespace",
            |c, _, _| {
                c.namespaces.remove(NamespaceKind::Mount);
                c.readonly_paths = vec!["/proc/sys".into()];
            },
            |e| matches!(e, V::Mount(M::PathsWithoutMountNamespace)),
        ),
        // cgroup
        (
            "cgroup path and name",
            |c, _, _| {
                c.cgroup.path = Some("/a".into());
                c.cgroup.name = Some("b".into());
            },
            |e| matches!(e, V::Cgroup(C::PathAndName { .. })),
        ),
        (
            "cgroup path with dot-dot",
            |c, _, _| c.cgroup.path = Some("/a/../../etc".into()),
            |e| matches!(e, V::Cgroup(C::Escapes { field: "path", .. })),
        ),
        (
            "unified on a v1 host",
            |c, h, _| {
                h.cgroup2_unified = false;
                c.cgroup
                    .resources
                    .unified
                    .insert("memory.high".into(), "1G".into());
            },
            |e| matches!(e, V::Cgroup(C::UnifiedWithoutCgroup2)),
        ),
        (
            "unified key with a slash",
            |c, _, _| {
                c.cgroup
                    .resources
                    .unified
                    .insert("../memory.max".into(), "1".into());
            },
            |e| matches!(e, V::Cgroup(C::InvalidUnifiedKey { .. })),
        ),
        (
            "zero memory limit",
            |c, _, _| c.cgroup.resources.memory = Some(0),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "memory",
                        ..
                    })
                )
            },
        ),
        (
            "swappiness above 100",
            |c, _, _| c.cgroup.resources.memory_swappiness = Some(101),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "memory_swappiness",
                        ..
                    })
                )
            },
        ),
        (
            "swap below memory",
            |c, _, _| {
                c.cgroup.resources.memory = Some(1 << 30);
                c.cgroup.resources.memory_swap = Some(1 << 20);
            },
            |e| matches!(e, V::Cgroup(C::SwapBelowMemory { .. })),
        ),
        (
            "cpu shares too low",
            |c, _, _| c.cgroup.resources.cpu_shares = Some(1),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "cpu_shares",
                        ..
                    })
                )
            },
        ),
        (
            "cpu weight too high",
            |c, _, _| c.cgroup.resources.cpu_weight = Some(10_001),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "cpu_weight",
                        ..
                    })
                )
            },
        ),
        (
            "cpu quota too small",
            |c, _, _| c.cgroup.resources.cpu_quota = Some(10),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "cpu_quota",
                        value: 10,
                        ..
                    })
                )
            },
        ),
        (
            "cpu period too long",
            |c, _, _| c.cgroup.resources.cpu_period = Some(2_000_000),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "cpu_period",
                        ..
                    })
                )
            },
        ),
        (
            "cpu idle not a flag",
            |c, _, _| c.cgroup.resources.cpu_idle = Some(2),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "cpu_idle",
                        ..
                    })
                )
            },
        ),
        (
            "blkio weight too low",
            |c, _, _| c.cgroup.resources.blkio_weight = Some(5),
            |e| {
                matches!(
                    e,
                    V::Cgroup(C::OutOfRange {
                        field: "blkio_weight",
                        ..
                    })
                )
            },
        ),
        (
            "bad hugepage size",
            |c, _, _| {
                c.cgroup.resources.hugetlb_limit = vec![HugepageLimit {
                    pagesize: "2M".into(),
                    limit: 1,
                }]
            },
            |e| matches!(e, V::Cgroup(C::InvalidHugepageSize { .. })),
        ),
        (
            "fifo device rule",
            |c, _, _| {
                c.cgroup.resources.devices = vec![DeviceRule {
                    kind: DeviceKind::Fifo,
                    major: None,
                    minor: None,
                    access: DeviceAccess::READ,
                    allow: true,
                }]
            },
            |e| matches!(e, V::Cgroup(C::InvalidDeviceRule { .. })),
        ),
        // process
        (
            "oom score out of range",
            |c, _, _| c.oom_score_adj = Some(1001),
            |e| {
                matches!(
                    e,
                    V::Process(P::OutOfRange {
                        field: "oom_score_adj",
                        ..
                    })
                )
            },
        ),
        (
            "umask out of range",
            |c, _, _| c.umask = Some(0o1000),
            |e| matches!(e, V::Process(P::OutOfRange { field: "umask", .. })),
        ),
        (
            "io priority out of range",
            |c, _, _| {
                c.io_priority = Some(IoPriority {
                    class: IoPriorityClass::Be,
                    priority: 8,
                })
            },
            |e| {
                matches!(
                    e,
                    V::Process(P::OutOfRange {
                        field: "io_priority.priority",
                        ..
                    })
                )
            },
        ),
        (
            "soft rlimit above hard",
            |c, _, _| {
                c.rlimits = vec![Rlimit {
                    kind: RlimitKind::Nofile,
                    soft: 2,
                    hard: 1,
                }]
            },
            |e| matches!(e, V::Process(P::RlimitSoftAboveHard { .. })),
        ),
        (
            "rlimit twice",
            |c, _, _| {
                c.rlimits = vec![
                    Rlimit {
                        kind: RlimitKind::Core,
                        soft: 0,
                        hard: 0
                    };
                    2
                ]
            },
            |e| {
                matches!(
                    e,
                    V::Process(P::DuplicateRlimit {
                        kind: RlimitKind::Core
                    })
                )
            },
        ),
        (
            "nice out of range",
            |c, _, _| {
                c.scheduler = Some(Scheduler {
                    nice: 20,
                    ..scheduler(SchedPolicy::Other)
                })
            },
            |e| matches!(e, V::Process(P::SchedulerNice { nice: 20, .. })),
        ),
        (
            "priority for SCHED_OTHER",
            |c, _, _| {
                c.scheduler = Some(Scheduler {
                    priority: 1,
                    ..scheduler(SchedPolicy::Other)
                })
            },
            |e| matches!(e, V::Process(P::SchedulerPriority { .. })),
        ),
        (
            "deadline for SCHED_FIFO",
            |c, _, _| {
                c.scheduler = Some(Scheduler {
                    runtime: 1,
                    ..scheduler(SchedPolicy::Fifo)
                })
            },
            |e| matches!(e, V::Process(P::SchedulerDeadline { .. })),
        ),
        (
            "nodes for MPOL_LOCAL",
            |c, _, _| {
                c.memory_policy = Some(MemoryPolicy {
                    mode: MemoryPolicyMode::Local,
                    flags: vec![],
                    nodes: [0].into_iter().collect(),
                })
            },
            |e| matches!(e, V::Process(P::MemoryPolicyNodesGiven { count: 1, .. })),
        ),
        (
            "no nodes for MPOL_BIND",
            |c, _, _| {
                c.memory_policy = Some(MemoryPolicy {
                    mode: MemoryPolicyMode::Bind,
                    flags: vec![],
                    nodes: Default::default(),
                })
            },
            |e| matches!(e, V::Process(P::MemoryPolicyNodesMissing { .. })),
        ),
        (
            "device node of every type",
            |c, _, _| {
                c.devices = vec![Device {
                    path: "/dev/x".into(),
                    kind: DeviceKind::All,
                    major: 1,
                    minor: 1,
                    file_mode: 0o666,
                    uid: 0,
                    gid: 0,
                }]
            },
            |e| matches!(e, V::Process(P::InvalidDevice { .. })),
        ),
        (
            "device node climbing out of /dev",
            |c, _, _| {
                c.devices = vec![Device {
                    path: "/dev/../etc/evil".into(),
                    kind: DeviceKind::Char,
                    major: 1,
                    minor: 3,
                    file_mode: 0o666,
                    uid: 0,
                    gid: 0,
                }]
            },
            |e| matches!(e, V::Process(P::InvalidDevice { path, .. }) if path.as_os_str() == "/dev/../etc/evil"),
        ),
        (
            "relative hook path",
            |c, _, _| c.hooks.poststart = vec![hook("bin/true")],
            |e| matches!(e, V::Process(P::HookPathNotAbsolute { .. })),
        ),
        (
            "zero hook timeout",
            |c, _, _| {
                c.hooks.prestart = vec![Hook {
                    timeout: Some(Duration::ZERO),
                    ..hook("/bin/true")
                }]
            },
            |e| matches!(e, V::Process(P::HookZeroTimeout { .. })),
        ),
        // seccomp
        (
            "bad syscall name",
            |c, _, _| c.seccomp = Some(seccomp(vec![rule("mk dir", SeccompAction::Allow)])),
            |e| matches!(e, V::Seccomp(S::InvalidSyscallName { .. })),
        ),
        (
            "seventh argument",
            |c, _, _| {
                c.seccomp = Some(seccomp(vec![SyscallRule {
                    args: vec![SyscallArg {
                        index: 6,
                        value: 0,
                        value_two: 0,
                        op: SeccompOp::Eq,
                    }],
                    ..rule("mkdir", SeccompAction::Allow)
                }]))
            },
            |e| matches!(e, V::Seccomp(S::ArgIndex { index: 6, .. })),
        ),
        (
            "errno too large",
            |c, _, _| c.seccomp = Some(seccomp(vec![rule("mkdir", SeccompAction::Errno(4096))])),
            |e| matches!(e, V::Seccomp(S::ErrnoOutOfRange { errno: 4096, .. })),
        ),
        (
            "trace value too large",
            |c, _, _| c.seccomp = Some(seccomp(vec![rule("mkdir", SeccompAction::Trace(70_000))])),
            |e| matches!(e, V::Seccomp(S::TraceOutOfRange { .. })),
        ),
        (
            "notify as default",
            |c, _, _| {
                c.seccomp = Some(Seccomp {
                    default_action: SeccompAction::Notify,
                    ..seccomp(vec![])
                })
            },
            |e| matches!(e, V::Seccomp(S::NotifyDefault)),
        ),
        (
            "notify on write",
            |c, _, _| {
                c.seccomp = Some(Seccomp {
                    listener_path: Some("/run/agent.sock".into()),
                    ..seccomp(vec![rule("write", SeccompAction::Notify)])
                })
            },
            |e| matches!(e, V::Seccomp(S::NotifyForbidden { .. })),
        ),
        (
            "notify without listener",
            |c, _, _| c.seccomp = Some(seccomp(vec![rule("mkdir", SeccompAction::Notify)])),
            |e| matches!(e, V::Seccomp(S::NotifyWithoutListener)),
        ),
        (
            "relative listener path",
            |c, _, _| {
                c.seccomp = Some(Seccomp {
                    listener_path: Some("agent.sock".into()),
                    ..seccomp(vec![])
                })
            },
            |e| matches!(e, V::Seccomp(S::ListenerPathNotAbsolute { .. })),
        ),
    ]
}

fn rootfs_tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    std::fs::create_dir(base.join("rootfs")).unwrap();
    std::fs::write(base.join("file"), "").unwrap();
    std::os::unix::fs::symlink(base.join("rootfs"), base.join("link")).unwrap();
    (dir, base)
}

#[test]
fn the_base_config_is_valid() {
    let (_dir, base) = rootfs_tree();
    validate(&valid_config(&base.join("rootfs")), &full_host()).unwrap();
}

#[test]
fn every_failure_is_its_own_error() {
    let (_dir, base) = rootfs_tree();
    for (name, mutate, expected) in cases() {
        let mut config = valid_config(&base.join("rootfs"));
        let mut host = full_host();
        mutate(&mut config, &mut host, &base);
        match validate(&config, &host) {
            Ok(()) => panic!("{name}: the config passed validation"),
            Err(err) => assert!(expected(&err), "{name}: unexpected error {err:?}"),
        }
    }
}

#[test]
fn settings_that_are_allowed_pass() {
    let (_dir, base) = rootfs_tree();
    let mut config = valid_config(&base.join("rootfs"));
    user_ns(&mut config);
    config.hostname = Some("h".repeat(64));
    config.sysctl.insert("kernel.shmmax".into(), "1".into());
    config
        .sysctl
        .insert("net/ipv4/ip_forward".into(), "1".into());
    config
        .sysctl
        .insert("kernel.domainname".into(), "example".into());
    config
        .sysctl
        .insert("user.max_user_namespaces".into(), "0".into());
    config.mounts = vec![bind("/data")];
    config.masked_paths = vec!["/proc/kcore".into()];
    config.cgroup.path = Some("/hull-test/x".into());
    config.cgroup.resources.memory = Some(-1);
    config.cgroup.resources.memory_swap = Some(-1);
    config.cgroup.resources.cpu_quota = Some(-1);
    config
        .cgroup
        .resources
        .unified
        .insert("memory.high".into(), "max".into());
    config.cgroup.resources.hugetlb_limit = vec![HugepageLimit {
        pagesize: "2MB".into(),
        limit: 1,
    }];
    config.scheduler = Some(Scheduler {
        priority: 10,
        ..scheduler(SchedPolicy::Rr)
    });
    config.seccomp = Some(Seccomp {
        listener_path: Some("/run/agent.sock".into()),
        ..seccomp(vec![
            rule("mkdir", SeccompAction::Notify),
            rule("rmdir", SeccompAction::Errno(4095)),
        ])
    });
    config
        .namespaces
        .set(NamespaceKind::Ipc, Some("/proc/self/ns/ipc".into()));
    validate(&config, &full_host()).unwrap();
}
