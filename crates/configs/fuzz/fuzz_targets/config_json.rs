//! Any bytes as a config's JSON form ([`Config::from_json`], what `state.json` and the
//! init's channel hold): a config that parses writes out as JSON that reads back as an
//! equal config, and validating it, against a host that offers every feature and against
//! one that offers none, never panics.

#![no_main]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use hull_configs::validate::{HostFacts, RdtSupport, validate};
use hull_configs::{Config, NamespaceKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Config::from_json(json) else {
        return;
    };
    let written = config
        .to_json()
        .expect("a config that was read can be written");
    let again = Config::from_json(&written).expect("a config written reads back");
    assert_eq!(again, config);
    for host in hosts() {
        let _verdict = validate(&config, host);
    }
});

/// Two hosts whose `/proc` is an empty directory, so that nothing the fuzzer writes can
/// name a real namespace of this machine through it: one offering every feature, and one
/// offering none (what [`HostFacts::detect_at`] makes of empty trees). The directory stays
/// behind when the fuzzer exits, as statics are never dropped.
fn hosts() -> &'static [HostFacts; 2] {
    static HOSTS: OnceLock<(tempfile::TempDir, [HostFacts; 2])> = OnceLock::new();
    let (_dir, hosts) = HOSTS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let full = HostFacts {
            proc: dir.path().to_owned(),
            namespaces: NamespaceKind::ALL.iter().copied().collect::<BTreeSet<_>>(),
            cgroup2_unified: true,
            selinux: true,
            apparmor: true,
            rdt: Some(RdtSupport {
                cat: true,
                mba: true,
            }),
        };
        let bare = HostFacts::detect_at(dir.path(), dir.path());
        (dir, [full, bare])
    });
    hosts
}
