//! The real profiles the tests and the benchmark compile, as hull `Seccomp` configs.
//!
//! Docker-style profiles (`containers-seccomp.json`) carry `includes`/`excludes` by
//! architecture and capability and an `archMap`; they are resolved here as Docker and
//! podman do for one architecture and capability set, into an OCI `linux.seccomp` section,
//! which `hull_configs::specconv` turns into a config like any bundle's.

#![allow(dead_code)] // Each test crate uses a part.

use std::path::{Path, PathBuf};

use hull_configs::specconv::{self, SpecOptions};
use hull_configs::{DefaultSpecOptions, Seccomp, default_spec_value};
use serde_json::{Value, json};

/// The capabilities podman gives a container by default (those in `podman.json`).
pub const PODMAN_CAPS: [&str; 11] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP",
    "CAP_SETGID",
    "CAP_SETPCAP",
    "CAP_SETUID",
    "CAP_SYS_CHROOT",
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

/// A hull config from an OCI `linux.seccomp` section, through specconv.
pub fn from_oci_section(section: Value) -> Seccomp {
    let mut spec = default_spec_value(DefaultSpecOptions::default());
    spec["linux"]["seccomp"] = section;
    let spec = serde_json::from_value(spec).expect("an OCI spec");
    let opts = SpecOptions {
        bundle: "/hull-test-bundle".into(),
        cgroup_name: "hull-test".into(),
        ..SpecOptions::default()
    };
    let conversion = specconv::convert(&spec, &opts).expect("specconv converts the profile");
    conversion.config.seccomp.expect("a seccomp config")
}

/// The seccomp section of podman's generated `config.json` (hull-configs' fixture).
pub fn podman() -> Seccomp {
    let path = manifest_dir().join("../configs/tests/fixtures/podman.json");
    from_oci_section(read_json(&path)["linux"]["seccomp"].clone())
}

/// Docker's/podman's default profile resolved for `arch` (`SCMP_ARCH_X86_64`), whose Go
/// name is `goarch` (`amd64`), and capabilities `caps`.
pub fn docker(arch: &str, goarch: &str, caps: &[&str]) -> Seccomp {
    let path = manifest_dir().join("tests/fixtures/containers-seccomp.json");
    from_oci_section(resolve(&read_json(&path), arch, goarch, caps))
}

/// Docker's default profile on x86_64 with podman's capabilities: what `podman run` uses.
pub fn docker_x86_64() -> Seccomp {
    docker("SCMP_ARCH_X86_64", "amd64", &PODMAN_CAPS)
}

/// The OCI section of a Docker-style profile for one architecture and capability set.
fn resolve(profile: &Value, arch: &str, goarch: &str, caps: &[&str]) -> Value {
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut architectures = vec![arch.to_owned()];
    for entry in profile["archMap"].as_array().into_iter().flatten() {
        if entry["architecture"] == arch {
            architectures.extend(strings(&entry["subArchitectures"]));
        }
    }
    let has = |cap: &String| caps.contains(&cap.as_str());
    let mut syscalls = Vec::new();
    for call in profile["syscalls"].as_array().into_iter().flatten() {
        let (inc, exc) = (&call["includes"], &call["excludes"]);
        let excluded = strings(&exc["arches"]).iter().any(|a| a == goarch)
            || strings(&exc["caps"]).iter().any(has);
        let inc_arches = strings(&inc["arches"]);
        let included = (inc_arches.is_empty() || inc_arches.iter().any(|a| a == goarch))
            && strings(&inc["caps"]).iter().all(has);
        if excluded || !included {
            continue;
        }
        let mut rule = json!({ "names": call["names"], "action": call["action"] });
        if let Some(errno) = call.get("errnoRet").filter(|v| !v.is_null()) {
            rule["errnoRet"] = errno.clone();
        }
        if let Some(args) = call.get("args").filter(|v| v.is_array()) {
            rule["args"] = args.clone();
        }
        syscalls.push(rule);
    }
    let mut section = json!({
        "defaultAction": profile["defaultAction"],
        "architectures": architectures,
        "syscalls": syscalls,
    });
    if let Some(errno) = profile.get("defaultErrnoRet").filter(|v| !v.is_null()) {
        section["defaultErrnoRet"] = errno.clone();
    }
    section
}
