//! Device rules enforced by the kernel, as root: the eBPF program attached to the cgroup2
//! directory (the `unified` hierarchy of a hybrid host), and the manager's rules on
//! whatever the host has. Each test uses a cgroup of its own under `/hull-test/`.

mod cgroups_support;

use std::time::Duration;

use cgroups_support::TestCgroup;
use hull_cgroups::Manager;
use hull_cgroups::devices::{self, Program};
use hull_configs::{DeviceAccess, DeviceKind, DeviceRule, Resources};

const DEV_NULL: DeviceRule = DeviceRule {
    kind: DeviceKind::Char,
    major: Some(1),
    minor: Some(3),
    access: DeviceAccess::all(),
    allow: true,
};

const DENY_ALL: DeviceRule = DeviceRule {
    kind: DeviceKind::All,
    major: None,
    minor: None,
    access: DeviceAccess::all(),
    allow: false,
};

/// Whether a shell in the cgroup may open `/dev/null` for writing.
fn can_write_dev_null(cgroup: &mut TestCgroup) -> bool {
    let pid = cgroup.spawn_sh("echo x > /dev/null && echo opened");
    let (status, stdout, stderr) = cgroup.wait(pid, Duration::from_secs(10));
    assert!(status.is_some(), "the shell hangs");
    if stdout.contains("opened") {
        return true;
    }
    assert!(
        stderr.contains("not permitted"),
        "unexpected failure: {stderr}"
    );
    false
}

#[test]
fn ebpf_program_on_the_cgroup2_directory_denies_and_allows_dev_null() {
    hull_tests::require_root();
    let mut cgroup = TestCgroup::new("ebpf", Resources::default());
    let Some(unified) = cgroup.paths().get("").cloned() else {
        panic!("this host has no cgroup2 hierarchy to attach device programs to");
    };
    assert!(
        can_write_dev_null(&mut cgroup),
        "allowed before any program"
    );

    devices::attach(
        &unified,
        &Program::from_rules(&[DENY_ALL]).expect("program"),
    )
    .expect("attach");
    assert!(
        !can_write_dev_null(&mut cgroup),
        "the deny program let /dev/null open"
    );

    // Replacing it lets /dev/null through again (and only one program stays attached).
    let allow = Program::from_rules(&[DENY_ALL, DEV_NULL]).expect("program");
    devices::attach(&unified, &allow).expect("replace");
    assert!(
        can_write_dev_null(&mut cgroup),
        "the allow program kept /dev/null closed"
    );
    devices::attach(&unified, &allow).expect("replace again");
    assert!(can_write_dev_null(&mut cgroup));
}

#[test]
fn manager_device_rules_deny_then_allow_dev_null() {
    hull_tests::require_root();
    let deny = Resources {
        devices: vec![DENY_ALL],
        ..Resources::default()
    };
    let mut cgroup = TestCgroup::new("devices", deny.clone());
    cgroup.manager.set(&deny).expect("deny every device");
    assert!(!can_write_dev_null(&mut cgroup));
    if let Some(dir) = cgroup.paths().get("devices") {
        assert_eq!(
            std::fs::read_to_string(dir.join("devices.list")).expect("list"),
            ""
        );
    }

    let allow = Resources {
        devices: vec![DENY_ALL, DEV_NULL],
        ..Resources::default()
    };
    cgroup.manager.set(&allow).expect("allow /dev/null");
    assert!(can_write_dev_null(&mut cgroup));
    if let Some(dir) = cgroup.paths().get("devices") {
        let list = std::fs::read_to_string(dir.join("devices.list")).expect("list");
        assert_eq!(list, "c 1:3 rwm\n");
    }
}
