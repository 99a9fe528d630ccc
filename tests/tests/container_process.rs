//! Containers through the library: what the process gets — identity, capabilities,
//! no_new_privs, rlimits, environment, read-only and masked paths, limits, seccomp, and a
//! user namespace — checked from inside with hull-probe.

mod container_support;

use container_support::*;
use hull_container::configs::{
    Capability, CapabilitySet, IdMap, NamespaceKind, Rlimit, RlimitKind, Seccomp, SeccompAction,
    SyscallRule,
};
use hull_tests::CapSet;

#[test]
fn the_user_and_groups_come_from_the_containers_passwd_and_group() {
    let t = TestFactory::new();
    let id = unique("user");
    let mut process = probe();
    process.user = "hull".into();
    let report = probe_report(&t.factory, &id, config_for(&id, |_| {}), process);
    let ids = report.ids.unwrap();
    assert_eq!(
        (ids.uid, ids.euid, ids.gid, ids.egid),
        (1000, 1000, 1000, 1000)
    );
    // The rootfs's group file lists hull in staff (50).
    assert_eq!(report.groups, Some(vec![50]));
    assert_eq!(report.env_var("HOME"), Some("/home/hull"));

    let id = unique("numeric");
    let mut process = probe();
    process.user = "1234:5678".into();
    process.additional_groups = vec!["staff".into(), "7".into()];
    let report = probe_report(&t.factory, &id, config_for(&id, |_| {}), process);
    let ids = report.ids.unwrap();
    assert_eq!((ids.uid, ids.gid), (1234, 5678));
    let mut groups = report.groups.unwrap();
    groups.sort_unstable();
    assert_eq!(groups, [7, 50]);
}

#[test]
fn capabilities_match_the_config() {
    let t = TestFactory::new();
    let id = unique("caps");
    // The default spec: AUDIT_WRITE, KILL and NET_BIND_SERVICE.
    let report = probe_report(&t.factory, &id, config_for(&id, |_| {}), probe());
    let expected: u64 = [
        Capability::AuditWrite,
        Capability::Kill,
        Capability::NetBindService,
    ]
    .iter()
    .map(|c| 1u64 << c.number())
    .sum();
    for set in [CapSet::Bounding, CapSet::Effective, CapSet::Permitted] {
        assert_eq!(report.capabilities.get(set), Some(expected), "{set:?}");
    }
    assert_eq!(report.capabilities.get(CapSet::Inheritable), Some(0));

    let id = unique("nocaps");
    let mut config = config_for(&id, |_| {});
    let empty = CapabilitySet::new();
    let caps = config.capabilities.as_mut().unwrap();
    caps.bounding = empty.clone();
    caps.effective = empty.clone();
    caps.permitted = empty.clone();
    caps.ambient = empty;
    let report = probe_report(&t.factory, &id, config, probe());
    for set in [
        CapSet::Bounding,
        CapSet::Effective,
        CapSet::Permitted,
        CapSet::Ambient,
    ] {
        assert_eq!(report.capabilities.get(set), Some(0), "{set:?}");
    }
}

#[test]
fn no_new_privs_rlimits_env_and_cwd_are_applied() {
    let t = TestFactory::new();
    let id = unique("attrs");
    let mut config = config_for(&id, |_| {});
    config.rlimits = vec![
        Rlimit {
            kind: RlimitKind::Nofile,
            soft: 321,
            hard: 654,
        },
        Rlimit {
            kind: RlimitKind::Core,
            soft: 0,
            hard: 0,
        },
    ];
    let mut process = probe();
    process.env.push("MARK=inside".into());
    process.cwd = "/tmp".into();
    let report = probe_report(&t.factory, &id, config, process);
    assert_eq!(report.no_new_privs, Some(true));
    let nofile = report.rlimit("RLIMIT_NOFILE").unwrap();
    assert_eq!((nofile.soft, nofile.hard), (321, 654));
    assert_eq!(report.rlimit("RLIMIT_CORE").map(|r| r.hard), Some(0));
    assert_eq!(report.env_var("MARK"), Some("inside"));
    assert_eq!(report.cwd.as_deref(), Some("/tmp"));
    assert!(
        report.env.iter().all(|kv| !kv.starts_with("_HULL")),
        "{:?}",
        report.env
    );

    let id = unique("privs");
    let mut config = config_for(&id, |_| {});
    config.no_new_privileges = false;
    let report = probe_report(&t.factory, &id, config, probe());
    assert_eq!(report.no_new_privs, Some(false));
}

#[test]
fn the_root_proc_and_sys_are_read_only_and_masked_paths_unreadable() {
    let t = TestFactory::new();
    let id = unique("ro");
    let script = "hull-probe write /newfile; echo root=$?; \
        hull-probe write /proc/sys/kernel/domainname x; echo procsys=$?; \
        hull-probe write /sys/kernel/uevent_helper x; echo sys=$?; \
        echo keys=$(wc -c < /proc/keys); echo firmware=$(ls /sys/firmware | wc -l); \
        hull-probe write /tmp/x; echo tmp=$?";
    let mut process = shell(script);
    process.stderr = hull_container::Stdio::Null;
    let ran = run_in(
        &t.factory,
        &id,
        config_for(&id, |spec| {
            spec["mounts"].as_array_mut().unwrap().push(serde_json::json!(
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}));
        }),
        process,
    );
    assert!(ran.status.success(), "{}", ran.stdout);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "root=1",
            "procsys=1",
            "sys=1",
            "keys=0",
            "firmware=0",
            "tmp=0"
        ],
        "{}",
        ran.stdout
    );
}

#[test]
fn the_memory_limit_is_in_the_containers_cgroup() {
    let t = TestFactory::new();
    let id = unique("mem");
    let config = config_for(&id, |spec| {
        spec["linux"]["resources"]["memory"] = serde_json::json!({"limit": 48 << 20});
    });
    let script = "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max";
    let ran = run_in(&t.factory, &id, config, shell(script));
    assert_eq!(ran.stdout.trim(), (48u64 << 20).to_string());
}

#[test]
fn the_init_is_in_the_containers_cgroup_everywhere_and_its_namespace_is_rooted_there() {
    let t = TestFactory::new();
    let id = unique("cgns");
    let config = config_for(&id, |spec| {
        let namespaces = spec["linux"]["namespaces"].as_array_mut().unwrap();
        if !namespaces.iter().any(|ns| ns["type"] == "cgroup") {
            namespaces.push(serde_json::json!({"type": "cgroup"}));
        }
    });
    let mut container = t.factory.create(&id, config).unwrap();
    let mut process = shell("cat /proc/self/cgroup");
    let (mut output, writer) = std::io::pipe().unwrap();
    process.stdout = hull_container::Stdio::Fd(writer.into());
    container.start(&mut process).unwrap();
    // Seen from the host, before the program runs: every hierarchy, cgroup2 included.
    let host_view =
        std::fs::read_to_string(format!("/proc/{}/cgroup", process.pid().unwrap())).unwrap();
    container.exec().unwrap();
    let mut inside = String::new();
    std::io::Read::read_to_string(&mut output, &mut inside).unwrap();
    assert!(process.wait().unwrap().success());
    container.destroy().unwrap();
    let expected = format!("/hull-test/{id}");
    for line in host_view.lines() {
        let path = line.splitn(3, ':').nth(2).unwrap();
        assert_eq!(path, expected, "{host_view}");
    }
    assert!(
        host_view.lines().any(|l| l.starts_with("0::")),
        "{host_view}"
    );
    for line in inside.lines() {
        assert_eq!(line.splitn(3, ':').nth(2), Some("/"), "{inside}");
    }
    assert_eq!(
        inside.lines().count(),
        host_view.lines().count(),
        "{inside}"
    );
}

#[test]
fn a_seccomp_profile_denies_mkdir_with_its_errno() {
    let t = TestFactory::new();
    let id = unique("seccomp");
    let mut config = config_for(&id, |spec| {
        spec["mounts"].as_array_mut().unwrap().push(serde_json::json!(
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}));
    });
    config.seccomp = Some(Seccomp {
        default_action: SeccompAction::Allow,
        architectures: vec![],
        flags: None,
        syscalls: ["mkdir", "mkdirat"]
            .into_iter()
            .map(|name| SyscallRule {
                name: name.into(),
                action: SeccompAction::Errno(13),
                args: vec![],
            })
            .collect(),
        listener_path: None,
        listener_metadata: None,
    });
    let script = "hull-probe mkdir /tmp/d; echo mkdir=$?; hull-probe write /tmp/f; echo write=$?; \
        grep Seccomp: /proc/self/status";
    let mut process = shell(script);
    let (mut errors, writer) = std::io::pipe().unwrap();
    process.stderr = hull_container::Stdio::Fd(writer.into());
    let ran = run_in(&t.factory, &id, config, process);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut errors, &mut stderr).unwrap();
    assert!(
        ran.stdout.contains("mkdir=1") && ran.stdout.contains("write=0"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("Seccomp:\t2"), "{}", ran.stdout);
    assert!(stderr.contains("EACCES"), "{stderr}");
}

/// Seccomp ordering: a profile that refuses `close_range(2)` (older Docker profiles and
/// many generated ones) must not keep a container from starting. The init marks its
/// descriptors close-on-exec before any filter exists, and closes them before `execve`
/// with plain `close(2)`; with and without `no_new_privs` (the filter goes on at two
/// different points).
#[test]
fn a_seccomp_profile_without_close_range_still_starts_the_program() {
    let t = TestFactory::new();
    for no_new_privileges in [true, false] {
        let id = unique("noclose");
        let mut config = config_for(&id, |_| {});
        config.no_new_privileges = no_new_privileges;
        config.seccomp = Some(Seccomp {
            default_action: SeccompAction::Allow,
            architectures: vec![],
            flags: None,
            syscalls: vec![SyscallRule {
                name: "close_range".into(),
                action: SeccompAction::Errno(1),
                args: vec![],
            }],
            listener_path: None,
            listener_metadata: None,
        });
        let ran = run_in(&t.factory, &id, config, shell("echo started"));
        assert_eq!(
            ran.status,
            hull_container::ExitStatus::Exited(0),
            "nnp {no_new_privileges}"
        );
        assert_eq!(ran.stdout, "started\n", "nnp {no_new_privileges}");
    }
}

#[test]
fn a_user_namespace_maps_root_to_an_unprivileged_host_user() {
    let t = TestFactory::new();
    let id = unique("userns");
    let mut config = config_for(&id, |_| {});
    config.namespaces.set(NamespaceKind::User, None);
    let map = IdMap {
        container_id: 0,
        host_id: 100_000,
        size: 65_536,
    };
    config.uid_mappings = vec![map];
    config.gid_mappings = vec![map];
    for device in &mut config.devices {
        device.uid = 100_000;
        device.gid = 100_000;
    }
    let script = "cat /proc/self/uid_map; hull-probe report";
    let mut container = t.factory.create(&id, config).unwrap();
    let mut process = shell(&format!("{script} && sleep 1"));
    let (mut output, writer) = std::io::pipe().unwrap();
    process.stdout = hull_container::Stdio::Fd(writer.into());
    container.run(&mut process).unwrap();
    let host_uid =
        std::fs::read_to_string(format!("/proc/{}/status", process.pid().unwrap())).unwrap();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut output, &mut stdout).unwrap();
    let status = process.wait().unwrap();
    container.destroy().unwrap();
    assert!(status.success(), "{stdout}");
    let (map_line, report) = stdout.split_once('\n').unwrap();
    let fields: Vec<&str> = map_line.split_whitespace().collect();
    assert_eq!(fields, ["0", "100000", "65536"]);
    let report = hull_tests::Report::parse(report.as_bytes()).unwrap();
    assert_eq!(report.ids.unwrap().uid, 0);
    let host_line = host_uid.lines().find(|l| l.starts_with("Uid:")).unwrap();
    assert!(
        host_line.split_whitespace().nth(1) == Some("100000"),
        "{host_line}"
    );
}

/// `Container::pause` freezes the container's cgroup (v1 freezer or v2 `cgroup.freeze`) and
/// `resume` thaws it; the status follows, and a second pause or resume is refused.
#[test]
fn pause_and_resume_follow_the_freezer() {
    let t = TestFactory::new();
    let id = unique("pause");
    let (mut container, mut process) = t.running(&id, "sleep 100");
    let pids = container.processes().unwrap();
    assert!(pids.contains(&process.pid().unwrap()), "{pids:?}");
    container.pause().unwrap();
    assert_eq!(container.status().unwrap(), hull_container::Status::Paused);
    assert!(container.pause().is_err(), "paused twice");
    container.resume().unwrap();
    assert_eq!(container.status().unwrap(), hull_container::Status::Running);
    assert!(container.resume().is_err(), "resumed twice");
    container.destroy().unwrap();
    process.wait().unwrap();
}
