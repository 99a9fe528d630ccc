//! The mount plan, decision by decision, for the default spec and for each kind of mount.

use super::*;
use crate::{CgroupMount, RootfsError};
use hull_configs::specconv::{SpecOptions, convert, default_device_nodes};
use hull_configs::{DefaultSpecOptions, MountAttrFlags, MountIdMapping, default_spec};

const NOSUID: MountFlags = MountFlags::NOSUID;
const NODEV: MountFlags = MountFlags::NODEV;
const NOEXEC: MountFlags = MountFlags::NOEXEC;
const RDONLY: MountFlags = MountFlags::RDONLY;

/// The default spec (`hull spec`) converted for a bundle at `/bundle`.
fn default_config() -> Config {
    let spec = default_spec(DefaultSpecOptions::default()).unwrap();
    let opts = SpecOptions {
        bundle: "/bundle".into(),
        cgroup_name: "test".into(),
        ..SpecOptions::default()
    };
    convert(&spec, &opts).unwrap().config
}

fn hybrid(cgroupns: bool) -> RootfsOptions {
    let h = |name: &str, fstype: &str, options: &str| CgroupMount {
        name: name.into(),
        fstype: fstype.into(),
        options: options.into(),
        host_path: Path::new("/sys/fs/cgroup").join(name).join("ctr"),
    };
    RootfsOptions {
        cgroup_mounts: vec![
            h("memory", "cgroup", "memory"),
            h("cpu,cpuacct", "cgroup", "cpu,cpuacct"),
            h("unified", "cgroup2", ""),
        ],
        cgroupns,
        ..RootfsOptions::default()
    }
}

fn pure_v2(cgroupns: bool) -> RootfsOptions {
    RootfsOptions {
        cgroup_mounts: vec![CgroupMount {
            name: String::new(),
            fstype: "cgroup2".into(),
            options: String::new(),
            host_path: "/sys/fs/cgroup/ctr".into(),
        }],
        cgroupns,
        ..RootfsOptions::default()
    }
}

fn mounts(plan: &Plan) -> Vec<&MountOp> {
    plan.steps
        .iter()
        .filter_map(|s| match s {
            Step::Mount(op) => Some(op),
            _ => None,
        })
        .collect()
}

fn mount_at<'p>(plan: &'p Plan, destination: &str) -> &'p MountOp {
    mounts(plan)
        .into_iter()
        .find(|op| op.destination == Path::new(destination))
        .unwrap_or_else(|| panic!("no mount on {destination}: {plan:#?}"))
}

fn fstype(op: &MountOp) -> &str {
    match &op.kind {
        MountKind::Filesystem { fstype, .. } => fstype,
        MountKind::Bind { .. } => "bind",
    }
}

fn bind(destination: &str, options: &[MountFlags], cleared: MountFlags) -> Mount {
    Mount {
        source: "/host/src".into(),
        destination: destination.into(),
        device: "bind".into(),
        flags: options.iter().fold(MountFlags::BIND, |a, &f| a | f),
        cleared_flags: cleared,
        ..Mount::default()
    }
}

fn config_with(mounts: Vec<Mount>) -> Config {
    Config {
        rootfs: "/rootfs".into(),
        mounts,
        ..Config::default()
    }
}

fn plan_of(mounts: Vec<Mount>) -> Plan {
    plan(&config_with(mounts), &RootfsOptions::default()).unwrap()
}

#[test]
fn default_spec_mounts_in_order_then_dev() {
    let plan = plan(&default_config(), &hybrid(false)).unwrap();
    let strict = Step::RootPropagation(MountFlags::SLAVE | MountFlags::REC);
    assert_eq!(plan.steps[0], strict);
    assert_eq!(
        plan.steps[1],
        Step::RootfsParentPropagation(MountFlags::SLAVE)
    );
    assert_eq!(plan.steps[2], Step::BindRootfs);
    let order: Vec<(&str, &str)> = mounts(&plan)
        .iter()
        .map(|op| (op.destination.to_str().unwrap(), fstype(op)))
        .collect();
    assert_eq!(
        order,
        [
            ("/proc", "proc"),
            ("/dev", "tmpfs"),
            ("/dev/pts", "devpts"),
            ("/dev/shm", "tmpfs"),
            ("/dev/mqueue", "mqueue"),
            ("/sys", "sysfs"),
            ("/sys/fs/cgroup", "tmpfs"),
            ("/sys/fs/cgroup/memory", "bind"),
            ("/sys/fs/cgroup/cpu,cpuacct", "bind"),
            ("/sys/fs/cgroup/unified", "bind"),
        ]
    );
    assert!(plan.sets_up_dev);
    assert_eq!(plan.root_propagation_after_pivot, None);
    assert_eq!(plan.rootfs, Path::new("/bundle/rootfs"));
}

#[test]
fn default_spec_filesystems_keep_their_flags_and_data() {
    let plan = plan(&default_config(), &hybrid(false)).unwrap();
    let pts = mount_at(&plan, "/dev/pts");
    assert_eq!(pts.flags, NOSUID | NOEXEC);
    let MountKind::Filesystem { data, .. } = &pts.kind else {
        panic!("{pts:?}")
    };
    assert_eq!(data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    let sys = mount_at(&plan, "/sys");
    assert_eq!(sys.flags, NOSUID | NOEXEC | NODEV | RDONLY);
    assert!(matches!(
        sys.kind,
        MountKind::Filesystem {
            strict_directory: true,
            ..
        }
    ));
    let dev = mount_at(&plan, "/dev");
    assert_eq!(dev.flags, NOSUID | MountFlags::STRICTATIME);
    assert!(matches!(
        &dev.kind,
        MountKind::Filesystem { inherit_mode: true, data, .. } if data == "mode=755,size=65536k"
    ));
    assert_eq!(dev.source, Path::new("tmpfs"));
}

#[test]
fn default_spec_makes_the_default_nodes_and_links() {
    let plan = plan(&default_config(), &hybrid(false)).unwrap();
    let nodes: Vec<&Device> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Device {
                device,
                bind: false,
            } => Some(device),
            _ => None,
        })
        .collect();
    let expected = default_device_nodes();
    assert_eq!(nodes, expected.iter().collect::<Vec<_>>());
    let links: Vec<(&str, &str, bool)> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Symlink(l) => Some((
                l.link.to_str().unwrap(),
                l.target.to_str().unwrap(),
                l.replace,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        links,
        [
            ("/sys/fs/cgroup/cpu", "cpu,cpuacct", false),
            ("/sys/fs/cgroup/cpuacct", "cpu,cpuacct", false),
            ("/dev/ptmx", "pts/ptmx", true),
            ("/dev/fd", "/proc/self/fd", false),
            ("/dev/stdin", "/proc/self/fd/0", false),
            ("/dev/stdout", "/proc/self/fd/1", false),
            ("/dev/stderr", "/proc/self/fd/2", false),
            ("/dev/core", "/proc/kcore", false),
        ]
    );
    let Some(Step::Symlink(core)) = plan.steps.last() else {
        panic!("{:?}", plan.steps.last())
    };
    assert_eq!(
        core.when_host_has.as_deref(),
        Some(Path::new("/proc/kcore"))
    );
}

#[test]
fn root_propagation_follows_the_config() {
    let cases = [
        (None, MountFlags::SLAVE, None),
        (Some(Propagation::RPrivate), MountFlags::PRIVATE, None),
        (Some(Propagation::Slave), MountFlags::SLAVE, None),
        (
            Some(Propagation::RShared),
            MountFlags::PRIVATE,
            Some(MountFlags::SHARED | MountFlags::REC),
        ),
        (
            Some(Propagation::Unbindable),
            MountFlags::PRIVATE,
            Some(MountFlags::UNBINDABLE),
        ),
    ];
    for (propagation, parent, after) in cases {
        let config = Config {
            rootfs: "/r".into(),
            root_propagation: propagation,
            ..Config::default()
        };
        let plan = plan(&config, &RootfsOptions::default()).unwrap();
        let root = propagation.map_or(MountFlags::SLAVE | MountFlags::REC, Propagation::flags);
        assert_eq!(
            plan.steps[0],
            Step::RootPropagation(root),
            "{propagation:?}"
        );
        assert_eq!(
            plan.steps[1],
            Step::RootfsParentPropagation(parent),
            "{propagation:?}"
        );
        assert_eq!(plan.root_propagation_after_pivot, after, "{propagation:?}");
    }
}

#[test]
fn read_only_tmpfs_and_dev_are_mounted_writable_first() {
    let fs = |device: &str, destination: &str| Mount {
        source: device.into(),
        destination: destination.into(),
        device: device.into(),
        flags: RDONLY | NOSUID,
        ..Mount::default()
    };
    let plan = plan_of(vec![
        fs("tmpfs", "/run"),
        fs("devtmpfs", "/dev"),
        fs("proc", "/proc"),
        fs("sysfs", "/sys"),
    ]);
    assert_eq!(mount_at(&plan, "/run").flags, NOSUID);
    assert_eq!(mount_at(&plan, "/dev").flags, NOSUID);
    assert_eq!(mount_at(&plan, "/proc").flags, RDONLY | NOSUID);
    assert_eq!(mount_at(&plan, "/sys").flags, RDONLY | NOSUID);
    assert!(readonly_later(&fs("tmpfs", "/run")));
    assert!(readonly_later(&fs("devtmpfs", "/dev/.")));
    assert!(!readonly_later(&fs("proc", "/proc")));
}

#[test]
fn binds_remount_only_when_asked() {
    let rec = MountFlags::REC;
    let cases = [
        (bind("/a", &[], MountFlags::empty()), None),
        (bind("/a", &[rec], MountFlags::empty()), None),
        (bind("/a", &[RDONLY], MountFlags::empty()), Some(RDONLY)),
        (
            bind(
                "/a",
                &[rec, RDONLY, NOSUID, NODEV, NOEXEC],
                MountFlags::empty(),
            ),
            Some(RDONLY | NOSUID | NODEV | NOEXEC),
        ),
        (bind("/a", &[], RDONLY), Some(MountFlags::empty())),
        (bind("/a", &[NOSUID], NOEXEC), Some(NOSUID)),
    ];
    for (mount, remount) in cases {
        let plan = plan_of(vec![mount.clone()]);
        let op = mount_at(&plan, "/a");
        assert_eq!(
            op.flags,
            mount.flags & (MountFlags::BIND | rec),
            "{mount:?}"
        );
        assert_eq!(op.source, Path::new("/host/src"));
        let MountKind::Bind {
            remount: got,
            cleared,
            idmap,
        } = &op.kind
        else {
            panic!("{op:?}")
        };
        assert_eq!(*got, remount, "{mount:?}");
        assert_eq!(*cleared, mount.cleared_flags);
        assert_eq!(*idmap, None);
    }
}

#[test]
fn binds_keep_propagation_and_recursive_attributes() {
    let mut mount = bind("/a", &[MountFlags::REC], MountFlags::empty());
    mount.propagation = vec![Propagation::RSlave, Propagation::Shared];
    let attrs = RecursiveAttrs {
        set: MountAttrFlags::RDONLY | MountAttrFlags::NOEXEC,
        clear: MountAttrFlags::ATIME,
    };
    mount.rec_attr = Some(attrs);
    let plan = plan_of(vec![mount]);
    let op = mount_at(&plan, "/a");
    let expected = vec![MountFlags::SLAVE | MountFlags::REC, MountFlags::SHARED];
    assert_eq!(op.propagation, expected);
    assert_eq!(op.rec_attr, Some(attrs));
}

#[test]
fn idmapped_binds_name_their_index_and_namespace() {
    let mut plain = bind("/plain", &[], MountFlags::empty());
    plain.source = "/p".into();
    let mut mapped = bind("/mapped", &[MountFlags::REC], MountFlags::empty());
    mapped.id_mapping = Some(MountIdMapping {
        recursive: true,
        userns_path: Some("/proc/7/ns/user".into()),
        ..MountIdMapping::default()
    });
    let plan = plan_of(vec![plain, mapped]);
    let MountKind::Bind { idmap, .. } = &mount_at(&plan, "/mapped").kind else {
        panic!()
    };
    let expected = Idmap {
        mount_index: 1,
        recursive_bind: true,
        recursive: true,
        userns_path: Some("/proc/7/ns/user".into()),
    };
    assert_eq!(idmap.as_ref(), Some(&expected));
}

#[test]
fn tmpfs_inherits_the_mode_and_copies_up_on_request() {
    let tmpfs = Mount {
        source: "tmpfs".into(),
        destination: "/etc".into(),
        device: "tmpfs".into(),
        extensions: MountExtensions::TMPCOPYUP,
        data: "size=1m".into(),
        ..Mount::default()
    };
    let plan = plan_of(vec![tmpfs]);
    let expected = MountKind::Filesystem {
        fstype: "tmpfs".into(),
        data: "size=1m".into(),
        strict_directory: false,
        inherit_mode: true,
        copy_up: true,
    };
    assert_eq!(mount_at(&plan, "/etc").kind, expected);
}

#[test]
fn destinations_are_cleaned_and_checked() {
    let mut m = bind("/a/./b/../c//", &[], MountFlags::empty());
    let cleaned = plan_of(vec![m.clone()]);
    assert_eq!(mounts(&cleaned)[0].destination, Path::new("/a/c"));

    m.destination = "relative".into();
    let err = plan(&config_with(vec![m.clone()]), &RootfsOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        RootfsError::Plan(PlanError::RelativeDestination { .. })
    ));

    for root in ["/", "/..", "/a/../", "/./"] {
        m.destination = root.into();
        let err = plan(&config_with(vec![m.clone()]), &RootfsOptions::default()).unwrap_err();
        assert!(
            matches!(err, RootfsError::Plan(PlanError::MountOnRoot { .. })),
            "{root}: {err:?}"
        );
    }
}

#[test]
fn cleaning_never_climbs_above_the_root() {
    assert_eq!(clean(Path::new("/../../etc")), Path::new("/etc"));
    assert_eq!(clean(Path::new("a/../../b")), Path::new("/b"));
    assert_eq!(clean(Path::new("")), Path::new("/"));
}

#[test]
fn a_bind_on_dev_leaves_dev_to_the_caller() {
    let config = Config {
        devices: default_device_nodes(),
        ..config_with(vec![bind("/dev/", &[MountFlags::REC], MountFlags::empty())])
    };
    let plan = plan(&config, &RootfsOptions::default()).unwrap();
    assert!(!plan.sets_up_dev);
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| matches!(s, Step::Device { .. } | Step::Symlink(_)))
    );
}

#[test]
fn devices_are_bound_on_request_and_ptmx_is_always_a_link() {
    let mut devices = default_device_nodes();
    let mut ptmx = devices[0].clone();
    ptmx.path = "/dev/./ptmx".into();
    devices.push(ptmx);
    let config = Config {
        devices,
        ..config_with(Vec::new())
    };
    let opts = RootfsOptions {
        bind_devices: true,
        ..RootfsOptions::default()
    };
    let plan = plan(&config, &opts).unwrap();
    let nodes: Vec<_> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Device { device, bind } => Some((device.path.to_str().unwrap(), *bind)),
            _ => None,
        })
        .collect();
    let expected: Vec<_> = ["null", "random", "full", "tty", "zero", "urandom"]
        .map(|n| (format!("/dev/{n}"), true))
        .into();
    let nodes: Vec<_> = nodes.into_iter().map(|(p, b)| (p.to_owned(), b)).collect();
    assert_eq!(nodes, expected);
}

#[test]
fn cgroup_needs_hierarchies_of_known_types_and_names() {
    let plan_cgroup = |opts: &RootfsOptions| plan(&default_config(), opts);
    let err = plan_cgroup(&RootfsOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        RootfsError::Plan(PlanError::NoCgroupHierarchies { .. })
    ));
    let mut opts = hybrid(false);
    opts.cgroup_mounts[0].fstype = "tmpfs".into();
    let err = plan_cgroup(&opts).unwrap_err();
    assert!(matches!(
        err,
        RootfsError::Plan(PlanError::CgroupFsType { .. })
    ));
    for name in ["", "..", "a/b", "/memory", "."] {
        let mut opts = hybrid(false);
        opts.cgroup_mounts[0].name = name.into();
        let err = plan_cgroup(&opts).unwrap_err();
        assert!(
            matches!(err, RootfsError::Plan(PlanError::CgroupName { .. })),
            "{name:?}: {err:?}"
        );
    }
    let mut opts = pure_v2(true);
    opts.cgroup_mounts[0].fstype = "cgroup".into();
    assert!(plan_cgroup(&opts).is_err());
}

#[test]
fn cgroup_v2_with_a_namespace_mounts_cgroup2_and_falls_back_to_a_bind() {
    let plan = plan(&default_config(), &pure_v2(true)).unwrap();
    let op = mount_at(&plan, "/sys/fs/cgroup");
    assert_eq!(fstype(op), "cgroup2");
    let flags = NOSUID | NOEXEC | NODEV | MountFlags::RELATIME | RDONLY;
    assert_eq!(op.flags, flags);
    let fallback = op.fallback.as_deref().unwrap();
    assert_eq!(fstype(fallback), "bind");
    assert_eq!(fallback.source, Path::new("/sys/fs/cgroup/ctr"));
    assert_eq!(fallback.flags, MountFlags::BIND | MountFlags::REC);
    assert!(matches!(
        fallback.kind,
        MountKind::Bind { remount: Some(f), .. } if f == flags
    ));
}

#[test]
fn cgroup_v2_without_a_namespace_binds_the_containers_cgroup() {
    let plan = plan(&default_config(), &pure_v2(false)).unwrap();
    let op = mount_at(&plan, "/sys/fs/cgroup");
    assert_eq!(fstype(op), "bind");
    assert_eq!(op.source, Path::new("/sys/fs/cgroup/ctr"));
    assert_eq!(op.fallback, None);
}

#[test]
fn cgroup_v1_binds_each_hierarchy_on_a_tmpfs_made_read_only_last() {
    let plan = plan(&default_config(), &hybrid(false)).unwrap();
    let tmpfs = mount_at(&plan, "/sys/fs/cgroup");
    assert_eq!(tmpfs.flags, NOSUID | NOEXEC | NODEV);
    assert!(matches!(&tmpfs.kind, MountKind::Filesystem { data, .. } if data == "mode=755"));
    let memory = mount_at(&plan, "/sys/fs/cgroup/memory");
    assert_eq!(memory.source, Path::new("/sys/fs/cgroup/memory/ctr"));
    let ro = NOSUID | NOEXEC | NODEV | MountFlags::RELATIME | RDONLY;
    assert!(matches!(memory.kind, MountKind::Bind { remount: Some(f), .. } if f == ro));
    let remount_at = plan
        .steps
        .iter()
        .position(|s| matches!(s, Step::Remount { .. }))
        .unwrap();
    let last_cgroup_link = plan
        .steps
        .iter()
        .rposition(|s| matches!(s, Step::Symlink(l) if l.link.starts_with("/sys/fs/cgroup")))
        .unwrap();
    assert_eq!(remount_at, last_cgroup_link + 1);
    assert_eq!(
        plan.steps[remount_at],
        Step::Remount {
            destination: "/sys/fs/cgroup".into(),
            flags: NOSUID | NOEXEC | NODEV | RDONLY,
        }
    );
}

#[test]
fn cgroup_v1_with_a_namespace_mounts_each_hierarchy() {
    let plan = plan(&default_config(), &hybrid(true)).unwrap();
    let memory = mount_at(&plan, "/sys/fs/cgroup/memory");
    let expected = MountKind::Filesystem {
        fstype: "cgroup".into(),
        data: "memory".into(),
        strict_directory: false,
        inherit_mode: false,
        copy_up: false,
    };
    assert_eq!(memory.kind, expected);
    assert_eq!(memory.flags, NOSUID | NOEXEC | NODEV | RDONLY);
    let unified = mount_at(&plan, "/sys/fs/cgroup/unified");
    assert_eq!(fstype(unified), "cgroup2");
}

#[test]
fn a_writable_cgroup_mount_has_no_final_remount() {
    let mut config = default_config();
    let cgroup = config
        .mounts
        .iter_mut()
        .find(|m| m.device == "cgroup")
        .unwrap();
    cgroup.flags -= RDONLY;
    let plan = plan(&config, &hybrid(false)).unwrap();
    assert!(!plan.steps.iter().any(|s| matches!(s, Step::Remount { .. })));
}
