//! Bad input to the library: each is a clear, typed error, and nothing is left behind — no
//! state directory, no cgroup, no mount, no process.

mod container_support;

use container_support::*;
use hull_container::configs::ConfigsError;
use hull_container::{ContainerError, Factory, InitCommand};

#[test]
fn ids_that_are_not_plain_names_are_refused() {
    let t = TestFactory::new();
    for id in ["../x", "a/b", "", ".", "..", "x y"] {
        let err = t
            .factory
            .create(id, config_for("unused", |_| {}))
            .unwrap_err();
        assert!(
            matches!(err, ContainerError::InvalidId { .. }),
            "{id:?}: {err}"
        );
        assert!(err.to_string().contains("invalid container id"), "{err}");
        let err = t.factory.state(id).unwrap_err();
        assert!(
            matches!(err, ContainerError::InvalidId { .. }),
            "{id:?}: {err}"
        );
    }
    assert!(
        std::fs::read_dir(t.root()).unwrap().next().is_none(),
        "the state root is not empty"
    );
    assert!(!t.root().parent().unwrap().join("x").exists());
}

#[test]
fn an_existing_id_is_refused_and_the_first_container_survives() {
    let t = TestFactory::new();
    let id = unique("twice");
    let (mut first, mut process) = t.running(&id, "sleep 100");
    let err = t.factory.create(&id, config_for(&id, |_| {})).unwrap_err();
    assert!(matches!(err, ContainerError::Exists { .. }), "{err}");
    assert_eq!(first.status().unwrap(), hull_container::Status::Running);
    first.destroy().unwrap();
    process.wait().unwrap();
}

#[test]
fn a_missing_rootfs_is_refused_before_anything_exists() {
    let t = TestFactory::new();
    let before = host_mounts();
    let id = unique("norootfs");
    let mut config = config_for(&id, |_| {});
    config.rootfs = "/nonexistent/rootfs".into();
    let err = t.factory.create(&id, config).unwrap_err();
    assert!(
        matches!(err, ContainerError::Configs(ConfigsError::Validate(_))),
        "{err}"
    );
    assert!(
        hull_container::chain(&err).contains("/nonexistent/rootfs"),
        "{}",
        hull_container::chain(&err)
    );
    assert!(!t.root().join(&id).exists());
    assert!(!cgroup_left(&id));
    assert_eq!(host_mounts(), before);
}

#[test]
fn a_program_that_does_not_exist_fails_start_and_leaves_nothing_running() {
    let t = TestFactory::new();
    let before = host_mounts();
    let id = unique("noprog");
    let mut container = t.factory.create(&id, config_for(&id, |_| {})).unwrap();
    let mut process = hull_container::Process::new(["no-such-program"]);
    process.env = vec!["PATH=/bin".into()];
    let err = container.start(&mut process).unwrap_err();
    let ContainerError::Init(init) = &err else {
        panic!("unexpected {err}")
    };
    assert_eq!(init.step, hull_container::nsenter::Step::Exec);
    assert!(
        hull_container::chain(&err).contains("executable file not found"),
        "{}",
        hull_container::chain(&err)
    );
    assert_eq!(container.status().unwrap(), hull_container::Status::Stopped);
    assert!(!cgroup_left(&id));
    assert!(!t.root().join(&id).join("exec.fifo").exists());
    container.destroy().unwrap();
    assert!(!t.root().join(&id).exists());
    assert_eq!(host_mounts(), before);
}

#[test]
fn a_malformed_config_is_an_error_naming_the_field() {
    let err = hull_container::configs::Config::from_json(
        r#"{"rootfs": "/", "namespaces": [{"type": "net"}]}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&err, ConfigsError::Json { field, .. } if field == "namespaces[0].type"),
        "{err}"
    );
}

/// `hull_container::init()` forks stage 2 with a raw `clone(2)`, which is only sound in a
/// single-threaded process: an init binary whose `main` started a thread before calling it
/// is refused with a clear error, before anything of the container is set up.
#[test]
fn a_multi_threaded_init_is_refused() {
    let root = tempfile::tempdir().unwrap();
    hull_tests::require_root();
    let init = InitCommand {
        path: std::env::current_exe().unwrap(),
        args: ["threaded_init", "--exact", "--ignored", "--nocapture"]
            .map(Into::into)
            .to_vec(),
    };
    let factory = Factory::new(root.path().join("state"))
        .unwrap()
        .with_init(init);
    let before = host_mounts();
    let id = unique("threads");
    let mut container = factory.create(&id, config_for(&id, |_| {})).unwrap();
    let err = container.start(&mut probe()).unwrap_err();
    let chain = hull_container::chain(&err);
    let ContainerError::Init(init) = &err else {
        panic!("unexpected {chain}")
    };
    assert_eq!(init.step, hull_container::nsenter::Step::Fork, "{chain}");
    assert!(chain.contains("must be single-threaded"), "{chain}");
    assert_eq!(container.status().unwrap(), hull_container::Status::Stopped);
    container.destroy().unwrap();
    assert!(!cgroup_left(&id));
    assert_eq!(host_mounts(), before);
}

/// The init of `a_multi_threaded_init_is_refused`: this test binary, started by hull as a
/// container's init, with a second thread running when it calls `init()`.
#[test]
#[ignore = "the init of a_multi_threaded_init_is_refused, run only by it"]
fn threaded_init() {
    let _busy = std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(30)));
    hull_container::init();
    panic!("threaded_init runs only as a container's init");
}
