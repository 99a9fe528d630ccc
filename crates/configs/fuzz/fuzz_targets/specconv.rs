//! Any bytes as a bundle's `config.json`, read by [`specconv::load_spec`] and converted by
//! [`specconv::convert`] as `hull create` does, for a root caller and for a rootless one
//! with systemd cgroups and no `pivot_root`: nothing panics, every config made writes out
//! as JSON that reads back as an equal config (the container's `state.json`), and
//! validating it never panics.

#![no_main]

use std::collections::BTreeSet;
use std::fs;
use std::sync::OnceLock;

use hull_configs::specconv::{self, SpecOptions};
use hull_configs::validate::{HostFacts, RdtSupport, validate};
use hull_configs::{Config, NamespaceKind};
use libfuzzer_sys::fuzz_target;

/// The bundle (with an empty `rootfs/`), the options to convert with, and the host to
/// validate against, made once.
struct Setup {
    bundle: tempfile::TempDir,
    options: [SpecOptions; 2],
    host: HostFacts,
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let config_json = setup.bundle.path().join("config.json");
    fs::write(&config_json, data).expect("config.json can be written");
    let Ok(spec) = specconv::load_spec(setup.bundle.path()) else {
        return;
    };
    for options in &setup.options {
        let Ok(conversion) = specconv::convert(&spec, options) else {
            continue;
        };
        let config = conversion.config;
        let written = config.to_json().expect("a converted config can be written");
        let again = Config::from_json(&written).expect("a converted config reads back");
        assert_eq!(again, config);
        let _verdict = validate(&config, &setup.host);
    }
});

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let bundle = tempfile::tempdir().expect("a temporary directory");
        let path = bundle
            .path()
            .canonicalize()
            .expect("the bundle has a real path");
        fs::create_dir(path.join("rootfs")).expect("the bundle's rootfs can be made");
        fs::create_dir(path.join("proc")).expect("the host's empty proc can be made");
        let root = SpecOptions {
            bundle: path.clone(),
            cgroup_name: "fuzz".to_owned(),
            ..SpecOptions::default()
        };
        let rootless = SpecOptions {
            systemd_cgroup: true,
            no_pivot_root: true,
            no_new_keyring: true,
            rootless_euid: true,
            rootless_cgroups: true,
            ..root.clone()
        };
        // Every feature, and an empty proc: no path in the spec names a real namespace of
        // this machine through it.
        let host = HostFacts {
            proc: path.join("proc"),
            namespaces: NamespaceKind::ALL.iter().copied().collect::<BTreeSet<_>>(),
            cgroup2_unified: true,
            selinux: true,
            apparmor: true,
            rdt: Some(RdtSupport {
                cat: true,
                mba: true,
            }),
        };
        Setup {
            bundle,
            options: [root, rootless],
            host,
        }
    })
}
