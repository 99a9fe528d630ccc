//! Shared code of the library-level container tests: a container made from hull's default
//! spec over the test rootfs, in a cgroup under `/hull-test/`, destroyed when dropped.

#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of it; a panic is a failed test

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use hull_container::configs::specconv::{self, SpecOptions};
use hull_container::configs::{Config, DefaultSpecOptions, default_spec_value};
use hull_container::{Container, ExitStatus, Factory, InitCommand, Process, Stdio};
use hull_tests::{Report, test_rootfs};

/// The `hull` binary, the containers' init (`HULL_BINARY`, set by `cargo xtask test`).
pub fn hull_binary() -> PathBuf {
    let path = std::env::var_os("HULL_BINARY").map(PathBuf::from);
    match path {
        Some(path) if path.is_file() => path,
        _ => panic!(
            "HULL_BINARY does not name the hull binary: run the tests through `cargo xtask test`"
        ),
    }
}

/// A name no other test of this run uses.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The default spec (no terminal) over the test rootfs, converted, with the cgroup at
/// `/hull-test/<id>`; `edit` changes the spec first.
pub fn config_for(id: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Config {
    let bundle = tempfile::tempdir().unwrap();
    let mut spec = default_spec_value(DefaultSpecOptions::default());
    spec["process"]["terminal"] = false.into();
    spec["root"]["path"] = test_rootfs().to_str().unwrap().into();
    spec["linux"]["cgroupsPath"] = format!("/hull-test/{id}").into();
    edit(&mut spec);
    std::fs::write(bundle.path().join("config.json"), spec.to_string()).unwrap();
    let oci = specconv::load_spec(bundle.path()).unwrap();
    let opts = SpecOptions {
        bundle: bundle.path().canonicalize().unwrap(),
        cgroup_name: id.into(),
        ..SpecOptions::default()
    };
    specconv::convert(&oci, &opts).unwrap().config
}

/// A factory over a fresh state root, with `hull` as the init.
pub struct TestFactory {
    pub factory: Factory,
    _root: tempfile::TempDir,
}

impl TestFactory {
    pub fn new() -> TestFactory {
        hull_tests::require_root();
        let root = tempfile::tempdir().unwrap();
        let init = InitCommand {
            path: hull_binary(),
            args: vec!["init".into()],
        };
        let factory = Factory::new(root.path().join("state"))
            .unwrap()
            .with_init(init);
        TestFactory {
            factory,
            _root: root,
        }
    }

    pub fn root(&self) -> &Path {
        self.factory.root()
    }

    /// Container `id`, made from the default config, running `script` as its init.
    pub fn running(&self, id: &str, script: &str) -> (Container, Process) {
        let mut container = self.factory.create(id, config_for(id, |_| {})).unwrap();
        let mut process = shell(script);
        container.run(&mut process).unwrap();
        (container, process)
    }
}

impl Drop for TestFactory {
    /// Whatever a test left, even when it failed: every container is destroyed.
    fn drop(&mut self) {
        for id in self.factory.ids().unwrap_or_default() {
            if let Ok(container) = self.factory.load(&id) {
                let _ = container.destroy();
            }
        }
    }
}

/// What a process printed and how it ended.
pub struct Ran {
    pub stdout: String,
    pub status: ExitStatus,
}

/// Runs `args` in container `id` made from `config`, collecting its stdout, then destroys it.
pub fn run_in(factory: &Factory, id: &str, config: Config, process: Process) -> Ran {
    let mut container = factory.create(id, config).unwrap();
    let ran = run_container(&mut container, process);
    container.destroy().unwrap();
    ran
}

/// Runs `process` in an existing container and collects its stdout.
pub fn run_container(container: &mut Container, mut process: Process) -> Ran {
    let (mut output, writer) = std::io::pipe().unwrap();
    process.stdout = Stdio::Fd(writer.into());
    container.run(&mut process).unwrap();
    let mut stdout = String::new();
    output.read_to_string(&mut stdout).unwrap();
    let status = process.wait().unwrap();
    Ran { stdout, status }
}

/// `hull-probe report` as the container's process.
pub fn probe() -> Process {
    let mut process = Process::new(["/bin/hull-probe", "report"]);
    process.env = vec!["PATH=/bin".into()];
    process
}

/// Runs the probe in a container made from `config` and returns its report.
pub fn probe_report(factory: &Factory, id: &str, config: Config, process: Process) -> Report {
    let ran = run_in(factory, id, config, process);
    assert!(
        ran.status.success(),
        "the probe exited with {:?}: {}",
        ran.status,
        ran.stdout
    );
    Report::parse(ran.stdout.as_bytes()).unwrap()
}

/// `sh -c script` as the container's process.
pub fn shell(script: &str) -> Process {
    let mut process = Process::new(["/bin/sh", "-c", script]);
    process.env = vec!["PATH=/bin".into()];
    process
}

/// Whether any cgroup directory of the container is left on the host.
pub fn cgroup_left(id: &str) -> bool {
    std::fs::read_dir("/sys/fs/cgroup")
        .unwrap()
        .filter_map(Result::ok)
        .any(|entry| entry.path().join("hull-test").join(id).exists())
}

/// The host's mount table, to compare before and after.
pub fn host_mounts() -> String {
    std::fs::read_to_string("/proc/self/mountinfo").unwrap()
}
