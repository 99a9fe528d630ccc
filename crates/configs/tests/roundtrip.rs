//! A config with every field set survives its JSON form unchanged, and the JSON form
//! refuses what it does not know.

#![allow(clippy::unwrap_used)] // test helpers: a panic is how they report a failure

use std::collections::BTreeMap;
use std::time::Duration;

use hull_configs::*;

fn every_field() -> Config {
    let id_map = IdMap {
        container_id: 0,
        host_id: 100_000,
        size: 65_536,
    };
    let mut namespaces = Namespaces::default();
    for &kind in NamespaceKind::ALL {
        namespaces.set(kind, None);
    }
    namespaces.set(NamespaceKind::Network, Some("/run/netns/x".into()));
    let hook = Hook {
        path: "/usr/bin/hook".into(),
        args: vec!["hook".into(), "--x".into()],
        env: vec!["A=b".into()],
        dir: Some("/tmp".into()),
        timeout: Some(Duration::from_secs(5)),
    };
    let caps: CapabilitySet = Capability::ALL.iter().copied().collect();
    Config {
        version: "1.2.1".into(),
        rootfs: "/var/lib/hull/rootfs".into(),
        readonly_rootfs: true,
        no_pivot_root: true,
        root_propagation: Some(Propagation::RSlave),
        umask: Some(0o022),
        mounts: vec![Mount {
            source: "/src".into(),
            destination: "/dst".into(),
            device: "bind".into(),
            flags: MountFlags::BIND | MountFlags::REC | MountFlags::RDONLY,
            cleared_flags: MountFlags::NOSUID,
            propagation: vec![Propagation::RPrivate, Propagation::Shared],
            data: String::new(),
            rec_attr: Some(RecursiveAttrs {
                set: MountAttrFlags::NOEXEC,
                clear: MountAttrFlags::ATIME,
            }),
            extensions: MountExtensions::TMPCOPYUP,
            id_mapping: Some(MountIdMapping {
                recursive: true,
                userns_path: None,
                uid_mappings: vec![id_map],
                gid_mappings: vec![id_map],
            }),
        }],
        devices: vec![Device {
            path: "/dev/fuse".into(),
            kind: DeviceKind::Char,
            major: 10,
            minor: 229,
            file_mode: 0o600,
            uid: 1,
            gid: 2,
        }],
        masked_paths: vec!["/proc/kcore".into()],
        readonly_paths: vec!["/proc/sys".into()],
        mount_label: Some("system_u:object_r:container_file_t:s0".into()),
        hostname: Some("h".into()),
        domainname: Some("d".into()),
        namespaces,
        uid_mappings: vec![id_map],
        gid_mappings: vec![id_map],
        time_offsets: Some(BTreeMap::from([
            (
                Clock::Monotonic,
                TimeOffset {
                    secs: -5,
                    nanosecs: 10,
                },
            ),
            (
                Clock::Boottime,
                TimeOffset {
                    secs: 7,
                    nanosecs: 0,
                },
            ),
        ])),
        networks: vec![Network {
            mtu: Some(1500),
            address: "10.0.0.2/24".into(),
            ..Network::loopback()
        }],
        routes: vec![Route {
            destination: "0.0.0.0/0".into(),
            source: String::new(),
            gateway: "10.0.0.1".into(),
            interface_name: "eth0".into(),
        }],
        net_devices: BTreeMap::from([(
            "eth1".into(),
            NetDevice {
                name: "net0".into(),
            },
        )]),
        cgroup: Cgroup {
            name: None,
            parent: None,
            path: Some("/hull-test/x".into()),
            scope_prefix: Some("hull".into()),
            systemd: false,
            rootless: true,
            owner_uid: Some(1000),
            resources: Resources {
                devices: vec![DeviceRule {
                    kind: DeviceKind::Char,
                    major: Some(136),
                    minor: None,
                    access: DeviceAccess::READ | DeviceAccess::WRITE,
                    allow: true,
                }],
                skip_devices: true,
                memory: Some(1 << 30),
                memory_reservation: Some(1 << 29),
                memory_swap: Some(-1),
                memory_swappiness: Some(60),
                oom_kill_disable: true,
                memory_check_before_update: true,
                cpu_shares: Some(1024),
                cpu_weight: Some(100),
                cpu_quota: Some(50_000),
                cpu_period: Some(100_000),
                cpu_burst: Some(1000),
                cpu_rt_runtime: Some(950_000),
                cpu_rt_period: Some(1_000_000),
                cpu_idle: Some(1),
                cpuset_cpus: Some("0-1".parse().unwrap()),
                cpuset_mems: Some("0".parse().unwrap()),
                pids_limit: Some(100),
                blkio_weight: Some(500),
                blkio_leaf_weight: Some(300),
                blkio_weight_device: vec![WeightDevice {
                    major: 8,
                    minor: 0,
                    weight: Some(100),
                    leaf_weight: None,
                }],
                blkio_throttle_read_bps_device: vec![ThrottleDevice {
                    major: 8,
                    minor: 0,
                    rate: 1,
                }],
                blkio_throttle_write_bps_device: vec![ThrottleDevice {
                    major: 8,
                    minor: 0,
                    rate: 2,
                }],
                blkio_throttle_read_iops_device: vec![ThrottleDevice {
                    major: 8,
                    minor: 0,
                    rate: 3,
                }],
                blkio_throttle_write_iops_device: vec![ThrottleDevice {
                    major: 8,
                    minor: 0,
                    rate: 4,
                }],
                hugetlb_limit: vec![HugepageLimit {
                    pagesize: "2MB".into(),
                    limit: 1 << 21,
                }],
                net_cls_classid: Some(0x10_0001),
                net_prio_ifpriomap: vec![IfPrioMap {
                    interface: "eth0".into(),
                    priority: 5,
                }],
                rdma: BTreeMap::from([(
                    "mlx5_0".into(),
                    RdmaLimit {
                        hca_handles: Some(3),
                        hca_objects: None,
                    },
                )]),
                freezer: Some(FreezerState::Thawed),
                unified: BTreeMap::from([("memory.high".into(), "max".into())]),
            },
        },
        intel_rdt: Some(IntelRdt {
            clos_id: "c".into(),
            schemata: vec!["L3:0=f".into()],
            l3_cache_schema: "L3:0=f".into(),
            mem_bw_schema: "MB:0=50".into(),
            enable_monitoring: true,
        }),
        capabilities: Some(Capabilities {
            bounding: caps.clone(),
            effective: caps.clone(),
            inheritable: CapabilitySet::new(),
            permitted: caps.clone(),
            ambient: [Capability::Kill].into(),
        }),
        rlimits: RlimitKind::ALL
            .iter()
            .map(|&kind| Rlimit {
                kind,
                soft: 1,
                hard: u64::MAX,
            })
            .collect(),
        oom_score_adj: Some(-500),
        sysctl: BTreeMap::from([("net.ipv4.ip_forward".into(), "1".into())]),
        no_new_privileges: true,
        no_new_keyring: true,
        apparmor_profile: Some("hull-default".into()),
        process_label: Some("system_u:system_r:container_t:s0".into()),
        seccomp: Some(Seccomp {
            default_action: SeccompAction::Errno(38),
            architectures: SeccompArch::ALL.to_vec(),
            flags: Some(SeccompFlag::ALL.to_vec()),
            syscalls: [
                SeccompAction::Kill,
                SeccompAction::KillThread,
                SeccompAction::KillProcess,
                SeccompAction::Trap,
                SeccompAction::Errno(1),
                SeccompAction::Trace(7),
                SeccompAction::Allow,
                SeccompAction::Log,
                SeccompAction::Notify,
            ]
            .into_iter()
            .zip(SeccompOp::ALL.iter().cycle())
            .map(|(action, &op)| SyscallRule {
                name: "mkdir".into(),
                action,
                args: vec![SyscallArg {
                    index: 1,
                    value: 0o777,
                    value_two: 0o700,
                    op,
                }],
            })
            .collect(),
            listener_path: Some("/run/agent.sock".into()),
            listener_metadata: Some("meta".into()),
        }),
        parent_death_signal: Some(9),
        personality: Some(PersonalityDomain::Linux32),
        scheduler: Some(Scheduler {
            policy: SchedPolicy::Deadline,
            nice: 0,
            priority: 0,
            flags: SchedFlag::ALL.to_vec(),
            runtime: 1,
            deadline: 2,
            period: 3,
        }),
        io_priority: Some(IoPriority {
            class: IoPriorityClass::Idle,
            priority: 7,
        }),
        memory_policy: Some(MemoryPolicy {
            mode: MemoryPolicyMode::Interleave,
            flags: MemoryPolicyFlag::ALL.to_vec(),
            nodes: "0-3".parse().unwrap(),
        }),
        exec_cpu_affinity: Some(CpuAffinity {
            initial: Some("0".parse().unwrap()),
            final_: Some("1-2".parse().unwrap()),
        }),
        hooks: Hooks {
            prestart: vec![hook.clone()],
            create_runtime: vec![hook.clone()],
            create_container: vec![hook.clone()],
            start_container: vec![hook.clone()],
            poststart: vec![hook.clone()],
            poststop: vec![hook],
        },
        rootless_euid: true,
        rootless_cgroups: true,
        labels: vec!["bundle=/b".into(), "k=v".into()],
    }
}

#[test]
fn every_field_round_trips() {
    let config = every_field();
    let json = config.to_json().unwrap();
    assert_eq!(Config::from_json(&json).unwrap(), config);
}

#[test]
fn an_empty_document_is_the_default_config() {
    assert_eq!(Config::from_json("{}").unwrap(), Config::default());
}

#[test]
fn unknown_fields_and_values_are_refused_with_their_place() {
    let field = |json: &str| match Config::from_json(json) {
        Err(ConfigsError::Json { field, .. }) => field,
        other => panic!("expected a JSON error, got {other:?}"),
    };
    assert_eq!(field(r#"{"readonly_rootf": true}"#), "readonly_rootf");
    assert_eq!(
        field(r#"{"namespaces": [{"type": "net"}]}"#),
        "namespaces[0].type"
    );
    assert_eq!(
        field(r#"{"capabilities": {"bounding": ["CAP_FLY"]}}"#),
        "capabilities.bounding[0]"
    );
    assert_eq!(
        field(r#"{"mounts": [{"flags": "RDONLY | NOPE"}]}"#),
        "mounts[0].flags"
    );
    assert_eq!(
        field(r#"{"cgroup": {"resources": {"cpuset_cpus": "3-1"}}}"#),
        "cgroup.resources.cpuset_cpus"
    );
}
