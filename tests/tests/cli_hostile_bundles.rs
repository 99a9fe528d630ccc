//! A table of hostile bundles, each run with `hull run` as root: every one is refused with
//! an error that names the field (or the value) at fault, leaves nothing behind (state
//! directory, cgroup, mount under the bundle), and changes nothing on the host (the mount
//! table, and the harmless host sysctl the sysctl cases aim at).
//!
//! The attacks and the defences: `docs/security.md`.

#![allow(clippy::unwrap_used)] // a panic is a failed test

mod cli_support;

use std::fs;

use cli_support::TestBundle;
use serde_json::{Value, json};

/// The host sysctl the sysctl cases aim at: harmless, global (in no namespace).
const CANARY: &str = "/proc/sys/fs/lease-break-time";

/// A bind mount entry of a spec.
fn bind(destination: &str) -> Value {
    json!({"destination": destination, "type": "bind", "source": "/tmp", "options": ["bind"]})
}

/// A device node entry of a spec.
fn device(path: &str) -> Value {
    json!({"path": path, "type": "c", "major": 1, "minor": 3})
}

/// Sets `linux.sysctl` to one parameter that aims at the canary's value plus one.
fn sysctl(spec: &mut Value, key: &str) {
    spec["linux"]["sysctl"] = json!({ key: canary_plus_one() });
}

fn canary() -> String {
    fs::read_to_string(CANARY).unwrap().trim().to_owned()
}

fn canary_plus_one() -> String {
    (canary().parse::<u64>().unwrap() + 1).to_string()
}

/// A hostile change to the default spec, and what hull's error must say.
struct Case {
    name: &'static str,
    edit: fn(&mut Value),
    says: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "sysctl name climbing out of fs.mqueue (slash form)",
        edit: |s| sysctl(s, "fs/mqueue/../lease-break-time"),
        says: "invalid sysctl name \"fs/mqueue/../lease-break-time\"",
    },
    Case {
        name: "sysctl name climbing out of fs.mqueue (dotted form)",
        edit: |s| sysctl(s, "fs.mqueue.//.lease-break-time"),
        says: "invalid sysctl name \"fs.mqueue.//.lease-break-time\"",
    },
    Case {
        name: "sysctl name climbing out of net",
        edit: |s| sysctl(s, "net/ipv4/../../fs/lease-break-time"),
        says: "invalid sysctl name \"net/ipv4/../../fs/lease-break-time\"",
    },
    Case {
        name: "sysctl in no namespace of the container",
        edit: |s| sysctl(s, "fs.lease-break-time"),
        says: "sysctl \"fs.lease-break-time\" is not in a separate kernel namespace",
    },
    Case {
        name: "mount under /proc",
        edit: |s| {
            s["mounts"]
                .as_array_mut()
                .unwrap()
                .push(bind("/proc/self/attr"))
        },
        says: "nothing may be mounted under /proc",
    },
    Case {
        name: "mount under /proc through ..",
        edit: |s| {
            let mount = bind("/tmp/../proc/sys/kernel");
            s["mounts"].as_array_mut().unwrap().push(mount)
        },
        says: "cannot mount on /proc/sys/kernel",
    },
    Case {
        name: "mount on the root",
        edit: |s| s["mounts"].as_array_mut().unwrap().push(bind("/")),
        says: "mount destination / is the root",
    },
    Case {
        name: "device node climbing out of /dev",
        edit: |s| s["linux"]["devices"] = json!([device("/dev/../etc/evil")]),
        says: "invalid device node /dev/../etc/evil",
    },
    Case {
        name: "namespace path that is no namespace",
        edit: |s| {
            let namespaces = s["linux"]["namespaces"].as_array_mut().unwrap();
            namespaces.retain(|ns| ns["type"] != "network");
            namespaces.push(json!({"type": "network", "path": "/etc/passwd"}));
        },
        says: "network namespace path /etc/passwd is not a namespace file",
    },
    Case {
        name: "id maps without a user namespace",
        edit: |s| {
            s["linux"]["uidMappings"] = json!([{"containerID": 0, "hostID": 100000, "size": 1}])
        },
        says: "mappings are given but the container has no user namespace",
    },
    Case {
        name: "relative working directory",
        edit: |s| s["process"]["cwd"] = "relative".into(),
        says: "process.cwd is not an absolute path",
    },
    Case {
        name: "relative hook",
        edit: |s| s["hooks"] = json!({"createRuntime": [{"path": "relative/hook"}]}),
        says: "createRuntime hook relative/hook is not an absolute path",
    },
    Case {
        name: "relative masked path",
        edit: |s| {
            let masked = s["linux"]["maskedPaths"].as_array_mut().unwrap();
            masked.push("relative".into())
        },
        says: "masked path relative is not an absolute path",
    },
    Case {
        name: "missing rootfs",
        edit: |s| s["root"]["path"] = "/nonexistent/rootfs".into(),
        says: "rootfs /nonexistent/rootfs cannot be resolved",
    },
    Case {
        name: "unknown capability",
        edit: |s| s["process"]["capabilities"]["bounding"] = json!(["CAP_FOO"]),
        says: "process.capabilities.bounding[0]",
    },
    Case {
        name: "out of range OOM score",
        edit: |s| s["process"]["oomScoreAdj"] = 5000.into(),
        says: "oom_score_adj 5000 is out of range",
    },
];

#[test]
fn every_hostile_bundle_is_refused_naming_the_field_and_the_host_is_unchanged() {
    let canary_before = canary();
    let mounts_before = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let bundle = TestBundle::new("hostile", &["true"]);
        bundle.edit(case.edit);
        let ran = bundle.hull(&["run", &bundle.id]);
        if ran.code != Some(1) || !ran.stderr.contains(case.says) {
            failures.push(format!("{}: {ran:?}", case.name));
        }
        bundle.assert_nothing_left();
        let canary_now = canary();
        if canary_now != canary_before {
            fs::write(CANARY, &canary_before).unwrap();
            panic!("{}: the host's {CANARY} changed to {canary_now}", case.name);
        }
    }
    let mounts_after = fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert_eq!(
        mounts_before, mounts_after,
        "the host's mount table changed"
    );
    assert!(
        failures.is_empty(),
        "not refused as expected:\n{}",
        failures.join("\n")
    );
}
