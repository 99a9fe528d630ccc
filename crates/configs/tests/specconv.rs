//! specconv on real `config.json` files written by runc and podman (see fixtures/README.md),
//! and its errors on bad input.

#![allow(clippy::unwrap_used)] // test helpers: a panic is how they report a failure

use std::fs;
use std::path::{Path, PathBuf};

use hull_configs::specconv::{self, DEFAULT_DEVICE_RULES, SpecError, SpecOptions, Warning};
use hull_configs::validate::{self, HostFacts};
use hull_configs::{
    Capability, Config, ConfigsError, DefaultSpecOptions, DeviceAccess, DeviceKind, MountFlags,
    NamespaceKind, NetworkKind, Propagation, RlimitKind, RootlessIds, SeccompAction, SeccompArch,
    default_spec_value,
};
use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    fs::read_to_string(path).unwrap()
}

/// A bundle directory holding `config.json` (with `edit` applied) and an empty rootfs.
struct Bundle {
    dir: tempfile::TempDir,
}

impl Bundle {
    fn new(json: &str) -> Bundle {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("rootfs")).unwrap();
        fs::write(dir.path().join("config.json"), json).unwrap();
        Bundle { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    fn convert(&self) -> Result<specconv::Conversion, ConfigsError> {
        let spec = specconv::load_spec(&self.path())?;
        let opts = SpecOptions {
            bundle: self.path(),
            cgroup_name: "fixture".into(),
            ..SpecOptions::default()
        };
        Ok(specconv::convert(&spec, &opts)?)
    }
}

/// A fixture with its rootfs pointed at `rootfs` inside the bundle.
fn with_local_rootfs(json: &str) -> String {
    let mut spec: Value = serde_json::from_str(json).unwrap();
    spec["root"]["path"] = Value::from("rootfs");
    spec.to_string()
}

/// The spec without the fields where hull differs from runc on purpose: the version of the
/// runtime spec it writes and its own hostname.
fn comparable(mut spec: Value) -> Value {
    let object = spec.as_object_mut().unwrap();
    object.remove("ociVersion");
    object.remove("hostname");
    spec
}

#[test]
fn default_spec_has_the_content_of_runc_spec() {
    let runc: Value = serde_json::from_str(&fixture("runc-spec.json")).unwrap();
    let ours = default_spec_value(DefaultSpecOptions::default());
    assert_eq!(comparable(ours), comparable(runc));
}

#[test]
fn rootless_default_spec_has_the_content_of_runc_spec_rootless() {
    let runc: Value = serde_json::from_str(&fixture("runc-spec-rootless.json")).unwrap();
    let opts = DefaultSpecOptions {
        rootless: Some(RootlessIds { uid: 0, gid: 0 }),
        cgroup_namespace: false,
    };
    assert_eq!(comparable(default_spec_value(opts)), comparable(runc));
}

#[test]
fn runc_spec_converts_as_runc_does() {
    let bundle = Bundle::new(&fixture("runc-spec.json"));
    let specconv::Conversion { config, warnings } = bundle.convert().unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(config.rootfs, bundle.path().join("rootfs"));
    assert!(config.readonly_rootfs);
    assert_eq!(config.hostname.as_deref(), Some("runc"));
    assert_eq!(
        config.label("bundle"),
        Some(bundle.path().to_str().unwrap())
    );

    let kinds: Vec<_> = config.namespaces.0.iter().map(|ns| ns.kind).collect();
    use NamespaceKind::*;
    assert_eq!(kinds, [Pid, Network, Ipc, Uts, Mount]);
    assert_eq!(config.networks.len(), 1);
    assert_eq!(config.networks[0].kind, NetworkKind::Loopback);

    let dev = &config.mounts[1];
    assert_eq!(dev.destination, Path::new("/dev"));
    assert_eq!(dev.flags, MountFlags::NOSUID | MountFlags::STRICTATIME);
    assert_eq!(dev.data, "mode=755,size=65536k");
    let pts = &config.mounts[2];
    assert_eq!(pts.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    let cgroup = &config.mounts[6];
    assert_eq!(
        cgroup.flags,
        MountFlags::NOSUID
            | MountFlags::NOEXEC
            | MountFlags::NODEV
            | MountFlags::RELATIME
            | MountFlags::RDONLY
    );

    // The spec's deny-all rule first, then runc's defaults.
    let rules = &config.cgroup.resources.devices;
    assert_eq!(rules.len(), 1 + DEFAULT_DEVICE_RULES.len());
    assert_eq!(
        (rules[0].kind, rules[0].major, rules[0].allow),
        (DeviceKind::All, None, false)
    );
    assert_eq!(rules[0].access, DeviceAccess::all());
    assert_eq!(&rules[1..], &DEFAULT_DEVICE_RULES);
    let nodes: Vec<_> = config
        .devices
        .iter()
        .map(|d| d.path.to_str().unwrap())
        .collect();
    assert_eq!(
        nodes,
        [
            "/dev/null",
            "/dev/random",
            "/dev/full",
            "/dev/tty",
            "/dev/zero",
            "/dev/urandom"
        ]
    );
    assert_eq!(config.cgroup.name.as_deref(), Some("fixture"));
    assert_eq!(config.cgroup.path, None);

    let caps = config.capabilities.as_ref().unwrap();
    let expected = [
        Capability::Kill,
        Capability::NetBindService,
        Capability::AuditWrite,
    ];
    assert!(caps.bounding.iter().eq(expected.iter()));
    assert!(caps.inheritable.is_empty());
    assert_eq!(config.rlimits[0].kind, RlimitKind::Nofile);
    assert_eq!(
        (config.rlimits[0].soft, config.rlimits[0].hard),
        (1024, 1024)
    );
    assert!(config.no_new_privileges);
    assert_eq!(config.masked_paths.len(), 10);
    assert_eq!(config.readonly_paths.len(), 5);
}

#[test]
fn rootless_spec_maps_devices_and_binds_sys() {
    let bundle = Bundle::new(&fixture("runc-spec-rootless.json"));
    let config = bundle.convert().unwrap().config;
    assert!(config.namespaces.is_new(NamespaceKind::User));
    assert!(!config.namespaces.contains(NamespaceKind::Network));
    assert!(config.networks.is_empty());
    let sys = config
        .mounts
        .iter()
        .find(|m| m.destination == Path::new("/sys"))
        .unwrap();
    assert!(sys.is_bind());
    assert_eq!(sys.device, "bind");
    assert_eq!(sys.source, Path::new("/sys"));
    assert!(sys.flags.contains(MountFlags::REC | MountFlags::RDONLY));
}

#[test]
fn podman_config_converts_and_validates() {
    let bundle = Bundle::new(&with_local_rootfs(&fixture("podman.json")));
    let config = bundle.convert().unwrap().config;
    let path = config.cgroup.path.as_deref().unwrap();
    assert!(path.starts_with("/libpod_parent/libpod-"), "{path}");
    assert_eq!(config.umask, Some(0o22));
    assert!(
        config
            .label("io.container.manager")
            .is_some_and(|v| v == "libpod")
    );
    let resolv = config
        .mounts
        .iter()
        .find(|m| m.destination == Path::new("/etc/resolv.conf"))
        .unwrap();
    assert!(resolv.is_bind());
    assert_eq!(resolv.propagation, [Propagation::RPrivate]);
    let seccomp = config.seccomp.as_ref().unwrap();
    assert_eq!(seccomp.default_action, SeccompAction::Errno(38));
    assert_eq!(
        seccomp.architectures,
        [SeccompArch::X86_64, SeccompArch::X86, SeccompArch::X32]
    );
    assert!(
        seccomp
            .syscalls
            .iter()
            .any(|r| r.name == "mkdir" && r.action == SeccompAction::Allow)
    );
    assert_eq!(config.cgroup.resources.pids_limit, Some(2048));

    // podman joins a network namespace it made; point it at ours so that the path exists.
    let mut config = config;
    config
        .namespaces
        .set(NamespaceKind::Network, Some("/proc/self/ns/net".into()));
    config.sysctl.clear();
    validate::validate(&config, &HostFacts::detect()).unwrap();
}

#[test]
fn podman_features_convert() {
    let bundle = Bundle::new(&with_local_rootfs(&fixture("podman-features.json")));
    let config = bundle.convert().unwrap().config;
    let r = &config.cgroup.resources;
    assert_eq!(r.memory, Some(64 << 20));
    assert_eq!(r.memory_swap, Some(128 << 20));
    assert_eq!(
        (r.cpu_shares, r.cpu_quota, r.cpu_period),
        (Some(512), Some(50_000), Some(100_000))
    );
    assert_eq!(r.pids_limit, Some(100));
    assert_eq!(config.uid_mappings[0].host_id, 100_000);
    // Device nodes belong to the container's root, as the host sees it.
    let fuse = config
        .devices
        .iter()
        .find(|d| d.path == Path::new("/dev/fuse"))
        .unwrap();
    assert_eq!(
        (fuse.uid, fuse.gid, fuse.file_mode),
        (100_000, 100_000, 0o600)
    );
    assert!(config.devices.iter().all(|d| d.uid == 100_000));
    let data = config
        .mounts
        .iter()
        .find(|m| m.destination == Path::new("/data"))
        .unwrap();
    assert!(
        data.flags
            .contains(MountFlags::BIND | MountFlags::REC | MountFlags::RDONLY)
    );
    let scratch = config
        .mounts
        .iter()
        .find(|m| m.destination == Path::new("/scratch"))
        .unwrap();
    assert!(
        scratch
            .extensions
            .contains(hull_configs::MountExtensions::TMPCOPYUP)
    );
    assert!(scratch.cleared_flags.contains(MountFlags::RDONLY));
    assert_eq!(scratch.data, "size=1m,mode=1777");
    assert!(config.readonly_rootfs && config.no_new_privileges);
    let caps = config.capabilities.as_ref().unwrap();
    assert!(caps.bounding.contains(&Capability::NetAdmin));
    assert!(!caps.bounding.contains(&Capability::Kill));
    validate::validate(&config, &HostFacts::detect()).unwrap();
}

#[test]
fn converted_configs_round_trip_through_json() {
    for name in [
        "runc-spec.json",
        "runc-spec-rootless.json",
        "podman.json",
        "podman-features.json",
    ] {
        let bundle = Bundle::new(&with_local_rootfs(&fixture(name)));
        let config = bundle.convert().unwrap().config;
        let json = config.to_json().unwrap();
        assert_eq!(Config::from_json(&json).unwrap(), config, "{name}");
    }
}

/// Edits the runc fixture and converts it.
fn convert_edited(edit: impl FnOnce(&mut Value)) -> Result<specconv::Conversion, ConfigsError> {
    let mut spec: Value = serde_json::from_str(&fixture("runc-spec.json")).unwrap();
    edit(&mut spec);
    Bundle::new(&spec.to_string()).convert()
}

fn json_field(err: &ConfigsError) -> &str {
    match err {
        ConfigsError::Json { field, .. } => field,
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn malformed_json_is_an_error_naming_where() {
    let bundle = Bundle::new("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": 5}}");
    let err = bundle.convert().unwrap_err();
    assert_eq!(json_field(&err), "root.path");
    let bundle = Bundle::new("{\"ociVersion\": ");
    assert!(matches!(
        bundle.convert().unwrap_err(),
        ConfigsError::Json { .. }
    ));
}

#[test]
fn missing_config_json_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = specconv::load_spec(dir.path()).unwrap_err();
    assert!(
        matches!(err, ConfigsError::ReadFile { ref path, .. } if path.ends_with("config.json")),
        "{err}"
    );
}

#[test]
fn unknown_namespace_kind_names_the_field() {
    let err = convert_edited(|s| s["linux"]["namespaces"][1]["type"] = "bogus".into()).unwrap_err();
    assert_eq!(json_field(&err), "linux.namespaces[1].type");
}

#[test]
fn unknown_capability_names_the_field() {
    let err = convert_edited(|s| s["process"]["capabilities"]["bounding"][0] = "CAP_FLY".into())
        .unwrap_err();
    assert_eq!(json_field(&err), "process.capabilities.bounding[0]");
    assert!(
        std::error::Error::source(&err)
            .unwrap()
            .to_string()
            .contains("CAP_FLY")
    );
}

#[test]
fn unknown_mount_option_on_a_bind_mount_is_an_error() {
    let err = convert_edited(|s| {
        let bind = serde_json::json!({"destination": "/data", "type": "bind", "source": "/tmp", "options": ["rbind", "rnoexecc"]});
        s["mounts"].as_array_mut().unwrap().push(bind);
    })
    .unwrap_err();
    let ConfigsError::Spec(SpecError::UnknownMountOption { index, option, .. }) = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!((*index, option.as_str()), (7, "rnoexecc"));
    assert!(err.to_string().contains("mounts[7].options"), "{err}");
}

#[test]
fn mount_options_follow_runc_table() {
    let conversion = convert_edited(|s| {
        let mount = serde_json::json!({"destination": "data", "type": "bind", "source": "src",
            "options": ["bind", "ro", "rw", "nosuid", "rro", "rnoatime", "rslave", "idmap", "defaults"]});
        s["mounts"].as_array_mut().unwrap().push(mount);
    })
    .unwrap();
    let mount = conversion.config.mounts.last().unwrap();
    assert_eq!(mount.destination, Path::new("/data"));
    assert!(
        conversion
            .warnings
            .contains(&Warning::RelativeMountDestination {
                destination: "data".into()
            })
    );
    assert!(conversion.warnings.contains(&Warning::DefaultsOption {
        destination: "/data".into()
    }));
    assert!(mount.source.is_absolute() && mount.source.ends_with("src"));
    assert_eq!(mount.flags, MountFlags::BIND | MountFlags::NOSUID);
    assert_eq!(mount.cleared_flags, MountFlags::RDONLY);
    assert_eq!(mount.propagation, [Propagation::RSlave]);
    let attrs = mount.rec_attr.unwrap();
    use hull_configs::MountAttrFlags as A;
    assert_eq!(attrs.set, A::RDONLY | A::NOATIME);
    assert_eq!(attrs.clear, A::ATIME);
    assert!(mount.id_mapping.as_ref().is_some_and(|m| !m.recursive));
}

#[test]
fn cgroups_path_rules() {
    let path_of = |path: &str| {
        convert_edited(|s| s["linux"]["cgroupsPath"] = path.into())
            .unwrap()
            .config
            .cgroup
            .path
    };
    assert_eq!(path_of("/hull-test/a").as_deref(), Some("/hull-test/a"));
    assert_eq!(path_of("/a/../../b").as_deref(), Some("/b"));
    assert_eq!(path_of("../x/y").as_deref(), Some("x/y"));

    let mut spec: Value = serde_json::from_str(&fixture("runc-spec.json")).unwrap();
    spec["linux"]["cgroupsPath"] = "system.slice:docker:abc".into();
    let bundle = Bundle::new(&spec.to_string());
    let oci = specconv::load_spec(&bundle.path()).unwrap();
    let opts = SpecOptions {
        bundle: bundle.path(),
        systemd_cgroup: true,
        ..SpecOptions::default()
    };
    let cgroup = specconv::convert(&oci, &opts).unwrap().config.cgroup;
    assert_eq!(cgroup.parent.as_deref(), Some("system.slice"));
    assert_eq!(cgroup.scope_prefix.as_deref(), Some("docker"));
    assert_eq!(cgroup.name.as_deref(), Some("abc"));
    assert!(cgroup.systemd);

    spec["linux"]["cgroupsPath"] = "/not/systemd".into();
    let bundle = Bundle::new(&spec.to_string());
    let oci = specconv::load_spec(&bundle.path()).unwrap();
    let opts = SpecOptions {
        bundle: bundle.path(),
        systemd_cgroup: true,
        ..SpecOptions::default()
    };
    let err = specconv::convert(&oci, &opts).unwrap_err();
    assert!(matches!(err, SpecError::SystemdCgroupPath { .. }), "{err}");
}

#[test]
fn spec_errors_name_what_is_wrong() {
    let err = convert_edited(|s| s.as_object_mut().unwrap().remove("root").map(drop).unwrap())
        .unwrap_err();
    assert!(
        matches!(err, ConfigsError::Spec(SpecError::MissingRoot)),
        "{err}"
    );

    let err = convert_edited(|s| s["linux"]["namespaces"][1]["type"] = "pid".into()).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigsError::Spec(SpecError::DuplicateNamespace {
                kind: NamespaceKind::Pid
            })
        ),
        "{err}"
    );

    let err = convert_edited(|s| s["linux"]["resources"]["devices"][0]["access"] = "".into())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigsError::Spec(SpecError::MissingDeviceAccess { index: 0 })
        ),
        "{err}"
    );

    let err = convert_edited(|s| s["linux"]["resources"]["devices"][0]["access"] = "rwx".into())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigsError::Spec(SpecError::InvalidDeviceAccess { index: 0, .. })
        ),
        "{err}"
    );

    let err =
        convert_edited(|s| s["linux"]["resources"]["cpu"] = serde_json::json!({"cpus": "3-1"}))
            .unwrap_err();
    assert!(
        err.to_string().contains("linux.resources.cpu.cpus"),
        "{err}"
    );

    let err = convert_edited(|s| s["linux"]["rootfsPropagation"] = "sideways".into()).unwrap_err();
    assert!(err.to_string().contains("linux.rootfsPropagation"), "{err}");

    let err = convert_edited(|s| {
        s["hooks"] = serde_json::json!({"poststop": [{"path": "/bin/true", "timeout": 0}]});
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("hooks.poststop[0].timeout"),
        "{err}"
    );

    let err = convert_edited(|s| {
        s["linux"]["seccomp"] = serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_KILL", "errnoRet": 1}]});
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("linux.seccomp.syscalls[0]"),
        "{err}"
    );

    let err = convert_edited(|s| {
        s["linux"]["namespaces"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"type": "user"}));
        s["linux"]["uidMappings"] =
            serde_json::json!([{"containerID": 1, "hostID": 1000, "size": 1}]);
        s["linux"]["gidMappings"] =
            serde_json::json!([{"containerID": 0, "hostID": 1000, "size": 1}]);
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigsError::Spec(SpecError::RootNotMapped { which: "uid" })
        ),
        "{err}"
    );
}

#[test]
fn seccomp_actions_and_defaults() {
    let config = convert_edited(|s| {
        s["linux"]["seccomp"] = serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "architectures": ["SCMP_ARCH_NATIVE", "SCMP_ARCH_AARCH64"],
        "flags": [],
        "listenerPath": "/run/agent.sock",
        "syscalls": [
            {"names": ["mkdir", "rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
            {"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"},
            {"names": ["openat"], "action": "SCMP_ACT_NOTIFY"},
            {"names": ["uname"], "action": "SCMP_ACT_TRACE"},
            {"names": ["getpid"], "action": "SCMP_ACT_LOG"}
        ]})
    })
    .unwrap()
    .config;
    let seccomp = config.seccomp.unwrap();
    assert_eq!(seccomp.default_action, SeccompAction::Errno(1));
    assert_eq!(seccomp.flags, Some(vec![]));
    assert_eq!(seccomp.architectures[1], SeccompArch::Aarch64);
    let actions: Vec<_> = seccomp
        .syscalls
        .iter()
        .map(|r| (r.name.as_str(), r.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("mkdir", SeccompAction::Errno(13)),
            ("rmdir", SeccompAction::Errno(13)),
            ("personality", SeccompAction::Allow),
            ("ptrace", SeccompAction::KillProcess),
            ("openat", SeccompAction::Notify),
            ("uname", SeccompAction::Trace(1)),
            ("getpid", SeccompAction::Log),
        ]
    );
    assert_eq!(seccomp.syscalls[2].args[0].value, 8);
}

/// Docker writes zeros for every resource it leaves alone (`cpu.shares: 0`, memory limits,
/// `pids.limit: 0`, ...): runc writes nothing for them, and neither does hull (validation
/// refused a CPU share of 0, so `docker run --runtime hull` could not start).
#[test]
fn zeros_runc_reads_as_unset_are_unset() {
    let conversion = convert_edited(|s| {
        s["linux"]["resources"] = serde_json::json!({
            "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0},
            "memory": {"limit": 0, "reservation": 0, "swap": 0},
            "pids": {"limit": 0},
            "blockIO": {"weight": 0, "leafWeight": 0},
        })
    })
    .unwrap();
    let r = &conversion.config.cgroup.resources;
    assert_eq!(
        (
            r.cpu_shares,
            r.cpu_quota,
            r.cpu_period,
            r.cpu_rt_runtime,
            r.cpu_rt_period
        ),
        (None, None, None, None, None)
    );
    assert_eq!(
        (r.memory, r.memory_reservation, r.memory_swap),
        (None, None, None)
    );
    assert_eq!(r.pids_limit, None);
    assert_eq!((r.blkio_weight, r.blkio_leaf_weight), (None, None));
}
